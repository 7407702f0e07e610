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
    fn a_statement_takes_at_least_one_row() {
        assert_eq!(rows_per_statement(VALUES_PER_STATEMENT + 1), 1);
        assert_eq!(rows_per_statement(10), VALUES_PER_STATEMENT / 10);
    }
}
