//! The service record form (réalisation): one `Libellé : valeur` line per field of the
//! seeds' "Détails après la demande" tab, sent to the interpreter after the appointment and
//! read back from their reply. The lines are found with the request form's machinery
//! ([`super::lines::scan_lines`]) and values read with the same date, time and duration
//! readers, so "11 h", "1 h 30" and "20/08/2024" mean what they mean everywhere.
//!
//! Reading gives every problem at once, each naming its field, with what was written kept
//! so the reply can give it back: nothing typed is lost. The web form reads its fields
//! with [`read_value`] and checks them with the same [`ServiceRecord::problems`].

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use super::lines::{LabelTable, scan_lines};
use super::values::{duration_minutes, is_negative, parse_date, parse_time, parse_yes_no, says_nothing, trim};
use crate::domain::locale::Locale;
use crate::domain::request::{
    CancellationReason, GeneralReason, RecordContext, RecordField, RecordProblem, RecordProblemKind,
    RecordedCancellation, ServiceRecord,
};
use crate::domain::text::{self, fold};

/// Hints and other labels people write, per field; the printed labels are the domain's.
fn hint(field: RecordField, locale: Locale) -> &'static str {
    use RecordField as F;
    let (fr, en) = match field {
        F::Completed => ("[oui ou non]", "[yes or no]"),
        F::InterpreterPresent => ("[oui ou non]", "[yes or no]"),
        F::ArrivalTime => ("[HH:MM, facultatif]", "[HH:MM, optional]"),
        F::ActualStart | F::ActualEnd => ("[HH:MM]", "[HH:MM]"),
        F::ActualDuration => ("[facultatif, ex. 1 h 30]", "[optional, e.g. 1 h 30]"),
        F::OvertimeReason => ("[si la durée a dépassé]", "[if it ran over]"),
        F::GeneralReason => (
            "[si non terminée : annulée ou interrompue]",
            "[if not completed: cancelled or interrupted]",
        ),
        F::DetailedReason => (
            "[usager absent, retard du professionnel, rendez-vous reporté, rendez-vous annulé, interprète non requis, autre]",
            "[user absent, professional late, appointment postponed, appointment cancelled, interpreter not needed, other]",
        ),
        F::CancelledOn => ("[AAAA-MM-JJ]", "[YYYY-MM-DD]"),
        F::CancelledAt => ("[HH:MM]", "[HH:MM]"),
        F::WaitingTime | F::TravelTime => ("[0 ou ex. 30 min]", "[0 or e.g. 30 min]"),
        F::Distance => ("[km, 0 si aucun]", "[km, 0 if none]"),
        F::PhoneCalls => (
            "[nombre, à la demande de l'intervenant]",
            "[number, at the professional's request]",
        ),
        F::Words => ("[nombre, traduction]", "[number, translation]"),
        F::OtherFees => ("[montant, ex. 12,50]", "[amount, e.g. 12.50]"),
        F::ServicesGiven => (
            "[permanence : nombre de prestations]",
            "[permanence: number of services]",
        ),
        F::Comments => ("[facultatif]", "[optional]"),
    };
    locale.pick(fr, en)
}

fn synonyms(field: RecordField) -> &'static [&'static str] {
    use RecordField as F;
    match field {
        F::Completed => &[
            "Terminée",
            "Service rendu",
            "Completed",
            "Service done",
            "Demande terminee ?",
        ],
        F::InterpreterPresent => &["Présent", "Present", "Interprète présente"],
        F::ArrivalTime => &["Heure d'arrivée sur place", "Arrivée", "Arrival"],
        F::ActualStart => &["Début effectif", "Heure de début réelle", "Start", "Actual start"],
        F::ActualEnd => &["Fin effective", "Heure de fin réelle", "End", "Actual end"],
        F::ActualDuration => &["Durée effective", "Actual length"],
        F::OvertimeReason => &["Dépassement", "Raison du dépassement", "Overtime", "Overtime reason"],
        F::GeneralReason => &["Raison", "Reason"],
        F::DetailedReason => &[
            "Detailed Reason",
            "Raison de l'annulation",
            "Motif",
            "Cancellation reason",
        ],
        F::CancelledOn => &["Annuler la date", "Date de l'annulation", "Cancelled on"],
        F::CancelledAt => &["Annuler l'heure", "Heure de l'annulation", "Cancelled at"],
        F::WaitingTime => &["Attente", "Waiting"],
        F::Distance => &["Kilométrage", "Km", "Kilomètres", "Mileage"],
        F::TravelTime => &["Temps de déplacement", "Trajet", "Travel"],
        F::PhoneCalls => &["Appels", "Rappels téléphoniques", "Calls"],
        F::Words => &["Nombre de mots", "Word count"],
        F::OtherFees => &["Frais", "Fees", "Other costs"],
        F::ServicesGiven => &["Prestations", "Prestations effectuées", "Number of services"],
        F::Comments => &["Commentaires sur la demande", "Commentaire", "Comment", "Remarques"],
    }
}

