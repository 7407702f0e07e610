//! `Web`: one app served over TCP and one Chromium session looking at it,
//! with the few verbs the journeys use (`goto`, `fill`, `submit`, `press`,
//! `click_link`) and the checks every page gets after it loads.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use fantoccini::cookies::Cookie;
use fantoccini::elements::Element;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::capabilities::capabilities;
use super::{Mode, audit};
use crate::common::TestApp;

/// The tests' `base_url`; Chromium resolves its host to the test server.
pub(crate) const BASE: &str = "http://embargo.test";

/// The variable naming the directory [`Web::screenshot`] writes to.
const SCREENSHOTS: &str = "EMBARGO_SCREENSHOTS";

/// How long a page may take to load, or a script to run.
const PAGE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

pub(crate) struct Web {
    pub app: TestApp,
    pub mode: Mode,
    client: Client,
    stop: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
    checked: AtomicUsize,
    /// The field filled last: `submit` sends its form.
    last_field: Mutex<Option<Element>>,
}

impl Web {
    /// A fresh app on a free loopback port and a browser in `mode`.
    pub async fn start(driver: &str, mode: Mode) -> Web {
        let app = TestApp::new().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let port = listener.local_addr().expect("address").port();
        let (stop, stopped) = oneshot::channel::<()>();
        let (router, http) = (app.router.clone(), app.state.config.http.clone());
        let server = tokio::spawn(async move {
            let stopped = async {
                let _ = stopped.await;
            };
            embargo::http::server::serve(listener, router, &http, stopped).await;
        });
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities(mode, port));
        let client = builder
            .connect(driver)
            .await
            .unwrap_or_else(|e| panic!("no WebDriver session at {driver}: {e}"));
        let timeouts = TimeoutConfiguration::new(Some(PAGE_LIMIT), Some(PAGE_LIMIT), None);
        client.update_timeouts(timeouts).await.expect("timeouts");
        Web {
            app,
            mode,
            client,
            stop,
            server,
            checked: AtomicUsize::new(0),
            last_field: Mutex::new(None),
        }
    }

    /// Ends the browser session and the server.
    pub async fn close(self) {
        let _ = self.client.close().await;
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), self.server).await;
    }

    pub fn pages_checked(&self) -> usize {
        self.checked.load(Ordering::SeqCst)
    }

    /// Where the browser is, for failure messages.
    pub async fn whereabouts(&self) -> String {
        let url = self.client.current_url().await;
        let url = url
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("? ({e})"));
        let h1 = match self.client.find(Locator::Css("h1")).await {
            Ok(h1) => h1.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        format!("{url} (\"{h1}\")")
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `to`, a path on the app or a whole URL (as in a mail).
    pub async fn goto(&self, to: &str) {
        let url = if to.starts_with('/') {
            format!("{BASE}{to}")
        } else {
            to.to_owned()
        };
        self.client.goto(&url).await.expect("navigate");
        self.arrived().await;
    }

    /// Loads the page shown again, as the browser's reload button does.
    pub async fn reload(&self) {
        self.client.refresh().await.expect("reload");
        self.arrived().await;
    }

    /// The checks every page gets once it is loaded.
    async fn arrived(&self) {
        *self.last_field.lock().expect("lock") = None;
        let state = self.script("return document.readyState", vec![]).await;
        assert_eq!(state, "complete", "{}", self.whereabouts().await);
        audit::check(self).await;
        self.checked.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) async fn script(&self, js: &str, args: Vec<Value>) -> Value {
        let run = self.client.execute(js, args).await;
        run.unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// The path (and query) of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The URL of the page shown.
    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("url").to_string()
    }

    /// The text the page shows.
    pub async fn text(&self) -> String {
        let body = self.client.find(Locator::Css("body")).await.expect("body");
        body.text().await.expect("text")
    }

    /// Asserts that the page shows `text`.
    pub async fn sees(&self, text: &str) {
        let shown = self.text().await;
        if !shown.contains(text) {
            let at = self.whereabouts().await;
            panic!("{at} does not show {text:?}:\n{shown}");
        }
    }

    /// Asserts that the page does not show `text`.
    pub async fn does_not_see(&self, text: &str) {
        let shown = self.text().await;
        if shown.contains(text) {
            let at = self.whereabouts().await;
            panic!("{at} shows {text:?}:\n{shown}");
        }
    }

    /// The value shown for `term` in a list of facts (`<dt>term<dd>value`).
    pub async fn fact(&self, term: &str) -> String {
        let xpath = format!("//dt[normalize-space()='{term}']/following-sibling::dd[1]");
        match self.client.find(Locator::XPath(&xpath)).await {
            Ok(dd) => dd.text().await.expect("text"),
            Err(_) => panic!("{}: no fact {term:?}", self.whereabouts().await),
        }
    }

    /// The page's first heading.
    pub async fn heading(&self) -> String {
        let h1 = self.client.find(Locator::Css("h1")).await.expect("an h1");
        h1.text().await.expect("text")
    }

    /// The form field with id `key`, else the one field named `key`.
    pub async fn field(&self, key: &str) -> Element {
        if let Ok(found) = self.client.find(Locator::Id(key)).await {
            return found;
        }
        let named = format!("[name=\"{key}\"]");
        let mut all = self
            .client
            .find_all(Locator::Css(&named))
            .await
            .expect("find");
        if all.len() != 1 {
            let at = self.whereabouts().await;
            panic!("{at}: want one field {key:?}, found {}", all.len());
        }
        all.remove(0)
    }

    /// Types `value` into the field `key` (replacing what it held); a
    /// select gets the option labelled or valued `value`.
    pub async fn fill(&self, key: &str, value: &str) {
        let field = self.field(key).await;
        let tag = field.tag_name().await.expect("tag").to_lowercase();
        let kind = field.attr("type").await.expect("type").unwrap_or_default();
        if tag == "select" {
            let label = format!(".//option[normalize-space()='{value}']");
            let option = match field.find(Locator::XPath(&label)).await {
                Ok(option) => option,
                Err(_) => {
                    let css = format!("option[value=\"{value}\"]");
                    field.find(Locator::Css(&css)).await.expect("option")
                }
            };
            option.click().await.expect("choose");
        } else if ["date", "time", "datetime-local"].contains(&kind.as_str()) {
            // Typing into these follows the locale's format; set the value
            // as the picker would.
            let set = "arguments[0].value = arguments[1]; return arguments[0].value";
            let el = serde_json::to_value(&field).expect("element");
            let held = self.script(set, vec![el, json!(value)]).await;
            assert_eq!(held, value, "{key} does not take {value:?}");
        } else {
            field.clear().await.expect("clear");
            field.send_keys(value).await.expect("type");
        }
        *self.last_field.lock().expect("lock") = Some(field);
    }

    /// Picks the file at `path` in the file field `key`.
    pub async fn attach(&self, key: &str, path: &std::path::Path) {
        let field = self.field(key).await;
        let path = path.to_str().expect("UTF-8 path");
        field.send_keys(path).await.expect("attach");
        *self.last_field.lock().expect("lock") = Some(field);
    }

    /// Ticks the checkbox `key`.
    pub async fn check(&self, key: &str) {
        let field = self.field(key).await;
        if !field.is_selected().await.expect("state") {
            field.click().await.expect("tick");
        }
        *self.last_field.lock().expect("lock") = Some(field);
    }

    /// Chooses the radio button `name` with `value`.
    pub async fn choose(&self, name: &str, value: &str) {
        let css = format!("input[type=radio][name=\"{name}\"][value=\"{value}\"]");
        let radio = self.client.find(Locator::Css(&css)).await.expect("radio");
        radio.click().await.expect("choose");
        *self.last_field.lock().expect("lock") = Some(radio);
    }

    /// Sends the form of the field filled last with its submit button (the
    /// one without a name where there are several, as add-row buttons have).
    pub async fn submit(&self) {
        let last = self.last_field.lock().expect("lock").clone();
        let field = last.expect("submit() after filling a field");
        let xpath = "./ancestor::form[1]//button[not(@type) or @type='submit'] \
                     | ./ancestor::form[1]//input[@type='submit']";
        let mut buttons = field
            .find_all(Locator::XPath(xpath))
            .await
            .expect("buttons");
        if buttons.len() > 1 {
            let mut unnamed = Vec::new();
            for b in buttons {
                if b.attr("name").await.expect("name").is_none() {
                    unnamed.push(b);
                }
            }
            buttons = unnamed;
        }
        if buttons.len() != 1 {
            let at = self.whereabouts().await;
            panic!("{at}: which of {} buttons sends this form?", buttons.len());
        }
        self.send(&buttons[0], "submit").await;
    }

    /// Clicks the one button labelled `label`.
    pub async fn press(&self, label: &str) {
        let xpath = format!("//button[normalize-space()='{label}']");
        let buttons = self
            .client
            .find_all(Locator::XPath(&xpath))
            .await
            .expect("find");
        if buttons.len() != 1 {
            let at = self.whereabouts().await;
            panic!("{at}: want one button {label:?}, found {}", buttons.len());
        }
        self.send(&buttons[0], "press").await;
    }

    /// Clicks `button`, which sends its form, and waits for the next page
    /// to load: WebDriver's click may come back before the browser leaves
    /// the page (a POST and its redirect), and the checks would then run
    /// on the page being left, whose scripts go mid-way.
    async fn send(&self, button: &Element, what: &str) {
        self.script("window.embargoLeaving = true", vec![]).await;
        button.click().await.expect(what);
        let arrived = "return window.embargoLeaving === undefined \
                       && document.readyState === 'complete'";
        let deadline = std::time::Instant::now() + PAGE_LIMIT;
        // An error while the browser is between pages: ask again.
        while !matches!(
            self.client.execute(arrived, vec![]).await,
            Ok(Value::Bool(true))
        ) {
            if std::time::Instant::now() > deadline {
                panic!("{}: no new page after {what}", self.whereabouts().await);
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self.arrived().await;
    }

    /// Clicks the one button labelled `label` whose page script acts before
    /// the browser leaves (a passkey ceremony), and waits for the browser
    /// to arrive at `path` (and the page there to load).
    pub async fn press_and_wait(&self, label: &str, path: &str) {
        let xpath = format!("//button[normalize-space()='{label}']");
        let button = self.client.find(Locator::XPath(&xpath)).await;
        let button = button.unwrap_or_else(|e| panic!("no button {label:?}: {e}"));
        button.click().await.expect("press");
        let url = url::Url::parse(&format!("{BASE}{path}")).expect("url");
        let waited = self.client.wait().at_most(PAGE_LIMIT).for_url(&url).await;
        if let Err(e) = waited {
            let shown = self.text().await;
            panic!(
                "{}: not at {path} ({e}):\n{shown}",
                self.whereabouts().await
            );
        }
        self.arrived().await;
    }

    /// Follows the first link shown whose text is `text`; one in a folded
    /// menu (`<details>`) is followed after opening the menu.
    pub async fn click_link(&self, text: &str) {
        let xpath = format!("//a[normalize-space()='{text}']");
        let links = self
            .client
            .find_all(Locator::XPath(&xpath))
            .await
            .expect("find");
        for link in &links {
            if link.is_displayed().await.expect("displayed") {
                link.click().await.expect("follow");
                return self.arrived().await;
            }
        }
        let folded = format!("//details[not(@open)][.{xpath}]/summary");
        for summary in self
            .client
            .find_all(Locator::XPath(&folded))
            .await
            .expect("find")
        {
            if summary.is_displayed().await.expect("displayed") {
                summary.click().await.expect("open the menu");
                return Box::pin(self.click_link(text)).await;
            }
        }
        panic!("{}: no link {text:?} shown", self.whereabouts().await);
    }

    /// With `EMBARGO_SCREENSHOTS` naming a directory, saves the page shown
    /// there as `NAME.png`, from the element with id `from` (else from the
    /// top) down, up to 2,400 px; only at 1280 px with JavaScript on, so
    /// each picture is taken once. The README's pictures are made this way
    /// (see its "Testing" section).
    pub async fn screenshot(&self, name: &str, from: Option<&str>) {
        let Some(dir) = std::env::var_os(SCREENSHOTS) else {
            return;
        };
        if self.mode.narrow() || !self.mode.js {
            return;
        }
        let measure = "const el = arguments[0] && document.getElementById(arguments[0]); \
                       const top = el ? Math.max(0, el.getBoundingClientRect().top + scrollY - 16) : 0; \
                       return [top, document.documentElement.scrollHeight - top];";
        let at = self.script(measure, vec![json!(from)]).await;
        let px = |i: usize| at[i].as_f64().unwrap_or(0.0) as u32;
        let (top, tall) = (px(0), px(1).clamp(self.mode.height, 2_400));
        let (client, width) = (&self.client, self.mode.width);
        client.set_window_size(width, tall).await.expect("resize");
        self.script("window.scrollTo(0, arguments[0])", vec![json!(top)])
            .await;
        let png = client.screenshot().await.expect("screenshot");
        let height = self.mode.height;
        client.set_window_size(width, height).await.expect("resize");
        let path = std::path::Path::new(&dir).join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("screenshot: {}", path.display());
    }

    /// Becomes a visitor: no session, no cookies.
    pub async fn forget(&self) {
        self.client.delete_all_cookies().await.expect("cookies");
    }

    /// Becomes `email`, signed in as `TestApp::sign_in` would (for steps
    /// whose point is not the login).
    pub async fn act_as(&self, email: &str, password: &str) {
        let header = self.app.sign_in(email, password).await;
        if !self.url().await.starts_with(BASE) {
            self.goto("/").await;
        }
        self.forget().await;
        for pair in header.split("; ") {
            // As the service sets them, but with a domain: chromedriver
            // refuses the `null` domain fantoccini sends without one, and a
            // `SameSite=None` cookie (its default) without `Secure`.
            let cookie = Cookie::parse(format!(
                "{pair}; Domain=embargo.test; Path=/; HttpOnly; SameSite=Strict"
            ));
            let cookie = cookie.expect("a cookie");
            self.client.add_cookie(cookie).await.expect("cookie");
        }
    }
}
