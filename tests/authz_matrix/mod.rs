//! The authorization matrix: what every route answers each kind of caller.
//! The tables (one file per area) are the specification, written out by
//! hand; the test insists that they cover exactly the routes the router
//! registers.
//!
//! Columns, in this order in every row:
//!
//! | column | who |
//! | --- | --- |
//! | anonymous | nobody signed in, no capability |
//! | reporter | holds one report's tracking link; otherwise anonymous |
//! | cleared | contact of the active member the list's application names, policy accepted |
//! | unaccepted | contact of that same member who never accepted the policy |
//! | other org | cleared contact of another active member, which the embargoed advisory was not announced to |
//! | removed | contact of a removed member, presenting the token and session cookie it had (forms as a reload shows them) |
//! | delegate | a delegate account |
//! | admin | an admin account |
//!
//! **404 means one of two things, and the tables say which.** Every path
//! id in the matrix names a resource that exists (a report, an advisory, a
//! job, a token, a key, a contact, an application, a member; callers with
//! no live token of their own name the removed contact's old token or a
//! bystander's token and key), so:
//!
//! - [`Expect::Hidden`] is a refusal: 404 *although the id exists*, so
//!   the caller cannot tell it from a made-up id.
//! - [`Expect::Missing`] is "allowed, but there is no such thing". It never
//!   appears in a table: after the tables, every caller that a table allows
//!   on a route with path parameters asks again with each parameter made
//!   up, and must get `Missing` there, so an allowed 2xx and a refused
//!   [`Expect::Hidden`] cannot be mistaken for each other.
//!
//! Tracking links are capabilities: only the reporter column holds the
//! real one; the others present a made-up link (with the real attachment
//! id) and must be `Hidden`. Set-up, application and ping links are held by
//! every column: whoever has the mail has the link.
//!
//! `hidden.rs` adds the refusals by 404 a route's row cannot show: an
//! embargoed advisory on the public paths, a draft to the list (by API and
//! on the member pages, where a published one leads to its public page),
//! an embargoed advisory never announced to the list's cleared contacts,
//! the other organisation's list without the one not announced to it,
//! another account's token or key, and that "my organisation" is the
//! caller's own.
//!
//! `// HOLE:` marks a cell that pins what the code does today although it
//! should not (the secure answer is named in the comment). There is none
//! today.

mod capabilities;
mod contributions;
mod hidden;
mod leaks;
mod liveness;
mod membership;
mod requests;
mod rows;
mod templates;
mod world;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::common::{CSRF, Response, TestApp};
use requests::multipart_request;
use world::{World, tracking_token};

/// What one caller must get from one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This status code.
    Is(u16),
    /// `303 See Other` to `/login`: a page asking for credentials.
    Login,
    /// 404 for an id that exists: refused without saying so.
    Hidden,
    /// 404 for a made-up id, to a caller allowed on the real one.
    Missing,
}

use Expect::{Hidden, Is, Login, Missing};

/// The columns, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Anonymous,
    Reporter,
    Cleared,
    Unaccepted,
    OtherOrg,
    Removed,
    Delegate,
    Admin,
}

const COLUMNS: usize = 8;

/// One row: a route and what each column gets.
type Row = (Method, &'static str, [Expect; COLUMNS]);

/// `None` when `resp` is what `expect` says, else what was wrong.
fn mismatch(expect: Expect, resp: &Response) -> Option<String> {
    let location = resp.header("location");
    let ok = match expect {
        Is(code) => resp.status.as_u16() == code,
        Login => {
            resp.status == StatusCode::SEE_OTHER
                && location.is_some_and(|l| l == "/login" || l.starts_with("/login?next=%2F"))
        }
        Hidden | Missing => resp.status == StatusCode::NOT_FOUND,
    };
    if ok {
        return None;
    }
    let text = resp.text();
    // Error pages: the message, not the page head.
    let body: String = text[text.find("<main").unwrap_or(0)..]
        .chars()
        .take(200)
        .collect();
    Some(format!(
        "expected {expect:?}, got {} (location {location:?}): {body}",
        resp.status
    ))
}

/// Whether `expect` lets the caller do what the route does.
fn allows(expect: Expect) -> bool {
    matches!(expect, Is(code) if (200..400).contains(&code))
}

fn key(method: &Method, path: &str) -> (String, String) {
    (method.to_string(), path.to_owned())
}

fn all_rows() -> Vec<&'static Row> {
    rows::PUBLIC
        .iter()
        .chain(rows::ADMIN)
        .chain(rows::API)
        .chain(membership::ROWS)
        .chain(liveness::ROWS)
        .chain(leaks::ROWS)
        .chain(contributions::ROWS)
        .chain(templates::ROWS)
        .collect()
}

