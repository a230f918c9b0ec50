//! Rows to bytes: a CSV file or an Excel workbook with a "Demandes" sheet (real dates and
//! times, bold frozen header, autofilter) and a "Statistiques" sheet, written by
//! [`super::workbook`]. The columns are defined once, here, for both. Pure: no database, no
//! file.
//!
//! The CSV is written by [`crate::domain::spreadsheet`] for the export's language, so that
//! Excel opens it by double-click: UTF-8 with a byte-order mark, one header line, `;` between
//! fields in French and `,` in English; dates `YYYY-MM-DD`, times `HH:MM`, timestamps
//! `YYYY-MM-DD HH:MM` in the bank's time zone. Text a spreadsheet could take for a formula
//! (`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading `'` in the CSV; the workbook
//! writes every text as a string cell, never as a formula.

use super::filter::ExportFilter;
use super::row::ExportRow;
use crate::domain::locale::Locale;
use crate::domain::request::Field;
use crate::domain::spreadsheet::{CsvFile, Value};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::XlsxError;
use std::fmt;
use std::str::FromStr;

/// The file an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    /// For a download's `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The format a file name's extension names, if any.
    pub fn from_path(path: &std::path::Path) -> Option<ExportFormat> {
        path.extension()?.to_str()?.parse().ok()
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("format {0:?}: expected csv or xlsx")]
pub struct UnknownFormat(pub String);

