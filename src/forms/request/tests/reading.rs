//! Whole forms: complete or not, each kind of issue, the JSON `inspect-mail` prints, the
//! form rendered and read back, and hostile or huge input.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use serde_json::{Value, json};

use super::super::fields::MANDATORY;
use super::super::render::one_line;
use super::*;
use crate::domain::locale::Locale;

const COMPLETE: &str = "Type de demande : en présentiel\n\
                        Date du service : 2026-12-05\n\
                        Heure de début : 14 h 30\n\
                        Durée : 1 h 30\n\
                        Langue d'arrivée : espagnol\n\
                        Lieu : CLSC Côte-des-Neiges, salle 2";

#[test]
fn a_complete_form() {
    let reading = read(COMPLETE);
    assert!(reading.present);
    assert!(reading.is_complete(), "{:?}", reading.issues);
    let fields = Value::Object(reading.fields_json());
    assert_eq!(
        fields,
        json!({
            "request_type": "in_person",
            "date": "2026-12-05",
            "start_time": "14:30",
            "duration_minutes": 90,
            "source_language": "fr",
            "target_language": "es",
            "location": "CLSC Côte-des-Neiges, salle 2",
        })
    );
    assert!(reading.errors_json(Locale::Fr).is_empty());
    assert!(!reading.raw.contains_key(&FormField::SourceLanguage));
}

#[test]
fn in_person_needs_a_place() {
    let without_place: String = COMPLETE.lines().take(5).collect::<Vec<_>>().join("\n");
    let reading = read(&without_place);
    assert!(!reading.is_complete());
    assert_eq!(
        reading.issues,
        [FieldIssue {
            field: FormField::Location,
            value: None,
            problem: IssueKind::Missing
        }]
    );
    assert_eq!(
        reading.issues[0].message(Locale::Fr),
        "obligatoire en présentiel (lieu ou adresse)"
    );
    assert_eq!(
        reading.issues[0].message(Locale::En),
        "required for an in-person request (location or address)"
    );
    let with_address = format!("{without_place}\nAdresse : 5700, chemin de la Côte-des-Neiges");
    assert!(read(&with_address).is_complete());
    let by_phone = without_place.replace("en présentiel", "par téléphone");
    assert!(read(&by_phone).is_complete());
}

