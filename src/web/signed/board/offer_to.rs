//! `POST /board/offer-to`: offers a waiting request to someone the coordinator names in the
//! row's « Offrir à… » field, by name or user code. Nobody matching: the board again saying
//! what was typed. Several: they are listed, each with a button. Someone who cannot take the
//! request (already booked, outside their hours…): a warning saying why, and an « Offrir
//! quand même » button that posts again with `confirm` (never for an interpreter blocked
//! for the establishment: the workflow refuses it). Otherwise it is offered as a candidate
//! button does ([`super::offer_now`]).

use super::super::FormView;
use super::{board, board_with, changed, is_waiting, label_of, offer_now};
use crate::domain::ids::RequestId;
use crate::domain::matching::Exclusion;
use crate::domain::person::{Person, UserCode};
use crate::domain::role::Role;
use crate::domain::text::fold;
use crate::web::AppState;
use crate::web::WebError;
use crate::web::account::Coordinator;
use crate::web::page::Tone;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// How many people a « be more precise » answer lists at most.
const LISTED: usize = 8;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OfferToForm {
    csrf: String,
    request: i64,
    /// A name or a user code, as typed.
    who: String,
    /// Set by « Offrir quand même »: offer to someone who cannot take the request.
    confirm: String,
}

/// Whom a typed name or code names among the active interpreters.
#[derive(Debug, PartialEq, Eq)]
pub enum Found<'a> {
    Nobody,
    One(&'a Person),
    /// Everyone it could be, by name.
    Several(Vec<&'a Person>),
}

/// Whom `typed` names among `interpreters`: their user code; or their full name, first or
/// last name first; or else the start of each of its words (« luc ram » for Lucía Ramírez).
/// Accents, case and punctuation do not count.
pub fn resolve<'a>(typed: &str, interpreters: &'a [Person]) -> Found<'a> {
    if let Some(code) = UserCode::parse(typed)
        && let Some(p) = interpreters.iter().find(|p| p.user_code == code)
    {
        return Found::One(p);
    }
    let wanted = fold(typed);
    if wanted.is_empty() {
        return Found::Nobody;
    }
    let whole: Vec<&Person> = interpreters
        .iter()
        .filter(|p| fold(&p.display_name()) == wanted || fold(&format!("{} {}", p.last_name, p.first_name)) == wanted)
        .collect();
    let found = if whole.is_empty() {
        interpreters
            .iter()
            .filter(|p| {
                let name = fold(&p.display_name());
                wanted
                    .split(' ')
                    .all(|w| name.split(' ').any(|part| part.starts_with(w)))
            })
            .collect()
    } else {
        whole
    };
    match found.as_slice() {
        [] => Found::Nobody,
        [one] => Found::One(one),
        _ => Found::Several(found),
    }
}

/// `POST /board/offer-to`.
pub async fn submit(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    form: Result<Form<OfferToForm>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = super::super::settings(&state);
    let locale = signed_in.person().locale;
    let Some(Form(form)) = form.ok().filter(|f| signed_in.session().csrf_ok(&f.csrf)) else {
        let text = locale.text("coord-nothing-was-done-this-form-expired");
        return board(
            &signed_in,
            &state,
            &settings,
            StatusCode::FORBIDDEN,
            Some((Tone::Bad, text)),
        )
        .await;
    };
    let request = RequestId(form.request);
    if !is_waiting(&state, request).await? {
        return changed(&signed_in, &state, &settings).await;
    }
    let typed: String = form.who.trim().chars().take(100).collect();
    let unknown = |key: &str| {
        let text = locale.text_with(key, &[("typed", &typed)]);
        Some((Tone::Bad, text))
    };
    if typed.is_empty() {
        let notice = unknown("coord-offer-to-nobody-named");
        return board(&signed_in, &state, &settings, StatusCode::UNPROCESSABLE_ENTITY, notice).await;
    }
    let mut tx = state.workflow.store().begin_read().await?;
    let interpreters = tx.people_with_role(Role::Interpreter).await?;
    tx.commit().await?;
    let csrf = signed_in.session().csrf();
    let person = match resolve(&typed, &interpreters) {
        Found::Nobody => {
            let notice = unknown("coord-offer-to-unknown");
            return board(&signed_in, &state, &settings, StatusCode::UNPROCESSABLE_ENTITY, notice).await;
        }
        Found::Several(people) => {
            let names: Vec<String> = people
                .iter()
                .take(LISTED)
                .map(|p| format!("{} ({})", p.display_name(), p.user_code))
                .collect();
            let text = locale.text_with(
                "coord-offer-to-several",
                &[("typed", &typed), ("names", &names.join(", "))],
            );
            let forms = people
                .iter()
                .take(LISTED)
                .map(|p| {
                    let label = locale.text_with(
                        "coord-offer-to-person",
                        &[("name", &format!("{} ({})", p.display_name(), p.user_code))],
                    );
                    offer_to_form(request, p, label, &csrf, false)
                })
                .collect();
            return board_with(
                &signed_in,
                &state,
                &settings,
                StatusCode::OK,
                Some((Tone::Bad, text)),
                forms,
            )
            .await;
        }
        Found::One(p) => p,
    };
    let confirmed = !form.confirm.is_empty();
    match why_not(&state, request, person).await? {
        None => offer_now(&signed_in, &state, &settings, request, vec![person.id]).await,
        Some(why) if confirmed && why != Exclusion::Blocked => {
            offer_now(&signed_in, &state, &settings, request, vec![person.id]).await
        }
        Some(why) => {
            let number = label_of(&state, request).await?;
            let values = [
                ("name", person.display_name()),
                ("number", number),
                ("why", why.describe(locale)),
            ];
            let values: Vec<(&'static str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (key, forms) = if why == Exclusion::Blocked {
                ("coord-offer-to-cannot", Vec::new())
            } else {
                let label = locale.text("coord-offer-anyway");
                (
                    "coord-offer-to-not-available",
                    vec![offer_to_form(request, person, label, &csrf, true)],
                )
            };
            let text = locale.text_with(key, &values);
            board_with(
                &signed_in,
                &state,
                &settings,
                StatusCode::OK,
                Some((Tone::Bad, text)),
                forms,
            )
            .await
        }
    }
}

