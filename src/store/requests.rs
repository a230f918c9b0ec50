//! Requests, their offers and service records.

use super::{StoreError, Tx, decode, on_conn};
use crate::domain::contact::{EmailAddress, PhoneNumber};
use crate::domain::ids::{BillingCodeId, CostCentreId, EstablishmentId, InstallationId, OfferId, PersonId, RequestId};
use crate::domain::language::LanguageTag;
use crate::domain::request::{
    Cancellation, Notes, OnSiteContact, PatientDetails, Professional, RecordedCancellation, Request, RequestDetails,
    RequestNumber, RequestStatus, ServiceRecord, VideoDetails,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

pub(super) const REQUEST_COLUMNS: &str = "id, number, status, version, establishment_id, installation_id, location, address, \
    request_type, service_date, start_time, flexible_until, duration_minutes, starts_at, source_language, \
    target_language, alternative_language, alternative_date, professional_name, professional_function, \
    professional_phone, professional_email, preferred_interpreter_id, interpreter_gender, \
    interpreter_must_notify_user, context, reason, message_to_interpreter, coordinator_note, patient_name, \
    patient_phone, patient_details, video_platform, video_link, video_passcode, cost_centre_id, billing_code_id, \
    requested_by, assigned_interpreter_id, created_at, updated_at, submitted_at, booked_at, service_recorded_at, \
    service_contested_at, \
    closed_at, cancellation_reason, cancellation_detail, cancelled_at, cancelled_late, patient_erased_at, \
    interpreter_type, on_site_name, on_site_phone, supplementary";

#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
    id: i64,
    number: Option<String>,
    status: String,
    version: i64,
    establishment_id: i64,
    installation_id: i64,
    location: String,
    address: Option<String>,
    request_type: String,
    service_date: NaiveDate,
    start_time: NaiveTime,
    flexible_until: Option<NaiveTime>,
    duration_minutes: i64,
    starts_at: DateTime<Utc>,
    source_language: String,
    target_language: String,
    alternative_language: Option<String>,
    alternative_date: Option<NaiveDate>,
    professional_name: Option<String>,
    professional_function: Option<String>,
    professional_phone: Option<String>,
    professional_email: Option<String>,
    preferred_interpreter_id: Option<i64>,
    interpreter_gender: Option<String>,
    interpreter_must_notify_user: bool,
    context: Option<String>,
    reason: Option<String>,
    message_to_interpreter: Option<String>,
    coordinator_note: Option<String>,
    patient_name: Option<String>,
    patient_phone: Option<String>,
    patient_details: Option<String>,
    video_platform: Option<String>,
    video_link: Option<String>,
    video_passcode: Option<String>,
    cost_centre_id: Option<i64>,
    billing_code_id: Option<i64>,
    requested_by: i64,
    assigned_interpreter_id: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    submitted_at: Option<DateTime<Utc>>,
    booked_at: Option<DateTime<Utc>>,
    service_recorded_at: Option<DateTime<Utc>>,
    service_contested_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    cancellation_reason: Option<String>,
    cancellation_detail: Option<String>,
    cancelled_at: Option<DateTime<Utc>>,
    cancelled_late: bool,
    patient_erased_at: Option<DateTime<Utc>>,
    interpreter_type: Option<String>,
    on_site_name: Option<String>,
    on_site_phone: Option<String>,
    supplementary: bool,
}

fn lang(column: &str, value: &str) -> Result<LanguageTag, StoreError> {
    decode(column, LanguageTag::parse(value))
}

impl TryFrom<RequestRow> for Request {
    type Error = StoreError;