impl FromStr for ExportFormat {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" | "excel" => Ok(ExportFormat::Xlsx),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

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
    pub fn header(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Column::Number => ("Numéro de demande", "Request number"),
            Column::Date => return Field::Date.label(locale),
            Column::StartTime => return Field::StartTime.label(locale),
            Column::ScheduledMinutes => ("Durée prévue (min)", "Scheduled duration (min)"),
            Column::Status => ("Statut", "Status"),
            Column::RequestType => return Field::RequestType.label(locale),
            Column::SourceLanguage => return Field::SourceLanguage.label(locale),
            Column::TargetLanguage => return Field::TargetLanguage.label(locale),
            Column::Establishment => ("Établissement", "Establishment"),
            Column::Installation => return Field::Installation.label(locale),
            Column::Location => return Field::Location.label(locale),
            Column::CostCentre => return Field::CostCentre.label(locale),
            Column::BillingCode => return Field::BillingCode.label(locale),
            Column::Requester => ("Demandeur", "Requester"),
            Column::Interpreter => ("Interprète", "Interpreter"),
            Column::InterpreterCode => ("Code d'utilisateur de l'interprète", "Interpreter's user code"),
            Column::WorkedMinutes => ("Durée réelle (min)", "Actual duration (min)"),
            Column::Completed => ("Demande terminée", "Completed"),
            Column::CancellationReason => ("Raison d'annulation", "Cancellation reason"),
            Column::LateCancellation => ("Annulation tardive", "Late cancellation"),
            Column::CreatedAt => ("Créée le", "Created on"),
            Column::BookedAt => ("Réservée le", "Booked on"),
        };
        locale.pick(fr, en)
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
        let yes_no = |b: bool| {
            Cell::Text(
                locale
                    .pick(if b { "oui" } else { "non" }, if b { "yes" } else { "no" })
                    .into(),
            )
        };
        let local = |at: DateTime<Utc>| Cell::DateTime(at.with_timezone(&options.time_zone).naive_local());
        match self {
            Column::Number => opt_text(row.number.as_ref().map(|n| n.as_str())),
            Column::Date => Cell::Date(row.date),
            Column::StartTime => Cell::Time(row.start_time),
            Column::ScheduledMinutes => Cell::Number(row.duration_minutes),
            Column::Status => text(row.status.label(locale)),
            Column::RequestType => text(row.request_type.label(locale)),
            Column::SourceLanguage => text(row.source_language.name(locale)),
            Column::TargetLanguage => text(row.target_language.name(locale)),
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
    fn into_csv(self) -> Value {
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

/// The rows as CSV for the options' language: a header line, then one line per request.
pub fn to_csv(rows: &[ExportRow], options: &ExportOptions) -> Result<Vec<u8>, WriteError> {
    let mut file = CsvFile::new(options.locale);
    file.row(Column::ALL.iter().map(|c| c.header(options.locale)))?;
    for row in rows {
        file.row(Column::ALL.iter().map(|c| c.cell(row, options).into_csv()))?;
    }
    Ok(file.finish()?)
}

/// The rows as an Excel workbook: the requests sheet, then the statistics sheet.
pub fn to_xlsx(rows: &[ExportRow], filter: &ExportFilter, options: &ExportOptions) -> Result<Vec<u8>, WriteError> {
    super::workbook::write(rows, filter, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_from_names_and_paths() {
        assert_eq!("CSV".parse(), Ok(ExportFormat::Csv));
        assert_eq!("xlsx".parse(), Ok(ExportFormat::Xlsx));
        assert!("ods".parse::<ExportFormat>().is_err());
        assert_eq!(
            ExportFormat::from_path(std::path::Path::new("/tmp/a.XLSX")),
            Some(ExportFormat::Xlsx)
        );
        assert_eq!(ExportFormat::from_path(std::path::Path::new("/tmp/a")), None);
    }

    use crate::domain::ids::RequestId;
    use crate::domain::language::LanguageTag;
    use crate::domain::request::{RequestStatus, RequestType};
    use crate::domain::spreadsheet::{UTF8_BOM, delimiter};
    use chrono::TimeZone;

    fn options(locale: Locale) -> ExportOptions {
        ExportOptions {
            locale,
            time_zone: chrono_tz::America::Toronto,
            generated_at: Utc.with_ymd_and_hms(2026, 12, 31, 12, 0, 0).unwrap(),
        }
    }

    fn row() -> ExportRow {
        ExportRow {
            id: RequestId(1),
            number: Some("HC-26339001".parse().unwrap()),
            date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            start_time: NaiveTime::from_hms_opt(14, 30, 0).unwrap(),
            duration_minutes: 90,
            status: RequestStatus::Booked,
            request_type: RequestType::InPerson,
            source_language: LanguageTag::parse("fr").unwrap(),
            target_language: LanguageTag::parse("es").unwrap(),
            establishment: "CIUSSS du Centre-Sud".into(),
            installation: "Hôpital Notre-Dame".into(),
            location: "Clinique externe; 3e étage".into(),
            cost_centre: Some("7301110".into()),
            billing_code: Some("-FAC".into()),
            requester: "=Marie Tremblay".into(),
            interpreter: None,
            service: None,
            cancellation: None,
            // 14:00 UTC is 09:00 in Montréal.
            created_at: Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap(),
            booked_at: Some(Utc.with_ymd_and_hms(2026, 12, 2, 15, 45, 0).unwrap()),
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
    fn the_csv_is_what_excel_opens_in_the_export_language() {
        let fr = to_csv(&[row()], &options(Locale::Fr)).unwrap();
        assert!(fr.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte-order mark first");
        let text = std::str::from_utf8(&fr[3..]).unwrap();
        assert!(text.starts_with("Numéro de demande;Date du service;Heure du service;"));
        assert!(
            text.contains(";\"Clinique externe; 3e étage\";"),
            "a value holding `;` is quoted: {text}"
        );
        let en = to_csv(&[row()], &options(Locale::En)).unwrap();
        assert!(en.starts_with(UTF8_BOM));
        assert!(
            std::str::from_utf8(&en[3..])
                .unwrap()
                .starts_with("Request number,Date of service,")
        );

        for locale in Locale::ALL {
            let bytes = to_csv(&[row()], &options(locale)).unwrap();
            let rows = read_back(&bytes, locale);
            assert_eq!(rows.len(), 2, "{locale}: a header and a request");
            let headers: Vec<&str> = Column::ALL.iter().map(|c| c.header(locale)).collect();
            assert_eq!(rows[0], headers, "{locale}");
            let cell = |c: Column| rows[1][Column::ALL.iter().position(|x| *x == c).unwrap()].as_str();
            assert_eq!(cell(Column::Number), "HC-26339001");
            assert_eq!(cell(Column::Date), "2026-12-05");
            assert_eq!(cell(Column::StartTime), "14:30");
            assert_eq!(cell(Column::ScheduledMinutes), "90");
            assert_eq!(cell(Column::Location), "Clinique externe; 3e étage");
            assert_eq!(
                cell(Column::CreatedAt),
                "2026-12-01 09:00",
                "local time, no T, no offset"
            );
            assert_eq!(cell(Column::BookedAt), "2026-12-02 10:45");
            assert_eq!(cell(Column::Requester), "'=Marie Tremblay", "formula guard");
            assert_eq!(cell(Column::BillingCode), "'-FAC");
            assert_eq!(cell(Column::WorkedMinutes), "");
        }
    }

    #[test]
    fn an_empty_export_is_the_mark_and_the_header() {
        let bytes = to_csv(&[], &options(Locale::Fr)).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        assert_eq!(read_back(&bytes, Locale::Fr).len(), 1);
    }

    #[test]
    fn every_column_has_a_header_in_both_languages() {
        for c in Column::ALL {
            assert!(!c.header(Locale::Fr).is_empty() && !c.header(Locale::En).is_empty());
        }
        let fr: std::collections::HashSet<_> = Column::ALL.iter().map(|c| c.header(Locale::Fr)).collect();
        assert_eq!(fr.len(), Column::ALL.len(), "headers are distinct");
    }
}
