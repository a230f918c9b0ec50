//! Relais: an interpreter bank run by email and SMS.
//!
//! Data flows one way: inbound (mail, SMS, links, forms) → a channel-agnostic
//! [`workflow::Command`] → the [`workflow`] (one transaction) → [`store`] and outbox →
//! outbound (mail, SMS). [`domain`] holds the pure types and rules; [`reports`] reads
//! requests back out as CSV or Excel exports.

pub mod app;
pub mod billing;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod forms;
pub mod inbound;
pub mod outbound;
pub mod reports;
pub mod scheduler;
pub mod security;
pub mod store;
pub mod telemetry;
pub mod web;
pub mod workflow;
