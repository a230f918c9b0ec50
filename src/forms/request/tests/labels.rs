//! Finding the form's lines: labels in both languages and their synonyms, however they
//! are spaced, marked or quoted; hints; values with colons; several sources.

use std::collections::HashMap;

use chrono::NaiveTime;
use serde_json::json;

use super::super::fields::SPECS;
use super::super::read::LABELS;
use super::*;
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::text::fold;
use crate::forms::lines::match_label;

#[test]
fn specs_follow_the_field_order() {
    for (index, field) in FormField::ALL.iter().enumerate() {
        assert_eq!(SPECS[index].field, *field);
        assert_eq!(*field as usize, index);
        assert_eq!(FormField::from_key(field.key()), Some(*field));
    }
    assert_eq!(FormField::from_key("nope"), None);
    let keys: Vec<&str> = FormField::ALL.iter().map(|f| f.key()).collect();
    assert_eq!(
        keys,
        [
            "request_type",
            "date",
            "alternative_date",
            "start_time",
            "flexible_until",
            "duration_minutes",
            "repetition",
            "source_language",
            "target_language",
            "alternative_language",
            "installation",
            "location",
            "address",
            "on_site_name",
            "on_site_phone",
            "context",
            "professional_name",
            "professional_function",
            "professional_phone",
            "professional_email",
            "interpreter_type",
            "preferred_interpreter",
            "interpreter_gender",
            "notify_user",
            "reason",
            "message_to_interpreter",
            "note_to_coordinator",
            "patient_name",
            "patient_phone",
            "patient_details",
            "cost_centre",
            "billing_code",
            "video_platform",
            "video_link",
            "video_passcode",
            "supplementary",
            "draft",
            "send_anyway",
        ]
    );
}

#[test]
fn no_folded_label_selects_two_fields() {
    let mut seen: HashMap<String, FormField> = HashMap::new();
    for field in FormField::ALL {
        for label in field.labels() {
            let folded = fold(label);
            assert!(!folded.is_empty(), "{label:?}");
            if let Some(other) = seen.insert(folded.clone(), field) {
                assert_eq!(other, field, "{folded:?} selects {other:?} and {field:?}");
            }
        }
    }
}

#[test]
fn hints_are_bracketed_and_labels_are_set() {
    for field in FormField::ALL {
        for locale in Locale::ALL {
            let hint = field.hint(locale);
            assert!(hint.starts_with('[') && hint.ends_with(']'), "{hint}");
            assert_eq!(hint.matches(']').count(), 1, "{hint}");
            assert!(!field.label(locale).is_empty());
            assert_eq!(LABELS.get(&fold(field.label(locale))), Some(field));
        }
    }
    assert_eq!(FormField::RequestType.label(Locale::Fr), "Type de demande");
    assert_eq!(FormField::RequestType.label(Locale::En), "Request type");
    assert_eq!(FormField::Date.label(Locale::Fr), "Date du service");
    assert_eq!(FormField::Date.label(Locale::En), "Date of service");
    assert_eq!(FormField::Date.hint(Locale::Fr), "[AAAA-MM-JJ ou JJ/MM/AAAA]");
    assert_eq!(FormField::Date.hint(Locale::En), "[YYYY-MM-DD or DD/MM/YYYY]");
    assert_eq!(
        FormField::RequestType.hint(Locale::Fr),
        "[en présentiel, téléphone, vidéo, transmission de message, traduction, permanence, service professionnel]"
    );
}

