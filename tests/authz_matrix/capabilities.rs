//! Bearer tokens and tracking links grant exactly what they name.

use super::*;

/// A well-formed token id that exists nowhere.
const NO_TOKEN: &str = "tok_aaaaaaaaaaaaaaaa";

#[tokio::test]
async fn wrong_or_revoked_bearer_token_is_401() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let reports = async |token: &str| app.get("/api/v1/reports", Some(token)).await;
    for garbage in ["not-a-token", "", NO_TOKEN] {
        let resp = reports(garbage).await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "token {garbage:?}");
        assert_eq!(resp.header("www-authenticate"), Some("Bearer"));
    }
    let basic = Request::get("/api/v1/reports")
        .header(header::AUTHORIZATION, format!("Basic {admin}"))
        .body(Body::empty())
        .expect("request");
    let resp = app.request(basic).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "only Bearer counts");

    let created = app.post("/api/v1/tokens", Some(&admin), json!({ "name": "temp" }));
    let created = created.await.json();
    let token = created["token"].as_str().expect("token");
    assert_eq!(reports(token).await.status, StatusCode::OK);
    let revoke = format!("/api/v1/tokens/{}", created["id"].as_str().expect("id"));
    let revoked = app.api(Method::DELETE, &revoke, Some(&admin), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(reports(token).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reports(&admin).await.status,
        StatusCode::OK,
        "others still work"
    );
}

#[tokio::test]
async fn reporter_link_of_one_report_does_not_open_another() {
    let app = TestApp::new().await;
    let a = tracking_token(&app.report("Report A", None).await.1);
    let b = tracking_token(&app.report("Report B", None).await.1);
    let file = json!([{ "filename": "b-secret.txt", "content_base64": "aGVsbG8=" }]);
    let upload = json!({ "body": "B's file", "attachments": file });
    let resp = app
        .post(&format!("/api/v1/track/{b}/messages"), None, upload)
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    let view = app.get(&format!("/api/v1/track/{b}"), None).await.json();
    let att = view["attachments"][0]["id"].as_str().expect("attachment");

    let cookie = format!("embargo_csrf={CSRF}");
    let page = async |path: &str| app.page(Method::GET, path, Some(&cookie), None).await;
    let api = async |path: &str| app.get(&format!("/api/v1{path}"), None).await.status;
    let own = format!("/track/{b}/attachments/{att}");
    assert_eq!(
        page(&own).await.status,
        StatusCode::OK,
        "B's own link works"
    );
    assert_eq!(api(&own).await, StatusCode::OK, "B's own link works");
    let other = format!("/track/{a}/attachments/{att}");
    assert_eq!(page(&other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api(&other).await, StatusCode::NOT_FOUND);
    let a_page = page(&format!("/track/{a}")).await;
    assert_eq!(a_page.status, StatusCode::OK);
    assert!(
        !a_page.text().contains("b-secret.txt"),
        "A's page lists B's file"
    );

    let fake = "madeUpTrackingTokenThatIsLongEnough0123456789";
    for path in [
        format!("/track/{fake}"),
        format!("/track/{fake}/attachments/{att}"),
    ] {
        assert_eq!(page(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(api(&path).await, StatusCode::NOT_FOUND, "/api/v1{path}");
    }
    let path = format!("/track/{fake}/messages");
    let api_path = format!("/api/v1{path}");
    let post = app.post(&api_path, None, json!({ "body": "x" })).await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    let form = app.request(multipart_request(&path, &cookie, CSRF)).await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("messages").await,
        1,
        "only B's message was stored"
    );
}