static LABELS: LazyLock<LabelTable<RecordField>> = LazyLock::new(|| {
    LabelTable::new(RecordField::ALL.into_iter().flat_map(|field| {
        [field.label(Locale::Fr), field.label(Locale::En), field.key()]
            .into_iter()
            .chain(synonyms(field).iter().copied())
            .map(move |label| (field, label))
    }))
});

/// What the record lines of a mail say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordReading {
    /// At least one record label was recognised.
    pub present: bool,
    /// What was written for each field (hint removed, trimmed).
    pub raw: BTreeMap<RecordField, String>,
}

impl RecordReading {
    /// Whether the lines look like a record rather than a stray label: a record says at
    /// least whether the service was completed, or gives its times.
    pub fn is_record(&self) -> bool {
        self.present
            && [
                RecordField::Completed,
                RecordField::ActualStart,
                RecordField::ActualEnd,
                RecordField::GeneralReason,
            ]
            .iter()
            .any(|f| self.raw.contains_key(f))
    }
}

/// Finds the record lines in `text` (the new text of a reply: a quoted record never counts).
pub fn read_record_form(text: &str) -> RecordReading {
    let found = scan_lines(text, &LABELS, |_, _, _| false);
    RecordReading {
        present: found.recognised,
        raw: found.values.into_iter().collect(),
    }
}

/// One field's value, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordValue {
    Flag(bool),
    Time(NaiveTime),
    Date(NaiveDate),
    Minutes(u32),
    Count(u32),
    Amount(Decimal),
    General(GeneralReason),
    Reason(CancellationReason),
    Text(String),
}

/// Reads what was written for `field`; `today` is the local date the record is made on
/// ("hier", "aujourd'hui" resolve against it).
pub fn read_value(field: RecordField, raw: &str, today: NaiveDate) -> Result<RecordValue, RecordProblemKind> {
    use RecordField as F;
    let raw = trim(raw);
    let unreadable = || RecordProblemKind::Unreadable(raw.chars().take(80).collect());
    let quantity = matches!(
        field,
        F::ActualDuration
            | F::WaitingTime
            | F::TravelTime
            | F::PhoneCalls
            | F::Words
            | F::ServicesGiven
            | F::Distance
            | F::OtherFees
    );
    if quantity && is_negative(raw) {
        return Err(RecordProblemKind::Negative);
    }
    match field {
        F::Completed | F::InterpreterPresent => parse_yes_no(raw).map(RecordValue::Flag).ok_or_else(unreadable),
        F::ArrivalTime | F::ActualStart | F::ActualEnd | F::CancelledAt => {
            parse_time(raw).map(RecordValue::Time).ok_or_else(unreadable)
        }
        F::CancelledOn => {
            let date = match fold(raw).as_str() {
                "hier" | "yesterday" => today.pred_opt(),
                _ => parse_date(raw, today),
            };
            date.map(RecordValue::Date).ok_or_else(unreadable)
        }
        F::ActualDuration | F::WaitingTime | F::TravelTime => {
            if is_zero(raw) {
                return Ok(RecordValue::Minutes(0));
            }
            let minutes = duration_minutes(raw).ok_or_else(unreadable)?;
            u32::try_from(minutes)
                .map(RecordValue::Minutes)
                .map_err(|_| RecordProblemKind::OutOfRange)
        }
        F::PhoneCalls | F::Words | F::ServicesGiven => {
            if is_zero(raw) {
                return Ok(RecordValue::Count(0));
            }
            read_count(raw).map(RecordValue::Count).ok_or_else(unreadable)
        }
        F::Distance | F::OtherFees => {
            if is_zero(raw) {
                return Ok(RecordValue::Amount(Decimal::ZERO));
            }
            read_amount(raw).map(RecordValue::Amount).ok_or_else(unreadable)
        }
        F::GeneralReason => read_general(raw).map(RecordValue::General).ok_or_else(unreadable),
        F::DetailedReason => read_reason(raw).map(RecordValue::Reason).ok_or_else(unreadable),
        F::OvertimeReason | F::Comments => text::lines(raw, text::TEXT_MAX)
            .map(|value| RecordValue::Text(value.to_string()))
            .map_err(RecordProblemKind::Text),
    }
}

