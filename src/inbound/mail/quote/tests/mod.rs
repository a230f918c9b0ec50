//! Unit tests of the reply splitter.
//!
//! Whole replies from many mail clients, each with the new text it must give, are in
//! mailbox-fixtures/replies/ and run by tests/it/reply_cases.rs. The tests here check
//! single rules and the limits: plain text in `text`, HTML in `html`.

mod html;
mod text;
