//! The JSON API for reports: intake, listing, triage, the reporter's side.

use axum::http::StatusCode;
use embargo::domain::account::Role;
use serde_json::json;

use crate::common::{TestApp, path_of};

#[tokio::test]
async fn report_by_api_is_acknowledged_and_appears_in_the_admin_list() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let resp = app
        .post(
            "/api/v1/reports",
            None,
            json!({
                "title": "Container escape via symlink", "description": "Steps to reproduce...",
                "affected_versions": "1.0 - 1.4", "unaffected_versions": "0.9", "reporter_name": "Rita",
                "reporter_email": "rita@example.net", "github": "rita-h", "credit_consent": true
            }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let created = resp.json();
    let id = created["id"].as_str().unwrap();
    let tracking = created["tracking_url"].as_str().unwrap();
    assert!(tracking.starts_with("http://embargo.test/track/"));
    assert!(
        tracking.len() > "http://embargo.test/track/".len() + 40,
        "at least 128 bits"
    );

    let list = app.get("/api/v1/reports", Some(&admin)).await;
    assert_eq!(list.status, StatusCode::OK);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id);
    assert_eq!(items[0]["title"], "Container escape via symlink");
    assert_eq!(items[0]["status"], "new");

    assert_eq!(app.run_jobs().await, 2, "acknowledgement and admin notice");
    let ack = app.mails_to("rita@example.net");
    assert_eq!(ack.len(), 1);
    assert!(
        ack[0].text.contains(tracking),
        "the acknowledgement carries the tracking link"
    );
    assert!(ack[0].reply_to.as_deref().unwrap().starts_with("security+"));

    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    let r = &detail["report"];
    assert_eq!(r["github"], "rita-h");
    assert_eq!(r["credit_consent"], true);
    assert_eq!(r["unaffected_versions"], "0.9");
}

#[tokio::test]
async fn admin_notice_holds_only_the_link_never_the_report() {
    let app = TestApp::new().await;
    app.admin_token().await;
    let (id, _) = app.report("Secret title XYZZY", None).await;
    app.run_jobs().await;
    let notices = app.mails_to("admin@project.test");
    assert_eq!(notices.len(), 1);
    let n = &notices[0];
    assert!(
        n.text
            .contains(&format!("http://embargo.test/admin/reports/{id}"))
    );
    for leaked in ["XYZZY", "details of the bug"] {
        assert!(
            !n.text.contains(leaked) && !n.subject.contains(leaked),
            "notice leaks {leaked}"
        );
    }
}

