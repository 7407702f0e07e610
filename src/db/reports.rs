//! Reports and their message threads; attachments are in
//! `report_attachments`, the ciphertexts of mail that came encrypted in
//! `reports/ciphertexts.rs`.

mod ciphertexts;
mod messages;

use sqlx::{AnyConnection, Row};

use super::cursor::{Cursor, Page, Window};
pub use super::report_attachments::*;
use super::{DbError, sealed};
use crate::domain::id::{AccountId, ReportId};
use crate::domain::report::{NewReport, ReportStatus};
use crate::domain::secret::SecretHash;
pub use ciphertexts::*;
pub use messages::*;

/// Where a report came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Web,
    Api,
    Mail,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
            Self::Mail => "mail",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub id: String,
    pub title: String,
    pub description: String,
    pub affected_versions: String,
    pub unaffected_versions: String,
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub github: Option<String>,
    pub credit_consent: bool,
    pub status: ReportStatus,
    pub status_reason: String,
    pub assignee_id: Option<String>,
    pub source: String,
    pub encrypted: bool,
    #[serde(skip)]
    pub origin_message_id: Option<String>,
    #[serde(skip)]
    pub reply_tag: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    /// The language the reporter asked for; `None`: the organisation's.
    pub language: Option<String>,
}

const COLUMNS: &str = "id, title, description, affected_versions, unaffected_versions, reporter_name, \
    reporter_email, github, credit_consent, status, status_reason, assignee_id, source, encrypted, \
    origin_message_id, reply_tag, created_at, updated_at, first_response_at, language";

/// The columns of a report that are sealed (`db::sealed`): what it says.
/// The reporter's name and address stay searchable in clear.
pub const SEALED: [&str; 4] = [
    "title",
    "description",
    "affected_versions",
    "unaffected_versions",
];

fn sealed_column(column: &str) -> String {
    format!("reports.{column}")
}

fn report(r: &sqlx::any::AnyRow) -> Result<Report, DbError> {
    let status: String = r.try_get("status")?;
    let id: String = r.try_get("id")?;
    let open = |column: &str| -> Result<String, DbError> {
        Ok(sealed::open_text(
            &sealed_column(column),
            &id,
            r.try_get(column)?,
        )?)
    };
    Ok(Report {
        title: open("title")?,
        description: open("description")?,
        affected_versions: open("affected_versions")?,
        unaffected_versions: open("unaffected_versions")?,
        id,
        reporter_name: r.try_get("reporter_name")?,
        reporter_email: r.try_get("reporter_email")?,
        github: r.try_get("github")?,
        credit_consent: r.try_get::<i64, _>("credit_consent")? != 0,
        status: ReportStatus::parse(&status).map_err(|e| DbError::Decode(Box::new(e)))?,
        status_reason: r.try_get("status_reason")?,
        assignee_id: r.try_get("assignee_id")?,
        source: r.try_get("source")?,
        encrypted: r.try_get::<i64, _>("encrypted")? != 0,
        origin_message_id: r.try_get("origin_message_id")?,
        reply_tag: r.try_get("reply_tag")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        first_response_at: r.try_get("first_response_at")?,
        language: r.try_get("language")?,
    })
}

pub struct Insert<'a> {
    pub report: &'a NewReport,
    pub source: Source,
    pub encrypted: bool,
    pub origin_message_id: Option<&'a str>,
    pub tracking: &'a SecretHash,
    pub reply_tag: &'a str,
}

/// A new report ready to be written: its id chosen and its text sealed,
/// so that a writer's transaction only binds it.
pub struct SealedReport {
    pub id: ReportId,
    title: String,
    description: String,
    affected_versions: String,
    unaffected_versions: String,
    reporter_name: Option<String>,
    reporter_email: Option<String>,
    github: Option<String>,
    credit_consent: bool,
    source: Source,
    encrypted: bool,
    origin_message_id: Option<String>,
    tracking_hash: String,
    reply_tag: String,
    language: Option<String>,
}

