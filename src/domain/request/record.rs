//! The interpreter's record of the service (réalisation): what happened, as the seeds'
//! "Détails après la demande" tab asks it, plus SeTIS's arrival time and number of services
//! given during a permanence. Quantities only: what they are worth is `domain::money`'s work.

use super::CancellationReason;
use crate::domain::locale::Locale;
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
}
