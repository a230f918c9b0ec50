//! Everything that leaves: notifications rendered from templates and sent by email and SMS.

pub mod calendar;
pub mod digest;
pub mod dkim;
pub mod mail;
pub mod render;
pub mod sms;
pub mod smtp;
pub mod worker;
