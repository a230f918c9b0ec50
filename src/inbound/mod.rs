//! Everything that arrives: mail (IMAP, Maildir, files), and later SMS, links and forms.
//! Each source turns bytes into a reading, and the pipeline turns a reading into a
//! workflow command or a clear answer.

pub mod imap;
pub mod mail;
pub mod maildir;
pub mod pipeline;
pub mod retry;
pub mod sender_auth;
pub mod sms;
pub mod sms_pipeline;
