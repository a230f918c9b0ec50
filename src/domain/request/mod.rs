//! The request (demande): its details, number, life cycle and what happens at its end.

pub mod briefing;
pub mod changes;
pub mod deadline;
pub mod details;
pub mod number;
pub mod record;
pub mod repetition;
pub mod status;
pub mod urgency;

pub use details::{
    Field, FieldError, Gender, InterpreterType, Notes, OnSiteContact, PatientDetails, Problem, Professional,
    RequestDetails, RequestType, VideoDetails,
};
pub use number::RequestNumber;
pub use record::{
    GeneralReason, RecordContext, RecordField, RecordProblem, RecordProblemKind, RecordedCancellation, ServiceRecord,
};
pub use status::{Event, RequestStatus, TransitionError};

use crate::domain::ids::{EstablishmentId, PersonId, RequestId};
use crate::domain::locale::Locale;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: RequestId,
    /// Given when the request is sent; a draft has none, as in the seeds.
    pub number: Option<RequestNumber>,
    pub status: RequestStatus,
    /// Bumped by every change; a write that finds another version lost a race.
    pub version: i64,
    pub establishment_id: EstablishmentId,
    pub details: RequestDetails,
    /// Demandé par.
    pub requested_by: PersonId,
    pub assigned_interpreter: Option<PersonId>,
    /// The appointment's start in UTC, derived from the details and the bank's time zone.
    pub starts_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// When an interpreter last accepted: the late-cancellation rule counts from a confirmation.
    pub booked_at: Option<DateTime<Utc>>,
    pub service_recorded_at: Option<DateTime<Utc>>,
    /// Set when the requester contests the service record: it then waits for a coordinator.
    pub service_contested_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub cancellation: Option<Cancellation>,
    /// Set once patient details and notes were erased after the retention period.
    pub patient_erased_at: Option<DateTime<Utc>>,
}

impl Request {
    /// How logs and reports refer to the request: its number, or "brouillon 12" for a draft.
    pub fn label(&self) -> String {
        match &self.number {
            Some(n) => n.to_string(),
            None => format!("brouillon {}", self.id),
        }
    }

    /// How a person reads it: its number, or for a draft (which has none yet) its date,
    /// « brouillon du 9 mars » / "draft for Mar 9", never an internal id.
    pub fn shown(&self, locale: Locale) -> String {
        match (&self.number, locale) {
            (Some(n), _) => n.to_string(),
            (None, Locale::Fr) => format!(
                "brouillon du {}",
                crate::domain::locale::short_date(self.details.date, locale)
            ),
            (None, Locale::En) => format!(
                "draft for {}",
                crate::domain::locale::short_date(self.details.date, locale)
            ),
        }
    }
}

/// Raison détaillée d'annulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancellationReason {
    UserAbsent,
    ProfessionalLateOrAbsent,
    AppointmentRescheduled,
    AppointmentCancelled,
    InterpreterNotNeeded,
    NoInterpreterAvailable,
    EntryError,
    Other,
}

impl CancellationReason {
    pub const ALL: [CancellationReason; 8] = [
        CancellationReason::UserAbsent,
        CancellationReason::ProfessionalLateOrAbsent,
        CancellationReason::AppointmentRescheduled,
        CancellationReason::AppointmentCancelled,
        CancellationReason::InterpreterNotNeeded,
        CancellationReason::NoInterpreterAvailable,
        CancellationReason::EntryError,
        CancellationReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CancellationReason::UserAbsent => "user_absent",
            CancellationReason::ProfessionalLateOrAbsent => "professional_late_or_absent",
            CancellationReason::AppointmentRescheduled => "appointment_rescheduled",
            CancellationReason::AppointmentCancelled => "appointment_cancelled",
            CancellationReason::InterpreterNotNeeded => "interpreter_not_needed",
            CancellationReason::NoInterpreterAvailable => "no_interpreter_available",
            CancellationReason::EntryError => "entry_error",
            CancellationReason::Other => "other",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            CancellationReason::UserAbsent => {
                ("Usager absent / ne s'est pas présenté", "User absent / did not show up")
            }
            CancellationReason::ProfessionalLateOrAbsent => (
                "Retard du professionnel / ne s'est pas présenté",
                "Professional late / did not show up",
            ),
            CancellationReason::AppointmentRescheduled => ("Rendez-vous reporté", "Appointment postponed"),
            CancellationReason::AppointmentCancelled => ("Rendez-vous annulé", "Appointment cancelled"),
            CancellationReason::InterpreterNotNeeded => ("Interprète non requis", "Interpreter no longer needed"),
            CancellationReason::NoInterpreterAvailable => ("Aucun interprète disponible", "No interpreter available"),
            CancellationReason::EntryError => ("Erreur de saisie ou doublon", "Entry error or duplicate"),
            CancellationReason::Other => ("Autre", "Other"),
        };
        locale.pick(fr, en)
    }
}

