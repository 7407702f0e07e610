//! Request extractors: who is asking (bearer token for the API, session
//! cookie for pages), from where, and the CSRF token of page forms.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::error::{Error, PageError};
use crate::app::AppState;
use crate::db::accounts::{self, Account};
use crate::db::{self, sessions};
use crate::domain::authz::Actor;
use crate::domain::secret::{Secret, constant_time_eq};

pub const SESSION_COOKIE: &str = "embargo_session";
pub const CSRF_COOKIE: &str = "embargo_csrf";

/// The client's address, for rate limits and the audit log: the socket's
/// peer, or the address a trusted proxy forwarded (see `client_ip`).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        Ok(ClientIp(super::client_ip::client_ip(
            peer,
            &parts.headers,
            &state.config.http,
        )))
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the flags every cookie of ours carries.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if state.config.secure_cookies() {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// An audit actor from an authorization actor and address.
pub fn audit_actor(actor: &Actor, ip: IpAddr) -> crate::db::audit::Actor {
    let who = match actor {
        Actor::Anonymous => "anonymous".to_owned(),
        Actor::Reporter(r) => format!("reporter:{r}"),
        Actor::Account { id, .. } => format!("account:{id}"),
    };
    crate::db::audit::Actor {
        who,
        ip: ip.to_string(),
    }
}

async fn load_account(
    state: &AppState,
    id: Option<crate::domain::id::AccountId>,
) -> Result<Option<Account>, Error> {
    let Some(id) = id else { return Ok(None) };
    let mut conn = state.db.conn().await?;
    Ok(accounts::by_id(&mut conn, &id)
        .await?
        .filter(|a| !a.disabled))
}

/// Whether `account` must still set up a second factor before anything
/// else: the team requires one (`auth.require_second_factor`) and it has
/// neither TOTP nor a passkey.
pub async fn second_factor_pending(state: &AppState, account: &Account) -> Result<bool, Error> {
    let required = crate::domain::account::second_factor_required(
        account.role,
        state.config.auth.require_second_factor,
    );
    if !required || account.totp_secret.is_some() {
        return Ok(false);
    }
    let mut conn = state.db.conn().await?;
    Ok(!crate::db::passkeys::has_any(&mut conn, &account.id).await?)
}

/// The authorization actor for an account, with the facts that decide a
/// member contact's clearance looked up.
async fn actor_of(state: &AppState, account: &Option<Account>) -> Result<Actor, Error> {
    let Some(a) = account else {
        return Ok(Actor::Anonymous);
    };
    let contact = if a.role == crate::domain::account::Role::Member {
        let mut conn = state.db.conn().await?;
        crate::app::membership::contact_facts(&mut conn, &a.id).await?
    } else {
        None
    };
    let delegate = if a.role == crate::domain::account::Role::Delegate {
        let mut conn = state.db.conn().await?;
        Some(crate::app::shares::delegate_facts(&mut conn, &a.id).await?)
    } else {
        None
    };
    Ok(Actor::Account {
        id: a.id.clone(),
        role: a.role,
        contact,
        delegate,
    })
}

/// The caller of an API route. A bearer token that is present but wrong is
/// refused outright; no token means anonymous. Cookies are ignored, so the
/// API needs no CSRF defence.
pub struct ApiCaller {
    pub actor: Actor,
    pub account: Option<Account>,
    pub ip: IpAddr,
}

impl ApiCaller {
    pub fn audit(&self) -> crate::db::audit::Actor {
        audit_actor(&self.actor, self.ip)
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = super::error::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientIp(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Self {
                actor: Actor::Anonymous,
                account: None,
                ip,
            });
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Error::Unauthenticated)?;
        let mut conn = state.db.conn().await.map_err(Error::from)?;
        let id = sessions::token_account(&mut conn, &Secret::from_presented(token).hash())
            .await
            .map_err(Error::from)?
            .ok_or(Error::Unauthenticated)?;
        drop(conn);
        let account = load_account(state, Some(id))
            .await?
            .ok_or(Error::Unauthenticated)?;
        if second_factor_pending(state, &account).await? {
            return Err(Error::SecondFactorRequired.into());
        }
        let account = Some(account);
        Ok(Self {
            actor: actor_of(state, &account).await?,
            account,
            ip,
        })
    }
}

/// Context of an HTML page: the signed-in account (if any) and the CSRF
/// token its forms carry.
///
/// With a live session the token is derived from the session secret (see
/// [`session_csrf`]), so a token from one session is refused in any other.
/// Without one (the report form, login, apply) it is a double-submit token:
/// a SameSite=Strict cookie whose value each form repeats. Either way the
/// router has already refused cross-origin form posts (`guard.rs`).
pub struct Page {
    pub actor: Actor,
    pub account: Option<Account>,
    pub ip: IpAddr,
    pub csrf: String,
    /// The double-submit cookie's value (minted when absent).
    cookie_csrf: String,
    csrf_is_new: bool,
    /// What a submitted form must carry: the session's token, or the cookie.
    expected_csrf: Option<String>,
    pub session: Option<String>,
    /// The message a form left for this page (see `pages::flash`), if it
    /// is genuine; `flash_cookie` says a cookie came, genuine or not, so
    /// the page clears it.
    pub flash: Option<super::pages::Flash>,
    flash_cookie: bool,
}

