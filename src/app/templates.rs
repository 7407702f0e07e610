//! The team's mail templates: saving a checked version, reverting, going
//! back to the built-in text, and rendering a mail with the version that
//! was current when it was queued.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use crate::db::audit::{self, Actor};
use crate::db::templates::{self as store, VersionRow};
use crate::domain::fields::FieldErrors;
use crate::domain::language::{ENGLISH, Language};
use crate::domain::mail_kind::MailKind;
use crate::mail::templates::check::check;
use crate::mail::templates::{Compiled, RenderedMail, Sources};

/// A custom version chosen for a mail when it was queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    pub lang: String,
    pub version: i64,
}

/// Custom versions current at one moment: `{name: {lang: version}}`.
pub type Snapshot = BTreeMap<String, BTreeMap<String, i64>>;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no such template or version")]
    NotFound,
    #[error("invalid")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for TemplateError {
    fn from(e: sqlx::Error) -> Self {
        Self::Other(e.into())
    }
}

/// Compiled custom versions, by (name, lang, version): versions never
/// change, so nothing here goes stale.
#[derive(Default)]
pub struct Cache(Mutex<HashMap<(String, String, i64), Arc<Compiled>>>);

/// The languages to try for `lang`, best first: it, then English.
fn fallbacks(state: &AppState, lang: Option<&Language>) -> Vec<String> {
    let first = match lang {
        Some(l) => l.as_str().to_owned(),
        None => Language::parse(&state.config.organization_language)
            .map(|l| l.as_str().to_owned())
            .unwrap_or_else(|_| ENGLISH.to_owned()),
    };
    let mut langs = vec![first];
    if langs[0] != ENGLISH {
        langs.push(ENGLISH.to_owned());
    }
    langs
}

/// The custom version a mail of `kind` to a reader of `lang` (`None`: the
/// organisation's language) uses now; `None` for the built-in text.
pub async fn pick(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    kind: &str,
    lang: Option<&Language>,
) -> Result<Option<Pick>, sqlx::Error> {
    let langs = fallbacks(state, lang);
    let refs: Vec<&str> = langs.iter().map(String::as_str).collect();
    let current = store::current(conn, kind, &refs).await?;
    Ok(langs.iter().find_map(|l| {
        current
            .iter()
            .find(|row| &row.lang == l && row.is_custom())
            .map(|row| Pick {
                lang: row.lang.clone(),
                version: row.version,
            })
    }))
}

/// The custom versions of `kinds` current now, for mails rendered later
/// per recipient (announcements).
pub async fn snapshot(
    conn: &mut sqlx::AnyConnection,
    kinds: &[&str],
) -> Result<Snapshot, sqlx::Error> {
    let mut snap = Snapshot::new();
    for row in store::current_all(conn).await? {
        if row.is_custom() && kinds.contains(&row.name.as_str()) {
            snap.entry(row.name)
                .or_default()
                .insert(row.lang, row.version);
        }
    }
    Ok(snap)
}

/// What `snap` says a reader of `lang` gets for `kind`.
pub fn pick_from(
    state: &AppState,
    snap: &Snapshot,
    kind: &str,
    lang: Option<&Language>,
) -> Option<Pick> {
    let versions = snap.get(kind)?;
    fallbacks(state, lang).into_iter().find_map(|l| {
        versions.get(&l).map(|v| Pick {
            lang: l.clone(),
            version: *v,
        })
    })
}

/// Renders `kind` with `pick` (the built-in text for `None`). A template
/// that does not render is the caller's permanent failure; the database
/// being away is not.
pub async fn render(
    state: &AppState,
    kind: &str,
    pick: Option<&Pick>,
    ctx: &impl serde::Serialize,
) -> anyhow::Result<Result<RenderedMail, String>> {
    let Some(pick) = pick else {
        return Ok(state.templates.mail(kind, ctx).map_err(|e| e.to_string()));
    };
    let key = (kind.to_owned(), pick.lang.clone(), pick.version);
    let cached = state
        .template_cache
        .0
        .lock()
        .ok()
        .and_then(|c| c.get(&key).cloned());
    let compiled = match cached {
        Some(c) => c,
        None => {
            let mut conn = state.db.conn().await?;
            let row = store::get(&mut conn, kind, &pick.lang, pick.version).await?;
            let Some(sources) = row.as_ref().and_then(sources_of) else {
                // A reset: the built-in text.
                return Ok(state.templates.mail(kind, ctx).map_err(|e| e.to_string()));
            };
            let compiled = match Compiled::new(&sources) {
                Ok(c) => Arc::new(c),
                Err(e) => {
                    return Ok(Err(format!(
                        "template {kind} ({}, version {}): {e}",
                        pick.lang, pick.version
                    )));
                }
            };
            if let Ok(mut cache) = state.template_cache.0.lock() {
                cache.insert(key, compiled.clone());
            }
            compiled
        }
    };
    let ctx = minijinja::Value::from_serialize(ctx);
    Ok(compiled.render(&ctx).map_err(|e| {
        format!(
            "template {kind} ({}, version {}): {e}",
            pick.lang, pick.version
        )
    }))
}

/// The sources a version holds; `None` for the built-in text.
pub fn sources_of(row: &VersionRow) -> Option<Sources> {
    Some(Sources {
        subject: row.subject.clone()?,
        text: row.text.clone()?,
        html: row.html.clone(),
    })
}

/// What a template reads as for `lang` now: its current version there,
/// else the fallback's, else the built-in text.
pub struct Current {
    pub lang: String,
    /// The current version number in `lang` itself (0: never edited there).
    pub version: i64,
    pub customized: bool,
    pub sources: Sources,
}

