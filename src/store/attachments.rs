//! Files joined to a request or its service record: kept in the database with the rest
//! (one backup, one transaction), checked before they get here (`web::record_form`). Those of the request form go with the
//! patient details at erasure; receipts of the service record stay for billing.

use super::{StoreError, Tx, on_conn};
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::text::{self, TextProblem};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

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

/// What a file is, read from its first bytes (never from its name or what the browser
/// says): the only kinds Relais keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    /// The kind of `bytes`, if it is one Relais keeps.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    /// The extension a name of this kind ends with; the first is the one given.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
        }
    }
}

/// The longest file name kept.
pub const FILE_NAME_MAX: usize = 200;

/// `name` ending with the extension of `kind`: kept when it has it already ("Scan.JPEG"),
/// else replacing what looks like an extension ("page.html" → "page.png"), else added.
fn with_extension(name: &str, kind: FileKind) -> String {
    let wanted = kind.extensions()[0];
    match name.rsplit_once('.') {
        Some((_, ext)) if kind.extensions().iter().any(|e| e.eq_ignore_ascii_case(ext)) => name.to_string(),
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
                && ext.chars().any(|c| c.is_ascii_alphabetic()) =>
        {
            format!("{stem}.{wanted}")
        }
        _ if name.is_empty() => format!("fichier.{wanted}"),
        _ => format!("{name}.{wanted}"),
    }
}

/// The name a sent file is kept under: without the folders some browsers send, ending with
/// the extension of what its bytes are. A name with a line break or another control
/// character, or longer than [`FILE_NAME_MAX`], is refused, not changed.
pub fn stored_name(sent: &str, kind: FileKind) -> Result<String, TextProblem> {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let base = text::line(base, FILE_NAME_MAX)?;
    Ok(with_extension(base, kind))
}

/// The `Content-Disposition` a kept file is served with: always a download, under its name
/// with no control character, quote or folder separator, ending with the extension of what
/// its bytes are; a plain ASCII `filename` for every client, and RFC 6266's
/// `filename*=UTF-8''…` when the name is more than that.
pub fn content_disposition(name: &str, kind: Option<FileKind>) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '"' | '\'' | '/' | '\\') { '_' } else { c })
        .collect();
    let clean = clean.trim();
    let name = match kind {
        Some(kind) => with_extension(clean, kind),
        None if clean.is_empty() => "fichier".to_string(),
        None => clean.to_string(),
    };
    let ascii: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if ascii == name {
        return format!("attachment; filename=\"{ascii}\"");
    }
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_what_its_bytes_say() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"\x89PNG\r\n\x1a\n\0"), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(b"<html><script>"), None);
        assert_eq!(FileKind::sniff(b"MZ\x90\0"), None);
    }

    #[test]
    fn a_kept_name_ends_with_what_the_bytes_are() {
        let png = FileKind::Png;
        assert_eq!(stored_name("page.html", png).unwrap(), "page.png");
        assert_eq!(stored_name("Carte.PNG", png).unwrap(), "Carte.PNG");
        assert_eq!(stored_name("photo.jpeg", FileKind::Jpeg).unwrap(), "photo.jpeg");
        assert_eq!(stored_name("Rapport v2.1", FileKind::Pdf).unwrap(), "Rapport v2.1.pdf");
        assert_eq!(stored_name("scan", FileKind::Pdf).unwrap(), "scan.pdf");
        assert_eq!(
            stored_name("C:\\Users\\m\\ordonnance.pdf", FileKind::Pdf).unwrap(),
            "ordonnance.pdf"
        );
        assert_eq!(stored_name("../../etc/passwd", FileKind::Pdf).unwrap(), "passwd.pdf");
        assert_eq!(stored_name("", FileKind::Pdf).unwrap(), "fichier.pdf");
        assert_eq!(stored_name("a\r\nb.pdf", FileKind::Pdf), Err(TextProblem::LineBreak));
        assert_eq!(
            stored_name("a\0b.pdf", FileKind::Pdf),
            Err(TextProblem::ControlCharacter)
        );
        let long = format!("{}.pdf", "x".repeat(FILE_NAME_MAX));
        assert_eq!(
            stored_name(&long, FileKind::Pdf),
            Err(TextProblem::TooLong(FILE_NAME_MAX))
        );
    }

    #[test]
    fn a_served_name_is_clean_and_says_its_unicode_the_rfc_6266_way() {
        assert_eq!(
            content_disposition("page.png", Some(FileKind::Png)),
            "attachment; filename=\"page.png\""
        );
        assert_eq!(
            content_disposition("Ordonnance été.pdf", Some(FileKind::Pdf)),
            "attachment; filename=\"Ordonnance_ete.pdf\"; filename*=UTF-8''Ordonnance%20%C3%A9t%C3%A9.pdf"
        );
        assert_eq!(
            content_disposition("a\"b\r\n.svg", Some(FileKind::Pdf)),
            "attachment; filename=\"a_b.pdf\""
        );
        assert_eq!(
            content_disposition("x/../y\\z.bin", None),
            "attachment; filename=\"x_.._y_z.bin\""
        );
        assert_eq!(content_disposition("", None), "attachment; filename=\"fichier\"");
        assert_eq!(
            content_disposition("日本.png", Some(FileKind::Png)),
            "attachment; filename=\"__.png\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png"
        );
    }
}
