//! The GitHub mirror on the admin's page of an advisory: its state, the
//! repository form and "Request CVE". The use cases are `app::github`;
//! the partial template is `advisory_github.html.j2`.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Flash;
use super::advisories_admin::allowed;
use crate::app::AppState;
use crate::app::advisories::AdvisoryError;
use crate::app::github as usecase;
use crate::db::advisories::AdvisoryRow;
use crate::domain::advisory::AdvisoryState;
use crate::domain::authz::Action;
use crate::http::api::advisories::advisory_error;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;

/// What the partial shows: the mirror's status and which forms apply.
pub(super) async fn context(state: &AppState, row: &AdvisoryRow) -> Result<Value, Error> {
    let status = usecase::status(state, &row.id).await?;
    let live = row.state != AdvisoryState::Withdrawn;
    let may_link = live && status.ghsa_id.is_none();
    let may_request_cve =
        live && status.configured && status.ghsa_id.is_some() && status.cve_id.is_none();
    let default = state.config.github.default_repository();
    Ok(json!({
        "status": status, "may_link": may_link, "may_request_cve": may_request_cve,
        "default_repository": default.as_ref().map(|r| r.as_str()),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    csrf: String,
    repository: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

fn back(id: &str) -> String {
    format!("/admin/advisories/{id}#github")
}

/// A refusal the admin can act on, as the page's message; anything else
/// is an error page.
fn refused(
    state: &AppState,
    id: &str,
    what: &str,
    e: AdvisoryError,
) -> Result<Response, PageError> {
    let why = match e {
        AdvisoryError::Invalid(errors) => errors
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join("; "),
        AdvisoryError::Conflict(why) => why,
        e => return Err(advisory_error(e).into()),
    };
    Ok(Flash::error(format!("{what}: {why}.")).redirect(state, &back(id)))
}

/// `POST /admin/advisories/{id}/github`: field `repository` (empty unlinks).
pub async fn link(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<LinkForm>,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, Some(&form.csrf))?;
    let repository = form.repository.trim();
    match usecase::set_repository(&state, &page.audit(), &id, repository).await {
        Ok(()) if repository.is_empty() => {
            let text = "Unlinked: nothing of this advisory goes to GitHub.";
            Ok(Flash::success(text).redirect(&state, &back(&id)))
        }
        Ok(()) => {
            let text = format!(
                "Linked to {repository}: the advisory is mirrored there as a draft while embargoed, and published with it."
            );
            Ok(Flash::success(text).redirect(&state, &back(&id)))
        }
        Err(e) => refused(&state, &id, "The repository was not changed", e),
    }
}

/// `POST /admin/advisories/{id}/github/cve`.
pub async fn request_cve(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, Some(&form.csrf))?;
    match usecase::request_cve(&state, &page.audit(), &id).await {
        Ok(()) => {
            let text = "CVE requested: GitHub is asked now, and the CVE it assigns becomes an alias of the advisory.";
            Ok(Flash::success(text).redirect(&state, &back(&id)))
        }
        Err(e) => refused(&state, &id, "No CVE was requested", e),
    }
}
