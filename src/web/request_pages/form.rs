//! The request form on the web: `/requests/new` (saved as new, sent to the coordinators)
//! and `/requests/{id}/edit` (prefilled; a booked request becomes modified). Every value
//! is read by the mail form's readers (`forms::request::read_values`) and turned into
//! details by the workflow's `build_details`, as a mail form is, so a web form and a mail
//! form mean the same. A wrong form comes back with every value as typed and each problem beside its
//! field. Files (PDF, JPEG, PNG, checked by their bytes) are kept with purpose `request`.
//!
//! Coordinators book for a requester (a phone call, a paper form): `/requests/new` first
//! asks whom for (email or user code), then shows that requester's form, read against
//! that requester's installations and cost centres exactly as if they had sent it.

use super::form_choices::{Choices, datalists, list_of};
use super::{Seen, bank, seen as visible_request};
use crate::domain::ids::RequestId;
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::request::{
    Field, FieldError, Gender, InterpreterType, Problem, RequestDetails, RequestNumber, RequestStatus, RequestType,
};
use crate::domain::role::{Channel, Role};
use crate::forms::request::{FieldIssue, FormField, FormReading, read_values};
use crate::store::attachments::{AttachmentPurpose, NewAttachment};
use crate::web::account::SignedIn;
use crate::web::form_view::{Datalist, ErrorLine, FieldView, Section};
use crate::web::held_files::{Held, Kept, hold};
use crate::web::menu::Menu;
use crate::web::page::{Tone, secure_html};
use crate::web::uploads::{ATTACHMENTS, attachments, read_multipart};
use crate::web::{AppState, WebError};
use crate::workflow::details::build_details;
use crate::workflow::duplicates::{self, similar_request};
use crate::workflow::{Actor, Applied, Command, WorkflowError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The request types as the mail form reads them, with their labels.
const REQUEST_TYPES: [(&str, RequestType); 7] = [
    ("en présentiel", RequestType::InPerson),
    ("téléphone", RequestType::Phone),
    ("vidéo", RequestType::Video),
    ("transmission de message", RequestType::MessageTransmission),
    ("traduction", RequestType::Translation),
    ("permanence", RequestType::Permanence),
    ("service professionnel", RequestType::ProfessionalService),
];

/// The layout of the service record form serves this form too.
#[derive(Template)]
#[template(path = "web/record.html")]
struct FormHtml<'a> {
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
    /// « Enregistrer comme brouillon »: empty when the request is already sent.
    draft_button: &'a str,
    warning: &'a str,
    datalists: &'a [Datalist],
    menu: &'a Menu,
}

/// Problems beside their fields, and those that belong to no field.
#[derive(Default)]
struct Problems {
    by_field: BTreeMap<FormField, Vec<String>>,
    general: Vec<String>,
}

impl Problems {
    fn issue(&mut self, issue: &FieldIssue, locale: Locale) {
        self.by_field
            .entry(issue.field)
            .or_default()
            .push(issue.message(locale));
    }

    fn field_error(&mut self, error: &FieldError, locale: Locale) {
        let text = error.describe(locale);
        match form_field(error.field) {
            Some(f) => self.by_field.entry(f).or_default().push(text),
            None => self.general.push(text),
        }
    }

    fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_empty()
    }

    /// Everything, in the form's order, for the summary at the top: each problem with
    /// its field's name, linked to the field.
    fn summary(&self, locale: Locale) -> Vec<ErrorLine> {
        let sep = locale.pick("\u{a0}: ", ": ");
        let mut all: Vec<ErrorLine> = self
            .by_field
            .iter()
            .flat_map(|(field, messages)| {
                messages
                    .iter()
                    .map(move |m| ErrorLine::of_field(field.label(locale), m, field.key(), sep))
            })
            .collect();
        all.extend(self.general.iter().cloned().map(ErrorLine::general));
        all
    }
}

/// The form field a domain error is about.
fn form_field(field: Field) -> Option<FormField> {
    Some(match field {
        Field::Installation => FormField::Installation,
        Field::Location => FormField::Location,
        Field::RequestType => FormField::RequestType,
        Field::Date => FormField::Date,
        Field::AlternativeDate => FormField::AlternativeDate,
        Field::StartTime => FormField::StartTime,
        Field::FlexibleUntil => FormField::FlexibleUntil,
        Field::Duration => FormField::DurationMinutes,
        Field::SourceLanguage => FormField::SourceLanguage,
        Field::TargetLanguage => FormField::TargetLanguage,
        Field::AlternativeLanguage => FormField::AlternativeLanguage,
        Field::ProfessionalPhone => FormField::ProfessionalPhone,
        Field::ProfessionalEmail => FormField::ProfessionalEmail,
        Field::PreferredInterpreter => FormField::PreferredInterpreter,
        Field::CostCentre => FormField::CostCentre,
        Field::VideoLink => FormField::VideoLink,
        Field::Address => FormField::Address,
        Field::Context => FormField::Context,
        Field::Reason => FormField::Reason,
        Field::MessageToInterpreter => FormField::MessageToInterpreter,
        Field::CoordinatorNote => FormField::NoteToCoordinator,
        Field::PatientName => FormField::PatientName,
        Field::PatientPhone => FormField::PatientPhone,
        Field::ProfessionalName => FormField::ProfessionalName,
        Field::ProfessionalFunction => FormField::ProfessionalFunction,
        Field::VideoPlatform => FormField::VideoPlatform,
        Field::BillingCode => FormField::BillingCode,
        Field::PatientDetails => FormField::PatientDetails,
        Field::VideoPasscode => FormField::VideoPasscode,
        Field::InterpreterType => FormField::InterpreterType,
        Field::OnSiteName => FormField::OnSiteName,
        Field::OnSitePhone => FormField::OnSitePhone,
        Field::Repetition => FormField::Repetition,
        Field::Note => return None,
    })
}

