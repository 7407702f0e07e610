//! A data key rotation while several `serve` processes run: an instance
//! that has not restarted meets a value sealed under the new key (by an
//! instance that has) and reads the key file again to open it, instead of
//! failing (README, "Encryption at rest").

use serde_json::{Value, json};

use crate::common::process::{Env, http, serve};
use crate::serve_clock::admin_token;

const CANARY: &str = "canary-sealed-after-the-rotation-7d2a";

#[tokio::test]
async fn an_instance_started_before_a_rotation_reads_what_another_sealed_with_the_new_key() {
    let env = Env::new().await;
    let token = admin_token(&env);
    let a = serve(&env);
    let before = serve(&env);

    // The rotation, by the CLI, while both run; the key file gains the key.
    let out = env.run(&["key", "rotate"], b"");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new_key = printed
        .lines()
        .find_map(|l| l.strip_prefix("current:"))
        .expect("the new key's id")
        .trim()
        .to_owned();

    // One instance restarts, as the rotation asks: the new key is its current.
    drop(a);
    let a = serve(&env);
    let body = json!({
        "summary": CANARY,
        "affected": [{ "package": { "ecosystem": "Go", "name": "example.org/r" }, "versions": ["1.0.0"] }],
    });
    let (status, created) = http(
        a.port,
        "POST",
        "/api/v1/advisories",
        Some(&token),
        &body.to_string(),
    )
    .expect("an answer");
    assert_eq!(status, 201, "{created}");
    let id = serde_json::from_str::<Value>(&created).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Stored sealed under the new key, which the other instance never loaded.
    let mut conn = {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&env.database_url)
            .await
            .unwrap()
    };
    let stored: String = sqlx::query_scalar("SELECT content FROM advisories WHERE id = $1")
        .bind(&id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let sealed = stored
        .strip_prefix("embargo-sealed:v1:")
        .expect("the content is sealed");
    let raw =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD_NO_PAD, sealed).unwrap();
    let key_id: String = raw[..8].iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(key_id, new_key, "sealed under the rotation's key");

    let (status, read) = http(
        before.port,
        "GET",
        &format!("/api/v1/advisories/{id}"),
        Some(&token),
        "",
    )
    .expect("an answer");
    assert_eq!(status, 200, "the instance from before the rotation: {read}");
    assert!(read.contains(CANARY), "{read}");
}
