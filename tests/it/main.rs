//! The integration tests, one binary: each module is one concern (its own doc says which),
//! all run against the real services `scripts/test.sh` starts. One binary links once;
//! `scripts/test.sh --test it links::` runs one module.

#[macro_use]
mod support;

mod accounts;
mod admin_establishments;
mod admin_interpreters;
mod admin_people;
mod architecture;
mod audit;
mod billing;
mod board;
mod browser;
mod calendar_feed;
mod calendar_replies;
mod cli;
mod config;
mod coordination;
mod coordinator_actions;
mod dkim;
mod error_pages;
mod export;
mod forms;
mod group_commit;
mod imap;
mod inbound;
mod input_limits;
mod intake_faults;
mod links;
mod mail_trust;
mod mailbox_fixtures;
mod matching;
mod mfa;
mod money;
mod notices;
mod organisations;
mod outbox;
mod outbox_claims;
mod pages;
mod reply_cases;
mod requester_self_service;
mod schema_drift;
mod serve;
mod service_record;
mod set_aside;
mod sms_inbound;
mod sms_kannel;
mod sms_outbound;
mod sms_reliability;
mod sms_webhooks;
mod smtp_connections;
mod smtp_delivery;
mod smtp_restart;
mod state_machine;
mod store;
mod workflow;
