//! The service record's web form, behind the interpreter's signed `record` link: every
//! field of the mail form, on one page that works on a phone without JavaScript, with
//! attachments. Opening it changes nothing; saving posts the form (multipart) with the
//! CSRF value bound to the page's cookie, is checked by the same rules as a mail reply,
//! and, when something is wrong, comes back with every field as typed and each problem
//! named beside its field.

use super::AppState;
use super::held_files::{Held, Kept, hold};
use super::links::{LinkPages, facts_list};
use super::page::{Page, Tone, page_response, secure_html};
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::request::{CancellationReason, GeneralReason, RecordField, RecordProblem, Request, RequestType};
use crate::inbound::mail::record_form::{self, RecordIssue};
use crate::security::link::VerifiedLink;
use crate::store::attachments::{FileKind, NewAttachment, stored_name};
use crate::workflow::WorkflowError;
use crate::workflow::links::{Followed, LinkInput, LinkRefusal, LinkState};
use askama::Template;
use axum::extract::{FromRequest, Multipart};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

/// At most this many files, each at most this large.
pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The largest form body accepted on a link: the files plus room for the fields.
pub const MAX_BODY_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 256 * 1024;
/// The name of the file input of every form that takes attachments.
pub(crate) const ATTACHMENTS: &str = "attachments";

struct FieldView {
    key: &'static str,
    label: &'static str,
    /// "yesno", "select", "textarea", "file", or an input type ("text", "time", "date").
    kind: &'static str,
    inputmode: &'static str,
    value: String,
    hint: &'static str,
    options: Vec<(String, String)>,
    error: String,
}

struct Section {
    title: &'static str,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "web/record.html")]
struct RecordHtml<'a> {
    lang: &'a str,
    en: bool,
    bank: &'a str,
    heading: &'a str,
    facts: &'a [(String, String)],
    errors: &'a [String],
    action: &'a str,
    csrf: &'a str,
    sections: &'a [Section],
    button: &'a str,
}

fn kind_of(field: RecordField) -> (&'static str, &'static str) {
    use RecordField as F;
    match field {
        F::Completed | F::InterpreterPresent => ("yesno", ""),
        F::ArrivalTime | F::ActualStart | F::ActualEnd | F::CancelledAt => ("time", ""),
        F::CancelledOn => ("date", ""),
        F::GeneralReason | F::DetailedReason => ("select", ""),
        F::Comments => ("textarea", ""),
        F::PhoneCalls | F::Words | F::ServicesGiven => ("text", "numeric"),
        F::Distance | F::OtherFees => ("text", "decimal"),
        F::ActualDuration | F::WaitingTime | F::TravelTime | F::OvertimeReason => ("text", "text"),
    }
}

fn hint_of(field: RecordField, locale: Locale) -> &'static str {
    use RecordField as F;
    match field {
        F::ActualDuration => locale.pick(
            "Facultatif : calculée avec les heures de début et de fin.",
            "Optional: worked out from the start and end times.",
        ),
        F::OvertimeReason => locale.pick("Si le service a dépassé la durée prévue.", "If the service ran over."),
        F::WaitingTime | F::TravelTime => locale.pick(
            "Ex. 30 min ou 1 h 15 ; 0 si aucune.",
            "E.g. 30 min or 1 h 15; 0 if none.",
        ),
        F::Distance => locale.pick("En km ; 0 si aucune.", "In km; 0 if none."),
        F::PhoneCalls => locale.pick(
            "Appels faits à la demande de l'intervenant : toujours facturés.",
            "Calls made at the professional's request: always billed.",
        ),
        F::OtherFees => locale.pick(
            "Montant, ex. 12,50 (pièce justificative jointe).",
            "Amount, e.g. 12.50 (attach the receipt).",
        ),
        F::ServicesGiven => locale.pick("Permanence : nombre de prestations.", "Permanence: number of services."),
        _ => "",
    }
}

