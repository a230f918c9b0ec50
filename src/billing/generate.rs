//! Documents from the database to bytes: what `relais invoice` and `relais pay-statement`
//! write, and what a download button will send.

use super::document::{Invoice, InvoiceHeader, PayStatement, StatementHeader, invoice, pay_statement};
use super::{BillingError, Format, Period, csv_file, html};
use crate::config::Settings;
use crate::domain::billing::item::{EstablishmentRef, InterpreterRef};
use crate::domain::locale::Locale;
use crate::domain::money::{Amount, Currency};
use crate::domain::person::UserCode;
use crate::domain::role::Role;
use crate::store::Store;
use crate::store::billing::BillingScope;

/// A document written out.
#[derive(Debug, Clone)]
pub struct BillingFile {
    pub bytes: Vec<u8>,
    pub format: Format,
    /// "F-CCSMTL-202603.html": a name to offer for a download.
    pub file_name: String,
    pub summary: Summary,
}

/// What a document came to, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// "Facture" or "Relevé de rémunération", in the document's language.
    pub title: String,
    pub number: String,
    /// Requests billed or paid.
    pub count: usize,
    /// Requests recorded but not validated yet.
    pub awaiting: usize,
    pub total: Amount,
    pub currency: Currency,
}

impl Summary {
    /// "Facture F-CCSMTL-202603 : 4 demandes, total 245,10 $, 1 en attente de validation".
    pub fn line(&self, locale: Locale) -> String {
        let total = self.total.format(self.currency, locale);
        let (count, awaiting) = (self.count, self.awaiting);
        match locale {
            Locale::Fr => format!(
                "{} {} : {count} demande{}, total {total}, {awaiting} en attente de validation",
                self.title,
                self.number,
                if count > 1 { "s" } else { "" },
            ),
            Locale::En => format!(
                "{} {}: {count} request{}, total {total}, {awaiting} awaiting validation",
                self.title,
                self.number,
                if count == 1 { "" } else { "s" },
            ),
        }
    }
}

/// The invoice of the establishment whose code is `establishment` for `period`.
pub async fn load_invoice(
    store: &Store,
    settings: &Settings,
    establishment: &str,
    period: Period,
) -> Result<Invoice, BillingError> {
    let mut tx = store.begin_read().await?;
    let found = tx
        .establishment_by_code(establishment.trim())
        .await?
        .ok_or_else(|| BillingError::UnknownEstablishment(establishment.to_string()))?;
    let items = tx
        .billable_items(BillingScope::Establishment(found.id), &period)
        .await?;
    tx.commit().await?;
    let header = InvoiceHeader {
        bank_name: settings.general.bank_name.clone(),
        establishment: EstablishmentRef {
            id: found.id,
            code: found.code,
            name: found.name,
        },
        period,
        currency: settings.money.currency,
    };
    invoice(header, &items, &settings.billing_rules())
}

/// The pay statement of the interpreter whose user code is `user_code` for `period`.
pub async fn load_pay_statement(
    store: &Store,
    settings: &Settings,
    user_code: &str,
    period: Period,
) -> Result<PayStatement, BillingError> {
    let unknown = || BillingError::UnknownInterpreter(user_code.to_string());
    let code = UserCode::parse(user_code).ok_or_else(unknown)?;
    let mut tx = store.begin_read().await?;
    let person = tx
        .person_by_user_code(&code)
        .await?
        .filter(|p| p.has_role(Role::Interpreter))
        .ok_or_else(unknown)?;
    let financial = tx
        .interpreter_profile(person.id)
        .await?
        .map(|p| p.financial)
        .unwrap_or_default();
    let items = tx.billable_items(BillingScope::Interpreter(person.id), &period).await?;
    tx.commit().await?;
    let header = StatementHeader {
        bank_name: settings.general.bank_name.clone(),
        interpreter: InterpreterRef {
            id: person.id,
            name: person.display_name(),
            user_code: person.user_code,
            financial,
        },
        period,
        currency: settings.money.currency,
    };
    pay_statement(header, &items, &settings.pay_rules())
}

/// The invoice written as `format`, in `locale`.
pub fn render_invoice(invoice: &Invoice, format: Format, locale: Locale) -> Result<BillingFile, BillingError> {
    let bytes = match format {
        Format::Html => html::invoice_html(invoice, locale)?,
        Format::Csv => csv_file::invoice_csv(invoice, locale)?,
    };
    Ok(BillingFile {
        bytes,
        format,
        file_name: format!("{}.{}", invoice.number, format.as_str()),
        summary: Summary {
            title: locale.pick("Facture", "Invoice").to_string(),
            number: invoice.number.clone(),
            count: invoice.totals.count(),
            awaiting: invoice.awaiting.len(),
            total: invoice.totals.total(),
            currency: invoice.currency,
        },
    })
}

/// The pay statement written as `format`, in `locale`.
pub fn render_pay_statement(
    statement: &PayStatement,
    format: Format,
    locale: Locale,
) -> Result<BillingFile, BillingError> {
    let bytes = match format {
        Format::Html => html::pay_statement_html(statement, locale)?,
        Format::Csv => csv_file::pay_statement_csv(statement, locale)?,
    };
    Ok(BillingFile {
        bytes,
        format,
        file_name: format!("{}.{}", statement.number, format.as_str()),
        summary: Summary {
            title: locale.pick("Relevé de rémunération", "Pay statement").to_string(),
            number: statement.number.clone(),
            count: statement.totals.count(),
            awaiting: statement.awaiting.len(),
            total: statement.totals.total(),
            currency: statement.currency,
        },
    })
}

/// [`load_invoice`] then [`render_invoice`].
pub async fn invoice_file(
    store: &Store,
    settings: &Settings,
    establishment: &str,
    period: Period,
    format: Format,
    locale: Locale,
) -> Result<BillingFile, BillingError> {
    let invoice = load_invoice(store, settings, establishment, period).await?;
    render_invoice(&invoice, format, locale)
}

/// [`load_pay_statement`] then [`render_pay_statement`].
pub async fn pay_statement_file(
    store: &Store,
    settings: &Settings,
    user_code: &str,
    period: Period,
    format: Format,
    locale: Locale,
) -> Result<BillingFile, BillingError> {
    let statement = load_pay_statement(store, settings, user_code, period).await?;
    render_pay_statement(&statement, format, locale)
}