fn kind_of(field: FormField) -> (&'static str, &'static str) {
    use FormField as F;
    match field {
        F::RequestType | F::Installation | F::InterpreterGender | F::InterpreterType => ("select", ""),
        F::NotifyUser | F::Supplementary | F::SendAnyway => ("yesno", ""),
        F::Date | F::AlternativeDate => ("date", ""),
        F::StartTime | F::FlexibleUntil => ("time", ""),
        // « 1 h 30 » needs letters and a space: the full keyboard, with the usual
        // durations suggested.
        F::DurationMinutes => ("text", "text"),
        F::Context | F::Reason | F::MessageToInterpreter | F::NoteToCoordinator | F::PatientDetails => ("textarea", ""),
        F::ProfessionalPhone | F::PatientPhone | F::OnSitePhone => ("tel", ""),
        F::ProfessionalEmail => ("email", ""),
        _ => ("text", "text"),
    }
}

fn options_of(field: FormField, locale: Locale, choices: &Choices) -> Vec<(String, String)> {
    match field {
        FormField::RequestType => REQUEST_TYPES
            .iter()
            .map(|(word, t)| (word.to_string(), t.label(locale).to_string()))
            .collect(),
        FormField::InterpreterGender => vec![
            ("indifférent".into(), locale.text("request-any")),
            ("femme".into(), Gender::Female.label(locale).into()),
            ("homme".into(), Gender::Male.label(locale).into()),
        ],
        FormField::InterpreterType => [InterpreterType::Bank, InterpreterType::ExternalProvider]
            .into_iter()
            .map(|t| (t.label(Locale::Fr).to_string(), t.label(locale).to_string()))
            .collect(),
        FormField::Installation => choices
            .installation_names()
            .into_iter()
            .map(|n| (n.clone(), n))
            .collect(),
        FormField::CostCentre => choices.cost_centres.clone(),
        _ => Vec::new(),
    }
}

fn hint_of(field: FormField, locale: Locale) -> String {
    let hint = field.hint(locale).trim_start_matches('[').trim_end_matches(']');
    let hint = match field {
        // Choices, and the browser's own date and time pickers, need no format hint.
        FormField::RequestType
        | FormField::InterpreterGender
        | FormField::NotifyUser
        | FormField::Supplementary
        | FormField::SendAnyway
        | FormField::Date
        | FormField::StartTime
        | FormField::FlexibleUntil => "",
        _ => hint,
    };
    hint.to_string()
}

