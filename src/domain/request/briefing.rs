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

/// The lines being written, and what decides which.
struct Lines<'a> {
    request: &'a Request,
    standing: Standing,
    locale: Locale,
    /// For a message rather than a page.
    message: bool,
    out: Vec<Line>,
}

impl Lines<'_> {
    fn add(&mut self, label: impl Into<String>, value: Option<&str>) {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.out.push((label.into(), v.to_string()));
        }
    }

    fn field(&mut self, field: Field, value: Option<&str>) {
        self.add(field.label(self.locale), value);
    }

    /// The owner and the booked interpreter read the booking in full.
    fn full(&self) -> bool {
        matches!(self.standing, Standing::Owner | Standing::Assigned)
    }

    /// A message to the owner carries where and how, not what they wrote about the patient.
    fn terse(&self) -> bool {
        self.message && self.standing == Standing::Owner
    }

    /// Where and when exactly: the address, the flexible time, the video platform.
    fn place(&mut self, installation: &Installation) {
        let d = &self.request.details;
        let street = installation_address(installation);
        let address = if self.full() {
            d.address.clone().filter(|a| !a.trim().is_empty()).or(street)
        } else {
            street
        };
        self.field(Field::Address, address.as_deref());
        let until = d
            .flexible_until
            .map(|t| crate::domain::locale::clock_time(t, self.locale));
        self.field(Field::FlexibleUntil, until.as_deref());
        if d.request_type == RequestType::Video || d.video.platform.is_some() {
            self.field(Field::VideoPlatform, d.video.platform.as_deref());
        }
    }

    /// What the booking needs: the video link and passcode, the professional, the person
    /// who receives the interpreter.
    fn booking(&mut self) {
        let (d, locale) = (&self.request.details, self.locale);
        self.field(Field::VideoLink, d.video.link.as_deref());
        self.field(Field::VideoPasscode, d.video.passcode.as_deref());
        let p = &d.professional;
        self.field(Field::ProfessionalName, p.name.as_deref());
        self.field(Field::ProfessionalFunction, p.function.as_deref());
        let phone = p.phone.as_ref().map(|phone| phone.display(locale));
        self.field(Field::ProfessionalPhone, phone.as_deref());
        self.field(Field::ProfessionalEmail, p.email.as_ref().map(|e| e.as_str()));
        self.field(Field::OnSiteName, d.on_site.name.as_deref());
        let phone = d.on_site.phone.as_ref().map(|p| p.display(locale));
        self.field(Field::OnSitePhone, phone.as_deref());
    }

    /// The context, the message to the interpreter, and the patient as far as allowed.
    fn notes_and_patient(&mut self) {
        let d = &self.request.details;
        if !self.terse() {
            self.field(Field::Context, d.notes.context.as_deref());
            self.field(Field::MessageToInterpreter, d.notes.message_to_interpreter.as_deref());
        }
        if d.interpreter_must_notify_user {
            self.add(notify_label(self.locale), Some(self.locale.pick("oui", "yes")));
        }
        if self.full() && !self.message {
            self.field(Field::PatientDetails, d.patient.details.as_deref());
        }
        if !self.terse() && self.standing.reads_patient_identity(self.request) {
            self.field(Field::PatientName, d.patient.name.as_deref());
            self.field(Field::PatientPhone, d.patient.phone.as_deref());
        }
    }

    /// What only the requester's side and the coordinators read.
    fn owner_only(&mut self) {
        let (d, locale) = (&self.request.details, self.locale);
        let alternative = d
            .alternative_date
            .map(|date| crate::domain::locale::long_date(date, locale));
        self.field(Field::AlternativeDate, alternative.as_deref());
        self.field(Field::InterpreterType, d.interpreter_type.map(|t| t.label(locale)));
        if d.supplementary {
            let label = locale.pick("Demande supplémentaire", "Supplementary request");
            self.add(label, Some(locale.pick("oui", "yes")));
        }
        if !self.terse() {
            self.field(Field::Reason, d.notes.reason.as_deref());
            self.field(Field::CoordinatorNote, d.notes.coordinator_note.as_deref());
        }
    }
}

fn lines(
    request: &Request,
    standing: Standing,
    installation: &Installation,
    locale: Locale,
    message: bool,
) -> Vec<Line> {
    if standing == Standing::Outsider {
        return Vec::new();
    }
    let mut lines = Lines {
        request,
        standing,
        locale,
        message,
        out: Vec::new(),
    };
    lines.place(installation);
    if lines.full() {
        lines.booking();
    }
    lines.notes_and_patient();
    if standing == Standing::Owner {
        lines.owner_only();
    }
    lines.out.extend(cancellation(request, standing, locale));
    lines.out
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
