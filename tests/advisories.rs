//! Advisories through the API: content, scores, edits with history, the
//! embargo clock and its policy, publication and withdrawal.

use axum::http::{Method, StatusCode};
use embargo::domain::account::Role;
use serde_json::{Value, json};

use crate::common::TestApp;

const V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const V40: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

pub fn advisory_body() -> Value {
    json!({
        "summary": "Container escape through crafted symlinks",
        "details": "A *crafted* image lets a container write to the host.\n\n<script>alert(1)</script>",
        "affected": [{
            "package": { "ecosystem": "Go", "name": "example.org/runtime", "purl": "pkg:golang/example.org/runtime" },
            "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "1.0.0" }, { "fixed": "1.4.2" }] }]
        }],
        "severity": [{ "type": "CVSS_V3", "score": V31 }, { "type": "CVSS_V4", "score": V40 }],
        "database_specific": { "cwe_ids": ["CWE-59"] },
        "aliases": ["CVE-2026-12345"],
        "credits": [{ "name": "Rita Reporter", "type": "FINDER", "github": "rita-r" }],
        "references": [{ "type": "FIX", "url": "https://example.org/runtime/commit/abc" }]
    })
}

pub async fn create(app: &TestApp, admin: &str) -> String {
    let resp = app
        .post("/api/v1/advisories", Some(admin), advisory_body())
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    resp.json()["id"].as_str().unwrap().to_owned()
}

fn in_hours(h: i64) -> String {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(h))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_advisory_is_created_with_scores_and_read_back_in_the_same_shape() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    assert!(id.starts_with("SA-") && id.ends_with("-0001"), "{id}");
    let second = create(&app, &admin).await;
    assert!(second.ends_with("-0002"));

    let a = app
        .get(&format!("/api/v1/advisories/{id}"), Some(&admin))
        .await
        .json();
    assert_eq!(a["id"], id.as_str());
    assert_eq!(a["state"], "draft");
    assert_eq!(a["embargo"], Value::Null);
    assert_eq!(a["summary"], "Container escape through crafted symlinks");
    assert_eq!(a["affected"][0]["ranges"][0]["events"][1]["fixed"], "1.4.2");
    assert_eq!(a["severity"][0]["type"], "CVSS_V3");
    assert_eq!(a["severity"][0]["score"], V31);
    assert_eq!(a["severity"][0]["base_score"], 9.8);
    assert_eq!(a["severity"][0]["rating"], "CRITICAL");
    assert_eq!(a["severity"][1]["base_score"], 9.3);
    assert_eq!(a["severity"][1]["rating"], "CRITICAL");
    assert_eq!(a["database_specific"]["cwe_ids"][0], "CWE-59");
    assert_eq!(a["credits"][0]["github"], "rita-r");
}

