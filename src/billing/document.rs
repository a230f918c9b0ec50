//! Invoices and pay statements assembled from billable items: pure, so any set of items
//! can be checked to land exactly once and add up (`tests/it/billing.rs`).

use super::BillingError;
use crate::domain::billing::item::{BillableItem, CodeRef, Coverage, EstablishmentRef, InterpreterRef, coverage};
use crate::domain::billing::period::Period;
use crate::domain::ids::RequestId;
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::money::{Breakdown, Currency, Rules, Totals, compute};
use crate::domain::person::UserCode;
use crate::domain::request::RequestType;
use chrono::{NaiveDate, NaiveTime};

/// One request on a document, with what it comes to for that document's side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub request_id: RequestId,
    pub number: String,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub request_type: RequestType,
    pub source_language: LanguageTag,
    pub target_language: LanguageTag,
    pub establishment_code: String,
    pub cost_centre: Option<CodeRef>,
    pub billing_code: Option<CodeRef>,
    pub interpreter_name: Option<String>,
    pub interpreter_code: Option<UserCode>,
    /// Outcome, rate class, billable minutes, every money line, taxes and total.
    pub breakdown: Breakdown,
}

/// A request of the period recorded but not validated yet: not billed, but shown so that
/// nothing goes missing between two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awaiting {
    pub request_id: RequestId,
    pub number: String,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub establishment_code: String,
    pub cost_centre: Option<CodeRef>,
    pub interpreter_name: Option<String>,
    /// The requester contested the record; a coordinator must settle it.
    pub contested: bool,
}

impl Awaiting {
    /// "En attente de validation", or "Réalisation contestée" when the requester contested it.
    pub fn state(&self, locale: Locale) -> &'static str {
        if self.contested {
            locale.pick("Réalisation contestée", "Record contested")
        } else {
            locale.pick("En attente de validation", "Awaiting validation")
        }
    }
}

/// The lines of one cost centre (or of none) and what they add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCentreGroup {
    /// `None`: requests that named no cost centre, listed last.
    pub cost_centre: Option<CodeRef>,
    pub lines: Vec<Line>,
    pub totals: Totals,
}

/// What an invoice is about, before its lines.
#[derive(Debug, Clone)]
pub struct InvoiceHeader {
    pub bank_name: String,
    pub establishment: EstablishmentRef,
    pub period: Period,
    pub currency: Currency,
}

/// Facture: what an establishment is charged for a period, by cost centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// `F-{establishment code}-{period key}`: see [`Period::key`].
    pub number: String,
    pub bank_name: String,
    pub establishment: EstablishmentRef,
    pub period: Period,
    pub currency: Currency,
    /// By cost centre code; requests without a cost centre last.
    pub groups: Vec<CostCentreGroup>,
    pub totals: Totals,
    pub awaiting: Vec<Awaiting>,
}

/// What a pay statement is about, before its lines.
#[derive(Debug, Clone)]
pub struct StatementHeader {
    pub bank_name: String,
    pub interpreter: InterpreterRef,
    pub period: Period,
    pub currency: Currency,
}

/// Relevé de rémunération: what an interpreter is paid for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayStatement {
    /// `R-{user code}-{period key}`: see [`Period::key`].
    pub number: String,
    pub bank_name: String,
    pub interpreter: InterpreterRef,
    pub period: Period,
    pub currency: Currency,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub awaiting: Vec<Awaiting>,
}

