//! Reading the values of the request form: durations in range, languages, request types,
//! genders, yes/no, and free text within its limits.

use std::collections::BTreeMap;

use super::super::values::{parse_gender, parse_request_type};
use super::*;
use crate::domain::locale::Locale;
use crate::domain::text::TextProblem;
use crate::forms::values::parse_yes_no;

#[test]
fn durations_in_many_spellings() {
    let ok: &[(&str, u32)] = &[
        ("90", 90),
        ("90 min", 90),
        ("90min", 90),
        ("90 mins", 90),
        ("90 minutes", 90),
        ("90 mn", 90),
        ("45 minutes", 45),
        ("1 h 30", 90),
        ("1h30", 90),
        ("1H30", 90),
        ("1 h 30 min", 90),
        ("1h30min", 90),
        ("1 h", 60),
        ("1h", 60),
        ("2h00", 120),
        ("1,5 h", 90),
        ("1.5 h", 90),
        ("1,5h", 90),
        ("1.5 hours", 90),
        ("1.25 heure", 75),
        ("2 heures", 120),
        ("2 hrs", 120),
        ("1 hr 30 mins", 90),
        ("1 hour 30 minutes", 90),
        ("1 hour and 30 minutes", 90),
        ("1 heure et 30 minutes", 90),
        ("3 heures 30 minutes", 210),
        ("1:30", 90),
        ("01:30", 90),
        ("2:00 h", 120),
        ("une heure", 60),
        ("deux heures", 120),
        ("an hour", 60),
        ("1 heure et demie", 90),
        ("une heure et demie", 90),
        ("an hour and a half", 90),
        ("1 and a half hours", 90),
        ("une demi-heure", 30),
        ("demi-heure", 30),
        ("half an hour", 30),
        ("half hour", 30),
        ("environ 2 h", 120),
        ("90 minutes environ", 90),
        ("12 h", 720),
        ("720", 720),
        ("1", 1),
    ];
    for (raw, expected) in ok {
        assert_eq!(minutes(raw), Some(*expected), "{raw:?}");
    }
    for raw in [
        "0",
        "0 min",
        "721",
        "13 h",
        "1,5",
        "beaucoup",
        "1 h 75",
        "2-3 heures",
        "1:75",
        "90 90",
        "h",
        "min",
        "1 h 2 h",
        "9999999999",
        "",
    ] {
        assert_eq!(minutes(raw), None, "{raw:?}");
    }
}

#[test]
fn languages_through_the_catalogue() {
    assert_eq!(tag("espagnol").as_deref(), Some("es"));
    assert_eq!(tag("ESPAGNOL").as_deref(), Some("es"));
    assert_eq!(tag("Spanish").as_deref(), Some("es"));
    assert_eq!(tag("es").as_deref(), Some("es"));
    assert_eq!(tag("arabe (Maroc)").as_deref(), Some("ar-MA"));
    // The region asked is kept (and matched as the language).
    assert_eq!(tag("français (Canada)").as_deref(), Some("fr-CA"));
    assert_eq!(tag("Espagnol (Mexique)").as_deref(), Some("es-MX"));
    assert_eq!(tag("espagnol du Mexique").as_deref(), Some("es-MX"));
    // Brackets that name no listed region are the requester's comment.
    assert_eq!(tag("espagnol (de préférence)").as_deref(), Some("es"));
    assert_eq!(tag("espagnol / Spanish").as_deref(), Some("es"));
    assert_eq!(tag("espagnol (ou portugais)"), None);
    assert_eq!(tag("espagnol ou portugais"), None);
    assert_eq!(tag("espagnol, portugais"), None);
    assert_eq!(tag("klingon"), None);
    assert_eq!(tag("(espagnol)").as_deref(), Some("es"));
    assert_eq!(tag(""), None);
}

