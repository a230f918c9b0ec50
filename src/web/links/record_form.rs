//! The service record's web form, behind the interpreter's signed `record` link: every
//! field of the mail form, on one page that works on a phone without JavaScript, with
//! attachments. Opening it changes nothing; saving posts the form (multipart) with the
//! CSRF value bound to the page's cookie, is checked by the same rules as a mail reply,
//! and, when something is wrong, comes back with every field as typed and each problem
//! named beside its field.

use super::page::{LinkPages, facts_list, state_response};
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::request::{CancellationReason, GeneralReason, RecordField, RecordProblem, Request, RequestType};
use crate::forms::record::{self, RecordIssue};
use crate::security::link::VerifiedLink;
use crate::store::attachments::NewAttachment;
use crate::web::form_view::{Datalist, ErrorLine, FieldView, Section};
use crate::web::held_files::{Held, Kept, hold};
use crate::web::menu::Menu;
use crate::web::page::{Page, Tone, page_response, secure_html};
use crate::web::uploads::{ATTACHMENTS, attachments, read_multipart};
use crate::web::{AppState, WebError};
use crate::workflow::WorkflowError;
use crate::workflow::links::{Followed, LinkInput, LinkRefusal, LinkState};
use askama::Template;
use axum::extract::{FromRequest, Multipart};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "web/record.html")]
struct RecordHtml<'a> {
    lang: &'a str,
    en: bool,
    bank: &'a str,
    heading: &'a str,
    facts: &'a [(String, String)],
    errors: &'a [ErrorLine],
    action: &'a str,
    csrf: &'a str,
    sections: &'a [Section],
    button: &'a str,
    /// The record form has no draft: always empty.
    draft_button: &'a str,
    warning: &'a str,
    /// The record form suggests nothing: always empty.
    datalists: &'a [Datalist],
    /// A link's page has no signed-in header: always empty.
    menu: &'a Menu,
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