/// The CSRF token of a session: a hash of the session secret under a label
/// of its own. Only a holder of the (HttpOnly) session cookie can compute
/// it, and it reveals nothing of the secret or of the hash stored in the
/// database.
pub fn session_csrf(session: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"embargo csrf v1\0");
    h.update(session.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize())
}

impl FromRequestParts<AppState> for Page {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientIp(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let session = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned);
        let account_id = match &session {
            Some(s) => {
                let mut conn = state.db.conn().await.map_err(Error::from)?;
                let hash = Secret::from_presented(s).hash();
                let found = sessions::session_account(&mut conn, &hash, db::now())
                    .await
                    .map_err(Error::from)?;
                if let Some((_, true)) = &found {
                    let agent = parts.headers.get(axum::http::header::USER_AGENT);
                    let agent = agent.and_then(|v| v.to_str().ok()).unwrap_or_default();
                    let agent: String = agent.chars().take(300).collect();
                    sessions::touch_session(&mut conn, &hash, &agent, &ip.to_string())
                        .await
                        .map_err(Error::from)?;
                }
                found.map(|(id, _)| id)
            }
            None => None,
        };
        let account = load_account(state, account_id).await?;
        if let Some(a) = &account
            && !crate::domain::account::open_before_second_factor(parts.uri.path())
            && second_factor_pending(state, a).await?
        {
            return Err(Error::SecondFactorRequired.into());
        }
        let presented_csrf = cookie(&parts.headers, CSRF_COOKIE)
            .filter(|v| {
                v.len() >= 32
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .map(str::to_owned);
        let (cookie_csrf, csrf_is_new) = match &presented_csrf {
            Some(v) => (v.clone(), false),
            None => (Secret::generate().expose().to_owned(), true),
        };
        let session_token = match (&session, &account) {
            (Some(s), Some(_)) => Some(session_csrf(s)),
            _ => None,
        };
        let (csrf, expected_csrf) = match session_token {
            Some(t) => (t.clone(), Some(t)),
            None => (cookie_csrf.clone(), presented_csrf),
        };
        let flash_cookie = cookie(&parts.headers, super::pages::flash::FLASH_COOKIE);
        let flash = flash_cookie.and_then(|v| {
            let now = super::pages::flash::now_seconds();
            super::pages::Flash::open(&state.cookie_key, v, now)
        });
        Ok(Self {
            actor: actor_of(state, &account).await?,
            account,
            ip,
            csrf,
            cookie_csrf,
            csrf_is_new,
            expected_csrf,
            session,
            flash,
            flash_cookie: flash_cookie.is_some(),
        })
    }
}

impl Page {
    pub fn audit(&self) -> crate::db::audit::Actor {
        audit_actor(&self.actor, self.ip)
    }

    /// Refuses a form whose CSRF field is not this session's token (or,
    /// without a session, does not match the cookie).
    pub fn check_csrf(&self, submitted: &str) -> Result<(), Error> {
        match &self.expected_csrf {
            Some(expected) if constant_time_eq(expected, submitted) => Ok(()),
            _ => Err(Error::BadRequest(
                "this form has expired or was not sent from this site; reload the page and try again".into(),
            )),
        }
    }

    /// The zone the viewer reads instants in: their own choice, else the
    /// organisation's.
    pub fn time_zone<'a>(&'a self, state: &'a AppState) -> &'a str {
        let own = self.account.as_ref().and_then(|a| a.time_zone.as_deref());
        own.unwrap_or(&state.config.organization_time_zone)
    }

    /// Renders `pages/NAME.html.j2` with the context every page gets.
    pub fn render(
        &self,
        state: &AppState,
        name: &str,
        title: &str,
        extra: serde_json::Value,
    ) -> Result<Response, PageError> {
        let mut ctx = json!({
            "org": state.config.organization,
            "user": self.account.as_ref().map(|a| json!({ "email": a.email, "role": a.role.as_str() })),
            "csrf": self.csrf,
            "title": title,
            "security_address": state.config.security_address,
            // A contact of an active member who has not accepted the
            // current policy sees a banner on every page until they do.
            "policy_pending": matches!(&self.actor, Actor::Account { contact: Some(c), .. }
                if c.member_active && !c.accepted_current_policy),
            // Shown once: `finish` clears the cookie.
            "flash": self.flash,
            // What `|when` shows instants against (see `render::when`).
            "clock": { "now": crate::clock::now(), "zone": self.time_zone(state) },
        });
        if let (Some(c), Some(e)) = (ctx.as_object_mut(), extra.as_object()) {
            c.extend(e.clone());
        }
        let html = state
            .templates
            .page(name, &ctx)
            .map_err(|e| Error::Internal(e.into()))?;
        let mut resp = Html(html).into_response();
        self.finish(state, &mut resp);
        Ok(resp)
    }

    /// Adds the CSRF cookie when this request minted it, clears a message
    /// a form left (now shown), and marks the response uncacheable (pages
    /// may show private content).
    pub fn finish(&self, state: &AppState, resp: &mut Response) {
        if self.flash_cookie {
            let clear = super::pages::flash::clear(state);
            resp.headers_mut().append(SET_COOKIE, clear);
        }
        if self.csrf_is_new {
            resp.headers_mut().append(
                SET_COOKIE,
                set_cookie(state, CSRF_COOKIE, &self.cookie_csrf, None),
            );
        }
        resp.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
}
