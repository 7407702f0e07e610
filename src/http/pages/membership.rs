//! Pages of the list's membership for applicants and members: confirming
//! the security alias (the mailed link), the application status link, the
//! application form, the list policy and its acceptance, and vouching.
//! Each action is a use case of `app::membership`; these handlers turn
//! forms into its input and its errors back into fields.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Flash;
use super::member_forms::{self as forms, ContactRows, Fields, Layout};
use crate::app::AppState;
use crate::app::membership::{self as usecase, ApplicationInput};
use crate::db::applications::{self as apps, Application};
use crate::db::members;
use crate::domain::authz::{Action, authorize};
use crate::domain::fields::FieldErrors;
use crate::domain::id::MemberId;
use crate::domain::membership::{DirectoryEntry, OrganizationInput};
use crate::domain::secret::Secret;
use crate::http::api::membership::{applicant_view, membership_error};
use crate::http::body::Form;
use crate::http::error::{Error, PageError};
use crate::http::extract::Page;
use crate::publish::markdown;

/// Contact rows on the application form.
const APPLY_CONTACTS: usize = 3;

/// Refuses `page` unless its actor may do `action`.
pub(super) fn allow(page: &Page, action: Action<'_>) -> Result<(), Error> {
    let decision = authorize(&page.actor, action);
    if decision.is_allowed() {
        Ok(())
    } else {
        Err(Error::denied(decision))
    }
}

/// The link in the confirmation mail. Opening it is the confirmation: the
/// point is to prove someone reads the alias.
pub async fn confirm_application(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    allow(&page, Action::Apply)?;
    let app = usecase::confirm_alias(&state, &page.audit(), &token)
        .await
        .map_err(membership_error)?;
    page.render(
        &state,
        "application_status",
        "Application confirmed",
        json!({ "application": applicant_view(&app), "confirmed_now": true }),
    )
}

pub async fn application_status(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    allow(&page, Action::Apply)?;
    let mut conn = state.db.conn().await?;
    let app = apps::by_status_link(&mut conn, &Secret::from_presented(&token).hash())
        .await?
        .ok_or(Error::NotFound)?;
    drop(conn);
    // The alias, so the applicant sees where the confirmation went.
    let ctx = json!({ "application": applicant_view(&app), "confirmed_now": false,
                      "alias": app.security_alias });
    page.render(&state, "application_status", "Your application", ctx)
}

/// The application form, generated from the current criteria, with what
/// was typed and the errors at their fields.
async fn render_apply(
    state: &AppState,
    page: &Page,
    form: &Fields,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let (version, criteria) = usecase::criteria(state).await?;
    // The voucher picker: the members' names, whoever asks, unless the
    // directory is switched off (then the name is typed).
    let listed = state.config.membership.show_members_on_apply;
    let members = match listed {
        true => {
            let mut conn = state.db.conn().await?;
            members::directory(&mut conn).await?
        }
        false => Vec::new(),
    };
    let members: Vec<DirectoryEntry> = members
        .iter()
        .map(|(id, organization)| DirectoryEntry { id, organization })
        .collect();
    let mut layout = Layout::organization();
    layout.contacts(APPLY_CONTACTS);
    let answers: Vec<Value> = criteria
        .iter()
        .map(|c| {
            let name = format!("criteria.{}", c.key);
            layout.add(&name, &c.title);
            json!({ "id": forms::field_id(&name), "name": name, "value": form.get(&name),
                    "title": c.title, "description": c.description })
        })
        .collect();
    layout.add("voucher", "Vouching member");
    layout.add("voucher_name", "Vouching member");
    let ctx = json!({
        "form": forms::organization_typed(form), "voucher": form.get("voucher"),
        "contacts": ContactRows::from_form(form, APPLY_CONTACTS).typed,
        "criteria": answers, "criteria_version": version, "members": members,
        "list_members": listed, "voucher_name": form.get("voucher_name"),
    });
    let ctx = layout.with_errors(ctx, errors);
    forms::respond(state, page, "apply", "Apply to join the list", ctx)
}

pub async fn apply_form(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    allow(&page, Action::Apply)?;
    render_apply(&state, &page, &Fields::default(), &FieldErrors::new()).await
}

