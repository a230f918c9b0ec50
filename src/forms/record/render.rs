//! Rendering the record form: its lines in the interpreter's language, pre-filled with the
//! booked times or with a saved record shown back.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use rust_decimal::Decimal;

use super::fields::hint;
use crate::domain::locale::{Locale, clock_time, duration};
use crate::domain::request::{RecordField, RequestType, ServiceRecord};

/// The record form's lines in `locale`: "Label : value" for what is filled, else the hint.
/// Lines for a cancelled service and for a permanence are always printed: the interpreter
/// fills in what applies.
pub fn render_record_form(locale: Locale, filled: &BTreeMap<RecordField, String>) -> String {
    let separator = locale.pick("\u{a0}: ", ": ");
    RecordField::ALL
        .iter()
        .map(|&field| {
            let shown = filled
                .get(&field)
                .map(|v| v.replace(['\r', '\n'], " "))
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| hint(field, locale).to_string());
            format!("{}{separator}{shown}", field.label(locale))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The values to prefill the form with: the booked times, nothing declared.
pub fn prefill(start: NaiveTime, minutes: u32, locale: Locale) -> BTreeMap<RecordField, String> {
    let end = start + chrono::Duration::minutes(i64::from(minutes));
    BTreeMap::from([
        (RecordField::Completed, locale.pick("oui", "yes").to_string()),
        (RecordField::InterpreterPresent, locale.pick("oui", "yes").to_string()),
        (RecordField::ActualStart, start.format("%H:%M").to_string()),
        (RecordField::ActualEnd, end.format("%H:%M").to_string()),
        (RecordField::WaitingTime, "0".into()),
        (RecordField::Distance, "0".into()),
        (RecordField::TravelTime, "0".into()),
        (RecordField::PhoneCalls, "0".into()),
        (RecordField::OtherFees, "0".into()),
    ])
}

/// The record as form values, to show it back (summary to the requester, correction form).
pub fn record_values(record: &ServiceRecord, locale: Locale) -> BTreeMap<RecordField, String> {
    use RecordField as F;
    let yes_no = |b: bool| {
        locale
            .pick(if b { "oui" } else { "non" }, if b { "yes" } else { "no" })
            .to_string()
    };
    let hm = |t: NaiveTime| t.format("%H:%M").to_string();
    let duration = |m: u32| format!("{} h {:02}", m / 60, m % 60);
    let decimal = |d: Decimal| match locale {
        Locale::Fr => d.to_string().replace('.', ","),
        Locale::En => d.to_string(),
    };
    let mut out = BTreeMap::new();
    out.insert(F::Completed, yes_no(record.completed));
    out.insert(F::InterpreterPresent, yes_no(record.interpreter_present));
    let optional = [
        (F::ArrivalTime, record.arrival_time.map(hm)),
        (F::ActualStart, record.actual_start.map(hm)),
        (F::ActualEnd, record.actual_end.map(hm)),
        (F::ActualDuration, record.worked_minutes().map(duration)),
        (F::OvertimeReason, record.overtime_reason.clone()),
        (F::ServicesGiven, record.services_given.map(|n| n.to_string())),
        (F::Comments, record.comments.clone()),
    ];
    for (field, value) in optional {
        if let Some(v) = value {
            out.insert(field, v);
        }
    }
    if let Some(c) = &record.cancellation {
        out.insert(F::GeneralReason, c.general.label(locale).to_string());
        out.insert(F::DetailedReason, c.reason.label(locale).to_string());
        out.insert(F::CancelledOn, c.date.format("%Y-%m-%d").to_string());
        out.insert(F::CancelledAt, hm(c.time));
    }
    out.insert(F::WaitingTime, duration(record.waiting_minutes));
    out.insert(F::Distance, format!("{} km", decimal(record.distance_km)));
    out.insert(F::TravelTime, duration(record.travel_minutes));
    out.insert(F::PhoneCalls, record.phone_calls.to_string());
    out.insert(F::Words, record.words.to_string());
    out.insert(F::OtherFees, decimal(record.other_fees.round_dp(2)));
    out
}

/// The record as people read it (summary mails, validation pages): only what applies to
/// the request's type and is not zero, times and durations in words (« 10 h 00 »,
/// « 1 h 15 »). `(label, value)` in the form's order.
pub fn record_summary(record: &ServiceRecord, request_type: RequestType, locale: Locale) -> Vec<(String, String)> {
    use RecordField as F;
    let when = |t: NaiveTime| clock_time(t, locale);
    let mut shown = record_values(record, locale);
    for (field, time) in [
        (F::ArrivalTime, record.arrival_time),
        (F::ActualStart, record.actual_start),
        (F::ActualEnd, record.actual_end),
        (F::CancelledAt, record.cancellation.as_ref().map(|c| c.time)),
    ] {
        if let Some(t) = time {
            shown.insert(field, when(t));
        }
    }
    if let Some(m) = record.worked_minutes() {
        shown.insert(F::ActualDuration, duration(m, locale));
    }
    for (field, minutes) in [
        (F::WaitingTime, record.waiting_minutes),
        (F::TravelTime, record.travel_minutes),
    ] {
        shown.insert(field, duration(minutes, locale));
    }
    let zero = [
        (F::WaitingTime, record.waiting_minutes == 0),
        (F::TravelTime, record.travel_minutes == 0),
        (F::Distance, record.distance_km.is_zero()),
        (F::PhoneCalls, record.phone_calls == 0),
        (F::Words, record.words == 0 || request_type != RequestType::Translation),
        (F::OtherFees, record.other_fees.is_zero()),
        (F::ServicesGiven, request_type != RequestType::Permanence),
    ];
    for (field, hidden) in zero {
        if hidden {
            shown.remove(&field);
        }
    }
    shown
        .into_iter()
        .map(|(field, value)| (field.label(locale).to_string(), value))
        .collect()
}