// Long for a reason: the form's layout, section by section with their fields, as one
// flat list a reader compares with the page.
fn sections(
    locale: Locale,
    values: &BTreeMap<FormField, String>,
    problems: &Problems,
    choices: &Choices,
    patient: bool,
    similar: bool,
    new: bool,
) -> Vec<Section> {
    use FormField as F;
    let view = |field: F| {
        let value = values.get(&field).cloned().unwrap_or_default();
        let mut options = options_of(field, locale, choices);
        let (kind, inputmode) = match kind_of(field) {
            // Typed when there is no list to choose from.
            _ if field == F::CostCentre && options.is_empty() => ("text", "text"),
            _ if field == F::CostCentre => ("select", ""),
            kind => kind,
        };
        // A value no longer among the choices (a retired cost centre) stays shown.
        if field == F::CostCentre && !value.is_empty() && !options.iter().any(|(v, _)| *v == value) {
            options.push((value.clone(), value.clone()));
        }
        FieldView {
            key: field.key(),
            label: field.label(locale).to_string(),
            kind,
            inputmode,
            value,
            hint: hint_of(field, locale),
            options,
            error: problems.by_field.get(&field).map(|e| e.join(" ; ")).unwrap_or_default(),
            required: field.is_mandatory(),
            list: list_of(field),
        }
    };
    let section = |title: String, fields: &[F]| Section {
        title,
        fields: fields.iter().map(|f| view(*f)).collect(),
    };
    // A series is made when a request is created: an existing one does not repeat.
    let appointment: Vec<F> = [
        F::RequestType,
        F::Date,
        F::AlternativeDate,
        F::StartTime,
        F::FlexibleUntil,
        F::DurationMinutes,
        F::Repetition,
        F::SourceLanguage,
        F::TargetLanguage,
        F::AlternativeLanguage,
    ]
    .into_iter()
    .filter(|f| new || *f != F::Repetition)
    .collect();
    let mut all = vec![
        section(locale.text("request-appointment"), &appointment),
        section(
            locale.text("request-place"),
            &[
                F::Installation,
                F::Location,
                F::Address,
                F::OnSiteName,
                F::OnSitePhone,
                F::CostCentre,
                F::BillingCode,
                F::VideoPlatform,
                F::VideoLink,
                F::VideoPasscode,
            ],
        ),
        section(
            locale.text("request-professional"),
            &[
                F::ProfessionalName,
                F::ProfessionalFunction,
                F::ProfessionalPhone,
                F::ProfessionalEmail,
            ],
        ),
        section(
            locale.text("request-interpreter"),
            &[
                F::InterpreterType,
                F::PreferredInterpreter,
                F::InterpreterGender,
                F::NotifyUser,
                F::MessageToInterpreter,
            ],
        ),
        section(
            locale.text("request-context"),
            &[F::Context, F::Reason, F::NoteToCoordinator, F::Supplementary],
        ),
    ];
    if patient {
        all.push(section(
            locale.text("request-patient"),
            &[F::PatientName, F::PatientPhone, F::PatientDetails],
        ));
    }
    if similar {
        all.insert(0, section(locale.text("request-similar-title"), &[F::SendAnyway]));
    }
    all.push(Section {
        title: locale.text("request-attachments"),
        fields: vec![FieldView {
            key: ATTACHMENTS,
            label: locale.text("request-files-pdf-jpeg-or-png"),
            kind: "file",
            inputmode: "",
            value: String::new(),
            hint: locale.text("request-optional-at-most-5-files-10"),
            options: Vec::new(),
            error: String::new(),
            required: false,
            list: "",
        }],
    });
    all
}

/// The boxes of the files held from an earlier sending, ticked.
fn kept_field(kept: &[Kept], locale: Locale) -> FieldView {
    FieldView {
        key: "kept",
        label: locale.text("request-files-already-attached-kept"),
        kind: "kept",
        inputmode: "",
        value: String::new(),
        hint: locale.text("request-untick-a-file-to-leave-it"),
        options: kept.iter().map(|k| (k.token.clone(), k.label.clone())).collect(),
        error: String::new(),
        required: false,
        list: "",
    }
}

struct FormPage<'a> {
    /// Who fills the form in (their language).
    person: &'a Person,
    /// Whom the request is for: the requester whose installations and cost centres count
    /// (the person themselves, unless a coordinator books for someone).
    requester: Person,
    heading: String,
    action: String,
    button: &'a str,
    csrf: String,
    /// The header of the person filling it in.
    menu: Menu,
    values: BTreeMap<FormField, String>,
    problems: Problems,
    /// Files held from an earlier sending of this form.
    kept: Vec<Kept>,
    /// An open request like this one, found before saving: the form asks to confirm.
    similar: Option<RequestNumber>,
    /// The label of the draft button, when the request is not sent yet (else empty).
    draft_button: String,
    /// The draft button was the one pressed: saved, not sent.
    save_as_draft: bool,
    /// Said above the form before anything is changed: changing a booked request sends
    /// it back to the interpreter to accept again.
    warning: String,
}

async fn render(state: &AppState, page: FormPage<'_>, status: StatusCode) -> Result<Response, WebError> {
    let locale = page.person.locale;
    let choices = Choices::of(state, &page.requester).await?;
    let mut sections = sections(
        locale,
        &page.values,
        &page.problems,
        &choices,
        true,
        page.similar.is_some(),
        !page.action.ends_with("/edit"),
    );
    if !page.kept.is_empty()
        && let Some(files) = sections.last_mut()
    {
        files.fields.insert(0, kept_field(&page.kept, locale));
    }
    let facts = if page.requester.id == page.person.id {
        Vec::new()
    } else {
        vec![(
            locale.text("request-requester"),
            format!("{} — {}", page.requester.display_name(), page.requester.email),
        )]
    };
    let html = FormHtml {
        lang: locale.as_str(),
        en: locale == Locale::En,
        bank: &bank(state),
        heading: &page.heading,
        facts: &facts,
        errors: &page.problems.summary(page.person.locale),
        action: &page.action,
        csrf: &page.csrf,
        sections: &sections,
        button: page.button,
        draft_button: &page.draft_button,
        warning: &page.warning,
        datalists: &datalists(locale),
        menu: &page.menu,
    }
    .render()?;
    Ok(secure_html(status, html))
}

/// `?pour=` on `/requests/new`: the requester a coordinator books for (email or user code).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForWhom {
    pour: String,
}

