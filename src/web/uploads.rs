//! Files sent with a web form (the request form and the service record form alike): the
//! limits, the multipart reader, and the check of each file by its first bytes.

use crate::domain::locale::Locale;
use crate::store::attachments::{FileKind, NewAttachment, stored_name};
use crate::web::held_files::Held;
use axum::extract::Multipart;
use std::collections::BTreeMap;

/// At most this many files, each at most this large.
pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The largest form body accepted on a link: the files plus room for the fields.
pub const MAX_BODY_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 256 * 1024;
/// The name of the file input of every form that takes attachments.
pub(crate) const ATTACHMENTS: &str = "attachments";

/// A file as sent, checked by its first bytes rather than by what the browser says it is,
/// and kept under its name with the extension of what it is.
pub(crate) fn check_file(name: &str, bytes: &[u8], locale: Locale) -> Result<NewAttachment, String> {
    let shown: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
    let Some(kind) = FileKind::sniff(bytes) else {
        return Err(match locale {
            Locale::Fr => format!("Pièces jointes : «\u{a0}{shown}\u{a0}» n'est ni un PDF, ni une image JPEG ou PNG"),
            Locale::En => format!("Attachments: “{shown}” is not a PDF, JPEG or PNG file"),
        });
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(match locale {
            Locale::Fr => format!("Pièces jointes : «\u{a0}{shown}\u{a0}» dépasse 10 Mo"),
            Locale::En => format!("Attachments: “{shown}” is larger than 10 MB"),
        });
    }
    let file_name = stored_name(name, kind).map_err(|problem| match locale {
        Locale::Fr => format!(
            "Pièces jointes : le nom du fichier «\u{a0}{shown}\u{a0}»\u{a0}: {}",
            problem.message(locale)
        ),
        Locale::En => format!("Attachments: the file name “{shown}”: {}", problem.message(locale)),
    })?;
    Ok(NewAttachment {
        file_name,
        content_type: kind.content_type().to_string(),
        content: bytes.to_vec(),
    })
}

/// A kept file as a download: its type and its name's extension from what its bytes are,
/// whatever was stored, never shown in the page nor cached.
pub(crate) fn file_response(file_name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;
    let kind = FileKind::sniff(&bytes);
    let content_type = kind.map_or("application/octet-stream", FileKind::content_type);
    let disposition = crate::store::attachments::content_disposition(file_name, kind);
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Past this many characters a posted value is kept only in part, to be shown back: every
/// field's own limit is far below, so such a value is always refused with its field named.
const SHOWN_BACK_CHARS: usize = 16 * 1024;

/// The files of `posted` checked (what is refused is named in `problems`) and the files
/// held from earlier sendings that it keeps ticked; more than [`MAX_FILES`] in all is a
/// problem too. For the request form and the record form alike.
pub(crate) async fn attachments<F>(
    workflow: &crate::workflow::Workflow,
    person: crate::domain::ids::PersonId,
    posted: &Posted<F>,
    locale: Locale,
    problems: &mut Vec<String>,
) -> Result<(Held, Vec<NewAttachment>), crate::store::StoreError> {
    let mut files = Vec::new();
    for (name, bytes) in &posted.files {
        match check_file(name, bytes, locale) {
            Ok(file) => files.push(file),
            Err(e) => problems.push(e),
        }
    }
    let mut tx = workflow.store().begin_read().await?;
    let held = Held::find(&mut tx, person, &posted.kept, workflow.clock().now()).await?;
    tx.commit().await?;
    if posted.too_many || held.len() + files.len() > MAX_FILES {
        problems.push(locale.text("web-attachments-at-most-5-files"));
    }
    Ok((held, files))
}

/// The name of the request form's « Enregistrer comme brouillon » button.
pub(crate) const DRAFT: &str = "brouillon";

/// What a posted form holds: its CSRF value, the fields it knows (trimmed, non-empty), and
/// the files of its `attachments` input.
pub(crate) struct Posted<F> {
    pub(crate) csrf: String,
    pub(crate) values: BTreeMap<F, String>,
    pub(crate) files: Vec<(String, Vec<u8>)>,
    /// The tokens of the held files ticked to keep (`web::held_files`).
    pub(crate) kept: Vec<String>,
    /// More than [`MAX_FILES`] were sent; the rest were dropped.
    pub(crate) too_many: bool,
    /// The button pressed was « Enregistrer comme brouillon » (the request form's `brouillon`).
    pub(crate) draft: bool,
}

/// Reads a multipart form whose fields `field_of` names from their keys (the record form
/// and the request form alike).
pub(crate) async fn read_multipart<F: Ord>(
    mut multipart: Multipart,
    field_of: impl Fn(&str) -> Option<F>,
) -> Result<Posted<F>, String> {
    let mut posted = Posted {
        csrf: String::new(),
        values: BTreeMap::new(),
        files: Vec::new(),
        kept: Vec::new(),
        too_many: false,
        draft: false,
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| e.body_text())?;
        if name == ATTACHMENTS {
            // An empty file input still sends a part with no name and no bytes.
            if let Some(file_name) = file_name.filter(|_| !bytes.is_empty()) {
                if posted.files.len() == MAX_FILES {
                    posted.too_many = true;
                } else {
                    posted.files.push((file_name, bytes.to_vec()));
                }
            }
        } else if name == DRAFT {
            posted.draft = true;
        } else if name == "csrf" {
            posted.csrf = String::from_utf8_lossy(&bytes).into_owned();
        } else if name == "kept" {
            // A token is ours (64 characters) or nothing: a longer one finds no file.
            let token = String::from_utf8_lossy(&bytes).trim().to_string();
            if posted.kept.len() < MAX_FILES && token.len() <= 64 {
                posted.kept.push(token);
            }
        } else if let Some(field) = field_of(&name) {
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            if !text.is_empty() {
                let text = match text.char_indices().nth(SHOWN_BACK_CHARS) {
                    Some((end, _)) => text[..end].to_string(),
                    None => text,
                };
                posted.values.insert(field, text);
            }
        }
    }
    Ok(posted)
}
