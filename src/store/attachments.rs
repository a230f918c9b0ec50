//! Files joined to a request or its service record: kept in the database with the rest
//! (one backup, one transaction), checked before they get here (`web::record_form`). Those of the request form go with the
//! patient details at erasure; receipts of the service record stay for billing.

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::{PersonId, RequestId};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// What a file is joined to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentPurpose {
    Request,
    ServiceRecord,
}

impl AttachmentPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentPurpose::Request => "request",
            AttachmentPurpose::ServiceRecord => "service_record",
        }
    }
}

/// A file to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A kept file, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentInfo {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl Tx {
    pub async fn insert_attachment(
        &mut self,
        request: RequestId,
        purpose: AttachmentPurpose,
        file: &NewAttachment,
        uploaded_by: Option<PersonId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO request_attachments (request_id, purpose, filename, content_type, size_bytes, \
             sha256, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        let sha: String = Sha256::digest(&file.content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let size = i64::try_from(file.content.len()).unwrap_or(i64::MAX);
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(request.0)
            .bind(purpose.as_str())
            .bind(&file.file_name)
            .bind(&file.content_type)
            .bind(size)
            .bind(&sha)
            .bind(&file.content)
            .bind(uploaded_by.map(|p| p.0))
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn attachments_of(
        &mut self,
        request: RequestId,
        purpose: AttachmentPurpose,
    ) -> Result<Vec<AttachmentInfo>, StoreError> {
        const SQL: &str = "SELECT id, filename AS file_name, content_type, size_bytes AS size, sha256, uploaded_at \
             FROM request_attachments WHERE request_id = $1 AND purpose = $2 ORDER BY id";
        Ok(on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(request.0)
            .bind(purpose.as_str())
            .fetch_all(c)
            .await?))
    }

    /// One file with its bytes, when it belongs to `request` for `purpose`.
    pub async fn attachment_content(
        &mut self,
        request: RequestId,
        purpose: AttachmentPurpose,
        id: i64,
    ) -> Result<Option<(AttachmentInfo, Vec<u8>)>, StoreError> {
        const SQL: &str = "SELECT id, filename AS file_name, content_type, size_bytes AS size, sha256, uploaded_at, \
             content FROM request_attachments WHERE request_id = $1 AND purpose = $2 AND id = $3";
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            info: AttachmentInfo,
            content: Vec<u8>,
        }
        let row: Option<Row> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(request.0)
            .bind(purpose.as_str())
            .bind(id)
            .fetch_optional(c)
            .await?);
        Ok(row.map(|r| (r.info, r.content)))
    }
}

/// A file of a web form that came back with errors, held for the form's next sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldFile {
    pub token_hash: String,
    pub file: NewAttachment,
}

impl Tx {
    /// Holds `file` for `person` under `token_hash`, and forgets every file held before
    /// `forget_before` (nobody's form waits that long).
    pub async fn hold_file(
        &mut self,
        person: PersonId,
        token_hash: &str,
        file: &NewAttachment,
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const FORGET: &str = "DELETE FROM held_files WHERE held_at < $1";
        const SQL: &str = "INSERT INTO held_files (token_hash, person_id, filename, content_type, content, held_at) \
             VALUES ($1, $2, $3, $4, $5, $6)";
        on_conn!(self, |c| sqlx::query(FORGET)
            .bind(forget_before)
            .execute(&mut *c)
            .await?
            .rows_affected());
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(token_hash)
            .bind(person.0)
            .bind(&file.file_name)
            .bind(&file.content_type)
            .bind(&file.content)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The files `person` holds under these hashes, held at or after `since`; another
    /// person's hash finds nothing.
    pub async fn held_files(
        &mut self,
        person: PersonId,
        token_hashes: &[String],
        since: DateTime<Utc>,
    ) -> Result<Vec<HeldFile>, StoreError> {
        const SQL: &str = "SELECT filename, content_type, content FROM held_files \
             WHERE token_hash = $1 AND person_id = $2 AND held_at >= $3";
        let mut found = Vec::new();
        for hash in token_hashes {
            let row: Option<(String, String, Vec<u8>)> = on_conn!(self, |c| sqlx::query_as(SQL)
                .bind(hash)
                .bind(person.0)
                .bind(since)
                .fetch_optional(c)
                .await?);
            if let Some((file_name, content_type, content)) = row {
                found.push(HeldFile {
                    token_hash: hash.clone(),
                    file: NewAttachment {
                        file_name,
                        content_type,
                        content,
                    },
                });
            }
        }
        Ok(found)
    }

    /// Lets go of held files once they are joined to what they were sent with.
    pub async fn release_held_files(&mut self, person: PersonId, token_hashes: &[String]) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM held_files WHERE token_hash = $1 AND person_id = $2";
        for hash in token_hashes {
            on_conn!(self, |c| sqlx::query(SQL)
                .bind(hash)
                .bind(person.0)
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(())
    }
}
