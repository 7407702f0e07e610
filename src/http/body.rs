//! Request bodies as handlers take them: JSON for the API ([`ApiJson`]),
//! urlencoded forms for pages ([`Form`]). Both refuse text holding a NUL
//! character, which PostgreSQL cannot store and SQLite would, so that the
//! two engines answer alike; JSON must also be an object at the top. Both
//! turn CRLF (what browsers send from a textarea) and lone CR line ends
//! into LF, so what is stored, mailed and published has one kind.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{ApiError, Error, PageError};
use crate::domain::fields::FieldErrors;

/// What a field holding a NUL character is told.
pub const NUL_MESSAGE: &str = "must not contain NUL characters";

/// Whether `s` holds a NUL character.
pub fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

/// A 422 naming `field`.
pub fn invalid(field: &str, message: &str) -> Error {
    let mut fields = FieldErrors::new();
    fields.add(field, message);
    Error::Invalid(fields)
}

/// A JSON body whose rejections are API errors: bad syntax 400, too large
/// 413, wrong content type 415, and 422 naming the problem for the wrong
/// shape: not an object at the top (serde would read a struct from an
/// array), a NUL character in any string `T` reads, or a field of the
/// wrong type. Fields `T` does not name are ignored, whatever they hold.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = read_object(req, state).await?;
        let mut ignored = Vec::new();
        let read = serde_ignored::deserialize(&value, |path| ignored.push(segments(&path)));
        let v: T = read.map_err(|e| refuse(invalid("body", &e.to_string())))?;
        refuse_nul_outside(&mut value, &ignored).map_err(refuse)?;
        Ok(Self(v))
    }
}

/// A JSON body its handler reads as a [`Value`] (to tell fields left out
/// from fields set to null, or to name errors by path), with what
/// `Shape` (the type the OpenAPI document describes it with) ignores taken
/// out first, so a NUL there is ignored too, as [`ApiJson`] does. A body
/// that does not fit `Shape` keeps everything; its handler refuses it.
pub struct ApiJsonAs<Shape>(pub Value, pub std::marker::PhantomData<Shape>);

impl<Shape: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJsonAs<Shape> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = read_object(req, state).await?;
        let mut ignored = Vec::new();
        let read: Result<Shape, _> =
            serde_ignored::deserialize(&value, |path| ignored.push(segments(&path)));
        if read.is_err() {
            ignored.clear();
        }
        refuse_nul_outside(&mut value, &ignored).map_err(refuse)?;
        Ok(Self(value, std::marker::PhantomData))
    }
}

fn refuse(e: Error) -> Response {
    ApiError(e).into_response()
}

/// The body as JSON, which must be an object, with LF line ends.
async fn read_object<S: Send + Sync>(req: Request, state: &S) -> Result<Value, Response> {
    let mut value = match Json::<Value>::from_request(req, state).await {
        Ok(Json(v)) => v,
        Err(rejection) => return Err(json_rejection(&rejection)),
    };
    if !value.is_object() {
        return Err(refuse(invalid("body", "must be a JSON object")));
    }
    unify_line_ends(&mut value);
    Ok(value)
}

/// Takes the `ignored` fields out of `value`, then refuses a NUL in what
/// is left: fields the operation does not name are ignored, NUL or not.
fn refuse_nul_outside(value: &mut Value, ignored: &[Vec<Step>]) -> Result<(), Error> {
    for path in ignored {
        prune(value, path);
    }
    if let Value::Object(members) = &*value {
        for (name, member) in members {
            if has_nul(name) || holds_nul(member) {
                return Err(invalid(name_of(name), NUL_MESSAGE));
            }
        }
    }
    Ok(())
}

/// One step into a JSON value: a member's name or an item's index.
#[derive(Debug, PartialEq)]
enum Step {
    Name(String),
    Index(usize),
}

/// The steps from the top of the body to an ignored field.
fn segments(path: &serde_ignored::Path<'_>) -> Vec<Step> {
    use serde_ignored::Path;
    let mut steps = Vec::new();
    let mut at = path;
    loop {
        at = match at {
            Path::Root => break,
            Path::Seq { parent, index } => {
                steps.push(Step::Index(*index));
                parent
            }
            Path::Map { parent, key } => {
                steps.push(Step::Name(key.clone()));
                parent
            }
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => parent,
        };
    }
    steps.reverse();
    steps
}

