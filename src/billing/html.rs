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
    title: &'a str,
    number: &'a str,
    facts: Vec<(String, String)>,
    columns: Vec<Column>,
    /// How many columns come before the amounts: the subtotal label spans them.
    lead: usize,
    groups: Vec<Group>,
    empty: &'a str,
    totals_heading: &'a str,
    totals: Vec<(String, String)>,
    total_label: &'a str,
    total: String,
    awaiting_heading: &'a str,
    awaiting_note: &'a str,
    awaiting_columns: Vec<String>,
    awaiting: Vec<Vec<Cell>>,
    footer: &'a str,
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
    fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Lead::Number => ("N° de demande", "Request number"),
            Lead::Establishment => ("Établissement", "Establishment"),
            Lead::Service => ("Service", "Service"),
            Lead::Interpreter => ("Interprète", "Interpreter"),
            Lead::BillingCode => ("Code de facturation", "Billing code"),
            Lead::Outcome => ("Résultat", "Outcome"),
        };
        locale.pick(fr, en)
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

fn taxes_label(locale: Locale) -> &'static str {
    locale.pick("Taxes", "Taxes")
}

/// The headers of a line table: the leading columns, each money line, taxes added, total.
fn columns(lead: &[Lead], locale: Locale) -> Vec<Column> {
    let text = lead.iter().map(|l| Column {
        label: l.label(locale).to_string(),
        numeric: false,
    });
    let money = LineKind::ALL
        .iter()
        .map(|k| k.label(locale))
        .chain([taxes_label(locale), locale.pick("Total", "Total")])
        .map(|label| Column {
            label: label.to_string(),
            numeric: true,
        });
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
        cells.push(self.cell(taxes_label(self.locale), added));
        cells.push(self.cell(self.locale.pick("Total", "Total"), b.total().value()));
        cells
    }

    /// The same amounts summed over some lines.
    fn totals_cells(&self, totals: &Totals) -> Vec<Cell> {
        let added: Decimal = Tax::ALL.iter().map(|t| totals.tax_added(*t).value()).sum();
        let mut cells: Vec<Cell> = totals
            .lines()
            .map(|(kind, amount)| self.cell(kind.label(self.locale), amount.value()))
            .collect();
        cells.push(self.cell(taxes_label(self.locale), added));
        cells.push(self.cell(self.locale.pick("Total", "Total"), totals.total().value()));
        cells
    }

    /// The totals section: each money line, subtotal, each tax; the total comes apart.
    fn summary(&self, totals: &Totals) -> Vec<(String, String)> {
        let locale = self.locale;
        let mut rows: Vec<(String, String)> = totals
            .lines()
            .map(|(kind, amount)| (kind.label(locale).to_string(), self.amount(amount)))
            .collect();
        rows.push((
            locale.pick("Sous-total", "Subtotal").to_string(),
            self.amount(totals.subtotal()),
        ));
        for tax in Tax::ALL {
            rows.push((tax.label(locale).to_string(), self.amount(totals.tax_added(tax))));
        }
        for tax in Tax::ALL {
            let included = totals.tax_included(tax);
            if !included.is_zero() {
                let label = match locale {
                    Locale::Fr => format!("dont {} incluse", tax.label(locale)),
                    Locale::En => format!("of which {} included", tax.label(locale)),
                };
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
    let name = locale.pick("Centre de coûts", "Cost centre");
    match cost_centre {
        Some(c) if c.description.is_empty() => format!("{name} {}", c.code),
        Some(c) => format!("{name} {} — {}", c.code, c.description),
        None => locale.pick("Sans centre de coûts", "No cost centre").to_string(),
    }
}

fn registration_label(registration: TaxRegistration, locale: Locale) -> &'static str {
    match registration {
        TaxRegistration::NotRegistered => locale.pick("Non inscrit aux taxes", "Not registered for sales taxes"),
        TaxRegistration::Added => locale.pick("Inscrit, taxes en sus", "Registered, taxes added"),
        TaxRegistration::Inclusive => locale.pick("Inscrit, taxes incluses", "Registered, taxes included"),
    }
}

/// The awaiting table: number, date, where (cost centre or establishment), who, state.
fn awaiting_rows(awaiting: &[Awaiting], invoice: bool, locale: Locale) -> (Vec<String>, Vec<Vec<Cell>>) {
    let number = locale.pick("N° de demande", "Request number");
    let date = locale.pick("Date", "Date");
    let place = if invoice {
        locale.pick("Centre de coûts", "Cost centre")
    } else {
        locale.pick("Établissement", "Establishment")
    };
    let who = locale.pick("Interprète", "Interpreter");
    let state = locale.pick("État", "State");
    let mut columns = vec![number, date, place];
    if invoice {
        columns.push(who);
    }
    columns.push(state);
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
                text(number, a.number.clone()),
                text(date, format!("{} {}", a.date, a.start_time.format("%H:%M"))),
                text(
                    place,
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
                    who,
                    a.interpreter_name.clone().unwrap_or_else(|| DASH.to_string()),
                ));
            }
            row.push(text(state, a.state(locale).to_string()));
            row
        })
        .collect();
    (columns.into_iter().map(String::from).collect(), rows)
}

/// "Devise : CAD ($)": the tables' figures carry no symbol.
fn currency_fact(currency: Currency, locale: Locale) -> (String, String) {
    (
        locale.pick("Devise", "Currency").to_string(),
        format!("{} ({})", currency.code(), currency.symbol()),
    )
}

