//! The export's file formats, and its rows as a CSV file. The Excel workbook is written by
//! [`super::workbook`]; both take their columns from [`super::columns`]. Pure: no database,
//! no file.
//!
//! The CSV is written by [`crate::domain::spreadsheet`] for the export's language, so that
//! Excel opens it by double-click: UTF-8 with a byte-order mark, one header line, `;` between
//! fields in French and `,` in English; dates `YYYY-MM-DD`, times `HH:MM`, timestamps
//! `YYYY-MM-DD HH:MM` in the bank's time zone. Text a spreadsheet could take for a formula
//! (`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading `'` in the CSV; the workbook
//! writes every text as a string cell, never as a formula.

use super::columns::Column;
pub use super::columns::{ExportOptions, WriteError};
use crate::domain::export::row::ExportRow;
use crate::domain::spreadsheet::CsvFile;
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

/// The rows as CSV for the options' language: a header line, then one line per request.
pub fn to_csv(rows: &[ExportRow], options: &ExportOptions) -> Result<Vec<u8>, WriteError> {
    let mut file = CsvFile::new(options.locale);
    file.row(Column::ALL.iter().map(|c| c.header(options.locale)))?;
    for row in rows {
        file.row(Column::ALL.iter().map(|c| c.cell(row, options).into_csv()))?;
    }
    Ok(file.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::locale::Locale;
    use chrono::{NaiveDate, NaiveTime, Utc};

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
            let headers: Vec<String> = Column::ALL.iter().map(|c| c.header(locale)).collect();
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
