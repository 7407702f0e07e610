//! The `repository-advisory` objects the fake answers with, built from what
//! was sent the way GitHub fills them in.

use rand::Rng;
use serde_json::{Map, Value, json};

/// A new id in GitHub's form (`GHSA-` and three groups of four from its
/// alphabet).
pub fn new_ghsa_id() -> String {
    const ALPHABET: &[u8] = b"23456789cfghjmpqrvwx";
    let mut rng = rand::rng();
    let mut group = || -> String {
        (0..4)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!("GHSA-{}-{}-{}", group(), group(), group())
}

pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A `simple-user` for `login` (ids and URLs made up, shapes GitHub's).
pub fn simple_user(login: &str) -> Value {
    let u = format!("https://api.github.com/users/{login}");
    json!({
        "login": login, "id": login.len() as i64 * 1000 + 7, "node_id": format!("U_{login}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/{login}"),
        "gravatar_id": "", "url": u, "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{u}/followers"), "following_url": format!("{u}/following{{/other_user}}"),
        "gists_url": format!("{u}/gists{{/gist_id}}"), "starred_url": format!("{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{u}/subscriptions"), "organizations_url": format!("{u}/orgs"),
        "repos_url": format!("{u}/repos"), "events_url": format!("{u}/events{{/privacy}}"),
        "received_events_url": format!("{u}/received_events"), "type": "User", "site_admin": false,
    })
}

/// The login every advisory is created by.
pub const AUTHOR: &str = "embargo-bot";

/// A fresh draft from a (valid) create body.
pub fn created(base: &str, owner: &str, repo: &str, ghsa: &str, body: &Value) -> Value {
    let now = now();
    let mut adv = json!({
        "ghsa_id": ghsa, "cve_id": null,
        "url": format!("{base}/repos/{owner}/{repo}/security-advisories/{ghsa}"),
        "html_url": format!("https://github.com/{owner}/{repo}/security/advisories/{ghsa}"),
        "summary": "", "description": "", "severity": null,
        "author": simple_user(AUTHOR), "publisher": null, "identifiers": [],
        "state": "draft", "created_at": now, "updated_at": now, "published_at": null,
        "closed_at": null, "withdrawn_at": null, "submission": null, "vulnerabilities": [],
        "cvss": null, "cvss_severities": {"cvss_v3": null, "cvss_v4": null},
        "cwes": [], "cwe_ids": [], "credits": [], "credits_detailed": [],
        "collaborating_users": [], "collaborating_teams": [], "private_fork": null,
    });
    set_cve(&mut adv, None);
    apply(&mut adv, body);
    adv
}

/// Applies a (valid) create or update body, as GitHub does.
pub fn apply(adv: &mut Value, body: &Value) {
    let Some(body) = body.as_object() else { return };
    let now = now();
    for (key, value) in body {
        match key.as_str() {
            "summary" | "description" | "severity" => adv[key] = value.clone(),
            "cve_id" => set_cve(adv, value.as_str()),
            "vulnerabilities" => adv[key] = vulnerabilities(value),
            "cwe_ids" => {
                let ids = value.as_array().cloned().unwrap_or_default();
                adv["cwes"] = ids
                    .iter()
                    .map(|id| json!({"cwe_id": id, "name": id}))
                    .collect();
                adv["cwe_ids"] = json!(ids);
            }
            "credits" => {
                let credits = value.as_array().cloned().unwrap_or_default();
                adv["credits_detailed"] = credits
                    .iter()
                    .map(|c| {
                        let login = c["login"].as_str().unwrap_or_default();
                        json!({"user": simple_user(login), "type": c["type"], "state": "pending"})
                    })
                    .collect();
                adv["credits"] = json!(credits);
            }
            "cvss_vector_string" => set_cvss(adv, value.as_str()),
            "collaborating_users" => {
                adv[key] = value
                    .as_array()
                    .map(|users| {
                        users
                            .iter()
                            .map(|u| simple_user(u.as_str().unwrap_or_default()))
                            .collect()
                    })
                    .unwrap_or(json!([]));
            }
            "state" => {
                let state = value.as_str().unwrap_or_default();
                if adv["state"] != state {
                    match state {
                        "published" => {
                            adv["published_at"] = json!(now);
                            adv["publisher"] = simple_user(AUTHOR);
                        }
                        "closed" => adv["closed_at"] = json!(now),
                        _ => {}
                    }
                }
                adv["state"] = json!(state);
            }
            _ => {}
        }
    }
    adv["updated_at"] = json!(now);
}

pub fn set_cve(adv: &mut Value, cve: Option<&str>) {
    adv["cve_id"] = json!(cve);
    let mut ids = vec![json!({"type": "GHSA", "value": adv["ghsa_id"]})];
    if let Some(cve) = cve {
        ids.push(json!({"type": "CVE", "value": cve}));
    }
    adv["identifiers"] = json!(ids);
}

fn set_cvss(adv: &mut Value, vector: Option<&str>) {
    let entry = vector.map(|v| json!({"vector_string": v, "score": null}));
    adv["cvss"] = entry.clone().unwrap_or(Value::Null);
    let v4 = vector.is_some_and(|v| v.starts_with("CVSS:4.0/"));
    adv["cvss_severities"] = if v4 {
        json!({"cvss_v3": null, "cvss_v4": entry})
    } else {
        json!({"cvss_v3": entry, "cvss_v4": null})
    };
}

/// Every field GitHub answers with, the ones left out as null.
fn vulnerabilities(value: &Value) -> Value {
    let items = value.as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|v| {
            let mut out = Map::new();
            out.insert(
                "package".into(),
                json!({"ecosystem": v["package"]["ecosystem"], "name": v["package"]["name"]}),
            );
            for key in ["vulnerable_version_range", "patched_versions"] {
                out.insert(key.into(), v[key].clone());
            }
            let functions = match &v["vulnerable_functions"] {
                Value::Null => json!([]),
                f => f.clone(),
            };
            out.insert("vulnerable_functions".into(), functions);
            Value::Object(out)
        })
        .collect()
}
