//! CVE records over HTTP and in `embargo export`: for admins before the
//! lift, for everyone after it, and only for a configured CNA and an
//! advisory with a CVE id. Every record is checked against the official
//! CVE Record Format 5.1 schema.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::advisories::{advisory_body, create};
use crate::common::TestApp;
use crate::common::process::{Env, http, last_line, serve_with};
use crate::publish_formats::cve_records::cve_schema;
use crate::serve_clock::admin_token;

const ORG: &str = "b3476cb9-2e3d-41a6-98d0-0f47421a65b6";

fn assert_valid(record: &Value) {
    let errors: Vec<String> = cve_schema()
        .iter_errors(record)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{record:#}");
}

async fn cna_app() -> TestApp {
    TestApp::with_config(|c| {
        c.publication.cve_org_id = ORG.into();
        c.publication.cve_short_name = "example".into();
    })
    .await
}

#[tokio::test]
async fn admins_get_the_record_before_the_lift_and_everyone_after_it() {
    let app = cna_app().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let api = format!("/api/v1/advisories/{id}/cve");
    let public = format!("/advisories/{id}.cve.json");

    let draft = app.get(&api, Some(&admin)).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text());
    let draft = draft.json();
    assert_valid(&draft);
    assert_eq!(draft["cveMetadata"]["cveId"], "CVE-2026-12345");
    assert!(draft["cveMetadata"].get("datePublished").is_none());
    let hidden = app.get(&public, None).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let unknown = app.get("/advisories/SA-1999-9999.cve.json", None).await;
    assert_eq!(hidden.body, unknown.body, "answers as an unknown id");

    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/publish"),
            Some(&admin),
            json!({"reason": "fix released"}),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let published = app.get(&public, None).await;
    assert_eq!(published.status, StatusCode::OK);
    let record = published.json();
    assert_valid(&record);
    assert_eq!(record["cveMetadata"]["state"], "PUBLISHED");
    assert!(record["cveMetadata"]["datePublished"].is_string());
    let cna = &record["containers"]["cna"];
    assert_eq!(cna["credits"][0]["value"], "Rita Reporter");
    assert_eq!(cna["problemTypes"][0]["descriptions"][0]["cweId"], "CWE-59");
    assert_eq!(
        app.get(&api, Some(&admin)).await.json(),
        record,
        "admins see what the public sees"
    );

    let resp = app
        .post(
            &format!("/api/v1/advisories/{id}/withdraw"),
            Some(&admin),
            json!({"reason": "not a vulnerability"}),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let rejected = app.get(&public, None).await.json();
    assert_valid(&rejected);
    assert_eq!(rejected["cveMetadata"]["state"], "REJECTED");
}

#[tokio::test]
async fn no_record_without_a_cna_or_without_a_cve_id() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin).await;
    let resp = app
        .get(&format!("/api/v1/advisories/{id}/cve"), Some(&admin))
        .await;
    assert_eq!(resp.status, StatusCode::CONFLICT);
    assert!(
        resp.text().contains("publication.cve_org_id"),
        "{}",
        resp.text()
    );

    let app = cna_app().await;
    let admin = app.admin_token().await;
    let mut body = advisory_body();
    body["aliases"] = json!(["GHSA-abcd-efgh-ijkl"]);
    let resp = app.post("/api/v1/advisories", Some(&admin), body).await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let id = resp.json()["id"].as_str().unwrap().to_owned();
    let resp = app
        .get(&format!("/api/v1/advisories/{id}/cve"), Some(&admin))
        .await;
    assert_eq!(resp.status, StatusCode::CONFLICT);
    assert!(resp.text().contains("no CVE id"), "{}", resp.text());
    app.post(
        &format!("/api/v1/advisories/{id}/publish"),
        Some(&admin),
        json!({"reason": "fix released"}),
    )
    .await;
    let public = app.get(&format!("/advisories/{id}.cve.json"), None).await;
    assert_eq!(public.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_cna_org_id_that_is_not_a_uuid_stops_start_up() {
    let env = Env::new().await;
    let out = env
        .command(&["admin", "add", "lead@project.test"])
        .env("EMBARGO_PUBLICATION__CVE_ORG_ID", "example-cna")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("publication.cve_org_id"), "{err}");
}

#[tokio::test]
async fn export_writes_one_record_per_published_advisory_with_a_cve_id() {
    let env = Env::new().await;
    let token = admin_token(&env);
    let server = serve_with(&env, &[("EMBARGO_PUBLICATION__CVE_ORG_ID", ORG)]);
    let create = |body: Value| {
        let (status, created) = http(
            server.port,
            "POST",
            "/api/v1/advisories",
            Some(&token),
            &body.to_string(),
        )
        .unwrap();
        assert_eq!(status, 201, "{created}");
        let id = serde_json::from_str::<Value>(&created).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, body) = http(
            server.port,
            "POST",
            &format!("/api/v1/advisories/{id}/publish"),
            Some(&token),
            r#"{"reason": "fix released"}"#,
        )
        .unwrap();
        assert_eq!(status, 200, "{body}");
    };
    create(advisory_body());
    let mut without = advisory_body();
    without["aliases"] = json!([]);
    create(without);
    drop(server);

    let out = tempfile::tempdir().unwrap();
    let run = env
        .command(&["export", "--format", "cve", out.path().to_str().unwrap()])
        .env("EMBARGO_PUBLICATION__CVE_ORG_ID", ORG)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        last_line(&run).contains("1 advisories without a CVE id"),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let files: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert_eq!(files.len(), 1);
    let record: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("CVE-2026-12345.json")).unwrap(),
    )
    .unwrap();
    assert_valid(&record);

    // Without a CNA configured, the format is refused with the reason.
    let run = env.run(
        &["export", "--format", "cve", out.path().to_str().unwrap()],
        b"",
    );
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("publication.cve_org_id"));
}
