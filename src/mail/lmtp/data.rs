//! A message's data as it arrives after `DATA`, line by line: dots
//! unstuffed, the terminating `.` line recognised, and nothing kept once
//! the message passes the size limit (RFC 5321, 4.5.2 and 4.5.3.1.10).

/// The data of one transaction.
#[derive(Debug)]
pub struct Body {
    max: usize,
    raw: Vec<u8>,
    over: bool,
    /// Bytes dropped since the message passed the limit.
    dropped: usize,
}

/// What a line did to the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    More,
    /// The terminating `.` line: the data is complete.
    End,
    /// Past the limit and as much again without the terminating line: a
    /// client streaming without end, which is closed rather than read on.
    Abandon,
}

/// The message passed the size limit; its data was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

impl Body {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            raw: Vec::new(),
            over: false,
            dropped: 0,
        }
    }

    /// How many bytes of the next line are worth reading: a line longer
    /// than this passes the limit whatever it holds. Never less than the
    /// terminating `.` line's three bytes.
    pub fn line_cap(&self) -> usize {
        if self.over {
            return 3;
        }
        // +1: a leading dot is taken off before the line counts.
        (self.max - self.raw.len()).saturating_add(1).max(3)
    }

    /// Takes one line with its line ending, or its first bytes and
    /// `truncated` when it was longer than [`Body::line_cap`].
    pub fn line(&mut self, line: &[u8], truncated: bool) -> Feed {
        if !truncated && (line == b".\r\n" || line == b".\n") {
            return Feed::End;
        }
        if self.over {
            self.dropped = self.dropped.saturating_add(line.len());
            return match self.dropped > self.max {
                true => Feed::Abandon,
                false => Feed::More,
            };
        }
        // A line the client began with a dot was stuffed with another one.
        let line = line.strip_prefix(b".").unwrap_or(line);
        if truncated || line.len() > self.max - self.raw.len() {
            self.over = true;
            self.raw = Vec::new();
            return Feed::More;
        }
        self.raw.extend_from_slice(line);
        Feed::More
    }

    pub fn finish(self) -> Result<Vec<u8>, TooLarge> {
        if self.over {
            Err(TooLarge)
        } else {
            Ok(self.raw)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(body: &mut Body, lines: &[&[u8]]) -> Feed {
        let mut last = Feed::More;
        for line in lines {
            let cap = body.line_cap();
            let truncated = line.len() > cap;
            last = body.line(&line[..line.len().min(cap)], truncated);
        }
        last
    }

    #[test]
    fn dots_are_unstuffed_and_the_dot_line_ends_the_data() {
        let mut body = Body::new(1000);
        let end = feed(
            &mut body,
            &[
                b"Subject: x\r\n",
                b"\r\n",
                b"..leading dot\r\n",
                b"..\r\n",
                b". \r\n",
                b"bare lf\n",
                b".\r\n",
            ],
        );
        assert_eq!(end, Feed::End);
        assert_eq!(
            body.finish().unwrap(),
            b"Subject: x\r\n\r\n.leading dot\r\n.\r\n \r\nbare lf\n"
        );
        let mut lf = Body::new(10);
        assert_eq!(feed(&mut lf, &[b"a\n", b".\n"]), Feed::End);
        assert_eq!(lf.finish().unwrap(), b"a\n");
    }

    #[test]
    fn a_message_at_the_limit_is_kept_and_one_byte_more_is_dropped() {
        let mut under = Body::new(7);
        assert_eq!(feed(&mut under, &[b"abc\r\n", b".x\r\n"]), Feed::More);
        assert_eq!(under.finish(), Err(TooLarge), "8 bytes after unstuffing");
        let mut exact = Body::new(8);
        feed(&mut exact, &[b"abc\r\n", b".x\r\n", b".\r\n"]);
        assert_eq!(exact.finish().unwrap(), b"abc\r\nx\r\n");
        let mut over = Body::new(4);
        assert_eq!(feed(&mut over, &[b"abc\r\n"]), Feed::More);
        assert_eq!(over.line_cap(), 3, "only the end is looked for now");
        assert_eq!(feed(&mut over, &[b"more\r\n", b".\r\n"]), Feed::End);
        assert_eq!(over.finish(), Err(TooLarge));
    }

    #[test]
    fn data_streaming_on_past_twice_the_limit_is_abandoned() {
        let mut body = Body::new(8);
        assert_eq!(feed(&mut body, &[b"0123456789\r\n"]), Feed::More);
        let mut fed = Feed::More;
        for _ in 0..8 {
            fed = body.line(b"abc", true);
            if fed != Feed::More {
                break;
            }
        }
        assert_eq!(fed, Feed::Abandon, "dropped more than the limit again");
    }

    #[test]
    fn a_truncated_line_is_never_the_end_and_passes_the_limit() {
        let mut body = Body::new(100);
        assert_eq!(body.line(b".\r\n", true), Feed::More);
        assert_eq!(body.line(b".\r\n", false), Feed::End);
        assert_eq!(body.finish(), Err(TooLarge));
    }
}
