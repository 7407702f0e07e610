//! Integration tests: one binary, one module per area. Each test gets a fresh
//! database: SQLite by default, PostgreSQL when EMBARGO_TEST_DATABASE_URL is
//! set (as `.ci/run` does).

mod common;

mod api_reports;
mod audit;
mod authz_matrix;
mod cli;
mod ingest;
mod jobs;
mod pages;
mod smtp;
