//! One app with a caller of each column, the resources the routes name
//! (all of which exist), and the way each request is sent.

use std::cell::Cell;

use axum::http::{Method, StatusCode};
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;
use serde_json::json;

use super::requests::{
    ADMIN, advisory_with_patch, announcement, api_body, dead_job, fresh_advisory,
    multipart_request, page_fields, patch_request, share, token_id,
};
use super::{Kind, contributions, leaks, liveness, membership, templates, with_made_up};
use crate::common::{CSRF, Response, TestApp, path_of};

const CLEARED: &str = "member@project.test";
const UNACCEPTED: &str = "pending@project.test";
const OTHER: &str = "other@other.test";
const REMOVED: &str = "removed@gone.test";
const DELEGATE: &str = "delegate@project.test";
/// A delegate whose token and key ids the callers without a live token of
/// their own name: real ids, of somebody else's account.
const BYSTANDER: &str = "bystander@project.test";
/// A well-formed tracking link that opens nothing: what the callers who do
/// not hold the reporter's link present.
const NO_TRACKING: &str = "madeUpTrackingTokenThatIsLongEnough0123456789";

/// One column of the matrix: how that kind of caller identifies itself.
pub struct Caller {
    pub kind: Kind,
    pub email: Option<&'static str>,
    account: Option<String>,
    /// Bearer token for API routes (for the removed contact, its old one).
    pub token: Option<String>,
    /// Cookie header for page routes (the CSRF cookie, plus a session).
    pub cookie: String,
    /// The CSRF token its forms carry.
    pub csrf: String,
    /// The id of a token of its own, for callers that cannot make one now.
    old_token_id: Option<String>,
}

impl Caller {
    fn anonymous(kind: Kind) -> Self {
        Self {
            kind,
            email: None,
            account: None,
            token: None,
            cookie: format!("embargo_csrf={CSRF}"),
            csrf: CSRF.to_owned(),
            old_token_id: None,
        }
    }

    /// Whether its token still works.
    fn live(&self) -> bool {
        self.token.is_some() && self.kind != Kind::Removed
    }
}

/// One app with a caller of each kind and the resources the routes name.
pub struct World {
    pub app: TestApp,
    pub callers: Vec<Caller>,
    report: String,
    tracking: String,
    attachment: String,
    /// A published advisory and a patch on it, for the public paths.
    pub(super) advisory: String,
    pub(super) patch: String,
    /// An embargoed advisory and a patch on it, for the list's reads.
    pub(super) embargoed: String,
    pub(super) embargoed_patch: String,
    pub(super) bystander_token_id: String,
    pub(super) bystander_key_id: String,
    /// The list's member, application and links.
    list: membership::List,
    /// A member with a ping, for the liveness and review routes.
    liveness: liveness::Liveness,
    leaks: leaks::Leaks,
    contributions: contributions::Contributions,
    /// The policy version the cleared columns accepted last.
    accepted: Cell<i64>,
    throwaway: Cell<u32>,
}

impl World {
    pub async fn new() -> Self {
        let app = TestApp::with_config(|c| {
            c.limits.reports_per_hour = 10_000;
            // A CNA, so the CVE record route answers.
            c.publication.cve_org_id = "b3476cb9-2e3d-41a6-98d0-0f47421a65b6".into();
        })
        .await;
        let mut callers = vec![
            Caller::anonymous(Kind::Anonymous),
            Caller::anonymous(Kind::Reporter),
        ];
        for (kind, email, role) in [
            (Kind::Cleared, CLEARED, Role::Member),
            (Kind::Unaccepted, UNACCEPTED, Role::Member),
            (Kind::OtherOrg, OTHER, Role::Member),
            (Kind::Removed, REMOVED, Role::Member),
            (Kind::Delegate, DELEGATE, Role::Delegate),
            (Kind::Admin, ADMIN, Role::Admin),
        ] {
            let (account, token) = app.account(email, role).await;
            let browser = app.browser(email).await;
            callers.push(Caller {
                kind,
                email: Some(email),
                account: Some(account),
                token: Some(token),
                cookie: browser.cookie,
                csrf: browser.csrf,
                old_token_id: None,
            });
        }
        let admin = callers[7].token.clone();
        let admin = admin.as_deref();

        let (report, url) = app.report("Matrix report", Some("rep@example.net")).await;
        let tracking = tracking_token(&url);
        let upload = json!({
            "body": "x",
            "attachments": [{ "filename": "a.txt", "content_base64": "aGVsbG8=" }],
        });
        let resp = app
            .post(&format!("/api/v1/track/{tracking}/messages"), None, upload)
            .await;
        assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.text());
        let detail = app.get(&format!("/api/v1/reports/{report}"), admin).await;
        let attachment = detail.json()["attachments"][0]["id"]
            .as_str()
            .expect("attachment id")
            .to_owned();

