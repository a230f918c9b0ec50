//! A document as a printable page (`templates/billing/document.html`): one table of lines
//! per cost centre, the totals, and the requests awaiting validation. No script; on a
//! narrow screen each line becomes a card; printed, A4 landscape with repeated headers.
//! Everything is escaped by askama.

use super::BillingError;
use super::document::{Awaiting, Invoice, Line, PayStatement};
use crate::domain::billing::item::CodeRef;
use crate::domain::interpreter::TaxRegistration;
use crate::domain::locale::Locale;
use crate::domain::money::{Amount, Currency, LineKind, Tax, Totals, format_amount};
use askama::Template;
use rust_decimal::Decimal;

/// A column header.
#[derive(Debug, Clone)]
struct Column {
    label: String,
    numeric: bool,
}

/// A table cell; `label` repeats the header for the narrow-screen layout, `detail` is a
/// second, smaller line.
#[derive(Debug, Clone)]
struct Cell {
    label: String,
    value: String,
    detail: String,
    numeric: bool,
}

/// The lines of one cost centre (or all of a statement's), and their subtotal.
#[derive(Debug, Clone)]
struct Group {
    heading: String,
    rows: Vec<Vec<Cell>>,
    /// Empty: no subtotal row.
    subtotal_label: String,
    subtotal: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "billing/document.html")]
struct DocumentHtml<'a> {
    lang: &'a str,
    bank: &'a str,
    title: String,
    number: &'a str,
    facts: Vec<(String, String)>,
    columns: Vec<Column>,
    /// How many columns come before the amounts: the subtotal label spans them.
    lead: usize,
    groups: Vec<Group>,
    empty: String,
    totals_heading: String,
    totals: Vec<(String, String)>,
    total_label: String,
    total: String,
    awaiting_heading: String,
    awaiting_note: String,
    awaiting_columns: Vec<String>,
    awaiting: Vec<Vec<Cell>>,
    footer: String,
}

/// The information a line's leading columns show, each with a detail line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// The number, and the date and time.
    Number,
    Establishment,
    /// The type, and the languages.
    Service,
    /// The name, and the user code.
    Interpreter,
    BillingCode,
    /// The outcome, and the rate class and billable time.
    Outcome,
}

impl Lead {
    fn label(self, locale: Locale) -> String {
        locale.text(match self {
            Lead::Number => "billing-request-number",
            Lead::Establishment => "billing-establishment",
            Lead::Service => "billing-service",
            Lead::Interpreter => "billing-interpreter",
            Lead::BillingCode => "billing-billing-code",
            Lead::Outcome => "billing-outcome",
        })
    }

    fn cell(self, line: &Line, locale: Locale) -> Cell {
        let b = &line.breakdown;
        let (value, detail) = match self {
            Lead::Number => (
                line.number.clone(),
                format!("{} {}", line.date, line.start_time.format("%H:%M")),
            ),
            Lead::Establishment => (line.establishment_code.clone(), String::new()),
            Lead::Service => (
                line.request_type.label(locale).to_string(),
                format!(
                    "{} → {}",
                    line.source_language.name(locale),
                    line.target_language.name(locale)
                ),
            ),
            Lead::Interpreter => (
                line.interpreter_name.clone().unwrap_or_else(|| DASH.to_string()),
                line.interpreter_code
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            Lead::BillingCode => (
                line.billing_code
                    .as_ref()
                    .map_or_else(|| DASH.to_string(), |c| c.code.clone()),
                String::new(),
            ),
            Lead::Outcome => (
                b.outcome().label(locale).to_string(),
                format!("{} · {}", b.rate_class().label(locale), duration(b.billable_minutes())),
            ),
        };
        Cell {
            label: self.label(locale).to_string(),
            value,
            detail,
            numeric: false,
        }
    }
}

const DASH: &str = "—";

const INVOICE_LEAD: [Lead; 5] = [
    Lead::Number,
    Lead::Service,
    Lead::Interpreter,
    Lead::BillingCode,
    Lead::Outcome,
];

const STATEMENT_LEAD: [Lead; 4] = [Lead::Number, Lead::Establishment, Lead::Service, Lead::Outcome];

/// "2 h", "1 h 15": billable time as people read it, never broken across lines.
fn duration(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h}\u{a0}h"),
        (h, m) => format!("{h}\u{a0}h\u{a0}{m:02}"),
    }
}

