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
    /// The cursor of the page before (newer rows), to pass as `after`;
    /// `None` on the first page, and where the read did not look back.
    pub prev: Option<Cursor>,
}

impl<T> Page<T> {
    /// Cuts `rows`, read with `LIMIT PAGE_SIZE + 1`, to a page: the extra
    /// row only says that there is a next page.
    pub fn from_rows(mut rows: Vec<T>, key: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() > PAGE_SIZE;
        rows.truncate(PAGE_SIZE);
        let next = if more { rows.last().map(key) } else { None };
        Self {
            items: rows,
            next,
            prev: None,
        }
    }
}

/// Which page of a list to read: the newest, the one older than a cursor
/// (`?before=`, going forward), or the one newer than a cursor (`?after=`,
/// going back), and how many rows it holds. Each is one query bounded by
/// [`Window::limit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub at: Position,
    /// Rows per page: [`PAGE_SIZE`] unless the API's `?limit=` said.
    pub size: usize,
}

/// Where a [`Window`] starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Position {
    #[default]
    Newest,
    Before(Cursor),
    After(Cursor),
}

impl Default for Window {
    fn default() -> Self {
        Self::of(Position::Newest)
    }
}

impl Window {
    /// A page of [`PAGE_SIZE`] rows at `at`.
    pub fn of(at: Position) -> Self {
        Self {
            at,
            size: PAGE_SIZE,
        }
    }

    /// The window of a `before` cursor alone, as the API takes it.
    pub fn before(cursor: Option<&Cursor>) -> Self {
        Self::of(cursor.map_or(Position::Newest, |c| Position::Before(c.clone())))
    }

    /// This window with `size` rows a page (at least one).
    pub fn sized(self, size: usize) -> Self {
        Self {
            size: size.max(1),
            ..self
        }
    }

    /// `LIMIT` of this window's read: one more than a page.
    pub fn limit(&self) -> i64 {
        i64::try_from(self.size).map_or(i64::MAX, |n| n.saturating_add(1))
    }

    /// [`Window::condition`] for a list ordered oldest (smallest) first:
    /// `before` a cursor are the rows after it in that order.
    pub fn ascending_condition(at: &str, id: &str, n: usize) -> String {
        let (a, b, c, d) = (n, n + 1, n + 2, n + 3);
        format!(
            "(${a} IS NULL OR {at} > ${a} OR ({at} = ${a} AND {id} > ${b})) \
             AND (${c} IS NULL OR {at} < ${c} OR ({at} = ${c} AND {id} < ${d}))"
        )
    }

    /// [`Window::order`] for a list ordered with [`Window::ascending_condition`].
    pub fn ascending_order(&self) -> &'static str {
        match self.at {
            Position::After(_) => "DESC",
            _ => "ASC",
        }
    }

    /// The rest of this window past `last`, a row read in its order: the
    /// next batch of a scan.
    pub fn past(&self, last: Cursor) -> Self {
        let at = match self.at {
            Position::After(_) => Position::After(last),
            _ => Position::Before(last),
        };
        Self {
            at,
            size: self.size,
        }
    }

    /// The keyset condition on `(at, id)` columns, with the window's four
    /// values bound from `$n` on (see [`Window::bounds`]).
    pub fn condition(at: &str, id: &str, n: usize) -> String {
        let (a, b, c, d) = (n, n + 1, n + 2, n + 3);
        format!(
            "(${a} IS NULL OR {at} < ${a} OR ({at} = ${a} AND {id} < ${b})) \
             AND (${c} IS NULL OR {at} > ${c} OR ({at} = ${c} AND {id} > ${d}))"
        )
    }

    /// The values [`Window::condition`] binds, in order: the `before`
    /// instant and id, then the `after` instant and id.
    pub fn bounds(&self) -> (Option<i64>, Option<&str>, Option<i64>, Option<&str>) {
        match &self.at {
            Position::Newest => (None, None, None, None),
            Position::Before(c) => (Some(c.at), Some(c.id.as_str()), None, None),
            Position::After(c) => (None, None, Some(c.at), Some(c.id.as_str())),
        }
    }

    /// `query` with what [`Window::condition`] and the page's `LIMIT`
    /// take bound next, in that order (the bounds, then [`Window::limit`]).
    pub fn bind<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        let (b_at, b_id, a_at, a_id) = self.bounds();
        query
            .bind(b_at)
            .bind(b_id)
            .bind(a_at)
            .bind(a_id)
            .bind(self.limit())
    }

    /// `DESC`, or `ASC` for a page read upward from its `after` cursor
    /// (the rows nearest the cursor first); [`Window::page`] turns it.
    pub fn order(&self) -> &'static str {
        match self.at {
            Position::After(_) => "ASC",
            _ => "DESC",
        }
    }

    /// Cuts `rows`, read in [`Window::order`] with [`Window::limit`], to a
    /// page in the list's order with the cursors of the pages either side.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> Cursor) -> Page<T> {
        let more = rows.len() > self.size;
        rows.truncate(self.size);
        let (next, prev) = match self.at {
            Position::Newest => (more.then(|| rows.last().map(&key)).flatten(), None),
            // The cursor's own row is older (newer) than this page, so
            // there is a page that way whenever this one is not empty.
            Position::Before(_) => (
                more.then(|| rows.last().map(&key)).flatten(),
                rows.first().map(&key),
            ),
            Position::After(_) => {
                rows.reverse();
                (
                    rows.last().map(&key),
                    more.then(|| rows.first().map(&key)).flatten(),
                )
            }
        };
        Page {
            items: rows,
            next,
            prev,
        }
    }
}

