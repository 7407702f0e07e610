//! Keyset pagination: lists are read newest first, a page at a time, and a
//! page ends with a cursor naming its last row, from which the next page
//! starts. Rows are ordered by `(instant, id)` descending, so the order is
//! total and an insertion never shifts a row onto two pages.

/// Rows per page of every paginated list.
pub const PAGE_SIZE: usize = 50;

/// The last row of a page: its instant (microseconds) and id. As text,
/// `INSTANT.ID`, opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

/// A cursor that is not one this service handed out.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a valid page cursor")]
pub struct InvalidCursor;

impl Cursor {
    /// Parses the text form; an empty string is no cursor (the first page).
    pub fn parse(s: &str) -> Result<Option<Self>, InvalidCursor> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let (at, id) = s.split_once('.').ok_or(InvalidCursor)?;
        let at = at.parse::<i64>().map_err(|_| InvalidCursor)?;
        if id.is_empty() || id.len() > 100 {
            return Err(InvalidCursor);
        }
        Ok(Some(Self {
            at,
            id: id.to_owned(),
        }))
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.at, self.id)
    }
}

/// One page of rows and the cursor of the next page (`None` on the last).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Cuts `rows`, read with `LIMIT PAGE_SIZE + 1`, to a page: the extra
    /// row only says that there is a next page.
    pub fn from_rows(mut rows: Vec<T>, key: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() > PAGE_SIZE;
        rows.truncate(PAGE_SIZE);
        let next = if more { rows.last().map(key) } else { None };
        Self { items: rows, next }
    }
}

/// `LIMIT` of a page read: one more than a page.
pub fn limit() -> i64 {
    i64::try_from(PAGE_SIZE).map_or(i64::MAX, |n| n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_written_and_rejects_garbage() {
        let c = Cursor {
            at: 1_700_000_000_000_000,
            id: "SA-2026-0001".into(),
        };
        assert_eq!(Cursor::parse(&c.to_string()), Ok(Some(c)));
        assert_eq!(Cursor::parse(""), Ok(None));
        assert_eq!(Cursor::parse("x.y"), Err(InvalidCursor));
        assert_eq!(Cursor::parse("12"), Err(InvalidCursor));
    }
}
