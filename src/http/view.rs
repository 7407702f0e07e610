//! What pages and the API show of a report, built in one place so both
//! channels show the same thing.

use serde_json::{Value, json};

use super::error::Error;
use crate::app::AppState;
use crate::db::accounts;
use crate::db::reports::{self, Report};
use crate::domain::advisory::{FromReport, told_to_reporter};
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::id::{AttachmentId, ReportId};
use crate::domain::secret::Secret;

/// The report behind a tracking token, with the reporter's actor, or 404.
pub async fn tracked_report(state: &AppState, token: &str) -> Result<(Report, Actor), Error> {
    let mut conn = state.db.conn().await?;
    let report = reports::by_tracking(&mut conn, &Secret::from_presented(token).hash())
        .await?
        .ok_or(Error::NotFound)?;
    let id = ReportId::parse(&report.id).map_err(|e| Error::Internal(e.into()))?;
    Ok((report, Actor::Reporter(id)))
}

/// What a route wants to do with a report.
#[derive(Debug, Clone, Copy)]
pub enum On {
    Read,
    Reply,
    Triage,
}

impl On {
    fn action(self, id: &ReportId) -> Action<'_> {
        match self {
            On::Read => Action::ReadReport(id),
            On::Reply => Action::ReplyToReport(id),
            On::Triage => Action::TriageReport(id),
        }
    }
}

/// A report by id for `actor`, after authorization; unknown ids are 404
/// only for those allowed to see reports at all.
pub async fn authorized_report(
    state: &AppState,
    actor: &Actor,
    id: &str,
    on: On,
) -> Result<Report, Error> {
    let parsed = ReportId::parse(id);
    // Decide on a placeholder first, so callers without rights learn nothing
    // about which ids exist.
    let probe = parsed
        .as_ref()
        .ok()
        .cloned()
        .unwrap_or_else(ReportId::generate);
    let decision = authorize(actor, on.action(&probe));
    if !decision.is_allowed() {
        return Err(Error::denied(decision));
    }
    let id = parsed.map_err(|_| Error::NotFound)?;
    let mut conn = state.db.conn().await?;
    reports::get(&mut conn, &id).await?.ok_or(Error::NotFound)
}

/// What the reporter sees: their report, its status, the thread, and the
/// advisory made from it (its id, and its public page once published; see
/// [`told_to_reporter`]).
pub async fn reporter_view(state: &AppState, report: &Report) -> Result<Value, Error> {
    let id = ReportId::parse(&report.id).map_err(|e| Error::Internal(e.into()))?;
    let mut conn = state.db.conn().await?;
    let messages = reports::messages(&mut conn, &id).await?;
    let attachments = reports::attachments(&mut conn, &id).await?;
    let made = crate::db::advisories::for_report(&mut conn, &id).await?;
    drop(conn);
    let from: Vec<FromReport<'_>> = made
        .iter()
        .map(|a| FromReport {
            id: &a.id,
            state: a.state,
            was_published: a.published_at.is_some(),
        })
        .collect();
    let told = told_to_reporter(&from);
    let advisory_url = told
        .as_ref()
        .filter(|t| t.public)
        .map(|t| format!("{}/advisories/{}", state.config.base(), t.id.as_str()));
    Ok(json!({
        "report": {
            "id": report.id,
            "title": report.title,
            "description": report.description,
            "affected_versions": report.affected_versions,
            "unaffected_versions": report.unaffected_versions,
            "status": report.status,
            "status_reason": report.status_reason,
            "created_at": report.created_at,
            "encrypted": report.encrypted,
            "advisory_id": told.map(|t| t.id.as_str()),
            "advisory_url": advisory_url,
        },
        "messages": messages,
        "attachments": attachments,
    }))
}

/// What an admin sees: everything, with the history of the report and the
/// advisories made from it.
pub async fn admin_view(state: &AppState, report: &Report) -> Result<Value, Error> {
    let id = ReportId::parse(&report.id).map_err(|e| Error::Internal(e.into()))?;
    let mut conn = state.db.conn().await?;
    let messages = reports::messages(&mut conn, &id).await?;
    let attachments = reports::attachments(&mut conn, &id).await?;
    let (report_json, messages) = with_encryption(&mut conn, report, messages).await?;
    let history = super::history::of_subject(&mut conn, id.as_str()).await?;
    let admins: Vec<Value> = accounts::admins(&mut conn)
        .await?
        .into_iter()
        .map(|a| json!({ "id": a.id.as_str(), "email": a.email }))
        .collect();
    let advisories: Vec<Value> = crate::db::advisories::for_report(&mut conn, &id)
        .await?
        .iter()
        .map(|a| {
            let summary = serde_json::from_str::<Value>(&a.content)
                .map(|c| c["summary"].clone())
                .unwrap_or(Value::Null);
            json!({ "id": a.id, "state": a.state.as_str(), "summary": summary })
        })
        .collect();
    let next: Vec<&str> = crate::domain::report::ReportStatus::ALL
        .into_iter()
        .filter(|s| report.status.transition(*s, "x").is_ok())
        .map(|s| s.as_str())
        .collect();
    Ok(json!({
        "report": report_json,
        "overdue": crate::app::reports::is_overdue(state, report, crate::db::now()),
        "messages": messages,
        "attachments": attachments,
        "history": history,
        "admins": admins,
        "next_statuses": next,
        "advisories": advisories,
    }))
}

