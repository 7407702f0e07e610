//! embargo: coordinated vulnerability disclosure for open-source security
//! teams. See DESIGN.md for the map; `domain` holds the rules, everything
//! else does I/O around it.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod mail;
mod net;
pub mod publish;
pub mod render;
