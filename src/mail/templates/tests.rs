use super::check::check;
use super::*;
use crate::domain::mail_kind::MailKind;

fn sources(subject: &str, text: &str) -> Sources {
    Sources {
        subject: subject.into(),
        text: text.into(),
        html: None,
    }
}

fn error(kind: MailKind, s: &Sources, field: &str) -> String {
    let errors = check(kind, s).expect_err("refused");
    let json = serde_json::to_value(&errors).unwrap();
    json[field].as_str().unwrap_or_default().to_owned()
}

const GOOD: &str = "Hello {{ reporter_name }},\n\nfollow it here: {{ tracking_url }}\n";

#[test]
fn a_good_template_previews_on_the_example_data() {
    let out = check(MailKind::ReportReceived, &sources("Got {{ title }}", GOOD)).unwrap();
    assert_eq!(out.subject, "Got Path traversal in the archive extractor");
    assert!(
        out.text
            .contains("https://security.example.org/track/example-tracking-token")
    );
}

#[test]
fn an_unknown_variable_is_named_with_its_line() {
    let text = "Hello,\n\n{{ tracking_url }}\n{{ tracking_link }}\n";
    let e = error(MailKind::ReportReceived, &sources("s", text), "text");
    assert_eq!(e, "line 4: unknown variable `tracking_link`");
}

#[test]
fn a_syntax_error_is_named_with_its_line() {
    let text = "Hello\n{{ tracking_url }}\n{% if title %}\nno end\n";
    let e = error(MailKind::ReportReceived, &sources("s", text), "text");
    assert!(e.starts_with("line "), "{e}");
    assert!(e.contains("syntax error"), "{e}");
}

#[test]
fn a_missing_required_variable_is_refused() {
    let e = error(
        MailKind::ReportReceived,
        &sources("s", "Thanks for {{ title }}."),
        "text",
    );
    assert_eq!(
        e,
        "missing required variable `tracking_url`: the mail exists for it"
    );
}

#[test]
fn unknown_and_unsafe_filters_are_refused() {
    let text = format!("{GOOD}{{{{ title | shout }}}}\n");
    let e = error(MailKind::ReportReceived, &sources("s", &text), "text");
    assert_eq!(e, "line 4: unknown filter `shout`");
    let html = Sources {
        html: Some("<p>{{ title | safe }}</p>".into()),
        ..sources("s", GOOD)
    };
    let e = error(MailKind::ReportReceived, &html, "html");
    assert_eq!(e, "line 1: unknown filter `safe`");
}

#[test]
fn templates_reach_nothing_outside_their_context() {
    for text in [
        "{% include \"pages/base.html.j2\" %}",
        "{% extends \"x\" %}",
        "{% import \"x\" as y %}",
        "{% from \"x\" import y %}",
        "{% autoescape false %}x{% endautoescape %}",
    ] {
        let e = error(
            MailKind::ReportReceived,
            &sources("s", &format!("{GOOD}{text}")),
            "text",
        );
        assert!(e.contains("is not allowed"), "{text}: {e}");
    }
    let e = error(
        MailKind::ReportReceived,
        &sources("s", &format!("{GOOD}{{{{ debug() }}}}")),
        "text",
    );
    assert!(e.contains("unknown variable `debug`"), "{e}");
}

#[test]
fn html_parts_are_escaped_and_subjects_stay_one_line() {
    let s = Sources {
        subject: "{{ title }}\nBcc: x@example.org".into(),
        text: GOOD.into(),
        html: Some("<p>{{ title }}</p>".into()),
    };
    let compiled = Compiled::new(&s).unwrap();
    let ctx = Value::from_serialize(serde_json::json!({"title": "<b>x</b>\r\nBcc: y"}));
    let out = compiled.render(&ctx).unwrap();
    assert_eq!(
        out.html.as_deref(),
        Some("<p>&lt;b&gt;x&lt;&#x2f;b&gt;\r\nBcc: y</p>")
    );
    assert!(!out.subject.contains(['\r', '\n']), "{:?}", out.subject);
}

#[test]
fn a_runaway_loop_runs_out_of_fuel() {
    let s = sources(
        "s",
        "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}",
    );
    let e = Compiled::new(&s)
        .unwrap()
        .render(&Value::from(()))
        .unwrap_err();
    assert!(e.message.contains("fuel"), "{}", e.message);
}

#[test]
fn output_is_limited_in_size() {
    let s = sources(
        "s",
        "{% for i in range(100) %}{{ 'x' * 20000 }}{% endfor %}",
    );
    let e = Compiled::new(&s)
        .unwrap()
        .render(&Value::from(()))
        .unwrap_err();
    assert!(e.message.contains("more than"), "{}", e.message);
}

#[test]
fn oversize_sources_are_refused() {
    let text = format!("{GOOD}{}", "x".repeat(MAX_SOURCE));
    let e = error(MailKind::ReportReceived, &sources("s", &text), "text");
    assert!(e.contains("longer than"), "{e}");
}

#[test]
fn datetime_filter_formats_utc() {
    assert_eq!(format_datetime(0), "1970-01-01 00:00 UTC");
}
