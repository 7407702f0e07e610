//! Refusals by 404 the route table alone does not show: resources that
//! exist but belong to someone else, or are not published yet. Each must
//! be `Hidden` (see `mod.rs`), never a 403 that confirms it exists.

use axum::http::Method;

use super::requests::{advisory_with_patch, api_body, fresh_advisory};
use super::world::World;
use super::{Expect, Kind, mismatch};

impl World {
    /// What went wrong, one line each.
    pub async fn check_hidden_elsewhere(&self) -> Vec<String> {
        let mut failures = Vec::new();
        let mut check = |what: String, expect: Expect, resp: crate::common::Response| {
            if let Some(problem) = mismatch(expect, &resp) {
                failures.push(format!("{what}: {problem}"));
            }
        };
        // Before publication every public path answers as for no advisory,
        // whoever asks (admins and its audience's cleared contacts read it
        // by the API).
        let id = &self.embargoed;
        let year = id.split('-').rev().nth(1).expect("year");
        let lower = id.to_lowercase();
        let public = [
            format!("/advisories/{id}"),
            format!("/advisories/{id}.osv.json"),
            format!("/advisories/{id}.csaf.json"),
            format!("/advisories/{id}/patches/{}", self.embargoed_patch),
            format!("/.well-known/csaf/white/{year}/{lower}.json"),
        ];
        for who in &self.callers {
            for path in &public {
                let resp = self.app.page(Method::GET, path, Some(&who.cookie), None);
                check(
                    format!("{:?} GET {path}", who.kind),
                    Expect::Hidden,
                    resp.await,
                );
            }
        }
        // A draft is the admins' alone: the list is told it does not exist.
        let draft = fresh_advisory(&self.app, self.admin_token()).await;
        let path = format!("/api/v1/advisories/{draft}");
        for who in &self.callers {
            let expect = match who.kind {
                Kind::Cleared | Kind::OtherOrg => Expect::Hidden,
                Kind::Admin => Expect::Is(200),
                Kind::Unaccepted | Kind::Delegate => Expect::Is(403),
                Kind::Anonymous | Kind::Reporter | Kind::Removed => Expect::Is(401),
            };
            let resp = self.app.get(&path, who.token.as_deref()).await;
            check(format!("{:?} GET {path} (a draft)", who.kind), expect, resp);
        }
        // Embargoed but never announced: the team's alone, by API and on
        // the list's pages, to every cleared contact.
        let unannounced = fresh_advisory(&self.app, self.admin_token()).await;
        let embargo = api_body(&Method::POST, "/api/v1/advisories/{id}/embargo");
        let path = format!("/api/v1/advisories/{unannounced}/embargo");
        let set = self
            .app
            .post(&path, self.admin_token(), embargo.expect("body"));
        check(format!("embargo {unannounced}"), Expect::Is(200), set.await);
        for who in &self.callers {
            let expect = match who.kind {
                Kind::Cleared | Kind::OtherOrg => Expect::Hidden,
                Kind::Admin => Expect::Is(200),
                _ => continue,
            };
            let api = format!("/api/v1/advisories/{unannounced}");
            let resp = self.app.get(&api, who.token.as_deref()).await;
            check(
                format!("{:?} GET {api} (never announced)", who.kind),
                expect,
                resp,
            );
            let page = format!("/member/advisories/{unannounced}");
            let resp = self.app.page(Method::GET, &page, Some(&who.cookie), None);
            check(
                format!("{:?} GET {page} (never announced)", who.kind),
                expect,
                resp.await,
            );
        }
        // The list's web view shows what is under embargo: a draft (and its
        // patch) is not there for anyone, admins included; a published
        // advisory's page is its public one.
        let mut list_view = Vec::new();
        let (draft, draft_patch) = advisory_with_patch(&self.app, self.admin_token()).await;
        let (published, patch) = (&self.advisory, &self.patch);
        let cases = [
            (format!("/member/advisories/{draft}"), None),
            (
                format!("/member/advisories/{draft}/patches/{draft_patch}"),
                None,
            ),
            (
                format!("/member/advisories/{published}"),
                Some(format!("/advisories/{published}")),
            ),
            (
                format!("/member/advisories/{published}/patches/{patch}"),
                Some(format!("/advisories/{published}/patches/{patch}")),
            ),
        ];
        for who in &self.callers {
            let signed_in = who.email.is_some() && who.kind != Kind::Removed;
            for (path, public) in &cases {
                let expect = match (signed_in, public) {
                    (false, _) => Expect::Login,
                    (true, None) => Expect::Hidden,
                    (true, Some(_)) => Expect::Is(303),
                };
                let resp = self.app.page(Method::GET, path, Some(&who.cookie), None);
                let resp = resp.await;
                let mut problem = mismatch(expect, &resp);
                let at = resp.header("location").map(str::to_owned);
                if signed_in && public.is_some() && at != *public {
                    problem = Some(format!("redirects to {at:?}, not {public:?}"));
                }
                if let Some(problem) = problem {
                    list_view.push(format!("{:?} GET {path}: {problem}", who.kind));
                }
            }
            if matches!(who.kind, Kind::Cleared | Kind::OtherOrg | Kind::Admin) {
                let list =
                    self.app
                        .page(Method::GET, "/member/advisories", Some(&who.cookie), None);
                let html = list.await.text();
                // The other organisation was not in the embargoed one's audience.
                let listed = who.kind != Kind::OtherOrg;
                if html.contains(self.embargoed.as_str()) != listed || html.contains(draft.as_str())
                {
                    let should = if listed { "must list" } else { "must not list" };
                    list_view.push(format!(
                        "{:?} GET /member/advisories {should} {} nor the draft {draft}",
                        who.kind, self.embargoed
                    ));
                }
            }
        }
        // Another account's token and key: as if there were none.
        let token = format!("/api/v1/tokens/{}", self.bystander_token_id);
        let key = format!("/api/v1/me/keys/{}", self.bystander_key_id);
        let live = self
            .callers
            .iter()
            .filter(|c| c.token.is_some() && c.kind != Kind::Removed);
        for who in live {
            for path in [&token, &key] {
                let resp = self
                    .app
                    .api(Method::DELETE, path, who.token.as_deref(), None);
                check(
                    format!("{:?} DELETE {path} (the bystander's)", who.kind),
                    Expect::Hidden,
                    resp.await,
                );
            }
        }
        // The own-organisation routes show the caller's own organisation.
        for who in &self.callers {
            let org = match who.kind {
                Kind::Cleared | Kind::Unaccepted => "Matrix Org",
                Kind::OtherOrg => "Other Org",
                _ => continue,
            };
            let resp = self
                .app
                .get("/api/v1/me/member", who.token.as_deref())
                .await;
            let shown = resp.json()["member"]["organization"].clone();
            if shown != org {
                failures.push(format!(
                    "{:?} GET /api/v1/me/member shows {shown}, not {org}",
                    who.kind
                ));
            }
        }
        failures.extend(list_view);
        failures
    }
}