/// The report and its messages as admins see them, each with `encryption`:
/// null when it came in clear, else how it came encrypted (the kept
/// ciphertext's kind, size and hash, the list key that decrypted it or why
/// none did).
async fn with_encryption(
    conn: &mut sqlx::AnyConnection,
    report: &Report,
    messages: Vec<reports::Message>,
) -> Result<(Value, Vec<Value>), Error> {
    let id = ReportId::parse(&report.id).map_err(|e| Error::Internal(e.into()))?;
    let kept = reports::ciphertexts(conn, &id).await?;
    let of =
        |message: Option<&str>| json!(kept.iter().find(|c| c.message_id.as_deref() == message));
    let mut report_json = serde_json::to_value(report).map_err(|e| Error::Internal(e.into()))?;
    report_json["encryption"] = of(None);
    let messages = messages
        .into_iter()
        .map(|m| {
            let mut v = serde_json::to_value(&m).map_err(|e| Error::Internal(e.into()))?;
            v["encryption"] = of(Some(&m.id));
            Ok(v)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok((report_json, messages))
}

/// An attachment of `report` as a download that a browser will not render.
pub async fn attachment_download(
    state: &AppState,
    report: &Report,
    attachment: &str,
) -> Result<axum::response::Response, Error> {
    let rid = ReportId::parse(&report.id).map_err(|e| Error::Internal(e.into()))?;
    let aid = AttachmentId::parse(attachment).map_err(|_| Error::NotFound)?;
    let mut conn = state.db.conn().await?;
    let (info, content) = reports::attachment_content(&mut conn, &rid, &aid)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(download(&info.filename, content))
}

/// An advisory as the API shows it: the OSV-shaped content with `id`,
/// `state`, `embargo`, scores per severity entry and dates.
pub fn advisory_json(row: &crate::db::advisories::AdvisoryRow) -> Result<Value, Error> {
    use crate::domain::embargo::in_zone;
    let (content, scored) = crate::app::advisories::content_of(row)
        .map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    let mut v = serde_json::to_value(&content).map_err(|e| Error::Internal(e.into()))?;
    v["id"] = json!(row.id.as_str());
    v["state"] = json!(row.state.as_str());
    v["severity"] = json!(scored);
    v["report_id"] = json!(row.report_id);
    v["revision"] = json!(row.revision);
    let ts = |m: Option<i64>| m.and_then(|m| jiff::Timestamp::from_microsecond(m).ok());
    v["embargo"] = match (ts(row.embargo_until), &row.embargo_zone) {
        (Some(until), Some(zone)) => json!({
            "until": crate::publish::rfc3339(until),
            "time_zone": zone,
            "in_time_zone": in_zone(until, zone),
        }),
        _ => Value::Null,
    };
    v["published"] = json!(ts(row.published_at).map(crate::publish::rfc3339));
    v["withdrawn"] = match ts(row.withdrawn_at) {
        Some(at) => json!({ "at": crate::publish::rfc3339(at), "reason": row.withdrawn_reason }),
        None => Value::Null,
    };
    v["created"] = json!(ts(Some(row.created_at)).map(crate::publish::rfc3339));
    v["updated"] = json!(ts(Some(row.updated_at)).map(crate::publish::rfc3339));
    Ok(v)
}

/// Bytes as an attachment a browser will not render, under a safe file name.
pub fn download(filename: &str, content: Vec<u8>) -> axum::response::Response {
    download_as(filename, "application/octet-stream", content)
}

/// The stored type of a download when it is one a browser saves or shows
/// as text, never renders as a page (`text/x-diff` for a patch); any other
/// type is sent as `application/octet-stream`.
fn download_type(stored: &str) -> &'static str {
    const SAFE: [&str; 8] = [
        "text/x-diff",
        "text/x-patch",
        "text/plain",
        "application/x-patch",
        "application/gzip",
        "application/zip",
        "application/x-tar",
        "application/octet-stream",
    ];
    let stored = stored.trim();
    SAFE.into_iter()
        .find(|t| t.eq_ignore_ascii_case(stored))
        .unwrap_or("application/octet-stream")
}

/// [`download`] under the stored content type, where [`download_type`]
/// allows it.
pub fn download_as(
    filename: &str,
    content_type: &str,
    content: Vec<u8>,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let safe_name: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut resp = content.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(download_type(content_type)),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn a_download_keeps_a_safe_type_and_never_one_a_browser_renders() {
        let type_of = |stored: &str| {
            let resp = download_as("fix.patch", stored, b"--- a\n".to_vec());
            resp.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(type_of("text/x-diff"), "text/x-diff");
        assert_eq!(type_of(" Text/X-Patch "), "text/x-patch");
        for risky in ["text/html", "image/svg+xml", "application/xhtml+xml", ""] {
            assert_eq!(type_of(risky), "application/octet-stream", "{risky}");
        }
    }

    #[test]
    fn a_download_is_an_attachment_under_a_sanitized_name() {
        let resp = download("../../etc/\"x\"\r\n.diff", vec![1, 2]);
        let h = resp.headers();
        assert_eq!(
            h[header::CONTENT_DISPOSITION],
            "attachment; filename=\".._.._etc__x___.diff\""
        );
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
    }
}
