//! HTTP: HTML pages under `/`, the JSON API under `/api/v1`, described by
//! the OpenAPI document at `/api/openapi.json`.

pub mod api;
pub mod body;
pub mod client_ip;
pub mod error;
mod error_pages;
pub mod extract;
pub mod guard;
pub mod history;
mod idle;
pub mod metrics;
pub mod pages;
pub mod paging;
pub mod router;
pub mod server;
pub mod view;

pub use router::{route_table, router};
