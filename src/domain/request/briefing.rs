//! What a person may read of a request, by how they stand toward it. One rule for every
//! channel that shows a request (mail, calendar invite, link page, request page):
//!
//! - an interpreter who is only **offered** the request reads what they need to decide:
//!   where (the installation and its street address), the type, the video platform, the
//!   context, the message to the interpreter, and whether the user must be told. Never the
//!   patient's identity, the professional's contact or the video link;
//! - the **assigned** interpreter reads what they need to do the job: the address of the
//!   appointment, the video link and passcode, the professional and how to reach them, the
//!   person who receives them on site, the patient's details, and the patient's name and
//!   phone only when they must tell the user about the appointment;
//! - the **owner** (the requester's side and the coordinators) reads everything;
//! - anybody else reads nothing.
//!
//! The facts every message already carries (number, date, time, duration, type, languages,
//! installation and place) are not repeated here.

use super::{Request, RequestType};
use crate::domain::ids::PersonId;
use crate::domain::locale::Locale;
use crate::domain::organisation::Installation;
use crate::domain::request::Field;

/// How a person stands toward a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The requester's side or a coordinator: everything.
    Owner,
    /// The interpreter booked for it.
    Assigned,
    /// An interpreter it is offered to, still deciding.
    Offered,
    /// Nobody who may read it.
    Outsider,
}

impl Standing {
    /// How `person` stands toward `request`. `owner`: they are its requester (or see their
    /// installation's requests) or a coordinator; `offered`: an offer of it waits for
    /// their answer.
    pub fn of(request: &Request, person: PersonId, owner: bool, offered: bool) -> Standing {
        if owner {
            Standing::Owner
        } else if request.assigned_interpreter == Some(person) {
            Standing::Assigned
        } else if offered {
            Standing::Offered
        } else {
            Standing::Outsider
        }
    }

    /// Whether this person may read the patient's identity (name, phone).
    fn reads_patient_identity(self, request: &Request) -> bool {
        match self {
            Standing::Owner => true,
            Standing::Assigned => request.details.interpreter_must_notify_user,
            Standing::Offered | Standing::Outsider => false,
        }
    }
}

/// Whether `standing` may read a change of the field `key` (a history key, see
/// `domain::request::changes`): the same rule as the briefing's lines.
pub fn reads_change(standing: Standing, key: &str, request: &Request) -> bool {
    const OWNER_ONLY: [&str; 9] = [
        "interpreter_type",
        "supplementary",
        "alternative_date",
        "reason",
        "coordinator_note",
        "cost_centre",
        "billing_code",
        "preferred_interpreter",
        "interpreter_gender",
    ];
    const BOOKING_ONLY: [&str; 10] = [
        "address",
        "video_link",
        "video_passcode",
        "professional_name",
        "professional_function",
        "professional_phone",
        "professional_email",
        "patient_details",
        "on_site_name",
        "on_site_phone",
    ];
    let identity = matches!(key, "patient_name" | "patient_phone");
    match standing {
        Standing::Owner => true,
        Standing::Assigned => !OWNER_ONLY.contains(&key) && (!identity || standing.reads_patient_identity(request)),
        Standing::Offered => !OWNER_ONLY.contains(&key) && !BOOKING_ONLY.contains(&key) && !identity,
        Standing::Outsider => false,
    }
}

/// One line of a briefing: a label and its value, as people read them.
pub type Line = (String, String);

/// The lines `standing` may read of `request` on a page behind a sign-in or a signed link.
pub fn briefing(request: &Request, standing: Standing, installation: &Installation, locale: Locale) -> Vec<Line> {
    lines(request, standing, installation, locale, false)
}

/// The lines a message (mail, invite) carries to `standing`. Messages are copied, forwarded
/// and synced to phones, so they carry less than the page: no free-text patient details
/// for anyone, and for the owner (who wrote the request and can open its page) none of
/// the notes or the patient's identity either; an interpreter gets what the booking needs.
pub fn message_briefing(
    request: &Request,
    standing: Standing,
    installation: &Installation,
    locale: Locale,
) -> Vec<Line> {
    lines(request, standing, installation, locale, true)
}