pub async fn apply(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    allow(&page, Action::Apply)?;
    page.check_csrf(form.get("csrf"))?;
    if !state.report_limiter.check(page.ip) {
        return Err(Error::TooManyRequests.into());
    }
    let rows = ContactRows::from_form(&form, APPLY_CONTACTS);
    let (given, contacts) = rows.given();
    let input = ApplicationInput {
        organization: OrganizationInput {
            organization: form.get("organization").to_owned(),
            website: form.get("website").to_owned(),
            security_alias: form.get("security_alias").to_owned(),
            contacts,
        },
        criteria: form.under("criteria."),
        voucher: voucher_of(&state, &form).await?,
    };
    match usecase::apply(&state, &page.audit(), input).await {
        Ok(applied) => {
            // Post/Redirect/Get: the status page confirms once, and a reload
            // there sends nothing again. The cookie holds the message only.
            let to = applied.status_url.strip_prefix(state.config.base());
            let text = "Thank you: your application was received, and a confirmation link is on its way to your security alias. This page's address is your status link: bookmark it.";
            Ok(Flash::success(text).redirect(&state, to.unwrap_or(&applied.status_url)))
        }
        Err(e) => {
            let mut errors = forms::remap(forms::form_errors(e)?, "contacts", &given);
            if !state.config.membership.show_members_on_apply {
                errors = typed_voucher_errors(errors);
            }
            render_apply(&state, &page, &form, &errors).await
        }
    }
}

/// The vouching member's id: as picked from the list, or, where the list
/// is not shown, found by the name typed (empty when none is called so).
async fn voucher_of(state: &AppState, form: &Fields) -> Result<String, Error> {
    if state.config.membership.show_members_on_apply {
        return Ok(form.get("voucher").to_owned());
    }
    let name = form.get("voucher_name").trim();
    if name.is_empty() {
        return Ok(String::new());
    }
    let mut conn = state.db.conn().await?;
    Ok(members::active_named(&mut conn, name)
        .await?
        .unwrap_or_default())
}

/// Errors with the voucher's moved to the typed name's field.
fn typed_voucher_errors(errors: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (k, v) in errors.iter() {
        match k {
            "voucher" => out.add("voucher_name", "must be the name of a current member"),
            k => out.add(k, v),
        }
    }
    out
}

/// The current policy and, for an account that accepts policies, whether
/// it accepted this version.
async fn render_policy(
    state: &AppState,
    page: &Page,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let (version, text, published_at) = usecase::current_policy(state).await?;
    let acceptance = match &page.account {
        Some(a) if authorize(&page.actor, Action::AcceptPolicy).is_allowed() => {
            let mut conn = state.db.conn().await?;
            let accepted = members::has_accepted(&mut conn, &a.id, version).await?;
            Some(if accepted { "accepted" } else { "pending" })
        }
        _ => None,
    };
    let ctx = json!({
        "policy": { "version": version, "published_at": published_at, "html": markdown::to_html(&text) },
        "acceptance": acceptance,
    });
    let ctx = Layout::default().with_errors(ctx, errors);
    forms::respond(state, page, "policy", "List policy", ctx)
}