fn is_zero(raw: &str) -> bool {
    matches!(
        fold(raw).as_str(),
        "0" | "aucun" | "aucune" | "none" | "no" | "non" | "rien" | "nil" | "0 km" | "0 min" | "0 00" | "0 h"
    )
}

/// "3", "3 appels", "1 250 mots": a whole number, thousands spaced or not.
fn read_count(raw: &str) -> Option<u32> {
    let digits: String = raw
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || c.is_whitespace() || *c == '\u{202F}' || *c == '\u{A0}')
        .filter(char::is_ascii_digit)
        .collect();
    let rest = raw
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == '\u{202F}' || c == '\u{A0}');
    // A decimal point or a second number means this was not a count.
    if digits.is_empty() || rest.starts_with([',', '.']) || rest.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// "12,50 $", "$12.50", "12 km", "1 234,5": an exact decimal with at most two places.
fn read_amount(raw: &str) -> Option<Decimal> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '$' | '€' | '\u{202F}' | '\u{A0}'))
        .collect();
    let lower = cleaned.to_lowercase();
    let number = ["km", "kilomètres", "kilometres", "cad", "eur"]
        .iter()
        .find_map(|unit| lower.strip_suffix(unit))
        .unwrap_or(&lower)
        .replace(',', ".");
    let value = Decimal::from_str(&number).ok()?;
    (value.scale() <= 2 && !value.is_sign_negative()).then_some(value)
}

fn read_general(raw: &str) -> Option<GeneralReason> {
    match fold(raw).as_str() {
        "annulee" | "annule" | "annulation" | "cancelled" | "canceled" | "cancellation" => {
            Some(GeneralReason::Cancelled)
        }
        "interrompue" | "interrompu" | "ecourtee" | "interrupted" | "cut short" => Some(GeneralReason::Interrupted),
        other => GeneralReason::from_str(other).ok(),
    }
}

fn read_reason(raw: &str) -> Option<CancellationReason> {
    let folded = fold(raw);
    if folded.is_empty() {
        return None;
    }
    let labels = |r: CancellationReason| [fold(r.label(Locale::Fr)), fold(r.label(Locale::En)), fold(r.as_str())];
    // The label as printed, or its beginning ("retard du professionnel", "usager absent").
    CancellationReason::ALL
        .into_iter()
        .find(|&r| labels(r).contains(&folded))
        .or_else(|| {
            let hits: Vec<_> = CancellationReason::ALL
                .into_iter()
                .filter(|&r| folded.len() >= 5 && labels(r).iter().any(|l| l.starts_with(&folded)))
                .collect();
            (hits.len() == 1).then(|| hits[0])
        })
        .or(match folded.as_str() {
            "absence" | "no show" | "usager ne s est pas presente" => Some(CancellationReason::UserAbsent),
            "professionnel absent" | "professional absent" => Some(CancellationReason::ProfessionalLateOrAbsent),
            "reporte" | "postponed" => Some(CancellationReason::AppointmentRescheduled),
            _ => None,
        })
}

/// A problem with what was written, or with the record as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordIssue {
    pub problem: RecordProblem,
    /// What was written for the field, to give it back.
    pub written: Option<String>,
}

impl RecordIssue {
    pub fn describe(&self, locale: Locale) -> String {
        self.problem.describe(locale)
    }
}

