//! The concrete path of each route template for one caller: the
//! resources the world made, or the caller's own.

use axum::http::Method;

use super::*;

impl World {
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
            "/account/passkeys/{id}/remove" => match (live, &who.account) {
                (Some(_), Some(account)) => passkey_of(&self.app, account).await,
                _ => self.bystander_passkey_id.clone(),
            },
            _ => return None,
        };
        Some(template.replace("{id}", &id))
    }

    /// The concrete path for `template`, with fresh resources where the
    /// request would use them up.
    pub(super) async fn path(&self, template: &str, method: &Method, who: &Caller) -> String {
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
}
