//! A client generated from the OpenAPI document works (issue 14): with
//! `EMBARGO_TEST_PYCLIENT` naming a virtualenv that holds
//! `openapi-python-client` (`.ci/run` makes one), the document a running
//! `serve` answers is turned into a Python client, which files a report and
//! reads it back as an admin. Without the variable the test says so and
//! passes.

use std::process::Command;

use crate::common::process::{Env, http, serve};
use crate::serve_clock::admin_token;

#[tokio::test]
async fn a_python_client_generated_from_the_document_files_a_report_and_reads_it_back() {
    let Some(venv) = std::env::var_os("EMBARGO_TEST_PYCLIENT").filter(|v| !v.is_empty()) else {
        eprintln!("EMBARGO_TEST_PYCLIENT is not set: the generated client is not tried");
        return;
    };
    let venv = std::path::PathBuf::from(venv);
    let env = Env::new().await;
    let token = admin_token(&env);
    let server = serve(&env);
    let (status, doc) = http(server.port, "GET", "/api/openapi.json", None, "").unwrap();
    assert_eq!(status, 200);

    let work = tempfile::tempdir().unwrap();
    let doc_path = work.path().join("openapi.json");
    std::fs::write(&doc_path, doc).unwrap();
    // Bounded: a generator that hangs fails the test within 2 minutes.
    let out = Command::new("timeout")
        .arg("120")
        .arg(venv.join("bin/openapi-python-client"))
        .args(["generate", "--meta", "none", "--path"])
        .arg(&doc_path)
        .arg("--output-path")
        .arg(work.path().join("embargo_api_client"))
        .output()
        .expect("openapi-python-client runs");
    assert!(
        out.status.success(),
        "generation failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pyclient/file_report.py"
    );
    let base = format!("http://127.0.0.1:{}", server.port);
    let out = Command::new("timeout")
        .arg("120")
        .arg(venv.join("bin/python"))
        .arg(script)
        .args([&base, &token])
        .env("PYTHONPATH", work.path())
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "the client script failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(id.starts_with("rpt_"), "{id}");
}