/// Chooses ids for `new` and seals their text, before a transaction.
pub fn seal_many(new: &[Insert<'_>]) -> Result<Vec<SealedReport>, DbError> {
    new.iter()
        .map(|new| {
            let id = ReportId::generate();
            let r = new.report;
            let seal = |column: &str, clear: &str| {
                sealed::seal_text(&sealed_column(column), id.as_str(), clear)
            };
            Ok(SealedReport {
                title: seal("title", &r.title)?,
                description: seal("description", &r.description)?,
                affected_versions: seal("affected_versions", &r.affected_versions)?,
                unaffected_versions: seal("unaffected_versions", &r.unaffected_versions)?,
                id,
                reporter_name: r.reporter_name.clone(),
                reporter_email: r.reporter_email.as_ref().map(|e| e.as_str().to_owned()),
                github: r.github.as_ref().map(|g| g.as_str().to_owned()),
                credit_consent: r.credit_consent,
                source: new.source,
                encrypted: new.encrypted,
                origin_message_id: new.origin_message_id.map(str::to_owned),
                tracking_hash: new.tracking.as_str().to_owned(),
                reply_tag: new.reply_tag.to_owned(),
                language: r.language.as_ref().map(|l| l.as_str().to_owned()),
            })
        })
        .collect()
}

/// Writes reports [`seal_many`] sealed, in few statements.
pub async fn insert_sealed(
    conn: &mut AnyConnection,
    sealed: &[SealedReport],
) -> Result<(), DbError> {
    const WIDTH: usize = 18;
    let now = super::now();
    for rows in sealed.chunks(super::rows_per_statement(WIDTH)) {
        // Only placeholders are formatted in; every value is bound.
        let sql = format!(
            "INSERT INTO reports (id, title, description, affected_versions, unaffected_versions, reporter_name, \
             reporter_email, github, credit_consent, status, source, encrypted, origin_message_id, tracking_hash, reply_tag, \
             created_at, updated_at, language) VALUES {}",
            super::placeholders(rows.len(), WIDTH)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in rows {
            q = q
                .bind(s.id.as_str())
                .bind(s.title.as_str())
                .bind(s.description.as_str())
                .bind(s.affected_versions.as_str())
                .bind(s.unaffected_versions.as_str())
                .bind(s.reporter_name.as_deref())
                .bind(s.reporter_email.as_deref())
                .bind(s.github.as_deref())
                .bind(i64::from(s.credit_consent))
                .bind("new")
                .bind(s.source.as_str())
                .bind(i64::from(s.encrypted))
                .bind(s.origin_message_id.as_deref())
                .bind(s.tracking_hash.as_str())
                .bind(s.reply_tag.as_str())
                .bind(now)
                .bind(now)
                .bind(s.language.as_deref());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: &ReportId) -> Result<Option<Report>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.as_str())
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(report)
        .transpose()
}

/// The report a tracking link opens.
pub async fn by_tracking(
    conn: &mut AnyConnection,
    token: &SecretHash,
) -> Result<Option<Report>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE tracking_hash = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(token.as_str())
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(report)
        .transpose()
}

/// The report a plus-address reply tag names.
pub async fn by_reply_tag(conn: &mut AnyConnection, tag: &str) -> Result<Option<Report>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE reply_tag = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(tag)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(report)
        .transpose()
}

/// The report one of our sent mails was about, given Message-IDs that may
/// name one (looked up in one query).
pub async fn by_sent_mail(
    conn: &mut AnyConnection,
    mail_message_ids: &[String],
) -> Result<Option<Report>, DbError> {
    if mail_message_ids.is_empty() {
        return Ok(None);
    }
    let params: Vec<String> = (1..=mail_message_ids.len())
        .map(|i| format!("${i}"))
        .collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE id = (SELECT report_id FROM sent_mail WHERE mail_message_id IN ({}) \
         AND report_id IS NOT NULL LIMIT 1)",
        params.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in mail_message_ids {
        query = query.bind(id);
    }
    query
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(report)
        .transpose()
}

/// Inbox filter.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub status: Option<ReportStatus>,
    /// Case-insensitive substring of the title, the description, or the
    /// reporter's name, address or GitHub handle.
    pub search: Option<String>,
}

/// The inbox, newest first: the page `window` names.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &Filter,
    window: &Window,
) -> Result<Page<Report>, DbError> {
    let key = |r: &Report| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    };
    let Some(needle) = filter.search.as_deref().and_then(super::search::needle) else {
        let rows = read_window(conn, filter.status, window, window.limit()).await?;
        return Ok(window.page(rows, key));
    };
    // What a report says is sealed: matched here, once opened.
    let keep = |r: &Report| {
        super::search::matches(
            &needle,
            [
                r.title.as_str(),
                &r.description,
                r.reporter_name.as_deref().unwrap_or(""),
                r.reporter_email.as_deref().unwrap_or(""),
                r.github.as_deref().unwrap_or(""),
            ],
        )
    };
    let mut scan = super::cursor::Scan::new(window);
    while let Some(at) = scan.next_window() {
        let rows = read_window(conn, filter.status, &at, SCAN_BATCH).await?;
        scan.take(rows, SCAN_BATCH, key, keep);
    }
    Ok(scan.page(key))
}

/// Rows a search reads at a time.
const SCAN_BATCH: i64 = 500;

/// Up to `limit` reports of `status` in `window`, in its order.
async fn read_window(
    conn: &mut AnyConnection,
    status: Option<ReportStatus>,
    window: &Window,
    limit: i64,
) -> Result<Vec<Report>, DbError> {
    let order = window.order();
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE ($1 IS NULL OR status = $1) \
         AND {} ORDER BY created_at {order}, id {order} LIMIT $6",
        Window::condition("created_at", "id", 2)
    );
    let (b_at, b_id, a_at, a_id) = window.bounds();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status.map(|s| s.as_str()))
        .bind(b_at)
        .bind(b_id)
        .bind(a_at)
        .bind(a_id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(report).collect()
}

/// Moves the report from `from` to `status`; false (nothing written) when
/// it is no longer in `from`, because the transition was checked against it.
pub async fn set_status(
    conn: &mut AnyConnection,
    id: &ReportId,
    from: ReportStatus,
    status: ReportStatus,
    reason: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE reports SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4 AND status = $5",
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(super::now())
    .bind(id.as_str())
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn assign(
    conn: &mut AnyConnection,
    id: &ReportId,
    to: Option<&AccountId>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE reports SET assignee_id = $1, updated_at = $2 WHERE id = $3")
        .bind(to.map(|a| a.as_str()))
        .bind(super::now())
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the first answer to the reporter, which stops the overdue clock.
pub async fn mark_responded(conn: &mut AnyConnection, id: &ReportId) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE reports SET first_response_at = $1 WHERE id = $2 AND first_response_at IS NULL",
    )
    .bind(super::now())
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(())
}
