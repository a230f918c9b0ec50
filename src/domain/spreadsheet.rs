//! CSV files as a spreadsheet opens them by double-click in the reader's language: what the
//! requests export and the billing documents share.
//!
//! Excel on Windows reads a double-clicked `.csv` with the regional settings of the machine:
//! without a byte-order mark it takes the bytes for the local code page (accents come out as
//! `Ã©`), and it splits fields on the *list separator*, `;` where the decimal separator is the
//! comma (French) and `,` where it is the dot (English). So a [`CsvFile`] starts with the
//! UTF-8 byte-order mark, separates with `;` in French and `,` in English, and writes each
//! [`Value`] the way that locale reads it:
//!
//! - decimals with the locale's decimal separator and nothing else (`82,00` / `82.00`: no
//!   thousands separator, no currency symbol), so they are numbers that can be summed;
//! - dates `YYYY-MM-DD`, times `HH:MM`, both `YYYY-MM-DD HH:MM`, which Excel takes for dates
//!   and times in either language;
//! - text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or
//!   a carriage return) with a leading `'`. Numbers are never text, so a negative amount stays
//!   a number.
//!
//! Fields holding the separator, a quote or a line break are quoted. No `sep=;` line: Excel
//! honours it but then ignores the byte-order mark.
//!
//! Pure: the file is built in memory.

use crate::domain::locale::Locale;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

/// The UTF-8 byte-order mark every file starts with.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The field separator of `locale`'s spreadsheets: Excel's list separator there.
pub fn delimiter(locale: Locale) -> u8 {
    match locale {
        Locale::Fr => b';',
        Locale::En => b',',
    }
}

/// A decimal as a spreadsheet in `locale` reads a number: `-1234,50` in French, `-1234.50`
/// in English. The scale is kept (`82.00` stays two decimals); no grouping, no symbol.
pub fn decimal(value: Decimal, locale: Locale) -> String {
    let plain = value.to_string();
    match locale {
        Locale::Fr => plain.replace('.', ","),
        Locale::En => plain,
    }
}

/// Prefixes `'` to text a spreadsheet would read as a formula (CSV injection).
pub fn guard_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// One cell of a row, typed so that it is written as the reader's spreadsheet reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Value {
    #[default]
    Empty,
    /// Free text: guarded against formulas.
    Text(String),
    /// A whole number (minutes, counts): wide enough for any `u64` or `i64`.
    Integer(i128),
    /// A decimal (an amount): the locale's decimal separator.
    Decimal(Decimal),
    Date(NaiveDate),
    Time(NaiveTime),
    DateTime(NaiveDateTime),
}

impl Value {
    /// The field as written in `locale`'s file.
    pub fn field(&self, locale: Locale) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => guard_formula(s),
            Value::Integer(n) => n.to_string(),
            Value::Decimal(d) => decimal(*d, locale),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Time(t) => t.format("%H:%M").to_string(),
            Value::DateTime(dt) => dt.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_string())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

/// A CSV file for `locale`'s spreadsheets, written row by row in memory.
pub struct CsvFile {
    locale: Locale,
    writer: csv::Writer<Vec<u8>>,
}

impl CsvFile {
    /// An empty file: the byte-order mark, nothing else yet.
    pub fn new(locale: Locale) -> CsvFile {
        let writer = csv::WriterBuilder::new()
            .delimiter(delimiter(locale))
            .from_writer(UTF8_BOM.to_vec());
        CsvFile { locale, writer }
    }

    /// Appends a row; every row of a file must have as many values as the first.
    pub fn row<I>(&mut self, values: I) -> Result<(), csv::Error>
    where
        I: IntoIterator,
        I::Item: Into<Value>,
    {
        let locale = self.locale;
        self.writer.write_record(values.into_iter().map(|v| {
            let v: Value = v.into();
            v.field(locale)
        }))
    }

    /// The bytes of the file.
    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn file(locale: Locale, rows: &[Vec<Value>]) -> Vec<u8> {
        let mut file = CsvFile::new(locale);
        for row in rows {
            file.row(row.iter().cloned()).unwrap();
        }
        file.finish().unwrap()
    }

    /// Reads a file back as a spreadsheet would: byte-order mark off, the locale's separator.
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

