//! "Détails de la rémunération": what one request is worth, line by line.

use super::amount::Amount;
use super::tariff::{Calendar, Rate, RateClass, Tariff, TaxRates};
use super::tax::{TaxLine, taxes};
use super::{MoneyError, checked};
use crate::domain::interpreter::{FinancialFile, TaxRegistration};
use crate::domain::locale::Locale;
use crate::domain::request::{Cancellation, Request, RequestStatus, RequestType, ServiceRecord};
use chrono::{NaiveDate, NaiveTime, TimeDelta};
use rust_decimal::Decimal;
use serde::Serialize;

/// A line of the breakdown, in the seeds' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Demande: the interpretation time.
    Request,
    /// Distance beyond the free kilometres.
    Distance,
    /// Rémunération du temps de déplacement.
    TravelTime,
    /// Rappels téléphoniques: calls made at the requester's request.
    PhoneCalls,
    /// Mots: translation.
    Words,
    /// Autres frais, at cost.
    OtherFees,
    /// Frais supplémentaires: waiting time.
    Extra,
}

impl LineKind {
    pub const ALL: [LineKind; 7] = [
        LineKind::Request,
        LineKind::Distance,
        LineKind::TravelTime,
        LineKind::PhoneCalls,
        LineKind::Words,
        LineKind::OtherFees,
        LineKind::Extra,
    ];

    pub(super) fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Request => "request",
            LineKind::Distance => "distance",
            LineKind::TravelTime => "travel_time",
            LineKind::PhoneCalls => "phone_calls",
            LineKind::Words => "words",
            LineKind::OtherFees => "other_fees",
            LineKind::Extra => "extra",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            LineKind::Request => ("Demande", "Request"),
            LineKind::Distance => ("Distance", "Distance"),
            LineKind::TravelTime => ("Rémunération du temps de déplacement", "Travel time"),
            LineKind::PhoneCalls => ("Rappels téléphoniques", "Phone calls"),
            LineKind::Words => ("Mots", "Words"),
            LineKind::OtherFees => ("Autres frais", "Other fees"),
            LineKind::Extra => ("Frais supplémentaires", "Additional fees"),
        };
        locale.pick(fr, en)
    }
}

/// What the request came to, which decides what is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Took place (or is expected to): everything recorded is paid.
    Rendered,
    /// Cancelled with enough notice: only communications and other fees.
    CancelledInTime,
    /// Cancelled late after confirmation: the scheduled time is paid; travel only if the
    /// interpreter was there.
    CancelledLate,
}

impl Outcome {
    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Outcome::Rendered => ("Service rendu", "Service rendered"),
            Outcome::CancelledInTime => ("Annulée avec préavis", "Cancelled with notice"),
            Outcome::CancelledLate => ("Annulation tardive", "Late cancellation"),
        };
        locale.pick(fr, en)
    }
}

/// The facts of one request that money depends on.
#[derive(Debug, Clone, Copy)]
pub struct Service<'a> {
    pub request_type: RequestType,
    /// The appointment (or due date), local.
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub scheduled_minutes: u32,
    /// Confirmed by an interpreter: only a confirmed request can be cancelled late.
    pub booked: bool,
    /// Set when the request was cancelled.
    pub cancellation: Option<&'a Cancellation>,
    /// The interpreter's record, once entered; without it the breakdown is an estimate.
    pub record: Option<&'a ServiceRecord>,
}

impl<'a> Service<'a> {
    /// The facts of a stored request and its record.
    pub fn of(request: &'a Request, record: Option<&'a ServiceRecord>) -> Service<'a> {
        Service {
            request_type: request.details.request_type,
            date: request.details.date,
            start_time: request.details.start_time,
            scheduled_minutes: request.details.duration_minutes,
            booked: request.booked_at.is_some(),
            cancellation: request
                .cancellation
                .as_ref()
                .filter(|_| request.status == RequestStatus::Cancelled),
            record,
        }
    }

    /// The request's cancellation decides when there is one. Otherwise a record saying the
    /// service was not completed is a cancellation at the time it gives, late when that is
    /// less than `late_hours` before the start (local time) of a confirmed request; a record
    /// giving no time gave no notice.
    pub fn outcome(&self, late_hours: u32) -> Outcome {
        if let Some(cancellation) = self.cancellation {
            return if cancellation.late {
                Outcome::CancelledLate
            } else {
                Outcome::CancelledInTime
            };
        }
        match self.record {
            Some(record) if !record.completed => {
                let start = self.date.and_time(self.start_time);
                let notice = record.cancellation.as_ref().map(|c| start - c.date.and_time(c.time));
                let late = notice.is_none_or(|n| n < TimeDelta::hours(i64::from(late_hours)));
                if self.booked && late {
                    Outcome::CancelledLate
                } else {
                    Outcome::CancelledInTime
                }
            }
            _ => Outcome::Rendered,
        }
    }
}

/// The bank's policy for one side: pay (`money.pay`) or charge (`money.billing`).
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub tariff: &'a Tariff,
    pub taxes: &'a TaxRates,
    pub calendar: Calendar<'a>,
    /// `workflow.late_cancellation_hours`.
    pub late_cancellation_hours: u32,
}

/// What one request is worth to one side. Made only by [`compute`]: its lines always add
/// up to its subtotal, and its subtotal and added taxes to its total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    rate_class: RateClass,
    outcome: Outcome,
    billable_minutes: u64,
    lines: [Amount; 7],
    subtotal: Amount,
    registration: TaxRegistration,
    taxes: Vec<TaxLine>,
    total: Amount,
}

