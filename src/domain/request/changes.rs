//! A modification said as people read it: « Durée : 1 h → 1 h 30 ». The changes come as
//! the history records them (`domain::history::diff_details`): field keys and JSON values,
//! sensitive values already replaced by a placeholder.

use super::{Field, Gender, RequestType};
use crate::domain::history::{Change, REDACTED};
use crate::domain::language::LanguageTag;
use crate::domain::locale::{Locale, clock_time, duration, long_date};
use chrono::{NaiveDate, NaiveTime};
use serde_json::Value;

/// Names what an id in a change refers to (`("installation", 3)` → « Hôpital du Parc »).
pub trait Names {
    fn name(&self, field: &str, id: i64) -> Option<String>;
}

impl Names for () {
    fn name(&self, _: &str, _: i64) -> Option<String> {
        None
    }
}

/// The label of a request field by its history key, if it is one.
pub fn label(key: &str, locale: Locale) -> Option<&'static str> {
    let field = match key {
        "installation" => Field::Installation,
        "location" => Field::Location,
        "request_type" => Field::RequestType,
        "date" => Field::Date,
        "start_time" => Field::StartTime,
        "flexible_until" => Field::FlexibleUntil,
        "duration_minutes" => Field::Duration,
        "source_language" => Field::SourceLanguage,
        "target_language" => Field::TargetLanguage,
        "alternative_language" => Field::AlternativeLanguage,
        "alternative_date" => Field::AlternativeDate,
        "professional_name" => Field::ProfessionalName,
        "professional_function" => Field::ProfessionalFunction,
        "professional_phone" => Field::ProfessionalPhone,
        "professional_email" => Field::ProfessionalEmail,
        "preferred_interpreter" => Field::PreferredInterpreter,
        "video_platform" => Field::VideoPlatform,
        "cost_centre" => Field::CostCentre,
        "billing_code" => Field::BillingCode,
        "address" => Field::Address,
        "context" => Field::Context,
        "reason" => Field::Reason,
        "message_to_interpreter" => Field::MessageToInterpreter,
        "coordinator_note" => Field::CoordinatorNote,
        "patient_name" => Field::PatientName,
        "patient_phone" => Field::PatientPhone,
        "patient_details" => Field::PatientDetails,
        "video_link" => Field::VideoLink,
        "video_passcode" => Field::VideoPasscode,
        "interpreter_type" => Field::InterpreterType,
        "on_site_name" => Field::OnSiteName,
        "on_site_phone" => Field::OnSitePhone,
        "supplementary" => return Some(locale.pick("Demande supplémentaire", "Supplementary request")),
        "interpreter_gender" => return Some(locale.pick("Genre de l'interprète", "Interpreter's gender")),
        "interpreter_must_notify_user" => {
            return Some(locale.pick("Aviser l'usager du rendez-vous", "Tell the user about the appointment"));
        }
        _ => return None,
    };
    Some(field.label(locale))
}

/// « Durée : 1 h → 1 h 30 », or « Lien vidéo : nouvelle valeur » for a value kept out of the
/// record; `None` for a key that is not a request field.
pub fn describe(change: &Change, names: &impl Names, locale: Locale) -> Option<String> {
    let label = label(&change.field, locale)?;
    let sep = locale.pick("\u{a0}: ", ": ");
    if change.to.as_str() == Some(REDACTED) {
        return Some(format!("{label}{sep}{}", locale.pick("nouvelle valeur", "new value")));
    }
    let from = value(&change.field, &change.from, names, locale);
    let to = value(&change.field, &change.to, names, locale);
    Some(format!("{label}{sep}{from} → {to}"))
}

/// One value as people read it; « — » for none.
fn value(key: &str, value: &Value, names: &impl Names, locale: Locale) -> String {
    let none = || "—".to_string();
    match value {
        Value::Null => none(),
        Value::Bool(b) => locale
            .pick(if *b { "oui" } else { "non" }, if *b { "yes" } else { "no" })
            .into(),
        Value::Number(n) => match (key, n.as_i64()) {
            ("duration_minutes", Some(m)) => duration(u32::try_from(m).unwrap_or(0), locale),
            (_, Some(id)) => names
                .name(key, id)
                .unwrap_or_else(|| locale.pick("autre", "other").into()),
            _ => n.to_string(),
        },
        Value::String(s) => text(key, s, locale),
        _ => none(),
    }
}

fn text(key: &str, s: &str, locale: Locale) -> String {
    match key {
        "date" | "alternative_date" => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| long_date(d, locale))
            .unwrap_or_else(|_| s.to_string()),
        "start_time" | "flexible_until" => NaiveTime::parse_from_str(s, "%H:%M:%S")
            .map(|t| clock_time(t, locale))
            .unwrap_or_else(|_| s.to_string()),
        "source_language" | "target_language" | "alternative_language" => LanguageTag::parse(s)
            .map(|l| l.name(locale).to_string())
            .unwrap_or_else(|_| s.to_string()),
        "request_type" => s
            .parse::<RequestType>()
            .map(|t| t.label(locale).to_string())
            .unwrap_or_else(|_| s.to_string()),
        "interpreter_gender" => s
            .parse::<Gender>()
            .map(|g| g.label(locale).to_string())
            .unwrap_or_else(|_| s.to_string()),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_old_to_new_in_words() {
        let c = Change::new("duration_minutes", 60, 90);
        assert_eq!(describe(&c, &(), Locale::Fr).unwrap(), "Durée\u{a0}: 1 h → 1 h 30");
        let c = Change::new(
            "start_time",
            NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
        );
        assert_eq!(
            describe(&c, &(), Locale::En).unwrap(),
            "Time of service: 2:00 PM → 9:30 AM"
        );
        let c = Change::new("request_type", RequestType::InPerson, RequestType::Video);
        assert_eq!(
            describe(&c, &(), Locale::Fr).unwrap(),
            "Type de demande\u{a0}: En présentiel → Par vidéoconférence"
        );
        let c = Change::new("target_language", "es", "ar");
        assert_eq!(
            describe(&c, &(), Locale::Fr).unwrap(),
            "Langue d'arrivée\u{a0}: Espagnol → Arabe"
        );
    }

    #[test]
    fn kept_out_values_stay_out_and_ids_are_named() {
        let c = Change::redacted("video_link");
        assert_eq!(
            describe(&c, &(), Locale::Fr).unwrap(),
            "Lien vidéo\u{a0}: nouvelle valeur"
        );
        struct Places;
        impl Names for Places {
            fn name(&self, field: &str, id: i64) -> Option<String> {
                (field == "installation").then(|| format!("Installation n{id}"))
            }
        }
        let c = Change::new("installation", 1, 2);
        assert_eq!(
            describe(&c, &Places, Locale::Fr).unwrap(),
            "Installation\u{a0}: Installation n1 → Installation n2"
        );
        assert_eq!(describe(&Change::new("status", "new", "booked"), &(), Locale::Fr), None);
    }
}