/// Whom a new request is for (`Ok(Ok)`), or the page to show instead (`Ok(Err)`): the person
/// themselves when they are a requester and name nobody; for a coordinator, the requester
/// they name, or the page that asks for one. Anyone else is refused (403).
async fn booked_for(
    state: &AppState,
    signed_in: &SignedIn,
    wanted: &str,
) -> Result<Result<Person, Response>, WebError> {
    let person = signed_in.person();
    let wanted = wanted.trim();
    if !signed_in.is(Role::Coordinator) {
        signed_in.require(Role::Requester)?;
        return Ok(Ok(person.clone()));
    }
    if wanted.is_empty() {
        if person.has_role(Role::Requester) {
            return Ok(Ok(person.clone()));
        }
        return Ok(Err(ask_for_whom(state, signed_in, "", None)));
    }
    let found = async {
        let mut tx = state.workflow.store().begin_read().await?;
        let found = match crate::domain::contact::EmailAddress::parse(wanted) {
            Ok(email) => tx.person_by_email(&email).await?,
            Err(_) => match crate::domain::person::UserCode::parse(wanted) {
                Some(code) => tx.person_by_user_code(&code).await?,
                None => None,
            },
        };
        tx.commit().await?;
        Ok::<_, crate::store::StoreError>(found)
    }
    .await;
    match found? {
        Some(p) if p.active && p.has_role(Role::Requester) => Ok(Ok(p)),
        _ => {
            let locale = person.locale;
            let problem = locale.text("request-no-active-requester-has-this-email");
            Ok(Err(ask_for_whom(state, signed_in, wanted, Some(&problem))))
        }
    }
}

/// The first step of a coordinator's booking: whom is it for?
fn ask_for_whom(state: &AppState, signed_in: &SignedIn, typed: &str, problem: Option<&str>) -> Response {
    let person = signed_in.person();
    let locale = person.locale;
    let mut view = super::View::signed(
        signed_in,
        &bank(state),
        &locale.text("request-new-request-for-a-requester"),
    );
    view.filter_action = "/requests/new".into();
    view.filters.push(super::FilterField {
        key: "pour",
        label: locale.text("request-requester-email-address-or-user-code"),
        kind: "text",
        value: typed.to_string(),
        options: Vec::new(),
    });
    let (status, view) = match problem {
        Some(text) => (StatusCode::UNPROCESSABLE_ENTITY, view.tone(Tone::Bad, text.into())),
        None => {
            let text = locale.text("request-the-request-is-made-in-the");
            (StatusCode::OK, view.tone(Tone::Neutral, text))
        }
    };
    view.render(status)
}

/// The address of the new-request form for `requester`, as `person` fills it in.
fn new_action(person: &Person, requester: &Person) -> String {
    if person.id == requester.id {
        "/requests/new".into()
    } else {
        format!("/requests/new?pour={}", requester.user_code)
    }
}

/// `GET /requests/new`.
pub async fn new(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(whom): Query<ForWhom>,
) -> Result<Response, WebError> {
    let requester = match booked_for(&state, &signed_in, &whom.pour).await? {
        Ok(r) => r,
        Err(ask) => return Ok(ask),
    };
    let person = signed_in.person();
    let locale = person.locale;
    let values = Choices::of(&state, &requester)
        .await?
        .prefill_new(&requester, language_value(&french()));
    let page = FormPage {
        person,
        heading: locale.text("request-new-interpreter-request"),
        action: new_action(person, &requester),
        requester,
        button: &locale.text("request-send-the-request"),
        csrf: signed_in.session().csrf(),
        menu: signed_in.session().menu(),
        values,
        problems: Problems::default(),
        kept: Vec::new(),
        similar: None,
        draft_button: locale.text("request-save-as-draft"),
        save_as_draft: false,
        warning: String::new(),
    };
    render(&state, page, StatusCode::OK).await
}

fn french() -> Option<LanguageTag> {
    LanguageTag::parse("fr").ok()
}

/// A language as the form shows it (see [`LanguageTag::written`]); nothing when none.
fn language_value(tag: &Option<LanguageTag>) -> String {
    tag.as_ref().map(|t| t.written(Locale::Fr)).unwrap_or_default()
}

