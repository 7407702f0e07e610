//! Pages: the mail templates for admins. The list says each one's purpose
//! and whether the team changed it.

use serde_json::json;

use super::*;

const OURS: &str = "Hello,\n\nwe have {{ title }}.\nFollow it: {{ tracking_url }}\n";

#[tokio::test]
async fn the_list_shows_every_template_with_its_purpose_and_whether_it_is_customized() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    let resp = tab.get("/admin/templates").await;
    assert_eq!(resp.status, OK);
    let html = resp.text();
    assert!(
        html.contains("<a href=\"/admin/templates\">Mail templates</a>"),
        "linked from the admin navigation"
    );
    assert!(
        html.contains("<h2 id=\"audience-reporter\">To the reporter</h2>"),
        "{html}"
    );
    let row = between(&html, "id=\"template-report_received\"", ">", "</tr>").expect("row");
    assert!(
        row.contains("href=\"/admin/templates/report_received\""),
        "{row}"
    );
    assert!(
        row.contains("Acknowledges a new report to its reporter"),
        "{row}"
    );
    assert!(row.contains("Built-in"), "{row}");

    let german = json!({ "subject": "Eingegangen: {{ title }}", "text": OURS, "lang": "de" });
    let saved = app
        .api(
            Method::PUT,
            "/api/v1/templates/report_received",
            Some(&token),
            Some(german),
        )
        .await;
    assert_eq!(saved.status, OK, "{}", saved.text());
    let html = tab.get("/admin/templates").await.text();
    let row = between(&html, "id=\"template-report_received\"", ">", "</tr>").expect("row");
    assert!(row.contains("<strong>Customized</strong> in"), "{row}");
    assert!(row.contains("?lang=de\">de</a>"), "{row}");
    assert!(!row.contains("Built-in"), "{row}");
}
