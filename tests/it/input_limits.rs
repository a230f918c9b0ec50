//! Bad input gets a clear error and changes nothing, on both engines: control characters in
//! one-line fields, NUL in mail and SMS, negative durations, free text past its limit (an
//! error naming the field, never a silent cut), a too long SMS, a too large mail, and
//! attachments named and served by what their bytes are.

use crate::support;

use chrono::TimeDelta;
use relais::clock::Clock;
use relais::domain::ids::{PersonId, RequestId};
use relais::domain::locale::Locale;
use relais::domain::request::RequestStatus;
use relais::inbound::pipeline::{MailOutcome, MailPipeline, PipelineConfig};
use relais::inbound::sms_pipeline::{InboundSms, SmsPipeline};
use relais::security::link::LinkAction;
use relais::store::Store;
use relais::store::attachments::{AttachmentPurpose, NewAttachment};
use support::mail::{pipeline, raw_mail, reply_address};
use support::web::{Answer, Browser, Site, token};
use support::{Engine, TestBank, offer};

on_both_engines!(
    control_characters_in_a_mail_form_save_nothing,
    a_negative_duration_is_refused_by_mail,
    free_text_past_its_limit_is_refused_not_cut,
    a_contest_past_its_limit_is_refused_not_cut,
    a_subject_that_decodes_to_nul_is_stored,
    an_sms_with_nul_is_stored,
    a_too_long_sms_is_answered_in_the_persons_language,
    the_web_request_form_refuses_line_breaks_and_saves_nothing,
    the_web_record_form_refuses_what_it_used_to_cut,
    attachments_are_named_and_served_by_their_bytes,
    a_too_large_mail_is_answered_and_not_kept_whole,
    a_contest_note_past_its_limit_is_refused_on_the_web,
    the_profile_refuses_a_name_on_two_lines,
    a_name_saved_before_the_rule_still_gets_its_mail,
);

