//! The LMTP session's state machine, without IO: what each command line
//! answers, and when the message's data starts. The listener
//! (`server.rs`) reads lines and writes the replies this returns.

use super::Reply;
use super::command::{self, Command};

/// Refused commands after which the session is closed: a client this
/// confused is not an MTA worth waiting for.
const MAX_ERRORS: usize = 10;

/// What the server does after a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Answer, then read the next command.
    Reply(Reply),
    /// Answer (354), then read the message's data.
    Data(Reply),
    /// Answer, then close the connection.
    Close(Reply),
}

/// Limits a session enforces.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The name the server greets with.
    pub hostname: String,
    /// Largest message, as announced with `SIZE` and as read.
    pub max_message_bytes: usize,
    /// Recipients of one transaction.
    pub max_recipients: usize,
}

#[derive(Debug)]
pub struct Session {
    limits: Limits,
    greeted: bool,
    /// Inside a transaction: after a `MAIL` until `RSET` or the data's end.
    mail: bool,
    /// Accepted recipients of this transaction; each gets a reply after
    /// the data (RFC 2033, 4.2).
    recipients: usize,
    errors: usize,
}

impl Session {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            greeted: false,
            mail: false,
            recipients: 0,
            errors: 0,
        }
    }

    pub fn greeting(&self) -> Reply {
        Reply::new(220, &format!("{} LMTP embargo ready", self.limits.hostname))
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Answers one command line (its line ending included or not).
    pub fn command(&mut self, line: &[u8]) -> Step {
        match command::parse(line) {
            Ok(cmd) => self.apply(cmd),
            Err(e) => self.refuse(e.reply()),
        }
    }

    /// Answers a command line longer than the server reads.
    pub fn line_too_long(&mut self) -> Step {
        self.refuse(Reply::new(500, "5.5.2 line too long"))
    }

    /// Ends the transaction whose data was read; how many replies it owes.
    pub fn data_read(&mut self) -> usize {
        let owed = self.recipients;
        self.reset();
        owed
    }

    fn apply(&mut self, cmd: Command) -> Step {
        let max = self.limits.max_message_bytes;
        match cmd {
            Command::Lhlo => {
                self.greeted = true;
                self.reset();
                Step::Reply(Reply::lines(
                    250,
                    &[
                        &self.limits.hostname,
                        "PIPELINING",
                        "ENHANCEDSTATUSCODES",
                        "8BITMIME",
                        &format!("SIZE {max}"),
                    ],
                ))
            }
            Command::Helo => self.refuse(Reply::new(500, "5.5.1 this is LMTP: send LHLO")),
            Command::Quit => Step::Close(Reply::new(221, "2.0.0 bye")),
            Command::Noop => Step::Reply(Reply::new(250, "2.0.0 ok")),
            Command::Rset => {
                self.reset();
                Step::Reply(Reply::new(250, "2.0.0 ok"))
            }
            Command::Vrfy => Step::Reply(Reply::new(252, "2.5.0 not verified; send the mail")),
            _ if !self.greeted => self.refuse(Reply::new(503, "5.5.1 send LHLO first")),
            Command::Mail { .. } if self.mail => {
                self.refuse(Reply::new(503, "5.5.1 MAIL already given"))
            }
            Command::Mail { size: Some(size) } if size > max as u64 => self.refuse(Reply::new(
                552,
                &format!("5.3.4 message exceeds the size limit of {max} bytes"),
            )),
            Command::Mail { .. } => {
                self.mail = true;
                Step::Reply(Reply::new(250, "2.1.0 sender ok"))
            }
            Command::Rcpt if !self.mail => self.refuse(Reply::new(503, "5.5.1 send MAIL first")),
            // Temporary: the client sends the rest in another transaction.
            Command::Rcpt if self.recipients >= self.limits.max_recipients => {
                Step::Reply(Reply::new(452, "4.5.3 too many recipients"))
            }
            Command::Rcpt => {
                self.recipients += 1;
                Step::Reply(Reply::new(250, "2.1.5 recipient ok"))
            }
            Command::Data if self.recipients == 0 => {
                self.refuse(Reply::new(503, "5.5.1 no valid recipients"))
            }
            Command::Data => Step::Data(Reply::new(354, "end data with <CR><LF>.<CR><LF>")),
        }
    }

    fn reset(&mut self) {
        self.mail = false;
        self.recipients = 0;
    }

    fn refuse(&mut self, reply: Reply) -> Step {
        self.errors += 1;
        if self.errors >= MAX_ERRORS {
            return Step::Close(Reply::new(421, "4.7.0 too many errors, closing"));
        }
        Step::Reply(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session::new(Limits {
            hostname: "project.test".into(),
            max_message_bytes: 1000,
            max_recipients: 2,
        })
    }

    fn code(step: Step) -> u16 {
        match step {
            Step::Reply(r) | Step::Data(r) | Step::Close(r) => r.code,
        }
    }

    #[test]
    fn a_transaction_runs_lhlo_mail_rcpt_data() {
        let mut s = session();
        assert_eq!(s.greeting().code, 220);
        let Step::Reply(lhlo) = s.command(b"LHLO mx.project.test\r\n") else {
            panic!()
        };
        assert_eq!(
            lhlo.to_bytes(),
            b"250-project.test\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n\
              250-8BITMIME\r\n250 SIZE 1000\r\n"
        );
        assert_eq!(code(s.command(b"MAIL FROM:<a@example.net>\r\n")), 250);
        assert_eq!(code(s.command(b"RCPT TO:<security@project.test>\r\n")), 250);
        assert_eq!(code(s.command(b"RCPT TO:<other@project.test>\r\n")), 250);
        assert!(matches!(s.command(b"DATA\r\n"), Step::Data(r) if r.code == 354));
        assert_eq!(s.data_read(), 2, "one reply per recipient");
        assert_eq!(code(s.command(b"RCPT TO:<x@project.test>\r\n")), 503);
        assert_eq!(code(s.command(b"MAIL FROM:<>\r\n")), 250);
        assert!(matches!(s.command(b"QUIT\r\n"), Step::Close(r) if r.code == 221));
    }

    #[test]
    fn commands_out_of_order_are_refused() {
        let mut s = session();
        assert_eq!(code(s.command(b"MAIL FROM:<a@example.net>\r\n")), 503);
        assert_eq!(code(s.command(b"HELO x\r\n")), 500);
        assert_eq!(code(s.command(b"LHLO x\r\n")), 250);
        assert_eq!(code(s.command(b"DATA\r\n")), 503);
        assert_eq!(code(s.command(b"RCPT TO:<a@project.test>\r\n")), 503);
        assert_eq!(code(s.command(b"MAIL FROM:<a@example.net>\r\n")), 250);
        assert_eq!(code(s.command(b"MAIL FROM:<a@example.net>\r\n")), 503);
        assert_eq!(code(s.command(b"DATA\r\n")), 503, "no recipient yet");
        assert_eq!(code(s.command(b"RSET\r\n")), 250);
        assert_eq!(code(s.command(b"RCPT TO:<a@project.test>\r\n")), 503);
    }

    #[test]
    fn size_and_recipients_are_bounded() {
        let mut s = session();
        s.command(b"LHLO x\r\n");
        assert_eq!(code(s.command(b"MAIL FROM:<a@b> SIZE=1001\r\n")), 552);
        assert_eq!(code(s.command(b"MAIL FROM:<a@b> SIZE=1000\r\n")), 250);
        for _ in 0..2 {
            assert_eq!(code(s.command(b"RCPT TO:<a@project.test>\r\n")), 250);
        }
        assert_eq!(code(s.command(b"RCPT TO:<c@project.test>\r\n")), 452);
        assert_eq!(s.data_read(), 2);
    }

    #[test]
    fn a_client_that_keeps_erring_is_closed() {
        let mut s = session();
        for _ in 0..MAX_ERRORS - 1 {
            assert!(matches!(s.line_too_long(), Step::Reply(r) if r.code == 500));
        }
        assert!(matches!(s.command(b"BOGUS\r\n"), Step::Close(r) if r.code == 421));
    }
}
