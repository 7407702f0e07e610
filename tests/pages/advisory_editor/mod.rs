//! Pages: the structured advisory editor (issue 11): an advisory written
//! and edited without JSON, rows added and removed without JavaScript,
//! errors on the field that caused them, the preview, and advisories
//! written as JSON opening with all their fields.

mod errors;
mod round_trip;
mod rows;

use serde_json::{Value, json};

use super::advisories::{ADVISORIES, accepted, api, field_error};
use super::*;

pub(super) const V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
pub(super) const V40: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

/// `value` as a template writes it into HTML.
pub(super) fn escaped(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + end]))
}

/// What the form posting to `action` sends when a browser submits it, in
/// page order: every named input and textarea, and each select's selected
/// option (else its first). Buttons are left out; the CSRF field too (the
/// tab adds its own).
pub(super) fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let marker = format!(" action=\"{action}\"");
    let form = &html[html.find(&marker).expect("the form")..];
    let form = &form[..form.find("</form>").expect("its end")];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let tag = &rest[..rest.find('>').expect("tag end")];
        let body = &rest[tag.len() + 1..];
        let name = attr(tag, "name");
        if tag.starts_with("<input") {
            fields.extend(name.map(|n| (n, attr(tag, "value").unwrap_or_default())));
        } else if tag.starts_with("<textarea") {
            let text = &body[..body.find("</textarea>").expect("textarea end")];
            fields.extend(name.map(|n| (n, unescape(text))));
        } else if tag.starts_with("<select") {
            let options = &body[..body.find("</select>").expect("select end")];
            let tags: Vec<&str> = options.split("<option").skip(1).collect();
            let chosen = tags
                .iter()
                .find(|t| t[..t.find('>').unwrap_or(0)].contains(" selected"));
            let chosen = chosen.or(tags.first()).expect("an option");
            let value = attr(&chosen[..chosen.find('>').expect("option end")], "value");
            fields.extend(name.map(|n| (n, value.unwrap_or_default())));
        }
        rest = &rest[1..];
    }
    fields.retain(|(name, _)| name != "csrf");
    fields
}

/// Sets field `name` in `fields` to `value` (adding it if missing).
pub(super) fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(field) => field.1 = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

pub(super) fn value_of<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub(super) async fn post(tab: &Tab<'_>, path: &str, fields: &[(String, String)]) -> Response {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    tab.post(path, &fields).await
}

/// The fields of a CVSS builder choosing every Base metric of `vector`.
pub(super) fn metrics(prefix: &str, vector: &str) -> Vec<(String, String)> {
    let parts = vector.split('/').skip(1);
    let parts = parts.map(|m| m.split_once(':').expect("metric"));
    parts
        .map(|(id, v)| (format!("{prefix}.{id}"), v.to_owned()))
        .collect()
}

