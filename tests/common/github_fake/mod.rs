//! A fake of GitHub's repository security advisory endpoints on loopback
//! (`tests/data/github/github-repository-advisories.openapi.json`): keeps
//! advisories in memory, records every request, and answers what the real
//! API would refuse with GitHub's error and a recorded violation.

mod advisory;
mod schema;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, Response, StatusCode, header};
use serde_json::{Value, json};

pub use schema::{errors as schema_errors, github_schema};

/// The token the fake accepts.
pub const TOKEN: &str = "ghp_embargoFakeToken0000000000000000000";
/// API versions GitHub serves for these endpoints.
pub const API_VERSIONS: [&str; 2] = ["2022-11-28", "2026-03-10"];
const DOCS: &str = "https://docs.github.com/rest/security-advisories/repository-advisories";

/// One request as received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// What the next requests meet instead of the API.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Answers this status (502, 503) with GitHub's error body.
    Status(u16),
    /// Never answers (for a client's timeout).
    Hang,
}

#[derive(Default)]
struct State {
    base: String,
    repos: BTreeMap<String, Vec<Value>>,
    cve_requested: Vec<String>,
    requests: Vec<Recorded>,
    violations: Vec<String>,
    faults: VecDeque<Fault>,
}

/// The running fake; the server stops with the test's runtime.
#[derive(Clone)]
pub struct GithubFake {
    /// The API root to configure as `api_url` (no trailing slash).
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl GithubFake {
    /// Serves on `127.0.0.1:0` with the repositories `owner/name` existing.
    pub async fn start(repos: &[&str]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            base: url.clone(),
            repos: repos.iter().map(|r| (r.to_string(), Vec::new())).collect(),
            ..State::default()
        }));
        let shared = state.clone();
        let app = Router::new().fallback(move |req: Request<Body>| {
            let state = shared.clone();
            async move { handle(state, req).await }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        GithubFake { url, state }
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The requests the real API would have refused, one line each.
    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    /// Fails the test if any request would have been refused by GitHub.
    #[track_caller]
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "requests GitHub would refuse:\n{}",
            violations.join("\n")
        );
    }

    /// The advisories of `owner/repo` as GitHub would answer them.
    pub fn advisories(&self, repo: &str) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state.repos.get(repo).cloned().unwrap_or_default()
    }

    /// One advisory of `owner/repo`.
    pub fn advisory(&self, repo: &str, ghsa: &str) -> Option<Value> {
        self.advisories(repo)
            .into_iter()
            .find(|a| a["ghsa_id"] == ghsa)
    }

    /// Whether a CVE was requested for `ghsa`.
    pub fn cve_requested(&self, ghsa: &str) -> bool {
        let state = self.state.lock().unwrap();
        state.cve_requested.iter().any(|g| g == ghsa)
    }

    /// GitHub assigns `cve` to the advisory (after a CVE request).
    pub fn assign_cve(&self, repo: &str, ghsa: &str, cve: &str) {
        let mut state = self.state.lock().unwrap();
        let adv = state
            .repos
            .get_mut(repo)
            .and_then(|advs| advs.iter_mut().find(|a| a["ghsa_id"] == ghsa))
            .unwrap_or_else(|| panic!("no advisory {ghsa} in {repo}"));
        advisory::set_cve(adv, Some(cve));
    }

    /// The next `n` requests meet `fault` (after any already queued).
    pub fn fail_next(&self, n: usize, fault: Fault) {
        let mut state = self.state.lock().unwrap();
        state.faults.extend(std::iter::repeat_n(fault, n));
    }
}

fn reply(status: StatusCode, body: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// GitHub's `basic-error`.
pub fn basic_error(status: StatusCode, message: &str) -> Value {
    json!({"message": message, "documentation_url": DOCS, "status": status.as_u16().to_string()})
}

/// A refusal: GitHub's answer, and the violation recorded.
struct Refusal(StatusCode, Value);

fn refuse(status: StatusCode, message: &str) -> Refusal {
    Refusal(status, basic_error(status, message))
}

fn invalid(errors: Vec<String>) -> Refusal {
    let items: Vec<Value> = errors
        .iter()
        .map(|e| json!({"resource": "RepositoryAdvisory", "code": "invalid", "message": e}))
        .collect();
    Refusal(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": "Validation Failed", "documentation_url": DOCS, "errors": items}),
    )
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, 10 << 20).await.unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: path.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.clone(),
    };
    let fault = {
        let mut state = state.lock().unwrap();
        state.requests.push(recorded);
        state.faults.pop_front()
    };
    match fault {
        Some(Fault::Hang) => std::future::pending::<()>().await,
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap();
            return reply(status, basic_error(status, "Server Error"));
        }
        None => {}
    }
    let result = check_headers(&parts.headers, &parts.method, &body)
        .and_then(|()| route(&state, &parts.method, &path, &body));
    match result {
        Ok((status, value)) => {
            // The fake's own answers are held to GitHub's response schema too.
            let advisories = value
                .as_array()
                .cloned()
                .unwrap_or_else(|| vec![value.clone()]);
            for adv in advisories.iter().filter(|a| a.get("ghsa_id").is_some()) {
                let errors = schema::errors("repository-advisory", adv);
                if !errors.is_empty() {
                    let line = format!("the fake's answer to {path}: {errors:?}");
                    state.lock().unwrap().violations.push(line);
                }
            }
            reply(status, value)
        }
        Err(Refusal(status, value)) => {
            let line = format!("{} {path}: {status} {value}", parts.method);
            state.lock().unwrap().violations.push(line);
            reply(status, value)
        }
    }
}

