//! Pure types, state machines, policy rules and authorization. No I/O.

pub mod account;
pub mod advisory;
pub mod announcement;
pub mod audit;
pub mod authz;
pub mod clear_text;
pub mod contribution;
pub mod cvss;
pub mod cwe;
pub mod doctor;
pub mod email;
pub mod embargo;
pub mod fields;
pub mod github;
pub mod id;
pub mod job;
pub mod language;
pub mod leak;
pub mod mail_kind;
pub mod membership;
pub mod report;
pub mod secret;
pub mod share;
pub mod time;
pub mod watermark;
