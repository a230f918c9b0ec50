//! The rows of an export: requests joined with the names people read, in one query.
//!
//! Only administrative columns are selected; patient details, notes, addresses and the
//! record's comments stay in the database (see `crate::reports`).

use super::{StoreError, Tx, decode, on_conn};
use crate::domain::export::filter::{ExportFilter, InterpreterRef};
use crate::domain::export::row::{CancellationSummary, ExportInterpreter, ExportRow, ServiceSummary};
use crate::domain::ids::RequestId;
use crate::domain::language::LanguageTag;
use crate::domain::person::UserCode;
use crate::domain::request::record::worked_minutes;
use crate::domain::request::{RequestNumber, RequestStatus};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use std::str::FromStr;

/// `service_records.actual_minutes` is INTEGER on PostgreSQL: the cast lets one Rust type
/// read it on both engines.
const EXPORT_SQL: &str = "SELECT r.id, r.number, r.status, r.request_type, r.service_date, r.start_time, \
    r.duration_minutes, r.source_language, r.target_language, e.name AS establishment, i.name AS installation, \
    r.location, cc.code AS cost_centre, bc.code AS billing_code, rq.first_name AS requester_first_name, \
    rq.last_name AS requester_last_name, ip.first_name AS interpreter_first_name, \
    ip.last_name AS interpreter_last_name, ip.user_code AS interpreter_code, sr.completed AS service_completed, \
    CAST(sr.actual_minutes AS BIGINT) AS actual_minutes, sr.actual_start AS actual_start, sr.actual_end AS actual_end, \
    r.cancellation_reason, r.cancelled_late, r.created_at, r.booked_at \
    FROM requests r \
    JOIN establishments e ON e.id = r.establishment_id \
    JOIN installations i ON i.id = r.installation_id \
    JOIN people rq ON rq.id = r.requested_by \
    LEFT JOIN people ip ON ip.id = r.assigned_interpreter_id \
    LEFT JOIN cost_centres cc ON cc.id = r.cost_centre_id \
    LEFT JOIN billing_codes bc ON bc.id = r.billing_code_id \
    LEFT JOIN service_records sr ON sr.request_id = r.id";

/// Drafts have no number; `COALESCE` keeps the order the same on both engines, which sort
/// NULLs differently.
const EXPORT_ORDER: &str = " ORDER BY r.service_date, r.start_time, COALESCE(r.number, ''), r.id";

#[derive(sqlx::FromRow)]
struct ExportDbRow {
    id: i64,
    number: Option<String>,
    status: String,
    request_type: String,
    service_date: NaiveDate,
    start_time: NaiveTime,
    duration_minutes: i64,
    source_language: String,
    target_language: String,
    establishment: String,
    installation: String,
    location: String,
    cost_centre: Option<String>,
    billing_code: Option<String>,
    requester_first_name: String,
    requester_last_name: String,
    interpreter_first_name: Option<String>,
    interpreter_last_name: Option<String>,
    interpreter_code: Option<String>,
    service_completed: Option<bool>,
    actual_minutes: Option<i64>,
    actual_start: Option<NaiveTime>,
    actual_end: Option<NaiveTime>,
    cancellation_reason: Option<String>,
    cancelled_late: bool,
    created_at: DateTime<Utc>,
    booked_at: Option<DateTime<Utc>>,
}

impl TryFrom<ExportDbRow> for ExportRow {
    type Error = StoreError;

    fn try_from(r: ExportDbRow) -> Result<ExportRow, StoreError> {
        let lang = |column: &str, value: &str| decode(column, LanguageTag::parse(value));
        let interpreter = match (r.interpreter_first_name, r.interpreter_last_name, r.interpreter_code) {
            (Some(first), Some(last), Some(code)) => Some(ExportInterpreter {
                name: format!("{first} {last}"),
                user_code: UserCode::parse(&code)
                    .ok_or_else(|| StoreError::Corrupt(format!("people.user_code: {code:?}")))?,
            }),
            _ => None,
        };
        let service = match r.service_completed {
            Some(completed) => {
                let declared = r
                    .actual_minutes
                    .map(|m| decode("service_records.actual_minutes", u32::try_from(m)))
                    .transpose()?;
                Some(ServiceSummary {
                    completed,
                    worked_minutes: worked_minutes(declared, r.actual_start, r.actual_end),
                })
            }
            None => None,
        };
        let cancellation = r
            .cancellation_reason
            .map(|reason| {
                Ok::<_, StoreError>(CancellationSummary {
                    reason: decode("requests.cancellation_reason", reason.parse())?,
                    late: r.cancelled_late,
                })
            })
            .transpose()?;
        Ok(ExportRow {
            id: RequestId(r.id),
            number: r
                .number
                .map(|n| decode("requests.number", RequestNumber::parse(&n)))
                .transpose()?,
            date: r.service_date,
            start_time: r.start_time,
            duration_minutes: decode("requests.duration_minutes", u32::try_from(r.duration_minutes))?,
            status: decode("requests.status", RequestStatus::from_str(&r.status))?,
            request_type: decode("requests.request_type", r.request_type.parse())?,
            source_language: lang("requests.source_language", &r.source_language)?,
            target_language: lang("requests.target_language", &r.target_language)?,
            establishment: r.establishment,
            installation: r.installation,
            location: r.location,
            cost_centre: r.cost_centre,
            billing_code: r.billing_code,
            requester: format!("{} {}", r.requester_first_name, r.requester_last_name),
            interpreter,
            service,
            cancellation,
            created_at: r.created_at,
            booked_at: r.booked_at,
        })
    }
}

