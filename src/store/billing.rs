//! What invoices and pay statements are made from: one period's requests of an
//! establishment or of an interpreter, with their records and names. Three queries, however
//! many requests: the requests (with establishment, cost centre and billing code), their
//! records, and their interpreters. Patient details, notes and free text are never selected.

use super::requests::{SERVICE_RECORD_COLUMNS, ServiceRecordRow};
use super::{StoreError, Tx, decode, on_conn};
use crate::domain::billing::item::{BillableItem, CodeRef, EstablishmentRef, InterpreterRef};
use crate::domain::billing::period::Period;
use crate::domain::ids::{EstablishmentId, PersonId, RequestId};
use crate::domain::interpreter::{FinancialFile, TaxNumber};
use crate::domain::language::LanguageTag;
use crate::domain::person::UserCode;
use crate::domain::request::{Cancellation, RequestStatus, ServiceRecord};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;
use std::str::FromStr;

/// Whose requests a document is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingScope {
    /// An invoice's: the establishment's requests.
    Establishment(EstablishmentId),
    /// A pay statement's: the requests assigned to this interpreter.
    Interpreter(PersonId),
}

/// The requests of the scope (`$1`) whose appointment date is in `[$2, $3]` and that may
/// be billed or await validation. A cancelled request can carry an amount only when it was
/// late or has a record; the rest are left in the database. Uses
/// `requests_establishment_date_idx` or `requests_interpreter_date_idx` (0008_billing).
fn filter(scope: BillingScope) -> String {
    let whose = match scope {
        BillingScope::Establishment(_) => "r.establishment_id = $1",
        BillingScope::Interpreter(_) => "r.assigned_interpreter_id = $1",
    };
    format!(
        "{whose} AND r.service_date >= $2 AND r.service_date <= $3 \
         AND r.status IN ('validated', 'closed', 'service_rendered', 'cancelled') \
         AND (r.status <> 'cancelled' OR r.cancelled_late \
              OR EXISTS (SELECT 1 FROM service_records s WHERE s.request_id = r.id))"
    )
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    number: Option<String>,
    status: String,
    establishment_id: i64,
    establishment_code: String,
    establishment_name: String,
    cost_centre_code: Option<String>,
    cost_centre_description: Option<String>,
    billing_code: Option<String>,
    billing_code_description: Option<String>,
    request_type: String,
    service_date: NaiveDate,
    start_time: NaiveTime,
    duration_minutes: i64,
    source_language: String,
    target_language: String,
    booked_at: Option<DateTime<Utc>>,
    service_contested_at: Option<DateTime<Utc>>,
    cancellation_reason: Option<String>,
    cancelled_at: Option<DateTime<Utc>>,
    cancelled_late: bool,
    assigned_interpreter_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    request_id: i64,
    #[sqlx(flatten)]
    record: ServiceRecordRow,
}

#[derive(sqlx::FromRow)]
struct InterpreterRow {
    id: i64,
    user_code: String,
    first_name: String,
    last_name: String,
    legal_name: Option<String>,
    supplier_number: Option<String>,
    tax_registration: Option<String>,
    gst_number: Option<String>,
    gst_from: Option<NaiveDate>,
    gst_until: Option<NaiveDate>,
    qst_number: Option<String>,
    qst_from: Option<NaiveDate>,
    qst_until: Option<NaiveDate>,
}

impl TryFrom<InterpreterRow> for InterpreterRef {
    type Error = StoreError;
    fn try_from(r: InterpreterRow) -> Result<Self, StoreError> {
        let tax = |number: Option<String>, from, until| number.map(|number| TaxNumber { number, from, until });
        Ok(InterpreterRef {
            id: PersonId(r.id),
            user_code: UserCode::parse(&r.user_code)
                .ok_or_else(|| StoreError::Corrupt(format!("people.user_code {:?}", r.user_code)))?,
            name: format!("{} {}", r.first_name, r.last_name),
            financial: FinancialFile {
                legal_name: r.legal_name,
                supplier_number: r.supplier_number,
                tax_registration: match r.tax_registration {
                    Some(t) => decode("interpreter_profiles.tax_registration", t.parse())?,
                    None => Default::default(),
                },
                gst: tax(r.gst_number, r.gst_from, r.gst_until),
                qst: tax(r.qst_number, r.qst_from, r.qst_until),
            },
        })
    }
}

fn code_ref(code: Option<String>, description: Option<String>) -> Option<CodeRef> {
    code.map(|code| CodeRef {
        code,
        description: description.unwrap_or_default(),
    })
}

