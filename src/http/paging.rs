//! The `?before=` cursor of paginated lists, as pages and the API take it
//! and hand it on.

use super::error::Error;
use crate::db::cursor::Cursor;

/// The cursor in `?before=`; a cursor this service did not hand out is 400.
pub fn before(text: &str) -> Result<Option<Cursor>, Error> {
    Cursor::parse(text).map_err(|e| Error::BadRequest(e.to_string()))
}

/// The link to the next page: `path` with `params` and `before=` the
/// cursor; `None` on the last page.
pub fn next_link(path: &str, params: &[(&str, &str)], next: Option<&Cursor>) -> Option<String> {
    let next = next?.to_string();
    Some(link(path, params, Some(&next)))
}

/// `path` with `params` (empty ones left out) and, if given, `before=`.
pub fn link(path: &str, params: &[(&str, &str)], before: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.trim().is_empty()) {
        query.append_pair(k, v.trim());
    }
    if let Some(b) = before {
        query.append_pair("before", b);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}