/// Builds the record from the fields written (mail form or web form alike) and checks it:
/// the record, or every problem, field by field, in the form's order.
pub fn build_record(
    written: &BTreeMap<RecordField, String>,
    ctx: &RecordContext,
) -> Result<ServiceRecord, Vec<RecordIssue>> {
    use RecordField as F;
    let today = ctx.now.date();
    let mut issues = Vec::new();
    let mut values: BTreeMap<RecordField, RecordValue> = BTreeMap::new();
    for (&field, raw) in written {
        if says_nothing(raw) {
            continue;
        }
        match read_value(field, raw, today) {
            Ok(value) => {
                values.insert(field, value);
            }
            Err(problem) => issues.push(RecordIssue {
                problem: RecordProblem::new(field, problem),
                written: Some(raw.clone()),
            }),
        }
    }
    let flag = |f| match values.get(&f) {
        Some(RecordValue::Flag(b)) => Some(*b),
        _ => None,
    };
    let time = |f| match values.get(&f) {
        Some(RecordValue::Time(t)) => Some(*t),
        _ => None,
    };
    let minutes = |f| match values.get(&f) {
        Some(RecordValue::Minutes(m)) => Some(*m),
        _ => None,
    };
    let count = |f| match values.get(&f) {
        Some(RecordValue::Count(n)) => Some(*n),
        _ => None,
    };
    let amount = |f| match values.get(&f) {
        Some(RecordValue::Amount(a)) => Some(*a),
        _ => None,
    };
    let text = |f| match values.get(&f) {
        Some(RecordValue::Text(t)) if !t.is_empty() => Some(t.clone()),
        _ => None,
    };
    let completed = flag(F::Completed);
    if completed.is_none() && !written.contains_key(&F::Completed) {
        issues.push(RecordIssue {
            problem: RecordProblem::new(F::Completed, RecordProblemKind::Required),
            written: None,
        });
    }
    let completed = completed.unwrap_or(true);
    let present = flag(F::InterpreterPresent);
    if present.is_none() && !completed && !written.contains_key(&F::InterpreterPresent) {
        issues.push(RecordIssue {
            problem: RecordProblem::new(F::InterpreterPresent, RecordProblemKind::Required),
            written: None,
        });
    }
    let cancellation = match (
        values.get(&F::GeneralReason),
        values.get(&F::DetailedReason),
        values.get(&F::CancelledOn),
        time(F::CancelledAt),
    ) {
        (
            Some(RecordValue::General(general)),
            Some(RecordValue::Reason(reason)),
            Some(RecordValue::Date(date)),
            Some(t),
        ) if !completed => Some(RecordedCancellation {
            general: *general,
            reason: *reason,
            date: *date,
            time: t,
        }),
        _ => None,
    };
    let record = ServiceRecord {
        completed,
        interpreter_present: present.unwrap_or(completed),
        arrival_time: time(F::ArrivalTime),
        actual_start: time(F::ActualStart),
        actual_end: time(F::ActualEnd),
        actual_minutes: minutes(F::ActualDuration),
        overtime_reason: text(F::OvertimeReason),
        cancellation,
        waiting_minutes: minutes(F::WaitingTime).unwrap_or(0),
        distance_km: amount(F::Distance).unwrap_or(Decimal::ZERO),
        travel_minutes: minutes(F::TravelTime).unwrap_or(0),
        phone_calls: count(F::PhoneCalls).unwrap_or(0),
        words: count(F::Words).unwrap_or(0),
        other_fees: amount(F::OtherFees).unwrap_or(Decimal::ZERO),
        services_given: count(F::ServicesGiven),
        comments: text(F::Comments),
    };
    // Rules between fields; a field already unreadable is not also reported missing.
    for problem in record.problems(ctx) {
        let already = issues.iter().any(|i| i.problem.field == problem.field);
        let unreadable_part = problem.problem == RecordProblemKind::Required && written.contains_key(&problem.field);
        if !already && !unreadable_part {
            issues.push(RecordIssue {
                written: written.get(&problem.field).cloned(),
                problem,
            });
        }
    }
    if issues.is_empty() {
        Ok(record)
    } else {
        issues.sort_by_key(|i| i.problem.field);
        Err(issues)
    }
}