    // Long for a reason: one flat field-by-field reading of the row, each column decoded
    // where it lands; split, it would only scatter one mapping over several places.
    fn try_from(r: RequestRow) -> Result<Request, StoreError> {
        let cancellation = match (r.cancellation_reason, r.cancelled_at) {
            (Some(reason), Some(at)) => Some(Cancellation {
                reason: decode("requests.cancellation_reason", reason.parse())?,
                detail: r.cancellation_detail,
                at,
                late: r.cancelled_late,
            }),
            _ => None,
        };
        Ok(Request {
            id: RequestId(r.id),
            number: r
                .number
                .map(|n| decode("requests.number", RequestNumber::parse(&n)))
                .transpose()?,
            status: decode("requests.status", RequestStatus::from_str(&r.status))?,
            version: r.version,
            establishment_id: EstablishmentId(r.establishment_id),
            details: RequestDetails {
                installation_id: InstallationId(r.installation_id),
                location: r.location,
                address: r.address,
                request_type: decode("requests.request_type", r.request_type.parse())?,
                date: r.service_date,
                start_time: r.start_time,
                flexible_until: r.flexible_until,
                duration_minutes: decode("requests.duration_minutes", u32::try_from(r.duration_minutes))?,
                source_language: lang("requests.source_language", &r.source_language)?,
                target_language: lang("requests.target_language", &r.target_language)?,
                alternative_language: r
                    .alternative_language
                    .map(|l| lang("requests.alternative_language", &l))
                    .transpose()?,
                alternative_date: r.alternative_date,
                professional: Professional {
                    name: r.professional_name,
                    function: r.professional_function,
                    phone: r
                        .professional_phone
                        .map(|p| decode("requests.professional_phone", PhoneNumber::from_stored(&p)))
                        .transpose()?,
                    email: r
                        .professional_email
                        .map(|e| decode("requests.professional_email", EmailAddress::parse(&e)))
                        .transpose()?,
                },
                preferred_interpreter: r.preferred_interpreter_id.map(PersonId),
                interpreter_gender: r
                    .interpreter_gender
                    .map(|g| decode("requests.interpreter_gender", g.parse()))
                    .transpose()?,
                interpreter_must_notify_user: r.interpreter_must_notify_user,
                notes: Notes {
                    context: r.context,
                    reason: r.reason,
                    message_to_interpreter: r.message_to_interpreter,
                    coordinator_note: r.coordinator_note,
                },
                patient: PatientDetails {
                    name: r.patient_name,
                    phone: r.patient_phone,
                    details: r.patient_details,
                },
                video: VideoDetails {
                    platform: r.video_platform,
                    link: r.video_link,
                    passcode: r.video_passcode,
                },
                cost_centre_id: r.cost_centre_id.map(CostCentreId),
                billing_code_id: r.billing_code_id.map(BillingCodeId),
                interpreter_type: r
                    .interpreter_type
                    .map(|t| decode("requests.interpreter_type", t.parse()))
                    .transpose()?,
                on_site: OnSiteContact {
                    name: r.on_site_name,
                    phone: r
                        .on_site_phone
                        .map(|p| decode("requests.on_site_phone", PhoneNumber::from_stored(&p)))
                        .transpose()?,
                },
                supplementary: r.supplementary,
            },
            requested_by: PersonId(r.requested_by),
            assigned_interpreter: r.assigned_interpreter_id.map(PersonId),
            starts_at: r.starts_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            submitted_at: r.submitted_at,
            booked_at: r.booked_at,
            service_recorded_at: r.service_recorded_at,
            service_contested_at: r.service_contested_at,
            closed_at: r.closed_at,
            cancellation,
            patient_erased_at: r.patient_erased_at,
        })
    }
}

/// Where an offer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    Pending,
    Accepted,
    Declined,
    Lapsed,
    Withdrawn,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Pending => "pending",
            OfferStatus::Accepted => "accepted",
            OfferStatus::Declined => "declined",
            OfferStatus::Lapsed => "lapsed",
            OfferStatus::Withdrawn => "withdrawn",
        }
    }
}

impl FromStr for OfferStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(OfferStatus::Pending),
            "accepted" => Ok(OfferStatus::Accepted),
            "declined" => Ok(OfferStatus::Declined),
            "lapsed" => Ok(OfferStatus::Lapsed),
            "withdrawn" => Ok(OfferStatus::Withdrawn),
            other => Err(format!("unknown offer status {other:?}")),
        }
    }
}

/// An offer of a request to one interpreter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub id: OfferId,
    pub request_id: RequestId,
    pub interpreter_id: PersonId,
    pub status: OfferStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    /// Four digits the interpreter can text back: "OUI 4821".
    pub short_code: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OfferRow {
    id: i64,
    request_id: i64,
    interpreter_id: i64,
    status: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    responded_at: Option<DateTime<Utc>>,
    short_code: Option<String>,
}

