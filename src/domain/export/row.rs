//! One request as an export shows it: administrative facts only.
//!
//! Nothing here can hold health information. The patient's name, phone and details, the
//! context and reason, the notes for the interpreter and the coordinator, the address, the
//! video link and the record's comments have no field, so no export can leak them.

use crate::domain::ids::RequestId;
use crate::domain::language::LanguageTag;
use crate::domain::person::UserCode;
use crate::domain::request::{CancellationReason, RequestNumber, RequestStatus, RequestType};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// A request, joined with the names people read, ready to be written out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub id: RequestId,
    /// None for a draft, which exports only hold when asked for.
    pub number: Option<RequestNumber>,
    /// The appointment's local date and start time.
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    /// Durée prévue.
    pub duration_minutes: u32,
    pub status: RequestStatus,
    pub request_type: RequestType,
    pub source_language: LanguageTag,
    pub target_language: LanguageTag,
    /// The establishment's name.
    pub establishment: String,
    /// The installation's name.
    pub installation: String,
    /// Lieu du rendez-vous within the installation ("Clinique externe, 3e étage").
    pub location: String,
    /// Code of the cost centre charged.
    pub cost_centre: Option<String>,
    /// SeTIS billing code.
    pub billing_code: Option<String>,
    /// The requester's full name.
    pub requester: String,
    pub interpreter: Option<ExportInterpreter>,
    /// From the service record, when there is one.
    pub service: Option<ServiceSummary>,
    /// When the request was cancelled.
    pub cancellation: Option<CancellationSummary>,
    pub created_at: DateTime<Utc>,
    pub booked_at: Option<DateTime<Utc>>,
}

/// The interpreter assigned to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportInterpreter {
    pub name: String,
    pub user_code: UserCode,
}

/// What the service record says, in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSummary {
    /// Demande terminée?
    pub completed: bool,
    /// The declared duration, else end minus start; None when the record gives neither.
    pub worked_minutes: Option<u32>,
}

/// Why and how late a request was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancellationSummary {
    pub reason: CancellationReason,
    /// Cancelled after confirmation within the late delay: billed and paid.
    pub late: bool,
}