#[test]
fn each_issue_kind() {
    let reading = read(
        "Type de demande : en avion\n\
         Date : le 32\n\
         Heure : 25 h\n\
         Plage flexible jusqu'à : plus tard\n\
         Durée : 0\n\
         Langue de départ : elfique\n\
         Langue alternative : anglais\n\
         Genre : peut-être\n\
         Aviser l'usager : bof",
    );
    assert!(reading.present);
    let summary: Vec<(FormField, IssueKind, Option<&str>)> = reading
        .issues
        .iter()
        .map(|i| (i.field, i.problem.clone(), i.value.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (FormField::RequestType, IssueKind::Unreadable, Some("en avion")),
            (FormField::Date, IssueKind::Unreadable, Some("le 32")),
            (FormField::StartTime, IssueKind::Unreadable, Some("25 h")),
            (FormField::FlexibleUntil, IssueKind::Unreadable, Some("plus tard")),
            (FormField::DurationMinutes, IssueKind::Unreadable, Some("0")),
            (FormField::SourceLanguage, IssueKind::Unreadable, Some("elfique")),
            (FormField::TargetLanguage, IssueKind::Missing, None),
            (FormField::InterpreterGender, IssueKind::Unreadable, Some("peut-être")),
            (FormField::NotifyUser, IssueKind::Unreadable, Some("bof")),
        ]
    );
    // Unreadable fields are left out of the values; no default replaces
    // an unreadable source language.
    assert_eq!(
        reading.values.keys().copied().collect::<Vec<_>>(),
        [FormField::AlternativeLanguage]
    );
    let messages: Vec<String> = reading.issues.iter().map(|i| i.message(Locale::Fr)).collect();
    assert_eq!(
        messages[0],
        "type de demande non reconnu : «\u{a0}en avion\u{a0}» (en présentiel, téléphone, vidéo, transmission de message, traduction, permanence ou service professionnel)"
    );
    assert_eq!(messages[1], "date non reconnue : «\u{a0}le 32\u{a0}»");
    assert_eq!(messages[2], "heure non reconnue : «\u{a0}25 h\u{a0}»");
    assert_eq!(messages[4], "durée hors limites : «\u{a0}0\u{a0}» (de 1 min à 12 h)");
    assert_eq!(messages[5], "langue non reconnue : «\u{a0}elfique\u{a0}»");
    assert_eq!(messages[6], "obligatoire");
    assert_eq!(
        messages[7],
        "genre non reconnu : «\u{a0}peut-être\u{a0}» (femme, homme ou indifférent)"
    );
    assert_eq!(messages[8], "réponse non reconnue : «\u{a0}bof\u{a0}» (oui ou non)");
    let english: Vec<String> = reading.issues.iter().map(|i| i.message(Locale::En)).collect();
    assert_eq!(english[1], "unrecognised date: “le 32”");
    assert_eq!(english[6], "required");
    assert_eq!(english[8], "unrecognised answer: “bof” (yes or no)");

    let past = read("Date : 2026-11-25\nHeure : 9 h");
    assert_eq!(past.issues[1].field, FormField::Date);
    assert_eq!(past.issues[1].problem, IssueKind::InThePast);
    assert_eq!(past.issues[1].value.as_deref(), Some("2026-11-25"));
    assert!(!past.values.contains_key(&FormField::Date));
    assert_eq!(
        past.issues[1].message(Locale::Fr),
        "date passée : «\u{a0}2026-11-25\u{a0}»"
    );
    assert_eq!(past.issues[1].message(Locale::En), "date in the past: “2026-11-25”");
    // Today is not in the past.
    let today = read("Date : 2026-11-26");
    assert_eq!(today.values[&FormField::Date], FieldValue::Date(day(2026, 11, 26)));

    let unparsable = read("Durée : beaucoup");
    assert_eq!(
        issue_of(&unparsable, FormField::DurationMinutes).message(Locale::Fr),
        "durée non reconnue : «\u{a0}beaucoup\u{a0}»"
    );
    let long = read(&format!("Heure : {}", "9".repeat(500)));
    let issue = issue_of(&long, FormField::StartTime);
    assert!(issue.message(Locale::En).chars().count() < 120);
    assert_eq!(issue.value.as_ref().map(String::len), Some(500));
}

#[test]
fn json_shapes() {
    let reading = read(
        "Type : vidéo\nDate : 5 déc. 2026\nHeure : 2 pm\nDurée : 45\nLangue : arabe (Maroc)\n\
         Langue source : anglais\nAviser l'usager : oui\nGenre : femme\nLien : https://x.example/a:b\n\
         Heure flexible : 25:00",
    );
    let fields = Value::Object(reading.fields_json());
    assert_eq!(
        fields,
        json!({
            "request_type": "video",
            "date": "2026-12-05",
            "start_time": "14:00",
            "duration_minutes": 45,
            "source_language": "en",
            "target_language": "ar-MA",
            "notify_user": true,
            "interpreter_gender": "female",
            "video_link": "https://x.example/a:b",
        })
    );
    assert_eq!(
        Value::Array(reading.errors_json(Locale::En)),
        json!([{"field": "flexible_until", "value": "25:00", "message": "unrecognised time: “25:00”"}])
    );
    let missing = read("Contexte : x");
    let errors = missing.errors_json(Locale::Fr);
    assert_eq!(errors.len(), 5);
    assert_eq!(
        errors[0],
        json!({"field": "request_type", "value": null, "message": "obligatoire"})
    );
    let order: Vec<&str> = errors.iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(
        order,
        [
            "request_type",
            "date",
            "start_time",
            "duration_minutes",
            "target_language"
        ]
    );
    assert_eq!(FieldValue::Minutes(90).to_json(), json!(90));
    assert_eq!(FieldValue::Bool(false).to_json(), json!(false));
    assert_eq!(
        FieldValue::Time(NaiveTime::from_hms_opt(9, 5, 0).unwrap()).to_json(),
        json!("09:05")
    );
    assert_eq!(FieldValue::Gender(GenderWanted::Any).to_json(), json!("any"));
    assert_eq!(
        FieldValue::RequestType(FormRequestType::Message).to_json(),
        json!("message")
    );
}

