//! Encryption at rest: what a report says, its files and an advisory's
//! patches are sealed with the data key, so the database file holds none
//! of it, while everyone entitled reads it as it was written.

use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::json;

use embargo::app::ingest::{Outcome, ingest};

use crate::common::TestApp;
use crate::common::process::Env;

/// Strings written into every sealed field; none may appear in the file.
const CANARIES: [&str; 10] = [
    "canary-title-5c1e",
    "canary-description-5c1e",
    "canary-affected-5c1e",
    "canary-attachment-name-5c1e",
    "canary-attachment-bytes-5c1e",
    "canary-reporter-reply-5c1e",
    "canary-admin-reply-5c1e",
    "canary-patch-bytes-5c1e",
    "canary-embargoed-summary-5c1e",
    "canary-embargoed-edit-5c1e",
];

fn mail() -> String {
    format!(
        "From: Rita <rita@example.net>\r\nTo: security@project.test\r\nSubject: {}\r\n\
         Message-ID: <canary@example.net>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n--xx\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n--xx\r\n\
         Content-Type: text/plain; name={n}\r\nContent-Disposition: attachment; filename={n}\r\n\r\n{}\r\n--xx--\r\n",
        CANARIES[0],
        CANARIES[1],
        CANARIES[4],
        n = CANARIES[3],
    )
}

