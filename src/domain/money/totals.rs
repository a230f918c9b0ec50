//! Sums of breakdowns, line by line: an invoice or a pay statement. Each request is rounded
//! on its own, so a document's totals are exactly the sum of its requests' totals.

use super::MoneyError;
use super::amount::Amount;
use super::breakdown::{Breakdown, LineKind};
use super::tax::Tax;
use serde::Serialize;

/// The sum of some breakdowns.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    count: usize,
    lines: [Amount; 7],
    subtotal: Amount,
    added: [Amount; 2],
    included: [Amount; 2],
    total: Amount,
}

impl Totals {
    /// Nothing yet.
    pub fn new() -> Totals {
        Totals::default()
    }

    /// The sum of `breakdowns`.
    pub fn of<'a>(breakdowns: impl IntoIterator<Item = &'a Breakdown>) -> Result<Totals, MoneyError> {
        let mut totals = Totals::new();
        for breakdown in breakdowns {
            totals.add(breakdown)?;
        }
        Ok(totals)
    }

    /// Adds one breakdown; on error the totals are left as they were.
    pub fn add(&mut self, breakdown: &Breakdown) -> Result<(), MoneyError> {
        let mut next = self.clone();
        next.count += 1;
        for (kind, amount) in breakdown.lines() {
            let slot = &mut next.lines[kind.index()];
            *slot = slot.checked_add(amount)?;
        }
        next.subtotal = next.subtotal.checked_add(breakdown.subtotal())?;
        for tax in breakdown.taxes() {
            let slot = if tax.included {
                &mut next.included[tax.tax.index()]
            } else {
                &mut next.added[tax.tax.index()]
            };
            *slot = slot.checked_add(tax.amount)?;
        }
        next.total = next.total.checked_add(breakdown.total())?;
        *self = next;
        Ok(())
    }

    /// How many breakdowns were added.
    pub fn count(&self) -> usize {
        self.count
    }
    pub fn line(&self, kind: LineKind) -> Amount {
        self.lines[kind.index()]
    }
    pub fn lines(&self) -> impl Iterator<Item = (LineKind, Amount)> + '_ {
        LineKind::ALL.into_iter().map(|kind| (kind, self.line(kind)))
    }
    pub fn subtotal(&self) -> Amount {
        self.subtotal
    }
    /// A tax added on top of the subtotals.
    pub fn tax_added(&self, tax: Tax) -> Amount {
        self.added[tax.index()]
    }
    /// A tax already inside the subtotals.
    pub fn tax_included(&self, tax: Tax) -> Amount {
        self.included[tax.index()]
    }
    pub fn total(&self) -> Amount {
        self.total
    }
}
