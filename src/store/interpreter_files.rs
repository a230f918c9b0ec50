//! An interpreter's files (« Fichiers » of the profile): a cheque specimen, a training
//! certificate, a permit's scan. Kept in the database like the requests' attachments (one
//! backup, one transaction), checked before they get here (`web::uploads::check_file`).

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::PersonId;
use crate::store::attachments::NewAttachment;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// A kept file, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InterpreterFile {
    pub id: i64,
    pub file_name: String,
    pub description: Option<String>,
    pub size: i64,
    pub uploaded_at: DateTime<Utc>,
}

impl Tx {
    /// Keeps `file` in `person`'s profile; its id.
    pub async fn insert_interpreter_file(
        &mut self,
        person: PersonId,
        description: Option<&str>,
        file: &NewAttachment,
        uploaded_by: Option<PersonId>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO interpreter_files (person_id, description, filename, content_type, size_bytes, \
             sha256, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        let sha: String = Sha256::digest(&file.content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let size = i64::try_from(file.content.len()).unwrap_or(i64::MAX);
        Ok(on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(description)
            .bind(&file.file_name)
            .bind(&file.content_type)
            .bind(size)
            .bind(&sha)
            .bind(&file.content)
            .bind(uploaded_by.map(|p| p.0))
            .bind(now)
            .fetch_one(c)
            .await?))
    }

    /// `person`'s files, the oldest first.
    pub async fn interpreter_files(&mut self, person: PersonId) -> Result<Vec<InterpreterFile>, StoreError> {
        const SQL: &str = "SELECT id, filename AS file_name, description, size_bytes AS size, uploaded_at \
             FROM interpreter_files WHERE person_id = $1 ORDER BY id";
        Ok(on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(person.0)
            .fetch_all(c)
            .await?))
    }

    /// One of `person`'s files with its bytes.
    pub async fn interpreter_file_content(
        &mut self,
        person: PersonId,
        id: i64,
    ) -> Result<Option<(InterpreterFile, Vec<u8>)>, StoreError> {
        const SQL: &str = "SELECT id, filename AS file_name, description, size_bytes AS size, uploaded_at, content \
             FROM interpreter_files WHERE person_id = $1 AND id = $2";
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            info: InterpreterFile,
            content: Vec<u8>,
        }
        let row: Option<Row> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(person.0)
            .bind(id)
            .fetch_optional(c)
            .await?);
        Ok(row.map(|r| (r.info, r.content)))
    }

    /// Removes one of `person`'s files; `None` when they have no such file.
    pub async fn delete_interpreter_file(
        &mut self,
        person: PersonId,
        id: i64,
    ) -> Result<Option<InterpreterFile>, StoreError> {
        let Some(held) = self.interpreter_files(person).await?.into_iter().find(|f| f.id == id) else {
            return Ok(None);
        };
        const SQL: &str = "DELETE FROM interpreter_files WHERE person_id = $1 AND id = $2";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected());
        Ok(Some(held))
    }
}