fn taxes_label(locale: Locale) -> String {
    locale.text("billing-taxes")
}

/// The headers of a line table: the leading columns, each money line, taxes added, total.
fn columns(lead: &[Lead], locale: Locale) -> Vec<Column> {
    let text = lead.iter().map(|l| Column {
        label: l.label(locale).to_string(),
        numeric: false,
    });
    let money = LineKind::ALL
        .iter()
        .map(|k| k.label(locale).to_string())
        .chain([taxes_label(locale), locale.text("billing-total")])
        .map(|label| Column { label, numeric: true });
    text.chain(money).collect()
}

struct Money {
    currency: Currency,
    locale: Locale,
}

impl Money {
    /// "82,00 $": in the totals, where an amount stands alone.
    fn amount(&self, amount: Amount) -> String {
        amount.format(self.currency, self.locale)
    }

    /// "82,00": in the tables, whose currency the header states; narrow enough for paper.
    fn figure(&self, value: Decimal) -> String {
        let symbol = self.currency.symbol();
        format_amount(value, self.currency, self.locale)
            .trim_start_matches(symbol)
            .trim_end_matches(symbol)
            .trim_end_matches('\u{a0}')
            .to_string()
    }

    fn cell(&self, label: &str, value: Decimal) -> Cell {
        Cell {
            label: label.to_string(),
            value: self.figure(value),
            detail: String::new(),
            numeric: true,
        }
    }

    /// The amounts of one line: each money line, the taxes added, the total.
    fn line_cells(&self, line: &Line) -> Vec<Cell> {
        let b = &line.breakdown;
        let added: Decimal = b.taxes().iter().filter(|t| !t.included).map(|t| t.amount.value()).sum();
        let mut cells: Vec<Cell> = b
            .lines()
            .map(|(kind, amount)| self.cell(kind.label(self.locale), amount.value()))
            .collect();
        cells.push(self.cell(&taxes_label(self.locale), added));
        cells.push(self.cell(&self.locale.text("billing-total"), b.total().value()));
        cells
    }

    /// The same amounts summed over some lines.
    fn totals_cells(&self, totals: &Totals) -> Vec<Cell> {
        let added: Decimal = Tax::ALL.iter().map(|t| totals.tax_added(*t).value()).sum();
        let mut cells: Vec<Cell> = totals
            .lines()
            .map(|(kind, amount)| self.cell(kind.label(self.locale), amount.value()))
            .collect();
        cells.push(self.cell(&taxes_label(self.locale), added));
        cells.push(self.cell(&self.locale.text("billing-total"), totals.total().value()));
        cells
    }

    /// The totals section: each money line, subtotal, each tax; the total comes apart.
    fn summary(&self, totals: &Totals) -> Vec<(String, String)> {
        let locale = self.locale;
        let mut rows: Vec<(String, String)> = totals
            .lines()
            .map(|(kind, amount)| (kind.label(locale).to_string(), self.amount(amount)))
            .collect();
        rows.push((locale.text("billing-subtotal"), self.amount(totals.subtotal())));
        for tax in Tax::ALL {
            rows.push((tax.label(locale).to_string(), self.amount(totals.tax_added(tax))));
        }
        for tax in Tax::ALL {
            let included = totals.tax_included(tax);
            if !included.is_zero() {
                let label = locale.text_with("billing-tax-included", &[("tax", tax.label(locale))]);
                rows.push((label, self.amount(included)));
            }
        }
        rows
    }
}

fn lead_cells(lead: &[Lead], line: &Line, locale: Locale) -> Vec<Cell> {
    lead.iter().map(|l| l.cell(line, locale)).collect()
}

/// "7301110 — DA services multidisciplinaires", or "Sans centre de coûts".
fn cost_centre_heading(cost_centre: Option<&CodeRef>, locale: Locale) -> String {
    let name = locale.text("billing-cost-centre");
    match cost_centre {
        Some(c) if c.description.is_empty() => format!("{name} {}", c.code),
        Some(c) => format!("{name} {} — {}", c.code, c.description),
        None => locale.text("billing-no-cost-centre"),
    }
}

