//! Mail: templates, outgoing messages and their transports, and inbound parsing.

pub mod armor;
pub mod inbound;
pub mod keys;
pub mod list_key;
pub mod lmtp;
pub mod message_id;
pub mod outgoing;
pub mod protected;
pub mod smtp;
pub mod templates;
pub mod transport;

pub use outgoing::OutgoingMail;
pub use transport::Transport;
