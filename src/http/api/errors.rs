//! The error answers of the API in the OpenAPI document: one schema for
//! every error, and each status an operation can answer, added to every
//! operation by what it takes (a body, a query, a path, a token) so that
//! no operation can forget one.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};

/// `{"error": MESSAGE}`: what went wrong, for every error status but 422.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// A sentence for people; not meant to be matched by programs.
    error: String,
}

/// `{"errors": {FIELD: MESSAGE}}`: each refused field with its problem
/// (status 422, and 409 for fields at odds with what is stored). `body` names the body as a whole (not an object, a field
/// of the wrong type).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FieldErrorsBody {
    errors: BTreeMap<String, String>,
}

/// The body of a 409: `{"error": MESSAGE}`, or `{"errors": {FIELD:
/// MESSAGE}}` naming the fields at odds with what is stored.
fn conflict_body() -> RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(Ref::from_schema_name("ErrorBody"))
        .item(Ref::from_schema_name("FieldErrorsBody"))
        .description(Some(
            "`{\"error\": MESSAGE}`, or `{\"errors\": {FIELD: MESSAGE}}` naming the fields at odds with what is stored",
        ))
        .into()
}

/// Adds the error statuses and their schema to every operation.
pub struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert("ErrorBody".into(), ErrorBody::schema());
        components
            .schemas
            .insert("FieldErrorsBody".into(), FieldErrorsBody::schema());
        components
            .schemas
            .insert("ConflictBody".into(), conflict_body());
        for item in openapi.paths.paths.values_mut() {
            let shared = item.parameters.clone().unwrap_or_default();
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                complete(op, &shared);
            }
        }
    }
}

fn complete(op: &mut Operation, shared: &[utoipa::openapi::path::Parameter]) {
    let params = || shared.iter().chain(op.parameters.iter().flatten());
    let in_query = params().any(|p| p.parameter_in == ParameterIn::Query);
    let in_path = params().any(|p| p.parameter_in == ParameterIn::Path);
    let body = op.request_body.is_some();
    // Every handler reads an `Authorization` header when there is one: a
    // token that is not valid is 401 even where none is needed.
    let required = op.security.as_ref().is_some_and(|s| !s.is_empty());
    if !required {
        op.security = Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ]);
    }
    let mut wanted = vec![(
        401,
        "The bearer token is not valid (or, where one is required, missing)",
    )];
    if required {
        wanted.push((403, "The caller may not do this"));
    }
    if in_path {
        wanted.push((
            404,
            "Nothing with that id, or nothing the caller may learn of",
        ));
    }
    if body || in_query {
        wanted.push((
            400,
            "The body is not JSON, or the query string cannot be read",
        ));
    }
    if body {
        wanted.push((413, "The body is larger than `limits.max_body_bytes`"));
        wanted.push((
            415,
            "The body is not sent as `Content-Type: application/json`",
        ));
        wanted.push((
            422,
            "The body is not an object, or a field is missing, of the wrong type or refused",
        ));
        wanted.push((
            409,
            "Well formed, but at odds with what is stored: a state that does not allow it, or a record it names that does not exist or is not current",
        ));
    }
    for (status, description) in wanted {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| ResponseBuilder::new().description(description).into());
    }
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !status.starts_with('4') || !response.content.is_empty() {
            continue;
        }
        let schema = match status.as_str() {
            "422" => "FieldErrorsBody",
            "409" => "ConflictBody",
            _ => "ErrorBody",
        };
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema)))
            .build();
        response.content.insert("application/json".into(), content);
        if response.description.is_empty() {
            response.description = default_description(status);
        }
    }
}

fn default_description(status: &str) -> String {
    match status {
        "400" => "The request cannot be read",
        "401" => "The bearer token is missing or not valid",
        "403" => "The caller may not do this",
        "404" => "Not found",
        "409" => "The state does not allow it",
        "413" => "Too large",
        "415" => "Not JSON",
        "422" => "Invalid input",
        "429" => "Too many requests; try again later",
        _ => "Error",
    }
    .into()
}