pub async fn policy(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    allow(&page, Action::Apply)?;
    render_policy(&state, &page, &FieldErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AcceptForm {
    csrf: String,
    version: String,
}

pub async fn accept_policy(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<AcceptForm>,
) -> Result<Response, PageError> {
    allow(&page, Action::AcceptPolicy)?;
    page.check_csrf(&form.csrf)?;
    let account = page.account.as_ref().ok_or(Error::Unauthenticated)?;
    let Ok(version) = form.version.trim().parse::<i64>() else {
        let errors = forms::one("version", "must be the number of the policy version");
        return render_policy(&state, &page, &errors).await;
    };
    match usecase::accept_policy(&state, &page.audit(), &account.id, version).await {
        Ok(()) => {
            // A contact goes on to what the acceptance opened: the
            // embargoed advisories they may read.
            let contact = matches!(
                &page.actor,
                crate::domain::authz::Actor::Account {
                    contact: Some(_),
                    ..
                }
            );
            let (to, text) = match contact {
                true => (
                    "/member/advisories",
                    format!(
                        "You accepted version {version} of the list policy: these are the embargoed advisories you may read."
                    ),
                ),
                false => (
                    "/policy",
                    format!("You accepted version {version} of the list policy."),
                ),
            };
            Ok(Flash::success(text).redirect(&state, to))
        }
        Err(e) => render_policy(&state, &page, &forms::form_errors(e)?).await,
    }
}

/// An application's answers in the order of the current criteria, each
/// under its criterion's title; answers to criteria removed since follow
/// under their key.
pub(super) async fn answers(state: &AppState, app: &Application) -> Result<Vec<Value>, Error> {
    let (_, criteria) = usecase::criteria(state).await?;
    let known = criteria.iter().filter_map(|c| {
        let answer = app.answers.get(&c.key)?;
        Some(json!({ "key": c.key, "title": c.title, "answer": answer }))
    });
    let mut out: Vec<Value> = known.collect();
    for (key, answer) in &app.answers {
        if !criteria.iter().any(|c| &c.key == key) {
            out.push(json!({ "key": key, "title": key, "answer": answer }));
        }
    }
    Ok(out)
}

/// The application `id` for a member contact asked to vouch for it: only
/// contacts of the member the applicant named see it (`Action::VouchFor`).
/// Anyone else who may vouch gets 404, as for an id that does not exist, so
/// ids cannot be probed.
async fn vouch_target(state: &AppState, page: &Page, id: &str) -> Result<Application, Error> {
    allow(page, Action::Vouch)?;
    let mut conn = state.db.conn().await?;
    let app = apps::get(&mut conn, id).await?.ok_or(Error::NotFound)?;
    let voucher = MemberId::parse(&app.voucher_member_id).map_err(|e| Error::Internal(e.into()))?;
    Error::hidden_unless_allowed(&page.actor, Action::VouchFor(&voucher))?;
    Ok(app)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VouchForm {
    csrf: String,
    statement: String,
    /// Which button: `true` vouches, `false` declines.
    vouch: String,
}

async fn render_vouch(
    state: &AppState,
    page: &Page,
    app: &Application,
    statement: &str,
    errors: &FieldErrors,
) -> Result<Response, PageError> {
    let account = page.account.as_ref().ok_or(Error::Unauthenticated)?;
    let mut conn = state.db.conn().await?;
    let member = members::get(&mut conn, &app.voucher_member_id).await?;
    let vouches = apps::vouches(&mut conn, &app.id).await?;
    drop(conn);
    let mine = vouches.iter().find(|v| v.account_id == account.id.as_str());
    let ctx = json!({
        "application": { "id": app.id, "organization": app.organization, "website": app.website,
                         "status": app.status, "created_at": app.created_at },
        "member": member.map(|m| m.organization),
        "answers": answers(state, app).await?, "mine": mine, "statement": statement,
        "open": app.status.review().is_ok(),
    });
    let mut layout = Layout::default();
    layout.add("statement", "Statement");
    let ctx = layout.with_errors(ctx, errors);
    let title = format!("Vouch for {}", app.organization);
    forms::respond(state, page, "vouch", &title, ctx)
}

pub async fn vouch_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = vouch_target(&state, &page, &id).await?;
    render_vouch(&state, &page, &app, "", &FieldErrors::new()).await
}

pub async fn vouch(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<VouchForm>,
) -> Result<Response, PageError> {
    let app = vouch_target(&state, &page, &id).await?;
    page.check_csrf(&form.csrf)?;
    let account = page.account.as_ref().ok_or(Error::Unauthenticated)?;
    let vouched = match form.vouch.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            let errors = forms::one("vouch", "choose whether you vouch or decline");
            return render_vouch(&state, &page, &app, &form.statement, &errors).await;
        }
    };
    let (audit, statement) = (page.audit(), form.statement.as_str());
    match usecase::vouch(
        &state,
        &audit,
        &page.actor,
        &account.id,
        &app.id,
        vouched,
        statement,
    )
    .await
    {
        Ok(()) => {
            let text = match vouched {
                true => format!(
                    "You vouched for {}; the security team sees your statement.",
                    app.organization
                ),
                false => format!(
                    "You declined to vouch for {}; the security team sees your statement.",
                    app.organization
                ),
            };
            Ok(Flash::success(text).redirect(&state, &format!("/applications/{}/vouch", app.id)))
        }
        Err(e) => {
            let errors = forms::form_errors(e)?;
            render_vouch(&state, &page, &app, statement, &errors).await
        }
    }
}
