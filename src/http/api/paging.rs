//! `?limit=&cursor=` of every list of the API, and the `next_cursor` of
//! its answer: one way to page through any `{"items": [...]}`.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::cursor::{Cursor, PAGE_SIZE, Page, Position, Window};
use crate::http::error::Error;

/// The most items one page may hold.
pub const MAX_LIMIT: usize = 200;

/// Items per page, when `limit` is left out, of the lists that answered
/// everything before they were paginated: so a list of up to 200 items
/// reads as before.
pub const WHOLE_LIST: usize = MAX_LIMIT;

/// Items per page of the reports and advisories when `limit` is left out.
pub const DEFAULT_PAGE: usize = PAGE_SIZE;

/// `?limit=&cursor=`: how long a page is and where it starts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200. Left out: 50 for reports and advisories,
    /// 200 for every other list.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before; left out or empty: the first
    /// page. Opaque: pass it back as it came.
    #[param(pattern = "^(-?[0-9]{1,18}\\.[0-9A-Za-z_.-]{1,100})?$")]
    pub cursor: String,
}

/// [`PageQuery`] of a list whose cursor is a member id (the members, by
/// name).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MemberPageQuery {
    /// Items per page, 1 to 200; left out: 200.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before; left out or empty: the first
    /// page. Opaque: pass it back as it came.
    #[param(pattern = "^(mem_[a-km-np-z2-9]{16})?$")]
    pub cursor: String,
}

/// Items per page: `limit`, 1 to [`MAX_LIMIT`], else `default`.
pub fn size(limit: Option<u32>, default: usize) -> Result<usize, Error> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=MAX_LIMIT).contains(&(n as usize)) => Ok(n as usize),
        Some(_) => Err(Error::BadRequest(format!(
            "limit must be from 1 to {MAX_LIMIT}"
        ))),
    }
}

impl PageQuery {
    /// The page asked for, `default` items long unless `limit` says.
    pub fn window(&self, default: usize) -> Result<Window, Error> {
        self.window_or_before("", default)
    }

    /// [`PageQuery::window`] of a list that also takes its cursor as
    /// `before` (the name it had first); `cursor` wins when both are given.
    pub fn window_or_before(&self, before: &str, default: usize) -> Result<Window, Error> {
        let size = size(self.limit, default)?;
        let cursor = crate::http::paging::before(&self.cursor)?;
        let before = crate::http::paging::before(before)?;
        let at = match cursor.or(before) {
            Some(c) => Position::Before(c),
            None => Position::Newest,
        };
        Ok(Window::of(at).sized(size))
    }
}

/// The `next_cursor` of `page`: null on the last page.
pub fn next_cursor<T>(page: &Page<T>) -> Option<String> {
    page.next.as_ref().map(Cursor::to_string)
}

/// [`PageQuery`] of a short list held whole in a fixed order (the
/// templates, the criteria), whose cursor is the key of the last item
/// shown.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct KeyPageQuery {
    /// Items per page, 1 to 200; left out: 200.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before; left out or empty: the first
    /// page. Opaque: pass it back as it came.
    #[param(pattern = "^([0-9A-Za-z_.-]{1,100})?$")]
    pub cursor: String,
}

impl KeyPageQuery {
    /// The page of `items` after the one whose key is the cursor (an
    /// empty last page if none has it) and the next page's cursor.
    pub fn page<T>(
        &self,
        items: Vec<T>,
        key: impl Fn(&T) -> &str,
    ) -> Result<(Vec<T>, Option<String>), Error> {
        let size = size(self.limit, WHOLE_LIST)?;
        let cursor = self.cursor.trim();
        let well_formed = cursor.len() <= 100
            && cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !well_formed {
            return Err(Error::BadRequest("not a valid page cursor".into()));
        }
        let start = match cursor {
            "" => 0,
            c => items
                .iter()
                .position(|i| key(i) == c)
                .map_or(items.len(), |n| n + 1),
        };
        let mut page: Vec<T> = items.into_iter().skip(start).collect();
        let more = page.len() > size;
        page.truncate(size);
        let next = more
            .then(|| page.last().map(|i| key(i).to_owned()))
            .flatten();
        Ok((page, next))
    }
}
