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
