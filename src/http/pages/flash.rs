//! The message a page shows once after a form: the handler redirects (303,
//! so a reload never posts again) with a short-lived cookie holding the
//! message's kind and text, signed with the service's cookie key
//! (`app::cookie_key`) and with its own expiry, so nobody can plant text on
//! our pages; the next page shows it at the top and clears the cookie.

use axum::http::header::SET_COOKIE;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Serialize;

use crate::app::AppState;
use crate::app::cookie_key::CookieKey;
use crate::http::extract::set_cookie;

pub const FLASH_COOKIE: &str = "embargo_flash";

/// How long a message waits for the page that shows it, in seconds.
const MAX_AGE: i64 = 60;

/// Longest text kept, in bytes: a cookie holds about 4 KiB.
const MAX_TEXT: usize = 1000;

/// How a message looks: success (`role="status"`), warning (status, in the
/// warning style, named as a warning) or error (`role="alert"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Success,
    Warning,
    Error,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Success => "s",
            Kind::Warning => "w",
            Kind::Error => "e",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "s" => Some(Kind::Success),
            "w" => Some(Kind::Warning),
            "e" => Some(Kind::Error),
            _ => None,
        }
    }
}

/// One message for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flash {
    pub kind: Kind,
    pub text: String,
}

impl Flash {
    pub fn success(text: impl Into<String>) -> Self {
        Self::new(Kind::Success, text.into())
    }

    pub fn warning(text: impl Into<String>) -> Self {
        Self::new(Kind::Warning, text.into())
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self::new(Kind::Error, text.into())
    }

    fn new(kind: Kind, mut text: String) -> Self {
        if text.len() > MAX_TEXT {
            let mut end = MAX_TEXT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push('…');
        }
        Self { kind, text }
    }

    /// 303 to `to`, where this message is shown once.
    pub fn redirect(self, state: &AppState, to: &str) -> Response {
        self.on_redirect(state, super::see_other(to))
    }

    /// `resp` with this message for the page it redirects to; an answer
    /// that is no redirect (a confirmation page, a form with errors) is
    /// left as it is.
    pub fn on_redirect(self, state: &AppState, mut resp: Response) -> Response {
        if resp.status() == axum::http::StatusCode::SEE_OTHER {
            let value = self.seal(&state.cookie_key, now_seconds());
            resp.headers_mut().append(
                SET_COOKIE,
                set_cookie(state, FLASH_COOKIE, &value, Some(MAX_AGE)),
            );
        }
        resp
    }

    /// `kind.expires.text.mac`, text and MAC in unpadded base64url: no
    /// character a cookie value may not hold.
    fn seal(&self, key: &CookieKey, now: i64) -> String {
        let (kind, expires) = (self.kind.code(), (now + MAX_AGE).to_string());
        let mac = key.sign(&signed(kind, &expires, self.text.as_bytes()));
        let text = B64.encode(self.text.as_bytes());
        format!("{kind}.{expires}.{text}.{}", B64.encode(mac))
    }

    /// The message in a cookie value, if the key signed it and it has not
    /// expired; anything else is nothing.
    pub fn open(key: &CookieKey, value: &str, now: i64) -> Option<Self> {
        let mut it = value.split('.');
        let (kind, expires, text, mac) = (it.next()?, it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        let text = B64.decode(text).ok()?;
        let mac = B64.decode(mac).ok()?;
        if !key.verify(&signed(kind, expires, &text), &mac) {
            return None;
        }
        if expires.parse::<i64>().ok()? < now {
            return None;
        }
        Some(Self {
            kind: Kind::from_code(kind)?,
            text: String::from_utf8(text).ok()?,
        })
    }
}

fn signed<'a>(kind: &'a str, expires: &'a str, text: &'a [u8]) -> [&'a [u8]; 4] {
    [
        b"embargo flash v1",
        kind.as_bytes(),
        expires.as_bytes(),
        text,
    ]
}

/// The service's clock in seconds.
pub fn now_seconds() -> i64 {
    crate::db::now() / 1_000_000
}

/// The `Set-Cookie` that removes a shown message.
pub fn clear(state: &AppState) -> axum::http::HeaderValue {
    set_cookie(state, FLASH_COOKIE, "", Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_message_opens_once_signed_and_before_it_expires() {
        let key = CookieKey::ephemeral();
        let sealed = Flash::warning("Member <b>removed</b>; 3 told").seal(&key, 1000);
        let opened = Flash::open(&key, &sealed, 1000).unwrap();
        assert_eq!(opened, Flash::warning("Member <b>removed</b>; 3 told"));
        assert_eq!(Flash::open(&key, &sealed, 1000 + MAX_AGE + 1), None);
        assert_eq!(Flash::open(&CookieKey::ephemeral(), &sealed, 1000), None);
    }

    #[test]
    fn an_altered_message_is_nothing() {
        let key = CookieKey::ephemeral();
        let sealed = Flash::success("Saved").seal(&key, 1000);
        let parts: Vec<&str> = sealed.split('.').collect();
        let planted = B64.encode("Your account is locked: call +1 555");
        for forged in [
            format!("e.{}.{}.{}", parts[1], parts[2], parts[3]),
            format!("s.99999999999.{}.{}", parts[2], parts[3]),
            format!("s.{}.{planted}.{}", parts[1], parts[3]),
            format!("{sealed}.x"),
            "s.1.x".to_owned(),
            String::new(),
        ] {
            assert_eq!(Flash::open(&key, &forged, 1000), None, "{forged}");
        }
    }

    #[test]
    fn a_long_text_is_cut_at_a_character() {
        let f = Flash::success("é".repeat(MAX_TEXT));
        assert!(f.text.len() <= MAX_TEXT + '…'.len_utf8());
        assert!(f.text.ends_with('…'));
    }
}
