//! Faults that must not stop the service (issue 7): sockets that never
//! finish, JSON of the wrong shape, uploads over the limit, NUL characters
//! in text. Each holds on SQLite and PostgreSQL alike.

mod bodies;
mod connections;
mod line_ends;
mod nul;