#[test]
fn render_form_lists_every_field_with_hints() {
    for locale in Locale::ALL {
        let form = render_form(locale, &BTreeMap::new());
        // The six lines a request needs lead; a heading then introduces the optional ones.
        let (leading, optional) = form.split_once("\n\n").expect("two blocks");
        let leading: Vec<&str> = leading.lines().collect();
        assert_eq!(leading.len(), 6, "{form}");
        let mut optional = optional.lines();
        assert!(optional.next().unwrap().starts_with('—'), "{form}");
        let lines: Vec<&str> = leading.into_iter().chain(optional).collect();
        // « Envoyer quand même » only comes with the notice of a similar request.
        let first = |f: &FormField| f.is_mandatory() || *f == FormField::Location;
        let printed: Vec<FormField> = FormField::ALL
            .into_iter()
            .filter(|f| *f != FormField::SendAnyway && first(f))
            .chain(
                FormField::ALL
                    .into_iter()
                    .filter(|f| *f != FormField::SendAnyway && !first(f)),
            )
            .collect();
        assert_eq!(lines.len(), printed.len());
        for (line, field) in lines.iter().zip(printed) {
            let separator = locale.pick("\u{a0}: ", ": ");
            assert_eq!(
                *line,
                format!("{}{separator}{}", field.label(locale), field.hint(locale))
            );
        }
        let reading = read(&form);
        assert!(reading.present);
        assert!(reading.raw.is_empty(), "{:?}", reading.raw);
        assert_eq!(reading.issues.len(), MANDATORY.len());
    }
    assert!(render_form(Locale::Fr, &BTreeMap::new()).starts_with("Type de demande\u{a0}: [en présentiel"));
    assert!(render_form(Locale::En, &BTreeMap::new()).starts_with("Request type: [in person"));
}

#[test]
fn render_then_read_round_trip() {
    let filled: BTreeMap<FormField, String> = [
        (FormField::RequestType, "in_person"),
        (FormField::Date, "2026-12-05"),
        (FormField::StartTime, "14:30"),
        (FormField::FlexibleUntil, "15:00"),
        (FormField::DurationMinutes, "90"),
        (FormField::Repetition, "chaque semaine, 8 fois"),
        (FormField::SourceLanguage, "fr"),
        (FormField::TargetLanguage, "ar-MA"),
        (FormField::AlternativeLanguage, "en"),
        (FormField::Installation, "CLSC Parc-Extension"),
        (FormField::Location, "Salle 2 : 3e étage"),
        (FormField::Address, "7085, rue Hutchison"),
        (FormField::Context, "Suivi  de grossesse\nsecond line"),
        (FormField::ProfessionalName, "Marie Tremblay"),
        (FormField::ProfessionalFunction, "Infirmière"),
        (FormField::ProfessionalPhone, "514 555-1234"),
        (FormField::ProfessionalEmail, "marie@ciusss.example"),
        (FormField::PreferredInterpreter, "UBIPN0002"),
        (FormField::InterpreterGender, "female"),
        (FormField::NotifyUser, "yes"),
        (FormField::Reason, "Rendez-vous"),
        (FormField::MessageToInterpreter, "Arriver 10 min avant"),
        (FormField::NoteToCoordinator, "Merci"),
        (FormField::PatientName, "Ahmed Ben Ali"),
        (FormField::PatientPhone, "438 555-0000"),
        (FormField::CostCentre, "7110-1234"),
        (FormField::VideoPlatform, "Teams"),
        (FormField::VideoLink, "https://teams.example/l/19:abc"),
        (FormField::AlternativeDate, "2026-12-07"),
        (FormField::OnSiteName, "Julie Roy"),
        (FormField::OnSitePhone, "514 555-0100, poste 123"),
        (FormField::InterpreterType, "BI du RSSS"),
        (FormField::PatientDetails, "Malentendant\nAccompagné de sa fille"),
        (FormField::BillingCode, "SET-042"),
        (FormField::VideoPasscode, "482 913"),
        (FormField::Supplementary, "oui"),
        (FormField::Draft, "non"),
        (FormField::SendAnyway, "non"),
    ]
    .into_iter()
    .map(|(field, value)| (field, value.to_string()))
    .collect();
    for locale in Locale::ALL {
        let form = render_form(locale, &filled);
        let reading = read(&form);
        assert!(reading.is_complete(), "{locale}: {:?}", reading.issues);
        assert_eq!(reading.raw.len(), FormField::ALL.len());
        for field in FormField::ALL {
            let expected = normalise_value(field, &one_line(&filled[&field]), reference());
            assert_eq!(reading.values.get(&field), expected.as_ref().ok(), "{field:?}");
        }
        assert_eq!(reading.raw[&FormField::Context], "Suivi  de grossesse second line");
        assert_eq!(reading.raw[&FormField::Location], "Salle 2 : 3e étage");
        // Quoted in a reply, with the new text giving another time.
        let quoted: String = form.lines().map(|l| format!("> {l}\n")).collect();
        let reading = read_form(&["Heure : 16 h", &quoted], reference());
        assert!(reading.is_complete());
        assert_eq!(
            reading.values[&FormField::StartTime],
            FieldValue::Time(NaiveTime::from_hms_opt(16, 0, 0).unwrap())
        );
    }
    // Partly filled: the rest stays hints and is not read.
    let partial: BTreeMap<FormField, String> = [
        (FormField::Date, "5/12/2026".to_string()),
        (FormField::Context, "  ".to_string()),
    ]
    .into_iter()
    .collect();
    let form = render_form(Locale::Fr, &partial);
    assert!(form.contains("Date du service\u{a0}: 5/12/2026"));
    assert!(form.contains("Contexte\u{a0}: [contexte de l'intervention]"));
    let reading = read(&form);
    assert_eq!(reading.raw.keys().copied().collect::<Vec<_>>(), [FormField::Date]);
    assert_eq!(reading.values[&FormField::Date], FieldValue::Date(day(2026, 12, 5)));
}