const PASSWORD: &str = "Quatre-Lapins!Violets7";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// One scalar of a query, on either engine.
async fn scalar<T>(bank: &TestBank, sql: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite>
        + sqlx::Type<sqlx::Sqlite>
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + Send
        + Unpin,
{
    match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(pool)
            .await
            .unwrap(),
        Store::Postgres(pool, _) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

async fn request_count(bank: &TestBank) -> i64 {
    scalar(bank, "SELECT COUNT(*) FROM requests").await
}

/// The payload of the last queued message of `kind`, as JSON.
async fn last_payload(bank: &TestBank, kind: &str) -> serde_json::Value {
    let cast = match bank.store {
        Store::Sqlite(..) => "payload",
        Store::Postgres(..) => "payload::text",
    };
    let text: String = scalar(
        bank,
        &format!("SELECT {cast} FROM outbox WHERE kind = '{kind}' ORDER BY id DESC LIMIT 1"),
    )
    .await;
    serde_json::from_str(&text).unwrap()
}

fn errors_of(payload: &serde_json::Value) -> String {
    payload["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A request form by mail from the requester, with `lines` instead of the usual place and
/// patient lines.
fn form_mail(bank: &TestBank, id: &str, lines: &str) -> Vec<u8> {
    let date = bank.appointment_date().format("%Y-%m-%d");
    let body = format!(
        "Type de demande : en présentiel\nDate du service : {date}\nHeure du service : 10 h 00\n\
         Langue d'arrivée : espagnol\n{lines}\n"
    );
    raw_mail(
        id,
        "marie@ciusss.example",
        &reply_address(None, bank.requester),
        "Re: Formulaire",
        "",
        &body,
    )
}

async fn control_characters_in_a_mail_form_save_nothing(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let raw = form_mail(
        &bank,
        "nul@ciusss.example",
        "Durée : 1 h\nLieu du rendez-vous : Clinique\u{0} 3e étage\nNom de l'usager : Jean\u{1b}[31m Patient",
    );
    assert_eq!(p.process(&raw, "file").await.unwrap(), MailOutcome::FormIncomplete);
    assert_eq!(request_count(&bank).await, 0, "nothing was saved");
    let errors = errors_of(&last_payload(&bank, "request_form").await);
    assert!(
        errors.contains("Lieu\u{a0}: contient un caractère invisible non permis"),
        "{errors}"
    );
    assert!(
        errors.contains("Nom de l'usager\u{a0}: contient un caractère"),
        "{errors}"
    );
}

async fn a_negative_duration_is_refused_by_mail(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    for (n, duration) in ["-30", "-1 h", "− 90 minutes"].into_iter().enumerate() {
        let raw = form_mail(
            &bank,
            &format!("negative{n}@ciusss.example"),
            &format!("Durée : {duration}\nLieu du rendez-vous : Clinique externe"),
        );
        assert_eq!(
            p.process(&raw, "file").await.unwrap(),
            MailOutcome::FormIncomplete,
            "{duration}"
        );
        let errors = errors_of(&last_payload(&bank, "request_form").await);
        assert!(errors.contains("Durée\u{a0}: durée négative"), "{duration}: {errors}");
    }
    assert_eq!(request_count(&bank).await, 0, "not saved as its absolute value");
}

async fn free_text_past_its_limit_is_refused_not_cut(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let long = "x".repeat(2001);
    let raw = form_mail(
        &bank,
        "long@ciusss.example",
        &format!(
            "Durée : 1 h\nLieu du rendez-vous : Clinique externe\nContexte : {long}\nNom de l'usager : {}",
            "y".repeat(201)
        ),
    );
    assert_eq!(p.process(&raw, "file").await.unwrap(), MailOutcome::FormIncomplete);
    assert_eq!(request_count(&bank).await, 0);
    let errors = errors_of(&last_payload(&bank, "request_form").await);
    assert!(
        errors.contains("Contexte\u{a0}: au plus 2\u{a0}000 caractères"),
        "{errors}"
    );
    assert!(
        errors.contains("Nom de l'usager\u{a0}: au plus 200 caractères"),
        "{errors}"
    );
}

async fn a_contest_past_its_limit_is_refused_not_cut(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::ServiceRendered).await;
    let p = pipeline(&bank, None);
    let words = format!("CONTESTER\n{}", "La durée est fausse. ".repeat(120));
    let raw = raw_mail(
        "contest@ciusss.example",
        "marie@ciusss.example",
        &reply_address(Some(id), bank.requester),
        "Re: Réalisation",
        "",
        &words,
    );
    let outcome = p.process(&raw, "file").await.unwrap();
    assert!(matches!(outcome, MailOutcome::CommandRefused(_)), "{outcome:?}");
    assert_eq!(bank.load(id).await.service_contested_at, None, "not contested");
    let payload = last_payload(&bank, "command_refused").await;
    assert_eq!(payload["verb"], "contest");
    assert_eq!(payload["reason"], "text_too_long");
}

async fn a_subject_that_decodes_to_nul_is_stored(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let p = pipeline(&bank, None);
    let raw = raw_mail(
        "nul-subject@ciusss.example",
        "marie@ciusss.example",
        "relais@bi.example",
        "=?utf-8?q?a=00b?=",
        "",
        "Bonjour, il me faut un interprète.",
    );
    assert_eq!(p.process(&raw, "file").await.unwrap(), MailOutcome::FormSent);
    let mut tx = bank.store.begin().await.unwrap();
    let log = tx.recent_inbound(1).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(log[0].subject, "a\u{FFFD}b");
    let kept: Vec<u8> = scalar(&bank, "SELECT raw FROM inbound_messages").await;
    assert_eq!(kept, raw, "the raw bytes are kept as they came");
    let payload = last_payload(&bank, "request_form").await;
    assert_eq!(payload["subject"], "a\u{FFFD}b");
}

fn sms<'a>(id: &'a str, from: &'a str, text: &'a str) -> InboundSms<'a> {
    InboundSms {
        gateway: "kannel",
        gateway_id: id,
        from,
        to: "+15145550100",
        text,
    }
}

async fn an_sms_with_nul_is_stored(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let p = SmsPipeline::new(bank.workflow.clone(), "CA", "Relais");
    let answer = p.process(sms("nul-1", "+15145550110", "OUI\u{0}")).await.unwrap();
    assert_eq!(answer.outcome, "accepted", "{answer:?}");
    let body: String = scalar(&bank, "SELECT body FROM inbound_sms").await;
    assert_eq!(body, "OUI\u{FFFD}");
    let again = p.process(sms("nul-1", "+15145550110", "OUI\u{0}")).await.unwrap();
    assert_eq!(again.outcome, "duplicate (accepted)");
}

async fn set_locale(bank: &TestBank, person: PersonId, locale: Locale) {
    let mut tx = bank.store.begin().await.unwrap();
    let mut p = tx.person(person).await.unwrap();
    p.locale = locale;
    tx.update_person(&p, bank.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
}

async fn a_too_long_sms_is_answered_in_the_persons_language(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.create().await;
    bank.workflow
        .execute(
            bank.as_coordinator(),
            offer(id, vec![bank.interpreters[0], bank.interpreters[1]]),
        )
        .await
        .unwrap();
    let p = SmsPipeline::new(bank.workflow.clone(), "CA", "Relais");
    let long = format!("OUI {}", "é".repeat(200_000));
    let answer = p.process(sms("long-1", "+15145550110", &long)).await.unwrap();
    assert_eq!(answer.outcome, "too_long");
    assert!(answer.reply.contains("1\u{a0}600 caractères"), "{}", answer.reply);
    assert_eq!(bank.load(id).await.assigned_interpreter, None, "nothing applied");
    let stored: String = scalar(&bank, "SELECT body FROM inbound_sms").await;
    assert!(
        stored.chars().count() <= 1600,
        "{} characters kept",
        stored.chars().count()
    );

    set_locale(&bank, bank.interpreters[1], Locale::En).await;
    let answer = p.process(sms("long-2", "+15145550111", &long)).await.unwrap();
    assert_eq!(answer.outcome, "too_long");
    assert!(answer.reply.contains("1,600 characters"), "{}", answer.reply);
}

/// Gives `person` an account with [`PASSWORD`] and signs them in.
async fn signed_in<'a>(site: &'a Site, bank: &TestBank, person: PersonId) -> Browser<'a> {
    let now = bank.clock.now();
    let mut tx = bank.store.begin().await.unwrap();
    tx.insert_account(person, now).await.unwrap();
    let hash = relais::security::password::hash(PASSWORD).unwrap();
    tx.set_password_hash(person, &hash, now).await.unwrap();
    let email = tx.person(person).await.unwrap().email.to_string();
    tx.commit().await.unwrap();
    let mut browser = Browser::new(site);
    let answer = browser.sign_in(&email, PASSWORD).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    browser
}

