//! What the OpenAPI document promises about refusals: a request the
//! document allows is refused only for what is stored (409, naming the
//! field), never 422; the document states the rules the server applies.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;

fn field_error(resp: &crate::common::Response, field: &str) -> String {
    resp.json()["errors"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no error for {field}: {}", resp.text()))
        .to_owned()
}

#[tokio::test]
async fn what_the_stored_records_do_not_allow_is_409_naming_the_field() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (report, _) = app.report("Overflow", None).await;

    let same = app
        .post(
            &format!("/api/v1/reports/{report}/status"),
            Some(&admin),
            json!({ "status": "new", "reason": "again" }),
        )
        .await;
    assert_eq!(same.status, StatusCode::CONFLICT, "{}", same.text());
    assert!(field_error(&same, "status").contains("from new to new"));

    let unknown = app
        .post(
            "/api/v1/advisories",
            Some(&admin),
            json!({ "summary": "S", "report_id": "rpt_2222222222222222" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::CONFLICT, "{}", unknown.text());
    assert_eq!(field_error(&unknown, "report_id"), "no such report");

    let created = app
        .post(
            "/api/v1/advisories",
            Some(&admin),
            json!({ "summary": "S" }),
        )
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let withdrawn = app
        .post(
            &format!("/api/v1/advisories/{id}/withdraw"),
            Some(&admin),
            json!({ "reason": "not a bug" }),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text());
    let edit = app
        .api(
            Method::PATCH,
            &format!("/api/v1/advisories/{id}"),
            Some(&admin),
            Some(json!({ "summary": "T" })),
        )
        .await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "{}", edit.text());
    assert!(field_error(&edit, "state").contains("withdrawn"));
    // Nothing changed.
    let read = app
        .get(&format!("/api/v1/advisories/{id}"), Some(&admin))
        .await;
    assert_eq!(read.json()["summary"], "S");

    let leak = app
        .post(
            "/api/v1/leaks",
            Some(&admin),
            json!({ "advisory_id": id, "member_id": "", "what": "w", "to_whom": "t" }),
        )
        .await;
    assert_eq!(leak.status, StatusCode::CONFLICT, "{}", leak.text());
    assert_eq!(field_error(&leak, "member_id"), "no such member");
}

#[tokio::test]
async fn integers_may_be_written_with_a_zero_fraction() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let revert = |version: Value| {
        let (app, admin) = (&app, &admin);
        async move {
            app.post(
                "/api/v1/templates/report_received/revert",
                Some(admin),
                json!({ "version": version }),
            )
            .await
        }
    };
    // 7.0 is read as 7: no such version, not a malformed body.
    assert_eq!(revert(json!(7.0)).await.status, StatusCode::NOT_FOUND);
    let fraction = revert(json!(7.5)).await;
    assert_eq!(fraction.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&fraction, "body").contains("integer"));
}

