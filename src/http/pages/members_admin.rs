//! The membership process for admins: the application queue, one
//! application with its review and decision, the list of members with
//! the founding-member form, removal (its form is on the member's page),
//! and the criteria. Every action is a
//! use case of `app::membership`.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Flash;
use super::member_forms::{self as forms, ContactRows, Fields, Layout};
use super::membership::{allow, answers};
use crate::app::AppState;
use crate::app::membership::{self as usecase, MembershipError};
use crate::db::{applications as apps, members};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::membership::{ApplicationStatus, Criterion, OrganizationInput};
use crate::http::api::membership::application_view;
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::http::paging;

/// Contact rows on the founding-member form.
const FOUNDING_CONTACTS: usize = 3;

fn admin(page: &Page) -> Result<(), Error> {
    allow(page, Action::ManageMembership)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
    q: String,
    before: String,
    after: String,
}

pub async fn applications(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    admin(&page)?;
    let status = match q.status.trim() {
        "" => None,
        s => Some(ApplicationStatus::parse(s).map_err(|e| Error::BadRequest(e.to_string()))?),
    };
    let window = paging::window(&q.before, &q.after)?;
    let search = q.q.trim();
    let mut conn = state.db.conn().await?;
    let found = apps::page(&mut conn, status, Some(search), &window).await?;
    drop(conn);
    let items: Vec<Value> = found
        .items
        .iter()
        .map(|l| {
            let a = &l.application;
            json!({ "id": a.id, "organization": a.organization, "status": a.status,
                    "created_at": a.created_at, "confirmed_at": a.confirmed_at,
                    "voucher": l.voucher })
        })
        .collect();
    let params = [("status", q.status.as_str()), ("q", search)];
    let pages = paging::Links::of("/admin/applications", &params, &window, &found);
    let statuses: Vec<&str> = ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect();
    let ctx = json!({ "applications": items, "statuses": statuses, "filter_status": q.status,
                      "q": search, "pages": pages });
    page.render(&state, "admin_applications", "Applications", ctx)
}

/// `seconds` as a short duration: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
fn duration(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

/// The decision form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DecisionForm {
    #[serde(skip_serializing)]
    csrf: String,
    /// `approve` or `reject`.
    decision: String,
    reason: String,
}

async fn render_application(
    state: &AppState,
    page: &Page,
    id: &str,
    typed: &DecisionForm,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let mut conn = state.db.conn().await?;
    let app = apps::get(&mut conn, id).await?.ok_or(Error::NotFound)?;
    let history = crate::http::history::of_subject(&mut conn, &app.id).await?;
    drop(conn);
    let view = json!(application_view(state, &app).await?);
    let has_vouch = view["vouches"]
        .as_array()
        .is_some_and(|v| v.iter().any(|v| v["vouched"] == true));
    let delay = app
        .confirmed_at
        .map(|c| duration((c - app.created_at) / 1_000_000));
    let ctx = json!({
        "application": view, "answers": answers(state, &app).await?, "history": history,
        "confirm_delay": delay, "has_vouch": has_vouch, "decision": typed,
        "open": app.status.review().is_ok(),
    });
    let mut layout = Layout::default();
    layout.add("decision", "Decision");
    layout.add("reason", "Reason");
    let ctx = layout.with_errors(ctx, errors);
    forms::respond(state, page, "admin_application", &app.organization, ctx)
}

pub async fn application(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    admin(&page)?;
    let empty = DecisionForm::default();
    render_application(&state, &page, &id, &empty, &FieldErrors::new()).await
}

