//! Multi-row statements: the `VALUES` lists of batch writes.

/// Most values one multi-row statement binds. SQLite looks each `$N` up in
/// a list of the statement's parameters, so a statement's cost grows with
/// the square of its parameters, while each statement costs a round trip:
/// at 500 the look-ups were 8% of intake's CPU; 128 costs a quarter of
/// that per value for a few more statements.
const VALUES_PER_STATEMENT: usize = 128;

/// Rows of `width` values each that one multi-row statement takes.
pub(crate) const fn rows_per_statement(width: usize) -> usize {
    match VALUES_PER_STATEMENT / width {
        0 => 1,
        rows => rows,
    }
}

/// How a batch statement names its parameters. SQLite finds a `$N` by a
/// linear search of the statement's names, which [`VALUES_PER_STATEMENT`]
/// keeps small; a bare `?`, numbered by its place, needs no search, so on
/// SQLite a statement made of these takes many more rows
/// ([`IN_ORDER_VALUES`]): fewer statements, each a round trip to SQLite's
/// thread. Bound in the order of the statement's text, always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Params {
    /// `?` (SQLite).
    InOrder,
    /// `$1`, `$2`, ... (PostgreSQL).
    Numbered,
}

/// Most values a statement of [`Params::InOrder`] binds.
const IN_ORDER_VALUES: usize = 2_048;

impl Params {
    /// The form `conn`'s database reads fastest.
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Self {
        match conn.backend_name() {
            "SQLite" => Self::InOrder,
            _ => Self::Numbered,
        }
    }

    /// Rows of `width` values each that one statement takes.
    pub(crate) const fn rows(self, width: usize) -> usize {
        let values = match self {
            Self::InOrder => IN_ORDER_VALUES,
            Self::Numbered => VALUES_PER_STATEMENT,
        };
        match values / width {
            0 => 1,
            rows => rows,
        }
    }

    /// The `n`th parameter (from 1), written where the statement's text
    /// binds it.
    pub(crate) fn at(self, n: usize) -> String {
        match self {
            Self::InOrder => "?".to_owned(),
            Self::Numbered => format!("${n}"),
        }
    }

    /// [`placeholders`] in this form.
    pub(crate) fn placeholders(self, rows: usize, width: usize) -> String {
        match self {
            Self::Numbered => placeholders(rows, width),
            Self::InOrder => {
                let row = format!("({})", vec!["?"; width].join(", "));
                vec![row.as_str(); rows].join(", ")
            }
        }
    }

    /// [`list`] in this form.
    pub(crate) fn list(self, from: usize, n: usize) -> String {
        match self {
            Self::Numbered => list(from, n),
            Self::InOrder => vec!["?"; n].join(", "),
        }
    }
}

/// `items` with its last item repeated up to the next power of two (at most
/// `max`, never fewer than `items`): the length a statement over them is
/// written for. sqlx prepares each statement text once per connection and
/// keeps it, so a list of every length from 1 to 100 made each batch a
/// statement SQLite parsed and planned anew; padded, a handful of texts
/// serve all. Only for what a repeat leaves unchanged: an `IN` list, or
/// rows that update the same row the same way twice.
pub(crate) fn padded<T: Copy>(items: &[T], max: usize) -> Vec<T> {
    let len = items.len().next_power_of_two().min(max).max(items.len());
    let mut list = items.to_vec();
    if let Some(&last) = items.last() {
        list.resize(len, last);
    }
    list
}

/// `($1, $2), ($3, $4)` for `rows` rows of `width` values.
pub(crate) fn placeholders(rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 6);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        push_list(&mut sql, row * width + 1, width);
        sql.push(')');
    }
    sql
}

/// `$from, $from+1, ...`: `n` placeholders.
pub(crate) fn list(from: usize, n: usize) -> String {
    let mut sql = String::with_capacity(n * 6);
    push_list(&mut sql, from, n);
    sql
}

// Built for every batch statement: one string, no allocation per value.
fn push_list(sql: &mut String, from: usize, n: usize) {
    use std::fmt::Write;
    for k in from..from + n {
        if k > from {
            sql.push_str(", ");
        }
        let _ = write!(sql, "${k}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(placeholders(1, 1), "($1)");
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(list(9, 3), "$9, $10, $11");
        assert_eq!(placeholders(0, 3), "");
    }

    #[test]
    fn in_order_parameters_are_bare_and_numbered_ones_keep_their_numbers() {
        let (q, n) = (Params::InOrder, Params::Numbered);
        assert_eq!(q.placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(n.placeholders(2, 3), placeholders(2, 3));
        assert_eq!((q.list(9, 3), n.list(9, 3)), ("?, ?, ?".into(), list(9, 3)));
        assert_eq!((q.at(4), n.at(4)), ("?".into(), "$4".into()));
        assert_eq!(q.placeholders(0, 3), "");
        assert_eq!(n.rows(10), rows_per_statement(10));
        assert_eq!(q.rows(10), IN_ORDER_VALUES / 10);
        assert_eq!(q.rows(IN_ORDER_VALUES + 1), 1);
    }

    #[test]
    fn lists_are_padded_to_a_power_of_two_with_their_last_item() {
        let lens = |n: usize, max| padded(&vec![0; n], max).len();
        assert_eq!((lens(0, 100), lens(1, 100), lens(2, 100)), (0, 1, 2));
        assert_eq!((lens(3, 100), lens(5, 100), lens(64, 100)), (4, 8, 64));
        // The chunk's size caps the padding, and nothing is ever cut.
        assert_eq!(
            (lens(65, 100), lens(100, 100), lens(150, 100)),
            (100, 100, 150)
        );
        assert_eq!(padded(&[1, 2, 3], 100), [1, 2, 3, 3]);
        // Fewer distinct lengths than lists: 1 to 100 in 8 texts.
        let distinct: std::collections::HashSet<usize> = (1..=100).map(|n| lens(n, 100)).collect();
        assert_eq!(distinct.len(), 8);
    }

    #[test]
    fn a_statement_takes_at_least_one_row() {
        assert_eq!(rows_per_statement(VALUES_PER_STATEMENT + 1), 1);
        assert_eq!(rows_per_statement(10), VALUES_PER_STATEMENT / 10);
    }
}
