//! What a bank pays and charges: its tariff (one for interpreters' pay, one for the
//! establishments' charge), the tax rates, and the rate class of a slot.

use crate::domain::locale::Locale;
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A non-negative exact decimal from the configuration: a rate, a price or a distance.
///
/// Written as a string (`"41.00"`) or a whole number (`41`). A TOML number with a decimal
/// point is refused: it would pass through binary floating point, which cannot hold
/// `45.10` exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Rate(Decimal);

impl Rate {
    pub const ZERO: Rate = Rate(Decimal::ZERO);

    /// `None` for a negative value.
    pub fn new(value: Decimal) -> Option<Rate> {
        (!value.is_sign_negative() || value.is_zero()).then_some(Rate(value.normalize()))
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let value = Decimal::from_str_exact(s.trim()).map_err(|_| format!("{s:?} is not a decimal number"))?;
        Rate::new(value).ok_or_else(|| format!("{s:?} is negative"))
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RateVisitor;
        impl Visitor<'_> for RateVisitor {
            type Value = Rate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative decimal written as a string, like \"41.00\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Rate, E> {
                v.parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Rate, E> {
                Ok(Rate(Decimal::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Rate, E> {
                Rate::new(Decimal::from(v)).ok_or_else(|| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
        }
        deserializer.deserialize_any(RateVisitor)
    }
}

/// A tariff: the hourly rate of each class and the price of everything else.
/// Deserialized from `[money.pay]` and `[money.billing]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    /// Per hour during business hours ("Heures de bureau").
    pub standard_hourly: Rate,
    /// Per hour on a business day before it opens or from its closing time ("Soirée").
    pub evening_hourly: Rate,
    /// Per hour on a day that is not a business day ("Fin de semaine").
    pub weekend_hourly: Rate,
    /// Per hour on a holiday ("Jour férié").
    pub holiday_hourly: Rate,
    /// A service is counted at least this long.
    pub minimum_minutes: u32,
    /// Billable time is rounded up to a multiple of this (at least 1).
    pub increment_minutes: u32,
    /// Kilometres travelled that are not paid: only those beyond are.
    pub distance_free_km: Rate,
    /// Per kilometre beyond `distance_free_km`.
    pub distance_per_km: Rate,
    /// Per hour of travel time.
    pub travel_hourly: Rate,
    /// Per phone call made at the requester's request.
    pub phone_call: Rate,
    /// Per word translated.
    pub word: Rate,
}

impl Tariff {
    /// The hourly rate of a class; waiting time is paid at it too.
    pub fn hourly(&self, class: RateClass) -> Rate {
        match class {
            RateClass::Standard => self.standard_hourly,
            RateClass::Evening => self.evening_hourly,
            RateClass::Weekend => self.weekend_hourly,
            RateClass::Holiday => self.holiday_hourly,
        }
    }

    /// The minutes counted for `minutes` of service: at least the minimum, rounded up to
    /// the increment. 50 → 60 and 70 → 75 with a 60-minute minimum and 15-minute steps.
    pub fn billable_minutes(&self, minutes: u32) -> u64 {
        let minutes = u64::from(minutes.max(self.minimum_minutes));
        let step = u64::from(self.increment_minutes.max(1));
        minutes.div_ceil(step) * step
    }
}

/// Sales tax rates, from `[money.taxes]`: fractions, so 5 % is `"0.05"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxRates {
    /// TPS / GST.
    pub gst: Rate,
    /// TVQ / QST.
    pub qst: Rate,
}

/// Which hourly rate applies, from the appointment's local date and start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateClass {
    Standard,
    Evening,
    Weekend,
    Holiday,
}

impl RateClass {
    pub const ALL: [RateClass; 4] = [
        RateClass::Standard,
        RateClass::Evening,
        RateClass::Weekend,
        RateClass::Holiday,
    ];

