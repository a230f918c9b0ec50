//! Unit tests of the record form: the seeds' records read back, every problem named,
//! the form rendered and read back, amounts, counts and reasons.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use super::fields::synonyms;
use super::values::{read_amount, read_count, read_general, read_reason};
use super::*;
use crate::domain::locale::Locale;
use crate::domain::request::{
    CancellationReason, GeneralReason, RecordContext, RecordField, RecordProblemKind, RequestType, ServiceRecord,
};
use crate::domain::text::fold;

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
        "Heure de fin effective\u{a0}: «\u{a0}plus tard\u{a0}» n'est pas compris"
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
        "Durée d'attente\u{a0}: valeur négative\u{a0}: écrivez-la sans signe moins (0 si aucune)"
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