#[tokio::test]
async fn a_preview_takes_the_saved_part_it_is_not_given() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let saved = app
        .post(
            "/api/v1/templates/report_received/preview",
            Some(&admin),
            json!({}),
        )
        .await
        .json();
    let resp = app
        .post(
            "/api/v1/templates/report_received/preview",
            Some(&admin),
            json!({ "subject": "Thanks from {{ org }}" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let preview = resp.json();
    assert!(
        preview["subject"]
            .as_str()
            .unwrap()
            .starts_with("Thanks from ")
    );
    assert_ne!(preview["subject"], saved["subject"]);
    assert_eq!(preview["text"], saved["text"]);
}

#[tokio::test]
async fn cursor_wins_over_before_and_both_are_checked() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    for n in 0..3 {
        app.report(&format!("Report {n}"), None).await;
    }
    let first = app
        .get("/api/v1/reports?limit=1", Some(&admin))
        .await
        .json();
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(
            &format!("/api/v1/reports?limit=1&cursor={cursor}"),
            Some(&admin),
        )
        .await
        .json();
    let other = second["next_cursor"].as_str().unwrap();
    let both = app
        .get(
            &format!("/api/v1/reports?limit=1&cursor={cursor}&before={other}"),
            Some(&admin),
        )
        .await;
    assert_eq!(both.status, StatusCode::OK, "{}", both.text());
    assert_eq!(both.json()["items"], second["items"]);
    let malformed = app
        .get(
            &format!("/api/v1/reports?limit=1&cursor={cursor}&before=x"),
            Some(&admin),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn time_zones_are_taken_as_the_database_spells_them() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let set = |zone: Value| {
        let (app, admin) = (&app, &admin);
        async move {
            app.api(
                Method::PUT,
                "/api/v1/me/time-zone",
                Some(admin),
                Some(json!({ "time_zone": zone })),
            )
            .await
        }
    };
    assert_eq!(
        set(json!("Europe/Berlin")).await.json()["time_zone"],
        "Europe/Berlin"
    );
    assert_eq!(set(json!("")).await.json()["time_zone"], Value::Null);
    for other in ["europe/berlin", " Europe/Berlin", "Mars/Olympus"] {
        let resp = set(json!(other)).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{other}");
    }
}

#[tokio::test]
async fn the_document_states_the_rules_the_server_applies() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let schemas = &doc["components"]["schemas"];
    let zone = &schemas["EmbargoBody"]["properties"]["time_zone"];
    assert_eq!(zone["format"], "iana-time-zone");
    assert!(
        zone.get("enum").is_none(),
        "600 names break client generators"
    );
    let email = &schemas["ReportRequest"]["properties"]["reporter_email"];
    assert_eq!(email["format"], "mailbox-or-empty");
    assert!(email["pattern"].as_str().unwrap().contains('@'));
    let pattern = |schema: &str, field: &str| {
        schemas[schema]["properties"][field]["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{schema}.{field} has no pattern"))
            .to_owned()
    };
    assert!(pattern("PatchBody", "content_base64").contains("[AQgw]=="));
    assert!(pattern("AttachmentUpload", "content_base64").ends_with(")?[ \\t\\n\\r]*$"));
    assert!(pattern("OrganizationBody", "website").contains("https?://"));
    // A set-up without a password is refused, so the document requires one.
    let setup = &schemas["SetupRequest"];
    assert!(
        setup["required"]
            .as_array()
            .unwrap()
            .contains(&json!("password"))
    );
    assert_eq!(setup["properties"]["password"]["minLength"], 12);
    // OSV content: aliases and CWE ids as the server checks them.
    let advisory = &schemas["AdvisoryBody"]["properties"];
    assert_eq!(advisory["aliases"]["items"]["format"], "osv-alias");
    assert!(
        advisory["aliases"]["items"]["pattern"]
            .as_str()
            .unwrap()
            .contains("(?!CVE)")
    );
    // A map's keys are text: no NUL in them either.
    assert_eq!(
        schemas["ApplicationBody"]["properties"]["criteria"]["propertyNames"]["pattern"],
        "^[^\\u0000]*$"
    );
    let specific = &schemas["DatabaseSpecificBody"]["properties"];
    assert_eq!(specific["cwe_ids"]["items"]["pattern"], "^CWE-[0-9]{1,6}$");
    // Every operation with a body documents 409 with both error shapes.
    let post = &doc["paths"]["/api/v1/reports/{id}/status"]["post"];
    assert_eq!(
        post["responses"]["409"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ConflictBody"
    );
    assert_eq!(
        schemas["ConflictBody"]["oneOf"].as_array().map(Vec::len),
        Some(2)
    );
    // Two bodies with one name would leave one operation documented with
    // the other's rules.
    let body_of = |path: &str| {
        doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .clone()
    };
    assert_eq!(
        body_of("/api/v1/members/{id}/removal"),
        "#/components/schemas/RemovalBody"
    );
    assert_eq!(
        schemas["RemovalBody"]["required"],
        json!(["reason"]),
        "a removal says why"
    );
    assert_eq!(
        body_of("/api/v1/advisories/{id}/withdraw"),
        "#/components/schemas/ReasonBody"
    );
}

#[tokio::test]
async fn a_nul_in_a_member_the_api_does_not_read_is_ignored_in_an_application() {
    let app = TestApp::new().await;
    let resp = app
        .post(
            "/api/v1/applications",
            None,
            json!({
                "organization": "Distro", "website": "https://distro.example",
                "security_alias": "security@distro.example",
                "contacts": [{ "name": "Bo", "email": "bo@distro.example", "unread": "a\u{0}b" }],
                "criteria": {}, "voucher": "mem_aaaaaaaaaaaaaaaa",
            }),
        )
        .await;
    // Refused for what is stored (no such voucher, criteria unanswered),
    // not for the NUL in a member nobody reads.
    assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.text());
    assert!(resp.json()["errors"]["voucher"].is_string());
    assert!(resp.json()["errors"].get("contacts").is_none());
}

#[tokio::test]
async fn a_nul_in_a_member_an_advisory_does_not_read_is_ignored_and_one_it_reads_is_not() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let affected = |unread: &str, name: &str| {
        json!([{
            "package": { "ecosystem": "npm", "name": name, "unread": unread },
            "versions": ["1.0.0"],
        }])
    };
    let created = app
        .post(
            "/api/v1/advisories",
            Some(&admin),
            json!({ "summary": "Overflow", "affected": affected("a\u{0}b", "left-pad") }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let edited = app
        .api(
            Method::PATCH,
            &format!("/api/v1/advisories/{id}"),
            Some(&admin),
            Some(json!({ "affected": affected("c\u{0}d", "right-pad"), "reason": "renamed" })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    assert_eq!(edited.json()["affected"][0]["package"]["name"], "right-pad");

    let read = app
        .api(
            Method::PATCH,
            &format!("/api/v1/advisories/{id}"),
            Some(&admin),
            Some(json!({ "affected": affected("", "up\u{0}pad"), "reason": "renamed" })),
        )
        .await;
    assert_eq!(
        read.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        read.text()
    );
    assert_eq!(
        field_error(&read, "affected"),
        "must not contain NUL characters"
    );
    let stored = app
        .get(&format!("/api/v1/advisories/{id}"), Some(&admin))
        .await;
    assert_eq!(stored.json()["affected"][0]["package"]["name"], "right-pad");
}

#[tokio::test]
async fn a_task_due_in_the_past_or_for_members_not_on_the_list_is_409() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let advisory = crate::announcements::embargoed(&app, &admin).await;
    let resp = app
        .post(
            &format!("/api/v1/advisories/{advisory}/tasks"),
            Some(&admin),
            json!({
                "kind": "review_patch", "title": "Review",
                "primary": "mem_aaaaaaaaaaaaaaaa", "backup": "mem_bbbbbbbbbbbbbbbb",
                "due": "2001-01-01T00:00:00Z",
            }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.text());
    assert_eq!(field_error(&resp, "due"), "must lie in the future");
    assert_eq!(field_error(&resp, "primary"), "no such member");
    let same = app
        .post(
            &format!("/api/v1/advisories/{advisory}/tasks"),
            Some(&admin),
            json!({
                "kind": "review_patch", "title": "Review",
                "primary": "mem_aaaaaaaaaaaaaaaa", "backup": "mem_aaaaaaaaaaaaaaaa",
                "due": "2099-01-01T00:00:00Z",
            }),
        )
        .await;
    assert_eq!(
        same.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        same.text()
    );
}
