//! Billing: invoices (factures) per establishment and cost centre, and pay statements
//! (relevés de rémunération) per interpreter, for a period; as printable HTML or CSV.
//!
//! # What a period covers
//!
//! A request belongs to the period holding its appointment date (local). Of those:
//!
//! - **validated** or **closed** requests (a record the requester accepted, or Relais
//!   after 48 h, or a coordinator closed) are billed and paid, whatever they come to;
//! - **cancelled** requests are billed (paid) only when they carry an amount on that side:
//!   a late cancellation (less than 48 h before, after confirmation), or calls and other
//!   fees recorded after the fact ("communications facturées dans tous les cas");
//! - **service rendered** requests (recorded, not validated yet, or contested) are not
//!   billed yet: each document lists and counts them apart, "en attente de validation", so
//!   nothing is lost between two periods;
//! - anything else (not served yet, cancelled with nothing owed) is left out.
//!
//! Amounts come from [`crate::domain::money::compute`], the invoice under
//! `Settings::billing_rules`, the statement under `Settings::pay_rules`, both with the
//! interpreter's financial file, so taxes pass through; totals are
//! [`crate::domain::money::Totals`], never re-rounded.
//!
//! # Shape
//!
//! [`BillableItem`]s come from one store query ([`crate::store::Tx::billable_items`]); the
//! pure [`invoice`] and [`pay_statement`] assemble documents from them; [`html`] and
//! [`csv_file`] render them; [`generate`] strings it together for the CLI and, later, the
//! web. Nothing on a document comes from patient details, notes or free-text comments:
//! [`BillableItem`] does not hold them. `docs/billing.md` has the columns and numbering.

pub mod csv_file;
pub mod document;
pub mod generate;
pub mod html;

pub use crate::domain::billing::item::{BillableItem, CodeRef, Coverage, EstablishmentRef, InterpreterRef, coverage};
pub use crate::domain::billing::period::{Period, PeriodError};
pub use document::{
    Awaiting, CostCentreGroup, Invoice, InvoiceHeader, Line, PayStatement, StatementHeader, invoice, pay_statement,
};
pub use generate::{
    BillingFile, Summary, invoice_file, load_invoice, load_pay_statement, pay_statement_file, render_invoice,
    render_pay_statement,
};

use crate::domain::money::MoneyError;
use crate::store::StoreError;
use std::str::FromStr;

/// What can stop a document from being made.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error(transparent)]
    Period(#[from] PeriodError),
    #[error("request {request}: {source}")]
    Money {
        request: String,
        #[source]
        source: MoneyError,
    },
    #[error("the document's totals: {0}")]
    Totals(MoneyError),
    #[error("no establishment has the code {0:?}")]
    UnknownEstablishment(String),
    #[error("no interpreter has the user code {0:?}")]
    UnknownInterpreter(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot render the document: {0}")]
    Render(#[from] askama::Error),
    #[error("cannot write the CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// The file a document is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A printable page: no script, readable on a phone, one page per sheet on paper.
    Html,
    /// One row per request, then subtotals and totals; amounts as numbers Excel reads in the
    /// document's language (`82,00` in French, `82.00` in English).
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "html" => Ok(Format::Html),
            "csv" => Ok(Format::Csv),
            other => Err(format!("unknown format {other:?}: expected \"html\" or \"csv\"")),
        }
    }
}