/// Every byte SQLite keeps of the database: the file and its log.
fn database_bytes(app: &TestApp) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["embargo.db", "embargo.db-wal"] {
        if let Ok(b) = std::fs::read(app.dir.path().join(name)) {
            bytes.extend(b);
        }
    }
    assert!(bytes.len() > 4096, "the database file was not found");
    bytes
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn a_database_file_after_a_journey_holds_no_canary_and_the_api_reads_it_all_back() {
    let app = TestApp::on_sqlite().await;
    let admin = app.admin_token().await;

    let Outcome::NewReport(id) = ingest(&app.state, mail().as_bytes()).await.unwrap() else {
        panic!("not a new report")
    };
    let by_api = app
        .post(
            "/api/v1/reports",
            None,
            json!({ "title": "second", "description": "d", "affected_versions": CANARIES[2] }),
        )
        .await;
    assert_eq!(by_api.status, StatusCode::CREATED, "{}", by_api.text());
    let tracking = by_api.json()["tracking_url"].as_str().unwrap().to_owned();
    let token = tracking.rsplit('/').next().unwrap();
    let reply = app
        .post(
            &format!("/api/v1/track/{token}/messages"),
            None,
            json!({ "body": CANARIES[5] }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let answer = app
        .post(
            &format!("/api/v1/reports/{id}/messages"),
            Some(&admin),
            json!({ "body": CANARIES[6] }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());

    let mut body = crate::advisories::advisory_body();
    body["summary"] = CANARIES[8].into();
    let advisory = app.post("/api/v1/advisories", Some(&admin), body).await;
    assert_eq!(advisory.status, StatusCode::CREATED, "{}", advisory.text());
    let advisory = advisory.json()["id"].as_str().unwrap().to_owned();
    crate::announcements::embargo_in(&app, &admin, &advisory, 72, "Europe/Berlin", "agreed").await;
    let edit = app
        .api(
            axum::http::Method::PATCH,
            &format!("/api/v1/advisories/{advisory}"),
            Some(&admin),
            Some(json!({ "details": CANARIES[9], "reason": "more detail" })),
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.text());
    let patch = app
        .post(
            &format!("/api/v1/advisories/{advisory}/patches"),
            Some(&admin),
            json!({
                "filename": "fix.diff",
                "content_base64": base64::engine::general_purpose::STANDARD.encode(CANARIES[7]),
            }),
        )
        .await;
    assert_eq!(patch.status, StatusCode::CREATED, "{}", patch.text());
    let patch_id = patch.json()["id"].as_str().unwrap().to_owned();
    app.run_jobs().await;

    // Read back whole by those entitled.
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), Some(&admin))
        .await
        .json();
    assert_eq!(detail["report"]["title"], CANARIES[0]);
    assert_eq!(detail["report"]["description"], CANARIES[1]);
    assert_eq!(detail["attachments"][0]["filename"], CANARIES[3]);
    let file = app
        .get(
            &format!(
                "/api/v1/reports/{id}/attachments/{}",
                detail["attachments"][0]["id"].as_str().unwrap()
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(file.text().trim_end(), CANARIES[4]);
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert!(bodies.contains(&CANARIES[6]), "{bodies:?}");
    let tracked = app
        .get(&format!("/api/v1/track/{token}"), None)
        .await
        .json();
    assert_eq!(tracked["report"]["affected_versions"], CANARIES[2]);
    assert!(tracked.to_string().contains(CANARIES[5]));
    let patch = app
        .get(
            &format!("/api/v1/advisories/{advisory}/patches/{patch_id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(patch.text(), CANARIES[7]);
    let read = app
        .get(&format!("/api/v1/advisories/{advisory}"), Some(&admin))
        .await
        .json();
    assert_eq!(read["summary"], CANARIES[8]);
    assert_eq!(read["details"], CANARIES[9]);
    // The admins' list finds it by what it says (the page's search).
    let listed = {
        let mut conn = app.state.db.conn().await.unwrap();
        let filter = embargo::db::advisory_lists::Filter {
            search: Some("embargoed-SUMMARY"),
            ..Default::default()
        };
        embargo::db::advisory_lists::find(&mut conn, &filter, &Default::default())
            .await
            .unwrap()
    };
    let ids: Vec<String> = listed.items.iter().map(|a| a.id.to_string()).collect();
    assert_eq!(ids, std::slice::from_ref(&advisory));
    // Search still finds a report by what it says.
    let found = app
        .get("/api/v1/reports?q=CANARY-DESCRIPTION", Some(&admin))
        .await
        .json();
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");

    // Not one canary in the file or its log.
    let bytes = database_bytes(&app);
    for canary in CANARIES {
        assert!(
            !holds(&bytes, canary),
            "{canary} is in the database file: {}",
            where_is(&app, canary).await
        );
    }
}

/// The tables and columns holding `text` (to name a leak).
async fn where_is(app: &TestApp, text: &str) -> String {
    use sqlx::Row;
    let mut conn = app.state.db.conn().await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let columns = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        for c in columns {
            let column: String = c.get("name");
            let sql = format!(
                "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%' || $1 || '%'"
            );
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(text)
                .fetch_one(&mut *conn)
                .await
                .unwrap_or(0);
            if n > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    format!("in {found:?} (none: only in free pages or the log)")
}

#[tokio::test]
async fn published_content_is_stored_in_clear_and_the_history_stays_sealed() {
    let app = TestApp::on_sqlite().await;
    let admin = app.admin_token().await;
    let mut body = crate::advisories::advisory_body();
    body["summary"] = "canary-published-summary-9d2b".into();
    let created = app.post("/api/v1/advisories", Some(&admin), body).await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let stored = |app: &TestApp, id: String| {
        let db = app.state.db.clone();
        async move {
            let mut conn = db.conn().await.unwrap();
            sqlx::query_scalar::<_, String>("SELECT content FROM advisories WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        }
    };
    assert!(!stored(&app, id.clone()).await.contains("canary-published"));
    let published = app
        .post(
            &format!("/api/v1/advisories/{id}/publish"),
            Some(&admin),
            json!({ "reason": "fixed upstream" }),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    assert!(
        stored(&app, id.clone())
            .await
            .contains("canary-published-summary-9d2b")
    );
    let public = app.get(&format!("/advisories/{id}.osv.json"), None).await;
    assert!(public.text().contains("canary-published-summary-9d2b"));
}

/// `embargo key ...` in `env`: its standard output, after asserting success.
fn key_command(env: &Env, args: &[&str]) -> String {
    let out = env.run(args, b"");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// A deployment run by the binary, holding the report [`mail`] makes.
async fn deployment_with_a_mailed_report() -> Env {
    let env = Env::new().await;
    let out = env.run(&["ingest"], mail().as_bytes());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env
}

#[tokio::test]
async fn a_rotation_seals_everything_under_the_new_key_and_old_values_still_read() {
    let env = deployment_with_a_mailed_report().await;
    let before = key_command(&env, &["key", "show"]);
    assert!(before.contains("data-key"), "{before}");

    let rotated = key_command(&env, &["key", "rotate"]);
    let current = rotated
        .lines()
        .find_map(|l| l.strip_prefix("current:"))
        .unwrap()
        .trim()
        .to_owned();
    assert!(!before.contains(&current), "a new key: {before} {rotated}");
    // At least the report's four fields and its attachment's name and bytes.
    let sealed: u64 = rotated
        .lines()
        .find_map(|l| l.strip_prefix("sealed:"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(sealed >= 6, "{rotated}");
    let file = std::fs::read_to_string(env.dir.path().join("data-key")).unwrap();
    assert_eq!(file.lines().count(), 2, "the old key stays in the file");
    assert!(key_command(&env, &["key", "show"]).contains(&current));

    // Everything is under the new key already; each value still opens.
    let again = key_command(&env, &["key", "seal"]);
    assert!(again.contains("sealed:   0 values"), "{again}");
    assert_eq!(env.report_titles().await, [CANARIES[0]]);
    assert_eq!(
        env.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'data_key.rotated'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_deployment_started_without_the_key_that_sealed_its_data_refuses_to_start() {
    let env = deployment_with_a_mailed_report().await;
    let key = env.dir.path().join("data-key");
    std::fs::remove_file(&key).unwrap();
    let out = env.run(&["admin", "list"], b"");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not open this database"), "{err}");
    assert!(err.contains("data-key"), "{err}");
}