/// An advisory as a person fills in the form: two packages with three
/// ranges, CVSS 3.1 and 4.0, two weaknesses (one by name), two credits.
pub(super) fn filled() -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("summary", "Container escape through symlinks"),
        ("details", "Unpacking *follows* symlinks.\r\n\r\nUpgrade."),
        ("packages[0].ecosystem", "Go"),
        ("packages[0].name", "example.org/runtime"),
        ("packages[0].purl", "pkg:golang/example.org/runtime"),
        ("packages[0].ranges[0].type", "SEMVER"),
        ("packages[0].ranges[0].events[0].kind", "introduced"),
        ("packages[0].ranges[0].events[0].version", "1.0.0"),
        ("packages[0].ranges[0].events[1].kind", "fixed"),
        ("packages[0].ranges[0].events[1].version", "1.4.2"),
        ("packages[0].ranges[1].type", "SEMVER"),
        ("packages[0].ranges[1].events[0].kind", "introduced"),
        ("packages[0].ranges[1].events[0].version", "2.0.0"),
        ("packages[0].ranges[1].events[1].kind", "fixed"),
        ("packages[0].ranges[1].events[1].version", "2.1.1"),
        ("packages[1].ecosystem", "npm"),
        ("packages[1].name", "@example/runtime"),
        ("packages[1].ranges[0].type", "ECOSYSTEM"),
        ("packages[1].ranges[0].events[0].kind", "introduced"),
        ("packages[1].ranges[0].events[0].version", "0"),
        ("packages[1].ranges[0].events[1].kind", "last_affected"),
        ("packages[1].ranges[0].events[1].version", "3.2.0"),
        ("packages[1].versions", "3.3.0-rc.1\r\n"),
        ("cvss3.version", "3.1"),
        ("cwes[0]", "CWE-22"),
        ("cwes[1]", "Out-of-bounds Write"),
        ("aliases[0]", "CVE-2026-12345"),
        ("credits[0].name", "Rita Reporter"),
        ("credits[0].type", "FINDER"),
        ("credits[0].github", "rita"),
        ("credits[1].name", "Example Security Team"),
        ("credits[1].type", "COORDINATOR"),
        ("references[0].type", "FIX"),
        (
            "references[0].url",
            "https://example.org/runtime/commit/abc",
        ),
        ("action", "save"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    f.extend(metrics("cvss3", V31));
    f.extend(metrics("cvss4", V40));
    f
}

/// The OSV `affected` of [`filled`].
pub(super) fn filled_affected() -> Value {
    json!([
        {"package": {"ecosystem": "Go", "name": "example.org/runtime", "purl": "pkg:golang/example.org/runtime"},
         "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.4.2"}]},
                    {"type": "SEMVER", "events": [{"introduced": "2.0.0"}, {"fixed": "2.1.1"}]}]},
        {"package": {"ecosystem": "npm", "name": "@example/runtime"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "3.2.0"}]}],
         "versions": ["3.3.0-rc.1"]}
    ])
}