/// The invoice of `header.establishment` for `header.period`, charged under `rules`
/// (`Settings::billing_rules`) with each interpreter's financial file (taxes pass through).
/// Items of another establishment or outside the period are left out.
pub fn invoice(header: InvoiceHeader, items: &[BillableItem], rules: &Rules<'_>) -> Result<Invoice, BillingError> {
    let mine = items
        .iter()
        .filter(|item| item.establishment.id == header.establishment.id && header.period.contains(item.date));
    let (lines, awaiting) = sort_out(mine, rules)?;
    let totals = totals(&lines)?;
    let mut groups: Vec<CostCentreGroup> = Vec::new();
    for line in lines {
        match groups.iter_mut().find(|g| g.cost_centre == line.cost_centre) {
            Some(group) => group.lines.push(line),
            None => groups.push(CostCentreGroup {
                cost_centre: line.cost_centre.clone(),
                lines: vec![line],
                totals: Totals::new(),
            }),
        }
    }
    groups.sort_by(|a, b| (a.cost_centre.is_none(), &a.cost_centre).cmp(&(b.cost_centre.is_none(), &b.cost_centre)));
    for group in &mut groups {
        group.totals = self::totals(&group.lines)?;
    }
    Ok(Invoice {
        number: format!("F-{}-{}", header.establishment.code, header.period.key()),
        bank_name: header.bank_name,
        establishment: header.establishment,
        period: header.period,
        currency: header.currency,
        groups,
        totals,
        awaiting,
    })
}

/// The pay statement of `header.interpreter` for `header.period`, paid under `rules`
/// (`Settings::pay_rules`) with their financial file. Items assigned to someone else or
/// outside the period are left out.
pub fn pay_statement(
    header: StatementHeader,
    items: &[BillableItem],
    rules: &Rules<'_>,
) -> Result<PayStatement, BillingError> {
    let id = header.interpreter.id;
    let theirs = items
        .iter()
        .filter(|item| item.interpreter.as_ref().is_some_and(|i| i.id == id) && header.period.contains(item.date));
    let (lines, awaiting) = sort_out(theirs, rules)?;
    let totals = totals(&lines)?;
    Ok(PayStatement {
        number: format!("R-{}-{}", header.interpreter.user_code, header.period.key()),
        bank_name: header.bank_name,
        interpreter: header.interpreter,
        period: header.period,
        currency: header.currency,
        lines,
        totals,
        awaiting,
    })
}

/// Computes each item and keeps the billed ones as lines and the recorded-but-unvalidated
/// ones apart, both in appointment order.
fn sort_out<'a>(
    items: impl Iterator<Item = &'a BillableItem>,
    rules: &Rules<'_>,
) -> Result<(Vec<Line>, Vec<Awaiting>), BillingError> {
    let mut lines = Vec::new();
    let mut awaiting = Vec::new();
    for item in items {
        let breakdown = compute(&item.service(), &item.financial(), rules).map_err(|source| BillingError::Money {
            request: item.number.clone(),
            source,
        })?;
        match coverage(item.status, &breakdown) {
            Coverage::Billed => lines.push(line(item, breakdown)),
            Coverage::AwaitingValidation => awaiting.push(Awaiting {
                request_id: item.request_id,
                number: item.number.clone(),
                date: item.date,
                start_time: item.start_time,
                establishment_code: item.establishment.code.clone(),
                cost_centre: item.cost_centre.clone(),
                interpreter_name: item.interpreter.as_ref().map(|i| i.name.clone()),
                contested: item.contested,
            }),
            Coverage::NotCovered => {}
        }
    }
    lines.sort_by(|a, b| (a.date, a.start_time, &a.number).cmp(&(b.date, b.start_time, &b.number)));
    awaiting.sort_by(|a, b| (a.date, a.start_time, &a.number).cmp(&(b.date, b.start_time, &b.number)));
    Ok((lines, awaiting))
}

fn line(item: &BillableItem, breakdown: Breakdown) -> Line {
    Line {
        request_id: item.request_id,
        number: item.number.clone(),
        date: item.date,
        start_time: item.start_time,
        request_type: item.request_type,
        source_language: item.source_language.clone(),
        target_language: item.target_language.clone(),
        establishment_code: item.establishment.code.clone(),
        cost_centre: item.cost_centre.clone(),
        billing_code: item.billing_code.clone(),
        interpreter_name: item.interpreter.as_ref().map(|i| i.name.clone()),
        interpreter_code: item.interpreter.as_ref().map(|i| i.user_code.clone()),
        breakdown,
    }
}

fn totals(lines: &[Line]) -> Result<Totals, BillingError> {
    Totals::of(lines.iter().map(|l| &l.breakdown)).map_err(BillingError::Totals)
}