fn options_of(field: RecordField, locale: Locale) -> Vec<(String, String)> {
    match field {
        RecordField::GeneralReason => GeneralReason::ALL
            .into_iter()
            .map(|r| (r.as_str().to_string(), r.label(locale).to_string()))
            .collect(),
        RecordField::DetailedReason => CancellationReason::ALL
            .into_iter()
            .filter(|r| *r != CancellationReason::NoInterpreterAvailable)
            .map(|r| (r.as_str().to_string(), r.label(locale).to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

fn sections(
    locale: Locale,
    request_type: RequestType,
    values: &BTreeMap<RecordField, String>,
    issues: &[RecordIssue],
) -> Vec<Section> {
    use RecordField as F;
    let view = |field: F| {
        let (kind, inputmode) = kind_of(field);
        FieldView {
            key: field.key(),
            label: field.label(locale),
            kind,
            inputmode,
            value: values.get(&field).cloned().unwrap_or_default(),
            hint: hint_of(field, locale),
            options: options_of(field, locale),
            error: issues
                .iter()
                .filter(|i| i.problem.field == field)
                .map(|i| i.describe(locale))
                .collect::<Vec<_>>()
                .join(" "),
        }
    };
    let mut service = vec![
        F::Completed,
        F::InterpreterPresent,
        F::ArrivalTime,
        F::ActualStart,
        F::ActualEnd,
        F::ActualDuration,
        F::OvertimeReason,
    ];
    if request_type == RequestType::Permanence {
        service.push(F::ServicesGiven);
    }
    let mut fees = vec![F::WaitingTime, F::Distance, F::TravelTime, F::PhoneCalls];
    if request_type == RequestType::Translation {
        fees.push(F::Words);
    }
    fees.push(F::OtherFees);
    let mut last = Section {
        title: locale.pick("Commentaires et pièces jointes", "Comments and attachments"),
        fields: vec![view(F::Comments)],
    };
    last.fields.push(FieldView {
        key: ATTACHMENTS,
        label: locale.pick("Pièces jointes", "Attachments"),
        kind: "file",
        inputmode: "",
        value: String::new(),
        hint: locale.pick(
            "PDF, JPEG ou PNG ; 5 fichiers au plus, 10 Mo chacun.",
            "PDF, JPEG or PNG; at most 5 files of 10 MB each.",
        ),
        options: Vec::new(),
        error: String::new(),
    });
    vec![
        Section {
            title: locale.pick("Le service", "The service"),
            fields: service.into_iter().map(view).collect(),
        },
        Section {
            title: locale.pick("Si le service n'a pas eu lieu", "If the service did not take place"),
            fields: [F::GeneralReason, F::DetailedReason, F::CancelledOn, F::CancelledAt]
                .into_iter()
                .map(view)
                .collect(),
        },
        Section {
            title: locale.pick("Temps et frais", "Time and expenses"),
            fields: fees.into_iter().map(view).collect(),
        },
        last,
    ]
}

/// What to prefill: the record already saved, else the booked times.
async fn saved_or_booked(state: &AppState, request: &Request, locale: Locale) -> BTreeMap<RecordField, String> {
    let saved = match state.workflow.store().begin_read().await {
        Ok(mut tx) => {
            let r = tx.service_record(request.id).await.ok().flatten();
            let _ = tx.commit().await;
            r
        }
        Err(_) => None,
    };
    match saved {
        Some(record) => record_form::record_values(&record, locale),
        None => record_form::prefill(request.details.start_time, request.details.duration_minutes, locale),
    }
}

/// One record link's form, as it is shown to its interpreter.
struct Screen<'a> {
    state: &'a AppState,
    pages: &'a LinkPages,
    request: &'a Request,
    recipient: &'a Person,
    token: &'a str,
    nonce: &'a str,
}

impl Screen<'_> {
    /// The form; `values` are what to show (`None`: the saved record or the booked times),
    /// with `issues` beside their fields and `extra` errors on top.
    async fn page(
        &self,
        values: Option<BTreeMap<RecordField, String>>,
        issues: &[RecordIssue],
        extra: &[String],
        status: StatusCode,
    ) -> Response {
        self.page_keeping(values, issues, extra, &[], status).await
    }

    /// The form with the files held from earlier sendings listed as ticked boxes.
    async fn page_keeping(
        &self,
        values: Option<BTreeMap<RecordField, String>>,
        issues: &[RecordIssue],
        extra: &[String],
        kept: &[Kept],
        status: StatusCode,
    ) -> Response {
        let (request, locale) = (self.request, self.recipient.locale);
        let values = match values {
            Some(v) => v,
            None => saved_or_booked(self.state, request, locale).await,
        };
        let facts = facts_list(&self.state.workflow, request, locale).await;
        let mut errors: Vec<String> = issues.iter().map(|i| i.describe(locale)).collect();
        errors.extend(extra.iter().cloned());
        let heading = format!("{} — {}", locale.pick("Réalisation", "Service record"), request.label());
        let html = RecordHtml {
            lang: locale.as_str(),
            en: locale == Locale::En,
            bank: &self.pages.bank,
            heading: &heading,
            facts: &facts,
            errors: &errors,
            action: self.token,
            csrf: &self.pages.keys.csrf(self.nonce, self.token),
            sections: &with_kept(
                sections(locale, request.details.request_type, &values, issues),
                kept,
                locale,
            ),
            button: locale.pick("Enregistrer la réalisation", "Save the service record"),
        }
        .render();
        match html {
            Ok(html) => secure_html(status, html),
            Err(e) => super::WebError::Internal(e.into()).into_response(),
        }
    }

    /// The form again (422): the files of this sending are held beside those already held,
    /// so the corrected form does not ask for them twice.
    async fn again(
        &self,
        values: BTreeMap<RecordField, String>,
        issues: &[RecordIssue],
        extra: &[String],
        held: &Held,
        sent: &[NewAttachment],
    ) -> Response {
        let (workflow, locale) = (&self.state.workflow, self.recipient.locale);
        let mut kept = held.kept(locale);
        match hold(
            workflow.store(),
            self.recipient.id,
            sent,
            workflow.clock().now(),
            locale,
        )
        .await
        {
            Ok(more) => kept.extend(more),
            Err(e) => return super::WebError::from(e).into_response(),
        }
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        self.page_keeping(Some(values), issues, extra, &kept, status).await
    }
}

/// Puts the boxes of the held files first among the attachments.
fn with_kept(mut sections: Vec<Section>, kept: &[Kept], locale: Locale) -> Vec<Section> {
    if let (false, Some(last)) = (kept.is_empty(), sections.last_mut()) {
        let at = last.fields.iter().position(|f| f.key == ATTACHMENTS).unwrap_or(0);
        last.fields.insert(
            at,
            FieldView {
                key: "kept",
                label: locale.pick("Fichiers déjà joints (gardés)", "Files already attached (kept)"),
                kind: "kept",
                inputmode: "",
                value: String::new(),
                hint: locale.pick(
                    "Décochez un fichier pour le retirer ; ils sont gardés un jour.",
                    "Untick a file to leave it out; they are kept for a day.",
                ),
                options: kept.iter().map(|k| (k.token.clone(), k.label.clone())).collect(),
                error: String::new(),
            },
        );
    }
    sections
}

/// `GET` of a live record link: the form.
pub(super) async fn show(
    state: &AppState,
    pages: &LinkPages,
    request: &Request,
    recipient: &Person,
    token: &str,
    nonce: &str,
) -> Response {
    let screen = Screen {
        state,
        pages,
        request,
        recipient,
        token,
        nonce,
    };
    screen.page(None, &[], &[], StatusCode::OK).await
}

/// A file as sent, checked by its first bytes rather than by what the browser says it is,
/// and kept under its name with the extension of what it is.
pub(super) fn check_file(name: &str, bytes: &[u8], locale: Locale) -> Result<NewAttachment, String> {
    let shown: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
    let Some(kind) = FileKind::sniff(bytes) else {
        return Err(match locale {
            Locale::Fr => format!("Pièces jointes : « {shown} » n'est ni un PDF, ni une image JPEG ou PNG"),
            Locale::En => format!("Attachments: “{shown}” is not a PDF, JPEG or PNG file"),
        });
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(match locale {
            Locale::Fr => format!("Pièces jointes : « {shown} » dépasse 10 Mo"),
            Locale::En => format!("Attachments: “{shown}” is larger than 10 MB"),
        });
    }
    let file_name = stored_name(name, kind).map_err(|problem| match locale {
        Locale::Fr => format!(
            "Pièces jointes : le nom du fichier « {shown} »\u{a0}: {}",
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

/// Past this many characters a posted value is kept only in part, to be shown back: every
/// field's own limit is far below, so such a value is always refused with its field named.
const SHOWN_BACK_CHARS: usize = 16 * 1024;

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

/// `POST` of the record form.
pub(super) async fn submit(
    state: &AppState,
    pages: &LinkPages,
    link: &VerifiedLink,
    token: &str,
    nonce: Option<String>,
    request: axum::extract::Request,
) -> Response {
    let posted = match Multipart::from_request(request, &()).await {
        Ok(m) => read_multipart(m, RecordField::from_key).await,
        Err(e) => Err(e.body_text()),
    };
    let link_state = match state.workflow.inspect_link(link, false).await {
        Ok(s) => s,
        Err(e) => return super::WebError::Internal(e.into()).into_response(),
    };
    let LinkState::Live { request, recipient } = link_state else {
        // Used, changed or gone: the link page says why and what can still be done.
        return super::links::show_state(state, pages, link_state, &link.claim, token, nonce).await;
    };
    let locale = recipient.locale;
    let nonce_value = nonce.clone().unwrap_or_else(crate::security::random_token);
    let screen = Screen {
        state,
        pages,
        request: &request,
        recipient: &recipient,
        token,
        nonce: &nonce_value,
    };
    let posted = match posted {
        Ok(p) => p,
        Err(e) => {
            tracing::info!(error = %e, "record form unreadable");
            let message = locale
                .pick(
                    "Le formulaire n'a pas pu être lu (fichiers trop gros ?). Rien n'a été enregistré.",
                    "The form could not be read (files too large?). Nothing was saved.",
                )
                .to_string();
            return screen.page(None, &[], &[message], StatusCode::PAYLOAD_TOO_LARGE).await;
        }
    };
    let csrf_ok = nonce
        .as_deref()
        .is_some_and(|n| pages.keys.csrf_matches(n, token, &posted.csrf));
    if !csrf_ok {
        let message = locale
            .pick(
                "Rien n'a été enregistré : vérifiez les champs et appuyez sur le bouton.",
                "Nothing was saved: check the fields and press the button.",
            )
            .to_string();
        let response = screen
            .page(Some(posted.values), &[], &[message], StatusCode::FORBIDDEN)
            .await;
        return super::links::with_csrf_cookie(pages, response, &nonce_value);
    }
    let mut extra = Vec::new();
    let mut attachments = Vec::new();
    for (name, bytes) in &posted.files {
        match check_file(name, bytes, locale) {
            Ok(file) => attachments.push(file),
            Err(e) => extra.push(e),
        }
    }
    let held = async {
        let mut tx = state.workflow.store().begin_read().await?;
        let held = Held::find(&mut tx, recipient.id, &posted.kept, state.workflow.clock().now()).await?;
        tx.commit().await?;
        Ok::<_, crate::store::StoreError>(held)
    }
    .await;
    let held = match held {
        Ok(h) => h,
        Err(e) => return super::WebError::from(e).into_response(),
    };
    if posted.too_many || held.len() + attachments.len() > MAX_FILES {
        extra.push(
            locale
                .pick("Pièces jointes : 5 fichiers au plus", "Attachments: at most 5 files")
                .to_string(),
        );
    }
    let now = state
        .workflow
        .clock()
        .now()
        .with_timezone(&state.workflow.config().time_zone)
        .naive_local();
    let d = &request.details;
    let ctx = record_form::context(d.request_type, d.date, d.start_time, d.duration_minutes, now);
    let built = record_form::build_record(&posted.values, &ctx);
    let record = match built {
        Ok(record) if extra.is_empty() => record,
        Ok(_) => return screen.again(posted.values, &[], &extra, &held, &attachments).await,
        Err(issues) => return screen.again(posted.values, &issues, &extra, &held, &attachments).await,
    };
    let input = LinkInput {
        record: Some(record.clone()),
        attachments: held.files().cloned().chain(attachments.iter().cloned()).collect(),
        ..LinkInput::default()
    };
    match state.workflow.follow_link(link, input).await {
        Ok(Ok(Followed::Applied(applied))) => {
            // The link is spent with the record: held files can no longer join anything, so
            // a failure to let them go only leaves them to expire.
            if let Err(e) = release(state, &held, recipient.id).await {
                tracing::warn!(error = %e, "held files not released; they expire within a day");
            }
            let status = applied.to.label(locale);
            let mut facts = facts_list(&state.workflow, &request, locale).await;
            facts.extend(
                record_form::record_values(&record, locale)
                    .into_iter()
                    .map(|(field, value)| (field.label(locale).to_string(), value)),
            );
            let page = Page {
                locale,
                bank: pages.bank.clone(),
                title: locale.pick("Réalisation enregistrée", "Service recorded").into(),
                heading: format!(
                    "{} — {}",
                    locale.pick("Réalisation enregistrée", "Service recorded"),
                    request.label()
                ),
                notice: match locale {
                    Locale::Fr => format!(
                        "C'est enregistré. La demande est maintenant « {status} » ; le demandeur la recevra pour la valider."
                    ),
                    Locale::En => {
                        format!("Saved. The request is now “{status}”; the requester will receive it to validate.")
                    }
                },
                tone: Tone::Good,
                facts,
                paragraphs: Vec::new(),
                forms: Vec::new(),
            };
            page_response(StatusCode::OK, &page)
        }
        Ok(Err(LinkRefusal::Refused(WorkflowError::InvalidRecord(problems)))) => {
            let issues: Vec<RecordIssue> = problems
                .into_iter()
                .map(|problem: RecordProblem| RecordIssue {
                    written: posted.values.get(&problem.field).cloned(),
                    problem,
                })
                .collect();
            screen.again(posted.values, &issues, &[], &held, &attachments).await
        }
        Ok(Ok(Followed::Session { .. })) => {
            super::WebError::Internal(anyhow::anyhow!("a record link opened a session")).into_response()
        }
        Ok(Err(LinkRefusal::Dead(dead))) => {
            super::links::show_state(state, pages, *dead, &link.claim, token, nonce).await
        }
        Ok(Err(LinkRefusal::Refused(error))) => super::links::refused_page(state, pages, link, &error).await,
        Err(e) => super::WebError::Internal(e.into()).into_response(),
    }
}

/// Lets held files go once what they were sent with is saved.
async fn release(
    state: &AppState,
    held: &Held,
    person: crate::domain::ids::PersonId,
) -> Result<(), crate::store::StoreError> {
    if held.is_empty() {
        return Ok(());
    }
    let mut tx = state.workflow.store().begin().await?;
    held.release(&mut tx, person).await?;
    tx.commit().await
}
