//! A document as CSV: one row per request, one subtotal row per cost centre (invoices),
//! one total row, then the requests awaiting validation. The first column says which.
//!
//! UTF-8, comma-separated, one header line in the reader's language. Amounts are plain
//! decimals with a dot (`82.00`), whatever the language, so a spreadsheet reads them as
//! numbers; dates are ISO 8601. Text a spreadsheet could take for a formula (`=`, `+`,
//! `-`, `@`, tab, carriage return first) gets a leading `'`.

use super::BillingError;
use super::document::{Awaiting, Invoice, Line, PayStatement};
use super::item::CodeRef;
use crate::domain::locale::Locale;
use crate::domain::money::{Currency, LineKind, Tax, Totals};
use crate::reports::export::guard_formula;

/// A column of a billing CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Row,
    Document,
    Interpreter,
    UserCode,
    SupplierNumber,
    Establishment,
    CostCentre,
    CostCentreDescription,
    BillingCode,
    Number,
    Date,
    Time,
    Type,
    Source,
    Target,
    Outcome,
    Rate,
    Minutes,
    Money(LineKind),
    Subtotal,
    Added(Tax),
    Included(Tax),
    Total,
    Currency,
}

impl Col {
    fn label(self, locale: Locale, invoice: bool) -> String {
        let (fr, en) = match self {
            Col::Row => ("Ligne", "Row"),
            Col::Document if invoice => ("Facture", "Invoice"),
            Col::Document => ("Relevé", "Statement"),
            Col::Interpreter => ("Interprète", "Interpreter"),
            Col::UserCode => ("Code d'utilisateur", "User code"),
            Col::SupplierNumber => ("Numéro de fournisseur", "Supplier number"),
            Col::Establishment => ("Établissement", "Establishment"),
            Col::CostCentre => ("Centre de coûts", "Cost centre"),
            Col::CostCentreDescription => ("Description du centre de coûts", "Cost centre description"),
            Col::BillingCode => ("Code de facturation", "Billing code"),
            Col::Number => ("N° de demande", "Request number"),
            Col::Date => ("Date", "Date"),
            Col::Time => ("Heure", "Time"),
            Col::Type => ("Type de demande", "Request type"),
            Col::Source => ("Langue de départ", "Source language"),
            Col::Target => ("Langue d'arrivée", "Target language"),
            Col::Outcome => ("Résultat", "Outcome"),
            Col::Rate => ("Taux", "Rate"),
            Col::Minutes => ("Durée facturable (min)", "Billable time (min)"),
            Col::Money(kind) => return kind.label(locale).to_string(),
            Col::Subtotal => ("Sous-total", "Subtotal"),
            Col::Added(tax) => return tax.label(locale).to_string(),
            Col::Included(tax) => {
                return match locale {
                    Locale::Fr => format!("{} incluse", tax.label(locale)),
                    Locale::En => format!("{} included", tax.label(locale)),
                };
            }
            Col::Total => ("Total", "Total"),
            Col::Currency => ("Devise", "Currency"),
        };
        locale.pick(fr, en).to_string()
    }
}

/// The money columns every document ends with.
fn money_cols() -> impl Iterator<Item = Col> {
    LineKind::ALL
        .into_iter()
        .map(Col::Money)
        .chain([Col::Subtotal])
        .chain(Tax::ALL.into_iter().map(Col::Added))
        .chain(Tax::ALL.into_iter().map(Col::Included))
        .chain([Col::Total, Col::Currency])
}

fn invoice_cols() -> Vec<Col> {
    [
        Col::Row,
        Col::Document,
        Col::Establishment,
        Col::CostCentre,
        Col::CostCentreDescription,
        Col::BillingCode,
        Col::Number,
        Col::Date,
        Col::Time,
        Col::Type,
        Col::Source,
        Col::Target,
        Col::Interpreter,
        Col::UserCode,
        Col::Outcome,
        Col::Rate,
        Col::Minutes,
    ]
    .into_iter()
    .chain(money_cols())
    .collect()
}