// Long for a reason: a table of cases.
#[test]
fn request_types_gender_and_yes_no() {
    use FormRequestType::*;
    let types: &[(&str, FormRequestType)] = &[
        ("en présentiel", InPerson),
        ("En présentiel", InPerson),
        ("EN PRESENTIEL", InPerson),
        ("en personne", InPerson),
        ("présence", InPerson),
        ("sur place", InPerson),
        ("déplacement", InPerson),
        ("in person", InPerson),
        ("In-person", InPerson),
        ("on site", InPerson),
        ("in_person", InPerson),
        ("En présentiel au CLSC", InPerson),
        ("téléphone", Phone),
        ("par téléphone", Phone),
        ("Phone", Phone),
        ("telephone", Phone),
        ("Téléphone svp", Phone),
        ("vidéo", Video),
        ("vidéoconférence", Video),
        ("visio", Video),
        ("video", Video),
        ("videoconference", Video),
        ("Teams", Video),
        ("Zoom", Video),
        ("Vidéo (Teams)", Video),
        ("transmission de message", Message),
        ("message", Message),
        ("traduction", Translation),
        ("Translation", Translation),
        ("permanence", Permanence),
    ];
    for (raw, expected) in types {
        assert_eq!(parse_request_type(raw), Some(*expected), "{raw:?}");
    }
    for raw in ["n'importe quoi", "p", "", "x"] {
        assert_eq!(parse_request_type(raw), None, "{raw:?}");
    }

    use GenderWanted::*;
    let genders: &[(&str, GenderWanted)] = &[
        ("femme", Female),
        ("Féminin", Female),
        ("F", Female),
        ("female", Female),
        ("woman", Female),
        ("Une femme de préférence", Female),
        ("homme", Male),
        ("masculin", Male),
        ("H", Male),
        ("M", Male),
        ("male", Male),
        ("Man", Male),
        ("indifférent", Any),
        ("Peu importe", Any),
        ("aucune préférence", Any),
        ("any", Any),
        ("No preference", Any),
    ];
    for (raw, expected) in genders {
        assert_eq!(parse_gender(raw), Some(*expected), "{raw:?}");
    }
    for raw in ["peut-être", "f h", "", "femmes"] {
        assert_eq!(parse_gender(raw), None, "{raw:?}");
    }

    for raw in [
        "oui",
        "OUI",
        "Oui, merci",
        "o",
        "x",
        "X",
        "yes",
        "Y",
        "vrai",
        "true",
        "✔",
    ] {
        assert_eq!(parse_yes_no(raw), Some(true), "{raw:?}");
    }
    for raw in ["non", "Non merci", "n", "no", "faux", "False"] {
        assert_eq!(parse_yes_no(raw), Some(false), "{raw:?}");
    }
    for raw in ["peut-être", "maybe", "", "o k"] {
        assert_eq!(parse_yes_no(raw), None, "{raw:?}");
    }
}

#[test]
fn a_negative_duration_is_refused_not_read_without_its_sign() {
    for raw in ["-30", "-1 h", "− 90 minutes", "– 45", "moins 2 heures", "minus 30 min"] {
        assert_eq!(minutes(raw), None, "{raw:?}");
        let reading = read(&format!("Durée : {raw}"));
        let issue = issue_of(&reading, FormField::DurationMinutes);
        assert_eq!(issue.problem, IssueKind::Negative, "{raw:?}");
        assert!(!reading.values.contains_key(&FormField::DurationMinutes));
    }
    let issue = issue_of(&read("Durée : -30"), FormField::DurationMinutes).clone();
    assert_eq!(
        issue.message(Locale::Fr),
        "durée négative : «\u{a0}-30\u{a0}» (une durée se donne sans signe moins, de 1 min à 12 h)"
    );
    assert_eq!(
        issue.message(Locale::En),
        "negative duration: “-30” (a duration has no minus sign, 1 min to 12 h)"
    );
    assert_eq!(minutes("1-2 h"), None, "a range is no duration either");
}

#[test]
fn free_text_is_refused_past_its_limit_or_with_a_control_character() {
    let reading = read(&format!(
        "Lieu : Clinique\u{0} 3e\nNom de l'usager : {}\nContexte : {}\nLien vidéo : https://x.example/{}",
        "y".repeat(201),
        "z".repeat(2001),
        "a".repeat(1900)
    ));
    let problems: Vec<(FormField, IssueKind)> = reading
        .issues
        .iter()
        .filter(|i| i.value.is_some())
        .map(|i| (i.field, i.problem.clone()))
        .collect();
    assert_eq!(
        problems,
        [
            (FormField::Location, IssueKind::Text(TextProblem::ControlCharacter)),
            (FormField::Context, IssueKind::Text(TextProblem::TooLong(2000))),
            (FormField::PatientName, IssueKind::Text(TextProblem::TooLong(200))),
        ]
    );
    assert!(
        reading.values.contains_key(&FormField::VideoLink),
        "a long link is a link"
    );
    let issue = issue_of(&reading, FormField::PatientName);
    assert_eq!(issue.message(Locale::Fr), "au plus 200 caractères");
    // The web form's text areas keep their lines; its one-line inputs may not have any.
    let typed = BTreeMap::from([
        (FormField::Context, "Suivi.\r\nDeuxième ligne.".to_string()),
        (FormField::PatientName, "Jean\r\nBcc: x@example.org".to_string()),
    ]);
    let web = read_values(&typed, reference());
    assert_eq!(
        web.values.get(&FormField::Context),
        Some(&FieldValue::Text("Suivi.\r\nDeuxième ligne.".into()))
    );
    assert_eq!(
        issue_of(&web, FormField::PatientName).problem,
        IssueKind::Text(TextProblem::LineBreak)
    );
}