/// The form as `details` fill it, for a change.
async fn prefill(
    state: &AppState,
    details: &RequestDetails,
) -> Result<BTreeMap<FormField, String>, crate::store::StoreError> {
    use FormField as F;
    let mut values = BTreeMap::new();
    let mut tx = state.workflow.store().begin_read().await?;
    let mut put = |field: F, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            values.insert(field, v);
        }
    };
    put(
        F::RequestType,
        REQUEST_TYPES
            .iter()
            .find(|(_, t)| *t == details.request_type)
            .map(|(w, _)| w.to_string()),
    );
    put(F::Date, Some(details.date.format("%Y-%m-%d").to_string()));
    put(F::StartTime, Some(details.start_time.format("%H:%M").to_string()));
    put(
        F::FlexibleUntil,
        details.flexible_until.map(|t| t.format("%H:%M").to_string()),
    );
    put(F::DurationMinutes, Some(details.duration_minutes.to_string()));
    put(
        F::SourceLanguage,
        Some(language_value(&Some(details.source_language.clone()))),
    );
    put(
        F::TargetLanguage,
        Some(language_value(&Some(details.target_language.clone()))),
    );
    put(
        F::AlternativeLanguage,
        Some(language_value(&details.alternative_language)),
    );
    put(
        F::Installation,
        Some(tx.installation(details.installation_id).await?.name),
    );
    put(F::Location, Some(details.location.clone()));
    put(F::Address, details.address.clone());
    put(F::Context, details.notes.context.clone());
    put(F::Reason, details.notes.reason.clone());
    put(F::MessageToInterpreter, details.notes.message_to_interpreter.clone());
    put(F::NoteToCoordinator, details.notes.coordinator_note.clone());
    put(F::ProfessionalName, details.professional.name.clone());
    put(F::ProfessionalFunction, details.professional.function.clone());
    put(
        F::ProfessionalPhone,
        details.professional.phone.as_ref().map(|p| p.display(Locale::Fr)),
    );
    put(
        F::ProfessionalEmail,
        details.professional.email.as_ref().map(|e| e.to_string()),
    );
    if let Some(p) = details.preferred_interpreter {
        put(F::PreferredInterpreter, Some(tx.person(p).await?.user_code.to_string()));
    }
    put(F::PatientName, details.patient.name.clone());
    put(F::PatientPhone, details.patient.phone.clone());
    if let Some(c) = details.cost_centre_id {
        put(F::CostCentre, Some(tx.cost_centre(c).await?.code));
    }
    put(F::VideoPlatform, details.video.platform.clone());
    put(F::VideoLink, details.video.link.clone());
    if let Some(b) = details.billing_code_id {
        values.insert(F::BillingCode, tx.billing_code(b).await?.code);
    }
    tx.commit().await?;
    prefill_more(details, &mut values);
    Ok(values)
}

/// The rest of the form as `details` fill it: the choices, and the fields the SeTIS and
/// IMS forms add.
fn prefill_more(details: &RequestDetails, values: &mut BTreeMap<FormField, String>) {
    use FormField as F;
    let mut put = |field: F, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            values.insert(field, v);
        }
    };
    put(
        F::InterpreterGender,
        Some(
            match details.interpreter_gender {
                Some(Gender::Female) => "femme",
                Some(Gender::Male) => "homme",
                _ => "indifférent",
            }
            .into(),
        ),
    );
    let yes_no = |yes: bool| Some(if yes { "oui" } else { "non" }.to_string());
    put(F::NotifyUser, yes_no(details.interpreter_must_notify_user));
    put(F::PatientDetails, details.patient.details.clone());
    put(F::VideoPasscode, details.video.passcode.clone());
    put(
        F::AlternativeDate,
        details.alternative_date.map(|d| d.format("%Y-%m-%d").to_string()),
    );
    put(F::OnSiteName, details.on_site.name.clone());
    put(
        F::OnSitePhone,
        details.on_site.phone.as_ref().map(|p| p.display(Locale::Fr)),
    );
    put(
        F::InterpreterType,
        details.interpreter_type.map(|t| t.label(Locale::Fr).to_string()),
    );
    put(F::Supplementary, yes_no(details.supplementary));
}

/// `details` without the optional values the form sent empty: on the web every field is
/// shown, so an empty one was cleared (a mail reply, by contrast, lists only what changes).
fn cleared(details: &RequestDetails, posted: &BTreeMap<FormField, String>) -> RequestDetails {
    use FormField as F;
    let mut d = details.clone();
    let empty = |f: F| !posted.contains_key(&f);
    macro_rules! clear {
        ($($field:expr => $($path:ident).+),* $(,)?) => {$(
            if empty($field) {
                d.$($path).+ = None;
            }
        )*};
    }
    clear! {
        F::FlexibleUntil => flexible_until,
        F::AlternativeLanguage => alternative_language,
        F::Address => address,
        F::Context => notes.context,
        F::Reason => notes.reason,
        F::MessageToInterpreter => notes.message_to_interpreter,
        F::NoteToCoordinator => notes.coordinator_note,
        F::PatientName => patient.name,
        F::PatientPhone => patient.phone,
        F::ProfessionalName => professional.name,
        F::ProfessionalFunction => professional.function,
        F::ProfessionalPhone => professional.phone,
        F::ProfessionalEmail => professional.email,
        F::PreferredInterpreter => preferred_interpreter,
        F::VideoPlatform => video.platform,
        F::VideoLink => video.link,
        F::VideoPasscode => video.passcode,
        F::AlternativeDate => alternative_date,
        F::PatientDetails => patient.details,
        F::OnSiteName => on_site.name,
        F::OnSitePhone => on_site.phone,
        F::InterpreterType => interpreter_type,
        F::BillingCode => billing_code_id,
    }
    d
}

