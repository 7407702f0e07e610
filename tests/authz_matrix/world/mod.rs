//! One app with a caller of each column, the resources the routes name
//! (all of which exist), and the way each request is sent.

use std::cell::Cell;

use axum::http::{Method, StatusCode};
use embargo::domain::account::Role;
use embargo::domain::email::EmailAddress;
use serde_json::json;

use super::requests::{
    ADMIN, advisory_with_patch, announcement, api_body, dead_job, fresh_advisory,
    multipart_request, page_fields, passkey_of, patch_request, share, token_id,
};
use super::{Kind, contributions, leaks, liveness, membership, templates, with_made_up};
use crate::common::{CSRF, Response, TestApp, path_of};

mod paths;

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
    pub(super) bystander_passkey_id: String,
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
            c.limits.logins_per_15_minutes = 10_000;
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

        let (bystander_account, bystander) = app.account(BYSTANDER, Role::Delegate).await;
        let bystander_token_id = token_id(&app, Some(&bystander)).await;
        let bystander_passkey_id = passkey_of(&app, &bystander_account).await;
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
            bystander_passkey_id,
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

    /// A new account of the role of `kind`: (its address, an API token).
    async fn throwaway_account(&self, kind: Kind) -> (String, String) {
        let n = self.next();
        let role = match kind {
            Kind::Admin => Role::Admin,
            Kind::Delegate => Role::Delegate,
            _ => Role::Member,
        };
        let email = format!("signout{n}@project.test");
        let (_, token) = self.app.account(&email, role).await;
        (email, token)
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
        // Signing out everywhere ends the caller's sessions and tokens: an
        // account of the same role does it instead.
        let stand_in = match stand_in {
            None if who.live() && template.ends_with("/sign-out-everywhere") => {
                Some(self.throwaway_account(who.kind).await)
            }
            other => other,
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
