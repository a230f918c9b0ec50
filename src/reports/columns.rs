//! The columns of an export, defined once for the CSV file and the workbook: their
//! headers in both languages and each row's typed cell for them.

use crate::domain::export::row::ExportRow;
use crate::domain::locale::Locale;
use crate::domain::request::Field;
use crate::domain::spreadsheet::Value;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::XlsxError;

/// How an export reads: its language, the bank's time zone for timestamps, and when it
/// was made (shown on the statistics sheet).
#[derive(Debug, Clone, Copy)]
pub struct ExportOptions {
    pub locale: Locale,
    pub time_zone: Tz,
    pub generated_at: DateTime<Utc>,
}

/// What went wrong writing the bytes: a bug or a limit of the format, never the caller's input.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("XLSX: {0}")]
    Xlsx(#[from] XlsxError),
}

/// One column of the export, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Number,
    Date,
    StartTime,
    ScheduledMinutes,
    Status,
    RequestType,
    SourceLanguage,
    TargetLanguage,
    Establishment,
    Installation,
    Location,
    CostCentre,
    BillingCode,
    Requester,
    Interpreter,
    InterpreterCode,
    WorkedMinutes,
    Completed,
    CancellationReason,
    LateCancellation,
    CreatedAt,
    BookedAt,
}

impl Column {
    pub const ALL: [Column; 22] = [
        Column::Number,
        Column::Date,
        Column::StartTime,
        Column::ScheduledMinutes,
        Column::Status,
        Column::RequestType,
        Column::SourceLanguage,
        Column::TargetLanguage,
        Column::Establishment,
        Column::Installation,
        Column::Location,
        Column::CostCentre,
        Column::BillingCode,
        Column::Requester,
        Column::Interpreter,
        Column::InterpreterCode,
        Column::WorkedMinutes,
        Column::Completed,
        Column::CancellationReason,
        Column::LateCancellation,
        Column::CreatedAt,
        Column::BookedAt,
    ];

    /// The header people read, in the seeds' vocabulary (the request form's labels where
    /// the column is a form field).
    pub fn header(self, locale: Locale) -> String {
        let key = match self {
            Column::Number => "export-number",
            Column::Date => return Field::Date.label(locale).to_string(),
            Column::StartTime => return Field::StartTime.label(locale).to_string(),
            Column::ScheduledMinutes => "export-scheduled-minutes",
            Column::Status => "export-status",
            Column::RequestType => return Field::RequestType.label(locale).to_string(),
            Column::SourceLanguage => return Field::SourceLanguage.label(locale).to_string(),
            Column::TargetLanguage => return Field::TargetLanguage.label(locale).to_string(),
            Column::Establishment => "export-establishment",
            Column::Installation => return Field::Installation.label(locale).to_string(),
            Column::Location => return Field::Location.label(locale).to_string(),
            Column::CostCentre => return Field::CostCentre.label(locale).to_string(),
            Column::BillingCode => return Field::BillingCode.label(locale).to_string(),
            Column::Requester => "export-requester",
            Column::Interpreter => "export-interpreter",
            Column::InterpreterCode => "export-interpreter-code",
            Column::WorkedMinutes => "export-worked-minutes",
            Column::Completed => "export-completed",
            Column::CancellationReason => "export-cancellation-reason",
            Column::LateCancellation => "export-late-cancellation",
            Column::CreatedAt => "export-created-at",
            Column::BookedAt => "export-booked-at",
        };
        locale.text(key)
    }

    /// Width in the workbook, in characters.
    pub(super) fn width(self) -> f64 {
        match self {
            Column::Number | Column::Date | Column::CreatedAt | Column::BookedAt => 17.0,
            Column::StartTime | Column::ScheduledMinutes | Column::WorkedMinutes => 12.0,
            Column::Completed | Column::LateCancellation | Column::Status => 14.0,
            Column::CostCentre | Column::BillingCode | Column::InterpreterCode => 16.0,
            Column::RequestType | Column::SourceLanguage | Column::TargetLanguage => 20.0,
            Column::Requester | Column::Interpreter => 24.0,
            Column::Establishment | Column::Installation | Column::Location | Column::CancellationReason => 32.0,
        }
    }

    pub(super) fn cell(self, row: &ExportRow, options: &ExportOptions) -> Cell {
        let locale = options.locale;
        let text = |s: &str| Cell::Text(s.to_string());
        let opt_text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()));
        let yes_no = |b: bool| Cell::Text(locale.text(if b { "export-yes" } else { "export-no" }));
        let local = |at: DateTime<Utc>| Cell::DateTime(at.with_timezone(&options.time_zone).naive_local());
        match self {
            Column::Number => opt_text(row.number.as_ref().map(|n| n.as_str())),
            Column::Date => Cell::Date(row.date),
            Column::StartTime => Cell::Time(row.start_time),
            Column::ScheduledMinutes => Cell::Number(row.duration_minutes),
            Column::Status => text(row.status.label(locale)),
            Column::RequestType => text(row.request_type.label(locale)),
            Column::SourceLanguage => text(&row.source_language.name(locale)),
            Column::TargetLanguage => text(&row.target_language.name(locale)),
            Column::Establishment => text(&row.establishment),
            Column::Installation => text(&row.installation),
            Column::Location => text(&row.location),
            Column::CostCentre => opt_text(row.cost_centre.as_deref()),
            Column::BillingCode => opt_text(row.billing_code.as_deref()),
            Column::Requester => text(&row.requester),
            Column::Interpreter => opt_text(row.interpreter.as_ref().map(|i| i.name.as_str())),
            Column::InterpreterCode => opt_text(row.interpreter.as_ref().map(|i| i.user_code.as_str())),
            Column::WorkedMinutes => row
                .service
                .and_then(|s| s.worked_minutes)
                .map_or(Cell::Empty, Cell::Number),
            Column::Completed => row.service.map_or(Cell::Empty, |s| yes_no(s.completed)),
            Column::CancellationReason => row.cancellation.map_or(Cell::Empty, |c| text(c.reason.label(locale))),
            Column::LateCancellation => row.cancellation.map_or(Cell::Empty, |c| yes_no(c.late)),
            Column::CreatedAt => local(row.created_at),
            Column::BookedAt => row.booked_at.map_or(Cell::Empty, local),
        }
    }
}

/// A value as both formats need it: typed, so the workbook gets real dates and numbers.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Text(String),
    Number(u32),
    Date(NaiveDate),
    Time(NaiveTime),
    DateTime(NaiveDateTime),
}

impl Cell {
    /// The cell as the CSV writes it: text guarded against formulas, the rest as is.
    pub(super) fn into_csv(self) -> Value {
        match self {
            Cell::Empty => Value::Empty,
            Cell::Text(s) => Value::Text(s),
            Cell::Number(n) => Value::Integer(n.into()),
            Cell::Date(d) => Value::Date(d),
            Cell::Time(t) => Value::Time(t),
            Cell::DateTime(dt) => Value::DateTime(dt),
        }
    }
}