pub async fn decide(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    admin(&page)?;
    page.check_csrf(&form.csrf)?;
    let (audit, reason) = (page.audit(), form.reason.as_str());
    let result = match form.decision.as_str() {
        "approve" => usecase::decide(&state, &audit, &id, true, reason).await,
        "reject" => usecase::decide(&state, &audit, &id, false, reason).await,
        _ => {
            let e = forms::one("decision", "choose whether to approve or reject");
            Err(MembershipError::Invalid(e))
        }
    };
    match result {
        Ok(member) => {
            let text = match member {
                Some(_) => {
                    "Application approved: the organisation is a member now, and its contacts are mailed set-up links."
                }
                None => "Application rejected; the applicant is told why.",
            };
            Ok(Flash::success(text).redirect(&state, &format!("/admin/applications/{id}")))
        }
        Err(e) => render_application(&state, &page, &id, &form, &forms::form_errors(e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MembersQuery {
    q: String,
    before: String,
    after: String,
}

/// The members page: one line per member, a page at a time, with a
/// search; and the founding-member form. Removal is on each member's own
/// page, so a long list carries no forms.
async fn render_members(
    state: &AppState,
    page: &Page,
    q: &MembersQuery,
    form: &Fields,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let window = paging::window(&q.before, &q.after)?;
    let search = q.q.trim();
    let mut conn = state.db.conn().await?;
    let found = members::page(&mut conn, Some(search), &window).await?;
    drop(conn);
    let mut layout = Layout::organization();
    layout.contacts(FOUNDING_CONTACTS);
    let pages = paging::Links::of("/admin/members", &[("q", search)], &window, &found);
    let ctx = json!({
        "members": found.items, "q": search, "pages": pages,
        "form": forms::organization_typed(form),
        "contacts": ContactRows::from_form(form, FOUNDING_CONTACTS).typed,
    });
    let ctx = layout.with_errors(ctx, errors);
    forms::respond(state, page, "admin_members", "Members", ctx)
}

pub async fn members(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<MembersQuery>,
) -> Result<Response, PageError> {
    admin(&page)?;
    render_members(&state, &page, &q, &Fields::default(), &FieldErrors::new()).await
}

pub async fn add_member(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    admin(&page)?;
    page.check_csrf(form.get("csrf"))?;
    let (given, contacts) = ContactRows::from_form(&form, FOUNDING_CONTACTS).given();
    let input = OrganizationInput {
        organization: form.get("organization").to_owned(),
        website: form.get("website").to_owned(),
        security_alias: form.get("security_alias").to_owned(),
        contacts,
    };
    let (org, contacts) = (input.organization.trim(), input.contacts.len());
    match usecase::add_member(&state, &page.audit(), &input).await {
        Ok(id) => {
            let s = if contacts == 1 { "" } else { "s" };
            let text = format!("{org} added; {contacts} contact{s} mailed a set-up link.");
            Ok(Flash::success(text).redirect(&state, &format!("/admin/members/{id}")))
        }
        Err(e) => {
            let errors = forms::remap(forms::form_errors(e)?, "contacts", &given);
            let q = MembersQuery::default();
            render_members(&state, &page, &q, &form, &errors).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemovalForm {
    csrf: String,
    reason: String,
    /// `yes` from the confirmation page.
    confirm: String,
}

/// The field of the removal form on the member's page.
pub(super) const REMOVAL_REASON: &str = "removal_reason";

pub async fn remove_member(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<RemovalForm>,
) -> Result<Response, PageError> {
    admin(&page)?;
    page.check_csrf(&form.csrf)?;
    if !form.reason.trim().is_empty() && form.confirm != "yes" {
        return confirm_removal(&state, &page, &id, &form.reason).await;
    }
    let told = removal_audience(&state, &id).await?;
    match usecase::remove_member(&state, &page.audit(), &id, &form.reason).await {
        Ok(()) => {
            let (org, contacts) = told.unwrap_or_default();
            let s = if contacts == 1 { "" } else { "s" };
            let text = format!("{org} removed; {contacts} contact{s} and its security alias told.");
            Ok(Flash::success(text).redirect(&state, &format!("/admin/members/{id}")))
        }
        Err(e) => {
            // The member page's removal form has its own field name.
            let mut errors = FieldErrors::new();
            for (k, v) in forms::form_errors(e)?.iter() {
                errors.add(if k == "reason" { REMOVAL_REASON } else { k }, v);
            }
            let (review, clear_text) = Default::default();
            super::liveness::render_member(&state, &page, &id, &review, &clear_text, &errors).await
        }
    }
}

/// One criterion as the criteria form shows it.
#[derive(Debug, Default, Serialize)]
struct CriterionRow {
    key: String,
    title: String,
    description: String,
    remove: bool,
}

impl CriterionRow {
    fn is_blank(&self) -> bool {
        [&self.key, &self.title, &self.description]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// The criteria form: one fieldset per row, and an empty one to add a
/// criterion.
async fn render_criteria(
    state: &AppState,
    page: &Page,
    mut rows: Vec<CriterionRow>,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let (version, _) = usecase::criteria(state).await?;
    if rows.last().is_none_or(|r| !r.is_blank()) {
        rows.push(CriterionRow::default());
    }
    let mut layout = Layout::default();
    for i in 0..rows.len() {
        let n = i + 1;
        layout.add(&format!("items[{i}].key"), &format!("Criterion {n} key"));
        layout.add(
            &format!("items[{i}].title"),
            &format!("Criterion {n} title"),
        );
        let description = format!("Criterion {n} description");
        layout.add(&format!("items[{i}].description"), &description);
    }
    let ctx = layout.with_errors(json!({ "version": version, "rows": rows }), errors);
    forms::respond(state, page, "admin_criteria", "Membership criteria", ctx)
}

pub async fn criteria(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    admin(&page)?;
    let (_, items) = usecase::criteria(&state).await?;
    let rows = items
        .into_iter()
        .map(|c| CriterionRow {
            key: c.key,
            title: c.title,
            description: c.description,
            remove: false,
        })
        .collect();
    render_criteria(&state, &page, rows, &FieldErrors::new()).await
}

pub async fn update_criteria(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    admin(&page)?;
    page.check_csrf(form.get("csrf"))?;
    let field = |i: usize, f: &str| form.get(&format!("items[{i}].{f}")).to_owned();
    let rows: Vec<CriterionRow> = (0..form.rows("items"))
        .map(|i| CriterionRow {
            key: field(i, "key"),
            title: field(i, "title"),
            description: field(i, "description"),
            remove: !field(i, "remove").is_empty(),
        })
        .collect();
    // Rows left empty or marked for removal are not part of the new list.
    let kept = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.remove && !r.is_blank());
    let (given, items): (Vec<usize>, Vec<Criterion>) = kept
        .map(|(i, r)| {
            let c = Criterion {
                key: r.key.trim().to_owned(),
                title: r.title.trim().to_owned(),
                description: r.description.trim().to_owned(),
            };
            (i, c)
        })
        .unzip();
    match usecase::update_criteria(&state, &page.audit(), items).await {
        Ok(version) => {
            let text =
                format!("Criteria saved as version {version}; new applications answer these.");
            Ok(Flash::success(text).redirect(&state, "/admin/criteria"))
        }
        Err(e) => {
            let errors = forms::remap(forms::form_errors(e)?, "items", &given);
            render_criteria(&state, &page, rows, &errors).await
        }
    }
}

/// Who a removal of member `id` tells: its name and how many contacts.
async fn removal_audience(state: &AppState, id: &str) -> Result<Option<(String, usize)>, Error> {
    let mut conn = state.db.conn().await?;
    let Some(member) = members::get(&mut conn, id).await? else {
        return Ok(None);
    };
    let contacts = members::contacts(&mut conn, id).await?.len();
    Ok(Some((member.organization, contacts)))
}

/// Asks once more before member `id` is removed, saying what happens.
async fn confirm_removal(
    state: &AppState,
    page: &Page,
    id: &str,
    reason: &str,
) -> Result<Response, PageError> {
    let mut conn = state.db.conn().await?;
    let member = crate::db::members::get(&mut conn, id)
        .await?
        .ok_or(Error::NotFound)?;
    drop(conn);
    let org = &member.organization;
    let confirm = super::confirm::Confirm {
        about: org.clone(),
        about_link: Some(format!("/admin/members/{id}")),
        happens: vec![
            format!(
                "{org} leaves the list: its contacts lose access to everything embargoed at once, and get no more announcements."
            ),
            format!(
                "Its contacts and security alias ({}) are told, with your reason.",
                member.security_alias
            ),
        ],
        reason,
        action: format!("/admin/members/{id}/removal"),
        fields: vec![("reason", reason)],
        button: format!("Remove {org}"),
        cancel: format!("/admin/members/{id}"),
    };
    super::confirm::render(
        state,
        page,
        &format!("Remove {org} from the list?"),
        confirm,
    )
}