/// Why `person` cannot take `request` now, or `None` when they are among its candidates.
/// Someone matching did not even consider does not speak its languages.
async fn why_not(state: &AppState, request: RequestId, person: &Person) -> Result<Option<Exclusion>, WebError> {
    let (_, matches) = state.workflow.matches(request).await?;
    if matches.ranked.iter().any(|r| r.person == person.id) {
        return Ok(None);
    }
    Ok(Some(
        matches
            .excluded
            .into_iter()
            .find(|(id, _, _)| *id == person.id)
            .map(|(_, _, why)| why)
            .unwrap_or(Exclusion::Language),
    ))
}

/// A button that posts the field again naming `person` by code: one of several who match,
/// or, with `confirm`, « Offrir quand même ».
fn offer_to_form(request: RequestId, person: &Person, label: String, csrf: &str, confirm: bool) -> FormView {
    let mut hidden = vec![
        ("request".to_string(), request.0.to_string()),
        ("who".to_string(), person.user_code.to_string()),
    ];
    if confirm {
        hidden.push(("confirm".into(), "1".into()));
    }
    FormView {
        method: "post",
        action: "/board/offer-to".into(),
        csrf: csrf.to_string(),
        hidden,
        buttons: vec![(label, String::new())],
        secondary: !confirm,
        ..FormView::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::EmailAddress;
    use crate::domain::ids::PersonId;
    use crate::domain::locale::Locale;

    fn interpreter(id: i64, first: &str, last: &str, code: &str) -> Person {
        Person {
            id: PersonId(id),
            user_code: UserCode::parse(code).unwrap(),
            first_name: first.into(),
            last_name: last.into(),
            email: EmailAddress::parse(&format!("i{id}@bi.example")).unwrap(),
            mobile: None,
            phone: None,
            locale: Locale::Fr,
            notify_email: true,
            notify_sms: false,
            roles: vec![Role::Interpreter],
            active: true,
        }
    }

    fn bank() -> Vec<Person> {
        vec![
            interpreter(1, "Lucía", "Ramírez", "UBILR0001"),
            interpreter(2, "Marie", "Dupont", "UBIMD0002"),
            interpreter(3, "Marie-Ève", "Roy", "UBIMR0003"),
            interpreter(4, "Diego", "Fernández", "UBIDF0004"),
        ]
    }

    fn ids(found: Found<'_>) -> Vec<i64> {
        match found {
            Found::Nobody => Vec::new(),
            Found::One(p) => vec![p.id.0],
            Found::Several(people) => people.iter().map(|p| p.id.0).collect(),
        }
    }

    #[test]
    fn a_code_or_a_whole_name_names_one() {
        let people = bank();
        assert_eq!(ids(resolve("UBIDF0004", &people)), [4]);
        assert_eq!(ids(resolve(" ubimd0002 ", &people)), [2], "as typed");
        assert_eq!(ids(resolve("Lucía Ramírez", &people)), [1]);
        assert_eq!(ids(resolve("lucia ramirez", &people)), [1], "accents and case aside");
        assert_eq!(ids(resolve("Ramírez, Lucía", &people)), [1], "last name first");
        assert!(matches!(resolve("Marie Dupont", &people), Found::One(_)));
    }

    #[test]
    fn the_start_of_each_word_is_enough_when_it_names_one() {
        let people = bank();
        assert_eq!(ids(resolve("Fernandez", &people)), [4]);
        assert_eq!(ids(resolve("luc ram", &people)), [1]);
        assert_eq!(ids(resolve("marie eve", &people)), [3]);
    }

    #[test]
    fn several_or_nobody_are_said_so() {
        let people = bank();
        assert_eq!(ids(resolve("Marie", &people)), [2, 3]);
        assert!(matches!(resolve("Marie", &people), Found::Several(_)));
        assert_eq!(resolve("Jean Tremblay", &people), Found::Nobody);
        assert_eq!(resolve("UBIZZ9999", &people), Found::Nobody, "a code nobody has");
        assert_eq!(resolve(" - ", &people), Found::Nobody);
    }
}
