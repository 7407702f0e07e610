//! The job runner: takes due jobs from the outbox table and carries them
//! out, retrying with backoff until a job succeeds or is marked dead.

pub mod runner;
pub mod send_mail;

pub use runner::{run_due, run_forever};