fn hint_of(field: RecordField, locale: Locale) -> String {
    use RecordField as F;
    match field {
        F::ActualDuration => locale.text("link-optional-worked-out-from-the-start"),
        F::OvertimeReason => locale.text("link-if-the-service-ran-over"),
        F::WaitingTime | F::TravelTime => locale.text("link-e-g-30-min-or-1"),
        F::Distance => locale.text("link-in-km-0-if-none"),
        F::PhoneCalls => locale.text("link-calls-made-at-the-professional-s"),
        F::OtherFees => locale.text("link-amount-e-g-12-50-attach"),
        F::ServicesGiven => locale.text("link-permanence-number-of-services"),
        _ => String::new(),
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
            label: field.label(locale).to_string(),
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
            required: false,
            list: "",
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
        title: locale.text("link-comments-and-attachments"),
        fields: vec![view(F::Comments)],
    };
    last.fields.push(FieldView {
        key: ATTACHMENTS,
        label: locale.text("link-attachments"),
        kind: "file",
        inputmode: "",
        value: String::new(),
        hint: locale.text("link-pdf-jpeg-or-png-at-most"),
        options: Vec::new(),
        error: String::new(),
        required: false,
        list: "",
    });
    vec![
        Section {
            title: locale.text("link-the-service"),
            fields: service.into_iter().map(view).collect(),
        },
        Section {
            title: locale.text("link-if-the-service-did-not-take"),
            fields: [F::GeneralReason, F::DetailedReason, F::CancelledOn, F::CancelledAt]
                .into_iter()
                .map(view)
                .collect(),
        },
        Section {
            title: locale.text("link-time-and-expenses"),
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
        Some(record) => record::record_values(&record, locale),
        None => record::prefill(request.details.start_time, request.details.duration_minutes, locale),
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
    ) -> Result<Response, WebError> {
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
    ) -> Result<Response, WebError> {
        let (request, locale) = (self.request, self.recipient.locale);
        let values = match values {
            Some(v) => v,
            None => saved_or_booked(self.state, request, locale).await,
        };
        let facts = facts_list(&self.state.workflow, request, locale).await;
        let sep = locale.pick("\u{a0}: ", ": ");
        let mut errors: Vec<ErrorLine> = issues
            .iter()
            .map(|i| {
                let field = i.problem.field;
                ErrorLine::of_field(field.label(locale), &i.describe(locale), field.key(), sep)
            })
            .collect();
        errors.extend(extra.iter().cloned().map(ErrorLine::general));
        let heading = format!("{} — {}", locale.text("link-service-record"), request.label());
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
            button: &locale.text("link-save-the-service-record"),
            draft_button: "",
            warning: "",
            datalists: &[],
            menu: &Menu::default(),
        }
        .render()?;
        Ok(secure_html(status, html))
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
    ) -> Result<Response, WebError> {
        let (workflow, locale) = (&self.state.workflow, self.recipient.locale);
        let mut kept = held.kept(locale);
        let now = workflow.clock().now();
        kept.extend(hold(workflow.store(), self.recipient.id, sent, now, locale).await?);
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
                label: locale.text("link-files-already-attached-kept"),
                kind: "kept",
                inputmode: "",
                value: String::new(),
                hint: locale.text("link-untick-a-file-to-leave-it"),
                options: kept.iter().map(|k| (k.token.clone(), k.label.clone())).collect(),
                error: String::new(),
                required: false,
                list: "",
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
) -> Result<Response, WebError> {
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

/// `POST` of the record form.
pub(super) async fn submit(
    state: &AppState,
    pages: &LinkPages,
    link: &VerifiedLink,
    token: &str,
    nonce: Option<String>,
    request: axum::extract::Request,
) -> Result<Response, WebError> {
    let posted = match Multipart::from_request(request, &()).await {
        Ok(m) => read_multipart(m, RecordField::from_key).await,
        Err(e) => Err(e.body_text()),
    };
    let link_state = state.workflow.inspect_link(link, false).await?;
    let LinkState::Live { request, recipient } = link_state else {
        // Used, changed or gone: the link page says why and what can still be done.
        return Ok(state_response(state, pages, link_state, &link.claim, token, nonce).await);
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
            let message = locale.text("link-the-form-could-not-be-read");
            return screen.page(None, &[], &[message], StatusCode::PAYLOAD_TOO_LARGE).await;
        }
    };
    let csrf_ok = nonce
        .as_deref()
        .is_some_and(|n| pages.keys.csrf_matches(n, token, &posted.csrf));
    if !csrf_ok {
        let message = locale.text("link-nothing-was-saved-check-the-fields");
        let response = screen
            .page(Some(posted.values), &[], &[message], StatusCode::FORBIDDEN)
            .await?;
        return Ok(super::page::with_csrf_cookie(pages, response, &nonce_value));
    }
    let mut extra = Vec::new();
    let (held, attachments) = attachments(&state.workflow, recipient.id, &posted, locale, &mut extra).await?;
    let now = state
        .workflow
        .clock()
        .now()
        .with_timezone(&state.workflow.config().time_zone)
        .naive_local();
    let d = &request.details;
    let ctx = record::context(d.request_type, d.date, d.start_time, d.duration_minutes, now);
    let built = record::build_record(&posted.values, &ctx);
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
    match state.workflow.follow_link(link, input).await? {
        Ok(Followed::Applied(applied)) => {
            // The link is spent with the record: held files can no longer join anything, so
            // a failure to let them go only leaves them to expire.
            if let Err(e) = release(state, &held, recipient.id).await {
                tracing::warn!(error = %e, "held files not released; they expire within a day");
            }
            let facts = recorded_facts(state, &request, &record, locale).await;
            Ok(recorded_page(
                pages,
                &request,
                applied.to.as_state_of_request(locale),
                facts,
                locale,
            ))
        }
        Err(LinkRefusal::Refused(WorkflowError::InvalidRecord(problems))) => {
            let issues = issues_of(problems, &posted.values);
            screen.again(posted.values, &issues, &[], &held, &attachments).await
        }
        Ok(Followed::Session { .. }) => Err(WebError::internal(anyhow::anyhow!("a record link opened a session"))),
        Err(LinkRefusal::Dead(dead)) => Ok(state_response(state, pages, *dead, &link.claim, token, nonce).await),
        Err(LinkRefusal::Refused(error)) => super::page::refused_page(state, pages, link, &error).await,
    }
}

/// The request's facts, then what was recorded.
async fn recorded_facts(
    state: &AppState,
    request: &Request,
    record: &crate::domain::request::ServiceRecord,
    locale: Locale,
) -> Vec<(String, String)> {
    let mut facts = facts_list(&state.workflow, request, locale).await;
    facts.extend(record::record_summary(record, request.details.request_type, locale));
    facts
}

/// The workflow's objections to a record, each with what was written in its field.
fn issues_of(problems: Vec<RecordProblem>, written: &BTreeMap<RecordField, String>) -> Vec<RecordIssue> {
    problems
        .into_iter()
        .map(|problem| RecordIssue {
            written: written.get(&problem.field).cloned(),
            problem,
        })
        .collect()
}

/// The page after the record is saved: the request's new status (`status`) and `facts`,
/// what was recorded among them.
fn recorded_page(
    pages: &LinkPages,
    request: &Request,
    status: &str,
    facts: Vec<(String, String)>,
    locale: Locale,
) -> Response {
    let page = Page {
        locale,
        bank: pages.bank.clone(),
        title: locale.text("link-service-recorded"),
        heading: format!("{} — {}", locale.text("link-service-recorded"), request.label()),
        notice: match locale {
            Locale::Fr => format!(
                "C'est enregistré. La demande est maintenant {status}\u{a0}; le demandeur la recevra pour la valider."
            ),
            Locale::En => {
                format!("Saved. The request is now {status}; the requester will receive it to validate.")
            }
        },
        tone: Tone::Good,
        facts,
        paragraphs: Vec::new(),
        forms: Vec::new(),
    };
    page_response(StatusCode::OK, &page)
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
