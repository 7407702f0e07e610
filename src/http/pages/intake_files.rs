//! The multipart forms of the reporter's pages (the report form, the
//! tracking page's message): text fields and files, read under the same
//! limits. A file over the per-file limit, or a request over the body
//! limit, is not an error page: the form comes back with what was typed
//! and the limit named at its file field.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

use crate::db::reports::NewAttachment;
use crate::http::body::{NUL_MESSAGE, has_nul, invalid, lf};
use crate::http::error::Error;

/// What a multipart form sent.
#[derive(Debug, Default)]
pub struct Posted {
    /// Text fields in order, with LF line ends.
    fields: Vec<(String, String)>,
    pub files: Vec<NewAttachment>,
    /// Why a file was refused for its size, for the file field.
    pub too_large: Option<String>,
}

impl Posted {
    /// The first value of text field `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        let found = self.fields.iter().find(|(k, _)| k == name);
        found.map_or("", |(_, v)| v.as_str())
    }
}

/// `bytes` as a person reads a limit: `10 MiB`, `1.5 MiB`, `512 KiB`.
pub fn mib(bytes: usize) -> String {
    let (n, unit) = match bytes {
        b if b >= 1024 * 1024 => (b as f64 / (1024.0 * 1024.0), "MiB"),
        b => (b as f64 / 1024.0, "KiB"),
    };
    match n.fract() == 0.0 {
        true => format!("{n:.0} {unit}"),
        false => format!("{n:.1} {unit}"),
    }
}

/// Reads every field. Files may come under `file_field` (several, or
/// none: an empty file input sends a part without a name or content);
/// each is at most `max_file` bytes. Text holding a NUL character is 422;
/// a broken body is 400.
pub async fn read(
    mut multipart: Multipart,
    file_field: &str,
    max_file: usize,
    max_body: usize,
) -> Result<Posted, Error> {
    let mut posted = Posted::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return over_body(posted, e, max_body),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let filename = field.file_name().unwrap_or_default().to_owned();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            if has_nul(&filename) || has_nul(&content_type) {
                return Err(invalid(file_field, NUL_MESSAGE));
            }
            let content = match field.bytes().await {
                Ok(c) => c,
                Err(e) => return over_body(posted, e, max_body),
            };
            if content.len() > max_file {
                posted.too_large = Some(format!(
                    "{filename} is {}, over the limit of {} a file. Choose a smaller file or leave it out; what you typed is kept, but files must be chosen again.",
                    mib(content.len()),
                    mib(max_file)
                ));
            } else if !filename.is_empty() && !content.is_empty() {
                posted.files.push(NewAttachment {
                    filename,
                    content_type,
                    content: content.to_vec(),
                });
            }
            continue;
        }
        let text = match field.text().await {
            Ok(t) => t,
            Err(e) => return over_body(posted, e, max_body),
        };
        if has_nul(&text) || has_nul(&name) {
            let named = if has_nul(&name) {
                "body"
            } else {
                name.as_str()
            };
            return Err(invalid(named, NUL_MESSAGE));
        }
        posted.fields.push((name, lf(&text).into_owned()));
    }
    Ok(posted)
}

/// A body over the request limit keeps the fields read so far (the file
/// field comes last in our forms); when the limit struck before the CSRF
/// field was read, the form cannot be answered, and it is the 413 page.
/// Any other failure is 400.
fn over_body(mut posted: Posted, e: MultipartError, max_body: usize) -> Result<Posted, Error> {
    if e.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return Err(Error::BadRequest(e.body_text()));
    }
    if posted.get("csrf").is_empty() {
        return Err(Error::TooLarge);
    }
    posted.files.clear();
    posted.too_large = Some(format!(
        "The files are over the limit of {} for everything sent at once. Choose smaller files or fewer; what you typed is kept, but files must be chosen again.",
        mib(max_body)
    ));
    Ok(posted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_in_mib() {
        assert_eq!(mib(10 * 1024 * 1024), "10 MiB");
        assert_eq!(mib(512 * 1024), "512 KiB");
        assert_eq!(mib(1024), "1 KiB");
        assert_eq!(mib(1536 * 1024), "1.5 MiB");
    }
}
