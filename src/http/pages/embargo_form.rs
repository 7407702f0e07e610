//! The embargo form of an advisory's admin page: a date, a time and a zone
//! chosen from the list, taken together as one local time in that zone
//! (the API takes the same as `until` and `time_zone`). After saving, the
//! page says what was set in the agreed zone and in UTC.

use axum::extract::{Path, State};
use axum::response::Response;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::advisories_admin::{WARNINGS, allowed, refused};
use super::advisory_forms::form_errors;
use super::see_other;
use crate::app::AppState;
use crate::app::advisories::{self as usecase, EmbargoRequest};
use crate::db::advisories::{self as store, AdvisoryRow};
use crate::domain::authz::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::time::published_early;
use crate::http::body::Form;
use crate::http::error::PageError;
use crate::http::extract::Page;
use crate::jobs::Job;

/// The form's fields as typed, shown again with its errors.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EmbargoForm {
    #[serde(skip_serializing)]
    csrf: String,
    /// `YYYY-MM-DD` (`<input type=date>`).
    date: String,
    /// `HH:MM` (`<input type=time>`).
    time: String,
    time_zone: String,
    reason: String,
    override_reason: String,
    /// One local date-time or RFC 3339 instant instead of date and time,
    /// as the form took it before and scripts may still send it.
    #[serde(skip_serializing)]
    until: String,
}

/// The fields' labels, which every error message starts with.
const LABELS: [(&str, &str); 5] = [
    ("date", "Date"),
    ("time", "Time"),
    ("time_zone", "Time zone"),
    ("embargo_reason", "Reason"),
    ("override_reason", "Override reason"),
];

impl EmbargoForm {
    /// The end as one local date-time in the chosen zone, or the errors of
    /// the date and time fields.
    fn until(&self) -> Result<String, FieldErrors> {
        let (date, time) = (self.date.trim(), self.time.trim());
        if date.is_empty() && time.is_empty() && !self.until.trim().is_empty() {
            return Ok(self.until.clone());
        }
        let mut errors = FieldErrors::new();
        let parsed_date = match date {
            "" => Err("is required"),
            d => d
                .parse::<Date>()
                .map_err(|_| "must be a date such as 2026-12-01"),
        };
        let parsed_time = match time {
            "" => Err("is required"),
            t => t
                .parse::<Time>()
                .map_err(|_| "must be a time such as 14:00"),
        };
        match (parsed_date, parsed_time) {
            (Ok(d), Ok(t)) => {
                return Ok(d.to_datetime(t).strftime("%Y-%m-%dT%H:%M:%S").to_string());
            }
            (d, t) => {
                if let Err(e) = d {
                    errors.add("date", e);
                }
                if let Err(e) = t {
                    errors.add("time", e);
                }
            }
        }
        Err(errors)
    }
}

/// Errors keyed by the form's fields, each naming its field: the end's
/// errors (`until`, as the use case names them) go to the date, a zone
/// the use case refused to the zone list.
fn labelled(errors: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (key, message) in errors.iter() {
        let key = match key {
            "until" => "date",
            "reason" => "embargo_reason",
            k => k,
        };
        match LABELS.iter().find(|(k, _)| *k == key) {
            Some((k, label)) => out.add(k, format!("{label}: {message}")),
            None => out.add(key, message),
        }
    }
    out
}

/// `POST /admin/advisories/{id}/embargo`: sets or moves the embargo, then
/// back to the page, which confirms it (`?saved=embargo`) and names the
/// warnings (`?warn=`).
pub async fn set_embargo(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<EmbargoForm>,
) -> Result<Response, PageError> {
    allowed(&page, Action::ManageAdvisories, Some(&form.csrf))?;
    if !form.override_reason.trim().is_empty() {
        allowed(&page, Action::OverrideEmbargoPolicy, None)?;
    }
    let errors = match form.until() {
        Ok(until) => {
            let req = EmbargoRequest {
                until: &until,
                time_zone: &form.time_zone,
                reason: &form.reason,
                override_reason: &form.override_reason,
            };
            match usecase::set_embargo(&state, &page.audit(), &id, req).await {
                Ok((_, warnings)) => {
                    let names = WARNINGS.iter().filter(|(_, w)| warnings.contains(w));
                    let names: Vec<&str> = names.map(|(n, _)| *n).collect();
                    let warn = match names.is_empty() {
                        true => String::new(),
                        false => format!("&warn={}", names.join(",")),
                    };
                    return Ok(see_other(&format!(
                        "/admin/advisories/{id}?saved=embargo{warn}"
                    )));
                }
                Err(e) => form_errors(e, "reason")?,
            }
        }
        Err(errors) => errors,
    };
    refused(
        (&state, &page, &id),
        labelled(errors),
        ("embargo", json!(form)),
    )
    .await
}