fn form_csrf(page: &Answer) -> String {
    let re = regex::Regex::new(r#"name="csrf" value="([^"]+)""#).unwrap();
    re.captures(&page.body)
        .unwrap_or_else(|| panic!("no form on: {}", page.body))[1]
        .to_string()
}

async fn the_web_request_form_refuses_line_breaks_and_saves_nothing(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let site = Site::start(&bank).await;
    let mut b = signed_in(&site, &bank, bank.requester).await;
    let form = b.get("/requests/new").await;
    let csrf = form_csrf(&form);
    let date = bank.appointment_date().format("%Y-%m-%d").to_string();
    let fields = |patient: &'static str, duration: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.clone()),
            ("request_type", "en présentiel".into()),
            ("date", date.clone()),
            ("start_time", "10:00".into()),
            ("duration_minutes", duration.into()),
            ("target_language", "espagnol".into()),
            ("location", "Clinique externe".into()),
            ("patient_name", patient.into()),
        ]
    };
    let posted = fields("Jean\r\nBcc: tous@example.org", "90");
    let posted: Vec<(&str, &str)> = posted.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let wrong = b.post_multipart("/requests/new", &posted, &[]).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        wrong.body.contains("une seule ligne\u{a0}: retirez le saut de ligne"),
        "{}",
        wrong.body
    );
    assert_eq!(request_count(&bank).await, 0, "nothing was saved");

    let posted = fields("Jean Patient", "-45");
    let posted: Vec<(&str, &str)> = posted.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let negative = b.post_multipart("/requests/new", &posted, &[]).await;
    assert_eq!(negative.status, 422, "{}", negative.body);
    assert!(negative.body.contains("durée négative"), "{}", negative.body);
    assert_eq!(request_count(&bank).await, 0, "nothing was saved");
}