impl TryFrom<OfferRow> for Offer {
    type Error = StoreError;
    fn try_from(r: OfferRow) -> Result<Offer, StoreError> {
        Ok(Offer {
            id: OfferId(r.id),
            request_id: RequestId(r.request_id),
            interpreter_id: PersonId(r.interpreter_id),
            status: decode("offers.status", r.status.parse())?,
            created_at: r.created_at,
            expires_at: r.expires_at,
            responded_at: r.responded_at,
            short_code: r.short_code,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ServiceRecordRow {
    completed: bool,
    interpreter_present: bool,
    arrival_time: Option<NaiveTime>,
    actual_start: Option<NaiveTime>,
    actual_end: Option<NaiveTime>,
    actual_minutes: Option<i64>,
    overtime_reason: Option<String>,
    general_reason: Option<String>,
    cancellation_reason: Option<String>,
    cancelled_on: Option<NaiveDate>,
    cancelled_time: Option<NaiveTime>,
    waiting_minutes: i64,
    distance_km: String,
    travel_minutes: i64,
    phone_calls: i64,
    words: i64,
    other_fees: String,
    services_given: Option<i64>,
    comments: Option<String>,
}

pub(super) const SERVICE_RECORD_COLUMNS: &str = "completed, interpreter_present, arrival_time, actual_start, actual_end, \
    actual_minutes, overtime_reason, general_reason, cancellation_reason, cancelled_on, cancelled_time, \
    waiting_minutes, distance_km, travel_minutes, phone_calls, words, other_fees, services_given, comments";

impl TryFrom<ServiceRecordRow> for ServiceRecord {
    type Error = StoreError;
    fn try_from(r: ServiceRecordRow) -> Result<Self, StoreError> {
        let count = |v: i64| u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("negative count {v}")));
        let decimal =
            |v: &str| rust_decimal::Decimal::from_str(v).map_err(|e| StoreError::Corrupt(format!("amount {v:?}: {e}")));
        let cancellation = match (
            r.general_reason,
            r.cancellation_reason,
            r.cancelled_on,
            r.cancelled_time,
        ) {
            (Some(g), Some(reason), Some(date), Some(time)) => Some(RecordedCancellation {
                general: g.parse().map_err(StoreError::Corrupt)?,
                reason: reason.parse().map_err(StoreError::Corrupt)?,
                date,
                time,
            }),
            _ => None,
        };
        Ok(ServiceRecord {
            completed: r.completed,
            interpreter_present: r.interpreter_present,
            arrival_time: r.arrival_time,
            actual_start: r.actual_start,
            actual_end: r.actual_end,
            actual_minutes: r.actual_minutes.map(count).transpose()?,
            overtime_reason: r.overtime_reason,
            cancellation,
            waiting_minutes: count(r.waiting_minutes)?,
            distance_km: decimal(&r.distance_km)?,
            travel_minutes: count(r.travel_minutes)?,
            phone_calls: count(r.phone_calls)?,
            words: count(r.words)?,
            other_fees: decimal(&r.other_fees)?,
            services_given: r.services_given.map(count).transpose()?,
            comments: r.comments,
        })
    }
}

const OFFER_COLUMNS: &str = "id, request_id, interpreter_id, status, created_at, expires_at, responded_at, short_code";

/// Binds every column of a request but `id`, in `REQUEST_COLUMNS` order from `number` on.
macro_rules! bind_request {
    ($q:expr, $r:expr) => {{
        let r: &Request = $r;
        let d = &r.details;
        $q.bind(r.number.as_ref().map(|n| n.as_str()))
            .bind(r.status.as_str())
            .bind(r.version)
            .bind(r.establishment_id.0)
            .bind(d.installation_id.0)
            .bind(&d.location)
            .bind(d.address.as_deref())
            .bind(d.request_type.as_str())
            .bind(d.date)
            .bind(d.start_time)
            .bind(d.flexible_until)
            .bind(i64::from(d.duration_minutes))
            .bind(r.starts_at)
            .bind(d.source_language.as_str())
            .bind(d.target_language.as_str())
            .bind(d.alternative_language.as_ref().map(|l| l.as_str()))
            .bind(d.alternative_date)
            .bind(d.professional.name.as_deref())
            .bind(d.professional.function.as_deref())
            .bind(d.professional.phone.as_ref().map(|p| p.to_stored()))
            .bind(d.professional.email.as_ref().map(|e| e.as_str()))
            .bind(d.preferred_interpreter.map(|p| p.0))
            .bind(d.interpreter_gender.map(|g| g.as_str()))
            .bind(d.interpreter_must_notify_user)
            .bind(d.notes.context.as_deref())
            .bind(d.notes.reason.as_deref())
            .bind(d.notes.message_to_interpreter.as_deref())
            .bind(d.notes.coordinator_note.as_deref())
            .bind(d.patient.name.as_deref())
            .bind(d.patient.phone.as_deref())
            .bind(d.patient.details.as_deref())
            .bind(d.video.platform.as_deref())
            .bind(d.video.link.as_deref())
            .bind(d.video.passcode.as_deref())
            .bind(d.cost_centre_id.map(|c| c.0))
            .bind(d.billing_code_id.map(|c| c.0))
            .bind(r.requested_by.0)
            .bind(r.assigned_interpreter.map(|p| p.0))
            .bind(r.created_at)
            .bind(r.updated_at)
            .bind(r.submitted_at)
            .bind(r.booked_at)
            .bind(r.service_recorded_at)
            .bind(r.service_contested_at)
            .bind(r.closed_at)
            .bind(r.cancellation.as_ref().map(|c| c.reason.as_str()))
            .bind(r.cancellation.as_ref().and_then(|c| c.detail.as_deref()))
            .bind(r.cancellation.as_ref().map(|c| c.at))
            .bind(r.cancellation.as_ref().is_some_and(|c| c.late))
            .bind(r.patient_erased_at)
            .bind(d.interpreter_type.map(|t| t.as_str()))
            .bind(d.on_site.name.as_deref())
            .bind(d.on_site.phone.as_ref().map(|p| p.to_stored()))
            .bind(d.supplementary)
    }};
}

/// Columns after `id`, and `$n` placeholders for them.
fn insert_sql() -> String {
    let cols: Vec<&str> = REQUEST_COLUMNS.split(',').map(str::trim).skip(1).collect();
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO requests ({}) VALUES ({}) RETURNING id",
        cols.join(", "),
        params.join(", ")
    )
}

/// `SET col = $n` for every column after `id`; `$1` is the id, the last is the expected version.
fn update_sql() -> String {
    let cols: Vec<&str> = REQUEST_COLUMNS.split(',').map(str::trim).skip(1).collect();
    let sets: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 2))
        .collect();
    format!(
        "UPDATE requests SET {} WHERE id = $1 AND version = ${}",
        sets.join(", "),
        cols.len() + 2
    )
}

