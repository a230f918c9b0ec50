//! A document as CSV: one row per request, one subtotal row per cost centre (invoices),
//! one total row, then the requests awaiting validation. The first column says which.
//!
//! A CSV file for the document's language as [`crate::domain::spreadsheet`] writes it, so that
//! Excel opens it by double-click: UTF-8 with a byte-order mark, `;` between fields and decimal
//! commas in French (`82,00`), `,` and decimal points in English (`82.00`). Amounts are numbers,
//! without symbol (the `Devise` column names the currency); dates are `YYYY-MM-DD`, times
//! `HH:MM`. Text a spreadsheet could take for a formula (`=`, `+`, `-`, `@`, tab, carriage
//! return first) gets a leading `'`; amounts are never text, so never guarded.

use super::BillingError;
use super::document::{Awaiting, Invoice, Line, PayStatement};
use crate::domain::billing::item::CodeRef;
use crate::domain::locale::Locale;
use crate::domain::money::{Amount, Currency, LineKind, Tax, Totals};
use crate::domain::spreadsheet::{CsvFile, Value};

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
    /// The value of `col` on this row: text, or a number or date the spreadsheet reads as one.
    fn cell(&self, col: Col, ctx: &Context<'_>) -> Value {
        let locale = ctx.locale;
        let amount = |amount: Amount| Value::Decimal(amount.value());
        let text = |s: Option<&str>| s.map_or(Value::Empty, Value::from);
        let totals = match self {
            Row::Subtotal(_, t) | Row::Total(t) => Some(*t),
            _ => None,
        };
        let total = |f: &dyn Fn(&Totals) -> Amount| totals.map_or(Value::Empty, |t| amount(f(t)));
        match (col, self) {
            (Col::Row, Row::Line(_)) => locale.pick("demande", "request").into(),
            (Col::Row, Row::Subtotal(..)) => locale.pick("sous-total", "subtotal").into(),
            (Col::Row, Row::Total(_)) => "total".into(),
            (Col::Row, Row::Awaiting(_)) => locale.pick("en attente de validation", "awaiting validation").into(),
            (Col::Document, _) => ctx.document.into(),
            (Col::Currency, _) => ctx.currency.code().into(),
            (Col::Interpreter, Row::Line(l)) => text(l.interpreter_name.as_deref()),
            (Col::Interpreter, Row::Awaiting(a)) => text(a.interpreter_name.as_deref()),
            (Col::UserCode, Row::Line(l)) => text(l.interpreter_code.as_ref().map(|c| c.as_str())),
            (Col::Interpreter, _) => text(ctx.interpreter.map(|i| i.0)),
            (Col::UserCode, _) => text(ctx.interpreter.map(|i| i.1)),
            (Col::SupplierNumber, _) => text(ctx.interpreter.map(|i| i.2)),
            (Col::Establishment, Row::Line(l)) => l.establishment_code.as_str().into(),
            (Col::Establishment, Row::Awaiting(a)) => a.establishment_code.as_str().into(),
            (Col::Establishment, _) => ctx.establishment.into(),
            (Col::CostCentre, Row::Line(l)) => code(l.cost_centre.as_ref()),
            (Col::CostCentre, Row::Awaiting(a)) => code(a.cost_centre.as_ref()),
            (Col::CostCentre, Row::Subtotal(cc, _)) => code(*cc),
            (Col::CostCentreDescription, Row::Line(l)) => description(l.cost_centre.as_ref()),
            (Col::CostCentreDescription, Row::Awaiting(a)) => description(a.cost_centre.as_ref()),
            (Col::CostCentreDescription, Row::Subtotal(cc, _)) => description(*cc),
            (Col::BillingCode, Row::Line(l)) => code(l.billing_code.as_ref()),
            (Col::Number, Row::Line(l)) => l.number.as_str().into(),
            (Col::Number, Row::Awaiting(a)) => a.number.as_str().into(),
            (Col::Date, Row::Line(l)) => Value::Date(l.date),
            (Col::Date, Row::Awaiting(a)) => Value::Date(a.date),
            (Col::Time, Row::Line(l)) => Value::Time(l.start_time),
            (Col::Time, Row::Awaiting(a)) => Value::Time(a.start_time),
            (Col::Type, Row::Line(l)) => l.request_type.label(locale).into(),
            (Col::Source, Row::Line(l)) => l.source_language.name(locale).into_owned().into(),
            (Col::Target, Row::Line(l)) => l.target_language.name(locale).into_owned().into(),
            (Col::Outcome, Row::Line(l)) => l.breakdown.outcome().label(locale).into(),
            (Col::Outcome, Row::Awaiting(a)) => a.state(locale).into(),
            (Col::Rate, Row::Line(l)) => l.breakdown.rate_class().label(locale).into(),
            (Col::Minutes, Row::Line(l)) => Value::Integer(l.breakdown.billable_minutes().into()),
            (Col::Money(kind), Row::Line(l)) => amount(l.breakdown.line(kind)),
            (Col::Subtotal, Row::Line(l)) => amount(l.breakdown.subtotal()),
            (Col::Added(tax), Row::Line(l)) => amount(tax_of(l, tax, false)),
            (Col::Included(tax), Row::Line(l)) => amount(tax_of(l, tax, true)),
            (Col::Total, Row::Line(l)) => amount(l.breakdown.total()),
            (Col::Money(kind), _) => total(&|t| t.line(kind)),
            (Col::Subtotal, _) => total(&|t| t.subtotal()),
            (Col::Added(tax), _) => total(&|t| t.tax_added(tax)),
            (Col::Included(tax), _) => total(&|t| t.tax_included(tax)),
            (Col::Total, _) => total(&|t| t.total()),
            _ => Value::Empty,
        }
    }
}