fn lines(
    request: &Request,
    standing: Standing,
    installation: &Installation,
    locale: Locale,
    message: bool,
) -> Vec<Line> {
    let mut lines = Vec::new();
    if standing == Standing::Outsider {
        return lines;
    }
    let d = &request.details;
    let mut add = |label: String, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            lines.push((label, v.to_string()));
        }
    };
    let full = matches!(standing, Standing::Owner | Standing::Assigned);
    let street = installation_address(installation);
    let address = if full {
        d.address.clone().filter(|a| !a.trim().is_empty()).or(street)
    } else {
        street
    };
    add(Field::Address.label(locale).to_string(), address.as_deref());
    if let Some(until) = d.flexible_until {
        add(
            Field::FlexibleUntil.label(locale).to_string(),
            Some(&crate::domain::locale::clock_time(until, locale)),
        );
    }
    if d.request_type == RequestType::Video || d.video.platform.is_some() {
        add(
            Field::VideoPlatform.label(locale).to_string(),
            d.video.platform.as_deref(),
        );
    }
    if full {
        add(Field::VideoLink.label(locale).to_string(), d.video.link.as_deref());
        add(
            Field::VideoPasscode.label(locale).to_string(),
            d.video.passcode.as_deref(),
        );
        professional(&mut add, request, locale);
        add(Field::OnSiteName.label(locale).to_string(), d.on_site.name.as_deref());
        add(
            Field::OnSitePhone.label(locale).to_string(),
            d.on_site.phone.as_ref().map(|p| p.display(locale)).as_deref(),
        );
    }
    // A message to the owner carries where and how, not what they wrote about the patient.
    let terse = message && standing == Standing::Owner;
    if !terse {
        add(Field::Context.label(locale).to_string(), d.notes.context.as_deref());
        add(
            Field::MessageToInterpreter.label(locale).to_string(),
            d.notes.message_to_interpreter.as_deref(),
        );
    }
    if d.interpreter_must_notify_user {
        add(notify_label(locale).to_string(), Some(locale.pick("oui", "yes")));
    }
    if full && !message {
        add(
            Field::PatientDetails.label(locale).to_string(),
            d.patient.details.as_deref(),
        );
    }
    if !terse && standing.reads_patient_identity(request) {
        add(Field::PatientName.label(locale).to_string(), d.patient.name.as_deref());
        add(
            Field::PatientPhone.label(locale).to_string(),
            d.patient.phone.as_deref(),
        );
    }
    if standing == Standing::Owner {
        let alternative = d
            .alternative_date
            .map(|date| crate::domain::locale::long_date(date, locale));
        add(Field::AlternativeDate.label(locale).to_string(), alternative.as_deref());
        add(
            Field::InterpreterType.label(locale).to_string(),
            d.interpreter_type.map(|t| t.label(locale)),
        );
        if d.supplementary {
            add(
                locale
                    .pick("Demande supplémentaire", "Supplementary request")
                    .to_string(),
                Some(locale.pick("oui", "yes")),
            );
        }
    }
    if standing == Standing::Owner && !terse {
        add(Field::Reason.label(locale).to_string(), d.notes.reason.as_deref());
        add(
            Field::CoordinatorNote.label(locale).to_string(),
            d.notes.coordinator_note.as_deref(),
        );
    }
    if let Some(line) = cancellation(request, standing, locale) {
        lines.push(line);
    }
    lines
}

/// The professional who works with the interpreter, and how to reach them.
fn professional(add: &mut impl FnMut(String, Option<&str>), request: &Request, locale: Locale) {
    let p = &request.details.professional;
    add(Field::ProfessionalName.label(locale).to_string(), p.name.as_deref());
    add(
        Field::ProfessionalFunction.label(locale).to_string(),
        p.function.as_deref(),
    );
    add(
        Field::ProfessionalPhone.label(locale).to_string(),
        p.phone.as_ref().map(|phone| phone.display(locale)).as_deref(),
    );
    add(
        Field::ProfessionalEmail.label(locale).to_string(),
        p.email.as_ref().map(|e| e.as_str().to_string()).as_deref(),
    );
}

/// Why the request was cancelled, and whether the late cancellation is paid: the owner
/// also reads the words given with it.
fn cancellation(request: &Request, standing: Standing, locale: Locale) -> Option<Line> {
    let c = request.cancellation.as_ref()?;
    let mut text = c.reason.label(locale).to_string();
    if standing == Standing::Owner
        && let Some(detail) = c.detail.as_deref().map(str::trim).filter(|t| !t.is_empty())
    {
        text = format!("{text} — {detail}");
    }
    if c.late && request.booked_at.is_some() {
        text.push_str(locale.pick(
            " (annulation tardive : le service est facturé et l'interprète rémunéré)",
            " (late cancellation: the service is billed and the interpreter paid)",
        ));
    }
    Some((
        locale.pick("Motif d'annulation", "Reason for cancelling").to_string(),
        text,
    ))
}