pub async fn current(
    state: &AppState,
    kind: MailKind,
    lang: &Language,
) -> Result<Current, TemplateError> {
    let mut conn = state.db.conn().await?;
    let langs = [lang.as_str(), ENGLISH];
    let rows = store::current(&mut conn, kind.name(), &langs).await?;
    let own = rows.iter().find(|r| r.lang == lang.as_str());
    let version = own.map_or(0, |r| r.version);
    let chosen = langs
        .iter()
        .find_map(|l| rows.iter().find(|r| &r.lang == l && r.is_custom()));
    Ok(match chosen.and_then(|r| sources_of(r).map(|s| (r, s))) {
        Some((row, sources)) => Current {
            lang: row.lang.clone(),
            version,
            customized: row.lang == lang.as_str(),
            sources,
        },
        None => Current {
            lang: ENGLISH.to_owned(),
            version,
            customized: false,
            sources: crate::render::builtin_sources(kind.name())
                .ok_or_else(|| anyhow::anyhow!("no built-in text for {}", kind.name()))?,
        },
    })
}

/// What a change is: its language, why, and the version the editor saw.
pub struct Change<'a> {
    pub lang: &'a Language,
    pub reason: &'a str,
    /// Refuse the change if the current version is another (a stale form).
    pub base_version: Option<i64>,
}

/// Saves `sources` as the next version after checking them.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    kind: MailKind,
    sources: &Sources,
    change: Change<'_>,
) -> Result<i64, TemplateError> {
    check(kind, sources).map_err(TemplateError::Invalid)?;
    let content = (
        Some(sources.subject.clone()),
        Some(sources.text.clone()),
        sources.html.clone(),
    );
    write(state, actor, kind, change, "edit", None, content).await
}

/// Makes `version` current again, as a new version with its text.
pub async fn revert(
    state: &AppState,
    actor: &Actor,
    kind: MailKind,
    number: i64,
    change: Change<'_>,
) -> Result<i64, TemplateError> {
    let mut conn = state.db.conn().await?;
    let old = store::get(&mut conn, kind.name(), change.lang.as_str(), number)
        .await?
        .ok_or(TemplateError::NotFound)?;
    drop(conn);
    // The catalogue may have changed since: the old text is checked again.
    if let Some(sources) = sources_of(&old) {
        check(kind, &sources).map_err(TemplateError::Invalid)?;
    }
    let content = (old.subject, old.text, old.html);
    write(state, actor, kind, change, "revert", Some(number), content).await
}

/// Goes back to the built-in text (a new version saying so). Nothing
/// changes when the built-in text is already current.
pub async fn reset(
    state: &AppState,
    actor: &Actor,
    kind: MailKind,
    change: Change<'_>,
) -> Result<i64, TemplateError> {
    write(
        state,
        actor,
        kind,
        change,
        "reset",
        None,
        (None, None, None),
    )
    .await
}

type Content = (Option<String>, Option<String>, Option<String>);

async fn write(
    state: &AppState,
    actor: &Actor,
    kind: MailKind,
    change: Change<'_>,
    action: &str,
    reverted_to: Option<i64>,
    (subject, text, html): Content,
) -> Result<i64, TemplateError> {
    let lang = change.lang.as_str();
    let mut tx = state.db.begin().await?;
    let current = store::current(&mut tx, kind.name(), &[lang]).await?.pop();
    let number = current.as_ref().map_or(0, |r| r.version);
    if let Some(base) = change.base_version
        && base != number
    {
        return Err(TemplateError::Conflict(format!(
            "the template was changed meanwhile (now version {number}, the form had {base}); reload it"
        )));
    }
    if action == "reset" && !current.as_ref().is_some_and(VersionRow::is_custom) {
        return Ok(number);
    }
    let row = VersionRow {
        name: kind.name().to_owned(),
        lang: lang.to_owned(),
        version: number + 1,
        subject,
        text,
        html,
        action: action.to_owned(),
        reverted_to,
        reason: change.reason.trim().to_owned(),
        actor: actor.who.clone(),
        created_at: crate::db::now(),
    };
    if let Err(e) = store::insert(&mut tx, &row).await {
        if e.as_database_error()
            .is_some_and(|d| d.is_unique_violation())
        {
            return Err(TemplateError::Conflict(
                "the template was changed meanwhile; reload it".into(),
            ));
        }
        return Err(e.into());
    }
    audit::append(
        &mut tx,
        actor,
        &format!("template.{action}"),
        kind.name(),
        json!({ "lang": lang, "version": row.version, "reverted_to": reverted_to, "reason": row.reason }),
    );
    tx.commit().await?;
    Ok(row.version)
}

/// Per template, the languages whose current version is the team's own.
pub async fn customized(state: &AppState) -> Result<HashMap<String, Vec<String>>, TemplateError> {
    let mut conn = state.db.conn().await?;
    let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
    for row in store::current_all(&mut conn).await? {
        if row.is_custom() {
            by_name.entry(row.name).or_default().push(row.lang);
        }
    }
    Ok(by_name)
}

/// The languages mail can be written in: the organisation's, English,
/// and every language the team wrote a template in. Offered to readers.
pub async fn languages(state: &AppState) -> Result<Vec<String>, sqlx::Error> {
    let mut conn = state.db.conn().await?;
    let mut langs: Vec<String> = store::languages(&mut conn).await?;
    langs.push(ENGLISH.to_owned());
    if let Ok(org) = Language::parse(&state.config.organization_language) {
        langs.push(org.as_str().to_owned());
    }
    langs.sort();
    langs.dedup();
    Ok(langs)
}