#[tokio::test]
async fn an_advisory_is_written_and_edited_without_touching_json() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let form = tab.get("/admin/advisories/new").await;
    assert_eq!(form.status, OK);
    let html = form.text();
    for id in [
        "packages[0].ecosystem",
        "packages[0].ranges[0].events[1].version",
        "cvss3.AV",
        "cvss4.SA",
        "cwes[0]",
        "credits[0].type",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "the form has {id}");
    }
    assert!(
        html.contains("<option value=\"crates.io\">crates.io</option>"),
        "OSV's ecosystems"
    );
    assert!(html.contains("<datalist id=\"cwe-catalogue\">"));

    let location = accepted(&tab, ADVISORIES, &pairs(&filled())).await;
    let id = location
        .strip_prefix("/admin/advisories/")
        .expect("advisory page")
        .to_owned();
    let a = api(&app, &token, &id).await;
    assert_eq!(a["summary"], "Container escape through symlinks");
    assert_eq!(
        a["details"], "Unpacking *follows* symlinks.\n\nUpgrade.",
        "LF line ends"
    );
    assert_eq!(a["affected"], filled_affected());
    let severity: Vec<(&str, &str, f64)> = a["severity"]
        .as_array()
        .expect("severity")
        .iter()
        .map(|s| {
            (
                s["type"].as_str().unwrap(),
                s["score"].as_str().unwrap(),
                s["base_score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(severity, [("CVSS_V3", V31, 9.8), ("CVSS_V4", V40, 9.3)]);
    assert_eq!(
        a["database_specific"],
        json!({ "cwe_ids": ["CWE-22", "CWE-787"] })
    );
    assert_eq!(a["aliases"], json!(["CVE-2026-12345"]));
    assert_eq!(
        a["credits"],
        json!([
            { "name": "Rita Reporter", "type": "FINDER", "github": "rita" },
            { "name": "Example Security Team", "type": "COORDINATOR" }
        ])
    );
    assert_eq!(
        a["references"],
        json!([{ "type": "FIX", "url": "https://example.org/runtime/commit/abc" }])
    );

    // The edit form holds all of it; change a version, a metric, a credit.
    let html = tab.get(&location).await.text();
    let score = "Score <strong>9.8 (critical)</strong>";
    assert!(html.contains(score), "the stored score is shown");
    let edit = format!("{location}/edit");
    let mut fields = form_fields(&html, &edit);
    assert_eq!(
        value_of(&fields, "packages[0].ranges[1].events[1].version"),
        Some("2.1.1")
    );
    assert_eq!(value_of(&fields, "cvss4.VC"), Some("H"));
    assert_eq!(value_of(&fields, "cwes[1]"), Some("CWE-787"));
    set(
        &mut fields,
        "packages[0].ranges[1].events[1].version",
        "2.1.2",
    );
    set(&mut fields, "cvss4.VA", "N");
    set(&mut fields, "credits[1].type", "");
    set(&mut fields, "reason", "fix was incomplete");
    set(&mut fields, "action", "save");
    let resp = post(&tab, &edit, &fields).await;
    assert_eq!(resp.status, SEE_OTHER, "{}", resp.text());
    let a = api(&app, &token, &id).await;
    let mut affected = filled_affected();
    affected[0]["ranges"][1]["events"][1] = json!({ "fixed": "2.1.2" });
    assert_eq!(a["affected"], affected);
    let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N";
    assert_eq!(a["severity"][1]["score"], v4);
    assert_eq!(a["severity"][0]["score"], V31, "the rest as it was");
    assert_eq!(a["credits"][1], json!({ "name": "Example Security Team" }));
    assert_eq!(
        a["database_specific"]["cwe_ids"],
        json!(["CWE-22", "CWE-787"])
    );
    let history = api(&app, &token, &format!("{id}/history")).await;
    assert_eq!(
        history["revisions"][1]["changed"],
        json!(["affected", "severity", "credits"])
    );
}

pub(super) fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn the_preview_shows_the_public_page_and_saves_nothing() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let mut fields = filled();
    set(&mut fields, "action", "preview");
    let resp = post(&tab, ADVISORIES, &fields).await;
    assert_eq!(resp.status, OK, "{}", resp.text());
    let html = unescape(&resp.text());
    assert!(html.contains("Preview of the public page"));
    let article = &html[html.find("<article>").expect("the public article")..];
    for shown in [
        "Container escape through symlinks</h1>",
        "CRITICAL (9.8)",
        "<em>follows</em>",
        "https://cwe.mitre.org/data/definitions/787.html",
        "Rita Reporter",
        "Fixed in</dt><dd>1.4.2, 2.1.1",
    ] {
        assert!(article.contains(shown), "the preview shows {shown}");
    }
    assert!(
        html.contains("value=\"Container escape through symlinks\""),
        "the form is kept"
    );
    assert_eq!(app.count("advisories").await, 0);

    let location = accepted(&tab, ADVISORIES, &pairs(&filled())).await;
    let edit = format!("{location}/edit");
    let mut fields = form_fields(&tab.get(&location).await.text(), &edit);
    set(&mut fields, "summary", "A better summary");
    set(&mut fields, "action", "preview");
    let resp = post(&tab, &edit, &fields).await;
    assert_eq!(resp.status, OK);
    let html = unescape(&resp.text());
    let id = location.strip_prefix("/admin/advisories/").expect("id");
    assert!(
        html.contains(&format!("<h1>{id}: A better summary</h1>")),
        "the page as published"
    );
    assert!(
        html.contains(&format!("<h1>{id}: Container escape through symlinks</h1>")),
        "the admin page as stored"
    );
    let a = api(&app, &token, id).await;
    assert_eq!(
        (a["summary"].as_str(), a["revision"].as_i64()),
        (Some("Container escape through symlinks"), Some(1))
    );
}
