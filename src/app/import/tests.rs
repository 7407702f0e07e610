use super::*;

#[test]
fn csv_fields_quotes_and_lines() {
    let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\n\n\"multi\nline\",2,3\nlast,,";
    let r = split_csv(text).unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(r[0], (1, vec!["a".into(), "b".into(), "c".into()]));
    assert_eq!(
        r[1],
        (2, vec!["x, y".into(), "say \"hi\"".into(), "".into()])
    );
    assert_eq!(
        r[2],
        (4, vec!["multi\nline".into(), "2".into(), "3".into()])
    );
    assert_eq!(r[3], (6, vec!["last".into(), "".into(), "".into()]));
    assert_eq!(split_csv("a,\"b\nc").unwrap_err().0, 1);
    assert_eq!(split_csv("a\nb\"c\n").unwrap_err().0, 2);
    assert_eq!(split_csv("a\n\"b\"c\n").unwrap_err().0, 2);
}

#[test]
fn dates_are_rfc3339_and_not_in_the_future() {
    let now: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    assert_eq!(
        parse_date("2024-03-01", now).unwrap().to_string(),
        "2024-03-01T00:00:00Z"
    );
    assert_eq!(
        parse_date("2024-03-01T10:00:00+02:00", now)
            .unwrap()
            .to_string(),
        "2024-03-01T08:00:00Z"
    );
    assert!(parse_date("2024-03-01T10:00:00", now).is_err());
    assert!(parse_date("01/03/2024", now).is_err());
    assert!(
        parse_date("2027-01-01", now)
            .unwrap_err()
            .contains("future")
    );
}
