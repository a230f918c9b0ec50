//! Request details from a read form (mail or web): over the request's details for a
//! change, from scratch for a new request. References (installation, cost centre,
//! interpreter) are looked up in the store; what cannot be used is a field error. And the
//! other way: the form as a request's details fill it, for a mail that carries a draft.

use super::Workflow;
use crate::domain::contact::{EmailAddress, PhoneNumber};
use crate::domain::ids::{CostCentreId, EstablishmentId, InstallationId, PersonId};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::person::{Person, RequesterProfile, UserCode};
use crate::domain::request::{Field, FieldError, Gender, Problem, RequestDetails, RequestType};
use crate::domain::role::Role;
use crate::domain::text::fold;
use crate::forms::request::{FieldValue, FormField, FormReading, FormRequestType, GenderWanted};
use crate::store::{StoreError, Tx};
use chrono::{NaiveDate, NaiveTime};
use std::collections::BTreeMap;

/// Turns form values into request details: over `base` for a change, from scratch for a
/// new request. References (installation, cost centre, interpreter) are looked up.
pub async fn build_details(
    workflow: &Workflow,
    tx: &mut Tx,
    person: &Person,
    form: &FormReading,
    base: Option<&RequestDetails>,
) -> anyhow::Result<Result<RequestDetails, Vec<FieldError>>> {
    let mut errors = Vec::new();
    let profile = tx.requester_profile(person.id).await?;
    let installation_id = find_installation(tx, form, profile.as_ref(), base, &mut errors).await?;
    let establishment = match installation_id {
        Some(id) => Some(tx.installation(id).await?.establishment_id),
        None => None,
    };
    // A new request is charged to the profile's cost centre, unless it was retired since.
    let profile_centre = match profile.as_ref().and_then(|p| p.cost_centre_id) {
        Some(id) if tx.cost_centre(id).await?.active => Some(id),
        _ => None,
    };
    let Some(mut details) = required_details(form, base, installation_id, profile_centre) else {
        if errors.is_empty() {
            errors.push(FieldError::new(Field::RequestType, Problem::Required));
        }
        // The other fields are checked all the same, so that every problem comes back at
        // once rather than in a second wave once the required fields are filled.
        if let Ok(french) = LanguageTag::parse("fr") {
            let mut scratch = blank_details(french);
            set_contacts(&mut scratch, form, &workflow.config().default_phone_region, &mut errors);
            set_references(tx, &mut scratch, form, establishment, base, &mut errors).await?;
        }
        return Ok(Err(errors));
    };
    set_optional_values(&mut details, form);
    set_contacts(&mut details, form, &workflow.config().default_phone_region, &mut errors);
    set_references(tx, &mut details, form, establishment, base, &mut errors).await?;
    Ok(if errors.is_empty() { Ok(details) } else { Err(errors) })
}

/// Details with nothing in them but `language` on both sides: what a new request starts
/// from, and what the optional fields are checked against when required ones are missing
/// (never saved).
fn blank_details(language: LanguageTag) -> RequestDetails {
    RequestDetails {
        installation_id: InstallationId(0),
        location: String::new(),
        address: None,
        request_type: RequestType::InPerson,
        date: NaiveDate::MIN,
        start_time: NaiveTime::MIN,
        flexible_until: None,
        duration_minutes: 0,
        source_language: language.clone(),
        target_language: language,
        alternative_language: None,
        alternative_date: None,
        professional: Default::default(),
        preferred_interpreter: None,
        interpreter_gender: None,
        interpreter_must_notify_user: false,
        notes: Default::default(),
        patient: Default::default(),
        video: Default::default(),
        cost_centre_id: None,
        billing_code_id: None,
        interpreter_type: None,
        on_site: Default::default(),
        supplementary: false,
    }
}

