//! The interpreter's record of the service (réalisation): what happened, as the seeds'
//! "Détails après la demande" tab asks it, plus SeTIS's arrival time and number of services
//! given during a permanence. Quantities only: what they are worth is `domain::money`'s work.

use super::{CancellationReason, RequestType};
use crate::domain::locale::Locale;
use crate::domain::text::{self, TextProblem};
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Raison générale of a service that did not take place as booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneralReason {
    /// Annulée: the service did not take place.
    Cancelled,
    /// Interrompue: it started and stopped before the end.
    Interrupted,
}

impl GeneralReason {
    pub const ALL: [GeneralReason; 2] = [GeneralReason::Cancelled, GeneralReason::Interrupted];

    pub fn as_str(self) -> &'static str {
        match self {
            GeneralReason::Cancelled => "cancelled",
            GeneralReason::Interrupted => "interrupted",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            GeneralReason::Cancelled => locale.pick("Annulée", "Cancelled"),
            GeneralReason::Interrupted => locale.pick("Interrompue", "Interrupted"),
        }
    }
}

impl FromStr for GeneralReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GeneralReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown general reason {s:?}"))
    }
}

/// Why and when a booked service did not happen, as the interpreter records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedCancellation {
    /// Raison générale.
    pub general: GeneralReason,
    /// Raison détaillée: the seeds' list.
    pub reason: CancellationReason,
    /// Date et heure d'annulation, local time: when the interpreter was told.
    pub date: NaiveDate,
    pub time: NaiveTime,
}

/// Réalisation: entered by the interpreter (or a coordinator) after the appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    /// Demande terminée?
    pub completed: bool,
    /// Interprète présent.
    pub interpreter_present: bool,
    /// Heure d'arrivée sur place (SeTIS).
    pub arrival_time: Option<NaiveTime>,
    /// Heure de début effective.
    pub actual_start: Option<NaiveTime>,
    /// Heure de fin effective.
    pub actual_end: Option<NaiveTime>,
    /// Durée réelle, in minutes; derived from start and end when both are given.
    pub actual_minutes: Option<u32>,
    /// Raison du dépassement de temps.
    pub overtime_reason: Option<String>,
    /// Set when the service was not completed.
    pub cancellation: Option<RecordedCancellation>,
    /// Durée d'attente, in minutes.
    pub waiting_minutes: u32,
    /// Distance parcourue, in km (one decimal is enough; kept exact).
    pub distance_km: Decimal,
    /// Durée du trajet, in minutes.
    pub travel_minutes: u32,
    /// Appels téléphoniques made at the requester's request.
    pub phone_calls: u32,
    /// Mots (translation).
    pub words: u32,
    /// Autres frais, at cost, in the bank's currency.
    pub other_fees: Decimal,
    /// Nombre de prestations effectuées during a permanence (SeTIS).
    pub services_given: Option<u32>,
    /// Commentaires sur la demande.
    pub comments: Option<String>,
}

impl ServiceRecord {
    /// A completed service from `start` to `end`, nothing else to declare.
    pub fn completed(start: NaiveTime, end: NaiveTime) -> ServiceRecord {
        ServiceRecord {
            completed: true,
            interpreter_present: true,
            arrival_time: None,
            actual_start: Some(start),
            actual_end: Some(end),
            actual_minutes: Some(minutes_between(start, end)),
            overtime_reason: None,
            cancellation: None,
            waiting_minutes: 0,
            distance_km: Decimal::ZERO,
            travel_minutes: 0,
            phone_calls: 0,
            words: 0,
            other_fees: Decimal::ZERO,
            services_given: None,
            comments: None,
        }
    }

    /// The minutes actually worked: the declared duration, else end minus start.
    pub fn worked_minutes(&self) -> Option<u32> {
        worked_minutes(self.actual_minutes, self.actual_start, self.actual_end)
    }
}

/// The minutes actually worked from a record's parts: the declared duration, else end
/// minus start. Exports read only these columns, not the whole record.
pub fn worked_minutes(declared: Option<u32>, start: Option<NaiveTime>, end: Option<NaiveTime>) -> Option<u32> {
    declared.or(match (start, end) {
        (Some(s), Some(e)) => Some(minutes_between(s, e)),
        _ => None,
    })
}

/// Minutes from `start` to `end`; an end before the start crosses midnight.
pub fn minutes_between(start: NaiveTime, end: NaiveTime) -> u32 {
    let d = (end - start).num_minutes();
    let d = if d < 0 { d + 24 * 60 } else { d };
    u32::try_from(d).unwrap_or(0)
}

