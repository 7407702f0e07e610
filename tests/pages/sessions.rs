//! Pages and API: one's own sessions and tokens, and signing out
//! everywhere (every session and token but, when asked, the current one).

use super::*;

const MEMBER: &str = "member@project.test";

async fn signed_out_events(app: &TestApp) -> Vec<serde_json::Value> {
    let mut conn = app.state.db.conn().await.expect("conn");
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'account.signed_out_everywhere' ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("audit");
    rows.iter()
        .map(|d| serde_json::from_str(d).expect("json"))
        .collect()
}

#[tokio::test]
async fn the_account_page_lists_ones_sessions_and_signs_out_everywhere_else() {
    let app = TestApp::new().await;
    let (_, token) = app.account(MEMBER, Role::Member).await;
    let here = signed_in(&app, MEMBER).await;
    let there = signed_in(&app, MEMBER).await;
    let page = here.get("/account").await.text();
    assert_eq!(page.matches("(this browser)").count(), 1, "{page}");
    let listed =
        between(&page, "aria-label=\"Your sessions\"", "<tbody>", "</tbody>").expect("sessions");
    assert_eq!(listed.matches("<tr>").count(), 2, "both sessions");
    assert!(listed.contains("127.0.0.1"), "{listed}");

    let done = here
        .post("/account/sign-out-everywhere", &[("keep_current", "yes")])
        .await;
    assert_eq!(done.status, SEE_OTHER);
    assert_eq!(done.header("location"), Some("/account#sessions"));
    assert_eq!(here.get("/account").await.status, OK, "this one stays");
    assert_eq!(
        there.get("/account").await.status,
        SEE_OTHER,
        "the other ended"
    );
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "tokens revoked");
    let event = &signed_out_events(&app).await[0];
    assert_eq!(event["sessions"], 1);
    assert_eq!(event["tokens"], 1);
    assert_eq!(event["kept_current"], true);

    let all = here.post("/account/sign-out-everywhere", &[]).await;
    assert_eq!(all.status, SEE_OTHER);
    assert_eq!(all.header("location"), Some("/"));
    assert!(
        set_cookie(&all, "embargo_session")
            .expect("cleared")
            .contains("Max-Age=0")
    );
    assert_eq!(here.get("/account").await.status, SEE_OTHER, "this one too");
}

#[tokio::test]
async fn the_api_lists_sessions_and_tokens_and_signs_out_everywhere() {
    let app = TestApp::new().await;
    let (_, token) = app.account(MEMBER, Role::Member).await;
    let other_token = app.account_token(MEMBER).await;
    let browser = signed_in(&app, MEMBER).await;
    browser.get("/account").await;

    let listed = app.get("/api/v1/me/sessions", Some(&token)).await;
    assert_eq!(listed.status, OK, "{}", listed.text());
    let v = listed.json();
    let sessions = v["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["current"], false, "a token is no session");
    assert!(sessions[0]["last_seen_at"].is_i64());
    assert_eq!(v["tokens"].as_array().expect("tokens").len(), 2);

    let kept = json_post(
        &app,
        &token,
        serde_json::json!({ "keep_current_token": true }),
    )
    .await;
    assert_eq!(kept.status, OK, "{}", kept.text());
    assert_eq!(kept.json()["sessions_ended"], 1);
    assert_eq!(kept.json()["tokens_revoked"], 1);
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, OK, "kept");
    let revoked = app.get("/api/v1/me", Some(&other_token)).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(browser.get("/account").await.status, SEE_OTHER, "ended");

    let bad = json_post(
        &app,
        &token,
        serde_json::json!({ "keep_current_token": "yes" }),
    )
    .await;
    assert_eq!(bad.status, INVALID);
    let all = json_post(&app, &token, serde_json::json!({})).await;
    assert_eq!(all.json()["tokens_revoked"], 1);
    let gone = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        gone.status,
        StatusCode::UNAUTHORIZED,
        "the calling token too"
    );
}

async fn json_post(app: &TestApp, token: &str, body: serde_json::Value) -> Response {
    app.post("/api/v1/me/sign-out-everywhere", Some(token), body)
        .await
}
