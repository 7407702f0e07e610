//! Pages: files on the report form and the tracking page. A report filed
//! with a file keeps it; a file over the limit keeps what was typed and
//! names the limit; a message of files only shows its files.

use super::feedback::{flash_of, follow};
use super::*;

/// A multipart form: text `fields`, then `files` under `attachment`.
fn multipart(
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Request<Body> {
    let part =
        |name: &str| format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"");
    let mut bytes = Vec::new();
    for (name, value) in fields {
        bytes.extend(format!("{}\r\n\r\n{value}\r\n", part(name)).into_bytes());
    }
    for (filename, content) in files {
        let head = format!("{}; filename=\"{filename}\"\r\n", part("attachment"));
        bytes.extend(format!("{head}Content-Type: text/plain\r\n\r\n").into_bytes());
        bytes.extend(*content);
        bytes.extend(b"\r\n");
    }
    bytes.extend(format!("--{BOUNDARY}--\r\n").into_bytes());
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, cookie)
        .body(Body::from(bytes))
        .expect("request")
}

fn cookie() -> String {
    format!("embargo_csrf={CSRF}")
}

#[tokio::test]
async fn a_report_filed_with_files_on_the_form_keeps_them() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let form = visitor(&app).get("/report").await.text();
    assert!(form.contains("enctype=\"multipart/form-data\""));
    assert!(form.contains("type=\"file\" id=\"attachment\" name=\"attachment\" multiple"));
    assert!(form.contains("Up to 10 MiB a file"));

    let fields = [
        ("csrf", CSRF),
        ("title", "Overflow in the parser"),
        ("description", "See the proof of concept."),
        ("reporter_email", REPORTER),
    ];
    let files: [(&str, &[u8]); 2] = [("poc.py", b"print('boom')\n"), ("trace.txt", b"SIGSEGV\n")];
    let resp = app
        .request(multipart("/report", &cookie(), &fields, &files))
        .await;
    let html = follow(&visitor(&app), &resp).await.text();
    let (_, _, text) = flash_of(&html).expect("the confirmation");
    assert!(
        text.starts_with(
            "Thank you: your report was received, with its 2 files (listed under Attachments)."
        ),
        "{text}"
    );
    let listed = between(&html, "<h2>Attachments</h2>", "", "</ul>").expect("attachments");
    assert!(
        listed.contains("poc.py") && listed.contains("trace.txt"),
        "{listed}"
    );
    let list = app.get("/api/v1/reports", Some(&token)).await.json();
    let id = list["items"][0]["id"].as_str().expect("id").to_owned();
    let page = tab.get(&format!("/admin/reports/{id}")).await.text();
    let url = link(&page, &format!("/admin/reports/{id}/attachments/")).expect("listed");
    let download = tab.get(&url).await;
    assert_eq!(download.status, OK);
    assert_eq!(download.body, b"print('boom')\n");
}

#[tokio::test]
async fn an_oversize_file_keeps_the_typed_report_and_names_the_limit() {
    let app = TestApp::with_config(|c| c.limits.max_attachment_bytes = 2048).await;
    let fields = [
        ("csrf", CSRF),
        ("title", "Overflow in the parser"),
        ("description", "Typed with care.\nSecond line."),
        ("github", "rita-r"),
    ];
    let big = vec![b'x'; 4096];
    let files: [(&str, &[u8]); 1] = [("core.dump", &big)];
    let resp = app
        .request(multipart("/report", &cookie(), &fields, &files))
        .await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    let html = resp.text();
    assert!(html.contains("There is a problem"));
    assert!(
        html.contains("core.dump is 4 KiB, over the limit of 2 KiB a file"),
        "{html}"
    );
    assert!(
        html.contains(">Typed with care.\nSecond line.</textarea>"),
        "description kept"
    );
    assert!(
        html.contains("value=\"Overflow in the parser\""),
        "title kept"
    );
    assert!(html.contains("value=\"rita-r\""), "github kept");
    assert!(html.contains("id=\"attachment\" name=\"attachment\" multiple autofocus"));
    assert_eq!(app.count("reports").await, 0);

    // A field error and a file: the first wrong field gets the focus.
    let fields = [("csrf", CSRF), ("title", ""), ("description", "d")];
    let files: [(&str, &[u8]); 1] = [("a.txt", b"a")];
    let resp = app
        .request(multipart("/report", &cookie(), &fields, &files))
        .await;
    assert_eq!(resp.status, INVALID);
    assert!(resp.text().contains("id=\"title\" autofocus"));
}

#[tokio::test]
async fn a_message_of_files_only_shows_its_files_and_an_oversize_one_keeps_the_text() {
    let app = TestApp::with_config(|c| c.limits.max_attachment_bytes = 2048).await;
    let (_, tracking) = app.report("Overflow", Some(REPORTER)).await;
    let path = path_of(&tracking);
    let tab = visitor(&app);
    let post = format!("{path}/messages");

    let fields = [("csrf", CSRF), ("body", "")];
    let files: [(&str, &[u8]); 1] = [("second-poc.py", b"print(1)\n")];
    let resp = app
        .request(multipart(&post, &cookie(), &fields, &files))
        .await;
    let html = follow(&tab, &resp).await.text();
    let (_, _, text) = flash_of(&html).expect("message");
    assert_eq!(text, "Message and its file sent to the security team.");
    let messages = between(&html, "<h2>Messages</h2>", "", "<h2>Attachments</h2>").expect("thread");
    assert!(messages.contains("Files only, no text:"), "{messages}");
    assert!(messages.contains("second-poc.py"), "{messages}");

    let fields = [("csrf", CSRF), ("body", "Here is the dump.")];
    let big = vec![b'x'; 4096];
    let files: [(&str, &[u8]); 1] = [("core.dump", &big)];
    let resp = app
        .request(multipart(&post, &cookie(), &fields, &files))
        .await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE);
    let html = resp.text();
    assert!(html.contains(">Here is the dump.</textarea>"), "kept");
    assert!(html.contains("over the limit of 2 KiB a file"));
    assert_eq!(app.count("messages").await, 1);
}