// Long for a reason: a table of cases.
#[test]
fn every_documented_label_is_recognised() {
    let documented: &[(&str, FormField)] = &[
        ("Type de demande", FormField::RequestType),
        ("Type de service", FormField::RequestType),
        ("Type", FormField::RequestType),
        ("Request type", FormField::RequestType),
        ("Type of request", FormField::RequestType),
        ("Service type", FormField::RequestType),
        ("Date", FormField::Date),
        ("Date du service", FormField::Date),
        ("Date du rendez-vous", FormField::Date),
        ("Date of service", FormField::Date),
        ("Appointment date", FormField::Date),
        ("Heure", FormField::StartTime),
        ("Heure du service", FormField::StartTime),
        ("Heure de début", FormField::StartTime),
        ("Heure du rendez-vous", FormField::StartTime),
        ("Time", FormField::StartTime),
        ("Start time", FormField::StartTime),
        ("Appointment time", FormField::StartTime),
        ("Plage flexible jusqu'à", FormField::FlexibleUntil),
        ("Heure flexible", FormField::FlexibleUntil),
        ("Jusqu'à", FormField::FlexibleUntil),
        ("Flexible until", FormField::FlexibleUntil),
        ("Durée", FormField::DurationMinutes),
        ("Duration", FormField::DurationMinutes),
        ("Length", FormField::DurationMinutes),
        ("Langue de départ", FormField::SourceLanguage),
        ("Langue source", FormField::SourceLanguage),
        ("Langue du professionnel", FormField::SourceLanguage),
        ("Source language", FormField::SourceLanguage),
        ("From language", FormField::SourceLanguage),
        ("Langue d'arrivée", FormField::TargetLanguage),
        ("Langue cible", FormField::TargetLanguage),
        ("Langue de l'usager", FormField::TargetLanguage),
        ("Langue", FormField::TargetLanguage),
        ("Target language", FormField::TargetLanguage),
        ("Language", FormField::TargetLanguage),
        ("Langue alternative", FormField::AlternativeLanguage),
        ("Alternative language", FormField::AlternativeLanguage),
        ("Installation", FormField::Installation),
        ("Facility", FormField::Installation),
        ("Site", FormField::Installation),
        ("Lieu", FormField::Location),
        ("Lieu du rendez-vous", FormField::Location),
        ("Location", FormField::Location),
        ("Place", FormField::Location),
        ("Appointment location", FormField::Location),
        ("Adresse", FormField::Address),
        ("Address", FormField::Address),
        ("Contexte", FormField::Context),
        ("Context", FormField::Context),
        ("Nom du professionnel", FormField::ProfessionalName),
        ("Professionnel", FormField::ProfessionalName),
        ("Professional", FormField::ProfessionalName),
        ("Professional name", FormField::ProfessionalName),
        ("Fonction", FormField::ProfessionalFunction),
        ("Fonction du professionnel", FormField::ProfessionalFunction),
        ("Function", FormField::ProfessionalFunction),
        ("Professional role", FormField::ProfessionalFunction),
        ("Role", FormField::ProfessionalFunction),
        ("Téléphone du professionnel", FormField::ProfessionalPhone),
        ("Téléphone", FormField::ProfessionalPhone),
        ("Professional phone", FormField::ProfessionalPhone),
        ("Phone", FormField::ProfessionalPhone),
        ("Courriel du professionnel", FormField::ProfessionalEmail),
        ("Courriel", FormField::ProfessionalEmail),
        ("Professional email", FormField::ProfessionalEmail),
        ("Email", FormField::ProfessionalEmail),
        ("Interprète à prioriser", FormField::PreferredInterpreter),
        ("Interprète préféré", FormField::PreferredInterpreter),
        ("Preferred interpreter", FormField::PreferredInterpreter),
        ("Genre de l'interprète", FormField::InterpreterGender),
        ("Genre", FormField::InterpreterGender),
        ("Interpreter gender", FormField::InterpreterGender),
        ("Gender", FormField::InterpreterGender),
        ("L'interprète doit aviser l'usager", FormField::NotifyUser),
        ("Aviser l'usager", FormField::NotifyUser),
        ("Interpreter must notify the user", FormField::NotifyUser),
        ("Notify user", FormField::NotifyUser),
        ("Raison", FormField::Reason),
        ("Raison de la demande", FormField::Reason),
        ("Reason", FormField::Reason),
        ("Message à l'interprète", FormField::MessageToInterpreter),
        ("Message to the interpreter", FormField::MessageToInterpreter),
        ("Note au coordonnateur", FormField::NoteToCoordinator),
        ("Notes au coordonnateur", FormField::NoteToCoordinator),
        ("Note to the coordinator", FormField::NoteToCoordinator),
        ("Nom de l'usager", FormField::PatientName),
        ("Nom du patient", FormField::PatientName),
        ("Usager", FormField::PatientName),
        ("Patient name", FormField::PatientName),
        ("User name", FormField::PatientName),
        ("Téléphone de l'usager", FormField::PatientPhone),
        ("Téléphone du patient", FormField::PatientPhone),
        ("Patient phone", FormField::PatientPhone),
        ("User phone", FormField::PatientPhone),
        ("Centre de coût", FormField::CostCentre),
        ("Centre de coûts", FormField::CostCentre),
        ("Cost centre", FormField::CostCentre),
        ("Cost center", FormField::CostCentre),
        ("Plateforme", FormField::VideoPlatform),
        ("Plateforme vidéo", FormField::VideoPlatform),
        ("Video platform", FormField::VideoPlatform),
        ("Platform", FormField::VideoPlatform),
        ("Lien vidéo", FormField::VideoLink),
        ("Lien", FormField::VideoLink),
        ("Video link", FormField::VideoLink),
        ("Link", FormField::VideoLink),
        ("Brouillon", FormField::Draft),
        ("Enregistrer comme brouillon", FormField::Draft),
        ("Draft", FormField::Draft),
        ("Save as draft", FormField::Draft),
    ];
    for (label, field) in documented {
        for line in [
            format!("{label} : x"),
            format!("{label}: x"),
            format!("{} :x", label.to_uppercase()),
            format!("{}  :   x", label.to_lowercase()),
        ] {
            let found = match_label(&line, &LABELS).map(|m| m.field);
            assert_eq!(found, Some(*field), "{line:?}");
        }
    }
}

