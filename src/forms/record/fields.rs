//! The record form's fields beyond what the domain says of them: the hint printed after
//! an empty label, the other labels people write, and the table of folded labels the
//! record's lines are found with. The fields and their printed labels are the domain's
//! ([`RecordField`]).

use std::sync::LazyLock;

use crate::domain::locale::Locale;
use crate::domain::request::RecordField;
use crate::forms::lines::LabelTable;

/// Hints and other labels people write, per field; the printed labels are the domain's.
pub(super) fn hint(field: RecordField, locale: Locale) -> &'static str {
    use RecordField as F;
    let (fr, en) = match field {
        F::Completed => ("[oui ou non]", "[yes or no]"),
        F::InterpreterPresent => ("[oui ou non]", "[yes or no]"),
        F::ArrivalTime => ("[HH:MM, facultatif]", "[HH:MM, optional]"),
        F::ActualStart | F::ActualEnd => ("[HH:MM]", "[HH:MM]"),
        F::ActualDuration => ("[facultatif, ex. 1 h 30]", "[optional, e.g. 1 h 30]"),
        F::OvertimeReason => ("[si la durée a dépassé]", "[if it ran over]"),
        F::GeneralReason => (
            "[si non terminée\u{a0}: annulée ou interrompue]",
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

pub(super) fn synonyms(field: RecordField) -> &'static [&'static str] {
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

/// The record form's labels, folded.
pub(super) static LABELS: LazyLock<LabelTable<RecordField>> = LazyLock::new(|| {
    LabelTable::new(RecordField::ALL.into_iter().flat_map(|field| {
        [field.label(Locale::Fr), field.label(Locale::En), field.key()]
            .into_iter()
            .chain(synonyms(field).iter().copied())
            .map(move |label| (field, label))
    }))
});
