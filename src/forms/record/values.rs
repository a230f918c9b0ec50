//! Reading what was written for one field of the record: yes/no, times, a date, minutes,
//! counts, exact amounts, the reasons of a cancellation, or free text within its limits.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use crate::domain::locale::Locale;
use crate::domain::request::{CancellationReason, GeneralReason, RecordField, RecordProblemKind};
use crate::domain::text::{self, fold};
use crate::forms::values::{duration_minutes, is_negative, parse_date, parse_time, parse_yes_no, trim};

/// One field's value, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordValue {
    Flag(bool),
    Time(NaiveTime),
    Date(NaiveDate),
    Minutes(u32),
    Count(u32),
    Amount(Decimal),
    General(GeneralReason),
    Reason(CancellationReason),
    Text(String),
}

/// Reads what was written for `field`; `today` is the local date the record is made on
/// ("hier", "aujourd'hui" resolve against it).
pub fn read_value(field: RecordField, raw: &str, today: NaiveDate) -> Result<RecordValue, RecordProblemKind> {
    use RecordField as F;
    let raw = trim(raw);
    let unreadable = || RecordProblemKind::Unreadable(raw.chars().take(80).collect());
    let quantity = matches!(
        field,
        F::ActualDuration
            | F::WaitingTime
            | F::TravelTime
            | F::PhoneCalls
            | F::Words
            | F::ServicesGiven
            | F::Distance
            | F::OtherFees
    );
    if quantity && is_negative(raw) {
        return Err(RecordProblemKind::Negative);
    }
    match field {
        F::Completed | F::InterpreterPresent => parse_yes_no(raw).map(RecordValue::Flag).ok_or_else(unreadable),
        F::ArrivalTime | F::ActualStart | F::ActualEnd | F::CancelledAt => {
            parse_time(raw).map(RecordValue::Time).ok_or_else(unreadable)
        }
        F::CancelledOn => {
            let date = match fold(raw).as_str() {
                "hier" | "yesterday" => today.pred_opt(),
                _ => parse_date(raw, today),
            };
            date.map(RecordValue::Date).ok_or_else(unreadable)
        }
        F::ActualDuration | F::WaitingTime | F::TravelTime => {
            if is_zero(raw) {
                return Ok(RecordValue::Minutes(0));
            }
            let minutes = duration_minutes(raw).ok_or_else(unreadable)?;
            u32::try_from(minutes)
                .map(RecordValue::Minutes)
                .map_err(|_| RecordProblemKind::OutOfRange)
        }
        F::PhoneCalls | F::Words | F::ServicesGiven => {
            if is_zero(raw) {
                return Ok(RecordValue::Count(0));
            }
            read_count(raw).map(RecordValue::Count).ok_or_else(unreadable)
        }
        F::Distance | F::OtherFees => {
            if is_zero(raw) {
                return Ok(RecordValue::Amount(Decimal::ZERO));
            }
            read_amount(raw).map(RecordValue::Amount).ok_or_else(unreadable)
        }
        F::GeneralReason => read_general(raw).map(RecordValue::General).ok_or_else(unreadable),
        F::DetailedReason => read_reason(raw).map(RecordValue::Reason).ok_or_else(unreadable),
        F::OvertimeReason | F::Comments => text::lines(raw, text::TEXT_MAX)
            .map(|value| RecordValue::Text(value.to_string()))
            .map_err(RecordProblemKind::Text),
    }
}

fn is_zero(raw: &str) -> bool {
    matches!(
        fold(raw).as_str(),
        "0" | "aucun" | "aucune" | "none" | "no" | "non" | "rien" | "nil" | "0 km" | "0 min" | "0 00" | "0 h"
    )
}

/// "3", "3 appels", "1 250 mots": a whole number, thousands spaced or not.
pub(super) fn read_count(raw: &str) -> Option<u32> {
    let digits: String = raw
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || c.is_whitespace() || *c == '\u{202F}' || *c == '\u{A0}')
        .filter(char::is_ascii_digit)
        .collect();
    let rest = raw
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == '\u{202F}' || c == '\u{A0}');
    // A decimal point or a second number means this was not a count.
    if digits.is_empty() || rest.starts_with([',', '.']) || rest.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// "12,50 $", "$12.50", "12 km", "1 234,5": an exact decimal with at most two places.
pub(super) fn read_amount(raw: &str) -> Option<Decimal> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '$' | '€' | '\u{202F}' | '\u{A0}'))
        .collect();
    let lower = cleaned.to_lowercase();
    let number = ["km", "kilomètres", "kilometres", "cad", "eur"]
        .iter()
        .find_map(|unit| lower.strip_suffix(unit))
        .unwrap_or(&lower)
        .replace(',', ".");
    let value = Decimal::from_str(&number).ok()?;
    (value.scale() <= 2 && !value.is_sign_negative()).then_some(value)
}

pub(super) fn read_general(raw: &str) -> Option<GeneralReason> {
    match fold(raw).as_str() {
        "annulee" | "annule" | "annulation" | "cancelled" | "canceled" | "cancellation" => {
            Some(GeneralReason::Cancelled)
        }
        "interrompue" | "interrompu" | "ecourtee" | "interrupted" | "cut short" => Some(GeneralReason::Interrupted),
        other => GeneralReason::from_str(other).ok(),
    }
}

pub(super) fn read_reason(raw: &str) -> Option<CancellationReason> {
    let folded = fold(raw);
    if folded.is_empty() {
        return None;
    }
    let labels = |r: CancellationReason| [fold(r.label(Locale::Fr)), fold(r.label(Locale::En)), fold(r.as_str())];
    // The label as printed, or its beginning ("retard du professionnel", "usager absent").
    CancellationReason::ALL
        .into_iter()
        .find(|&r| labels(r).contains(&folded))
        .or_else(|| {
            let hits: Vec<_> = CancellationReason::ALL
                .into_iter()
                .filter(|&r| folded.len() >= 5 && labels(r).iter().any(|l| l.starts_with(&folded)))
                .collect();
            (hits.len() == 1).then(|| hits[0])
        })
        .or(match folded.as_str() {
            "absence" | "no show" | "usager ne s est pas presente" => Some(CancellationReason::UserAbsent),
            "professionnel absent" | "professional absent" => Some(CancellationReason::ProfessionalLateOrAbsent),
            "reporte" | "postponed" => Some(CancellationReason::AppointmentRescheduled),
            _ => None,
        })
}
