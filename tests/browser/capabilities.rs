//! The session Chromium is started with, for [`super::Web`].

use serde_json::{Value, json};

use super::Mode;
use super::web::BASE;

/// The session Chromium is started with: headless, the window (or, when
/// narrow, an emulated phone) of `mode`, JavaScript as `mode` says, and
/// `embargo.test` resolved to the test server.
pub(super) fn capabilities(mode: Mode, port: u16) -> serde_json::Map<String, Value> {
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--no-first-run".to_owned(),
        // No detour through https:// for the plain-HTTP test host.
        "--disable-features=HttpsUpgrades".to_owned(),
        // A secure context, as the https of a real deployment is: passkeys
        // (navigator.credentials) exist only in one.
        format!("--unsafely-treat-insecure-origin-as-secure={BASE}"),
        format!("--window-size={},{}", mode.width, mode.height),
        format!("--host-resolver-rules=MAP embargo.test:80 127.0.0.1:{port}"),
    ];
    args.push("--lang=en-GB".to_owned());
    let mut options = json!({ "args": args });
    if !mode.js {
        options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    if mode.narrow() {
        // Chromium's windows are at least 500 px wide: emulate the phone.
        // Without touch: chromedriver's taps wait on a page timer, and
        // without JavaScript page timers never fire.
        let metrics = json!({ "width": mode.width, "height": mode.height,
                              "pixelRatio": 1, "mobile": true, "touch": false });
        options["mobileEmulation"] = json!({ "deviceMetrics": metrics });
    }
    let caps = json!({ "browserName": "chrome", "goog:chromeOptions": options });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}