    fn sample() -> Vec<Vec<Value>> {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let at = NaiveTime::from_hms_opt(14, 30, 0).unwrap();
        vec![
            vec![
                "Lieu".into(),
                "Montant".into(),
                "Date".into(),
                "Heure".into(),
                "Le".into(),
                "Min".into(),
            ],
            vec![
                "Clinique; 3e étage, aile B".into(),
                Value::Decimal(d("82.00")),
                Value::Date(day),
                Value::Time(at),
                Value::DateTime(day.and_time(at)),
                Value::Integer(120),
            ],
            vec![
                "=HYPERLINK(\"x\")".into(),
                Value::Decimal(d("-1234.50")),
                Value::Empty,
                Value::Empty,
                Value::Empty,
                Value::Integer(-5),
            ],
        ]
    }

    #[test]
    fn a_file_starts_with_the_byte_order_mark_even_when_empty() {
        for locale in Locale::ALL {
            assert_eq!(file(locale, &[]), UTF8_BOM);
            assert!(file(locale, &sample()).starts_with(b"\xEF\xBB\xBF"));
        }
    }

    #[test]
    fn french_separates_with_semicolons_and_writes_decimal_commas() {
        let text = String::from_utf8(file(Locale::Fr, &sample())).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Lieu;Montant;Date;Heure;Le;Min");
        assert_eq!(
            lines[1], "\"Clinique; 3e étage, aile B\";82,00;2026-12-05;14:30;2026-12-05 14:30;120",
            "the value holding `;` is quoted, the comma alone needs nothing"
        );
        assert_eq!(lines[2], "\"'=HYPERLINK(\"\"x\"\")\";-1234,50;;;;-5");
    }

    #[test]
    fn english_separates_with_commas_and_writes_decimal_points() {
        let text = String::from_utf8(file(Locale::En, &sample())).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Lieu,Montant,Date,Heure,Le,Min");
        assert_eq!(
            lines[1],
            "\"Clinique; 3e étage, aile B\",82.00,2026-12-05,14:30,2026-12-05 14:30,120"
        );
        assert_eq!(lines[2], "\"'=HYPERLINK(\"\"x\"\")\",-1234.50,,,,-5");
    }

    #[test]
    fn rows_read_back_the_same_with_the_locale_separator() {
        for locale in Locale::ALL {
            let rows = sample();
            let expected: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|v| v.field(locale)).collect())
                .collect();
            assert_eq!(read_back(&file(locale, &rows), locale), expected, "{locale}");
            assert_eq!(
                read_back(&file(locale, &rows), locale)[1][0],
                "Clinique; 3e étage, aile B"
            );
        }
    }

    #[test]
    fn decimals_keep_their_scale_and_take_the_locale_separator_only() {
        assert_eq!(decimal(d("82.00"), Locale::Fr), "82,00");
        assert_eq!(decimal(d("82.00"), Locale::En), "82.00");
        assert_eq!(decimal(d("1234567.89"), Locale::Fr), "1234567,89", "no grouping");
        assert_eq!(decimal(d("-0.50"), Locale::Fr), "-0,50");
        assert_eq!(decimal(d("7"), Locale::Fr), "7");
    }

    #[test]
    fn numbers_are_never_guarded_text_is() {
        for locale in Locale::ALL {
            assert_eq!(Value::Decimal(d("-5.00")).field(locale).chars().next(), Some('-'));
            assert_eq!(Value::Integer(-5).field(locale), "-5");
            assert_eq!(Value::from("-5.00").field(locale), "'-5.00", "the same as text");
        }
    }

    #[test]
    fn dates_and_times_are_what_excel_reads_as_such() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let at = NaiveTime::from_hms_opt(9, 5, 59).unwrap();
        for locale in Locale::ALL {
            assert_eq!(Value::Date(day).field(locale), "2026-01-02");
            assert_eq!(Value::Time(at).field(locale), "09:05");
            assert_eq!(Value::DateTime(day.and_time(at)).field(locale), "2026-01-02 09:05");
        }
    }

    #[test]
    fn formulas_are_defused_and_the_rest_left_alone() {
        for risky in ["=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard_formula(risky), format!("'{risky}"));
        }
        for safe in ["Hôpital", "", " =1", "1-2", "'already"] {
            assert_eq!(guard_formula(safe), safe);
        }
    }

    #[test]
    fn delimiters_follow_the_language() {
        assert_eq!(delimiter(Locale::Fr), b';');
        assert_eq!(delimiter(Locale::En), b',');
    }
}
