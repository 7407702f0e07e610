//! Pure types, state machines, policy rules and authorization. No I/O.

pub mod account;
pub mod audit;
pub mod authz;
pub mod email;
pub mod fields;
pub mod id;
pub mod job;
pub mod report;
pub mod secret;