/// "1000, rue Sherbrooke Ouest, H3A 1A1": the installation's street address, if known.
pub fn installation_address(installation: &Installation) -> Option<String> {
    let parts: Vec<&str> = [installation.address.as_deref(), installation.postal_code.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn notify_label(locale: Locale) -> &'static str {
    locale.pick("Aviser l'usager du rendez-vous", "Tell the user about the appointment")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{EstablishmentId, InstallationId, RequestId};
    use crate::domain::language::LanguageTag;
    use crate::domain::request::{
        Cancellation, CancellationReason, Notes, PatientDetails, Professional, RequestDetails, RequestStatus,
        VideoDetails,
    };
    use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

    fn installation() -> Installation {
        Installation {
            id: InstallationId(1),
            establishment_id: EstablishmentId(1),
            name: "Hôpital du Parc".into(),
            address: Some("1200, avenue du Parc, Montréal".into()),
            postal_code: Some("H2V 4E9".into()),
        }
    }

    fn request(notify: bool) -> Request {
        let at = Utc.with_ymd_and_hms(2026, 12, 10, 15, 0, 0).unwrap();
        Request {
            id: RequestId(1),
            number: None,
            status: RequestStatus::Booked,
            version: 3,
            establishment_id: EstablishmentId(1),
            details: RequestDetails {
                installation_id: InstallationId(1),
                location: "Clinique externe, 3e étage".into(),
                address: None,
                request_type: RequestType::Video,
                date: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
                start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                flexible_until: None,
                duration_minutes: 60,
                source_language: LanguageTag::parse("fr").unwrap(),
                target_language: LanguageTag::parse("es").unwrap(),
                alternative_language: None,
                alternative_date: None,
                professional: Professional {
                    name: Some("Dre Anne Roy".into()),
                    function: Some("Pédiatre".into()),
                    phone: None,
                    email: None,
                },
                preferred_interpreter: None,
                interpreter_gender: None,
                interpreter_must_notify_user: notify,
                notes: Notes {
                    context: Some("Suivi de grossesse".into()),
                    reason: Some("Échographie".into()),
                    message_to_interpreter: Some("Arrivez 10 minutes avant".into()),
                    coordinator_note: Some("Urgent".into()),
                },
                patient: PatientDetails {
                    name: Some("Maria Lopez".into()),
                    phone: Some("514 555-0199".into()),
                    details: Some("Malentendante".into()),
                },
                video: VideoDetails {
                    platform: Some("Teams".into()),
                    link: Some("https://teams.example/j/42".into()),
                    passcode: Some("9931".into()),
                },
                cost_centre_id: None,
                billing_code_id: None,
                interpreter_type: None,
                on_site: crate::domain::request::details::OnSiteContact {
                    name: Some("Josée à l'accueil".into()),
                    phone: None,
                },
                supplementary: false,
            },
            requested_by: PersonId(10),
            assigned_interpreter: Some(PersonId(20)),
            starts_at: at,
            created_at: at,
            updated_at: at,
            submitted_at: Some(at),
            booked_at: Some(at),
            service_recorded_at: None,
            service_contested_at: None,
            closed_at: None,
            cancellation: None,
            patient_erased_at: None,
        }
    }

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|(l, v)| format!("{l}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn changes_follow_the_same_rule() {
        let r = request(false);
        assert!(reads_change(Standing::Offered, "duration_minutes", &r));
        assert!(!reads_change(Standing::Offered, "video_link", &r));
        assert!(reads_change(Standing::Assigned, "video_link", &r));
        assert!(!reads_change(Standing::Assigned, "patient_phone", &r));
        assert!(reads_change(Standing::Assigned, "patient_phone", &request(true)));
        assert!(!reads_change(Standing::Assigned, "coordinator_note", &r));
        assert!(reads_change(Standing::Owner, "coordinator_note", &r));
        assert!(!reads_change(Standing::Outsider, "date", &r));
    }

    #[test]
    fn standing_follows_the_request() {
        let r = request(false);
        assert_eq!(Standing::of(&r, PersonId(1), true, false), Standing::Owner);
        assert_eq!(Standing::of(&r, PersonId(20), false, false), Standing::Assigned);
        assert_eq!(Standing::of(&r, PersonId(30), false, true), Standing::Offered);
        assert_eq!(Standing::of(&r, PersonId(30), false, false), Standing::Outsider);
    }

    #[test]
    fn an_offered_interpreter_reads_what_decides_never_who_the_patient_is() {
        let r = request(true);
        let t = text(&briefing(&r, Standing::Offered, &installation(), Locale::Fr));
        for shown in [
            "1200, avenue du Parc",
            "H2V 4E9",
            "Teams",
            "Suivi de grossesse",
            "Arrivez 10",
            "Aviser",
        ] {
            assert!(t.contains(shown), "{shown} missing from\n{t}");
        }
        for hidden in [
            "Maria",
            "0199",
            "Malentendante",
            "teams.example",
            "9931",
            "Dre Anne",
            "Échographie",
            "Urgent",
            "Josée",
        ] {
            assert!(!t.contains(hidden), "{hidden} shown to an offered interpreter\n{t}");
        }
    }

    #[test]
    fn the_assigned_interpreter_reads_the_booking_and_the_patient_only_when_they_must_call() {
        let silent = text(&briefing(
            &request(false),
            Standing::Assigned,
            &installation(),
            Locale::Fr,
        ));
        for shown in [
            "teams.example/j/42",
            "9931",
            "Dre Anne Roy",
            "Pédiatre",
            "Malentendante",
            "Suivi de grossesse",
            "Josée à l'accueil",
        ] {
            assert!(silent.contains(shown), "{shown} missing from\n{silent}");
        }
        for hidden in ["Maria", "0199", "Échographie", "Urgent"] {
            assert!(!silent.contains(hidden), "{hidden} shown\n{silent}");
        }
        let calling = text(&briefing(
            &request(true),
            Standing::Assigned,
            &installation(),
            Locale::Fr,
        ));
        assert!(
            calling.contains("Maria Lopez") && calling.contains("514 555-0199"),
            "{calling}"
        );
    }

    #[test]
    fn the_owner_reads_everything_and_an_outsider_nothing() {
        let t = text(&briefing(&request(false), Standing::Owner, &installation(), Locale::En));
        for shown in ["Maria Lopez", "Échographie", "Urgent", "9931"] {
            assert!(t.contains(shown), "{shown} missing from\n{t}");
        }
        assert!(briefing(&request(true), Standing::Outsider, &installation(), Locale::Fr).is_empty());
    }

    #[test]
    fn messages_carry_less_than_pages() {
        let owner = text(&message_briefing(
            &request(true),
            Standing::Owner,
            &installation(),
            Locale::Fr,
        ));
        for hidden in [
            "Maria",
            "0199",
            "Malentendante",
            "Suivi de grossesse",
            "Échographie",
            "Urgent",
        ] {
            assert!(!owner.contains(hidden), "{hidden} in a message to the owner\n{owner}");
        }
        assert!(
            owner.contains("teams.example") && owner.contains("Dre Anne Roy"),
            "{owner}"
        );
        let assigned = text(&message_briefing(
            &request(true),
            Standing::Assigned,
            &installation(),
            Locale::Fr,
        ));
        assert!(
            assigned.contains("Maria Lopez") && assigned.contains("514 555-0199"),
            "{assigned}"
        );
        assert!(assigned.contains("Suivi de grossesse"), "{assigned}");
        assert!(
            !assigned.contains("Malentendante"),
            "free-text patient details stay on the page: {assigned}"
        );
    }

    #[test]
    fn a_home_visit_address_goes_to_the_booked_interpreter_only() {
        let mut r = request(false);
        r.details.address = Some("12, rue des Érables".into());
        let offered = text(&briefing(&r, Standing::Offered, &installation(), Locale::Fr));
        assert!(
            !offered.contains("Érables") && offered.contains("avenue du Parc"),
            "{offered}"
        );
        let assigned = text(&briefing(&r, Standing::Assigned, &installation(), Locale::Fr));
        assert!(assigned.contains("12, rue des Érables"), "{assigned}");
    }

    #[test]
    fn a_cancellation_says_why_and_whether_it_is_paid() {
        let mut r = request(false);
        r.cancellation = Some(Cancellation {
            reason: CancellationReason::AppointmentRescheduled,
            detail: Some("la patiente a la grippe".into()),
            at: r.starts_at,
            late: true,
        });
        let assigned = text(&briefing(&r, Standing::Assigned, &installation(), Locale::Fr));
        assert!(assigned.contains("Rendez-vous reporté"), "{assigned}");
        assert!(assigned.contains("annulation tardive"), "{assigned}");
        assert!(
            !assigned.contains("grippe"),
            "the requester's words stay with the owner: {assigned}"
        );
        let owner = text(&briefing(&r, Standing::Owner, &installation(), Locale::Fr));
        assert!(owner.contains("grippe"), "{owner}");
    }
}