/// Whether the request may still be changed from the form.
fn changeable(status: RequestStatus) -> bool {
    matches!(
        status,
        RequestStatus::Draft
            | RequestStatus::New
            | RequestStatus::Offered
            | RequestStatus::Booked
            | RequestStatus::Modified
    )
}

/// The main button of the change form: a draft is sent with it.
fn edit_button(status: RequestStatus, locale: Locale) -> String {
    if status == RequestStatus::Draft {
        locale.text("request-send-the-request")
    } else {
        locale.text("request-save-the-changes")
    }
}

/// The warning of the change form of a booked request: the interpreter must accept again.
fn rebook_warning(status: RequestStatus, locale: Locale) -> String {
    match status {
        RequestStatus::Booked => locale.text("request-changing-a-booked-request"),
        _ => String::new(),
    }
}

/// The draft button of the change form: only while the request is a draft.
fn draft_button(status: RequestStatus, locale: Locale) -> String {
    if status == RequestStatus::Draft {
        locale.text("request-save-the-draft")
    } else {
        String::new()
    }
}

/// The request `id` if this person may change it: seen in full.
async fn editable(state: &AppState, signed_in: &SignedIn, id: i64) -> Result<Seen, WebError> {
    let seen = visible_request(state, signed_in, id).await?;
    if !seen.full {
        return Err(WebError::NoSuchRequest(signed_in.person().locale));
    }
    Ok(seen)
}

/// Whose installations and cost centres a change is read against: the person's own when
/// they are a requester of the request's installation, the request's requester otherwise
/// (a coordinator changing it).
async fn requester_of(state: &AppState, signed_in: &SignedIn, seen: &Seen) -> Result<Person, anyhow::Error> {
    let person = signed_in.person();
    if person.has_role(Role::Requester)
        && signed_in
            .visibility()
            .await?
            .installations
            .contains(&seen.request.details.installation_id)
    {
        return Ok(person.clone());
    }
    let mut tx = state.workflow.store().begin_read().await?;
    let requester = tx.person(seen.request.requested_by).await?;
    tx.commit().await?;
    Ok(requester)
}

fn to_request(id: RequestId) -> Response {
    crate::web::page::see_other(format!("/requests/{}", id.0))
}

/// `GET /requests/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    signed_in: SignedIn,
) -> Result<Response, WebError> {
    let seen = editable(&state, &signed_in, id).await?;
    if !changeable(seen.request.status) {
        return Ok(to_request(seen.request.id));
    }
    let values = prefill(&state, &seen.request.details)
        .await
        .map_err(WebError::internal)?;
    let requester = requester_of(&state, &signed_in, &seen).await?;
    let locale = seen.person.locale;
    let page = FormPage {
        person: &seen.person,
        requester,
        heading: format!(
            "{} {}",
            locale.text("request-change-request"),
            seen.request.shown(locale)
        ),
        action: format!("/requests/{id}/edit"),
        button: &edit_button(seen.request.status, locale),
        csrf: signed_in.session().csrf(),
        menu: signed_in.session().menu(),
        values,
        problems: Problems::default(),
        kept: Vec::new(),
        similar: None,
        draft_button: draft_button(seen.request.status, locale),
        save_as_draft: false,
        warning: rebook_warning(seen.request.status, locale),
    };
    render(&state, page, StatusCode::OK).await
}

/// `POST /requests/new`.
pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(whom): Query<ForWhom>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let requester = match booked_for(&state, &signed_in, &whom.pour).await? {
        Ok(r) => r,
        Err(ask) => return Ok(ask),
    };
    let person = signed_in.person();
    let locale = person.locale;
    let page = FormPage {
        person,
        heading: locale.text("request-new-interpreter-request"),
        action: new_action(person, &requester),
        requester,
        button: &locale.text("request-send-the-request"),
        csrf: signed_in.session().csrf(),
        menu: signed_in.session().menu(),
        values: BTreeMap::new(),
        problems: Problems::default(),
        kept: Vec::new(),
        similar: None,
        draft_button: locale.text("request-save-as-draft"),
        save_as_draft: false,
        warning: String::new(),
    };
    save(&state, &signed_in, None, page, multipart).await
}

/// `POST /requests/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    signed_in: SignedIn,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let seen = editable(&state, &signed_in, id).await?;
    let requester = requester_of(&state, &signed_in, &seen).await?;
    let locale = seen.person.locale;
    let page = FormPage {
        person: signed_in.person(),
        requester,
        heading: format!(
            "{} {}",
            locale.text("request-change-request"),
            seen.request.shown(locale)
        ),
        action: format!("/requests/{id}/edit"),
        button: &edit_button(seen.request.status, locale),
        csrf: signed_in.session().csrf(),
        menu: signed_in.session().menu(),
        values: BTreeMap::new(),
        problems: Problems::default(),
        kept: Vec::new(),
        similar: None,
        draft_button: draft_button(seen.request.status, locale),
        save_as_draft: false,
        warning: rebook_warning(seen.request.status, locale),
    };
    save(&state, &signed_in, Some(&seen), page, multipart).await
}