#[test]
fn label_spacing_case_accents_and_markers() {
    let lines = [
        "Date : 2026-12-05",
        "Date: 2026-12-05",
        "DATE  : 2026-12-05",
        "date:2026-12-05",
        "Date\u{00A0}: 2026-12-05",
        "Date\u{202F}:\u{00A0}2026-12-05",
        "Date\u{FF1A}2026-12-05",
        "   Date : 2026-12-05",
        "> Date : 2026-12-05",
        ">> Date : 2026-12-05",
        "> > > Date : 2026-12-05",
        "- Date : 2026-12-05",
        "* Date : 2026-12-05",
        "• Date : 2026-12-05",
        "> - Date : 2026-12-05",
        "1. Date : 2026-12-05",
        "2) Date : 2026-12-05",
        "Date (optionnel) : 2026-12-05",
        "Date (optional): 2026-12-05",
        "Date* : 2026-12-05",
        "**Date :** 2026-12-05",
        "Date du service : 2026-12-05",
        "DATE DU SERVICE: 2026-12-05",
        "Date of service: 2026-12-05",
        "date du rendez vous : 2026-12-05",
    ];
    for line in lines {
        let reading = read(line);
        assert!(reading.present, "{line:?}");
        assert_eq!(
            reading.values.get(&FormField::Date),
            Some(&FieldValue::Date(day(2026, 12, 5))),
            "{line:?}"
        );
    }
    let reading = read("Heure de début : 9 h\nLANGUE D'ARRIVEE : ESPAGNOL\nLangue d’arrivée : x");
    assert_eq!(
        reading.values.get(&FormField::TargetLanguage),
        Some(&FieldValue::Language(LanguageTag::parse("es").unwrap()))
    );
    assert_eq!(
        reading.values.get(&FormField::StartTime),
        Some(&FieldValue::Time(NaiveTime::from_hms_opt(9, 0, 0).unwrap()))
    );
}

#[test]
fn lines_that_are_not_form_lines() {
    for text in [
        "",
        "Bonjour,\nMerci de votre aide.",
        "Date de naissance : 1990-01-01",
        "Voici la date: demain",
        "https://example.com/date: x",
        "Le jeu. 5 déc. 2026 à 14:03, Marie <m@x> a écrit :",
        "Note: rien",
        "Dates : 2026-12-05",
        "Typewriter : x",
    ] {
        let reading = read(text);
        assert!(!reading.present, "{text:?}");
        assert!(reading.issues.is_empty(), "{text:?}");
        assert!(reading.values.is_empty(), "{text:?}");
        assert!(reading.raw.is_empty(), "{text:?}");
    }
}

