//! Amounts of money as people are paid and billed: exact, to the cent, never negative;
//! and how people read them.

use super::MoneyError;
use crate::domain::locale::Locale;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// No amount Relais computes may reach this (a thousand billion): far above any invoice,
/// far below where exact decimal arithmetic could overflow.
const LIMIT: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// An amount to the cent, not negative, below a thousand billion.
///
/// Only [`Amount::round`] makes one from a computed value: it is the one place where money
/// is rounded (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Amount(Decimal);

impl Default for Amount {
    fn default() -> Self {
        Amount::ZERO
    }
}

impl Amount {
    /// `0.00`.
    pub const ZERO: Amount = Amount(Decimal::from_parts(0, 0, 0, false, 2));

    /// Rounds an exact value to the cent, half away from zero. The value must not be negative.
    pub fn round(exact: Decimal) -> Result<Amount, MoneyError> {
        if exact.is_sign_negative() && !exact.is_zero() {
            return Err(MoneyError::Negative);
        }
        if exact >= LIMIT {
            return Err(MoneyError::TooLarge);
        }
        let mut cents = exact.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        // Always two decimals, so `82` reads "82.00" wherever it is written.
        cents.rescale(2);
        Ok(Amount(cents))
    }

    /// The amount, with exactly two decimals.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// Sum of two amounts; both are already rounded, so the sum is exact.
    pub fn checked_add(self, other: Amount) -> Result<Amount, MoneyError> {
        let sum = self.0.checked_add(other.0).ok_or(MoneyError::TooLarge)?;
        Amount::round(sum)
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// "82,00 $" or "$82.00".
    pub fn format(self, currency: Currency, locale: Locale) -> String {
        format_amount(self.0, currency, locale)
    }
}

impl std::fmt::Display for Amount {
    /// The plain number, "82.00": for files and logs, not for people (see [`format_amount`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The bank's currency: how amounts are labelled for people and in exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Currency {
    /// Canadian dollar (the seeds' bank).
    #[default]
    #[serde(rename = "CAD")]
    Cad,
    /// Euro (SeTIS Bruxelles).
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    /// The ISO 4217 code, for exports.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Cad => "CAD",
            Currency::Eur => "EUR",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Cad => "$",
            Currency::Eur => "€",
        }
    }
}

/// An amount as people read it, to the cent: French `1 234,50 $` (no-break spaces, so the
/// symbol never wraps to the next line), English `$1,234.50`.
pub fn format_amount(amount: Decimal, currency: Currency, locale: Locale) -> String {
    let cents = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let sign = if cents.is_sign_negative() && !cents.is_zero() {
        "-"
    } else {
        ""
    };
    let digits = format!("{:.2}", cents.abs());
    let (units, decimals) = digits.split_once('.').unwrap_or((&digits, "00"));
    let (group, point) = match locale {
        Locale::Fr => ('\u{a0}', ','),
        Locale::En => (',', '.'),
    };
    let mut grouped = String::with_capacity(units.len() + units.len() / 3);
    for (i, digit) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    let symbol = currency.symbol();
    match locale {
        Locale::Fr => format!("{sign}{grouped}{point}{decimals}\u{a0}{symbol}"),
        Locale::En => format!("{sign}{symbol}{grouped}{point}{decimals}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounding_is_half_away_from_zero_to_the_cent() {
        assert_eq!(Amount::round(d("0.005")).unwrap().value(), d("0.01"));
        assert_eq!(Amount::round(d("0.0049999")).unwrap().value(), d("0.00"));
        assert_eq!(Amount::round(d("2.675")).unwrap().value(), d("2.68"));
        assert_eq!(
            Amount::round(d("2.665")).unwrap().value(),
            d("2.67"),
            "not banker's rounding"
        );
        assert_eq!(Amount::round(d("82")).unwrap().value().to_string(), "82.00");
        assert_eq!(Amount::round(d("-0")).unwrap(), Amount::ZERO);
        assert_eq!(Amount::ZERO.to_string(), "0.00");
        assert_eq!(Amount::default().to_string(), "0.00");
    }

    #[test]
    fn negative_and_absurd_amounts_are_refused() {
        assert_eq!(Amount::round(d("-0.01")), Err(MoneyError::Negative));
        assert_eq!(LIMIT, d("1000000000000"));
        assert_eq!(Amount::round(LIMIT), Err(MoneyError::TooLarge));
        assert!(Amount::round(d("999999999999.99")).is_ok());
        let big = Amount::round(d("600000000000")).unwrap();
        assert_eq!(big.checked_add(big), Err(MoneyError::TooLarge));
    }

    #[test]
    fn amounts_read_as_people_write_them() {
        let fr = |s| format_amount(d(s), Currency::Cad, Locale::Fr);
        let en = |s| format_amount(d(s), Currency::Cad, Locale::En);
        assert_eq!(fr("82"), "82,00\u{a0}$");
        assert_eq!(en("82"), "$82.00");
        assert_eq!(fr("1234.5"), "1\u{a0}234,50\u{a0}$");
        assert_eq!(en("1234567.891"), "$1,234,567.89");
        assert_eq!(en("0.005"), "$0.01");
        assert_eq!(en("-12.5"), "-$12.50");
        assert_eq!(fr("-0.001"), "0,00\u{a0}$");
        assert_eq!(en("999"), "$999.00");
        assert_eq!(format_amount(d("12.3"), Currency::Eur, Locale::Fr), "12,30\u{a0}€");
        assert_eq!(
            Amount::round(d("41")).unwrap().format(Currency::Eur, Locale::En),
            "€41.00"
        );
    }
}