fn statement_cols() -> Vec<Col> {
    [
        Col::Row,
        Col::Document,
        Col::Interpreter,
        Col::UserCode,
        Col::SupplierNumber,
        Col::Establishment,
        Col::Number,
        Col::Date,
        Col::Time,
        Col::Type,
        Col::Source,
        Col::Target,
        Col::Outcome,
        Col::Rate,
        Col::Minutes,
    ]
    .into_iter()
    .chain(money_cols())
    .collect()
}

/// What one row of the file is about.
enum Row<'a> {
    Line(&'a Line),
    Subtotal(Option<&'a CodeRef>, &'a Totals),
    Total(&'a Totals),
    Awaiting(&'a Awaiting),
}

/// What every row of one document shares.
struct Context<'a> {
    locale: Locale,
    currency: Currency,
    document: &'a str,
    establishment: &'a str,
    interpreter: Option<(&'a str, &'a str, &'a str)>,
}

impl Row<'_> {
    fn cell(&self, col: Col, ctx: &Context<'_>) -> String {
        let locale = ctx.locale;
        let plain = |amount: crate::domain::money::Amount| amount.to_string();
        let totals = match self {
            Row::Subtotal(_, t) | Row::Total(t) => Some(*t),
            _ => None,
        };
        match (col, self) {
            (Col::Row, Row::Line(_)) => locale.pick("demande", "request").into(),
            (Col::Row, Row::Subtotal(..)) => locale.pick("sous-total", "subtotal").into(),
            (Col::Row, Row::Total(_)) => "total".into(),
            (Col::Row, Row::Awaiting(_)) => locale.pick("en attente de validation", "awaiting validation").into(),
            (Col::Document, _) => ctx.document.into(),
            (Col::Currency, _) => ctx.currency.code().into(),
            (Col::Interpreter, Row::Line(l)) => l.interpreter_name.clone().unwrap_or_default(),
            (Col::Interpreter, Row::Awaiting(a)) => a.interpreter_name.clone().unwrap_or_default(),
            (Col::UserCode, Row::Line(l)) => l.interpreter_code.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            (Col::Interpreter, _) => ctx.interpreter.map(|i| i.0).unwrap_or_default().into(),
            (Col::UserCode, _) => ctx.interpreter.map(|i| i.1).unwrap_or_default().into(),
            (Col::SupplierNumber, _) => ctx.interpreter.map(|i| i.2).unwrap_or_default().into(),
            (Col::Establishment, Row::Line(l)) => l.establishment_code.clone(),
            (Col::Establishment, Row::Awaiting(a)) => a.establishment_code.clone(),
            (Col::Establishment, _) => ctx.establishment.into(),
            (Col::CostCentre, Row::Line(l)) => code(l.cost_centre.as_ref()),
            (Col::CostCentre, Row::Awaiting(a)) => code(a.cost_centre.as_ref()),
            (Col::CostCentre, Row::Subtotal(cc, _)) => code(*cc),
            (Col::CostCentreDescription, Row::Line(l)) => description(l.cost_centre.as_ref()),
            (Col::CostCentreDescription, Row::Awaiting(a)) => description(a.cost_centre.as_ref()),
            (Col::CostCentreDescription, Row::Subtotal(cc, _)) => description(*cc),
            (Col::BillingCode, Row::Line(l)) => code(l.billing_code.as_ref()),
            (Col::Number, Row::Line(l)) => l.number.clone(),
            (Col::Number, Row::Awaiting(a)) => a.number.clone(),
            (Col::Date, Row::Line(l)) => l.date.to_string(),
            (Col::Date, Row::Awaiting(a)) => a.date.to_string(),
            (Col::Time, Row::Line(l)) => l.start_time.format("%H:%M").to_string(),
            (Col::Time, Row::Awaiting(a)) => a.start_time.format("%H:%M").to_string(),
            (Col::Type, Row::Line(l)) => l.request_type.label(locale).into(),
            (Col::Source, Row::Line(l)) => l.source_language.name(locale).into(),
            (Col::Target, Row::Line(l)) => l.target_language.name(locale).into(),
            (Col::Outcome, Row::Line(l)) => l.breakdown.outcome().label(locale).into(),
            (Col::Outcome, Row::Awaiting(a)) => a.state(locale).into(),
            (Col::Rate, Row::Line(l)) => l.breakdown.rate_class().label(locale).into(),
            (Col::Minutes, Row::Line(l)) => l.breakdown.billable_minutes().to_string(),
            (Col::Money(kind), Row::Line(l)) => plain(l.breakdown.line(kind)),
            (Col::Subtotal, Row::Line(l)) => plain(l.breakdown.subtotal()),
            (Col::Added(tax), Row::Line(l)) => plain(tax_of(l, tax, false)),
            (Col::Included(tax), Row::Line(l)) => plain(tax_of(l, tax, true)),
            (Col::Total, Row::Line(l)) => plain(l.breakdown.total()),
            (Col::Money(kind), _) => totals.map(|t| plain(t.line(kind))).unwrap_or_default(),
            (Col::Subtotal, _) => totals.map(|t| plain(t.subtotal())).unwrap_or_default(),
            (Col::Added(tax), _) => totals.map(|t| plain(t.tax_added(tax))).unwrap_or_default(),
            (Col::Included(tax), _) => totals.map(|t| plain(t.tax_included(tax))).unwrap_or_default(),
            (Col::Total, _) => totals.map(|t| plain(t.total())).unwrap_or_default(),
            _ => String::new(),
        }
    }
}

fn code(c: Option<&CodeRef>) -> String {
    c.map(|c| c.code.clone()).unwrap_or_default()
}

fn description(c: Option<&CodeRef>) -> String {
    c.map(|c| c.description.clone()).unwrap_or_default()
}

/// The amount of `tax` on a line, added or included.
fn tax_of(line: &Line, tax: crate::domain::money::Tax, included: bool) -> crate::domain::money::Amount {
    line.breakdown
        .taxes()
        .iter()
        .find(|t| t.tax == tax && t.included == included)
        .map(|t| t.amount)
        .unwrap_or_default()
}

fn write(cols: &[Col], rows: &[Row<'_>], ctx: &Context<'_>, invoice: bool) -> Result<Vec<u8>, BillingError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(cols.iter().map(|c| guard_formula(&c.label(ctx.locale, invoice))))?;
    for row in rows {
        out.write_record(cols.iter().map(|c| guard_formula(&row.cell(*c, ctx))))?;
    }
    out.into_inner()
        .map_err(|e| BillingError::Csv(csv::Error::from(e.into_error())))
}

/// The invoice as CSV, headers in `locale`.
pub fn invoice_csv(invoice: &Invoice, locale: Locale) -> Result<Vec<u8>, BillingError> {
    let mut rows = Vec::new();
    for group in &invoice.groups {
        rows.extend(group.lines.iter().map(Row::Line));
        rows.push(Row::Subtotal(group.cost_centre.as_ref(), &group.totals));
    }
    rows.push(Row::Total(&invoice.totals));
    rows.extend(invoice.awaiting.iter().map(Row::Awaiting));
    let ctx = Context {
        locale,
        currency: invoice.currency,
        document: &invoice.number,
        establishment: &invoice.establishment.code,
        interpreter: None,
    };
    write(&invoice_cols(), &rows, &ctx, true)
}

/// The pay statement as CSV, headers in `locale`.
pub fn pay_statement_csv(statement: &PayStatement, locale: Locale) -> Result<Vec<u8>, BillingError> {
    let mut rows: Vec<Row<'_>> = statement.lines.iter().map(Row::Line).collect();
    rows.push(Row::Total(&statement.totals));
    rows.extend(statement.awaiting.iter().map(Row::Awaiting));
    let interpreter = &statement.interpreter;
    let ctx = Context {
        locale,
        currency: statement.currency,
        document: &statement.number,
        establishment: "",
        interpreter: Some((
            &interpreter.name,
            interpreter.user_code.as_str(),
            interpreter.financial.supplier_number.as_deref().unwrap_or_default(),
        )),
    };
    write(&statement_cols(), &rows, &ctx, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_distinct_header_in_both_languages() {
        for cols in [invoice_cols(), statement_cols()] {
            for locale in Locale::ALL {
                let mut labels: Vec<String> = cols.iter().map(|c| c.label(locale, true)).collect();
                labels.sort();
                let n = labels.len();
                labels.dedup();
                assert_eq!(labels.len(), n, "{locale}: {labels:?}");
            }
        }
    }
}