#[test]
fn values_with_colons_keep_them() {
    let reading = read(
        "Lien vidéo : https://teams.microsoft.com/l/meetup-join/19:meeting_abc@thread.v2/0?x=1\n\
         Heure : 14:30\n\
         Link: http://zoom.us/j/123\n\
         Contexte : suivi : résultats d'examens\n\
         https://intranet/page: Plage flexible jusqu'à : 15:00",
    );
    assert_eq!(
        reading.raw.get(&FormField::VideoLink).map(String::as_str),
        Some("https://teams.microsoft.com/l/meetup-join/19:meeting_abc@thread.v2/0?x=1")
    );
    assert_eq!(
        reading.values.get(&FormField::StartTime).map(FieldValue::to_json),
        Some(json!("14:30"))
    );
    assert_eq!(
        reading.raw.get(&FormField::Context).map(String::as_str),
        Some("suivi : résultats d'examens")
    );
    // The first colon whose left part is a label is "https", which is not.
    assert!(!reading.raw.contains_key(&FormField::FlexibleUntil));
}

#[test]
fn hints_are_ignored_and_values_after_hints_read() {
    let reading = read(
        "Type de demande : [en présentiel, téléphone, vidéo, transmission de message, traduction, permanence]\n\
         Date du service : [AAAA-MM-JJ ou JJ/MM/AAAA] 2026-12-05\n\
         Heure de début : [HH:MM, ex. 14:30]14 h 30\n\
         Durée : [en minutes ou en heures, ex. 90 ou 1 h 30]\n\
         Contexte :   [contexte de l'intervention]   \n\
         Lieu : [a] [b] Salle 3",
    );
    assert!(reading.present);
    assert!(!reading.raw.contains_key(&FormField::RequestType));
    assert!(!reading.raw.contains_key(&FormField::DurationMinutes));
    assert!(!reading.raw.contains_key(&FormField::Context));
    assert_eq!(
        reading.values.get(&FormField::Date),
        Some(&FieldValue::Date(day(2026, 12, 5)))
    );
    assert_eq!(reading.raw[&FormField::Date], "2026-12-05");
    assert_eq!(reading.raw[&FormField::StartTime], "14 h 30");
    assert_eq!(reading.raw[&FormField::Location], "Salle 3");
    let fields: Vec<FormField> = reading.issues.iter().map(|i| i.field).collect();
    assert_eq!(
        fields,
        [
            FormField::RequestType,
            FormField::DurationMinutes,
            FormField::TargetLanguage
        ]
    );
    assert!(reading.issues.iter().all(|i| i.problem == IssueKind::Missing));
}

#[test]
fn wrapped_hint_is_ignored_and_the_value_after_it_read() {
    let reading = read(
        "> Type de demande : [en présentiel, téléphone, vidéo, transmission de\n\
         > message, traduction, permanence] vidéo\n\
         > Durée : [en minutes ou en heures, ex. 90 ou\n\
         > 1 h 30]\n\
         > Langue : [ex.\n\
         > Heure : 9 h",
    );
    assert_eq!(
        reading.values.get(&FormField::RequestType),
        Some(&FieldValue::RequestType(FormRequestType::Video))
    );
    assert!(!reading.raw.contains_key(&FormField::DurationMinutes));
    assert!(!reading.raw.contains_key(&FormField::TargetLanguage));
    assert_eq!(reading.raw[&FormField::StartTime], "9 h");
}