/// A field of the service record, named as people read it (mail form and web form alike).
/// Declaration order is the form's order, so sorted problems read top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordField {
    Completed,
    InterpreterPresent,
    ArrivalTime,
    ActualStart,
    ActualEnd,
    ActualDuration,
    OvertimeReason,
    GeneralReason,
    DetailedReason,
    CancelledOn,
    CancelledAt,
    WaitingTime,
    Distance,
    TravelTime,
    PhoneCalls,
    Words,
    OtherFees,
    ServicesGiven,
    Comments,
}

impl RecordField {
    pub const ALL: [RecordField; 19] = [
        RecordField::Completed,
        RecordField::InterpreterPresent,
        RecordField::ArrivalTime,
        RecordField::ActualStart,
        RecordField::ActualEnd,
        RecordField::ActualDuration,
        RecordField::OvertimeReason,
        RecordField::GeneralReason,
        RecordField::DetailedReason,
        RecordField::CancelledOn,
        RecordField::CancelledAt,
        RecordField::WaitingTime,
        RecordField::Distance,
        RecordField::TravelTime,
        RecordField::PhoneCalls,
        RecordField::Words,
        RecordField::OtherFees,
        RecordField::ServicesGiven,
        RecordField::Comments,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RecordField::Completed => "completed",
            RecordField::InterpreterPresent => "interpreter_present",
            RecordField::ArrivalTime => "arrival_time",
            RecordField::ActualStart => "actual_start",
            RecordField::ActualEnd => "actual_end",
            RecordField::ActualDuration => "actual_duration",
            RecordField::OvertimeReason => "overtime_reason",
            RecordField::GeneralReason => "general_reason",
            RecordField::DetailedReason => "detailed_reason",
            RecordField::CancelledOn => "cancelled_on",
            RecordField::CancelledAt => "cancelled_at",
            RecordField::WaitingTime => "waiting_time",
            RecordField::Distance => "distance",
            RecordField::TravelTime => "travel_time",
            RecordField::PhoneCalls => "phone_calls",
            RecordField::Words => "words",
            RecordField::OtherFees => "other_fees",
            RecordField::ServicesGiven => "services_given",
            RecordField::Comments => "comments",
        }
    }

    pub fn from_key(key: &str) -> Option<RecordField> {
        RecordField::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The seeds' label.
    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            RecordField::Completed => ("Demande terminée", "Service completed"),
            RecordField::InterpreterPresent => ("Interprète présent", "Interpreter present"),
            RecordField::ArrivalTime => ("Heure d'arrivée", "Arrival time"),
            RecordField::ActualStart => ("Heure de début effective", "Actual start time"),
            RecordField::ActualEnd => ("Heure de fin effective", "Actual end time"),
            RecordField::ActualDuration => ("Durée réelle", "Actual duration"),
            RecordField::OvertimeReason => ("Raison du dépassement de temps", "Reason for overtime"),
            RecordField::GeneralReason => ("Raison générale", "General reason"),
            RecordField::DetailedReason => ("Raison détaillée", "Detailed reason"),
            RecordField::CancelledOn => ("Date d'annulation", "Cancellation date"),
            RecordField::CancelledAt => ("Heure d'annulation", "Cancellation time"),
            RecordField::WaitingTime => ("Durée d'attente", "Waiting time"),
            RecordField::Distance => ("Distance parcourue", "Distance travelled"),
            RecordField::TravelTime => ("Durée du trajet", "Travel time"),
            RecordField::PhoneCalls => ("Appels téléphoniques", "Phone calls"),
            RecordField::Words => ("Mots", "Words"),
            RecordField::OtherFees => ("Autres frais", "Other fees"),
            RecordField::ServicesGiven => ("Nombre de prestations", "Services given"),
            RecordField::Comments => ("Commentaires", "Comments"),
        };
        locale.pick(fr, en)
    }
}

/// What is wrong with one field of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProblem {
    pub field: RecordField,
    pub problem: RecordProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RecordProblemKind {
    /// Must be given (given what else the record says).
    Required,
    /// Written, but not understood: what was written.
    Unreadable(String),
    /// Later than the moment the record is made.
    InTheFuture,
    /// The end is before the start.
    EndBeforeStart,
    /// Out of the sensible range.
    OutOfRange,
    /// A duration, a count or an amount with a minus sign: refused, never read without it.
    Negative,
    /// A control character, or more characters than the field holds.
    Text(TextProblem),
}