/// A made-up value in the shape of `real`: the kind prefix (`rep_`,
/// `SA-`) and a file extension stay, every other letter or digit changes.
fn made_up(real: &str) -> String {
    let (stem, ext) = match real.rfind('.') {
        Some(i) => real.split_at(i),
        None => (real, ""),
    };
    let keep = stem.find(['_', '-']).map_or(0, |i| i + 1);
    let tail: String = stem[keep..]
        .chars()
        .map(|c| match c {
            '0'..='9' => '9',
            'a'..='z' => 'z',
            'A'..='Z' => 'Z',
            other => other,
        })
        .collect();
    format!("{}{tail}{ext}", &stem[..keep])
}

/// `path` (made from `template`) with the `n`th parameter made up.
fn with_made_up(template: &str, path: &str, n: usize) -> String {
    let params = template
        .split('/')
        .enumerate()
        .filter(|(_, s)| s.starts_with('{'));
    let (at, _) = params.clone().nth(n).expect("parameter");
    path.split('/')
        .enumerate()
        .map(|(i, s)| if i == at { made_up(s) } else { s.to_owned() })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let routes: BTreeSet<_> = embargo::http::route_table()
        .iter()
        .map(|(m, p)| key(m, p))
        .collect();
    let all = all_rows();
    let keys: BTreeSet<_> = all.iter().map(|(m, p, _)| key(m, p)).collect();
    assert_eq!(keys.len(), all.len(), "the matrix has a duplicate row");
    let missing: Vec<_> = routes.difference(&keys).collect();
    let stale: Vec<_> = keys.difference(&routes).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the matrix must list exactly the routes of route_table()\n\
         routes without a row: {missing:?}\nrows without a route: {stale:?}"
    );
    assert!(
        all.iter().all(|(_, _, cells)| !cells.contains(&Missing)),
        "the tables request real ids only: a refusal by 404 is Hidden"
    );

    let world = World::new().await;
    let mut failures = Vec::new();
    for (method, template, expected) in &all {
        for (who, expect) in world.callers.iter().zip(expected) {
            let resp = world.send(method, template, who, None).await;
            let mut problem = mismatch(*expect, &resp);
            // Success by redirect is never the login redirect, except after set-up.
            let to_login = resp.header("location") == Some("/login");
            if *expect == Is(303) && to_login && !template.starts_with("/setup/") {
                problem = Some("expected success, got the redirect to /login".into());
            }
            if let Some(problem) = problem {
                failures.push(format!("{:?} {method} {template}: {problem}", who.kind));
            }
        }
        // Publishing a policy pauses everyone's clearance: the cleared
        // columns accept the new version before the next row.
        world.keep_cleared().await;
    }

    // Allowed on the real id, Missing on a made-up one.
    for (method, template, expected) in &all {
        let params = template.matches('{').count();
        for (who, expect) in world.callers.iter().zip(expected) {
            if !allows(*expect) {
                continue;
            }
            for n in 0..params {
                let resp = world.send(method, template, who, Some(n)).await;
                if let Some(problem) = mismatch(Missing, &resp) {
                    failures.push(format!(
                        "{:?} {method} {template} with parameter {n} made up: {problem}",
                        who.kind
                    ));
                }
            }
        }
    }

    failures.extend(world.check_hidden_elsewhere().await);
    world.assert_callers_unchanged().await;
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn made_up_ids_keep_their_shape() {
    assert_eq!(made_up("rep_Ab3x"), "rep_Zz9z");
    assert_eq!(made_up("SA-2026-0001"), "SA-9999-9999");
    assert_eq!(made_up("sa-2026-0001.json"), "sa-9999-9999.json");
    assert_eq!(
        with_made_up("/a/{id}/b/{x}", "/a/rep_1/b/att_2", 1),
        "/a/rep_1/b/att_9"
    );
}
