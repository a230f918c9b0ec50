//! The Excel workbook: a "Demandes" sheet with real dates, times and numbers, a bold
//! frozen header and an autofilter, then a "Statistiques" sheet with the tallies of
//! [`super::stats`]. Every text is written as a string cell, never as a formula.

use super::columns::{Cell, Column, ExportOptions, WriteError};
use super::stats::{Statistics, Tally};
use crate::domain::export::filter::ExportFilter;
use crate::domain::export::row::ExportRow;
use crate::domain::locale::Locale;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// Names of the two sheets.
pub fn sheet_names(locale: Locale) -> (String, String) {
    (
        locale.text("export-sheet-requests"),
        locale.text("export-sheet-statistics"),
    )
}

/// The rows as an Excel workbook: the requests sheet, then the statistics sheet.
pub(super) fn write(rows: &[ExportRow], filter: &ExportFilter, options: &ExportOptions) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let (requests_name, stats_name) = sheet_names(options.locale);
    requests_sheet(
        workbook.add_worksheet().set_name(requests_name)?,
        rows,
        options,
        &formats,
    )?;
    stats_sheet(
        workbook.add_worksheet().set_name(stats_name)?,
        &Statistics::of(rows),
        filter,
        options,
        &formats,
    )?;
    Ok(workbook.save_to_buffer()?)
}

struct Formats {
    bold: Format,
    date: Format,
    time: Format,
    datetime: Format,
    hours: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("hh:mm"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            hours: Format::new().set_num_format("0.00"),
        }
    }
}

/// Excel refuses longer strings in a cell; no input may make the export fail.
const MAX_CELL_CHARS: usize = 32_767;

fn write_text(sheet: &mut Worksheet, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
    if text.chars().count() > MAX_CELL_CHARS {
        let cut: String = text.chars().take(MAX_CELL_CHARS).collect();
        sheet.write_string(row, col, cut)?;
    } else {
        sheet.write_string(row, col, text)?;
    }
    Ok(())
}

fn requests_sheet(
    sheet: &mut Worksheet,
    rows: &[ExportRow],
    options: &ExportOptions,
    formats: &Formats,
) -> Result<(), WriteError> {
    for (col, column) in (0u16..).zip(Column::ALL) {
        sheet.write_string_with_format(0, col, column.header(options.locale), &formats.bold)?;
        sheet.set_column_width(col, column.width())?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (col, column) in (0u16..).zip(Column::ALL) {
            match column.cell(row, options) {
                Cell::Empty => {}
                Cell::Text(s) => write_text(sheet, r, col, &s)?,
                Cell::Number(n) => {
                    sheet.write_number(r, col, f64::from(n))?;
                }
                Cell::Date(d) => {
                    sheet.write_date_with_format(r, col, d, &formats.date)?;
                }
                Cell::Time(t) => {
                    sheet.write_time_with_format(r, col, t, &formats.time)?;
                }
                Cell::DateTime(dt) => {
                    sheet.write_datetime_with_format(r, col, dt, &formats.datetime)?;
                }
            }
        }
    }
    let last_col = u16::try_from(Column::ALL.len() - 1).unwrap_or(u16::MAX);
    let last_row = u32::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}

/// Writes the statistics sheet from the top: what was exported, then one table per grouping.
fn stats_sheet(
    sheet: &mut Worksheet,
    stats: &Statistics,
    filter: &ExportFilter,
    options: &ExportOptions,
    formats: &Formats,
) -> Result<(), WriteError> {
    let l = options.locale;
    sheet.set_column_width(0, 40.0)?;
    for col in 1..=5 {
        sheet.set_column_width(col, 16.0)?;
    }
    sheet.write_string_with_format(0, 0, l.text("export-statistics-title"), &formats.bold)?;
    sheet.write_string(1, 0, l.text("export-made-on"))?;
    let made = options.generated_at.with_timezone(&options.time_zone).naive_local();
    sheet.write_datetime_with_format(1, 1, made, &formats.datetime)?;
    let mut row = 2u32;
    for (label, value) in filter.describe(l) {
        sheet.write_string(row, 0, label)?;
        write_text(sheet, row, 1, &value)?;
        row += 1;
    }

    let mut table = Table {
        sheet,
        formats,
        locale: l,
        row: row + 1,
    };
    table.section(&l.text("export-all"), [(l.text("export-all-requests"), stats.total)])?;
    table.section(
        &l.text("export-by-language-pair"),
        stats.by_language_pair.iter().map(|(k, t)| {
            let label = format!("{} → {}", k.source.name(l), k.target.name(l));
            (label, *t)
        }),
    )?;
    table.section(
        &l.text("export-by-request-type"),
        stats.by_request_type.iter().map(|(k, t)| (k.label(l).to_string(), *t)),
    )?;
    table.section(
        &l.text("export-by-establishment"),
        stats.by_establishment.iter().map(|(k, t)| (k.clone(), *t)),
    )?;
    table.section(
        &l.text("export-by-status"),
        stats.by_status.iter().map(|(k, t)| (k.label(l).to_string(), *t)),
    )?;
    table.section(
        &l.text("export-by-month"),
        stats.by_month.iter().map(|(k, t)| (k.to_string(), *t)),
    )?;
    Ok(())
}

/// The statistics sheet's tables, one under the other.
struct Table<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    locale: Locale,
    row: u32,
}

impl Table<'_> {
    /// A bold title line, a bold header line, one line per group, then a blank line.
    fn section(&mut self, title: &str, groups: impl IntoIterator<Item = (String, Tally)>) -> Result<(), WriteError> {
        let l = self.locale;
        let bold = &self.formats.bold;
        self.sheet.write_string_with_format(self.row, 0, title, bold)?;
        self.row += 1;
        let headers = [
            String::new(),
            l.text("export-requests"),
            l.text("export-cancelled"),
            l.text("export-scheduled-hours"),
            l.text("export-worked-hours"),
            l.text("export-services-recorded"),
        ];
        for (col, header) in (0u16..).zip(headers) {
            self.sheet.write_string_with_format(self.row, col, header, bold)?;
        }
        self.row += 1;
        for (label, t) in groups {
            write_text(self.sheet, self.row, 0, &label)?;
            self.sheet.write_number(self.row, 1, t.requests as f64)?;
            self.sheet.write_number(self.row, 2, t.cancelled as f64)?;
            self.sheet
                .write_number_with_format(self.row, 3, t.scheduled_hours(), &self.formats.hours)?;
            self.sheet
                .write_number_with_format(self.row, 4, t.worked_hours(), &self.formats.hours)?;
            self.sheet.write_number(self.row, 5, t.recorded as f64)?;
            self.row += 1;
        }
        self.row += 1;
        Ok(())
    }
}