async fn the_web_record_form_refuses_what_it_used_to_cut(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::Booked).await;
    let end = {
        let r = bank.load(id).await;
        r.starts_at + TimeDelta::minutes(i64::from(r.details.duration_minutes))
    };
    bank.clock.set(end + TimeDelta::minutes(10));
    let site = Site::start(&bank).await;
    let link = token(&bank, LinkAction::Record, id, bank.interpreters[0], vec![]).await;
    let page = site.get(&format!("/l/{link}"), "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let nonce = page.cookie("relais_csrf").unwrap();
    let csrf = form_csrf(&page);
    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = reqwest::multipart::Form::new().text("csrf", csrf.clone());
        for (k, v) in fields {
            form = form.text(k, v);
        }
        site.send(
            site.client
                .post(format!("{}/l/{link}", site.base))
                .header("cookie", format!("relais_csrf={nonce}"))
                .multipart(form),
        )
    };
    let base = || {
        vec![
            ("completed", "oui".to_string()),
            ("interpreter_present", "oui".to_string()),
            ("actual_start", "10:00".to_string()),
            ("actual_end", "11:00".to_string()),
        ]
    };
    let mut long = base();
    long.push(("comments", "Très bien passé. ".repeat(150)));
    let answer = post(long).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("2\u{a0}000 caractères"), "{}", answer.body);
    assert_eq!(bank.load(id).await.status, RequestStatus::Booked, "nothing saved");

    let mut negative = base();
    negative.push(("waiting_time", "-30".to_string()));
    let answer = post(negative).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("négative"), "{}", answer.body);
    assert_eq!(bank.load(id).await.status, RequestStatus::Booked, "nothing saved");
}

async fn attachment_headers(b: &mut Browser<'_>, id: RequestId, file: i64) -> (String, String, Vec<u8>) {
    let (status, headers, bytes) = b.download(&format!("/requests/{}/attachments/{file}", id.0)).await;
    assert_eq!(status, 200);
    let get = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_string();
    (get("content-type"), get("content-disposition"), bytes)
}