#[tokio::test]
async fn invalid_report_gets_an_error_per_field_and_stores_nothing() {
    let app = TestApp::new().await;
    let resp = app
        .post(
            "/api/v1/reports",
            None,
            json!({ "title": " ", "reporter_email": "not-mail", "github": "-bad-" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = resp.json()["errors"].clone();
    for field in ["title", "description", "reporter_email", "github"] {
        assert!(errors[field].is_string(), "no error for {field}: {errors}");
    }
    assert_eq!(app.count("reports").await, 0);
    assert_eq!(app.count("jobs").await, 0);
    assert_eq!(app.count("audit_events").await, 0);
}

#[tokio::test]
async fn malformed_json_and_wrong_types_are_refused_cleanly() {
    let app = TestApp::new().await;
    let resp = app
        .request(
            axum::http::Request::post("/api/v1/reports")
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.json()["error"].is_string());
    let resp = app
        .post(
            "/api/v1/reports",
            None,
            json!({ "title": "t", "description": "d", "credit_consent": "yes" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("reports").await, 0);
}

#[tokio::test]
async fn anonymous_report_sends_no_acknowledgement_but_the_link_works() {
    let app = TestApp::new().await;
    let (id, tracking) = app.report("Anonymous finding", None).await;
    app.run_jobs().await;
    assert!(app.mails().iter().all(|m| !m.text.contains(&tracking)));
    let view = app
        .get(&format!("/api/v1{}", path_of(&tracking)), None)
        .await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.json()["report"]["id"], id);
    assert_eq!(view.json()["report"]["title"], "Anonymous finding");
}

#[tokio::test]
async fn listing_needs_an_admin_token() {
    let app = TestApp::new().await;
    let (_, member) = app.account("member@example.net", Role::Member).await;
    assert_eq!(
        app.get("/api/v1/reports", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/reports", Some("nonsense")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/reports", Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
    let admin = app.admin_token().await;
    assert_eq!(
        app.get("/api/v1/reports", Some(&admin)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn status_changes_follow_the_triage_rules_and_tell_the_reporter() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, _) = app.report("Bug", Some("r@example.net")).await;
    let path = format!("/api/v1/reports/{id}/status");

    let no_reason = app
        .post(&path, Some(&admin), json!({ "status": "accepted" }))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.json()["errors"]["reason"].is_string());

    let ok = app
        .post(
            &path,
            Some(&admin),
            json!({ "status": "accepted", "reason": "Confirmed on 1.4" }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let illegal = app
        .post(
            &path,
            Some(&admin),
            json!({ "status": "invalid", "reason": "x" }),
        )
        .await;
    assert_eq!(illegal.status, StatusCode::CONFLICT);
    assert!(
        illegal.json()["errors"]["status"]
            .as_str()
            .unwrap()
            .contains("accepted")
    );
    let unknown = app
        .post(
            &path,
            Some(&admin),
            json!({ "status": "closed", "reason": "x" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    app.run_jobs().await;
    let told = app.mails_to("r@example.net");
    assert!(
        told.iter()
            .any(|m| m.text.contains("Confirmed on 1.4") && m.subject.contains("accepted"))
    );
    let list = app
        .get("/api/v1/reports?status=accepted", Some(&admin))
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let list = app
        .get("/api/v1/reports?status=new", Some(&admin))
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn reports_are_assigned_only_to_admins() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (admin_id, _) = app.account("second@project.test", Role::Admin).await;
    let (member_id, _) = app.account("m@example.net", Role::Member).await;
    let (id, _) = app.report("Bug", None).await;
    let path = format!("/api/v1/reports/{id}/assignee");
    assert_eq!(
        app.post(&path, Some(&admin), json!({ "assignee": member_id }))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post(&path, Some(&admin), json!({ "assignee": admin_id }))
            .await
            .status,
        StatusCode::OK
    );
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    assert_eq!(detail["report"]["assignee_id"], admin_id);
    let list = app.get("/api/v1/reports", Some(&admin)).await.json();
    assert_eq!(list["items"][0]["assignee"], "second@project.test");
}

#[tokio::test]
async fn admin_reply_is_mailed_threaded_and_kept_in_the_thread() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, tracking) = app.report("Bug", Some("r@example.net")).await;
    let resp = app
        .post(
            &format!("/api/v1/reports/{id}/messages"),
            Some(&admin),
            json!({ "body": "Can you share a PoC?" }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED);
    let empty = app
        .post(
            &format!("/api/v1/reports/{id}/messages"),
            Some(&admin),
            json!({ "body": "  " }),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.run_jobs().await;
    let mails = app.mails_to("r@example.net");
    let reply = mails
        .iter()
        .find(|m| m.text.contains("Can you share a PoC?"))
        .expect("reply mailed");
    let ack = mails
        .iter()
        .find(|m| m.text.contains(&tracking))
        .expect("ack");
    assert_eq!(
        reply.reply_to, ack.reply_to,
        "replies thread by the same plus address"
    );
    let thread = app
        .get(&format!("/api/v1{}", path_of(&tracking)), None)
        .await
        .json();
    assert_eq!(thread["messages"][0]["body"], "Can you share a PoC?");
    assert_eq!(thread["messages"][0]["direction"], "out");
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    assert!(
        detail["report"]["first_response_at"].is_number(),
        "first response recorded"
    );
}

#[tokio::test]
async fn reporter_adds_messages_and_files_through_the_tracking_api() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let (id, tracking) = app.report("Bug", None).await;
    let track = format!("/api/v1{}", path_of(&tracking));
    let resp = app
        .post(
            &format!("{track}/messages"),
            None,
            json!({ "body": "PoC attached", "attachments": [{ "filename": "poc.py", "content_base64": "cHJpbnQoMSkK" }] }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let bad = app
        .post(
            &format!("{track}/messages"),
            None,
            json!({ "attachments": [{ "filename": "x", "content_base64": "%%%" }] }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let view = app.get(&track, None).await.json();
    let att = view["attachments"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(view["attachments"][0]["filename"], "poc.py");
    let file = app.get(&format!("{track}/attachments/{att}"), None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, b"print(1)\n");
    assert_eq!(
        file.header("content-type"),
        Some("application/octet-stream")
    );
    let as_admin = app
        .get(
            &format!("/api/v1/reports/{id}/attachments/{att}"),
            Some(&admin),
        )
        .await;
    assert_eq!(as_admin.body, b"print(1)\n");
    assert_eq!(
        app.get("/api/v1/track/not-a-real-token", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn oversize_attachment_is_refused_and_changes_nothing() {
    let app = TestApp::with_config(|c| c.limits.max_attachment_bytes = 4).await;
    let (_, tracking) = app.report("Bug", None).await;
    let track = format!("/api/v1{}", path_of(&tracking));
    let before = app.count("messages").await;
    let resp = app
        .post(&format!("{track}/messages"), None, json!({ "body": "b", "attachments": [{ "filename": "x", "content_base64": "aGVsbG8gd29ybGQ=" }] }))
        .await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("messages").await, before);
    assert_eq!(app.count("attachments").await, 0);
}

#[tokio::test]
async fn oversize_request_body_is_413() {
    let app = TestApp::with_config(|c| c.limits.max_body_bytes = 1024).await;
    let resp = app
        .post(
            "/api/v1/reports",
            None,
            json!({ "title": "t", "description": "x".repeat(4096) }),
        )
        .await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("reports").await, 0);
}

#[tokio::test]
async fn report_intake_is_rate_limited_per_address() {
    let app = TestApp::with_config(|c| c.limits.reports_per_hour = 2).await;
    app.report("one", None).await;
    app.report("two", None).await;
    let third = app
        .post(
            "/api/v1/reports",
            None,
            json!({ "title": "t", "description": "d" }),
        )
        .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(third.json()["error"].as_str().unwrap().contains("too many"));
    assert_eq!(app.count("reports").await, 2);
}

#[tokio::test]
async fn openapi_document_describes_every_api_route() {
    let app = TestApp::new().await;
    let doc = app.get("/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    for (method, path) in embargo::http::route_table() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let m = method.as_str().to_lowercase();
        assert!(
            doc["paths"][path][&m].is_object(),
            "{method} {path} is not in the OpenAPI document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Every error an operation can answer is documented with the error schema.
    let error = "#/components/schemas/ErrorBody";
    let fields = "#/components/schemas/FieldErrorsBody";
    let schema_of = |r: &serde_json::Value| {
        r["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            assert_eq!(schema_of(&responses["401"]), error, "{method} {path}: 401");
            if op["requestBody"].is_object() {
                for status in ["400", "413", "415"] {
                    assert_eq!(
                        schema_of(&responses[status]),
                        error,
                        "{method} {path}: {status}"
                    );
                }
                assert_eq!(schema_of(&responses["422"]), fields, "{method} {path}: 422");
            }
            for (status, r) in responses.as_object().unwrap() {
                if status.starts_with('4') {
                    assert!(
                        !schema_of(r).is_empty(),
                        "{method} {path}: {status} has no schema"
                    );
                }
            }
        }
    }
}