/// A value bound to the export query's `WHERE`.
enum Param {
    Date(NaiveDate),
    Text(String),
    Int(i64),
}

/// The `WHERE` clause of `filter` with `$n` placeholders, and the values in their order.
/// Only the criteria set appear, so each engine can use the indexes that fit.
fn where_clause(filter: &ExportFilter) -> (String, Vec<Param>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut params: Vec<Param> = Vec::new();
    let next = |p: Param, params: &mut Vec<Param>| {
        params.push(p);
        format!("${}", params.len())
    };
    if let Some(from) = filter.period.from() {
        conditions.push(format!("r.service_date >= {}", next(Param::Date(from), &mut params)));
    }
    if let Some(to) = filter.period.to() {
        conditions.push(format!("r.service_date <= {}", next(Param::Date(to), &mut params)));
    }
    let statuses: Vec<String> = filter
        .effective_statuses()
        .into_iter()
        .map(|s| next(Param::Text(s.as_str().to_string()), &mut params))
        .collect();
    conditions.push(format!("r.status IN ({})", statuses.join(", ")));
    if let Some(language) = &filter.language {
        let tag = next(Param::Text(language.as_str().to_string()), &mut params);
        let mut alternatives: Vec<String> = ["r.source_language", "r.target_language", "r.alternative_language"]
            .iter()
            .map(|col| format!("{col} = {tag}"))
            .collect();
        // "ar" asks for Arabic: its regional variants ("ar-MA") too. Tags hold no `%` or `_`.
        if language.primary() == language.as_str() {
            let prefix = next(Param::Text(format!("{}-%", language.as_str())), &mut params);
            alternatives.extend(
                ["r.source_language", "r.target_language", "r.alternative_language"]
                    .iter()
                    .map(|col| format!("{col} LIKE {prefix}")),
            );
        }
        conditions.push(format!("({})", alternatives.join(" OR ")));
    }
    if let Some(code) = &filter.establishment {
        conditions.push(format!("e.code = {}", next(Param::Text(code.clone()), &mut params)));
    }
    match &filter.interpreter {
        Some(InterpreterRef::Code(code)) => {
            conditions.push(format!(
                "ip.user_code = {}",
                next(Param::Text(code.as_str().to_string()), &mut params)
            ));
        }
        Some(InterpreterRef::Id(id)) => {
            conditions.push(format!(
                "r.assigned_interpreter_id = {}",
                next(Param::Int(id.0), &mut params)
            ));
        }
        None => {}
    }
    if let Some(person) = filter.requested_by {
        conditions.push(format!("r.requested_by = {}", next(Param::Int(person.0), &mut params)));
    }
    (format!(" WHERE {}", conditions.join(" AND ")), params)
}

impl Tx {
    /// The requests `filter` selects, by appointment date and time, then number.
    pub async fn export_rows(&mut self, filter: &ExportFilter) -> Result<Vec<ExportRow>, StoreError> {
        let (clause, params) = where_clause(filter);
        let sql = format!("{EXPORT_SQL}{clause}{EXPORT_ORDER}");
        let rows: Vec<ExportDbRow> = on_conn!(self, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for p in &params {
                q = match p {
                    Param::Date(d) => q.bind(*d),
                    Param::Text(s) => q.bind(s.clone()),
                    Param::Int(i) => q.bind(*i),
                };
            }
            q.fetch_all(c).await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::export::filter::Period;

    #[test]
    fn only_the_criteria_set_reach_the_query() {
        let (clause, params) = where_clause(&ExportFilter::default());
        assert_eq!(clause, " WHERE r.status IN ($1, $2, $3, $4, $5, $6, $7, $8)");
        assert_eq!(params.len(), 8, "every status but drafts");

        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let filter = ExportFilter {
            period: Period::new(Some(day), None).unwrap(),
            statuses: vec![RequestStatus::Booked],
            language: Some(LanguageTag::parse("ar").unwrap()),
            establishment: Some("CCSMTL".into()),
            interpreter: Some(InterpreterRef::Id(crate::domain::ids::PersonId(7))),
            requested_by: Some(crate::domain::ids::PersonId(3)),
        };
        let (clause, params) = where_clause(&filter);
        assert_eq!(
            clause,
            " WHERE r.service_date >= $1 AND r.status IN ($2) AND (r.source_language = $3 OR \
             r.target_language = $3 OR r.alternative_language = $3 OR r.source_language LIKE $4 OR \
             r.target_language LIKE $4 OR r.alternative_language LIKE $4) AND e.code = $5 AND \
             r.assigned_interpreter_id = $6 AND r.requested_by = $7"
        );
        assert!(matches!(&params[3], Param::Text(p) if p == "ar-%"));
    }

    #[test]
    fn a_regional_tag_matches_only_itself() {
        let filter = ExportFilter {
            language: Some(LanguageTag::parse("ar-MA").unwrap()),
            ..ExportFilter::default()
        };
        let (clause, _) = where_clause(&filter);
        assert!(!clause.contains("LIKE"), "{clause}");
    }
}
