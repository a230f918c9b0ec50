//! The service record (réalisation) on both engines: the interpreter is asked once the
//! appointment is over, records it by replying to the form (every wrong field named,
//! nothing typed lost), the requester gets a summary to validate or contest, a contest
//! reaches the coordinators with the requester's words, and a coordinator closes it.

use crate::support;

use chrono::{NaiveTime, TimeDelta};
use relais::domain::ids::{PersonId, RequestId};
use relais::domain::request::{CancellationReason, RequestStatus, ServiceRecord};
use relais::inbound::pipeline::MailOutcome;
use relais::outbound::worker::Outbound;
use relais::security::link::LinkAction;
use relais::store::attachments::AttachmentPurpose;
use relais::store::outbox::OutboxMessage;
use relais::workflow::{Command, WorkflowError};
use rust_decimal::Decimal;
use support::mail::{pipeline, raw_mail, reply_address};
use support::web::{Answer, Site, token};
use support::{Engine, TestBank};

async fn queued(bank: &TestBank, request: RequestId) -> Vec<OutboxMessage> {
    let mut tx = bank.store.begin().await.unwrap();
    let m = tx.outbox_of_request(request).await.unwrap();
    tx.commit().await.unwrap();
    m
}

fn of_kind<'a>(m: &'a [OutboxMessage], kind: &str, to: PersonId) -> Vec<&'a OutboxMessage> {
    m.iter().filter(|m| m.kind == kind && m.recipient == to).collect()
}

/// The end of the test bank's appointment (9 March 2026, 10:00–11:00 in Montréal).
async fn appointment_end(bank: &TestBank, id: RequestId) -> chrono::DateTime<chrono::Utc> {
    let r = bank.load(id).await;
    r.starts_at + TimeDelta::minutes(i64::from(r.details.duration_minutes))
}

async fn reply(bank: &TestBank, id: RequestId, from_person: PersonId, from: &str, body: &str) -> MailOutcome {
    let raw = raw_mail(
        &format!("{}@mail.example", uuid::Uuid::new_v4()),
        from,
        &reply_address(Some(id), from_person),
        "Re: Réalisation à enregistrer",
        "",
        body,
    );
    pipeline(bank, None).process(&raw, "imap").await.unwrap()
}

async fn stored_record(bank: &TestBank, id: RequestId) -> Option<ServiceRecord> {
    let mut tx = bank.store.begin().await.unwrap();
    let r = tx.service_record(id).await.unwrap();
    tx.commit().await.unwrap();
    r
}

/// Every `.eml` written so far, as (file name, text body).
fn sent(out: &std::path::Path) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(out).into_iter().flatten() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        all.push((
            path.file_name().unwrap().to_string_lossy().to_string(),
            parsed.body_text(0).unwrap().replace("\r\n", "\n"),
        ));
    }
    all
}

const INTERPRETER: &str = "interp0@interpretes.example";

