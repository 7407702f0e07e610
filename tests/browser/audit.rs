//! What every page must pass in the browser: axe-core finds nothing serious
//! or critical, and nothing is wider than the window.

use serde_json::{Value, json};

use super::Web;

/// axe-core, as shipped on npm (see `axe/README.md`).
const AXE: &str = include_str!("axe/axe.min.js");

/// Without JavaScript the page's timers never fire, and axe waits on
/// `setTimeout(.., 0)`: such a timer runs as a microtask instead (promises
/// still settle); a timer with a delay is one of axe's own deadlines, for
/// frames or assets these pages do not have, and never fires.
const IMMEDIATE_TIMERS: &str = "window.setTimeout = function (f, ms) {
  var args = Array.prototype.slice.call(arguments, 2);
  if (!ms) { Promise.resolve().then(function () { f.apply(null, args); }); }
  return 0;
};
window.clearTimeout = function () {};";

/// Runs axe and returns its violations.
const RUN: &str = "var done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
  done(r.violations.map(function (v) {
    return { id: v.id, impact: v.impact, help: v.help,
             targets: v.nodes.map(function (n) { return n.target.join(' '); }),
             html: v.nodes.map(function (n) { return n.html; }) };
  }));
}).catch(function (e) { done({ error: String(e) }); });";

/// Set to print axe's moderate and minor findings too (they do not fail).
const ALL: &str = "EMBARGO_TEST_AXE_ALL";

/// The checks of the page shown: a serious or critical axe violation, or
/// a page wider than the window, fails.
pub(super) async fn check(web: &Web) {
    let mode = web.mode;
    let (grave, lesser): (Vec<Value>, Vec<Value>) = violations(web)
        .await
        .into_iter()
        .partition(|v| v["impact"] == "serious" || v["impact"] == "critical");
    if !lesser.is_empty() && std::env::var_os(ALL).is_some() {
        let at = web.whereabouts().await;
        eprintln!("{at} ({mode}): moderate or minor:\n{}", describe(&lesser));
    }
    if !grave.is_empty() {
        let at = web.whereabouts().await;
        let grave = describe(&grave);
        panic!("{at} ({mode}): axe found serious or critical violations:\n{grave}");
    }
    let width = width(web).await;
    if width > u64::from(mode.width) {
        let at = web.whereabouts().await;
        let wide = too_wide(web).await.join("\n");
        panic!("{at} ({mode}): the page is {width} px wide; too wide:\n{wide}");
    }
}

/// Every violation axe finds on the page shown, of any impact.
async fn violations(web: &Web) -> Vec<Value> {
    let mode = web.mode;
    let client = web.client();
    let inject = if mode.js {
        format!("{AXE}\nreturn typeof axe;")
    } else {
        format!("{IMMEDIATE_TIMERS}\n{AXE}\nreturn typeof axe;")
    };
    let loaded = client.execute(&inject, vec![]).await;
    let found = match loaded {
        Ok(loaded) if loaded == json!("object") => client.execute_async(RUN, vec![]).await,
        other => panic!(
            "{} ({mode}): axe not loaded: {other:?}",
            web.whereabouts().await
        ),
    };
    match found {
        Ok(Value::Array(found)) => found,
        other => panic!(
            "{} ({mode}): axe failed: {other:?}",
            web.whereabouts().await
        ),
    }
}

/// How wide the page shown is: an emulated phone widens its layout to
/// what overflows, so the window's inner width counts as the page's.
async fn width(web: &Web) -> u64 {
    let widths = "return [document.documentElement.scrollWidth, window.innerWidth]";
    let widths = web.script(widths, vec![]).await;
    let widths = widths.as_array().expect("widths").iter();
    widths.filter_map(Value::as_u64).max().expect("widths")
}

/// The elements reaching past the window's width, outermost first.
async fn too_wide(web: &Web) -> Vec<String> {
    let wide = web.script(WIDE, vec![json!(web.mode.width)]).await;
    let wide = wide.as_array().expect("list").iter();
    wide.filter_map(|w| w.as_str().map(str::to_owned)).collect()
}

/// The elements that reach past `arguments[0]` px, outermost first.
const WIDE: &str = "var limit = arguments[0], out = [];
document.querySelectorAll('body *').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.right > limit + 0.5 && out.length < 8) {
    out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className ? '.' + String(e.className).split(' ').join('.') : '') +
      ' (' + Math.round(r.width) + ' px, to ' + Math.round(r.right) + ')');
  }
});
return out;";

/// One line per violation: rule, impact, what it means, and where.
fn describe(violations: &[Value]) -> String {
    let line = |v: &Value| {
        let targets: Vec<&str> = v["targets"]
            .as_array()
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        format!(
            "- {} ({}): {}; at {}",
            v["id"].as_str().unwrap_or("?"),
            v["impact"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            targets.join(", ")
        )
    };
    violations.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// A page with an image lacking its text and a line wider than any window.
const FLAWED: &str = "data:text/html,<!doctype html><html lang=en><meta name=viewport \
    content='width=device-width'><title>Flawed</title><main><h1>Flawed</h1>\
    <img src='x.png'><p style='width:2000px'>A very long line.</p></main></html>";

#[tokio::test]
async fn the_audit_finds_a_missing_text_alternative_and_a_too_wide_page_in_every_mode() {
    super::each_mode("the audit itself", audit_itself).await;
}

async fn audit_itself(web: &Web) {
    web.goto("/").await;
    web.client().goto(FLAWED).await.expect("the flawed page");
    let found = violations(web).await;
    let alt = found.iter().find(|v| v["id"] == "image-alt");
    let alt = alt.unwrap_or_else(|| panic!("image-alt not found in {found:?}"));
    assert_eq!(alt["impact"], "critical");
    assert!(describe(&found).contains("image-alt (critical)"));
    assert!(width(web).await > u64::from(web.mode.width));
    let wide = too_wide(web).await;
    assert!(wide.iter().any(|w| w.starts_with("p (2000 px")), "{wide:?}");
}
