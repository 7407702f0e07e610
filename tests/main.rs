//! Integration tests: one binary, one module per area. Each test gets a fresh
//! database: SQLite by default, PostgreSQL when EMBARGO_TEST_DATABASE_URL is
//! set (as `.ci/run` does).

mod common;

mod advisories;
mod announcements;
mod announcements_clear;
mod announcements_crash;
mod announcements_encrypted;
mod announcements_fanout;
mod announcements_instances;
mod api_accounts;
mod api_reports;
mod audience;
mod audit;
mod audit_anchor;
mod audit_reads;
mod authz_matrix;
mod browser;
mod cli;
mod concurrency;
mod cvss;
mod embargo_clock;
mod hardening;
mod health;
mod ingest;
mod ingest_encrypted;
mod intake_batch;
mod job_engine;
mod job_faults;
mod jobs;
mod jobs_dead;
mod leak_trace;
mod leaks;
mod list_key;
mod liveness;
mod member_import;
mod member_record;
mod member_self;
mod membership;
mod membership_lifecycle;
mod pages;
mod publication;
mod publish_formats;
mod reads_at_scale;
mod readyz;
mod security;
mod serve_clock;
mod serve_shutdown;
mod shares;
mod smtp;
mod sqlite_log;
mod tasks;
mod template_languages;
mod templates;
mod test_reports;