/// The form's fields before anything is typed: the current end in its
/// agreed zone, or empty in the organisation's zone.
pub(super) fn fields(row: &AdvisoryRow, organization_zone: &str) -> Value {
    let zone = row.embargo_zone.as_deref().unwrap_or(organization_zone);
    let local = row
        .embargo_until
        .and_then(|m| Timestamp::from_microsecond(m).ok())
        .zip(TimeZone::get(zone).ok())
        .map(|(u, z)| u.to_zoned_datetime(z));
    json!({
        "date": local.as_ref().map(|l| l.strftime("%Y-%m-%d").to_string()),
        "time": local.as_ref().map(|l| l.strftime("%H:%M").to_string()),
        "time_zone": zone, "reason": "", "override_reason": "",
    })
}

/// What the page says of the embargo besides its end: the confirmation
/// after saving, whether it was published early, and its lift job.
pub(super) async fn facts(
    state: &AppState,
    row: &AdvisoryRow,
    saved: bool,
) -> Result<Value, crate::http::error::Error> {
    let until = row
        .embargo_until
        .and_then(|m| Timestamp::from_microsecond(m).ok());
    let zone = row.embargo_zone.as_deref().unwrap_or("UTC");
    let confirmed = until.filter(|_| saved).map(|u| {
        let local = TimeZone::get(zone)
            .map(|z| {
                u.to_zoned_datetime(z)
                    .strftime("%Y-%m-%d %H:%M %Z")
                    .to_string()
            })
            .unwrap_or_default();
        let utc = u.strftime("%Y-%m-%d %H:%M UTC");
        format!("Embargo set to {local} ({zone}) / {utc}.")
    });
    let early = published_early(row.published_at, row.embargo_until);
    // Only the lift of the current end: older ones were closed when it moved.
    let lift = match row.embargo_until {
        Some(until) if !early => {
            let key = Job::LiftEmbargo {
                advisory: row.id.to_string(),
                until,
            }
            .idempotency_key();
            let mut conn = state.db.conn().await?;
            store::lift(&mut conn, &key).await?
        }
        _ => None,
    };
    Ok(json!({
        "saved": confirmed, "published_early": early,
        "published_at": row.published_at, "lift": lift,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(date: &str, time: &str, until: &str) -> EmbargoForm {
        EmbargoForm {
            date: date.into(),
            time: time.into(),
            until: until.into(),
            ..EmbargoForm::default()
        }
    }

    #[test]
    fn date_and_time_make_one_local_time_and_each_is_checked() {
        assert_eq!(
            form("2026-12-01", "14:00", "").until().unwrap(),
            "2026-12-01T14:00:00"
        );
        assert_eq!(
            form("2026-12-01", "14:00:30", "").until().unwrap(),
            "2026-12-01T14:00:30"
        );
        let errors = form("", "25:00", "").until().unwrap_err();
        assert_eq!(errors.get("date"), Some("is required"));
        assert_eq!(errors.get("time"), Some("must be a time such as 14:00"));
        let errors = form("1 Dec", "", "").until().unwrap_err();
        assert_eq!(
            errors.get("date"),
            Some("must be a date such as 2026-12-01")
        );
        assert_eq!(errors.get("time"), Some("is required"));
        // The single field still works alone, and date and time win over it.
        assert_eq!(
            form("", "", "2026-12-01T14:00").until().unwrap(),
            "2026-12-01T14:00"
        );
        assert!(form("2026-12-01", "", "2026-12-01T14:00").until().is_err());
    }

    #[test]
    fn every_error_names_its_field() {
        let mut errors = FieldErrors::new();
        errors.add("until", "the embargo must end in the future");
        errors.add("time_zone", "unknown time zone \"Mars\"");
        errors.add("reason", "is required");
        errors.add("state", "cannot embargo a published advisory");
        let out = labelled(errors);
        assert_eq!(
            out.get("date"),
            Some("Date: the embargo must end in the future")
        );
        assert_eq!(
            out.get("time_zone"),
            Some("Time zone: unknown time zone \"Mars\"")
        );
        assert_eq!(out.get("embargo_reason"), Some("Reason: is required"));
        assert_eq!(
            out.get("state"),
            Some("cannot embargo a published advisory")
        );
    }
}