async fn attachments_are_named_and_served_by_their_bytes(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let site = Site::start(&bank).await;
    let mut b = signed_in(&site, &bank, bank.requester).await;
    let form = b.get("/requests/new").await;
    let csrf = form_csrf(&form);
    let date = bank.appointment_date().format("%Y-%m-%d").to_string();
    let created = b
        .post_multipart(
            "/requests/new",
            &[
                ("csrf", &csrf),
                ("request_type", "en présentiel"),
                ("date", &date),
                ("start_time", "10:00"),
                ("duration_minutes", "90"),
                ("target_language", "espagnol"),
                ("location", "Clinique externe"),
            ],
            &[
                ("attachments", "page.html", PNG),
                ("attachments", "Ordonnance été.pdf", PDF),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = RequestId(1);
    let mut tx = bank.store.begin().await.unwrap();
    let files = tx.attachments_of(id, AttachmentPurpose::Request).await.unwrap();
    // A file kept from before sniffing was what it is: its bytes still decide.
    tx.insert_attachment(
        id,
        AttachmentPurpose::Request,
        &NewAttachment {
            file_name: "note\".svg".into(),
            content_type: "image/png".into(),
            content: PDF.to_vec(),
        },
        Some(bank.requester),
        bank.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(files[0].file_name, "page.png");
    assert_eq!(files[0].content_type, "image/png");
    assert_eq!(files[1].file_name, "Ordonnance été.pdf");

    let (kind, disposition, bytes) = attachment_headers(&mut b, id, files[0].id).await;
    assert_eq!((kind.as_str(), bytes.as_slice()), ("image/png", PNG));
    assert_eq!(disposition, "attachment; filename=\"page.png\"");
    let (kind, disposition, _) = attachment_headers(&mut b, id, files[1].id).await;
    assert_eq!(kind, "application/pdf");
    assert_eq!(
        disposition,
        "attachment; filename=\"Ordonnance_ete.pdf\"; filename*=UTF-8''Ordonnance%20%C3%A9t%C3%A9.pdf"
    );
    let (kind, disposition, _) = attachment_headers(&mut b, id, files[1].id + 1).await;
    assert_eq!(kind, "application/pdf");
    assert_eq!(disposition, "attachment; filename=\"note_.pdf\"");
}

async fn a_too_large_mail_is_answered_and_not_kept_whole(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let limit = 100_000;
    let p = MailPipeline::new(
        bank.workflow.clone(),
        PipelineConfig {
            max_message_bytes: limit,
            ..support::mail::config()
        },
    );
    let huge = format!(
        "Bonjour,\n\nVoici le dossier.\n\n{}",
        "Ligne de dossier numérisé. ".repeat(12_000)
    );
    let raw = raw_mail(
        "huge@ciusss.example",
        "marie@ciusss.example",
        "relais@bi.example",
        "Dossier complet",
        "",
        &huge,
    );
    assert!(raw.len() > 3 * limit);
    assert_eq!(p.process(&raw, "file").await.unwrap(), MailOutcome::TooLarge);
    assert_eq!(request_count(&bank).await, 0);
    let kept: Vec<u8> = scalar(&bank, "SELECT raw FROM inbound_messages").await;
    assert!(kept.len() < 1024, "only the headers are kept: {} bytes", kept.len());
    assert!(raw.starts_with(&kept));
    let mut tx = bank.store.begin().await.unwrap();
    let log = tx.recent_inbound(1).await.unwrap();
    let person = tx.person(bank.requester).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (log[0].outcome.as_str(), log[0].subject.as_str()),
        ("too_large", "Dossier complet")
    );
    assert!(
        log[0].detail.as_deref().unwrap_or("").contains("100000"),
        "{:?}",
        log[0].detail
    );
    let payload = last_payload(&bank, "message_too_large").await;
    assert_eq!(payload["limit"], limit);
    assert_eq!(payload["size"], raw.len());

    // The answer says it in both languages, with the limit.
    let rendered = relais::outbound::render::render_mail(&relais::outbound::render::RenderInput {
        notice: &relais::domain::notice::Notice::from_stored("message_too_large", &payload).unwrap(),
        recipient: &person,
        request: None,
        installation: "",
        briefing: &[],
        changes: &[],
        answer_by: None,
        interpreter: None,
        bank: "Banque test",
        form: "",
        note: "",
        links: &[],
        suggestions: (&[], &[]),
        secret: "",
        time_zone: chrono_tz::America::Montreal,
        series: &[],
    })
    .unwrap();
    assert_eq!(rendered.subject, "Message trop volumineux / Message too large");
    assert!(
        rendered.text.contains("la limite est de 98\u{a0}Ko"),
        "{}",
        rendered.text
    );
    assert!(rendered.text.contains("the limit is 98 KB"), "{}", rendered.text);

    // Strangers and robots are not answered, even when their mail is too large.
    let stranger = raw_mail(
        "huge2@x.example",
        "nobody@x.example",
        "relais@bi.example",
        "x",
        "",
        &huge,
    );
    assert_eq!(p.process(&stranger, "file").await.unwrap(), MailOutcome::UnknownSender);
    let queued: i64 = scalar(&bank, "SELECT COUNT(*) FROM outbox").await;
    assert_eq!(queued, 1);
}

async fn a_contest_note_past_its_limit_is_refused_on_the_web(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let id = bank.request_in(RequestStatus::ServiceRendered).await;
    let site = Site::start(&bank).await;
    let long = "La durée déclarée est fausse. ".repeat(70);
    assert!(long.chars().count() > 2000);

    // By the mail's one-click link.
    let link = token(&bank, LinkAction::Contest, id, bank.requester, vec![]).await;
    let answer = site.press(&link, &[("note", long.as_str())]).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("au plus 2\u{a0}000 caractères"), "{}", answer.body);
    assert_eq!(bank.load(id).await.service_contested_at, None, "not contested");

    // By the request page's button.
    let mut b = signed_in(&site, &bank, bank.requester).await;
    let page = b.get(&format!("/requests/{}", id.0)).await;
    let csrf = form_csrf(&page);
    let path = format!("/requests/{}/act", id.0);
    let answer = b
        .post(&path, &[("csrf", &csrf), ("action", "contest"), ("note", &long)])
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("Ce qui ne va pas\u{a0}: au plus 2\u{a0}000 caractères"),
        "{}",
        answer.body
    );
    assert_eq!(bank.load(id).await.service_contested_at, None, "not contested");
    let short = b
        .post(
            &path,
            &[("csrf", &csrf), ("action", "contest"), ("note", "La durée est fausse.")],
        )
        .await;
    assert_eq!(short.status, 303, "{}", short.body);
    assert!(bank.load(id).await.service_contested_at.is_some(), "contested");
}

