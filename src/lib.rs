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

/// mimalloc instead of the system's malloc, for every program built on
/// this library (the service, its tests, the benchmarks measure the same).
/// A fan-out hands 30-40 KB buffers from the signing threads to the
/// runtime's; with glibc that was about a tenth of its CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
