//! One error type for handlers. Internal errors are logged once, with their
//! chain, and never shown to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::domain::fields::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    /// Well formed, but at odds with what is stored (a state that does not
    /// allow the step, a record that is not current): 409, naming fields.
    #[error("conflicts with what is stored")]
    Conflicts(FieldErrors),
    #[error("too many requests; try again later")]
    TooManyRequests,
    /// The team requires a second factor and this account has none yet
    /// (`auth.require_second_factor`): pages send it to set one up.
    #[error(
        "this account must set up a second factor (an authenticator app or a passkey) on its account page first"
    )]
    SecondFactorRequired,
    #[error("the request is too large")]
    TooLarge,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) | Self::Conflicts(_) => StatusCode::CONFLICT,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::SecondFactorRequired => StatusCode::FORBIDDEN,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Asks the one policy function; a refusal becomes 401 or 403.
    pub fn unless_allowed(
        actor: &crate::domain::authz::Actor,
        action: crate::domain::authz::Action<'_>,
    ) -> Result<(), Self> {
        let decision = crate::domain::authz::authorize(actor, action);
        if decision.is_allowed() {
            Ok(())
        } else {
            Err(Self::denied(decision))
        }
    }

    /// Asks the policy function about a resource the caller may not even
    /// learn exists: a refusal is 404, exactly as for a made-up id.
    pub fn hidden_unless_allowed(
        actor: &crate::domain::authz::Actor,
        action: crate::domain::authz::Action<'_>,
    ) -> Result<(), Self> {
        if crate::domain::authz::authorize(actor, action).is_allowed() {
            Ok(())
        } else {
            Err(Self::NotFound)
        }
    }

    /// The member named in a path, if the caller may act on it as `action`
    /// says: 401 for nobody signed in, else 404 (as for an id that does not
    /// exist) for a malformed id or a refusal.
    pub fn member_in_path(
        actor: &crate::domain::authz::Actor,
        id: &str,
        action: for<'m> fn(&'m crate::domain::id::MemberId) -> crate::domain::authz::Action<'m>,
    ) -> Result<crate::domain::id::MemberId, Self> {
        if matches!(actor, crate::domain::authz::Actor::Anonymous) {
            return Err(Self::Unauthenticated);
        }
        let member = crate::domain::id::MemberId::parse(id).map_err(|_| Self::NotFound)?;
        Self::hidden_unless_allowed(actor, action(&member))?;
        Ok(member)
    }

    /// Maps an authorization decision to an error.
    pub fn denied(decision: crate::domain::authz::Decision) -> Self {
        match decision {
            crate::domain::authz::Decision::Unauthenticated => Self::Unauthenticated,
            _ => Self::Forbidden,
        }
    }

    fn log(&self) {
        if let Self::Internal(err) = self {
            tracing::error!(error = %format!("{err:#}"), "internal error");
        }
    }
}

/// Errors of the JSON API: `{"error": MESSAGE}` or `{"errors": {FIELD: MESSAGE}}`.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        err.log();
        let status = err.status();
        let body = match &err {
            Error::Invalid(fields) | Error::Conflicts(fields) => json!({ "errors": fields }),
            other => json!({ "error": other.to_string() }),
        };
        let mut resp = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

/// Errors of HTML pages: a small page that says what went wrong.
#[derive(Debug)]
pub struct PageError(pub Error);

impl<E: Into<Error>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        err.log();
        let status = err.status();
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        if matches!(err, Error::SecondFactorRequired) {
            return axum::response::Redirect::to("/account#second-factor").into_response();
        }
        let message = match &err {
            Error::Invalid(fields) | Error::Conflicts(fields) => fields.to_string(),
            other => other.to_string(),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
             <body><main id=\"content\"><h1>{title}</h1><p>{}</p><p><a href=\"/\">Home</a></p></main></body></html>",
            escape_html(&message)
        );
        let mut resp = (status, Html(body)).into_response();
        // The layer in error_pages.rs shows it in the site's layout.
        resp.extensions_mut()
            .insert(super::error_pages::ErrorPage { message });
        resp
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}
