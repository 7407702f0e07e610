//! The `?before=` and `?after=` cursors of paginated lists, as pages and
//! the API take them and hand them on.

use super::error::Error;
use crate::db::cursor::{Cursor, Page, Position, Window};

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

/// The page `?before=` or `?after=` asks for (the newest with neither);
/// both at once, or a cursor this service did not hand out, is 400.
pub fn window(before: &str, after: &str) -> Result<Window, Error> {
    match (self::before(before)?, self::before(after)?) {
        (None, None) => Ok(Window::default()),
        (Some(b), None) => Ok(Window::of(Position::Before(b))),
        (None, Some(a)) => Ok(Window::of(Position::After(a))),
        (Some(_), Some(_)) => Err(Error::BadRequest(
            "a page is either before or after a cursor, not both".into(),
        )),
    }
}

/// The links a list page shows around itself, keeping its filters and
/// search (`params`) in each.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Links {
    /// The page of newer rows.
    pub prev: Option<String>,
    /// The page of older rows.
    pub next: Option<String>,
    /// The first page, for a page that has no `prev` but is not the first
    /// (a cursor whose rows went away).
    pub first: Option<String>,
}

impl Links {
    pub fn of<T>(path: &str, params: &[(&str, &str)], window: &Window, page: &Page<T>) -> Self {
        let with = |key: &str, c: &Cursor| {
            let c = c.to_string();
            let mut all = params.to_vec();
            all.push((key, &c));
            link(path, &all, None)
        };
        let lost = page.prev.is_none() && matches!(window.at, Position::Before(_));
        let first = lost.then(|| link(path, params, None));
        Self {
            prev: page.prev.as_ref().map(|c| with("after", c)),
            next: page.next.as_ref().map(|c| with("before", c)),
            first,
        }
    }
}
