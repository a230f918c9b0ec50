//! Money: what an interpreter is paid and what an establishment is charged for a request,
//! line by line ("Détails de la rémunération"), and the sums of many on an invoice or a pay
//! statement. Pure: the facts come in ([`Service`]), a [`Breakdown`] comes out.
//!
//! # The rounding rule
//!
//! Arithmetic is exact decimal ([`rust_decimal::Decimal`]); there is no binary floating
//! point anywhere here (a test reads these files to make sure).
//!
//! 1. Each line is computed exactly (`41.00 × 50 / 60 = 34.1666…`) and rounded **once** to
//!    the cent, half away from zero (`34.17`; `0.005` → `0.01`). Only [`Amount::round`]
//!    rounds, and an [`Amount`] is always to the cent and never negative.
//! 2. The subtotal is the sum of the rounded lines.
//! 3. Each tax is rounded once: `round(subtotal × rate)` when added; when the supplier's
//!    rates include the taxes, `round(subtotal × rate / (1 + sum of the rates in force))`,
//!    shown but not added.
//! 4. The total is the subtotal plus the added taxes.
//! 5. [`Totals`] add breakdowns line by line, never re-rounding: an invoice's total is
//!    exactly the sum of its requests' totals.
//!
//! So lines always add up to the subtotal, and subtotal plus added taxes to the total.
//! `docs/money.md` has the tariff settings, the rules and a worked example.

mod amount;
mod breakdown;
mod tariff;
mod tax;
mod totals;

pub use amount::{Amount, Currency, format_amount};
pub use breakdown::{Breakdown, LineKind, Outcome, Rules, Service, compute};
pub use tariff::{Calendar, Rate, RateClass, Tariff, TaxRates};
pub use tax::{Tax, TaxLine};
pub use totals::Totals;

use rust_decimal::Decimal;

/// Input money cannot be computed from. Entry forms refuse these first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("a distance or an amount is negative")]
    Negative,
    #[error("an amount is too large to compute")]
    TooLarge,
}

/// A checked decimal operation's result, its overflow an error.
fn checked(value: Option<Decimal>) -> Result<Decimal, MoneyError> {
    value.ok_or(MoneyError::TooLarge)
}

#[cfg(test)]
mod tests {
    /// The money path holds no binary floating point: not a type, not a cast.
    #[test]
    fn no_floating_point_in_the_money_module() {
        let sources = [
            ("mod.rs", include_str!("mod.rs")),
            ("amount.rs", include_str!("amount.rs")),
            ("breakdown.rs", include_str!("breakdown.rs")),
            ("tariff.rs", include_str!("tariff.rs")),
            ("tax.rs", include_str!("tax.rs")),
            ("totals.rs", include_str!("totals.rs")),
        ];
        // Spelled in two parts so this test does not find itself.
        let floats = [format!("f{}", 32), format!("f{}", 64)];
        for (file, source) in sources {
            for float in &floats {
                assert!(!source.contains(float.as_str()), "{file} mentions {float}");
            }
        }
        // A new file must join the list above.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain/money");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                sources.iter().any(|(file, _)| *file == name),
                "{name} is not checked here"
            );
        }
    }
}
