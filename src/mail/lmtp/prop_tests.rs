//! LMTP's parsers against input nobody thought of: any command line is
//! taken or refused with its reply, and data comes back byte for byte
//! through dot-stuffing, or is refused whole past the limit.

use proptest::collection::vec;
use proptest::prelude::*;

use super::command::{self, Command};
use super::data::{Body, Feed};

/// Message lines: any bytes but line ends, many starting with a dot.
fn lines() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let byte = prop_oneof![
        Just(b'.'),
        any::<u8>().prop_filter("no line end", |b| *b != b'\n' && *b != b'\r')
    ];
    vec(vec(byte, 0..40), 0..30)
}

/// Feeds `line` as the session does: no more than the body's cap.
fn feed(body: &mut Body, line: &[u8]) -> Feed {
    let cap = body.line_cap();
    body.line(&line[..line.len().min(cap)], line.len() > cap)
}

fn stuffed(line: &[u8]) -> Vec<u8> {
    let mut out = if line.starts_with(b".") {
        b".".to_vec()
    } else {
        Vec::new()
    };
    out.extend_from_slice(line);
    out.extend_from_slice(b"\r\n");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_command_line_is_taken_or_refused_with_a_5xx_reply(line in vec(any::<u8>(), 0..300)) {
        if let Err(e) = command::parse(&line) {
            prop_assert!(matches!(e.reply().code, 500 | 501 | 555));
        }
    }

    #[test]
    fn an_announced_size_is_read_whatever_its_value(size in any::<u64>(), lower in any::<bool>()) {
        let verb = if lower { "mail from:" } else { "MAIL FROM:" };
        let line = format!("{verb}<a@example.org> SIZE={size}\r\n");
        prop_assert_eq!(command::parse(line.as_bytes()), Ok(Command::Mail { size: Some(size) }));
    }

    #[test]
    fn dot_stuffed_data_comes_back_as_it_was_sent(lines in lines()) {
        let mut body = Body::new(1 << 20);
        for line in &lines {
            prop_assert_eq!(feed(&mut body, &stuffed(line)), Feed::More);
        }
        prop_assert_eq!(feed(&mut body, b".\r\n"), Feed::End);
        let sent: Vec<u8> = lines.iter().flat_map(|l| l.iter().copied().chain(*b"\r\n")).collect();
        prop_assert_eq!(body.finish(), Ok(sent));
    }

    #[test]
    fn data_past_the_limit_is_refused_whole(lines in lines(), max in 0usize..400) {
        let mut body = Body::new(max);
        for line in &lines {
            prop_assert_ne!(feed(&mut body, &stuffed(line)), Feed::End);
        }
        let size: usize = lines.iter().map(|l| l.len() + 2).sum();
        match body.finish() {
            Ok(kept) => {
                prop_assert!(size <= max);
                prop_assert_eq!(kept.len(), size);
            }
            Err(_) => prop_assert!(size > max),
        }
    }
}