impl Tx {
    /// Stores a new request; its `id` field is ignored and the new id returned.
    pub async fn insert_request(&mut self, request: &Request) -> Result<RequestId, StoreError> {
        let sql = insert_sql();
        let id: i64 = on_conn!(self, |c| {
            let q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            bind_request!(q, request)
                .fetch_one(c)
                .await
                .map_err(|e| StoreError::from_unique(e, "request number already used"))?
        });
        Ok(RequestId(id))
    }

    /// Writes `request` over the stored row if nobody changed it since `expected_version`;
    /// the caller sets `request.version` to the next version.
    pub async fn update_request(&mut self, request: &Request, expected_version: i64) -> Result<(), StoreError> {
        let sql = update_sql();
        let done = on_conn!(self, |c| {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(request.id.0);
            bind_request!(q, request)
                .bind(expected_version)
                .execute(c)
                .await?
                .rows_affected()
        });
        if done == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "request {} changed meanwhile",
                request.label()
            )))
        }
    }

    /// Loads a request and, on PostgreSQL, locks its row until the transaction ends.
    pub async fn request_for_update(&mut self, id: RequestId) -> Result<Request, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1{}",
            self.lock_clause()
        );
        let row: Option<RequestRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id.0)
            .fetch_optional(c)
            .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    pub async fn request(&mut self, id: RequestId) -> Result<Request, StoreError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1");
        let row: Option<RequestRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id.0)
            .fetch_optional(c)
            .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    pub async fn request_id_by_number(&mut self, number: &RequestNumber) -> Result<Option<RequestId>, StoreError> {
        const SQL: &str = "SELECT id FROM requests WHERE number = $1";
        let id: Option<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(number.as_str())
            .fetch_optional(c)
            .await?);
        Ok(id.map(RequestId))
    }

    /// The number of an open request (sent, not cancelled nor done) of `requested_by` for
    /// the same appointment: same start, installation, place and languages. Read through
    /// `requests_requested_by_idx (requested_by, starts_at)`.
    pub async fn similar_open_request(
        &mut self,
        requested_by: PersonId,
        starts_at: DateTime<Utc>,
        details: &RequestDetails,
    ) -> Result<Option<RequestNumber>, StoreError> {
        const SQL: &str = "SELECT number FROM requests WHERE requested_by = $1 AND starts_at = $2 \
             AND installation_id = $3 AND location = $4 AND source_language = $5 AND target_language = $6 \
             AND status IN ('new', 'offered', 'booked', 'modified') AND number IS NOT NULL ORDER BY id LIMIT 1";
        let number: Option<String> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(requested_by.0)
            .bind(starts_at)
            .bind(details.installation_id.0)
            .bind(details.location.as_str())
            .bind(details.source_language.as_str())
            .bind(details.target_language.as_str())
            .fetch_optional(c)
            .await?);
        number
            .map(|n| decode("requests.number", RequestNumber::parse(&n)))
            .transpose()
    }

    /// Requests of an installation whose appointment starts in `[from, to)`, soonest first.
    pub async fn requests_of_installation(
        &mut self,
        installation: InstallationId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Request>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE installation_id = $1 AND starts_at >= $2 AND starts_at < $3 \
             ORDER BY starts_at, id"
        );
        let rows: Vec<RequestRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(installation.0)
            .bind(from)
            .bind(to)
            .fetch_all(c)
            .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Requests in `status` whose service was recorded at or before `cutoff`.
    pub async fn requests_recorded_before(
        &mut self,
        status: RequestStatus,
        cutoff: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<RequestId>, StoreError> {
        const SQL: &str = "SELECT id FROM requests WHERE status = $1 AND service_recorded_at <= $2 AND service_contested_at IS NULL ORDER BY id LIMIT $3";
        let ids: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(status.as_str())
            .bind(cutoff)
            .bind(limit)
            .fetch_all(c)
            .await?);
        Ok(ids.into_iter().map(RequestId).collect())
    }

    /// Closed or cancelled requests, ended at or before `cutoff`, whose patient details remain.
    pub async fn requests_due_for_erasure(
        &mut self,
        cutoff: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<RequestId>, StoreError> {
        const SQL: &str = "SELECT id FROM requests WHERE patient_erased_at IS NULL AND \
             ((status = 'closed' AND closed_at <= $1) OR (status = 'cancelled' AND cancelled_at <= $1)) \
             ORDER BY id LIMIT $2";
        let ids: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(cutoff)
            .bind(limit)
            .fetch_all(c)
            .await?);
        Ok(ids.into_iter().map(RequestId).collect())
    }

    /// Erases patient details, free-text notes, the video link and attachments of a request.
    /// What billing and statistics need stays.
    pub async fn erase_patient_details(&mut self, id: RequestId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE requests SET patient_name = NULL, patient_phone = NULL, patient_details = NULL, \
             context = NULL, reason = NULL, message_to_interpreter = NULL, coordinator_note = NULL, \
             video_link = NULL, video_passcode = NULL, address = NULL, patient_erased_at = $2, \
             version = version + 1, updated_at = $2 \
             WHERE id = $1 AND patient_erased_at IS NULL";
        // Receipts joined to the service record stay: billing needs them.
        const ATTACHMENTS: &str = "DELETE FROM request_attachments WHERE request_id = $1 AND purpose = 'request'";
        const RECORD: &str = "UPDATE service_records SET comments = NULL, contest_note = NULL WHERE request_id = $1";
        let done = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id.0)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        if done == 1 {
            on_conn!(self, |c| sqlx::query(ATTACHMENTS)
                .bind(id.0)
                .execute(c)
                .await?
                .rows_affected());
            on_conn!(self, |c| sqlx::query(RECORD)
                .bind(id.0)
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(done == 1)
    }

    /// Number of requests in each status (for `/metrics`).
    pub async fn count_requests_by_status(&mut self) -> Result<Vec<(RequestStatus, i64)>, StoreError> {
        const SQL: &str = "SELECT status, COUNT(*) FROM requests GROUP BY status ORDER BY status";
        let rows: Vec<(String, i64)> = on_conn!(self, |c| sqlx::query_as(SQL).fetch_all(c).await?);
        rows.into_iter()
            .map(|(s, n)| Ok((decode("requests.status", RequestStatus::from_str(&s))?, n)))
            .collect()
    }

    pub async fn insert_offer(
        &mut self,
        request: RequestId,
        interpreter: PersonId,
        now: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
        short_code: &str,
    ) -> Result<Offer, StoreError> {
        let sql = format!(
            "INSERT INTO offers (request_id, interpreter_id, status, created_at, expires_at, short_code) \
             VALUES ($1, $2, 'pending', $3, $4, $5) RETURNING {OFFER_COLUMNS}"
        );
        let row: OfferRow = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(request.0)
            .bind(interpreter.0)
            .bind(now)
            .bind(expires_at)
            .bind(short_code)
            .fetch_one(c)
            .await
            .map_err(|e| StoreError::from_unique(
                e,
                "this interpreter already has a pending offer for this request"
            ))?);
        row.try_into()
    }

    /// Codes in use among an interpreter's open offers and bookings: a new code must differ.
    pub async fn codes_in_use(&mut self, interpreter: PersonId) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT o.short_code FROM offers o JOIN requests r ON r.id = o.request_id \
             WHERE o.interpreter_id = $1 AND o.short_code IS NOT NULL \
             AND r.status IN ('offered', 'booked', 'modified')";
        let codes: Vec<String> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(interpreter.0)
            .fetch_all(c)
            .await?);
        Ok(codes)
    }

    /// What an interpreter can answer YES or NO to: pending offers of offered requests, and
    /// assigned requests modified since they accepted. With each, the code they were given.
    pub async fn open_answers(
        &mut self,
        interpreter: PersonId,
    ) -> Result<Vec<(RequestId, Option<String>)>, StoreError> {
        const SQL: &str = "SELECT r.id, o.short_code FROM offers o JOIN requests r ON r.id = o.request_id \
             WHERE o.interpreter_id = $1 AND ((o.status = 'pending' AND r.status = 'offered') \
             OR (o.status = 'accepted' AND r.status = 'modified' AND r.assigned_interpreter_id = $1)) \
             ORDER BY r.starts_at, r.id";
        let rows: Vec<(i64, Option<String>)> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(interpreter.0).fetch_all(c).await?);
        Ok(rows.into_iter().map(|(id, code)| (RequestId(id), code)).collect())
    }

    /// An interpreter's bookings (booked or modified), with the code of their offer.
    pub async fn bookings_of(&mut self, interpreter: PersonId) -> Result<Vec<(RequestId, Option<String>)>, StoreError> {
        const SQL: &str = "SELECT r.id, (SELECT o.short_code FROM offers o WHERE o.request_id = r.id \
             AND o.interpreter_id = $1 ORDER BY o.id DESC LIMIT 1) FROM requests r \
             WHERE r.assigned_interpreter_id = $1 AND r.status IN ('booked', 'modified') ORDER BY r.starts_at, r.id";
        let rows: Vec<(i64, Option<String>)> =
            on_conn!(self, |c| sqlx::query_as(SQL).bind(interpreter.0).fetch_all(c).await?);
        Ok(rows.into_iter().map(|(id, code)| (RequestId(id), code)).collect())
    }

    /// The code an interpreter was given for a request, if any.
    pub async fn offer_code(
        &mut self,
        request: RequestId,
        interpreter: PersonId,
    ) -> Result<Option<String>, StoreError> {
        const SQL: &str =
            "SELECT short_code FROM offers WHERE request_id = $1 AND interpreter_id = $2 ORDER BY id DESC LIMIT 1";
        let code: Option<Option<String>> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(request.0)
            .bind(interpreter.0)
            .fetch_optional(c)
            .await?);
        Ok(code.flatten())
    }

    /// The request of an interpreter's latest offer closed without them (filled by someone
    /// else, lapsed or cancelled) since `since`, with that code if one is given.
    /// The requests of an interpreter's offers closed since `since` (with `code`, only that
    /// offer's), newest first, at most two: enough to tell one from several.
    pub async fn recently_closed_offers(
        &mut self,
        interpreter: PersonId,
        code: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<RequestId>, StoreError> {
        const SQL: &str = "SELECT request_id FROM offers WHERE interpreter_id = $1 \
             AND status IN ('withdrawn', 'lapsed') AND responded_at >= $2 \
             AND ($3 IS NULL OR short_code = $3) ORDER BY responded_at DESC, id DESC LIMIT 2";
        let ids: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(interpreter.0)
            .bind(since)
            .bind(code)
            .fetch_all(c)
            .await?);
        Ok(ids.into_iter().map(RequestId).collect())
    }

    pub async fn offers_of_request(&mut self, request: RequestId) -> Result<Vec<Offer>, StoreError> {
        let sql = format!("SELECT {OFFER_COLUMNS} FROM offers WHERE request_id = $1 ORDER BY id");
        let rows: Vec<OfferRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(request.0)
            .fetch_all(c)
            .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Closes pending offers of a request (all, or one interpreter's) with `status`.
    /// Returns the interpreters whose offer was closed.
    pub async fn close_pending_offers(
        &mut self,
        request: RequestId,
        only: Option<PersonId>,
        status: OfferStatus,
        now: DateTime<Utc>,
    ) -> Result<Vec<PersonId>, StoreError> {
        const SQL: &str = "UPDATE offers SET status = $2, responded_at = $3 \
             WHERE request_id = $1 AND status = 'pending' AND ($4 IS NULL OR interpreter_id = $4) \
             RETURNING interpreter_id";
        let ids: Vec<i64> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(request.0)
            .bind(status.as_str())
            .bind(now)
            .bind(only.map(|p| p.0))
            .fetch_all(c)
            .await?);
        Ok(ids.into_iter().map(PersonId).collect())
    }

    pub async fn upsert_service_record(
        &mut self,
        request: RequestId,
        record: &ServiceRecord,
        recorded_by: Option<PersonId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO service_records (request_id, completed, interpreter_present, arrival_time, \
             actual_start, actual_end, actual_minutes, overtime_reason, general_reason, cancellation_reason, \
             cancelled_on, cancelled_time, waiting_minutes, distance_km, travel_minutes, phone_calls, words, \
             other_fees, services_given, comments, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) \
             ON CONFLICT (request_id) DO UPDATE SET completed = excluded.completed, \
             interpreter_present = excluded.interpreter_present, arrival_time = excluded.arrival_time, \
             actual_start = excluded.actual_start, actual_end = excluded.actual_end, \
             actual_minutes = excluded.actual_minutes, overtime_reason = excluded.overtime_reason, \
             general_reason = excluded.general_reason, cancellation_reason = excluded.cancellation_reason, \
             cancelled_on = excluded.cancelled_on, cancelled_time = excluded.cancelled_time, \
             waiting_minutes = excluded.waiting_minutes, distance_km = excluded.distance_km, \
             travel_minutes = excluded.travel_minutes, phone_calls = excluded.phone_calls, words = excluded.words, \
             other_fees = excluded.other_fees, services_given = excluded.services_given, \
             comments = excluded.comments, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at";
        let c = record.cancellation.as_ref();
        on_conn!(self, |conn| sqlx::query(SQL)
            .bind(request.0)
            .bind(record.completed)
            .bind(record.interpreter_present)
            .bind(record.arrival_time)
            .bind(record.actual_start)
            .bind(record.actual_end)
            .bind(record.actual_minutes.map(i64::from))
            .bind(record.overtime_reason.as_deref())
            .bind(c.map(|c| c.general.as_str()))
            .bind(c.map(|c| c.reason.as_str()))
            .bind(c.map(|c| c.date))
            .bind(c.map(|c| c.time))
            .bind(i64::from(record.waiting_minutes))
            .bind(record.distance_km.normalize().to_string())
            .bind(i64::from(record.travel_minutes))
            .bind(i64::from(record.phone_calls))
            .bind(i64::from(record.words))
            .bind(record.other_fees.normalize().to_string())
            .bind(record.services_given.map(i64::from))
            .bind(record.comments.as_deref())
            .bind(recorded_by.map(|p| p.0))
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Keeps the requester's words with the record they contest.
    pub async fn set_contest_note(&mut self, request: RequestId, note: Option<&str>) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE service_records SET contest_note = $2 WHERE request_id = $1";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(request.0)
            .bind(note)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The requester's words when they contested the record, if any.
    pub async fn contest_note(&mut self, request: RequestId) -> Result<Option<String>, StoreError> {
        const SQL: &str = "SELECT contest_note FROM service_records WHERE request_id = $1";
        let note: Option<Option<String>> = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(request.0)
            .fetch_optional(c)
            .await?);
        Ok(note.flatten())
    }

    pub async fn service_record(&mut self, request: RequestId) -> Result<Option<ServiceRecord>, StoreError> {
        let sql = format!("SELECT {SERVICE_RECORD_COLUMNS} FROM service_records WHERE request_id = $1");
        let row: Option<ServiceRecordRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(request.0)
            .fetch_optional(c)
            .await?);
        row.map(TryInto::try_into).transpose()
    }
}
