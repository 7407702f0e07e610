//! Mail that arrived OpenPGP-encrypted: the encrypted part as it came, kept
//! beside the plaintext stored in the report or in one message of its
//! thread, with the list key that decrypted it or why none did.

use sqlx::{AnyConnection, Row};

use super::super::DbError;
use crate::domain::id::{CiphertextId, MessageId, ReportId};

/// How a mail carried its OpenPGP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Encryption {
    /// RFC 3156: `multipart/encrypted`, the second part the message.
    PgpMime,
    /// An armored `-----BEGIN PGP MESSAGE-----` block in a text body.
    Inline,
}

impl Encryption {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PgpMime => "pgp_mime",
            Self::Inline => "inline",
        }
    }

    fn parse(s: &str) -> Result<Self, DbError> {
        match s {
            "pgp_mime" => Ok(Self::PgpMime),
            "inline" => Ok(Self::Inline),
            other => Err(DbError::Decode(
                format!("unknown encryption kind {other:?}").into(),
            )),
        }
    }
}

/// An encrypted part to keep.
#[derive(Clone, Copy)]
pub struct NewCiphertext<'a> {
    pub kind: Encryption,
    /// The list key that decrypted it; `None` when it was not decrypted.
    pub fingerprint: Option<&'a str>,
    /// Why it was not decrypted; empty when it was.
    pub reason: &'a str,
    pub content: &'a [u8],
}

impl std::fmt::Debug for NewCiphertext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCiphertext")
            .field("kind", &self.kind)
            .field("fingerprint", &self.fingerprint)
            .field("reason", &self.reason)
            .field("content", &format_args!("{} bytes", self.content.len()))
            .finish()
    }
}

/// What is shown of a kept ciphertext: everything but its bytes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CiphertextInfo {
    pub id: String,
    #[serde(skip)]
    pub message_id: Option<String>,
    pub kind: Encryption,
    /// Whether it was decrypted at intake (then `fingerprint` names the
    /// list key); if not, the stored text is the mail as it came.
    pub decrypted: bool,
    #[schema(required = true)]
    pub fingerprint: Option<String>,
    /// Why it could not be decrypted; empty when it was.
    pub reason: String,
    /// Bytes of the ciphertext.
    pub size: i64,
    /// Hex, of the ciphertext.
    pub sha256: String,
}

/// The encrypted mail as it came, sealed (`db::sealed`).
pub const CIPHERTEXT: &str = "ciphertexts.content";

pub async fn insert_ciphertext(
    conn: &mut AnyConnection,
    report: &ReportId,
    message: Option<&MessageId>,
    c: &NewCiphertext<'_>,
) -> Result<CiphertextId, DbError> {
    let id = CiphertextId::generate();
    sqlx::query(
        "INSERT INTO ciphertexts (id, report_id, message_id, kind, fingerprint, reason, size, sha256, content, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.as_str())
    .bind(report.as_str())
    .bind(message.map(|m| m.as_str()))
    .bind(c.kind.as_str())
    .bind(c.fingerprint)
    .bind(c.reason)
    .bind(c.content.len() as i64)
    .bind(crate::domain::secret::sha256_hex(c.content))
    // Sealed too: a backup holds the list key that would decrypt it.
    .bind(crate::db::sealed::seal_blob(CIPHERTEXT, id.as_str(), c.content)?)
    .bind(super::super::now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// The kept ciphertexts of a report and its thread, oldest first.
pub async fn ciphertexts(
    conn: &mut AnyConnection,
    report: &ReportId,
) -> Result<Vec<CiphertextInfo>, DbError> {
    let rows = sqlx::query(
        "SELECT id, message_id, kind, fingerprint, reason, size, sha256 FROM ciphertexts \
         WHERE report_id = $1 ORDER BY created_at, id",
    )
    .bind(report.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let fingerprint: Option<String> = r.try_get("fingerprint")?;
            Ok(CiphertextInfo {
                id: r.try_get("id")?,
                message_id: r.try_get("message_id")?,
                kind: Encryption::parse(&kind)?,
                decrypted: fingerprint.is_some(),
                fingerprint,
                reason: r.try_get("reason")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
            })
        })
        .collect()
}