#[test]
fn free_text_is_kept_as_written() {
    let reading = read(
        "Contexte :   Rencontre  de suivi,\tdeuxième   visite  \n\
         Nom de l'usager : Ahmed   Ben Ali\n\
         Courriel : marie.tremblay@ciusss.example\n\
         Téléphone : 514 555-1234, poste 12\n\
         Contexte : ignoré, la première valeur compte",
    );
    assert_eq!(
        reading.values.get(&FormField::Context),
        Some(&FieldValue::Text("Rencontre  de suivi,\tdeuxième   visite".into()))
    );
    assert_eq!(reading.raw[&FormField::PatientName], "Ahmed   Ben Ali");
    assert_eq!(
        reading.raw[&FormField::ProfessionalEmail],
        "marie.tremblay@ciusss.example"
    );
    assert_eq!(reading.raw[&FormField::ProfessionalPhone], "514 555-1234, poste 12");
}

#[test]
fn newest_source_wins_and_empty_values_fall_through() {
    let new_text = "Heure : 15 h\nDurée :\nLieu : [local, étage]";
    let quoted = "> Type de demande : téléphone\n> Heure : 9 h\n> Durée : 60\n> Lieu : Salle 2";
    let original = "Type de demande : vidéo\nLangue : espagnol\nDurée : 30";
    let reading = read_form(&[new_text, quoted, original], reference());
    assert_eq!(reading.raw[&FormField::StartTime], "15 h");
    assert_eq!(reading.raw[&FormField::DurationMinutes], "60");
    assert_eq!(reading.raw[&FormField::RequestType], "téléphone");
    assert_eq!(reading.raw[&FormField::Location], "Salle 2");
    assert_eq!(reading.raw[&FormField::TargetLanguage], "espagnol");
    assert_eq!(
        reading.values.get(&FormField::DurationMinutes),
        Some(&FieldValue::Minutes(60))
    );
    // The newest unreadable value wins over an older readable one.
    let reading = read_form(&["Heure : 25 h", "Heure : 9 h"], reference());
    let issue = issue_of(&reading, FormField::StartTime);
    assert_eq!(issue.problem, IssueKind::Unreadable);
    assert_eq!(issue.value.as_deref(), Some("25 h"));
    assert!(!reading.values.contains_key(&FormField::StartTime));
    // A label only in an older source still makes the form present.
    let reading = read_form(&["ACCEPTER", "> Langue : [ex. espagnol]"], reference());
    assert!(reading.present);
    let reading = read_form(&[], reference());
    assert_eq!(reading, FormReading::default());
    // "N/A", "-", "?" say nothing: the older value stands, and an
    // optional field so answered is no error.
    let reading = read_form(
        &[
            "Durée : N/A\nHeure : -\nGenre : s. o.\nLangue : ?\nAviser l'usager : ✔",
            "Durée : 45\nHeure : 9 h",
        ],
        reference(),
    );
    assert_eq!(reading.raw[&FormField::DurationMinutes], "45");
    assert_eq!(reading.raw[&FormField::StartTime], "9 h");
    assert!(!reading.raw.contains_key(&FormField::InterpreterGender));
    assert_eq!(reading.values[&FormField::NotifyUser], FieldValue::Bool(true));
    assert_eq!(
        issue_of(&reading, FormField::TargetLanguage).problem,
        IssueKind::Missing
    );
}

#[test]
fn outlook_header_date_is_not_the_form_date() {
    let quoted = "De : Relais <relais@bi.example>\n\
                  Envoyé : 20 novembre 2026 09:12\n\
                  Date : jeudi 19 novembre 2026 09:12\n\
                  À : Marie Tremblay <m@x>\n\
                  Objet : Demande d'interprète\n\
                  \n\
                  Date du service : 2026-12-05\n";
    let reading = read_form(&["Heure : 9 h", quoted], reference());
    assert_eq!(
        reading.values.get(&FormField::Date),
        Some(&FieldValue::Date(day(2026, 12, 5)))
    );
    let gmail = "---------- Forwarded message ---------\n\
                 From: Marie <m@x>\n\
                 Date: Thu, Nov 19, 2026 at 9:12 AM\n\
                 Subject: Request\n\
                 To: <relais@bi.example>\n";
    let reading = read_form(&[gmail], reference());
    assert!(!reading.present);
    // A plain "Date :" line in a form is read.
    let reading = read("Type : téléphone\nDate : 2026-12-05\nHeure : 9 h");
    assert_eq!(reading.raw[&FormField::Date], "2026-12-05");
}