fn footer(locale: Locale) -> &'static str {
    locale.pick(
        "Ce document ne contient aucun renseignement sur les usagers : ni nom, ni coordonnées, ni détail de santé.",
        "This document holds no information about patients: no name, no contact details, no health details.",
    )
}

fn awaiting_heading(locale: Locale) -> &'static str {
    locale.pick("En attente de validation", "Awaiting validation")
}

/// The invoice as a printable page in `locale`.
pub fn invoice_html(invoice: &Invoice, locale: Locale) -> Result<Vec<u8>, BillingError> {
    let money = Money {
        currency: invoice.currency,
        locale,
    };
    let subtotal_label = locale.pick("Sous-total", "Subtotal");
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
                g.cost_centre.as_ref().map_or_else(
                    || locale.pick("sans centre de coûts", "no cost centre").to_string(),
                    |c| c.code.clone()
                )
            ),
            subtotal: money.totals_cells(&g.totals),
        })
        .collect();
    let establishment = &invoice.establishment;
    let facts = vec![
        (
            locale.pick("Établissement", "Establishment").to_string(),
            format!("{} ({})", establishment.name, establishment.code),
        ),
        (
            locale.pick("Période", "Period").to_string(),
            invoice.period.label(locale),
        ),
        (
            locale.pick("Facture n°", "Invoice number").to_string(),
            invoice.number.clone(),
        ),
        (
            locale.pick("Demandes facturées", "Requests invoiced").to_string(),
            invoice.totals.count().to_string(),
        ),
        (
            locale
                .pick("En attente de validation", "Awaiting validation")
                .to_string(),
            invoice.awaiting.len().to_string(),
        ),
        currency_fact(invoice.currency, locale),
    ];
    let (awaiting_columns, awaiting) = awaiting_rows(&invoice.awaiting, true, locale);
    let page = DocumentHtml {
        lang: locale.as_str(),
        bank: &invoice.bank_name,
        title: locale.pick("Facture", "Invoice"),
        number: &invoice.number,
        facts,
        columns: columns(&INVOICE_LEAD, locale),
        lead: INVOICE_LEAD.len(),
        groups,
        empty: locale.pick(
            "Aucune demande à facturer pour cette période.",
            "No request to invoice for this period.",
        ),
        totals_heading: locale.pick("Totaux de la facture", "Invoice totals"),
        totals: money.summary(&invoice.totals),
        total_label: locale.pick("Total à payer", "Total due"),
        total: money.amount(invoice.totals.total()),
        awaiting_heading: awaiting_heading(locale),
        awaiting_note: locale.pick(
            "Réalisations enregistrées mais pas encore validées : elles seront facturées une fois validées.",
            "Service records not validated yet: they will be invoiced once validated.",
        ),
        awaiting_columns,
        awaiting,
        footer: footer(locale),
    };
    Ok(page.render()?.into_bytes())
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
    let interpreter = &statement.interpreter;
    let financial = &interpreter.financial;
    let mut facts = vec![(
        locale.pick("Interprète", "Interpreter").to_string(),
        interpreter.name.clone(),
    )];
    if let Some(legal) = &financial.legal_name {
        facts.push((locale.pick("Nom complet", "Legal name").to_string(), legal.clone()));
    }
    facts.push((
        locale.pick("Code d'utilisateur", "User code").to_string(),
        interpreter.user_code.to_string(),
    ));
    facts.push((
        locale.pick("Numéro de fournisseur", "Supplier number").to_string(),
        financial.supplier_number.clone().unwrap_or_else(|| DASH.to_string()),
    ));
    facts.push((
        locale.pick("Taxes", "Sales taxes").to_string(),
        registration_label(financial.tax_registration, locale).to_string(),
    ));
    for (tax, number) in [(Tax::Gst, &financial.gst), (Tax::Qst, &financial.qst)] {
        if let Some(number) = number {
            let label = match locale {
                Locale::Fr => format!("N° de {}", tax.label(locale)),
                Locale::En => format!("{} number", tax.label(locale)),
            };
            facts.push((label, number.number.clone()));
        }
    }
    facts.push((
        locale.pick("Période", "Period").to_string(),
        statement.period.label(locale),
    ));
    facts.push((
        locale.pick("Relevé n°", "Statement number").to_string(),
        statement.number.clone(),
    ));
    facts.push((
        locale.pick("Demandes rémunérées", "Requests paid").to_string(),
        statement.totals.count().to_string(),
    ));
    facts.push((
        locale
            .pick("En attente de validation", "Awaiting validation")
            .to_string(),
        statement.awaiting.len().to_string(),
    ));
    facts.push(currency_fact(statement.currency, locale));
    let (awaiting_columns, awaiting) = awaiting_rows(&statement.awaiting, false, locale);
    let page = DocumentHtml {
        lang: locale.as_str(),
        bank: &statement.bank_name,
        title: locale.pick("Relevé de rémunération", "Pay statement"),
        number: &statement.number,
        facts,
        columns: columns(&STATEMENT_LEAD, locale),
        lead: STATEMENT_LEAD.len(),
        groups,
        empty: locale.pick(
            "Aucune demande à rémunérer pour cette période.",
            "No request to pay for this period.",
        ),
        totals_heading: locale.pick("Totaux du relevé", "Statement totals"),
        totals: money.summary(&statement.totals),
        total_label: locale.pick("Total à verser", "Total payable"),
        total: money.amount(statement.totals.total()),
        awaiting_heading: awaiting_heading(locale),
        awaiting_note: locale.pick(
            "Réalisations enregistrées mais pas encore validées : elles seront rémunérées une fois validées.",
            "Service records not validated yet: they will be paid once validated.",
        ),
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
