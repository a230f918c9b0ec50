//! The interpreter's parts of a person's page (`/admin/people/{code}`), which coordinators
//! keep: where and how they work (gender, region, address, postal codes, request types,
//! contexts, blocked establishments), and their times away (their eligibility documents,
//! each with its file, are in `documents`). Each form posts to
//! `/admin/people/{code}/{part}`: `placement` or `inactivity`.

use super::super::{FormView, Input, Item, Section};
use super::form::{Posted, all, first};
use crate::domain::ids::PersonId;
use crate::domain::interpreter::InterpreterProfile;
use crate::domain::interpreter_form::{PlacementForm, read_inactivity, write_inactivity};
use crate::domain::locale::Locale;
use crate::domain::organisation::Establishment;
use crate::domain::person_form::Problems;
use crate::domain::request::{Gender, RequestType};
use crate::workflow::roster::RosterError;
use crate::workflow::{Actor, InterpreterSelfChange, Workflow};
use chrono_tz::Tz;

fn form(id: &str, base: &str, csrf: &str, inputs: Vec<Input>, label: String) -> FormView {
    FormView {
        id: id.into(),
        method: "post",
        action: format!("{base}/{id}"),
        csrf: csrf.into(),
        inputs,
        buttons: vec![(label, String::new())],
        ..FormView::default()
    }
}

fn section(heading: String, lines: Vec<String>, form: FormView) -> Section {
    Section {
        heading,
        items: vec![Item {
            headline: String::new(),
            lines,
            forms: vec![form],
        }],
        ..Section::default()
    }
}

/// The genders a coordinator chooses from, « non renseigné » first.
fn gender_choices(locale: Locale) -> Vec<(String, String)> {
    let mut choices = vec![(String::new(), locale.text("coord-gender-not-given"))];
    choices.extend(
        [Gender::Female, Gender::Male, Gender::NonBinary]
            .into_iter()
            .map(|g| (g.as_str().to_string(), g.label(locale).to_string())),
    );
    choices
}

/// Where and how the interpreter works.
pub fn placement_section(
    p: &InterpreterProfile,
    establishments: &[Establishment],
    base: &str,
    csrf: &str,
    locale: Locale,
) -> Section {
    let text = |key: &str| locale.text(key);
    let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
    let inputs = vec![
        Input::new(
            "gender",
            "select",
            &text("coord-gender"),
            p.gender.map(|g| g.as_str()).unwrap_or(""),
        )
        .choices(gender_choices(locale))
        .hint(text("coord-gender-hint")),
        Input::new(
            "main_region",
            "text",
            &text("coord-main-region"),
            or_empty(&p.main_region),
        )
        .hint(text("coord-main-region-hint")),
        Input::new("address", "text", &text("coord-address"), or_empty(&p.address)),
        Input::new(
            "postal_code",
            "text",
            &text("coord-postal-code"),
            or_empty(&p.postal_code),
        ),
        Input::new(
            "work_postal_codes",
            "text",
            &text("coord-work-postal-codes"),
            or_empty(&p.work_postal_code),
        )
        .hint(text("coord-work-postal-codes-hint")),
        Input {
            options: RequestType::ALL
                .into_iter()
                .map(|t| {
                    let held = p.request_types.contains(&t);
                    (t.as_str().to_string(), t.label(locale).to_string(), held)
                })
                .collect(),
            ..Input::new("request_types", "checks", &text("coord-request-types"), "")
        },
        Input::new("contexts", "textarea", &text("coord-contexts"), p.contexts.join("\n"))
            .hint(text("coord-contexts-hint")),
        Input {
            options: establishments
                .iter()
                .map(|e| {
                    let blocked = p.blocked_establishments.contains(&e.id);
                    (e.id.0.to_string(), format!("{} — {}", e.code, e.name), blocked)
                })
                .collect(),
            hint: text("coord-blocked-establishments-hint"),
            ..Input::new("blocked", "checks", &text("coord-blocked-establishments"), "")
        },
    ];
    section(
        text("coord-interpreter-placement"),
        vec![text("coord-interpreter-placement-intro")],
        form("placement", base, csrf, inputs, text("coord-save")),
    )
}

/// The inactivity periods, one a line.
pub fn inactivity_section(p: &InterpreterProfile, base: &str, csrf: &str, locale: Locale, tz: Tz) -> Section {
    let text = |key: &str| locale.text(key);
    let inputs = vec![
        Input::new(
            "inactivity",
            "textarea",
            &text("coord-inactivity-periods"),
            write_inactivity(&p.inactivity, tz),
        )
        .hint(text("coord-inactivity-periods-hint")),
    ];
    section(
        text("coord-inactivity-periods"),
        vec![text("coord-inactivity-intro")],
        form("inactivity", base, csrf, inputs, text("coord-save")),
    )
}

/// The placement part, read and saved.
pub async fn change_placement(
    workflow: &Workflow,
    actor: Actor,
    id: PersonId,
    posted: &Posted,
) -> Result<&'static str, RosterError> {
    let mut problems = Problems::default();
    let placement = PlacementForm {
        gender: first(posted, "gender"),
        main_region: first(posted, "main_region"),
        address: first(posted, "address"),
        postal_code: first(posted, "postal_code"),
        work_postal_codes: first(posted, "work_postal_codes"),
        request_types: all(posted, "request_types"),
        blocked: all(posted, "blocked"),
        contexts: first(posted, "contexts"),
    }
    .read(&mut problems);
    match problems.or(placement) {
        Ok(placement) => workflow
            .set_interpreter_placement(actor, id, placement)
            .await
            .map(|()| "saved"),
        Err(errors) => Err(RosterError::Invalid(errors)),
    }
}

/// The inactivity periods, read and saved through the profile command the interpreter's
/// own page uses; their request types, hours and documents stay as they are.
pub async fn change_inactivity(
    workflow: &Workflow,
    actor: Actor,
    id: PersonId,
    profile: &InterpreterProfile,
    posted: &Posted,
    tz: Tz,
) -> Result<&'static str, RosterError> {
    let mut problems = Problems::default();
    let inactivity = read_inactivity(first(posted, "inactivity"), tz, &mut problems);
    if let Err(errors) = problems.or(()) {
        return Err(RosterError::Invalid(errors));
    }
    let change = InterpreterSelfChange {
        request_types: profile.request_types.clone(),
        availability: profile.availability.clone(),
        inactivity,
        documents: profile.documents.clone(),
    };
    workflow.update_interpreter_profile(actor, id, change).await?;
    Ok("saved")
}
