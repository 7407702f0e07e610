//! Pages: triage.

use super::*;

#[tokio::test]
async fn admin_triages_a_report_from_the_inbox() {
    let app = TestApp::new().await;
    let (admin_id, token, tab) = admin(&app).await;
    let (id, _) = app.report("Heap overflow in parser", Some(REPORTER)).await;
    let page = format!("/admin/reports/{id}");
    let inbox = tab.get("/admin/reports").await;
    assert_eq!(inbox.status, OK);
    assert!(inbox.text().contains("Heap overflow in parser"));
    let linked = link(&inbox.text(), "/admin/reports/rpt_");
    assert_eq!(linked.as_ref(), Some(&page));
    assert!(tab.get(&page).await.text().contains("details of the bug"));
    app.run_jobs().await;

    let body = [("body", "We can reproduce it.")];
    let reply = tab.post(&format!("{page}/reply"), &body).await;
    assert_eq!(reply.status, SEE_OTHER);
    assert_eq!(reply.header("location"), Some(page.as_str()));
    app.run_jobs().await;
    let mails = app.mails_to(REPORTER);
    let mailed = mails.iter().find(|m| m.text.contains(body[0].1));
    let reply_to = mailed.expect("reply mailed").reply_to.as_deref();
    let tagged = reply_to.is_some_and(|r| r.starts_with("security+"));
    assert!(tagged, "{reply_to:?}");

    let status = format!("{page}/status");
    let no_reason = tab.post(&status, &[("status", "accepted")]).await;
    assert_eq!(no_reason.status, INVALID);
    let html = no_reason.text();
    assert!(html.contains("is required: the reporter is told why"));
    let fields = [("status", "accepted"), ("reason", "Confirmed on 1.4")];
    assert_eq!(tab.post(&status, &fields).await.status, SEE_OTHER);
    app.run_jobs().await;
    let told = app.mails_to(REPORTER);
    assert!(told.iter().any(|m| m.text.contains("Confirmed on 1.4")));

    let fields = [("assignee", admin_id.as_str())];
    let assign = tab.post(&format!("{page}/assign"), &fields).await;
    assert_eq!(assign.status, SEE_OTHER);
    let api = format!("/api/v1/reports/{id}");
    let json = app.get(&api, Some(&token)).await.json();
    assert_eq!(json["report"]["assignee_id"], admin_id.as_str());
    assert_eq!(json["report"]["status"], "accepted");
    let html = tab.get(&page).await.text();
    assert!(html.contains("<td>report.status_changed</td>"), "history");
}

#[tokio::test]
async fn inbox_filters_by_status_and_searches_titles() {
    let app = TestApp::new().await;
    let (_, token, tab) = admin(&app).await;
    for title in ["Alpha overflow", "Beta injection", "Gamma overflow"] {
        app.report(title, None).await;
    }
    let found = app.get("/api/v1/reports?q=beta", Some(&token)).await.json();
    let beta = found["items"][0]["id"].as_str().expect("beta");
    let triage = serde_json::json!({ "status": "triaging" });
    let path = format!("/api/v1/reports/{beta}/status");
    assert_eq!(app.post(&path, Some(&token), triage).await.status, OK);

    let cases: [(&str, &[&str]); 7] = [
        ("", &["Alpha", "Beta", "Gamma"]),
        ("?status=triaging", &["Beta"]),
        ("?status=new", &["Alpha", "Gamma"]),
        ("?q=overflow", &["Alpha", "Gamma"]),
        ("?q=OVERFLOW", &["Alpha", "Gamma"]),
        ("?status=new&q=gamma", &["Gamma"]),
        ("?status=accepted", &[]),
    ];
    for (query, shown) in cases {
        let resp = tab.get(&format!("/admin/reports{query}")).await;
        assert_eq!(resp.status, OK, "{query}");
        for name in ["Alpha", "Beta", "Gamma"] {
            let listed = resp.text().contains(&format!(">{name} "));
            assert_eq!(listed, shown.contains(&name), "{query}: {name}");
        }
    }
    let empty = tab.get("/admin/reports?status=accepted").await.text();
    assert!(empty.contains("No reports match this filter"));
    let bogus = tab.get("/admin/reports?status=bogus").await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);
}