impl Breakdown {
    /// "Taux"; its `description` is "Description de la rémunération".
    pub fn rate_class(&self) -> RateClass {
        self.rate_class
    }
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }
    /// The minutes the "Demande" line pays (0 for a translation or an early cancellation).
    pub fn billable_minutes(&self) -> u64 {
        self.billable_minutes
    }
    pub fn line(&self, kind: LineKind) -> Amount {
        self.lines[kind.index()]
    }
    /// Every line, zeros included, in the seeds' order.
    pub fn lines(&self) -> impl Iterator<Item = (LineKind, Amount)> + '_ {
        LineKind::ALL.into_iter().map(|kind| (kind, self.line(kind)))
    }
    pub fn subtotal(&self) -> Amount {
        self.subtotal
    }
    /// How the supplier's taxes were treated.
    pub fn registration(&self) -> TaxRegistration {
        self.registration
    }
    /// The taxes in force on the service date, added or included; none when not registered.
    pub fn taxes(&self) -> &[TaxLine] {
        &self.taxes
    }
    pub fn total(&self) -> Amount {
        self.total
    }

    /// "Détails de la rémunération" as people read it, one `(label, value)` per line: the
    /// rate and its description, every line (zeros included, as the seeds show them), the
    /// taxes, the total.
    pub fn statement(&self, currency: super::Currency, locale: Locale) -> Vec<(String, String)> {
        let mut out = vec![
            (
                locale.pick("Taux", "Rate").to_string(),
                self.rate_class.label(locale).to_string(),
            ),
            (
                locale.pick("Description de la rémunération", "Description").to_string(),
                self.rate_class.description(locale).to_string(),
            ),
        ];
        out.extend(
            self.lines()
                .map(|(kind, amount)| (kind.label(locale).to_string(), amount.format(currency, locale))),
        );
        out.extend(
            self.taxes
                .iter()
                .map(|t| (t.label(locale), t.amount.format(currency, locale))),
        );
        out.push((
            locale.pick("Total", "Total").to_string(),
            self.total.format(currency, locale),
        ));
        out
    }
}

/// What `service` is worth under `rules`, with the taxes of `supplier` (the interpreter
/// for pay; for billing, whoever the bank bills as).
///
/// Errors only on impossible input: a negative distance or fee, or an absurd amount.
pub fn compute(service: &Service<'_>, supplier: &FinancialFile, rules: &Rules<'_>) -> Result<Breakdown, MoneyError> {
    let tariff = rules.tariff;
    let rate_class = RateClass::of(service.date, service.start_time, &rules.calendar);
    let hourly = tariff.hourly(rate_class);
    let outcome = service.outcome(rules.late_cancellation_hours);
    let record = service.record;
    let timed = service.request_type != RequestType::Translation;
    let billable_minutes = match outcome {
        Outcome::Rendered if timed => {
            let worked = record.and_then(ServiceRecord::worked_minutes).unwrap_or(0);
            tariff.billable_minutes(service.scheduled_minutes.max(worked))
        }
        Outcome::CancelledLate if timed => tariff.billable_minutes(service.scheduled_minutes),
        _ => 0,
    };
    let mut lines = [Amount::ZERO; 7];
    lines[LineKind::Request.index()] = Amount::round(per_hour(hourly, billable_minutes)?)?;
    if let Some(record) = record {
        if record.distance_km.is_sign_negative() && !record.distance_km.is_zero() {
            return Err(MoneyError::Negative);
        }
        let on_site = match outcome {
            Outcome::Rendered => true,
            Outcome::CancelledLate => record.interpreter_present,
            Outcome::CancelledInTime => false,
        };
        if on_site {
            let beyond = checked(record.distance_km.checked_sub(tariff.distance_free_km.value()))?;
            if beyond > Decimal::ZERO {
                lines[LineKind::Distance.index()] = times(tariff.distance_per_km, beyond)?;
            }
            lines[LineKind::TravelTime.index()] =
                Amount::round(per_hour(tariff.travel_hourly, record.travel_minutes.into())?)?;
            lines[LineKind::Extra.index()] = Amount::round(per_hour(hourly, record.waiting_minutes.into())?)?;
        }
        lines[LineKind::PhoneCalls.index()] = times(tariff.phone_call, record.phone_calls.into())?;
        if outcome != Outcome::CancelledInTime {
            lines[LineKind::Words.index()] = times(tariff.word, record.words.into())?;
        }
        lines[LineKind::OtherFees.index()] = Amount::round(record.other_fees)?;
    }
    let subtotal = lines
        .iter()
        .try_fold(Amount::ZERO, |sum, line| sum.checked_add(*line))?;
    let taxes = taxes(subtotal, supplier, rules.taxes, service.date)?;
    let total = taxes
        .iter()
        .filter(|tax| !tax.included)
        .try_fold(subtotal, |sum, tax| sum.checked_add(tax.amount))?;
    Ok(Breakdown {
        rate_class,
        outcome,
        billable_minutes,
        lines,
        subtotal,
        registration: supplier.tax_registration,
        taxes,
        total,
    })
}

/// `rate × minutes / 60`, exact (one division, rounded only by the caller).
fn per_hour(rate: Rate, minutes: u64) -> Result<Decimal, MoneyError> {
    let per_hour = checked(rate.value().checked_mul(Decimal::from(minutes)))?;
    checked(per_hour.checked_div(Decimal::from(60)))
}

/// `rate × quantity`, rounded once.
fn times(rate: Rate, quantity: Decimal) -> Result<Amount, MoneyError> {
    Amount::round(checked(rate.value().checked_mul(quantity))?)
}
