//! Tracing a leaked paste: among 1,000 recipients of an announcement, a
//! copy pasted with its tracking line deleted, whitespace collapsed and
//! non-ASCII characters dropped names its recipient first.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::announcements::{announce, embargoed};
use crate::common::TestApp;

const RECIPIENTS: usize = 1_000;

/// `RECIPIENTS` cleared contacts, each of a member of its own, whose key is
/// the list key's public half: the test can read every copy it sends.
async fn recipients_the_test_can_decrypt(app: &TestApp) {
    let now = app.now();
    let mut sql = format!(
        "INSERT INTO policy_versions (version, text, actor, published_at) VALUES (1, 'Policy', 'system', {now});\n"
    );
    for i in 0..RECIPIENTS {
        let m = embargo::domain::id::MemberId::generate();
        let a = embargo::domain::id::AccountId::generate();
        sql.push_str(&format!(
            "INSERT INTO members (id, organization, website, security_alias, status, joined_at) \
             VALUES ('{m}', 'Org {i}', 'https://o{i}.example', 'sec@o{i}.example', 'active', {now});\n\
             INSERT INTO accounts (id, email, role, created_at) VALUES ('{a}', 'c{i:04}@o{i}.example', 'member', {now});\n\
             INSERT INTO member_contacts (account_id, member_id, name, added_at) VALUES ('{a}', '{m}', 'C {i}', {now});\n\
             INSERT INTO policy_acceptances (account_id, version, accepted_at, how) VALUES ('{a}', 1, {now}, 'attested');\n"
        ));
    }
    let mut conn = app.state.db.conn().await.unwrap();
    sqlx::Executor::execute(&mut *conn, sqlx::AssertSqlSafe(sql))
        .await
        .unwrap();
    let key = &app.state.list_key;
    // The list key stands in for every recipient's, stored with the subkey
    // chosen for encryption but without that key's own packet, as
    // certificates stored before those packets were: their deliveries parse
    // the whole certificate.
    let cert = embargo::mail::keys::parse_certificate(key.armored_public()).unwrap();
    let chosen = embargo::mail::keys::check_certificate(&cert, "", jiff::Timestamp::now(), 0)
        .unwrap()
        .encryption_subkey;
    sqlx::query(
        "INSERT INTO contact_keys (id, account_id, fingerprint, encryption_subkey, algorithm, armored, uploaded_at) \
         SELECT 'key_' || substr(id, 5), id, $1, $2, 'ed25519', $3, $4 FROM accounts WHERE role = 'member'",
    )
    .bind(key.fingerprint())
    .bind(chosen)
    .bind(key.armored_public())
    .bind(now)
    .execute(&mut *conn)
    .await
    .unwrap();
}

/// What the recipient of `delivery` read: the text inside their copy.
async fn received_text(app: &TestApp, delivery: &str, email: &str) -> String {
    embargo::app::announcements::deliver(&app.state, delivery, false)
        .await
        .unwrap();
    let mail = app
        .mails_to(email)
        .into_iter()
        .find(|m| m.list_id.is_some())
        .expect("the copy was sent");
    let armored = mail.encrypted.expect("encrypted");
    let inner = app.state.list_key.decrypt(armored.as_bytes()).unwrap();
    let parsed = mail_parser::MessageParser::default()
        .parse(&inner)
        .expect("inner message");
    parsed.body_text(0).expect("text part").into_owned()
}

/// The edits a leaker would make to hide where a copy came from.
fn disguise(text: &str) -> String {
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains("dlv_")).collect();
    let ascii: String = kept.join("\n").chars().filter(char::is_ascii).collect();
    ascii.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn trace(app: &TestApp, admin: &str, text: &str) -> Vec<Value> {
    let resp = app
        .post("/api/v1/leaks/trace", Some(admin), json!({ "text": text }))
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    resp.json()["candidates"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_disguised_paste_names_its_recipient_first_among_1000() {
    let app = TestApp::new().await;
    let admin = app.admin_token().await;
    recipients_the_test_can_decrypt(&app).await;
    let advisory = embargoed(&app, &admin).await;
    let resp = announce(
        &app,
        &admin,
        &advisory,
        json!({ "note": "Please test on ARM." }),
    )
    .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
    assert_eq!(resp.json()["recipients"], RECIPIENTS);
    let deliveries: Vec<(String, String)> =
        sqlx::query_as("SELECT id, email FROM deliveries WHERE kind = 'encrypted' ORDER BY email")
            .fetch_all(&mut *app.state.db.conn().await.unwrap())
            .await
            .unwrap();
    assert_eq!(deliveries.len(), RECIPIENTS);

    for n in [0, 137, 500, 742, 999] {
        let (delivery, email) = &deliveries[n];
        let text = received_text(&app, delivery, email).await;
        assert!(
            text.contains(delivery.as_str()),
            "the copy carries its tracking id"
        );
        let found = trace(&app, &admin, &text).await;
        assert_eq!(found[0]["delivery_id"], delivery.as_str());
        assert_eq!(found[0]["score"], 1.0);

        let pasted = disguise(&text);
        assert!(!pasted.contains("dlv_"));
        let found = trace(&app, &admin, &pasted).await;
        assert_eq!(found[0]["email"], email.as_str(), "copy {n}: {found:?}");
        assert!(
            found.len() < 2 || found[1]["score"].as_f64() < found[0]["score"].as_f64(),
            "a clear first: {found:?}"
        );
    }

    // The advisory's own words are the same in every copy: a paste of
    // them alone names nobody.
    let summary = "Heap overflow in the parser";
    assert!(trace(&app, &admin, summary).await.is_empty());
    let resp = app
        .post("/api/v1/leaks/trace", Some(&admin), json!({ "text": " " }))
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
}