/// Folded words that name a reason, beside its labels: what people write after `ANNULER`.
const REASON_WORDS: &[(&str, CancellationReason)] = &[
    ("usager absent", CancellationReason::UserAbsent),
    ("patient absent", CancellationReason::UserAbsent),
    ("user absent", CancellationReason::UserAbsent),
    ("no show", CancellationReason::UserAbsent),
    ("professionnel absent", CancellationReason::ProfessionalLateOrAbsent),
    ("retard du professionnel", CancellationReason::ProfessionalLateOrAbsent),
    ("professional absent", CancellationReason::ProfessionalLateOrAbsent),
    ("professional late", CancellationReason::ProfessionalLateOrAbsent),
    ("rendez vous reporte", CancellationReason::AppointmentRescheduled),
    ("rdv reporte", CancellationReason::AppointmentRescheduled),
    ("report", CancellationReason::AppointmentRescheduled),
    ("reporte", CancellationReason::AppointmentRescheduled),
    ("appointment postponed", CancellationReason::AppointmentRescheduled),
    ("appointment rescheduled", CancellationReason::AppointmentRescheduled),
    ("postponed", CancellationReason::AppointmentRescheduled),
    ("rescheduled", CancellationReason::AppointmentRescheduled),
    ("rendez vous annule", CancellationReason::AppointmentCancelled),
    ("rdv annule", CancellationReason::AppointmentCancelled),
    ("appointment cancelled", CancellationReason::AppointmentCancelled),
    ("appointment canceled", CancellationReason::AppointmentCancelled),
    ("interprete non requis", CancellationReason::InterpreterNotNeeded),
    ("plus besoin", CancellationReason::InterpreterNotNeeded),
    ("interpreter not needed", CancellationReason::InterpreterNotNeeded),
    ("interpreter no longer needed", CancellationReason::InterpreterNotNeeded),
    ("no longer needed", CancellationReason::InterpreterNotNeeded),
    (
        "aucun interprete disponible",
        CancellationReason::NoInterpreterAvailable,
    ),
    ("no interpreter available", CancellationReason::NoInterpreterAvailable),
    ("erreur de saisie", CancellationReason::EntryError),
    ("doublon", CancellationReason::EntryError),
    ("entry error", CancellationReason::EntryError),
    ("duplicate", CancellationReason::EntryError),
];

impl CancellationReason {
    /// The reason the words after `ANNULER` / `CANCEL` name, and the words to keep: a label
    /// or a known phrase at the start names the reason, and what follows it is kept; anything
    /// else is *Autre* with every word kept. `(Other, None)` when nothing was written.
    pub fn read(words: &str) -> (CancellationReason, Option<String>) {
        let words = words.trim();
        let folded = crate::domain::text::fold(words);
        if folded.is_empty() {
            return (CancellationReason::Other, None);
        }
        let labels = CancellationReason::ALL.into_iter().flat_map(|r| {
            [
                (crate::domain::text::fold(r.label(Locale::Fr)), r),
                (crate::domain::text::fold(r.label(Locale::En)), r),
            ]
        });
        let phrases = REASON_WORDS
            .iter()
            .map(|(w, r)| ((*w).to_string(), *r))
            .chain(labels)
            .filter(|(_, r)| *r != CancellationReason::Other);
        let mut best: Option<(String, CancellationReason)> = None;
        for (phrase, reason) in phrases {
            let starts = folded == phrase || folded.starts_with(&format!("{phrase} "));
            if starts && best.as_ref().is_none_or(|(b, _)| phrase.len() > b.len()) {
                best = Some((phrase, reason));
            }
        }
        match best {
            Some((phrase, reason)) if folded == phrase => (reason, None),
            Some((_, reason)) => (reason, Some(words.to_string())),
            None => (CancellationReason::Other, Some(words.to_string())),
        }
    }
}

impl FromStr for CancellationReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CancellationReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown cancellation reason {s:?}"))
    }
}

/// How and when a request was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub reason: CancellationReason,
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
    /// Cancelled after confirmation and less than the configured delay (48 h) before the
    /// appointment: billed to the establishment and paid to the interpreter.
    pub late: bool,
}

/// Whether cancelling now is late: the request had been confirmed (booked) and the
/// appointment starts within `late_hours`.
pub fn is_late_cancellation(
    booked_at: Option<DateTime<Utc>>,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    late_hours: u32,
) -> bool {
    booked_at.is_some() && starts_at - now < chrono::Duration::hours(i64::from(late_hours))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn cancellation_words_name_a_reason_or_stay_other() {
        use CancellationReason as R;
        assert_eq!(R::read("rendez-vous reporté"), (R::AppointmentRescheduled, None));
        assert_eq!(
            R::read("Rendez-vous reporté au 12 mars"),
            (R::AppointmentRescheduled, Some("Rendez-vous reporté au 12 mars".into()))
        );
        assert_eq!(R::read("Usager absent / ne s'est pas présenté"), (R::UserAbsent, None));
        assert_eq!(R::read("doublon"), (R::EntryError, None));
        assert_eq!(R::read("appointment postponed"), (R::AppointmentRescheduled, None));
        assert_eq!(R::read("Interpreter no longer needed"), (R::InterpreterNotNeeded, None));
        assert_eq!(
            R::read("la famille a déménagé"),
            (R::Other, Some("la famille a déménagé".into()))
        );
        assert_eq!(R::read("  "), (R::Other, None));
        assert_eq!(R::read("reportable"), (R::Other, Some("reportable".into())));
    }

    #[test]
    fn late_cancellation_needs_a_confirmation_and_less_than_the_delay() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).unwrap();
        let booked = Some(Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap());
        let just_inside = start - chrono::Duration::hours(48) + chrono::Duration::seconds(1);
        let exactly = start - chrono::Duration::hours(48);
        assert!(is_late_cancellation(booked, start, just_inside, 48));
        assert!(!is_late_cancellation(booked, start, exactly, 48));
        assert!(!is_late_cancellation(None, start, just_inside, 48));
        assert!(is_late_cancellation(
            booked,
            start,
            start + chrono::Duration::hours(1),
            48
        ));
    }
}