async fn the_profile_refuses_a_name_on_two_lines(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let site = Site::start(&bank).await;
    let mut b = signed_in(&site, &bank, bank.requester).await;
    let page = b.get("/profile").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = form_csrf(&page);
    let answer = b
        .post(
            "/profile",
            &[
                ("csrf", &csrf),
                ("first_name", "Marie\r\nBcc: tous@example.org"),
                ("last_name", "Tremblay"),
                ("phone", "514 555-0100\u{0}"),
                ("notify", "email"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("Une seule ligne\u{a0}: retirez le saut de ligne."),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("caractère invisible non permis"),
        "{}",
        answer.body
    );
    let mut tx = bank.store.begin().await.unwrap();
    let person = tx.person(bank.requester).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(person.first_name, "Marie", "nothing was saved");
}

/// A name saved with a line break before the rule (or by hand) must not keep every mail to
/// that person in the outbox.
async fn a_name_saved_before_the_rule_still_gets_its_mail(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let mut tx = bank.store.begin().await.unwrap();
    let mut p = tx.person(bank.requester).await.unwrap();
    p.first_name = "Marie\r\nBcc: tous@example.org".into();
    tx.update_person(&p, bank.clock.now()).await.unwrap();
    let message = relais::store::outbox::NewOutboxMessage {
        channel: relais::store::outbox::OutboxChannel::Email,
        recipient: bank.requester,
        request: None,
        notice: relais::domain::notice::Notice::Help {
            reason: "asked".into(),
            answering: relais::domain::notice::Answering {
                in_reply_to: Some("a\r\nBcc: x@example.org".into()),
                subject: None,
            },
        },
    };
    tx.enqueue(&message, bank.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
    let out = bank.scratch_path("sent");
    let settings = support::settings(&bank, &[("RELAIS__MAIL__OUTBOX_FOLDER", out.display().to_string())]);
    let worker = relais::outbound::worker::Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    assert_eq!(worker.deliver_due().await.unwrap(), 1);
    let mut tx = bank.store.begin().await.unwrap();
    let counts = tx.count_outbox().await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        counts,
        [(relais::store::outbox::OutboxChannel::Email, "sent".to_string(), 1)],
        "the mail left"
    );
    let file = std::fs::read_dir(&out).unwrap().next().unwrap().unwrap().path();
    let raw = std::fs::read_to_string(file).unwrap();
    let headers = raw.split("\r\n\r\n").next().unwrap();
    assert!(
        !headers.lines().any(|l| l.starts_with("Bcc:")),
        "no header was injected: {headers}"
    );
    let parsed = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
    let to = parsed.to().and_then(|a| a.first()).unwrap();
    assert_eq!(to.address(), Some("marie@ciusss.example"));
    assert_eq!(
        parsed.in_reply_to().as_text(),
        None,
        "a Message-ID no header holds is left out"
    );
}
