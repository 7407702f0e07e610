//! The embargo clock on the service's injectable clock: nothing is
//! published before the agreed instant, and it is published once the clock
//! reaches it, without sleeping or editing stored instants.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn an_embargo_lifts_when_the_clock_reaches_its_instant_and_not_before() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    let id = crate::advisories::create(&app, &admin).await;
    let until = jiff::Timestamp::from_microsecond(app.now()).unwrap()
        + jiff::SignedDuration::from_hours(48);
    let until = until.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let set = app
        .post(
            &format!("/api/v1/advisories/{id}/embargo"),
            Some(&admin),
            json!({ "until": until, "time_zone": "Europe/Berlin", "reason": "agreed" }),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let public = format!("/advisories/{id}.osv.json");

    app.advance(jiff::SignedDuration::from_hours(47));
    app.run_jobs().await;
    assert_eq!(app.get(&public, None).await.status, StatusCode::NOT_FOUND);

    app.advance(jiff::SignedDuration::from_hours(1));
    app.run_jobs().await;
    let osv = app.get(&public, None).await;
    assert_eq!(osv.status, StatusCode::OK, "published at its instant");
    let published: jiff::Timestamp = osv.json()["published"].as_str().unwrap().parse().unwrap();
    let agreed: jiff::Timestamp = until.parse().unwrap();
    let late = published.duration_since(agreed);
    assert!(
        late >= jiff::SignedDuration::ZERO && late < jiff::SignedDuration::from_secs(60),
        "published {published}, agreed {agreed}"
    );
    app.run_jobs().await;
    let mut conn = app.state.db.conn().await.unwrap();
    let publications: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM publications WHERE advisory_id = $1")
            .bind(&id)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(publications, 1, "once");
}