/// The record form's lines in `locale`: "Label : value" for what is filled, else the hint.
/// Lines for a cancelled service and for a permanence are always printed: the interpreter
/// fills in what applies.
pub fn render_record_form(locale: Locale, filled: &BTreeMap<RecordField, String>) -> String {
    let separator = locale.pick(" : ", ": ");
    RecordField::ALL
        .iter()
        .map(|&field| {
            let shown = filled
                .get(&field)
                .map(|v| v.replace(['\r', '\n'], " "))
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| hint(field, locale).to_string());
            format!("{}{separator}{shown}", field.label(locale))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The values to prefill the form with: the booked times, nothing declared.
pub fn prefill(start: NaiveTime, minutes: u32, locale: Locale) -> BTreeMap<RecordField, String> {
    let end = start + chrono::Duration::minutes(i64::from(minutes));
    BTreeMap::from([
        (RecordField::Completed, locale.pick("oui", "yes").to_string()),
        (RecordField::InterpreterPresent, locale.pick("oui", "yes").to_string()),
        (RecordField::ActualStart, start.format("%H:%M").to_string()),
        (RecordField::ActualEnd, end.format("%H:%M").to_string()),
        (RecordField::WaitingTime, "0".into()),
        (RecordField::Distance, "0".into()),
        (RecordField::TravelTime, "0".into()),
        (RecordField::PhoneCalls, "0".into()),
        (RecordField::OtherFees, "0".into()),
    ])
}

/// The record as form values, to show it back (summary to the requester, correction form).
pub fn record_values(record: &ServiceRecord, locale: Locale) -> BTreeMap<RecordField, String> {
    use RecordField as F;
    let yes_no = |b: bool| {
        locale
            .pick(if b { "oui" } else { "non" }, if b { "yes" } else { "no" })
            .to_string()
    };
    let hm = |t: NaiveTime| t.format("%H:%M").to_string();
    let duration = |m: u32| format!("{} h {:02}", m / 60, m % 60);
    let decimal = |d: Decimal| match locale {
        Locale::Fr => d.to_string().replace('.', ","),
        Locale::En => d.to_string(),
    };
    let mut out = BTreeMap::new();
    out.insert(F::Completed, yes_no(record.completed));
    out.insert(F::InterpreterPresent, yes_no(record.interpreter_present));
    let optional = [
        (F::ArrivalTime, record.arrival_time.map(hm)),
        (F::ActualStart, record.actual_start.map(hm)),
        (F::ActualEnd, record.actual_end.map(hm)),
        (F::ActualDuration, record.worked_minutes().map(duration)),
        (F::OvertimeReason, record.overtime_reason.clone()),
        (F::ServicesGiven, record.services_given.map(|n| n.to_string())),
        (F::Comments, record.comments.clone()),
    ];
    for (field, value) in optional {
        if let Some(v) = value {
            out.insert(field, v);
        }
    }
    if let Some(c) = &record.cancellation {
        out.insert(F::GeneralReason, c.general.label(locale).to_string());
        out.insert(F::DetailedReason, c.reason.label(locale).to_string());
        out.insert(F::CancelledOn, c.date.format("%Y-%m-%d").to_string());
        out.insert(F::CancelledAt, hm(c.time));
    }
    out.insert(F::WaitingTime, duration(record.waiting_minutes));
    out.insert(F::Distance, format!("{} km", decimal(record.distance_km)));
    out.insert(F::TravelTime, duration(record.travel_minutes));
    out.insert(F::PhoneCalls, record.phone_calls.to_string());
    out.insert(F::Words, record.words.to_string());
    out.insert(F::OtherFees, decimal(record.other_fees.round_dp(2)));
    out
}

/// The local date-time of an appointment, for [`RecordContext`].
pub fn context(
    request_type: crate::domain::request::RequestType,
    date: NaiveDate,
    start: NaiveTime,
    scheduled_minutes: u32,
    now: NaiveDateTime,
) -> RecordContext {
    RecordContext {
        request_type,
        appointment: date.and_time(start),
        scheduled_minutes,
        now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::RequestType;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn ctx(kind: RequestType) -> RecordContext {
        let day = NaiveDate::from_ymd_opt(2024, 8, 20).unwrap();
        context(kind, day, t(11, 0), 120, day.and_time(t(17, 0)))
    }

    fn build(text: &str) -> Result<ServiceRecord, Vec<RecordIssue>> {
        let reading = read_record_form(text);
        assert!(reading.present, "no record lines in {text:?}");
        build_record(&reading.raw, &ctx(RequestType::InPerson))
    }

    #[test]
    fn the_seeds_completed_record_reads_back() {
        let r = build(
            "Merci !\n\nDemande terminée : Oui\nHeure de début effective : 11:00\nHeure de fin effective : 13 h\n\
             Durée réelle : 2 h 0\nInterprète présent : oui\nDistance parcourue : 12,5 km\nAutres frais : 4,75 $\n\
             Appels téléphoniques : 1\nCommentaires : RAS",
        )
        .unwrap();
        assert!(r.completed && r.interpreter_present);
        assert_eq!(
            (r.actual_start, r.actual_end, r.worked_minutes()),
            (Some(t(11, 0)), Some(t(13, 0)), Some(120))
        );
        assert_eq!(r.distance_km, Decimal::new(125, 1));
        assert_eq!(r.other_fees, Decimal::new(475, 2));
        assert_eq!(r.phone_calls, 1);
        assert_eq!(r.comments.as_deref(), Some("RAS"));
    }

    #[test]
    fn the_seeds_cancelled_record_reads_back() {
        let r = build(
            "Demande terminée : non\nRaison générale : Annulée\nDetailed Reason : Retard du professionnel / ne s'est pas présenté\n\
             Annuler la date : 2024-08-20\nAnnuler l'heure : 09:18\nInterprète présent : oui\nDurée d'attente : 1 h 0",
        )
        .unwrap();
        assert!(!r.completed && r.interpreter_present);
        let c = r.cancellation.unwrap();
        assert_eq!(c.general, GeneralReason::Cancelled);
        assert_eq!(c.reason, CancellationReason::ProfessionalLateOrAbsent);
        assert_eq!(
            (c.date, c.time),
            (NaiveDate::from_ymd_opt(2024, 8, 20).unwrap(), t(9, 18))
        );
        assert_eq!(r.waiting_minutes, 60);
    }

    #[test]
    fn every_wrong_field_is_named_and_what_was_typed_is_kept() {
        let issues = build(
            "Demande terminée : peut-être\nHeure de début effective : 11:00\nHeure de fin effective : plus tard\n\
             Distance parcourue : beaucoup\nAutres frais : 12,345\nAppels téléphoniques : 2,5",
        )
        .unwrap_err();
        let named: Vec<_> = issues.iter().map(|i| (i.problem.field, i.written.clone())).collect();
        assert_eq!(
            named,
            vec![
                (RecordField::Completed, Some("peut-être".into())),
                (RecordField::ActualEnd, Some("plus tard".into())),
                (RecordField::Distance, Some("beaucoup".into())),
                (RecordField::PhoneCalls, Some("2,5".into())),
                (RecordField::OtherFees, Some("12,345".into())),
            ]
        );
        assert_eq!(
            issues[1].describe(Locale::Fr),
            "Heure de fin effective : « plus tard » n'est pas compris"
        );
    }

    #[test]
    fn negative_quantities_and_overlong_comments_are_refused_not_changed() {
        let issues = build(&format!(
            "Demande terminée : oui\nHeure de début effective : 11:00\nHeure de fin effective : 13:00\n\
             Durée d'attente : -30\nDurée du trajet : − 1 h\nDistance parcourue : -12 km\nAutres frais : -4,50\n\
             Commentaires : {}",
            "x".repeat(2001)
        ))
        .unwrap_err();
        let named: Vec<_> = issues
            .iter()
            .map(|i| (i.problem.field, i.problem.problem.clone()))
            .collect();
        assert_eq!(
            named,
            vec![
                (RecordField::WaitingTime, RecordProblemKind::Negative),
                (RecordField::Distance, RecordProblemKind::Negative),
                (RecordField::TravelTime, RecordProblemKind::Negative),
                (RecordField::OtherFees, RecordProblemKind::Negative),
                (
                    RecordField::Comments,
                    RecordProblemKind::Text(crate::domain::text::TextProblem::TooLong(2000))
                ),
            ]
        );
        assert_eq!(
            issues[0].describe(Locale::Fr),
            "Durée d'attente : valeur négative\u{a0}: écrivez-la sans signe moins (0 si aucune)"
        );
        assert_eq!(issues[4].describe(Locale::En), "Comments: at most 2,000 characters");
        let control = build("Demande terminée : oui\nHeure de début effective : 11:00\nHeure de fin effective : 13:00\nCommentaires : a\u{0}b")
            .unwrap_err();
        assert_eq!(
            control[0].problem.problem,
            RecordProblemKind::Text(crate::domain::text::TextProblem::ControlCharacter)
        );
    }

    #[test]
    fn a_cancelled_record_without_its_reasons_asks_for_them() {
        let issues = build("Demande terminée : non\nInterprète présent : non").unwrap_err();
        let fields: Vec<_> = issues.iter().map(|i| i.problem.field).collect();
        assert_eq!(
            fields,
            vec![
                RecordField::GeneralReason,
                RecordField::DetailedReason,
                RecordField::CancelledOn,
                RecordField::CancelledAt
            ]
        );
    }

    #[test]
    fn the_form_renders_and_reads_back_its_own_prefill() {
        for locale in [Locale::Fr, Locale::En] {
            let form = render_record_form(locale, &prefill(t(11, 0), 120, locale));
            let reading = read_record_form(&form);
            assert!(reading.is_record());
            let r = build_record(&reading.raw, &ctx(RequestType::InPerson)).unwrap();
            assert_eq!(r, ServiceRecord::completed(t(11, 0), t(13, 0)).tap_minutes(None));
        }
    }

    #[test]
    fn a_saved_record_shown_back_reads_back_the_same() {
        let mut r = ServiceRecord::completed(t(10, 0), t(12, 30));
        r.overtime_reason = Some("Prolongé".into());
        r.distance_km = Decimal::new(1234, 1);
        r.other_fees = Decimal::new(1250, 2);
        r.phone_calls = 2;
        r.waiting_minutes = 15;
        for locale in [Locale::Fr, Locale::En] {
            let form = render_record_form(locale, &record_values(&r, locale));
            let back = build_record(&read_record_form(&form).raw, &ctx(RequestType::InPerson)).unwrap();
            assert_eq!(
                back,
                ServiceRecord {
                    actual_minutes: Some(150),
                    ..r.clone()
                }
            );
        }
    }

    #[test]
    fn amounts_and_counts_are_read_exactly() {
        assert_eq!(read_amount("12,50 $"), Some(Decimal::new(1250, 2)));
        assert_eq!(read_amount("$12.5"), Some(Decimal::new(125, 1)));
        assert_eq!(read_amount("1 234,5 km"), Some(Decimal::new(12345, 1)));
        assert_eq!(read_amount("-3"), None);
        assert_eq!(read_amount("0.001"), None);
        assert_eq!(read_count("3 appels"), Some(3));
        assert_eq!(read_count("1 250 mots"), Some(1250));
        assert_eq!(read_count("2,5"), None);
        assert_eq!(read_count("2 ou 3"), None);
    }

    #[test]
    fn reasons_are_read_in_both_languages() {
        assert_eq!(read_reason("usager absent"), Some(CancellationReason::UserAbsent));
        assert_eq!(
            read_reason("Professional late"),
            Some(CancellationReason::ProfessionalLateOrAbsent)
        );
        assert_eq!(read_reason("rendez-vous"), None, "ambiguous");
        assert_eq!(read_general("Interrompue"), Some(GeneralReason::Interrupted));
    }

    #[test]
    fn no_folded_label_selects_two_fields() {
        let mut seen = std::collections::HashMap::new();
        for field in RecordField::ALL {
            for label in [field.label(Locale::Fr), field.label(Locale::En), field.key()]
                .into_iter()
                .chain(synonyms(field).iter().copied())
            {
                if let Some(other) = seen.insert(fold(label), field) {
                    assert_eq!(other, field, "{label:?}");
                }
            }
        }
    }

    trait TapMinutes {
        fn tap_minutes(self, m: Option<u32>) -> Self;
    }
    impl TapMinutes for ServiceRecord {
        fn tap_minutes(mut self, m: Option<u32>) -> Self {
            self.actual_minutes = m;
            self
        }
    }
}
