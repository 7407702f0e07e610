//! What the Debian package and the container ship beside the binary: the
//! sample configuration (`deploy/debian/embargo.toml`). `.ci/package`
//! builds the package itself and checks its unit.

use embargo::config::Config;

const SAMPLE: &str = include_str!("../deploy/debian/embargo.toml");

fn load(text: &str) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("embargo.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(Some(&path)).unwrap_or_else(|e| panic!("{e:#}\n{text}"))
}

fn is_setting(line: &str) -> bool {
    line.strip_prefix('#')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_lowercase()))
}

#[test]
fn packaged_configuration_loads_and_its_commented_values_are_in_force() {
    let shipped = load(SAMPLE);
    // `#key = value` lines uncommented: every key must exist and every
    // value must be the one in force already.
    let uncommented: String = SAMPLE
        .lines()
        .map(|l| if is_setting(l) { &l[1..] } else { l })
        .flat_map(|l| [l, "\n"])
        .collect();
    let settings = SAMPLE.lines().filter(|l| is_setting(l)).count();
    assert!(settings > 50, "{settings} commented settings");
    let json = |c: &Config| serde_json::to_value(c).unwrap();
    assert_eq!(json(&load(&uncommented)), json(&shipped));
    // The one value it sets: serve listens on loopback behind a local proxy.
    for ip in ["127.0.0.1", "::1"] {
        assert!(shipped.http.is_trusted_proxy(ip.parse().unwrap()), "{ip}");
    }
    assert!(!shipped.http.is_trusted_proxy("192.0.2.1".parse().unwrap()));
}

/// The JSON array (exec form) of the first line of the Containerfile that
/// starts with `prefix`, after it.
fn exec_form(containerfile: &str, prefix: &str) -> Vec<String> {
    let line = containerfile
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?}"));
    serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// CI cannot build the image (no registry reachable), so this runs what
/// the image runs: `serve` with the shipped configuration, and the image's
/// own health check command against it, which passes, then fails once
/// `serve` is gone.
#[tokio::test]
async fn the_containers_health_check_passes_against_serve_with_the_shipped_configuration() {
    use crate::common::process::{Env, serve_with};
    let file = include_str!("../Containerfile");
    let cmd = exec_form(file, "CMD ");
    assert_eq!(cmd[..2], ["serve", "--listen"], "{cmd:?}");
    let image_port = cmd[2].rsplit(':').next().unwrap().to_owned();
    let check = exec_form(file, "  CMD ");
    let url = check.last().unwrap().clone();
    assert_eq!(url, format!("http://127.0.0.1:{image_port}/healthz"));
    for copied in file.lines().filter_map(|l| l.strip_prefix("COPY deploy/")) {
        let source = copied.split_whitespace().next().unwrap();
        let path = format!("{}/deploy/{source}", env!("CARGO_MANIFEST_DIR"));
        assert!(std::path::Path::new(&path).exists(), "{path}");
    }

    let env = Env::new().await;
    let config = env.dir.path().join("embargo.toml");
    std::fs::write(&config, SAMPLE).unwrap();
    let mut server = serve_with(&env, &[("EMBARGO_CONFIG", config.to_str().unwrap())]);
    let run_check = |port: u16| {
        let local = url.replace(&format!(":{image_port}/"), &format!(":{port}/"));
        let mut args = check.clone();
        *args.last_mut().unwrap() = local;
        std::process::Command::new(&args[0])
            .args(&args[1..])
            .output()
            .unwrap()
    };
    let out = run_check(server.port);
    assert!(out.status.success(), "{out:?}");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert!(
        !run_check(server.port).status.success(),
        "the check can fail"
    );
}