/// The page of a window holding only the rows a test accepts, read a batch
/// at a time until a page is full or the list ends: how a search matches
/// sealed text, which the database cannot.
///
/// ```ignore
/// let mut scan = Scan::new(window);
/// while let Some(at) = scan.next_window() {
///     let rows = read(conn, &at, BATCH).await?;
///     scan.take(rows, BATCH, &key, &keep);
/// }
/// Ok(scan.page(key))
/// ```
pub struct Scan<'w, T> {
    window: &'w Window,
    at: Option<Window>,
    kept: Vec<T>,
}

impl<'w, T> Scan<'w, T> {
    pub fn new(window: &'w Window) -> Self {
        Self {
            window,
            at: Some(window.clone()),
            kept: Vec::new(),
        }
    }

    /// Where to read the next batch; `None` once the page is decided.
    pub fn next_window(&self) -> Option<Window> {
        self.at.clone()
    }

    /// Keeps the rows of a batch of up to `batch` rows that `keep` accepts.
    pub fn take(
        &mut self,
        rows: Vec<T>,
        batch: i64,
        key: impl Fn(&T) -> Cursor,
        keep: impl Fn(&T) -> bool,
    ) {
        let full = i64::try_from(rows.len()).is_ok_and(|n| n == batch);
        let last = rows.last().map(&key);
        self.kept.extend(rows.into_iter().filter(|r| keep(r)));
        self.at = match (&self.at, last) {
            (Some(at), Some(last)) if full && self.kept.len() <= self.window.size => {
                Some(at.past(last))
            }
            _ => None,
        };
    }

    /// The page of what was kept.
    pub fn page(self, key: impl Fn(&T) -> Cursor) -> Page<T> {
        self.window.page(self.kept, key)
    }
}

/// `LIMIT` of a page read of [`PAGE_SIZE`]: one more than a page.
pub fn limit() -> i64 {
    Window::default().limit()
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

    fn at(i: i64) -> Cursor {
        Cursor {
            at: i,
            id: format!("r{i}"),
        }
    }

    /// Rows `from` down to `to` (or up, as an `after` read gets them).
    fn rows(range: impl Iterator<Item = i64>) -> Vec<i64> {
        range.collect()
    }

    #[test]
    fn a_scan_reads_batches_until_a_page_of_matches_is_full() {
        // Rows 120 down to 1, newest first; only the even ones match.
        let read = |w: &Window, n: i64| -> Vec<i64> {
            let top = match &w.at {
                Position::Before(c) => c.at - 1,
                _ => 120,
            };
            (1..=top).rev().take(n as usize).collect()
        };
        let window = Window::default();
        let mut scan = Scan::new(&window);
        let mut reads = 0;
        while let Some(w) = scan.next_window() {
            reads += 1;
            scan.take(read(&w, 7), 7, |r| at(*r), |r| r % 2 == 0);
        }
        let page = scan.page(|r| at(*r));
        assert_eq!(page.items.len(), PAGE_SIZE);
        assert_eq!(page.items[0], 120);
        assert_eq!(page.items[PAGE_SIZE - 1], 22);
        assert_eq!(page.next, Some(at(22)));
        // 51 matches (a page and one) are in the newest 102 rows: 15 reads.
        assert_eq!(reads, 15);

        // A list that ends first: every match, no next page.
        let mut scan = Scan::new(&window);
        while let Some(w) = scan.next_window() {
            scan.take(read(&w, 500), 500, |r| at(*r), |r| r % 40 == 0);
        }
        let page = scan.page(|r| at(*r));
        assert_eq!(page.items, [120, 80, 40]);
        assert_eq!(page.next, None);
    }

    #[test]
    fn windows_walk_forward_and_back_over_the_same_pages() {
        let size = PAGE_SIZE as i64;
        // 120 rows, 120 newest; a read takes one row more than a page.
        let first = Window::default().page(rows((120 - size..=120).rev()), |r| at(*r));
        assert_eq!(first.items.first(), Some(&120));
        assert_eq!(first.items.len(), PAGE_SIZE);
        assert_eq!(first.prev, None);
        let next = first.next.clone().expect("a second page");
        assert_eq!(next, at(71));

        let second = Window::of(Position::Before(next)).page(rows((20..=70).rev()), |r| at(*r));
        assert_eq!(second.items.first(), Some(&70));
        assert_eq!(second.prev, Some(at(70)));
        assert_eq!(second.next, Some(at(21)));

        // Back from the second page: the rows above 70, read upward.
        let back = Window::of(Position::After(at(70))).page(rows(71..=120), |r| at(*r));
        assert_eq!(back.items, first.items, "the first page again");
        assert_eq!(back.prev, None, "nothing newer");
        assert_eq!(back.next, Some(at(71)));

        let last = Window::of(Position::Before(at(21))).page(rows((1..=20).rev()), |r| at(*r));
        assert_eq!((last.items.len(), last.next), (20, None));
        let back = Window::of(Position::After(at(20))).page(rows(21..=71), |r| at(*r));
        assert_eq!(back.items.first(), Some(&70));
        assert_eq!(back.prev, Some(at(70)), "more above");
    }
}