fn registration_label(registration: TaxRegistration, locale: Locale) -> String {
    match registration {
        TaxRegistration::NotRegistered => locale.text("billing-not-registered"),
        TaxRegistration::Added => locale.text("billing-registered-added"),
        TaxRegistration::Inclusive => locale.text("billing-registered-inclusive"),
    }
}

/// The awaiting table: number, date, where (cost centre or establishment), who, state.
fn awaiting_rows(awaiting: &[Awaiting], invoice: bool, locale: Locale) -> (Vec<String>, Vec<Vec<Cell>>) {
    let number = locale.text("billing-request-number");
    let date = locale.text("billing-date");
    let place = if invoice {
        locale.text("billing-cost-centre")
    } else {
        locale.text("billing-establishment")
    };
    let who = locale.text("billing-interpreter");
    let state = locale.text("billing-state");
    let mut columns = vec![number.clone(), date.clone(), place.clone()];
    if invoice {
        columns.push(who.clone());
    }
    columns.push(state.clone());
    let text = |label: &str, value: String| Cell {
        label: label.to_string(),
        value,
        detail: String::new(),
        numeric: false,
    };
    let rows = awaiting
        .iter()
        .map(|a| {
            let mut row = vec![
                text(&number, a.number.clone()),
                text(&date, format!("{} {}", a.date, a.start_time.format("%H:%M"))),
                text(
                    &place,
                    if invoice {
                        a.cost_centre
                            .as_ref()
                            .map_or_else(|| DASH.to_string(), |c| c.code.clone())
                    } else {
                        a.establishment_code.clone()
                    },
                ),
            ];
            if invoice {
                row.push(text(
                    &who,
                    a.interpreter_name.clone().unwrap_or_else(|| DASH.to_string()),
                ));
            }
            row.push(text(&state, a.state(locale).to_string()));
            row
        })
        .collect();
    (columns, rows)
}

/// "Devise : CAD ($)": the tables' figures carry no symbol.
fn currency_fact(currency: Currency, locale: Locale) -> (String, String) {
    (
        locale.text("billing-currency"),
        format!("{} ({})", currency.code(), currency.symbol()),
    )
}

fn footer(locale: Locale) -> String {
    locale.text("billing-footer")
}

fn awaiting_heading(locale: Locale) -> String {
    locale.text("billing-awaiting")
}

/// The invoice as a printable page in `locale`.
pub fn invoice_html(invoice: &Invoice, locale: Locale) -> Result<Vec<u8>, BillingError> {
    let money = Money {
        currency: invoice.currency,
        locale,
    };
    let subtotal_label = locale.text("billing-subtotal");
    let groups = invoice
        .groups
        .iter()
        .map(|g| Group {
            heading: cost_centre_heading(g.cost_centre.as_ref(), locale),
            rows: g
                .lines
                .iter()
                .map(|l| {
                    let mut cells = lead_cells(&INVOICE_LEAD, l, locale);
                    cells.extend(money.line_cells(l));
                    cells
                })
                .collect(),
            subtotal_label: format!(
                "{subtotal_label} — {}",
                g.cost_centre
                    .as_ref()
                    .map_or_else(|| locale.text("billing-no-cost-centre-short"), |c| c.code.clone())
            ),
            subtotal: money.totals_cells(&g.totals),
        })
        .collect();
    let establishment = &invoice.establishment;
    let facts = vec![
        (
            locale.text("billing-establishment"),
            format!("{} ({})", establishment.name, establishment.code),
        ),
        (locale.text("billing-period"), invoice.period.label(locale)),
        (locale.text("billing-invoice-number"), invoice.number.clone()),
        (
            locale.text("billing-invoice-requests"),
            invoice.totals.count().to_string(),
        ),
        (locale.text("billing-awaiting"), invoice.awaiting.len().to_string()),
        currency_fact(invoice.currency, locale),
    ];
    let (awaiting_columns, awaiting) = awaiting_rows(&invoice.awaiting, true, locale);
    let page = DocumentHtml {
        lang: locale.as_str(),
        bank: &invoice.bank_name,
        title: locale.text("billing-invoice"),
        number: &invoice.number,
        facts,
        columns: columns(&INVOICE_LEAD, locale),
        lead: INVOICE_LEAD.len(),
        groups,
        empty: locale.text("billing-invoice-empty"),
        totals_heading: locale.text("billing-invoice-totals"),
        totals: money.summary(&invoice.totals),
        total_label: locale.text("billing-invoice-total"),
        total: money.amount(invoice.totals.total()),
        awaiting_heading: awaiting_heading(locale),
        awaiting_note: locale.text("billing-invoice-awaiting-note"),
        awaiting_columns,
        awaiting,
        footer: footer(locale),
    };
    Ok(page.render()?.into_bytes())
}

