//! One LMTP command line (RFC 2033, with RFC 5321's syntax): the verb and
//! the little of its arguments the server uses. The envelope's addresses
//! are checked for shape and then dropped: intake reads the message's own
//! headers, as the pipe does, and addresses are not logged.

use super::Reply;

/// The largest `MAIL` `SIZE=` worth parsing; anything longer is over any
/// limit.
const MAX_SIZE_DIGITS: usize = 20;
/// RFC 5321's limit on a path, brackets included.
const MAX_PATH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Lhlo,
    /// HELO or EHLO: SMTP's greetings, not LMTP's.
    Helo,
    /// `MAIL FROM:<path>` with the size the client announced.
    Mail {
        size: Option<u64>,
    },
    Rcpt,
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
}

/// Why a line is not a command this server takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandError {
    /// 500: no such verb, or not text.
    Unknown,
    /// 501: the verb's arguments do not parse.
    Syntax(&'static str),
    /// 555: a `MAIL` or `RCPT` parameter this server does not offer.
    Parameter,
}

impl CommandError {
    pub fn reply(self) -> Reply {
        match self {
            Self::Unknown => Reply::new(500, "5.5.2 command not recognised"),
            Self::Syntax(usage) => Reply::new(501, &format!("5.5.4 syntax: {usage}")),
            Self::Parameter => Reply::new(555, "5.5.4 parameter not supported"),
        }
    }
}

/// Parses one command line, with or without its line ending.
pub fn parse(line: &[u8]) -> Result<Command, CommandError> {
    let line = line
        .strip_suffix(b"\n")
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .unwrap_or(line);
    let line = std::str::from_utf8(line).map_err(|_| CommandError::Unknown)?;
    if line.chars().any(|c| c.is_control() && c != '\t') {
        return Err(CommandError::Unknown);
    }
    let (verb, rest) = match line.split_once(' ') {
        Some((v, r)) => (v, r.trim()),
        None => (line, ""),
    };
    let bare = |cmd: Command, usage: &'static str| {
        if rest.is_empty() {
            Ok(cmd)
        } else {
            Err(CommandError::Syntax(usage))
        }
    };
    match verb.to_ascii_uppercase().as_str() {
        "LHLO" if !rest.is_empty() && !rest.contains(' ') => Ok(Command::Lhlo),
        "LHLO" => Err(CommandError::Syntax("LHLO domain")),
        "HELO" | "EHLO" => Ok(Command::Helo),
        "MAIL" => mail(rest),
        "RCPT" => rcpt(rest),
        "DATA" => bare(Command::Data, "DATA"),
        "RSET" => bare(Command::Rset, "RSET"),
        "QUIT" => bare(Command::Quit, "QUIT"),
        // NOOP and VRFY may carry an argument, which means nothing here.
        "NOOP" => Ok(Command::Noop),
        "VRFY" => Ok(Command::Vrfy),
        _ => Err(CommandError::Unknown),
    }
}

const MAIL_USAGE: &str = "MAIL FROM:<address> [SIZE=n] [BODY=7BIT|8BITMIME]";
const RCPT_USAGE: &str = "RCPT TO:<address>";

fn mail(rest: &str) -> Result<Command, CommandError> {
    let bad = CommandError::Syntax(MAIL_USAGE);
    let args = strip_prefix_ignore_case(rest, "FROM:").ok_or(bad)?;
    // The reverse-path (`<>` on bounces) goes unused: intake reads From.
    let (_, params) = path(args).ok_or(bad)?;
    let mut size = None;
    for param in params.split(' ').filter(|p| !p.is_empty()) {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        match key.to_ascii_uppercase().as_str() {
            "SIZE" if size.is_some() => return Err(bad),
            "SIZE" => size = Some(parse_size(value).ok_or(bad)?),
            "BODY" if matches!(value.to_ascii_uppercase().as_str(), "7BIT" | "8BITMIME") => {}
            _ => return Err(CommandError::Parameter),
        }
    }
    Ok(Command::Mail { size })
}

fn rcpt(rest: &str) -> Result<Command, CommandError> {
    let bad = CommandError::Syntax(RCPT_USAGE);
    let args = strip_prefix_ignore_case(rest, "TO:").ok_or(bad)?;
    let (path, params) = path(args).ok_or(bad)?;
    if path.is_empty() {
        return Err(bad);
    }
    if !params.trim().is_empty() {
        return Err(CommandError::Parameter);
    }
    Ok(Command::Rcpt)
}

/// `SIZE=` digits; values too long to hold are as good as infinite.
fn parse_size(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if value.len() > MAX_SIZE_DIGITS {
        return Some(u64::MAX);
    }
    Some(value.parse().unwrap_or(u64::MAX))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s[prefix.len()..].trim_start())
}

