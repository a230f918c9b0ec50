//! What the store hands billing: one request with only the facts an invoice or a pay
//! statement may show, and which of them a period covers.

use crate::domain::ids::{EstablishmentId, PersonId, RequestId};
use crate::domain::interpreter::FinancialFile;
use crate::domain::language::LanguageTag;
use crate::domain::money::{Breakdown, Service};
use crate::domain::person::UserCode;
use crate::domain::request::{Cancellation, RequestStatus, RequestType, ServiceRecord};
use chrono::{NaiveDate, NaiveTime};

/// A cost centre or a billing code as printed: its code and what it stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodeRef {
    pub code: String,
    pub description: String,
}

/// The establishment a request belongs to, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishmentRef {
    pub id: EstablishmentId,
    /// "CCSMTL": also part of the invoice number.
    pub code: String,
    pub name: String,
}

/// The interpreter a request is paid to, with what their pay statement needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpreterRef {
    pub id: PersonId,
    pub user_code: UserCode,
    /// "Lucía Ramírez".
    pub name: String,
    /// Supplier number, tax registration and numbers: they decide the taxes.
    pub financial: FinancialFile,
}

/// One request as billing sees it. Holds no patient detail, no note, no free text: what is
/// not here cannot end up on an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillableItem {
    pub request_id: RequestId,
    /// "HC-26061001".
    pub number: String,
    pub status: RequestStatus,
    pub establishment: EstablishmentRef,
    pub cost_centre: Option<CodeRef>,
    pub billing_code: Option<CodeRef>,
    pub request_type: RequestType,
    /// The appointment (or due date), local.
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub scheduled_minutes: u32,
    pub source_language: LanguageTag,
    pub target_language: LanguageTag,
    /// An interpreter had confirmed: only then can a cancellation be late.
    pub booked: bool,
    /// The request's cancellation; its free-text detail is left out.
    pub cancellation: Option<Cancellation>,
    /// The requester contested the record: it waits for a coordinator.
    pub contested: bool,
    pub interpreter: Option<InterpreterRef>,
    /// The service record, its comments left out.
    pub record: Option<ServiceRecord>,
}

impl BillableItem {
    /// The facts money is computed from.
    pub fn service(&self) -> Service<'_> {
        Service {
            request_type: self.request_type,
            date: self.date,
            start_time: self.start_time,
            scheduled_minutes: self.scheduled_minutes,
            booked: self.booked,
            cancellation: self
                .cancellation
                .as_ref()
                .filter(|_| self.status == RequestStatus::Cancelled),
            record: self.record.as_ref(),
        }
    }

    /// The interpreter's financial file, or none (no taxes) when nobody is assigned.
    pub fn financial(&self) -> FinancialFile {
        self.interpreter
            .as_ref()
            .map(|i| i.financial.clone())
            .unwrap_or_default()
    }
}

/// Where a request of the period stands for billing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// On the document: validated or closed, or cancelled with something to charge or pay.
    Billed,
    /// Recorded but not yet validated by the requester (or contested): listed apart and
    /// counted, never billed yet.
    AwaitingValidation,
    /// Nothing to bill: a request not yet served, or cancelled with nothing owed.
    NotCovered,
}

/// Which side of a request `breakdown` (computed for that side) puts it on.
///
/// Validated and closed requests are billed whatever they come to (a record the requester
/// accepted is the basis of an invoice, even at zero). A cancelled request is billed only
/// when it carries an amount: a late cancellation, or calls and other fees recorded.
pub fn coverage(status: RequestStatus, breakdown: &Breakdown) -> Coverage {
    match status {
        RequestStatus::Validated | RequestStatus::Closed => Coverage::Billed,
        RequestStatus::Cancelled if !breakdown.total().is_zero() => Coverage::Billed,
        RequestStatus::ServiceRendered => Coverage::AwaitingValidation,
        _ => Coverage::NotCovered,
    }
}