impl RecordProblem {
    pub fn new(field: RecordField, problem: RecordProblemKind) -> RecordProblem {
        RecordProblem { field, problem }
    }

    /// "Heure de fin effective\u{a0}: est avant l'heure de début".
    pub fn describe(&self, locale: Locale) -> String {
        let sep = locale.pick("\u{a0}: ", ": ");
        let what = match &self.problem {
            RecordProblemKind::Required => locale.pick("à remplir", "required").to_string(),
            RecordProblemKind::Unreadable(v) => match locale {
                Locale::Fr => format!("«\u{a0}{v}\u{a0}» n'est pas compris"),
                Locale::En => format!("«{v}» is not understood"),
            },
            RecordProblemKind::InTheFuture => locale.pick("est dans le futur", "is in the future").to_string(),
            RecordProblemKind::EndBeforeStart => locale
                .pick("est avant l'heure de début", "is before the start time")
                .to_string(),
            RecordProblemKind::OutOfRange => locale.pick("valeur hors limites", "value out of range").to_string(),
            RecordProblemKind::Negative => locale
                .pick(
                    "valeur négative\u{a0}: écrivez-la sans signe moins (0 si aucune)",
                    "negative value: write it without a minus sign (0 if none)",
                )
                .to_string(),
            RecordProblemKind::Text(problem) => problem.message(locale),
        };
        format!("{}{}{}", self.field.label(locale), sep, what)
    }
}

/// What the record is checked against: the booked appointment and the present moment,
/// both in the bank's local time.
#[derive(Debug, Clone, Copy)]
pub struct RecordContext {
    pub request_type: RequestType,
    pub appointment: chrono::NaiveDateTime,
    pub scheduled_minutes: u32,
    pub now: chrono::NaiveDateTime,
}

/// Longest service, wait or trip one record may declare: 16 hours.
const MAX_MINUTES: u32 = 16 * 60;