fn text(form: &FormReading, f: FormField) -> Option<String> {
    match form.values.get(&f) {
        Some(FieldValue::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

fn time(form: &FormReading, f: FormField) -> Option<NaiveTime> {
    match form.values.get(&f) {
        Some(FieldValue::Time(t)) => Some(*t),
        _ => None,
    }
}

fn date(form: &FormReading, f: FormField) -> Option<NaiveDate> {
    match form.values.get(&f) {
        Some(FieldValue::Date(d)) => Some(*d),
        _ => None,
    }
}

fn language(form: &FormReading, f: FormField) -> Option<LanguageTag> {
    match form.values.get(&f) {
        Some(FieldValue::Language(l)) => Some(l.clone()),
        _ => None,
    }
}

/// The installation named (one of the requester's), else the request's, else the
/// requester's only one; an error when none fits.
async fn find_installation(
    tx: &mut Tx,
    form: &FormReading,
    profile: Option<&RequesterProfile>,
    base: Option<&RequestDetails>,
    errors: &mut Vec<FieldError>,
) -> anyhow::Result<Option<InstallationId>> {
    Ok(match (text(form, FormField::Installation), profile) {
        (Some(name), Some(profile)) => {
            let wanted = fold(&name);
            let mut found = None;
            for id in &profile.installations {
                let inst = tx.installation(*id).await?;
                let folded = fold(&inst.name);
                if folded == wanted || folded.contains(&wanted) || wanted.contains(&folded) {
                    found = Some(*id);
                    break;
                }
            }
            if found.is_none() {
                errors.push(FieldError::new(Field::Installation, Problem::Unknown));
            }
            found
        }
        (None, _) if base.is_some() => base.map(|b| b.installation_id),
        (None, Some(profile)) if profile.installations.len() == 1 => profile.installations.first().copied(),
        _ => {
            errors.push(FieldError::new(Field::Installation, Problem::Required));
            None
        }
    })
}

/// The details every request has (where, what, when, how long, which languages), from the
/// form or else from `base`; `None` when one is missing.
fn required_details(
    form: &FormReading,
    base: Option<&RequestDetails>,
    installation_id: Option<InstallationId>,
    profile_centre: Option<CostCentreId>,
) -> Option<RequestDetails> {
    let request_type = match form.values.get(&FormField::RequestType) {
        Some(FieldValue::RequestType(t)) => Some(match t {
            FormRequestType::InPerson => RequestType::InPerson,
            FormRequestType::Phone => RequestType::Phone,
            FormRequestType::Video => RequestType::Video,
            FormRequestType::Message => RequestType::MessageTransmission,
            FormRequestType::Translation => RequestType::Translation,
            FormRequestType::Permanence => RequestType::Permanence,
            FormRequestType::ProfessionalService => RequestType::ProfessionalService,
        }),
        _ => base.map(|b| b.request_type),
    };
    let date = match form.values.get(&FormField::Date) {
        Some(FieldValue::Date(d)) => Some(*d),
        _ => base.map(|b| b.date),
    };
    let start_time = time(form, FormField::StartTime).or(base.map(|b| b.start_time));
    let duration_minutes = match form.values.get(&FormField::DurationMinutes) {
        Some(FieldValue::Minutes(m)) => Some(*m),
        _ => base.map(|b| b.duration_minutes),
    };
    let source_language = language(form, FormField::SourceLanguage)
        .or(base.map(|b| b.source_language.clone()))
        .or_else(|| LanguageTag::parse("fr").ok());
    let target_language = language(form, FormField::TargetLanguage).or(base.map(|b| b.target_language.clone()));
    let (installation_id, request_type, date, start_time, duration_minutes, source_language, target_language) = (
        installation_id?,
        request_type?,
        date?,
        start_time?,
        duration_minutes?,
        source_language?,
        target_language?,
    );
    Some(match base {
        Some(b) => RequestDetails {
            installation_id,
            request_type,
            date,
            start_time,
            duration_minutes,
            source_language,
            target_language,
            ..b.clone()
        },
        None => RequestDetails {
            installation_id,
            request_type,
            date,
            start_time,
            duration_minutes,
            source_language: source_language.clone(),
            target_language,
            cost_centre_id: profile_centre,
            ..blank_details(source_language)
        },
    })
}

/// The values that need no look-up: a value given replaces the one there.
fn set_optional_values(details: &mut RequestDetails, form: &FormReading) {
    if let Some(t) = time(form, FormField::FlexibleUntil) {
        details.flexible_until = Some(t);
    }
    if let Some(l) = language(form, FormField::AlternativeLanguage) {
        details.alternative_language = Some(l);
    }
    if let Some(d) = date(form, FormField::AlternativeDate) {
        details.alternative_date = Some(d);
    }
    let set_text = |slot: &mut Option<String>, f: FormField| {
        if let Some(t) = text(form, f) {
            *slot = Some(t);
        }
    };
    if let Some(location) = text(form, FormField::Location) {
        details.location = location;
    }
    set_text(&mut details.address, FormField::Address);
    if details.location.trim().is_empty() {
        // Remote requests have no place; the record still says how it happens.
        details.location = details
            .address
            .clone()
            .unwrap_or_else(|| details.request_type.label(Locale::Fr).to_string());
    }
    set_text(&mut details.notes.context, FormField::Context);
    set_text(&mut details.notes.reason, FormField::Reason);
    set_text(
        &mut details.notes.message_to_interpreter,
        FormField::MessageToInterpreter,
    );
    set_text(&mut details.notes.coordinator_note, FormField::NoteToCoordinator);
    set_text(&mut details.patient.name, FormField::PatientName);
    set_text(&mut details.patient.phone, FormField::PatientPhone);
    set_text(&mut details.professional.name, FormField::ProfessionalName);
    set_text(&mut details.professional.function, FormField::ProfessionalFunction);
    set_text(&mut details.video.platform, FormField::VideoPlatform);
    set_text(&mut details.video.link, FormField::VideoLink);
    set_text(&mut details.video.passcode, FormField::VideoPasscode);
    set_text(&mut details.patient.details, FormField::PatientDetails);
    set_text(&mut details.on_site.name, FormField::OnSiteName);
    if let Some(FieldValue::InterpreterType(t)) = form.values.get(&FormField::InterpreterType) {
        details.interpreter_type = *t;
    }
    if let Some(FieldValue::Bool(b)) = form.values.get(&FormField::Supplementary) {
        details.supplementary = *b;
    }
    match form.values.get(&FormField::InterpreterGender) {
        Some(FieldValue::Gender(GenderWanted::Female)) => details.interpreter_gender = Some(Gender::Female),
        Some(FieldValue::Gender(GenderWanted::Male)) => details.interpreter_gender = Some(Gender::Male),
        Some(FieldValue::Gender(GenderWanted::Any)) => details.interpreter_gender = None,
        _ => {}
    }
    if let Some(FieldValue::Bool(b)) = form.values.get(&FormField::NotifyUser) {
        details.interpreter_must_notify_user = *b;
    }
}

/// The professional's phone and address, when given and readable.
fn set_contacts(details: &mut RequestDetails, form: &FormReading, phone_region: &str, errors: &mut Vec<FieldError>) {
    if let Some(phone) = text(form, FormField::ProfessionalPhone) {
        match PhoneNumber::parse(&phone, phone_region) {
            Ok(p) => details.professional.phone = Some(p),
            Err(_) => errors.push(FieldError::new(Field::ProfessionalPhone, Problem::Unreadable(phone))),
        }
    }
    if let Some(phone) = text(form, FormField::OnSitePhone) {
        match PhoneNumber::parse(&phone, phone_region) {
            Ok(p) => details.on_site.phone = Some(p),
            Err(_) => errors.push(FieldError::new(Field::OnSitePhone, Problem::Unreadable(phone))),
        }
    }
    if let Some(email) = text(form, FormField::ProfessionalEmail) {
        match EmailAddress::parse(&email) {
            Ok(e) => details.professional.email = Some(e),
            Err(_) => errors.push(FieldError::new(Field::ProfessionalEmail, Problem::Unreadable(email))),
        }
    }
}

/// The cost centre, the billing code and the preferred interpreter, looked up when named.
async fn set_references(
    tx: &mut Tx,
    details: &mut RequestDetails,
    form: &FormReading,
    establishment: Option<EstablishmentId>,
    base: Option<&RequestDetails>,
    errors: &mut Vec<FieldError>,
) -> anyhow::Result<()> {
    if let Some(code) = text(form, FormField::CostCentre) {
        let found = match establishment {
            Some(e) => {
                tx.cost_centre_by_code(e, code.split_whitespace().next().unwrap_or(""))
                    .await?
            }
            None => None,
        };
        match found {
            // A retired cost centre stays on the requests that had it, and only there.
            Some((id, active)) if active || base.and_then(|b| b.cost_centre_id) == Some(id) => {
                details.cost_centre_id = Some(id)
            }
            Some(_) => errors.push(FieldError::new(Field::CostCentre, Problem::Retired)),
            None => errors.push(FieldError::new(Field::CostCentre, Problem::Unknown)),
        }
    }
    if let Some(code) = text(form, FormField::BillingCode) {
        let found = match establishment {
            Some(e) => tx.billing_code_by_code(e, &code).await?,
            None => None,
        };
        match found {
            // As cost centres: a retired code stays on the requests that had it, only there.
            Some((id, active)) if active || base.and_then(|b| b.billing_code_id) == Some(id) => {
                details.billing_code_id = Some(id)
            }
            Some(_) => errors.push(FieldError::new(Field::BillingCode, Problem::Retired)),
            None => errors.push(FieldError::new(Field::BillingCode, Problem::Unknown)),
        }
    }
    if let Some(who) = text(form, FormField::PreferredInterpreter) {
        match find_interpreter(tx, &who).await? {
            Some(id) => details.preferred_interpreter = Some(id),
            None => errors.push(FieldError::new(Field::PreferredInterpreter, Problem::Unknown)),
        }
    }
    Ok(())
}

/// An interpreter by user code, or by a name that names exactly one.
async fn find_interpreter(tx: &mut Tx, who: &str) -> anyhow::Result<Option<PersonId>> {
    if let Some(code) = UserCode::parse(who)
        && let Some(p) = tx.person_by_user_code(&code).await?
        && p.has_role(Role::Interpreter)
    {
        return Ok(Some(p.id));
    }
    let wanted = fold(who);
    let matches: Vec<PersonId> = tx
        .people_with_role(Role::Interpreter)
        .await?
        .into_iter()
        .filter(|p| {
            let full = fold(&p.display_name());
            let reversed = fold(&format!("{} {}", p.last_name, p.first_name));
            full == wanted || reversed == wanted
        })
        .map(|p| p.id)
        .collect();
    Ok(if matches.len() == 1 {
        matches.first().copied()
    } else {
        None
    })
}

/// The form lines `details` fill, in `locale`: each value written as the form reads it back
/// to the same detail (a type, a gender, an interpreter type by its label; a language by its
/// name; references by their name or code). What the request does not have is left out, so
/// the form shows the field's hint. Never the « Brouillon » line: the caller says.
pub async fn form_values(
    tx: &mut Tx,
    details: &RequestDetails,
    locale: Locale,
) -> Result<BTreeMap<FormField, String>, StoreError> {
    use FormField as F;
    let mut values = BTreeMap::new();
    let mut put = |field: F, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            values.insert(field, v);
        }
    };
    let yes_no = |yes: bool| {
        Some(
            locale
                .pick(if yes { "oui" } else { "non" }, if yes { "yes" } else { "no" })
                .to_string(),
        )
    };
    let time = |t: NaiveTime| t.format("%H:%M").to_string();
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    put(F::RequestType, Some(details.request_type.label(locale).to_string()));
    put(F::Date, Some(date(details.date)));
    put(F::AlternativeDate, details.alternative_date.map(date));
    put(F::StartTime, Some(time(details.start_time)));
    put(F::FlexibleUntil, details.flexible_until.map(time));
    put(F::DurationMinutes, Some(details.duration_minutes.to_string()));
    put(F::SourceLanguage, Some(details.source_language.written(locale)));
    put(F::TargetLanguage, Some(details.target_language.written(locale)));
    put(
        F::AlternativeLanguage,
        details.alternative_language.as_ref().map(|l| l.written(locale)),
    );
    put(
        F::Installation,
        Some(tx.installation(details.installation_id).await?.name),
    );
    put(F::Location, Some(details.location.clone()));
    put(F::Address, details.address.clone());
    put(F::OnSiteName, details.on_site.name.clone());
    put(
        F::OnSitePhone,
        details.on_site.phone.as_ref().map(|p| p.display(locale)),
    );
    put(F::Context, details.notes.context.clone());
    put(F::ProfessionalName, details.professional.name.clone());
    put(F::ProfessionalFunction, details.professional.function.clone());
    put(
        F::ProfessionalPhone,
        details.professional.phone.as_ref().map(|p| p.display(locale)),
    );
    put(
        F::ProfessionalEmail,
        details.professional.email.as_ref().map(|e| e.to_string()),
    );
    put(
        F::InterpreterType,
        details.interpreter_type.map(|t| t.label(locale).to_string()),
    );
    if let Some(p) = details.preferred_interpreter {
        put(F::PreferredInterpreter, Some(tx.person(p).await?.user_code.to_string()));
    }
    put(
        F::InterpreterGender,
        match details.interpreter_gender {
            Some(g @ (Gender::Female | Gender::Male)) => Some(g.label(locale).to_string()),
            // The form cannot ask for it: shown as not chosen, and left as it is.
            Some(Gender::NonBinary) => None,
            None => Some(locale.pick("indifférent", "any").to_string()),
        },
    );
    put(F::NotifyUser, yes_no(details.interpreter_must_notify_user));
    put(F::Reason, details.notes.reason.clone());
    put(F::MessageToInterpreter, details.notes.message_to_interpreter.clone());
    put(F::NoteToCoordinator, details.notes.coordinator_note.clone());
    put(F::PatientName, details.patient.name.clone());
    put(F::PatientPhone, details.patient.phone.clone());
    put(F::PatientDetails, details.patient.details.clone());
    if let Some(c) = details.cost_centre_id {
        put(F::CostCentre, Some(tx.cost_centre(c).await?.code));
    }
    if let Some(b) = details.billing_code_id {
        put(F::BillingCode, Some(tx.billing_code(b).await?.code));
    }
    put(F::VideoPlatform, details.video.platform.clone());
    put(F::VideoLink, details.video.link.clone());
    put(F::VideoPasscode, details.video.passcode.clone());
    put(F::Supplementary, yes_no(details.supplementary));
    Ok(values)
}