fn code(c: Option<&CodeRef>) -> Value {
    c.map_or(Value::Empty, |c| c.code.as_str().into())
}

fn description(c: Option<&CodeRef>) -> Value {
    c.map_or(Value::Empty, |c| c.description.as_str().into())
}

/// The amount of `tax` on a line, added or included.
fn tax_of(line: &Line, tax: Tax, included: bool) -> Amount {
    line.breakdown
        .taxes()
        .iter()
        .find(|t| t.tax == tax && t.included == included)
        .map(|t| t.amount)
        .unwrap_or_default()
}

fn write(cols: &[Col], rows: &[Row<'_>], ctx: &Context<'_>, invoice: bool) -> Result<Vec<u8>, BillingError> {
    let mut file = CsvFile::new(ctx.locale);
    file.row(cols.iter().map(|c| c.label(ctx.locale, invoice)))?;
    for row in rows {
        file.row(cols.iter().map(|c| row.cell(*c, ctx)))?;
    }
    Ok(file.finish()?)
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
    use crate::domain::billing::item::{EstablishmentRef, InterpreterRef};
    use crate::domain::billing::period::Period;
    use crate::domain::ids::{EstablishmentId, PersonId, RequestId};
    use crate::domain::person::UserCode;
    use crate::domain::spreadsheet::{UTF8_BOM, delimiter};
    use chrono::{NaiveDate, NaiveTime};

    fn march() -> Period {
        Period::new(
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        )
        .unwrap()
    }

    /// A request awaiting validation whose cost centre holds a `;` and whose interpreter's
    /// name could pass for a formula.
    fn awaiting() -> Awaiting {
        Awaiting {
            request_id: RequestId(1),
            number: "HC-26061001".into(),
            date: NaiveDate::from_ymd_opt(2026, 3, 11).unwrap(),
            start_time: NaiveTime::from_hms_opt(9, 5, 0).unwrap(),
            establishment_code: "CCSMTL".into(),
            cost_centre: Some(CodeRef {
                code: "7301110".into(),
                description: "Pédiatrie; volet B".into(),
            }),
            interpreter_name: Some("=Lucía".into()),
            contested: false,
        }
    }

    fn invoice() -> Invoice {
        Invoice {
            number: "F-CCSMTL-202603".into(),
            bank_name: "Banque".into(),
            establishment: EstablishmentRef {
                id: EstablishmentId(1),
                code: "CCSMTL".into(),
                name: "CIUSSS du Centre-Sud".into(),
            },
            period: march(),
            currency: Currency::Cad,
            groups: Vec::new(),
            totals: Totals::new(),
            awaiting: vec![awaiting()],
        }
    }

    fn statement() -> PayStatement {
        PayStatement {
            number: "R-UBILR0002-202603".into(),
            bank_name: "Banque".into(),
            interpreter: InterpreterRef {
                id: PersonId(2),
                user_code: UserCode::parse("UBILR0002").unwrap(),
                name: "Lucía Ramírez".into(),
                financial: Default::default(),
            },
            period: march(),
            currency: Currency::Cad,
            lines: Vec::new(),
            totals: Totals::new(),
            awaiting: vec![awaiting()],
        }
    }

    fn read_back(bytes: &[u8], locale: Locale) -> Vec<Vec<String>> {
        let body = bytes.strip_prefix(UTF8_BOM).expect("starts with the byte-order mark");
        csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter(locale))
            .from_reader(body)
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn french_documents_open_in_french_excel() {
        for bytes in [
            invoice_csv(&invoice(), Locale::Fr).unwrap(),
            pay_statement_csv(&statement(), Locale::Fr).unwrap(),
        ] {
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte-order mark first");
            let text = std::str::from_utf8(&bytes[3..]).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert!(lines[0].starts_with("Ligne;"), "{}", lines[0]);
            assert!(lines[1].starts_with("total;"), "{}", lines[1]);
            assert!(lines[1].ends_with(";0,00;0,00;0,00;0,00;0,00;CAD"), "{}", lines[1]);
            assert!(lines[2].contains(";'=Lucía;"), "formula guard: {}", lines[2]);
        }
        let text = String::from_utf8(invoice_csv(&invoice(), Locale::Fr).unwrap()).unwrap();
        assert!(
            text.contains(";7301110;\"Pédiatrie; volet B\";;HC-26061001;2026-03-11;09:05;"),
            "the value holding `;` is quoted: {text}"
        );
    }

    #[test]
    fn english_documents_open_in_english_excel() {
        let bytes = invoice_csv(&invoice(), Locale::En).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("Row,Invoice,Establishment,"), "{}", lines[0]);
        assert!(lines[1].ends_with(",0.00,0.00,0.00,0.00,0.00,CAD"), "{}", lines[1]);
        assert!(
            lines[2].contains(",Pédiatrie; volet B,"),
            "`;` is plain text between commas: {}",
            lines[2]
        );
    }

    #[test]
    fn documents_read_back_with_their_separator() {
        for locale in Locale::ALL {
            let cols = invoice_cols();
            let rows = read_back(&invoice_csv(&invoice(), locale).unwrap(), locale);
            assert_eq!(rows.len(), 3, "{locale}: header, total, awaiting");
            let labels: Vec<String> = cols.iter().map(|c| c.label(locale, true)).collect();
            assert_eq!(rows[0], labels);
            let cell = |row: usize, col: Col| rows[row][cols.iter().position(|c| *c == col).unwrap()].as_str();
            assert_eq!(cell(2, Col::CostCentreDescription), "Pédiatrie; volet B");
            assert_eq!(cell(2, Col::Date), "2026-03-11");
            assert_eq!(cell(2, Col::Time), "09:05");
            assert_eq!(cell(2, Col::Interpreter), "'=Lucía");
            assert_eq!(cell(2, Col::Total), "", "no amount while it awaits validation");
            assert_eq!(cell(1, Col::Total), locale.pick("0,00", "0.00"));
            assert_eq!(cell(1, Col::Currency), "CAD");
        }
    }

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
