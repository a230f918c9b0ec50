//! A modification said as people read it: « Durée : 1 h → 1 h 30 ». The changes come as
//! the history records them (`domain::history::diff_details`): field keys and JSON values,
//! sensitive values already replaced by a placeholder.

use super::{CancellationReason, Field, Gender, RequestStatus, RequestType};
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

/// Every change of one history entry in words: the request's fields as [`describe`] says
/// them, then what the workflow records (status, offers, booking, cancellation, service
/// record). The interpreters an entry offered the request to, or who declined it, read as
/// one line: « Offerte à : Lucía Ramírez, Diego Fernández ». A key that is neither says
/// nothing rather than show its code.
pub fn describe_entry(changes: &[Change], names: &impl Names, locale: Locale) -> Vec<String> {
    let sep = locale.pick("\u{a0}: ", ": ");
    let mut lines = Vec::new();
    let mut lists: Vec<(&'static str, Vec<String>)> = Vec::new();
    for change in changes {
        if let Some(line) = describe(change, names, locale) {
            lines.push(line);
            continue;
        }
        let Some(label) = event_label(&change.field, locale) else {
            continue;
        };
        let to = value(&change.field, &change.to, names, locale);
        match change.field.as_str() {
            "offered_to" | "declined_by" => match lists.iter_mut().find(|(l, _)| *l == label) {
                Some((_, people)) => people.push(to),
                None => lists.push((label, vec![to])),
            },
            // A value that was set once and is now cleared says nothing worth reading,
            // except the interpreter leaving a booking.
            _ if change.to.is_null() && change.field != "assigned_interpreter" => {}
            _ if change.from.is_null() || change.field == "contested" => lines.push(format!("{label}{sep}{to}")),
            _ => {
                let from = value(&change.field, &change.from, names, locale);
                if from != to {
                    lines.push(format!("{label}{sep}{from} → {to}"));
                }
            }
        }
    }
    lines.extend(
        lists
            .into_iter()
            .map(|(label, people)| format!("{label}{sep}{}", people.join(", "))),
    );
    lines
}

/// The label of what the workflow records in a request's history, by its key.
fn event_label(key: &str, locale: Locale) -> Option<&'static str> {
    let (fr, en) = match key {
        "status" => ("Statut", "Status"),
        "number" => ("Numéro", "Number"),
        "offered_to" => ("Offerte à", "Offered to"),
        "declined_by" => ("Refusée par", "Declined by"),
        "assigned_interpreter" => ("Interprète", "Interpreter"),
        "lapsed_offers" => ("Offres restées sans réponse", "Offers left unanswered"),
        "cancellation_reason" => ("Motif", "Reason"),
        "late_cancellation" => ("Annulation tardive", "Late cancellation"),
        "contested" => ("Motif de la contestation", "Reason for contesting"),
        "completed" => ("Service rendu", "Service rendered"),
        "interpreter_present" => ("Interprète présent", "Interpreter present"),
        "worked_minutes" => ("Durée du service", "Length of the service"),
        _ => return None,
    };
    Some(locale.pick(fr, en))
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
            ("duration_minutes" | "worked_minutes", Some(m)) => duration(u32::try_from(m).unwrap_or(0), locale),
            ("lapsed_offers", Some(n)) => n.to_string(),
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
        "status" => s
            .parse::<RequestStatus>()
            .map(|t| t.label(locale).to_string())
            .unwrap_or_else(|_| s.to_string()),
        "cancellation_reason" => s
            .parse::<CancellationReason>()
            .map(|r| r.label(locale).to_string())
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

    #[test]
    fn an_entry_reads_in_words_with_the_people_named() {
        struct People;
        impl Names for People {
            fn name(&self, _: &str, id: i64) -> Option<String> {
                Some(["Lucía Ramírez", "Diego Fernández"][usize::try_from(id).unwrap()].to_string())
            }
        }
        let entry = [
            Change::new("status", RequestStatus::New, RequestStatus::Offered),
            Change::new("offered_to", None::<i64>, 0),
            Change::new("offered_to", None::<i64>, 1),
        ];
        assert_eq!(
            describe_entry(&entry, &People, Locale::Fr),
            [
                "Statut\u{a0}: Nouveau → En attente d'acceptation",
                "Offerte à\u{a0}: Lucía Ramírez, Diego Fernández"
            ]
        );
        let entry = [
            Change::new("status", RequestStatus::Booked, RequestStatus::Cancelled),
            Change::new(
                "cancellation_reason",
                None::<&str>,
                CancellationReason::AppointmentRescheduled,
            ),
            Change::new("late_cancellation", None::<bool>, true),
            Change::new("worked_minutes", None::<i64>, 90),
            Change::new("lapsed_offers", None::<i64>, 2),
            Change::new("internal_thing", 1, 2),
        ];
        assert_eq!(
            describe_entry(&entry, &People, Locale::En),
            [
                "Status: Booked → Cancelled",
                "Reason: Appointment postponed",
                "Late cancellation: yes",
                "Length of the service: 1 h 30 min",
                "Offers left unanswered: 2",
            ]
        );
    }
}