        let (advisory, patch) = advisory_with_patch(&app, admin).await;
        let published = app
            .post(
                &format!("/api/v1/advisories/{advisory}/publish"),
                admin,
                json!({ "reason": "matrix" }),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.text());
        let (embargoed, embargoed_patch) = advisory_with_patch(&app, admin).await;
        let body = api_body(&Method::POST, "/api/v1/advisories/{id}/embargo");
        let path = format!("/api/v1/advisories/{embargoed}/embargo");
        let resp = app.post(&path, admin, body.expect("body")).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());

        let list = membership::List::new(&app, CLEARED).await;
        membership::add_contact(&app, &list.member, UNACCEPTED).await;
        membership::member_with_contact(&app, "Other Org", OTHER).await;
        // Announced to the list's member only: its contacts may read it,
        // the other organisation's may not (need-to-know).
        let admin_token = admin.expect("an admin token");
        announcement(&app, admin_token, &embargoed, &list.member).await;
        let gone = membership::member_with_contact(&app, "Gone Org", REMOVED).await;
        let removed = &mut callers[5];
        removed.old_token_id = Some(token_id(&app, removed.token.as_deref()).await);
        let path = format!("/api/v1/members/{gone}/removal");
        let resp = app.post(&path, admin, json!({ "reason": "matrix" })).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
        // What the form shows a browser whose session ended.
        removed.csrf = CSRF.to_owned();

        let (_, bystander) = app.account(BYSTANDER, Role::Delegate).await;
        let bystander_token_id = token_id(&app, Some(&bystander)).await;
        let bystander_key_id = membership::upload_key(&app, &bystander).await;
        let liveness = liveness::Liveness::new(&app).await;
        let leaks = leaks::Leaks::new(&app, admin, &list.member, &embargoed).await;
        let contributions =
            contributions::Contributions::new(&app, admin, &list.member, &embargoed).await;
        let world = Self {
            app,
            callers,
            report,
            tracking,
            attachment,
            advisory,
            patch,
            embargoed,
            embargoed_patch,
            bystander_token_id,
            bystander_key_id,
            list,
            liveness,
            leaks,
            contributions,
            accepted: Cell::new(-1),
            throwaway: Cell::new(0),
        };
        world.keep_cleared().await;
        world
    }

    pub(super) fn admin_token(&self) -> Option<&str> {
        self.callers[7].token.as_deref()
    }

    /// Has the cleared columns accept the current policy, if they have not.
    pub async fn keep_cleared(&self) {
        let body = self.list.body(&self.app, "/api/v1/policy/accept").await;
        let body = body.expect("accept body");
        let version = body["version"].as_i64().expect("version");
        if version == self.accepted.get() {
            return;
        }
        for who in &self.callers {
            if matches!(who.kind, Kind::Cleared | Kind::OtherOrg) {
                let token = who.token.as_deref();
                let resp = self.app.post("/api/v1/policy/accept", token, body.clone());
                let resp = resp.await;
                assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
            }
        }
        self.accepted.set(version);
    }

    /// The callers are still who their columns say.
    pub async fn assert_callers_unchanged(&self) {
        let mut conn = self.app.state.db.conn().await.expect("conn");
        for who in &self.callers {
            let page = self
                .app
                .page(Method::GET, "/account", Some(&who.cookie), None);
            let page = page.await.status;
            let me = self
                .app
                .get("/api/v1/me", who.token.as_deref())
                .await
                .status;
            let signed_in = who.email.is_some() && who.kind != Kind::Removed;
            let (page_ok, me_ok) = match signed_in {
                true => (StatusCode::OK, StatusCode::OK),
                false => (StatusCode::SEE_OTHER, StatusCode::UNAUTHORIZED),
            };
            assert_eq!((page, me), (page_ok, me_ok), "{:?} changed", who.kind);
            if let Some(account) = &who.account {
                let id = embargo::domain::id::AccountId::parse(account).expect("id");
                let facts = embargo::app::membership::contact_facts(&mut conn, &id).await;
                let cleared = facts.expect("contact facts").is_some_and(|c| c.cleared());
                let should = matches!(who.kind, Kind::Cleared | Kind::OtherOrg);
                assert_eq!(cleared, should, "{:?}", who.kind);
            }
        }
    }

    /// A report still in status `new`, so that moving it to triage is legal.
    async fn fresh_report(&self) -> String {
        let report = self.app.report("Fresh report", Some("rep@example.net"));
        report.await.0
    }

    fn next(&self) -> u32 {
        let n = self.throwaway.get() + 1;
        self.throwaway.set(n);
        n
    }

    /// The secret of a new set-up link, for a new account.
    async fn fresh_setup_token(&self) -> String {
        let n = self.next();
        let email = EmailAddress::parse(&format!("new{n}@project.test")).expect("email");
        let actor = embargo::db::audit::Actor::cli();
        let url = embargo::app::auth::add_account(&self.app.state, &actor, &email, Role::Member)
            .await
            .expect("set-up link");
        tracking_token(&url)
    }

    /// The id for `{id}` in the routes about the caller's own account:
    /// a fresh token or key of its own while its token works, else a real
    /// one it cannot use (its old one, or the bystander's).
    async fn own_id(&self, template: &str, who: &Caller) -> Option<String> {
        let live = who.token.as_deref().filter(|_| who.live());
        let id = match template {
            "/api/v1/tokens/{id}" | "/account/tokens/{id}/revoke" => match live {
                Some(_) => token_id(&self.app, live).await,
                None => (who.old_token_id.as_ref())
                    .unwrap_or(&self.bystander_token_id)
                    .clone(),
            },
            "/api/v1/me/keys/{id}" | "/account/keys/{id}/retire" => match live {
                Some(t) => membership::upload_key(&self.app, t).await,
                None => self.bystander_key_id.clone(),
            },
            _ => return None,
        };
        Some(template.replace("{id}", &id))
    }

    /// The concrete path for `template`, with fresh resources where the
    /// request would use them up.
    async fn path(&self, template: &str, method: &Method, who: &Caller) -> String {
        if let Some(p) = self.own_id(template, who).await {
            return p;
        }
        if let Some(p) = self.list.contact_path(&self.app, template).await {
            return p;
        }
        if let Some(p) = self
            .list
            .path(&self.app, template, self.admin_token())
            .await
        {
            return p;
        }
        if let Some(p) = self
            .leaks
            .path(&self.app, template, method, self.admin_token())
            .await
        {
            return p;
        }
        let (admin, cleared) = (self.admin_token(), self.callers[2].token.as_deref());
        let p = self.contributions.path(&self.app, template, admin, cleared);
        if let Some(p) = p.await {
            return p;
        }
        if let Some(p) = self.liveness.path(template) {
            return p;
        }
        if let Some(p) = templates::path(&self.app, template, self.admin_token()).await {
            return p;
        }
        let mut path = template.replace("{attachment}", &self.attachment);
        let list_view = path.starts_with("/member/advisories/");
        let team_view = path.starts_with("/admin/advisories/");
        if path.starts_with("/api/v1/advisories/") || list_view || team_view {
            path = path.replace("{patch}", &self.embargoed_patch);
        }
        path = path.replace("{patch}", &self.patch);
        if path.contains("{year}") {
            let year = self.advisory.split('-').rev().nth(1).expect("year");
            let file = format!("{}.json", self.advisory.to_lowercase());
            path = path.replace("{year}", year).replace("{file}", &file);
        }
        path = path.replace("{file}", &self.advisory);
        if path.contains("{hash}") {
            // The Web Key Directory name of the security address.
            let local = embargo::publish::wkd::local_part(&self.app.state.config.security_address);
            path = path.replace("{hash}", &embargo::publish::wkd::local_part_hash(local));
        }
        if path.starts_with("/api/v1/announcements/{id}")
            || path.starts_with("/admin/announcements/{id}")
        {
            let admin = self.admin_token().expect("an admin token");
            let ann = announcement(&self.app, admin, &self.embargoed, &self.list.member).await;
            path = path.replace("{id}", &ann);
        }
        if path.starts_with("/api/v1/shares/{id}") {
            // A fresh share by the cleared contact. One to accept goes to the
            // matrix's delegate, of an advisory of its own: accepted, it
            // must not open the embargoed one the other rows ask for.
            let cleared = self.callers[2].token.as_deref().expect("cleared token");
            let share = if path.ends_with("/accept") {
                let admin = self.admin_token();
                let advisory = fresh_advisory(&self.app, admin).await;
                let body = api_body(&Method::POST, "/api/v1/advisories/{id}/embargo");
                let embargo = format!("/api/v1/advisories/{advisory}/embargo");
                let resp = self.app.post(&embargo, admin, body.expect("body")).await;
                assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
                let admin = admin.expect("an admin token");
                announcement(&self.app, admin, &advisory, &self.list.member).await;
                share(&self.app, cleared, &advisory, DELEGATE).await
            } else {
                share(
                    &self.app,
                    cleared,
                    &self.embargoed,
                    "colleague@matrix.example",
                )
                .await
            };
            path = path.replace("{id}", &share);
        }
        if path.ends_with("/shares") {
            // Only an embargoed advisory is shared.
            path = path.replace("{id}", &self.embargoed);
        }
        if path.ends_with("/announcements") || path.ends_with("/announcements/confirm") {
            // Only an embargoed advisory can be announced.
            path = path.replace("{id}", &self.embargoed);
        }
        let advisory_page = path.starts_with("/admin/advisories/{id}");
        if path.starts_with("/api/v1/advisories/{id}") || advisory_page || list_view {
            // Changes need a draft of their own; reads use the embargoed one.
            let id = if method == Method::GET {
                self.embargoed.clone()
            } else {
                fresh_advisory(&self.app, self.admin_token()).await
            };
            path = path.replace("{id}", &id);
        }
        if path.contains("{id}") {
            let id = if path.contains("/jobs/{id}") {
                dead_job(&self.app, self.next()).await
            } else if path.ends_with("/status") {
                self.fresh_report().await
            } else {
                self.report.clone()
            };
            path = path.replace("{id}", &id);
        }
        if path.contains("{token}") {
            let token = if path.starts_with("/setup/") || path.starts_with("/api/v1/setup/") {
                self.fresh_setup_token().await
            } else if who.kind == Kind::Reporter {
                self.tracking.clone()
            } else {
                NO_TRACKING.to_owned()
            };
            path = path.replace("{token}", &token);
        }
        path
    }

    /// Sends `method template` as `who`, with a body an allowed caller
    /// would succeed with; with `made_up`, that path parameter made up.
    pub async fn send(
        &self,
        method: &Method,
        template: &str,
        who: &Caller,
        made_up: Option<usize>,
    ) -> Response {
        let mut path = self.path(template, method, who).await;
        if let Some(n) = made_up {
            path = with_made_up(template, &path, n);
        }
        let member = matches!(who.kind, Kind::Cleared | Kind::Unaccepted | Kind::OtherOrg);
        // Leaving ends a member and accepting clears a contact: a stand-in
        // of the same kind does it, so the column stays what it is.
        let stand_in = match template {
            "/api/v1/me/member/leave" | "/member/leave" if member => Some(self.list.stand_in(
                &self.app,
                false,
                who.kind != Kind::Unaccepted,
            )),
            "/api/v1/policy/accept" | "/policy/accept" if who.kind == Kind::Unaccepted => {
                Some(self.list.stand_in(&self.app, true, false))
            }
            _ => None,
        };
        let stand_in = match stand_in {
            Some(s) => Some(s.await),
            None => None,
        };
        if template.starts_with("/api/") {
            let token = match &stand_in {
                Some((_, t)) => Some(t.as_str()),
                None => who.token.as_deref(),
            };
            let body = match self.list.body(&self.app, template).await {
                Some(b) => Some(b),
                None => self.liveness.body(template),
            };
            let body = body.or_else(|| self.leaks.body(template));
            let body = body.or_else(|| self.contributions.body(template));
            let body = body.or_else(|| templates::body(template));
            let body = body.or_else(|| api_body(method, template));
            return self.app.api(method.clone(), &path, token, body).await;
        }
        if template == "/track/{token}/messages" {
            let req = multipart_request(&path, &who.cookie, &who.csrf);
            return self.app.request(req).await;
        }
        if template == "/admin/advisories/{id}/patches" {
            let req = patch_request(&path, &who.cookie, &who.csrf);
            return self.app.request(req).await;
        }
        let (cookie, csrf) = match (&stand_in, who.email) {
            (Some((email, _)), _) => {
                let b = self.app.browser(email).await;
                (b.cookie, b.csrf)
            }
            // Logging out ends the session: use one of its own.
            (None, Some(email)) if template == "/logout" && who.live() => {
                let b = self.app.browser(email).await;
                (b.cookie, b.csrf)
            }
            _ => (who.cookie.clone(), who.csrf.clone()),
        };
        let form = if method == Method::POST {
            let fields = match self.list.form(&self.app, template).await {
                Some(f) => Some(f),
                None => self.liveness.form(template),
            };
            let fields = fields.or_else(|| self.leaks.form(template));
            let fields = fields.or_else(|| templates::form(template));
            let fields = fields.unwrap_or_else(|| page_fields(template, who));
            Some(format!("csrf={csrf}{fields}"))
        } else {
            None
        };
        self.app
            .page(method.clone(), &path, Some(&cookie), form.as_deref())
            .await
    }
}

/// The secret at the end of a tracking or set-up link.
pub fn tracking_token(url: &str) -> String {
    path_of(url).rsplit('/').next().expect("token").to_owned()
}
