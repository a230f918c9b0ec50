//! Pure types and rules of the interpreter bank. No I/O here.

pub mod access;
pub mod billing;
pub mod catalogue;
pub mod contact;
pub mod daily_slots;
pub mod export;
pub mod history;
pub mod ids;
pub mod interpreter;
pub mod interpreter_form;
pub mod language;
pub mod locale;
pub mod matching;
pub mod money;
pub mod notice;
pub mod organisation;
pub mod password_policy;
pub mod person;
pub mod person_form;
pub mod person_import;
pub mod person_search;
pub mod request;
pub mod role;
pub mod spreadsheet;
pub mod text;
