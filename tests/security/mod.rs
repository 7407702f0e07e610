//! Holes found by trying the service as an attacker would (issue 7), each
//! with the test that keeps it shut.

mod applications;
mod at_rest;
mod at_rest_reread;
mod bootstrap;
mod caching;
mod csrf;
mod login;
mod osv;
mod proxies;