impl ServiceRecord {
    /// Every rule between fields, the same for the mail form and the web form: what a
    /// completed service must say, what a cancelled one must say, what overtime needs.
    pub fn problems(&self, ctx: &RecordContext) -> Vec<RecordProblem> {
        use RecordField as F;
        use RecordProblemKind as K;
        let mut out = Vec::new();
        let translation = ctx.request_type == RequestType::Translation;
        if self.completed && !translation {
            if self.actual_start.is_none() && self.actual_minutes.is_none() {
                out.push(RecordProblem::new(F::ActualStart, K::Required));
            }
            if self.actual_end.is_none() && self.actual_minutes.is_none() {
                out.push(RecordProblem::new(F::ActualEnd, K::Required));
            }
            if let (Some(start), Some(end), None) = (self.actual_start, self.actual_end, self.actual_minutes)
                && end < start
                && minutes_between(start, end) > 12 * 60
            {
                out.push(RecordProblem::new(F::ActualEnd, K::EndBeforeStart));
            }
            if let Some(worked) = self.worked_minutes() {
                if worked == 0 || worked > MAX_MINUTES {
                    out.push(RecordProblem::new(F::ActualDuration, K::OutOfRange));
                } else if worked > ctx.scheduled_minutes && self.overtime_reason.is_none() {
                    out.push(RecordProblem::new(F::OvertimeReason, K::Required));
                }
            }
            if ctx.request_type == RequestType::Permanence && self.services_given.is_none() {
                out.push(RecordProblem::new(F::ServicesGiven, K::Required));
            }
        }
        if !self.completed {
            match &self.cancellation {
                None => {
                    out.push(RecordProblem::new(F::GeneralReason, K::Required));
                    out.push(RecordProblem::new(F::DetailedReason, K::Required));
                    out.push(RecordProblem::new(F::CancelledOn, K::Required));
                    out.push(RecordProblem::new(F::CancelledAt, K::Required));
                }
                Some(c) => {
                    if c.date.and_time(c.time) > ctx.now {
                        out.push(RecordProblem::new(F::CancelledOn, K::InTheFuture));
                    }
                }
            }
        }
        for (field, minutes) in [
            (F::WaitingTime, self.waiting_minutes),
            (F::TravelTime, self.travel_minutes),
        ] {
            if minutes > MAX_MINUTES {
                out.push(RecordProblem::new(field, K::OutOfRange));
            }
        }
        if self.distance_km.is_sign_negative() || self.distance_km > Decimal::from(2000) {
            out.push(RecordProblem::new(F::Distance, K::OutOfRange));
        }
        if self.other_fees.is_sign_negative() || self.other_fees > Decimal::from(10_000) {
            out.push(RecordProblem::new(F::OtherFees, K::OutOfRange));
        }
        for (field, value) in [
            (F::OvertimeReason, &self.overtime_reason),
            (F::Comments, &self.comments),
        ] {
            if let Some(Err(problem)) = value.as_deref().map(|v| text::lines(v, text::TEXT_MAX)) {
                out.push(RecordProblem::new(field, K::Text(problem)));
            }
        }
        out.sort_by_key(|p| p.field);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    #[test]
    fn worked_minutes_prefer_the_declared_duration() {
        let mut r = ServiceRecord::completed(t(11, 0), t(13, 0));
        assert_eq!(r.worked_minutes(), Some(120));
        r.actual_minutes = Some(135);
        assert_eq!(r.worked_minutes(), Some(135));
        r.actual_minutes = None;
        r.actual_start = None;
        assert_eq!(r.worked_minutes(), None);
    }

    #[test]
    fn a_night_service_crosses_midnight() {
        assert_eq!(minutes_between(t(23, 30), t(0, 45)), 75);
        assert_eq!(minutes_between(t(9, 0), t(9, 0)), 0);
    }

    #[test]
    fn general_reasons_round_trip() {
        for r in GeneralReason::ALL {
            assert_eq!(r.as_str().parse::<GeneralReason>(), Ok(r));
        }
        assert!("x".parse::<GeneralReason>().is_err());
    }

    fn ctx() -> RecordContext {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        RecordContext {
            request_type: RequestType::InPerson,
            appointment: day.and_time(t(11, 0)),
            scheduled_minutes: 120,
            now: day.and_time(t(15, 0)),
        }
    }

    #[test]
    fn a_plain_completed_record_has_no_problem() {
        assert_eq!(ServiceRecord::completed(t(11, 0), t(13, 0)).problems(&ctx()), vec![]);
    }

    #[test]
    fn overtime_needs_a_reason() {
        let mut r = ServiceRecord::completed(t(11, 0), t(13, 30));
        assert_eq!(
            r.problems(&ctx()),
            vec![RecordProblem::new(
                RecordField::OvertimeReason,
                RecordProblemKind::Required
            )]
        );
        r.overtime_reason = Some("Rendez-vous prolongé".into());
        assert!(r.problems(&ctx()).is_empty());
    }

    #[test]
    fn a_cancelled_service_says_why_and_when() {
        let mut r = ServiceRecord::completed(t(11, 0), t(13, 0));
        r.completed = false;
        let fields: Vec<_> = r.problems(&ctx()).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![
                RecordField::GeneralReason,
                RecordField::DetailedReason,
                RecordField::CancelledOn,
                RecordField::CancelledAt
            ]
        );
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        r.cancellation = Some(RecordedCancellation {
            general: GeneralReason::Cancelled,
            reason: CancellationReason::ProfessionalLateOrAbsent,
            date: day,
            time: t(16, 0),
        });
        assert_eq!(
            r.problems(&ctx()),
            vec![RecordProblem::new(
                RecordField::CancelledOn,
                RecordProblemKind::InTheFuture
            )]
        );
        r.cancellation = r.cancellation.map(|c| RecordedCancellation { time: t(9, 18), ..c });
        assert!(r.problems(&ctx()).is_empty());
    }

    #[test]
    fn a_permanence_counts_its_services() {
        let c = RecordContext {
            request_type: RequestType::Permanence,
            ..ctx()
        };
        let mut r = ServiceRecord::completed(t(11, 0), t(13, 0));
        assert_eq!(r.problems(&c)[0].field, RecordField::ServicesGiven);
        r.services_given = Some(7);
        assert!(r.problems(&c).is_empty());
    }

    #[test]
    fn problems_are_named_in_both_languages() {
        let p = RecordProblem::new(RecordField::ActualEnd, RecordProblemKind::EndBeforeStart);
        assert_eq!(
            p.describe(Locale::Fr),
            "Heure de fin effective\u{a0}: est avant l'heure de début"
        );
        assert_eq!(p.describe(Locale::En), "Actual end time: is before the start time");
        for f in RecordField::ALL {
            assert_eq!(RecordField::from_key(f.key()), Some(f));
        }
    }
}
