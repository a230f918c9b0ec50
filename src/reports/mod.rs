//! Exports of requests: a CSV file, or an Excel workbook with the requests and a statistics
//! sheet (SeTIS: "extraire les données statistiques en format Excel").
//!
//! The flow reads one way: an [`ExportFilter`] parsed at the edge (the CLI, later the web)
//! → one store query, [`crate::store::Tx::export_rows`] → [`ExportRow`]s → pure writers,
//! [`export::to_csv`] and `workbook::write` (whose statistics come from [`stats`]).
//! [`export_requests`] runs the whole of it and returns the bytes, for the CLI and for a
//! download button.
//!
//! Exports are administrative. Health information never leaves through them: [`ExportRow`]
//! has no field for the patient's name, phone or details, the request's notes, the address
//! or the record's comments, and the store query does not select them.

pub mod calendar_feed;
mod columns;
pub mod export;
pub mod stats;
mod workbook;

pub use crate::domain::export::filter::{DatePreset, ExportFilter, FilterError, InterpreterRef, Period};
pub use crate::domain::export::row::ExportRow;
pub use export::{ExportFormat, ExportOptions, WriteError};
pub use workbook::sheet_names;

use crate::domain::role::Role;
use crate::store::{Store, StoreError, Tx};

/// An export, ready to be saved or downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub format: ExportFormat,
    /// How many requests it holds.
    pub rows: usize,
    pub bytes: Vec<u8>,
}

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The filter names an establishment code nobody has: a typo, not an empty export.
    #[error("no establishment has the code {0:?}")]
    UnknownEstablishment(String),
    /// The filter names nobody, or somebody who is not an interpreter.
    #[error("no interpreter is {0}")]
    UnknownInterpreter(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Reads the requests `filter` selects, in one read transaction, and writes them as `format`.
pub async fn export_requests(
    store: &Store,
    filter: &ExportFilter,
    format: ExportFormat,
    options: &ExportOptions,
) -> Result<Export, ExportError> {
    let mut tx = store.begin_read().await?;
    check_references(&mut tx, filter).await?;
    let rows = tx.export_rows(filter).await?;
    tx.commit().await?;
    let bytes = match format {
        ExportFormat::Csv => export::to_csv(&rows, options)?,
        ExportFormat::Xlsx => workbook::write(&rows, filter, options)?,
    };
    Ok(Export {
        format,
        rows: rows.len(),
        bytes,
    })
}

/// An establishment or interpreter the filter names must exist.
async fn check_references(tx: &mut Tx, filter: &ExportFilter) -> Result<(), ExportError> {
    if let Some(code) = &filter.establishment
        && tx.establishment_by_code(code).await?.is_none()
    {
        return Err(ExportError::UnknownEstablishment(code.clone()));
    }
    if let Some(interpreter) = &filter.interpreter {
        let person = match interpreter {
            InterpreterRef::Code(code) => tx.person_by_user_code(code).await?,
            InterpreterRef::Id(id) => match tx.person(*id).await {
                Ok(person) => Some(person),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
        };
        if !person.is_some_and(|p| p.has_role(Role::Interpreter)) {
            return Err(ExportError::UnknownInterpreter(interpreter.to_string()));
        }
    }
    Ok(())
}