impl Tx {
    /// The requests of `scope` whose appointment date (local) is in `period`, as billing
    /// reads them: validated, closed, recorded (awaiting validation), or cancelled late or
    /// with a record. Which of them a document bills is [`crate::billing::coverage`]'s call.
    pub async fn billable_items(
        &mut self,
        scope: BillingScope,
        period: &Period,
    ) -> Result<Vec<BillableItem>, StoreError> {
        let id = match scope {
            BillingScope::Establishment(e) => e.0,
            BillingScope::Interpreter(p) => p.0,
        };
        let filter = filter(scope);
        let requests = format!(
            "SELECT r.id, r.number, r.status, r.establishment_id, e.code AS establishment_code, \
             e.name AS establishment_name, cc.code AS cost_centre_code, \
             cc.description AS cost_centre_description, bc.code AS billing_code, \
             bc.description AS billing_code_description, r.request_type, r.service_date, r.start_time, \
             r.duration_minutes, r.source_language, r.target_language, r.booked_at, r.service_contested_at, \
             r.cancellation_reason, r.cancelled_at, r.cancelled_late, r.assigned_interpreter_id \
             FROM requests r JOIN establishments e ON e.id = r.establishment_id \
             LEFT JOIN cost_centres cc ON cc.id = r.cost_centre_id \
             LEFT JOIN billing_codes bc ON bc.id = r.billing_code_id \
             WHERE {filter} ORDER BY r.service_date, r.start_time, r.id"
        );
        let records = format!(
            "SELECT request_id, {SERVICE_RECORD_COLUMNS} FROM service_records \
             WHERE request_id IN (SELECT r.id FROM requests r WHERE {filter})"
        );
        let interpreters = format!(
            "SELECT p.id, p.user_code, p.first_name, p.last_name, ip.legal_name, ip.supplier_number, \
             ip.tax_registration, ip.gst_number, ip.gst_from, ip.gst_until, ip.qst_number, ip.qst_from, ip.qst_until \
             FROM people p LEFT JOIN interpreter_profiles ip ON ip.person_id = p.id \
             WHERE p.id IN (SELECT r.assigned_interpreter_id FROM requests r WHERE {filter})"
        );
        let rows: Vec<ItemRow> = self.scoped(&requests, id, period).await?;
        let record_rows: Vec<RecordRow> = self.scoped(&records, id, period).await?;
        let interpreter_rows: Vec<InterpreterRow> = self.scoped(&interpreters, id, period).await?;

        let mut records: HashMap<i64, ServiceRecord> = HashMap::new();
        for row in record_rows {
            let mut record = ServiceRecord::try_from(row.record)?;
            // Free text may describe health: it never reaches a document.
            record.comments = None;
            record.overtime_reason = None;
            records.insert(row.request_id, record);
        }
        let mut people: HashMap<i64, InterpreterRef> = HashMap::new();
        for row in interpreter_rows {
            let interpreter = InterpreterRef::try_from(row)?;
            people.insert(interpreter.id.0, interpreter);
        }
        rows.into_iter()
            .map(|r| billable_item(r, &mut records, &people))
            .collect()
    }

    /// `sql` (a billing query of one scope) bound to the scope's id and the period's days.
    async fn scoped<T>(&mut self, sql: &str, id: i64, period: &Period) -> Result<Vec<T>, StoreError>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let (from, to) = (period.from(), period.to());
        Ok(on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .bind(id)
            .bind(from)
            .bind(to)
            .fetch_all(c)
            .await?))
    }
}

/// One request as billing reads it, with its record and its interpreter.
fn billable_item(
    r: ItemRow,
    records: &mut HashMap<i64, ServiceRecord>,
    people: &HashMap<i64, InterpreterRef>,
) -> Result<BillableItem, StoreError> {
    let cancellation = match (r.cancellation_reason, r.cancelled_at) {
        (Some(reason), Some(at)) => Some(Cancellation {
            reason: decode("requests.cancellation_reason", reason.parse())?,
            detail: None,
            at,
            late: r.cancelled_late,
        }),
        _ => None,
    };
    Ok(BillableItem {
        request_id: RequestId(r.id),
        number: r.number.unwrap_or_else(|| format!("brouillon {}", r.id)),
        status: decode("requests.status", RequestStatus::from_str(&r.status))?,
        establishment: EstablishmentRef {
            id: EstablishmentId(r.establishment_id),
            code: r.establishment_code,
            name: r.establishment_name,
        },
        cost_centre: code_ref(r.cost_centre_code, r.cost_centre_description),
        billing_code: code_ref(r.billing_code, r.billing_code_description),
        request_type: decode("requests.request_type", r.request_type.parse())?,
        date: r.service_date,
        start_time: r.start_time,
        scheduled_minutes: decode("requests.duration_minutes", u32::try_from(r.duration_minutes))?,
        source_language: decode("requests.source_language", LanguageTag::parse(&r.source_language))?,
        target_language: decode("requests.target_language", LanguageTag::parse(&r.target_language))?,
        booked: r.booked_at.is_some(),
        cancellation,
        contested: r.service_contested_at.is_some(),
        interpreter: r.assigned_interpreter_id.and_then(|p| people.get(&p).cloned()),
        record: records.remove(&r.id),
    })
}