#[tokio::test]
async fn bad_advisories_get_an_error_per_field() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let mut body = advisory_body();
    body["summary"] = json!("");
    body["severity"] =
        json!([{ "type": "CVSS_V3", "score": "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }]);
    body["aliases"] = json!(["CVE-12"]);
    let resp = app.post("/api/v1/advisories", Some(&admin), body).await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = resp.json()["errors"].clone();
    assert!(errors["summary"].is_string());
    assert!(
        errors["severity[0].score"].as_str().unwrap().contains("AV"),
        "{errors}"
    );
    assert!(errors["aliases[0]"].is_string());
    let shape = app
        .post(
            "/api/v1/advisories",
            Some(&admin),
            json!({ "summary": "s", "affected": "nope" }),
        )
        .await;
    assert_eq!(shape.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("advisories").await, 0);
}

#[tokio::test]
async fn only_admins_manage_advisories() {
    let app = TestApp::new().await;
    let (_, member) = app.account("m@example.net", Role::Member).await;
    assert_eq!(
        app.post("/api/v1/advisories", None, advisory_body())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post("/api/v1/advisories", Some(&member), advisory_body())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    assert_eq!(
        app.get(&format!("/api/v1/advisories/{id}"), Some(&member))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn every_edit_is_kept_with_who_when_and_why() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let path = format!("/api/v1/advisories/{id}");
    let resp = app
        .api(Method::PATCH, &path, Some(&admin), Some(json!({ "summary": "Better title", "aliases": ["CVE-2026-54321"], "reason": "CVE assigned" })))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.json()["changed"], json!(["summary", "aliases"]));
    let bad = app
        .api(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({ "state": "published" })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let history = app
        .get(&format!("{path}/history"), Some(&admin))
        .await
        .json();
    let revs = history["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[1]["reason"], "CVE assigned");
    assert_eq!(revs[1]["changed"], json!(["summary", "aliases"]));
    assert!(
        revs[1]["actor"]
            .as_str()
            .unwrap()
            .starts_with("account:acc_")
    );
    assert_eq!(
        app.get(&path, Some(&admin)).await.json()["summary"],
        "Better title"
    );
}

#[tokio::test]
async fn an_advisory_from_a_report_credits_the_reporter_only_with_consent() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let consenting = app
        .post("/api/v1/reports", None, json!({ "title": "t", "description": "d", "reporter_name": "Ann", "github": "ann-h", "credit_consent": true }))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shy = app
        .post("/api/v1/reports", None, json!({ "title": "t", "description": "d", "reporter_name": "Bob", "credit_consent": false }))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut body = advisory_body();
    body["credits"] = json!([]);
    for (report, expected) in [
        (
            consenting,
            json!([{ "name": "Ann", "type": "FINDER", "github": "ann-h" }]),
        ),
        (shy, json!([])),
    ] {
        body["report_id"] = json!(report);
        let id = app
            .post("/api/v1/advisories", Some(&admin), body.clone())
            .await
            .json()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let a = app
            .get(&format!("/api/v1/advisories/{id}"), Some(&admin))
            .await
            .json();
        assert_eq!(a["credits"], expected);
        assert_eq!(a["report_id"], report.as_str());
    }
}

#[tokio::test]
async fn the_embargo_is_kept_in_utc_and_in_its_agreed_zone() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let path = format!("/api/v1/advisories/{id}/embargo");
    let until = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(72))
        .unwrap();
    let local = until.to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    let resp = app
        .post(&path, Some(&admin), json!({ "until": local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(), "time_zone": "Europe/Berlin", "reason": "agreed with distros" }))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let a = app
        .get(&format!("/api/v1/advisories/{id}"), Some(&admin))
        .await
        .json();
    assert_eq!(a["state"], "embargoed");
    assert_eq!(
        a["embargo"]["until"],
        until.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    assert_eq!(a["embargo"]["time_zone"], "Europe/Berlin");
    assert!(
        a["embargo"]["in_time_zone"]
            .as_str()
            .unwrap()
            .contains("CET")
            || a["embargo"]["in_time_zone"]
                .as_str()
                .unwrap()
                .contains("CEST")
    );

    // Moving it keeps both settings with who and why.
    let moved = app.post(&path, Some(&admin), json!({ "until": in_hours(96), "time_zone": "UTC", "reason": "a distro needs a day more" })).await;
    assert_eq!(moved.status, StatusCode::OK);
    let history = app
        .get(&format!("/api/v1/advisories/{id}/history"), Some(&admin))
        .await
        .json();
    let changes = history["embargo"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1]["reason"], "a distro needs a day more");
    assert_eq!(changes[0]["time_zone"], "Europe/Berlin");

    for (body, field) in [
        (
            json!({ "until": in_hours(24), "time_zone": "Mars/Base", "reason": "r" }),
            "time_zone",
        ),
        (
            json!({ "until": "soon", "time_zone": "UTC", "reason": "r" }),
            "until",
        ),
        (
            json!({ "until": in_hours(24), "time_zone": "UTC" }),
            "reason",
        ),
    ] {
        let resp = app.post(&path, Some(&admin), body).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            resp.json()["errors"][field].is_string(),
            "{field}: {}",
            resp.text()
        );
    }
}

#[tokio::test]
async fn the_policy_refuses_long_embargoes_unless_overridden_and_warns_about_fridays() {
    let app = TestApp::with_config(|c| c.advisories.min_notice_hours = 2).await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let path = format!("/api/v1/advisories/{id}/embargo");
    let too_long = app
        .post(
            &path,
            Some(&admin),
            json!({ "until": in_hours(15 * 24), "time_zone": "UTC", "reason": "r" }),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::CONFLICT);
    let msg = too_long.json()["errors"]["until"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        msg.contains("at most 14 days") && msg.contains("override_reason"),
        "{msg}"
    );
    let too_soon = app
        .post(
            &path,
            Some(&admin),
            json!({ "until": in_hours(1), "time_zone": "UTC", "reason": "r" }),
        )
        .await;
    assert!(
        too_soon.json()["errors"]["until"]
            .as_str()
            .unwrap()
            .contains("2 hours")
    );
    let past = app
        .post(&path, Some(&admin), json!({ "until": in_hours(-1), "time_zone": "UTC", "reason": "r", "override_reason": "x" }))
        .await;
    assert_eq!(
        past.status,
        StatusCode::CONFLICT,
        "the past cannot be overridden"
    );
    assert_eq!(
        app.get(&format!("/api/v1/advisories/{id}"), Some(&admin))
            .await
            .json()["state"],
        "draft"
    );

    let overridden = app
        .post(&path, Some(&admin), json!({ "until": in_hours(15 * 24), "time_zone": "UTC", "reason": "r", "override_reason": "hardware vendor needs time" }))
        .await;
    assert_eq!(overridden.status, StatusCode::OK, "{}", overridden.text());
    let history = app
        .get(&format!("/api/v1/advisories/{id}/history"), Some(&admin))
        .await
        .json();
    assert_eq!(
        history["embargo"][0]["override_reason"],
        "hardware vendor needs time"
    );

    // The next Friday, noon UTC, at least a day away: a warning, not a refusal.
    let mut day = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .tomorrow()
        .unwrap();
    while day.weekday() != jiff::civil::Weekday::Friday {
        day = day.tomorrow().unwrap();
    }
    let friday = format!("{day}T12:00:00Z");
    let resp = app
        .post(
            &path,
            Some(&admin),
            json!({ "until": friday, "time_zone": "UTC", "reason": "r" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert!(
        resp.json()["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Friday")
    );
}