fn check_headers(headers: &HeaderMap, method: &Method, body: &str) -> Result<(), Refusal> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match get("authorization") {
        None => return Err(refuse(StatusCode::UNAUTHORIZED, "Requires authentication")),
        Some(a) if a != format!("Bearer {TOKEN}") => {
            return Err(refuse(StatusCode::UNAUTHORIZED, "Bad credentials"));
        }
        Some(_) => {}
    }
    if get("accept") != Some("application/vnd.github+json") {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Accept is not application/vnd.github+json",
        ));
    }
    match get("x-github-api-version") {
        Some(v) if API_VERSIONS.contains(&v) => {}
        v => {
            let message = format!("API version {} is not supported.", v.unwrap_or("(none)"));
            return Err(refuse(StatusCode::BAD_REQUEST, &message));
        }
    }
    let json_body = get("content-type").is_some_and(|c| c.starts_with("application/json"));
    if (*method == Method::POST || *method == Method::PATCH) && !body.is_empty() && !json_body {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type is not JSON",
        ));
    }
    Ok(())
}

type Answer = Result<(StatusCode, Value), Refusal>;

fn route(state: &Mutex<State>, method: &Method, path: &str, body: &str) -> Answer {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (owner, repo, rest) = match segments.as_slice() {
        ["repos", owner, repo, "security-advisories", rest @ ..] => (*owner, *repo, rest),
        _ => return Err(refuse(StatusCode::NOT_FOUND, "Not Found")),
    };
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if !name_ok(owner) || !name_ok(repo) {
        return Err(refuse(StatusCode::NOT_FOUND, "Not Found"));
    }
    let key = format!("{owner}/{repo}");
    let mut state = state.lock().unwrap();
    let State {
        base,
        repos,
        cve_requested,
        ..
    } = &mut *state;
    let Some(advisories) = repos.get_mut(&key) else {
        return Err(refuse(StatusCode::NOT_FOUND, "Not Found"));
    };
    let parse = || -> Result<Value, Refusal> {
        serde_json::from_str(body).map_err(|e| {
            refuse(
                StatusCode::BAD_REQUEST,
                &format!("Problems parsing JSON: {e}"),
            )
        })
    };
    match (method.as_str(), rest) {
        ("GET", []) => list(advisories, query),
        ("POST", []) => {
            let body = parse()?;
            check_body("repository-advisory-create", &body)?;
            let adv = advisory::created(base, owner, repo, &advisory::new_ghsa_id(), &body);
            advisories.push(adv.clone());
            Ok((StatusCode::CREATED, adv))
        }
        (m, [ghsa, tail @ ..]) => {
            let Some(adv) = advisories.iter_mut().find(|a| a["ghsa_id"] == *ghsa) else {
                return Err(refuse(StatusCode::NOT_FOUND, "Not Found"));
            };
            match (m, tail) {
                ("GET", []) => Ok((StatusCode::OK, adv.clone())),
                ("PATCH", []) => {
                    let body = parse()?;
                    check_body("repository-advisory-update", &body)?;
                    if adv["state"] == "published" && body["state"] == "draft" {
                        return Err(invalid(vec![
                            "a published advisory cannot become a draft again".into(),
                        ]));
                    }
                    advisory::apply(adv, &body);
                    Ok((StatusCode::OK, adv.clone()))
                }
                ("POST", ["cve"]) => {
                    if !adv["cve_id"].is_null() {
                        return Err(invalid(vec!["the advisory already has a CVE".into()]));
                    }
                    cve_requested.push(ghsa.to_string());
                    Ok((StatusCode::ACCEPTED, json!({})))
                }
                _ => Err(refuse(StatusCode::NOT_FOUND, "Not Found")),
            }
        }
        _ => Err(refuse(StatusCode::NOT_FOUND, "Not Found")),
    }
}

/// The request schema, and the rule its description states in words:
/// `severity` or `cvss_vector_string`, not both.
fn check_body(schema: &str, body: &Value) -> Result<(), Refusal> {
    let mut errors = schema::errors(schema, body);
    if !body["severity"].is_null() && !body["cvss_vector_string"].is_null() {
        errors.push("severity and cvss_vector_string cannot both be set".into());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(invalid(errors))
    }
}

/// `GET .../security-advisories`: its query parameters as GitHub checks them.
fn list(advisories: &[Value], query: &str) -> Answer {
    let mut out: Vec<Value> = advisories.to_vec();
    let mut descending = true;
    let mut per_page = 30usize;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = || invalid(vec![format!("{name}: {value:?} is not allowed")]);
        match name {
            "direction" if ["asc", "desc"].contains(&value) => descending = value == "desc",
            "sort" if ["created", "updated", "published"].contains(&value) => {}
            "per_page" => match value.parse::<usize>() {
                Ok(n @ 1..=100) => per_page = n,
                _ => return Err(bad()),
            },
            "state" if ["triage", "draft", "published", "closed"].contains(&value) => {
                out.retain(|a| a["state"] == value)
            }
            "before" | "after" => {}
            "direction" | "sort" | "state" => return Err(bad()),
            _ => {}
        }
    }
    if descending {
        out.reverse();
    }
    out.truncate(per_page);
    Ok((StatusCode::OK, json!(out)))
}