/// `v` without the member or item at `path`.
fn prune(v: &mut Value, path: &[Step]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = v;
    for step in parents {
        let next = match (step, at) {
            (Step::Name(n), Value::Object(m)) => m.get_mut(n),
            (Step::Index(i), Value::Array(a)) => a.get_mut(*i),
            _ => None,
        };
        match next {
            Some(next) => at = next,
            None => return,
        }
    }
    match (last, at) {
        (Step::Name(n), Value::Object(m)) => {
            m.remove(n);
        }
        // Keep the indices of the items after it.
        (Step::Index(i), Value::Array(a)) if *i < a.len() => a[*i] = Value::Null,
        _ => {}
    }
}

/// The field name an error is filed under: a name that is itself the
/// problem is not repeated back.
fn name_of(name: &str) -> &str {
    if has_nul(name) { "body" } else { name }
}

/// Whether any string or object key in `v` holds a NUL character. The
/// parser has bounded the nesting (128 levels), so recursion is safe.
fn holds_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => has_nul(s),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(members) => members.iter().any(|(k, v)| has_nul(k) || holds_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `s` with every CRLF and lone CR made LF.
pub fn lf(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        s.into()
    }
}

/// Every string in `v` with LF line ends (nesting bounded by the parser).
fn unify_line_ends(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('\r') => *s = lf(s).into_owned(),
        Value::Array(items) => items.iter_mut().for_each(unify_line_ends),
        Value::Object(members) => members.values_mut().for_each(unify_line_ends),
        _ => {}
    }
}

fn json_rejection(rejection: &JsonRejection) -> Response {
    let err = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            return (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Json(serde_json::json!({ "error": "expected Content-Type: application/json" })),
            )
                .into_response();
        }
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Error::TooLarge
        }
        JsonRejection::JsonDataError(e) => invalid("body", &e.body_text()),
        other => Error::BadRequest(other.body_text()),
    };
    ApiError(err).into_response()
}

/// `axum::Form` for pages that also refuses a field whose name or decoded
/// value holds a NUL character (422). Other rejections are axum's.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // Read through axum so the body limit holds, then decode twice:
        // once to look at every value, once into `T`.
        let read = Request::from_parts(parts.clone(), body);
        let bytes = Bytes::from_request(read, state).await.map_err(|r| {
            match r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                true => PageError(Error::TooLarge).into_response(),
                false => r.into_response(),
            }
        })?;
        let nul = url::form_urlencoded::parse(&bytes).find(|(k, v)| has_nul(k) || has_nul(v));
        if let Some((name, _)) = nul {
            let err = invalid(name_of(&name), NUL_MESSAGE);
            return Err(PageError(err).into_response());
        }
        let unified = {
            let mut out = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in url::form_urlencoded::parse(&bytes) {
                out.append_pair(&k, &lf(&v));
            }
            out.finish()
        };
        let again = Request::from_parts(parts, Body::from(unified));
        let axum::Form(v) = axum::Form::<T>::from_request(again, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_is_found_at_any_depth_and_in_keys() {
        assert!(!holds_nul(
            &json!({"a": ["b", {"c": "d"}], "n": null, "x": 1})
        ));
        assert!(holds_nul(&json!({"a": ["b", {"c": "d\u{0}"}]})));
        assert!(holds_nul(&json!({"a": {"k\u{0}": 1}})));
        assert!(holds_nul(&json!(["\u{0}"])));
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Known {
        name: String,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        text: String,
    }

    async fn read(body: Value) -> Result<Known, StatusCode> {
        let req = Request::builder()
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        match ApiJson::<Known>::from_request(req, &()).await {
            Ok(ApiJson(k)) => Ok(k),
            Err(resp) => Err(resp.status()),
        }
    }

    #[tokio::test]
    async fn nul_in_a_field_read_is_refused_and_in_an_ignored_one_is_not() {
        let ok =
            json!({"name": "a", "items": [{"text": "b", "x\u{0}": "\u{0}"}], "y\u{0}": ["\u{0}"]});
        assert_eq!(read(ok).await.unwrap().items.len(), 1);
        let bad = json!({"name": "a", "items": [{"text": "b\u{0}"}]});
        assert_eq!(
            read(bad).await.unwrap_err(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let bad = json!({"name": "a\u{0}", "items": []});
        assert_eq!(
            read(bad).await.unwrap_err(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[test]
    fn line_ends_become_lf_at_any_depth() {
        let mut v = json!({"a": "x\r\ny\rz", "b": [{"c": "1\r\n2"}], "n": 1});
        unify_line_ends(&mut v);
        assert_eq!(v, json!({"a": "x\ny\nz", "b": [{"c": "1\n2"}], "n": 1}));
        assert_eq!(lf("no change"), "no change");
    }
}