/// A small deterministic generator, so that the test needs no dependency.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn nasty_input_never_panics() {
    let pieces = [
        "Date",
        "Heure",
        "Durée",
        ":",
        "：",
        " ",
        "\u{00A0}",
        "\u{202F}",
        "[",
        "]",
        ">",
        "*",
        "**",
        "\n",
        "\r\n",
        "é",
        "\u{301}",
        "14",
        "h",
        "pm",
        "9999999999999999999999",
        "-",
        "/",
        ".",
        ",",
        "Type de demande",
        "en présentiel",
        "Langue",
        "(",
        ")",
        "ß",
        "İ",
        "\u{FEFF}",
        "\u{200B}",
        "😀",
        "mar",
        "demi",
        "et",
        "0",
        "12",
        "1:30",
        "Lieu",
        "Genre",
        "x",
        "a",
        "m",
        "\u{0}",
        "\u{10FFFF}",
        "ﬁ",
        "½",
        "²",
        "٣",
    ];
    let mut rng = Lcg(7);
    for _ in 0..3000 {
        let mut text = String::new();
        let count = rng.next() % 40;
        for _ in 0..count {
            text.push_str(pieces[(rng.next() as usize) % pieces.len()]);
        }
        let reading = read_form(&[&text, &text], reference());
        let _ = reading.fields_json();
        for locale in Locale::ALL {
            let _ = reading.errors_json(locale);
        }
        for field in FormField::ALL {
            let _ = normalise_value(field, &text, reference());
        }
    }
    // Extreme dates near chrono's limits.
    let far = NaiveDate::MAX.and_hms_opt(23, 59, 59).unwrap();
    for raw in ["demain", "lundi", "5 décembre", "5/12", "29 février"] {
        let _ = normalise_value(FormField::Date, raw, far);
    }
    let _ = read_form(&["Date : ]]]][[[[", "Date : [", "Date :[\n]"], reference());
}

#[test]
fn large_input_is_fast() {
    let mut big = String::new();
    while big.len() < 256 * 1024 {
        big.push_str("> Contexte : une ligne ordinaire avec du texte, 14:30 et https://x.example/a:b\n");
        big.push_str(&"a:".repeat(100));
        big.push('\n');
    }
    let colons = ":".repeat(256 * 1024);
    let label_like = format!("{}:x", "Date ".repeat(50_000));
    let one_line = format!("Date : {}", "5 ".repeat(120_000));
    let start = std::time::Instant::now();
    let reading = read_form(&[&big, &colons, &label_like, &one_line], reference());
    assert!(reading.present);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}