async fn the_interpreter_is_asked_once_the_appointment_is_over(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let end = appointment_end(&bank, id).await;
    bank.clock.set(end - TimeDelta::minutes(30));
    assert_eq!(bank.workflow.chase().await.unwrap().records_asked, 0, "still going on");
    bank.clock.set(end + TimeDelta::minutes(5));
    assert_eq!(bank.workflow.chase().await.unwrap().records_asked, 1);
    assert_eq!(bank.workflow.chase().await.unwrap().records_asked, 0, "once");
    let asked = queued(&bank, id).await;
    let asked = of_kind(&asked, "record_form", bank.interpreters[0]);
    assert_eq!(asked.len(), 1, "by email only: the form does not fit an SMS");

    // The mail carries the form, prefilled with the booked times.
    let out = bank.scratch_path("record");
    let settings = support::settings(&bank, &[("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string())]);
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    while outbound.deliver_due().await.unwrap() > 0 {}
    let (_, text) = sent(&out)
        .into_iter()
        .find(|(name, _)| name.ends_with("-record_form.eml"))
        .expect("the record form was sent");
    for line in [
        "Demande terminée\u{a0}: oui",
        "Heure de début effective\u{a0}: 10:00",
        "Heure de fin effective\u{a0}: 11:00",
        "Raison générale\u{a0}: [si non terminée\u{a0}: annulée ou interrompue]",
        "Distance parcourue\u{a0}: 0",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
    assert!(
        !text.contains("Patiente Confidentielle") && !text.contains("Diabète"),
        "{text}"
    );

    // The interpreter corrects the end, declares what else happened, and replies.
    let body = format!(
        "Demande terminée : oui\nHeure de début effective : 10:05\nHeure de fin effective : 11 h 20\n\
         Raison du dépassement de temps : consultation prolongée\nInterprète présent : oui\n\
         Distance parcourue : 14,5 km\nDurée du trajet : 35 min\nAppels téléphoniques : 1\nAutres frais : 6,25 $\n\n\
         Le lun. 9 mars 2026, Relais a écrit :\n> {}",
        text.lines().collect::<Vec<_>>().join("\n> ")
    );
    assert_eq!(
        reply(&bank, id, bank.interpreters[0], INTERPRETER, &body).await,
        MailOutcome::CommandApplied("record")
    );
    let r = bank.load(id).await;
    assert_eq!(r.status, RequestStatus::ServiceRendered);
    let record = stored_record(&bank, id).await.unwrap();
    assert_eq!(record.actual_start, NaiveTime::from_hms_opt(10, 5, 0));
    assert_eq!(record.actual_end, NaiveTime::from_hms_opt(11, 20, 0));
    assert_eq!(record.worked_minutes(), Some(75));
    assert_eq!(record.overtime_reason.as_deref(), Some("consultation prolongée"));
    assert_eq!(record.distance_km, Decimal::new(145, 1));
    assert_eq!(record.travel_minutes, 35);
    assert_eq!(record.phone_calls, 1);
    assert_eq!(record.other_fees, Decimal::new(625, 2));

    // The requester gets the summary, with the links to validate or contest.
    let m = queued(&bank, id).await;
    assert_eq!(of_kind(&m, "service_recorded", bank.requester).len(), 1);
    assert_eq!(of_kind(&m, "command_done", bank.interpreters[0]).len(), 1);
    while outbound.deliver_due().await.unwrap() > 0 {}
    let (_, summary) = sent(&out)
        .into_iter()
        .find(|(name, _)| name.ends_with("-service_recorded.eml"))
        .expect("the summary was sent");
    for line in [
        "Heure de fin effective\u{a0}: 11\u{a0}h\u{a0}20",
        "Durée réelle\u{a0}: 1 h 15",
        "Distance parcourue\u{a0}: 14,5 km",
        "Autres frais\u{a0}: 6,25",
        "Répondez VALIDER",
        "Valider la réalisation\u{a0}: http://127.0.0.1:8080/l/",
        "Contester la réalisation\u{a0}: http://127.0.0.1:8080/l/",
    ] {
        assert!(summary.contains(line), "{line:?} missing from:\n{summary}");
    }
    // Only what applies and is not zero: no word count outside a translation.
    assert!(!summary.contains("Mots\u{a0}:"), "{summary}");
}

async fn every_wrong_field_is_named_and_nothing_typed_is_lost(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    bank.clock.set(appointment_end(&bank, id).await + TimeDelta::hours(1));
    let outcome = reply(
        &bank,
        id,
        bank.interpreters[0],
        INTERPRETER,
        "Demande terminée : non\nInterprète présent : oui\nRaison générale : annulée\nAnnuler l'heure : 25:00\n\
         Commentaires : la secrétaire m'a prévenue sur place",
    )
    .await;
    assert_eq!(outcome, MailOutcome::FormIncomplete);
    assert_eq!(bank.load(id).await.status, RequestStatus::Booked, "nothing applied");
    assert_eq!(stored_record(&bank, id).await, None);
    let m = queued(&bank, id).await;
    let back = of_kind(&m, "record_form", bank.interpreters[0]);
    assert_eq!(back.len(), 1);
    let errors: Vec<&str> = back[0].payload["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(
        errors,
        [
            "Raison détaillée\u{a0}: à remplir",
            "Date d'annulation\u{a0}: à remplir",
            "Heure d'annulation\u{a0}: «\u{a0}25:00\u{a0}» n'est pas compris",
        ]
    );
    let values = &back[0].payload["values"];
    assert_eq!(values["general_reason"], "annulée");
    assert_eq!(values["comments"], "la secrétaire m'a prévenue sur place");
    assert_eq!(values["cancelled_at"], "25:00");

    // Corrected, it goes through: a cancelled service, interpreter there (paid: see money).
    let outcome = reply(
        &bank,
        id,
        bank.interpreters[0],
        INTERPRETER,
        "Demande terminée : non\nInterprète présent : oui\nRaison générale : annulée\n\
         Raison détaillée : usager absent\nDate d'annulation : 2026-03-09\nHeure d'annulation : 10 h 15\n\
         Durée d'attente : 15 min",
    )
    .await;
    assert_eq!(outcome, MailOutcome::CommandApplied("record"));
    let record = stored_record(&bank, id).await.unwrap();
    assert!(!record.completed && record.interpreter_present);
    assert_eq!(record.cancellation.unwrap().reason, CancellationReason::UserAbsent);
    assert_eq!(record.waiting_minutes, 15);
}

async fn only_the_assigned_interpreter_records_and_only_afterwards(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let body = "Demande terminée : oui\nHeure de début effective : 10:00\nHeure de fin effective : 11:00";
    // Before the appointment.
    assert_eq!(
        reply(&bank, id, bank.interpreters[0], INTERPRETER, body).await,
        MailOutcome::CommandRefused("too_early")
    );
    bank.clock.set(appointment_end(&bank, id).await);
    // Another interpreter, through a key of their own for this request.
    assert_eq!(
        reply(&bank, id, bank.interpreters[1], "interp1@interpretes.example", body).await,
        MailOutcome::CommandRefused("not_permitted")
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Booked);
    assert_eq!(
        reply(&bank, id, bank.interpreters[0], INTERPRETER, body).await,
        MailOutcome::CommandApplied("record")
    );
}

async fn a_contest_reaches_the_coordinators_with_the_requesters_words(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::ServiceRendered).await;
    let outcome = reply(
        &bank,
        id,
        bank.requester,
        "marie@ciusss.example",
        "Contester : l'interprète est arrivée à 10 h 30.\nElle est partie avant la fin.\n\nMarie",
    )
    .await;
    assert_eq!(outcome, MailOutcome::CommandApplied("contest"));
    let r = bank.load(id).await;
    assert_eq!(r.status, RequestStatus::ServiceRendered);
    assert!(r.service_contested_at.is_some());
    let m = queued(&bank, id).await;
    assert_eq!(of_kind(&m, "service_contested", bank.coordinator).len(), 1);

    let out = bank.scratch_path("contest");
    let settings = support::settings(&bank, &[("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string())]);
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    while outbound.deliver_due().await.unwrap() > 0 {}
    let (_, text) = sent(&out)
        .into_iter()
        .find(|(name, _)| name.ends_with("-service_contested.eml"))
        .expect("the coordinator was told");
    assert!(
        text.contains("l'interprète est arrivée à 10 h 30.\nElle est partie avant la fin."),
        "{text}"
    );
    assert!(
        text.contains("Heure de début effective\u{a0}: 10\u{a0}h\u{a0}00"),
        "the record is shown: {text}"
    );
    // The digest lists it with the requester's words.
    assert_eq!(
        reply(&bank, id, bank.coordinator, "coord@bi.example", "SOMMAIRE").await,
        MailOutcome::CommandApplied("digest")
    );
    while outbound.deliver_due().await.unwrap() > 0 {}
    let (_, digest) = sent(&out)
        .into_iter()
        .find(|(name, _)| name.ends_with("-digest.eml"))
        .expect("the digest was sent");
    assert!(
        digest.contains("«\u{a0}l'interprète est arrivée à 10 h 30. Elle est partie avant la fin. Marie\u{a0}»"),
        "{digest}"
    );

    // A contested record is not validated by time.
    bank.clock.advance(TimeDelta::hours(72));
    assert_eq!(bank.workflow.sweep().await.unwrap().validated, 0);
    // The coordinator corrects it by reply and closes the request.
    let coordinator = bank.coordinator;
    let outcome = reply(
        &bank,
        id,
        coordinator,
        "coord@bi.example",
        "Demande terminée : oui\nHeure de début effective : 10:30\nHeure de fin effective : 11:00",
    )
    .await;
    assert_eq!(outcome, MailOutcome::CommandApplied("record"));
    assert_eq!(stored_record(&bank, id).await.unwrap().worked_minutes(), Some(30));
    assert_eq!(
        reply(&bank, id, coordinator, "coord@bi.example", "FERMER").await,
        MailOutcome::CommandApplied("close")
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Closed);
}

async fn a_correction_restarts_the_requesters_48_hours(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::ServiceRendered).await;
    bank.clock.advance(TimeDelta::hours(40));
    let mut corrected = support::record();
    corrected.phone_calls = 2;
    bank.workflow
        .execute(
            bank.as_interpreter(0),
            Command::RecordService {
                request: id,
                record: corrected,
            },
        )
        .await
        .unwrap();
    let m = queued(&bank, id).await;
    assert_eq!(of_kind(&m, "service_recorded", bank.requester).len(), 2, "shown again");
    bank.clock.advance(TimeDelta::hours(10));
    assert_eq!(
        bank.workflow.sweep().await.unwrap().validated,
        0,
        "48 h from the correction"
    );
    bank.clock.advance(TimeDelta::hours(39));
    assert_eq!(bank.workflow.sweep().await.unwrap().validated, 1);
    assert_eq!(bank.load(id).await.status, RequestStatus::Validated);
    // Validated: no more corrections.
    let refused = bank
        .workflow
        .execute(
            bank.as_interpreter(0),
            Command::RecordService {
                request: id,
                record: support::record(),
            },
        )
        .await;
    assert!(matches!(refused, Err(WorkflowError::Transition(_))), "{refused:?}");
}

async fn a_cancelled_request_keeps_its_status_and_gets_the_calls_made(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let never = bank.request_in(RequestStatus::Cancelled).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    bank.workflow
        .execute(bank.as_requester(), support::cancel(id))
        .await
        .unwrap();
    bank.clock.set(appointment_end(&bank, id).await);
    let mut record = ServiceRecord {
        phone_calls: 2,
        ..support::record()
    };
    record.completed = false;
    record.interpreter_present = false;
    record.cancellation = Some(relais::domain::request::RecordedCancellation {
        general: relais::domain::request::GeneralReason::Cancelled,
        reason: CancellationReason::AppointmentRescheduled,
        date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    });
    bank.workflow
        .execute(
            bank.as_interpreter(0),
            Command::RecordService {
                request: id,
                record: record.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(bank.load(id).await.status, RequestStatus::Cancelled);
    assert_eq!(stored_record(&bank, id).await, Some(record.clone()));

    // A request nobody was ever booked for has nothing to record.
    let refused = bank
        .workflow
        .execute(bank.as_coordinator(), Command::RecordService { request: never, record })
        .await;
    assert!(matches!(refused, Err(WorkflowError::BadCommand(_))), "{refused:?}");
}

/// Posts the record form of link `token` as a browser would: the page's cookie and CSRF value,
/// `fields`, and `files` as (name, bytes).
async fn post_record(
    site: &Site,
    token: &str,
    page: &Answer,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Answer {
    let nonce = page.cookie("relais_csrf").expect("the form page sets its cookie");
    let csrf = regex::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(&page.body)
        .map(|c| c[1].to_string())
        .expect("the form carries its CSRF value");
    post_record_with(site, token, &nonce, &csrf, fields, files).await
}

async fn post_record_with(
    site: &Site,
    token: &str,
    nonce: &str,
    csrf: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Answer {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_string());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    site.send(
        site.client
            .post(format!("{}/l/{token}", site.base))
            .header("cookie", format!("relais_csrf={nonce}"))
            .multipart(form),
    )
    .await
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

async fn the_interpreter_records_on_the_web_form_with_a_receipt(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    bank.clock
        .set(appointment_end(&bank, id).await + TimeDelta::minutes(10));
    let site = Site::start(&bank).await;
    let link = token(&bank, LinkAction::Record, id, bank.interpreters[0], vec![]).await;

    // Opening shows the form, prefilled with the booked times, and changes nothing.
    let page = site.get(&format!("/l/{link}"), "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for needle in [
        r#"<html lang="fr">"#,
        r#"<label for="actual_start">Heure de début effective</label>"#,
        r#"name="actual_start" value="10:00""#,
        r#"name="actual_end" value="11:00""#,
        r#"type="file""#,
    ] {
        assert!(page.body.contains(needle), "{needle} missing from {}", page.body);
    }
    assert!(
        !page.body.contains("Patiente Confidentielle"),
        "no patient details on the page"
    );
    assert_eq!(bank.load(id).await.status, RequestStatus::Booked);

    // Without the page's CSRF value (a forged post), nothing is saved.
    let forged = post_record_with(
        &site,
        &link,
        "x".repeat(32).as_str(),
        "nope",
        &[("completed", "oui")],
        &[],
    )
    .await;
    assert_eq!(forged.status, 403);
    assert_eq!(stored_record(&bank, id).await, None);

    // Overtime without its reason, and a file that is not what it says: every problem named,
    // everything typed shown back, nothing saved.
    let fields = [
        ("completed", "oui"),
        ("interpreter_present", "oui"),
        ("actual_start", "10:00"),
        ("actual_end", "11:45"),
        ("distance", "12,5"),
        ("other_fees", "7,50"),
        ("comments", "Stationnement payé"),
    ];
    let answer = post_record(
        &site,
        &link,
        &page,
        &fields,
        &[("recu.pdf", b"MZ\x90\x00 not a pdf"), ("billet.pdf", PDF)],
    )
    .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    // The good file is held for the corrected form, listed as a ticked box.
    let kept = regex::Regex::new(r#"name="kept" value="([^"]+)" checked> billet\.pdf \(1 Ko\)"#)
        .unwrap()
        .captures(&answer.body)
        .unwrap_or_else(|| panic!("billet.pdf is not kept: {}", answer.body))[1]
        .to_string();
    assert!(
        answer.body.contains("Raison du dépassement de temps\u{a0}: à remplir"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("«\u{a0}recu.pdf\u{a0}» n'est ni un PDF"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains(r#"name="actual_end" value="11:45""#),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("Stationnement payé"), "{}", answer.body);
    assert_eq!(stored_record(&bank, id).await, None);

    // Corrected, with a real PDF: saved, the receipt kept, the requester asked to validate.
    let mut fields = fields.to_vec();
    fields.push(("overtime_reason", "Consultation prolongée"));
    let mut with_kept = fields.clone();
    with_kept.push(("kept", &kept));
    let answer = post_record(&site, &link, &page, &with_kept, &[("recu.pdf", PDF)]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains("C'est enregistré"), "{}", answer.body);
    assert_eq!(bank.load(id).await.status, RequestStatus::ServiceRendered);
    let record = stored_record(&bank, id).await.unwrap();
    assert_eq!(record.worked_minutes(), Some(105));
    assert_eq!(record.distance_km, Decimal::new(125, 1));
    assert_eq!(record.other_fees, Decimal::new(750, 2));
    let mut tx = bank.store.begin().await.unwrap();
    let files = tx.attachments_of(id, AttachmentPurpose::ServiceRecord).await.unwrap();
    tx.commit().await.unwrap();
    let mut names: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f.file_name.as_str(), f.content_type.as_str()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![("billet.pdf", "application/pdf"), ("recu.pdf", "application/pdf")],
        "the held file joined the record"
    );
    assert!(files.iter().all(|f| f.size == PDF.len() as i64));
    assert_eq!(
        of_kind(&queued(&bank, id).await, "service_recorded", bank.requester).len(),
        1
    );

    // The same link again: used, said so, nothing done twice.
    let again = post_record(&site, &link, &page, &fields, &[]).await;
    assert_eq!(again.status, 410, "{}", again.body);
    let mut tx = bank.store.begin().await.unwrap();
    assert_eq!(
        tx.attachments_of(id, AttachmentPurpose::ServiceRecord)
            .await
            .unwrap()
            .len(),
        2
    );
    tx.commit().await.unwrap();
}

/// The seeds' example end to end: a two-hour standard request, recorded and validated; the
/// interpreter's mail shows "Détails de la rémunération" with Demande 82,00 and Total 82,00.
async fn the_validated_record_tells_the_interpreter_their_remuneration(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let mut details = bank.details();
    details.duration_minutes = 120;
    let id = bank
        .workflow
        .execute(
            bank.as_requester(),
            Command::CreateRequest {
                requested_by: bank.requester,
                details,
                submit: true,
            },
        )
        .await
        .unwrap()
        .request;
    bank.workflow
        .execute(bank.as_coordinator(), support::offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    bank.workflow
        .execute(bank.as_interpreter(0), Command::AcceptOffer { request: id })
        .await
        .unwrap();
    bank.clock.set(appointment_end(&bank, id).await);
    let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    bank.workflow
        .execute(
            bank.as_interpreter(0),
            Command::RecordService {
                request: id,
                record: ServiceRecord::completed(at(10), at(12)),
            },
        )
        .await
        .unwrap();
    bank.workflow
        .execute(bank.as_requester(), Command::ValidateService { request: id })
        .await
        .unwrap();
    let out = bank.scratch_path("pay");
    let settings = support::settings(&bank, &[("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string())]);
    let outbound = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    while outbound.deliver_due().await.unwrap() > 0 {}
    let (_, text) = sent(&out)
        .into_iter()
        .find(|(name, _)| name.ends_with("-service_validated.eml"))
        .expect("the interpreter was told");
    let text = text.replace('\u{a0}', " ");
    for line in [
        "Détails de la rémunération :",
        "Taux : Standard",
        "Description de la rémunération : Heures de bureau",
        "Demande : 82,00 $",
        "Distance : 0,00 $",
        "Rémunération du temps de déplacement : 0,00 $",
        "Rappels téléphoniques : 0,00 $",
        "Frais supplémentaires : 0,00 $",
        "Total : 82,00 $",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
}

on_both_engines!(
    the_validated_record_tells_the_interpreter_their_remuneration,
    the_interpreter_records_on_the_web_form_with_a_receipt,
    the_interpreter_is_asked_once_the_appointment_is_over,
    every_wrong_field_is_named_and_nothing_typed_is_lost,
    only_the_assigned_interpreter_records_and_only_afterwards,
    a_contest_reaches_the_coordinators_with_the_requesters_words,
    a_correction_restarts_the_requesters_48_hours,
    a_cancelled_request_keeps_its_status_and_gets_the_calls_made,
);