/// Who the statement pays (name, codes, tax registration and numbers), then the period,
/// the number, the counts and the currency.
fn statement_facts(statement: &PayStatement, locale: Locale) -> Vec<(String, String)> {
    let interpreter = &statement.interpreter;
    let financial = &interpreter.financial;
    let mut facts = vec![(locale.text("billing-interpreter"), interpreter.name.clone())];
    if let Some(legal) = &financial.legal_name {
        facts.push((locale.text("billing-legal-name"), legal.clone()));
    }
    facts.push((locale.text("billing-user-code"), interpreter.user_code.to_string()));
    facts.push((
        locale.text("billing-supplier-number"),
        financial.supplier_number.clone().unwrap_or_else(|| DASH.to_string()),
    ));
    facts.push((
        locale.text("billing-sales-taxes"),
        registration_label(financial.tax_registration, locale).to_string(),
    ));
    for (tax, number) in [(Tax::Gst, &financial.gst), (Tax::Qst, &financial.qst)] {
        if let Some(number) = number {
            let label = locale.text_with("billing-tax-number", &[("tax", tax.label(locale))]);
            facts.push((label, number.number.clone()));
        }
    }
    facts.push((locale.text("billing-period"), statement.period.label(locale)));
    facts.push((locale.text("billing-statement-number"), statement.number.clone()));
    facts.push((
        locale.text("billing-statement-requests"),
        statement.totals.count().to_string(),
    ));
    facts.push((locale.text("billing-awaiting"), statement.awaiting.len().to_string()));
    facts.push(currency_fact(statement.currency, locale));
    facts
}

/// The pay statement as a printable page in `locale`.
pub fn pay_statement_html(statement: &PayStatement, locale: Locale) -> Result<Vec<u8>, BillingError> {
    let money = Money {
        currency: statement.currency,
        locale,
    };
    let rows: Vec<Vec<Cell>> = statement
        .lines
        .iter()
        .map(|l| {
            let mut cells = lead_cells(&STATEMENT_LEAD, l, locale);
            cells.extend(money.line_cells(l));
            cells
        })
        .collect();
    let groups = if rows.is_empty() {
        Vec::new()
    } else {
        vec![Group {
            heading: String::new(),
            rows,
            subtotal_label: String::new(),
            subtotal: Vec::new(),
        }]
    };
    let facts = statement_facts(statement, locale);
    let (awaiting_columns, awaiting) = awaiting_rows(&statement.awaiting, false, locale);
    let page = DocumentHtml {
        lang: locale.as_str(),
        bank: &statement.bank_name,
        title: locale.text("billing-statement"),
        number: &statement.number,
        facts,
        columns: columns(&STATEMENT_LEAD, locale),
        lead: STATEMENT_LEAD.len(),
        groups,
        empty: locale.text("billing-statement-empty"),
        totals_heading: locale.text("billing-statement-totals"),
        totals: money.summary(&statement.totals),
        total_label: locale.text("billing-statement-total"),
        total: money.amount(statement.totals.total()),
        awaiting_heading: awaiting_heading(locale),
        awaiting_note: locale.text("billing-statement-awaiting-note"),
        awaiting_columns,
        awaiting,
        footer: footer(locale),
    };
    Ok(page.render()?.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billable_time_reads_in_hours_and_minutes() {
        assert_eq!(duration(0), "0\u{a0}h");
        assert_eq!(duration(60), "1\u{a0}h");
        assert_eq!(duration(75), "1\u{a0}h\u{a0}15");
        assert_eq!(duration(125), "2\u{a0}h\u{a0}05");
    }
}