/// Reads, checks and saves a posted form; on any problem, the form comes back as typed.
async fn save(
    state: &AppState,
    signed_in: &SignedIn,
    base: Option<&Seen>,
    mut page: FormPage<'_>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let person = signed_in.person();
    let locale = person.locale;
    let posted = match multipart {
        Ok(m) => read_multipart(m, FormField::from_key).await,
        Err(e) => Err(e.body_text()),
    };
    let posted = match posted {
        Ok(p) => p,
        Err(e) => {
            tracing::info!(error = %e, "request form unreadable");
            page.problems
                .general
                .push(locale.text("request-the-form-could-not-be-read"));
            return render(state, page, StatusCode::PAYLOAD_TOO_LARGE).await;
        }
    };
    page.values = posted.values.clone();
    page.save_as_draft = posted.draft && !page.draft_button.is_empty();
    if !signed_in.session().csrf_ok(&posted.csrf) {
        page.problems
            .general
            .push(locale.text("request-nothing-was-saved-this-form-expired"));
        return render(state, page, StatusCode::FORBIDDEN).await;
    }
    if let Some(seen) = base
        && !changeable(seen.request.status)
    {
        return Ok(to_request(seen.request.id));
    }
    let workflow = &state.workflow;
    let (held, files) = attachments(workflow, person.id, &posted, locale, &mut page.problems.general).await?;
    let now = workflow
        .clock()
        .now()
        .with_timezone(&workflow.config().time_zone)
        .naive_local();
    let reading = read_values(&posted.values, now);
    for issue in &reading.issues {
        page.problems.issue(issue, locale);
    }
    let saved = store_request(
        workflow,
        person,
        base,
        &mut page,
        &posted.values,
        &reading,
        &held,
        &files,
    )
    .await;
    if let Some(applied) = saved? {
        return Ok(to_request(applied.request));
    }
    // What was attached waits for the corrected form.
    let now = workflow.clock().now();
    let mut kept = hold(workflow.store(), person.id, &files, now, locale)
        .await
        .map_err(WebError::internal)?;
    page.kept = held.kept(locale);
    page.kept.append(&mut kept);
    render(state, page, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Whether the requester confirmed sending despite a similar request (« Envoyer quand même »).
fn insists(values: &BTreeMap<FormField, String>) -> bool {
    values
        .get(&FormField::SendAnyway)
        .is_some_and(|v| matches!(v.trim(), "oui" | "yes"))
}

/// Runs `command`; for a draft sent from its change form (`sends_draft`), then submits it:
/// « Brouillon » → « Nouveau », and its number.
async fn execute(
    workflow: &crate::workflow::Workflow,
    tx: &mut crate::store::Tx,
    actor: Actor,
    command: Command,
    sends_draft: bool,
) -> Result<Applied, WorkflowError> {
    let applied = workflow.execute_in(tx, actor, command).await?;
    if !sends_draft {
        return Ok(applied);
    }
    let submit = Command::SubmitRequest {
        request: applied.request,
    };
    workflow.execute_in(tx, actor, submit).await
}

/// Whether a request about to be sent is like an open one of its requester, noted on
/// `page` with the choice to send it anyway; never for a draft kept, a change, or when the
/// requester already chose « Envoyer quand même ».
async fn flag_similar(
    workflow: &crate::workflow::Workflow,
    tx: &mut crate::store::Tx,
    base: Option<&Seen>,
    page: &mut FormPage<'_>,
    values: &BTreeMap<FormField, String>,
    details: &RequestDetails,
) -> anyhow::Result<bool> {
    let sent_now = base.is_none_or(|s| s.request.status == RequestStatus::Draft) && !page.save_as_draft;
    if !sent_now || insists(values) {
        return Ok(false);
    }
    let Some(number) = similar_request(workflow, tx, page.requester.id, details).await? else {
        return Ok(false);
    };
    let locale = page.person.locale;
    page.problems.general.push(duplicates::notice(&number, locale));
    page.problems.general.push(locale.text("request-similar-confirm-web"));
    page.similar = Some(number);
    Ok(true)
}

/// Saves the request read from the form in one transaction, with its files: `None` when
/// the form has problems (noted on `page`) or the workflow refused it, and nothing is saved.
#[allow(clippy::too_many_arguments)]
async fn store_request(
    workflow: &crate::workflow::Workflow,
    person: &Person,
    base: Option<&Seen>,
    page: &mut FormPage<'_>,
    values: &BTreeMap<FormField, String>,
    reading: &FormReading,
    held: &Held,
    files: &[NewAttachment],
) -> anyhow::Result<Option<Applied>> {
    let locale = person.locale;
    let mut tx = workflow.store().begin().await?;
    if !page.problems.is_empty() {
        // The fields read well may still be wrong (a phone, a cost centre): said now too,
        // so that every problem comes back in one pass.
        let base_details = base.map(|s| cleared(&s.request.details, values));
        if let Err(errors) = build_details(workflow, &mut tx, &page.requester, reading, base_details.as_ref()).await? {
            for e in errors.iter().filter(|e| e.problem != Problem::Required) {
                if form_field(e.field).is_none_or(|f| !page.problems.by_field.contains_key(&f)) {
                    page.problems.field_error(e, locale);
                }
            }
        }
        tx.rollback().await?;
        return Ok(None);
    }
    let base_details = base.map(|s| cleared(&s.request.details, values));
    let details = match build_details(workflow, &mut tx, &page.requester, reading, base_details.as_ref()).await? {
        Ok(d) => d,
        Err(errors) => {
            for e in &errors {
                page.problems.field_error(e, locale);
            }
            tx.rollback().await?;
            return Ok(None);
        }
    };
    if flag_similar(workflow, &mut tx, base, page, values, &details).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    // Someone else's request is booked or changed as a coordinator.
    let actor = if page.requester.id == person.id {
        Actor::requester(person.id, Channel::Web)
    } else {
        Actor::coordinator(person.id, Channel::Web)
    };
    let repetition = match reading.values.get(&FormField::Repetition) {
        Some(crate::forms::request::FieldValue::Repetition(r)) => Some(*r),
        _ => None,
    };
    let executed = match repetition {
        // A series: its first occurrence stands for it (the page opens it, the files go
        // with it).
        Some(repetition) if base.is_none() && !page.save_as_draft => workflow
            .create_series_in(&mut tx, actor, page.requester.id, details, repetition)
            .await
            .and_then(|created| created.into_iter().next().ok_or(WorkflowError::NotFound)),
        Some(_) => Err(WorkflowError::Invalid(vec![crate::domain::request::FieldError::new(
            Field::Repetition,
            Problem::SeriesOnlyNew,
        )])),
        None => {
            let command = match base {
                Some(seen) => Command::ModifyRequest {
                    request: seen.request.id,
                    details,
                },
                None => Command::CreateRequest {
                    requested_by: page.requester.id,
                    details,
                    submit: !page.save_as_draft,
                },
            };
            let sends_draft = base.is_some_and(|s| s.request.status == RequestStatus::Draft) && !page.save_as_draft;
            execute(workflow, &mut tx, actor, command, sends_draft).await
        }
    };
    let applied = match executed {
        Ok(applied) => applied,
        Err(WorkflowError::Invalid(errors)) => {
            for e in &errors {
                page.problems.field_error(e, locale);
            }
            tx.rollback().await?;
            return Ok(None);
        }
        Err(WorkflowError::Store(e)) => return Err(anyhow::Error::from(e)),
        Err(e) => {
            tracing::info!(error = %e, "request form refused");
            page.problems
                .general
                .push(locale.text("request-nothing-was-saved-the-request-can"));
            tx.rollback().await?;
            return Ok(None);
        }
    };
    let at = workflow.clock().now();
    for file in held.files().chain(files) {
        tx.insert_attachment(applied.request, AttachmentPurpose::Request, file, Some(person.id), at)
            .await?;
    }
    held.release(&mut tx, person.id).await?;
    tx.commit().await?;
    tracing::info!(request = %applied.label, to = applied.to.as_str(), channel = "web", "request saved from the form");
    Ok(Some(applied))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::request::{FieldValue, FormRequestType, normalise_value};

    #[test]
    fn the_choices_read_back_as_the_mail_form_reads_them() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap();
        let wanted = [
            FormRequestType::InPerson,
            FormRequestType::Phone,
            FormRequestType::Video,
            FormRequestType::Message,
            FormRequestType::Translation,
            FormRequestType::Permanence,
            FormRequestType::ProfessionalService,
        ];
        for ((word, _), kind) in REQUEST_TYPES.iter().zip(wanted) {
            assert_eq!(
                normalise_value(FormField::RequestType, word, now),
                Ok(FieldValue::RequestType(kind)),
                "{word}"
            );
        }
        for (word, _) in options_of(FormField::InterpreterGender, Locale::Fr, &Choices::default()) {
            assert!(
                normalise_value(FormField::InterpreterGender, &word, now).is_ok(),
                "{word}"
            );
        }
        for tag in ["es", "ar", "fr", "zh"] {
            let shown = language_value(&LanguageTag::parse(tag).ok());
            assert_eq!(
                normalise_value(FormField::TargetLanguage, &shown, now),
                Ok(FieldValue::Language(LanguageTag::parse(tag).unwrap())),
                "{tag} shown as {shown}"
            );
        }
    }
}