    /// The class of a slot starting at `start` on `date` (local): holiday, else weekend
    /// (not a business day), else evening (before opening or from closing), else standard.
    pub fn of(date: NaiveDate, start: NaiveTime, calendar: &Calendar<'_>) -> RateClass {
        if calendar.holidays.contains(&date) {
            RateClass::Holiday
        } else if !calendar.days.contains(&date.weekday()) {
            RateClass::Weekend
        } else if start < calendar.opens || start >= calendar.closes {
            RateClass::Evening
        } else {
            RateClass::Standard
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RateClass::Standard => "standard",
            RateClass::Evening => "evening",
            RateClass::Weekend => "weekend",
            RateClass::Holiday => "holiday",
        }
    }

    /// "Taux" in the seeds' "Détails de la rémunération".
    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            RateClass::Standard => ("Standard", "Standard"),
            RateClass::Evening => ("Soirée", "Evening"),
            RateClass::Weekend => ("Fin de semaine", "Weekend"),
            RateClass::Holiday => ("Jour férié", "Holiday"),
        };
        locale.pick(fr, en)
    }

    /// "Description de la rémunération".
    pub fn description(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            RateClass::Standard => ("Heures de bureau", "Office hours"),
            RateClass::Evening => ("Hors des heures de bureau", "Outside office hours"),
            RateClass::Weekend => ("Fin de semaine", "Weekend"),
            RateClass::Holiday => ("Jour férié", "Public holiday"),
        };
        locale.pick(fr, en)
    }
}

/// The bank's business hours as the rate classes read them (`[business_hours]`).
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    pub days: &'a [Weekday],
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub holidays: &'a [NaiveDate],
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    #[test]
    fn the_class_follows_holidays_then_days_then_hours() {
        let holidays = [day(7, 1), day(7, 3)];
        let cal = Calendar {
            days: &DAYS,
            opens: t(8, 30),
            closes: t(16, 30),
            holidays: &holidays,
        };
        // 2027-06-30 is a Wednesday.
        assert_eq!(RateClass::of(day(6, 30), t(8, 30), &cal), RateClass::Standard);
        assert_eq!(RateClass::of(day(6, 30), t(16, 29), &cal), RateClass::Standard);
        assert_eq!(RateClass::of(day(6, 30), t(16, 30), &cal), RateClass::Evening);
        assert_eq!(RateClass::of(day(6, 30), t(8, 29), &cal), RateClass::Evening);
        assert_eq!(RateClass::of(day(7, 4), t(10, 0), &cal), RateClass::Weekend, "a Sunday");
        assert_eq!(
            RateClass::of(day(7, 1), t(20, 0), &cal),
            RateClass::Holiday,
            "a Thursday"
        );
        assert_eq!(
            RateClass::of(day(7, 3), t(10, 0), &cal),
            RateClass::Holiday,
            "a Saturday"
        );
    }

    #[test]
    fn billable_time_is_at_least_the_minimum_rounded_up_to_the_increment() {
        let mut tariff = Tariff {
            standard_hourly: Rate::ZERO,
            evening_hourly: Rate::ZERO,
            weekend_hourly: Rate::ZERO,
            holiday_hourly: Rate::ZERO,
            minimum_minutes: 60,
            increment_minutes: 15,
            distance_free_km: Rate::ZERO,
            distance_per_km: Rate::ZERO,
            travel_hourly: Rate::ZERO,
            phone_call: Rate::ZERO,
            word: Rate::ZERO,
        };
        assert_eq!(tariff.billable_minutes(0), 60);
        assert_eq!(tariff.billable_minutes(50), 60);
        assert_eq!(tariff.billable_minutes(60), 60);
        assert_eq!(tariff.billable_minutes(61), 75);
        assert_eq!(tariff.billable_minutes(70), 75);
        assert_eq!(tariff.billable_minutes(u32::MAX - 1), 4_294_967_295);
        tariff.increment_minutes = 0;
        assert_eq!(
            tariff.billable_minutes(61),
            61,
            "a zero increment (refused by config) counts minutes"
        );
    }

    #[test]
    fn rates_are_exact_and_never_negative() {
        assert_eq!("45.10".parse::<Rate>().unwrap().value(), Decimal::new(451, 1));
        assert!("-0.01".parse::<Rate>().is_err());
        assert!("4x".parse::<Rate>().is_err());
        assert_eq!("-0".parse::<Rate>().unwrap(), Rate::ZERO);
    }
}
