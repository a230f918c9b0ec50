//! Email in: raw bytes → parsed mail → classification → reply text, form and command.
//! Everything here is pure; [`crate::inbound::pipeline`] acts on what it reads.

pub mod auth_results;
pub mod calendar_reply;
pub mod classify;
pub mod command;
pub mod parse;
pub mod quote;
pub mod reading;