/// Splits `<path> params` into the path between the angle brackets and the
/// rest. A `>` or a space inside a quoted local part does not end the path.
fn path(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('<')?;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return None,
            '>' if !quoted => {
                let (path, rest) = (&inner[..i], &inner[i + 1..]);
                let ok = path.len() + 2 <= MAX_PATH && (rest.is_empty() || rest.starts_with(' '));
                return ok.then_some((path, rest));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_are_case_insensitive_and_line_endings_optional() {
        assert_eq!(parse(b"LHLO client.example\r\n"), Ok(Command::Lhlo));
        assert_eq!(parse(b"lhlo client.example\n"), Ok(Command::Lhlo));
        assert_eq!(parse(b"DaTa"), Ok(Command::Data));
        assert_eq!(parse(b"QUIT\r\n"), Ok(Command::Quit));
        assert_eq!(parse(b"RSET\r\n"), Ok(Command::Rset));
        assert_eq!(parse(b"NOOP anything\r\n"), Ok(Command::Noop));
        assert_eq!(parse(b"EHLO x\r\n"), Ok(Command::Helo));
    }

    #[test]
    fn mail_from_takes_size_and_body_and_refuses_other_parameters() {
        assert_eq!(
            parse(b"MAIL FROM:<a@example.net>\r\n"),
            Ok(Command::Mail { size: None })
        );
        assert_eq!(
            parse(b"mail from:<> SIZE=1234 BODY=8BITMIME\r\n"),
            Ok(Command::Mail { size: Some(1234) })
        );
        assert_eq!(
            parse(b"MAIL FROM: <a@example.net> size=99999999999999999999999999\r\n"),
            Ok(Command::Mail {
                size: Some(u64::MAX)
            })
        );
        assert_eq!(
            parse(b"MAIL FROM:<a@example.net> SMTPUTF8\r\n"),
            Err(CommandError::Parameter)
        );
        assert_eq!(
            parse(b"MAIL FROM:<a@example.net> BODY=BINARYMIME\r\n"),
            Err(CommandError::Parameter)
        );
        for bad in [
            "MAIL a@example.net",
            "MAIL FROM:a@example.net",
            "MAIL FROM:<a@example.net",
            "MAIL FROM:<a@example.net>SIZE=1",
            "MAIL FROM:<a b@example.net>",
            "MAIL FROM:<a@example.net> SIZE=",
            "MAIL FROM:<a@example.net> SIZE=-1",
            "MAIL FROM:<a@example.net> SIZE=1 SIZE=2",
        ] {
            assert!(
                matches!(parse(bad.as_bytes()), Err(CommandError::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn rcpt_to_needs_a_path_and_takes_no_parameters() {
        assert_eq!(
            parse(b"RCPT TO:<security+tag@project.test>\r\n"),
            Ok(Command::Rcpt)
        );
        assert_eq!(
            parse(b"RCPT TO:<\"odd > local\"@project.test>\r\n"),
            Ok(Command::Rcpt)
        );
        assert_eq!(
            parse(b"RCPT TO:<a@project.test> NOTIFY=NEVER\r\n"),
            Err(CommandError::Parameter)
        );
        for bad in ["RCPT TO:<>", "RCPT a@b", "RCPT TO:", "RCPT TO:<a@b"] {
            assert!(
                matches!(parse(bad.as_bytes()), Err(CommandError::Syntax(_))),
                "{bad}"
            );
        }
        let long = format!("RCPT TO:<{}@b>", "a".repeat(300));
        assert!(matches!(
            parse(long.as_bytes()),
            Err(CommandError::Syntax(_))
        ));
    }

    #[test]
    fn nonsense_is_unknown_or_a_syntax_error() {
        assert_eq!(parse(b"STARTTLS\r\n"), Err(CommandError::Unknown));
        assert_eq!(parse(b"\xff\xfe\r\n"), Err(CommandError::Unknown));
        assert_eq!(parse(b"DATA\0\r\n"), Err(CommandError::Unknown));
        assert_eq!(parse(b"\r\n"), Err(CommandError::Unknown));
        assert!(matches!(parse(b"LHLO\r\n"), Err(CommandError::Syntax(_))));
        assert!(matches!(
            parse(b"DATA now\r\n"),
            Err(CommandError::Syntax(_))
        ));
    }

    #[test]
    fn errors_answer_with_their_codes() {
        assert_eq!(CommandError::Unknown.reply().code, 500);
        assert_eq!(CommandError::Syntax("X").reply().code, 501);
        assert_eq!(CommandError::Parameter.reply().code, 555);
    }
}
