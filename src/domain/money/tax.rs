//! Sales taxes on a breakdown: which apply (the supplier's registration on the service
//! date) and how much, rounded once each.

use super::amount::Amount;
use super::tariff::{Rate, TaxRates};
use super::{MoneyError, checked};
use crate::domain::interpreter::{FinancialFile, TaxNumber, TaxRegistration};
use crate::domain::locale::Locale;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// A sales tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tax {
    /// TPS (taxe sur les produits et services).
    Gst,
    /// TVQ (taxe de vente du Québec).
    Qst,
}

impl Tax {
    pub const ALL: [Tax; 2] = [Tax::Gst, Tax::Qst];

    pub(super) fn index(self) -> usize {
        match self {
            Tax::Gst => 0,
            Tax::Qst => 1,
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Tax::Gst => locale.pick("TPS", "GST"),
            Tax::Qst => locale.pick("TVQ", "QST"),
        }
    }
}

/// One tax on a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaxLine {
    pub tax: Tax,
    pub rate: Rate,
    pub amount: Amount,
    /// Already inside the subtotal (registration "inclusive"): shown, not added.
    pub included: bool,
}

impl TaxLine {
    /// "TPS (5 %)", "TVQ incluse (9,975 %)"; "GST (5%)", "QST included (9.975%)".
    pub fn label(&self, locale: Locale) -> String {
        let percent = (self.rate.value() * Decimal::ONE_HUNDRED).normalize().to_string();
        let name = self.tax.label(locale);
        match (locale, self.included) {
            (Locale::Fr, false) => format!("{name} ({}\u{a0}%)", percent.replace('.', ",")),
            (Locale::Fr, true) => format!("{name} incluse ({}\u{a0}%)", percent.replace('.', ",")),
            (Locale::En, false) => format!("{name} ({percent}%)"),
            (Locale::En, true) => format!("{name} included ({percent}%)"),
        }
    }
}

/// Whether a tax number is in force on `date` (both ends of its period included).
fn in_force(number: Option<&TaxNumber>, date: NaiveDate) -> bool {
    number.is_some_and(|n| n.from.is_none_or(|from| from <= date) && n.until.is_none_or(|until| date <= until))
}

/// The taxes on `subtotal` for a supplier registered as `file` says, on `date`.
///
/// `Added`: each tax is `round(subtotal × rate)`. `Inclusive`: the subtotal already holds
/// the taxes in force, so each is `round(subtotal × rate / (1 + sum of those rates))`.
pub(super) fn taxes(
    subtotal: Amount,
    file: &FinancialFile,
    rates: &TaxRates,
    date: NaiveDate,
) -> Result<Vec<TaxLine>, MoneyError> {
    let in_force: Vec<(Tax, Rate)> = [
        (Tax::Gst, rates.gst, file.gst.as_ref()),
        (Tax::Qst, rates.qst, file.qst.as_ref()),
    ]
    .into_iter()
    .filter(|(_, _, number)| in_force(*number, date))
    .map(|(tax, rate, _)| (tax, rate))
    .collect();
    let (included, divisor) = match file.tax_registration {
        TaxRegistration::NotRegistered => return Ok(Vec::new()),
        TaxRegistration::Added => (false, Decimal::ONE),
        TaxRegistration::Inclusive => {
            let sum = in_force
                .iter()
                .try_fold(Decimal::ONE, |sum, (_, rate)| sum.checked_add(rate.value()));
            (true, sum.ok_or(MoneyError::TooLarge)?)
        }
    };
    in_force
        .into_iter()
        .map(|(tax, rate)| {
            let exact = checked(subtotal.value().checked_mul(rate.value()))?;
            let amount = Amount::round(checked(exact.checked_div(divisor))?)?;
            Ok(TaxLine {
                tax,
                rate,
                amount,
                included,
            })
        })
        .collect()
}
