//! The request form over the real channels, on both engines: every field of the seeds set
//! by a form mail (through the mail pipeline) and by the web form (through the HTTP
//! handler), stored, shown on the request page to the requester and the coordinator, sent
//! back in the form for correction and carried to the export's billing column; phones with
//! their extension; `ANNULER motif`; a request like an open one flagged before it is saved;
//! and drafts, on the web and by mail (« Brouillon : oui », then sent by a reply or `ENVOYER`).

use crate::support;

use relais::domain::ids::{PersonId, RequestId};
use relais::domain::request::{CancellationReason, InterpreterType, RequestStatus};
use relais::inbound::pipeline::MailOutcome;
use relais::reports::ExportFilter;
use relais::store::Store;
use support::mail::{pipeline, raw_mail, reply_address};
use support::web::{Answer, Browser, World};
use support::{Engine, TestBank};

const DRAFT_BUTTON: &str = r#"<button type="submit" name="brouillon" value="oui">"#;

on_both_engines!(
    a_form_mail_sets_every_field_and_the_pages_show_them,
    the_web_form_sets_every_field_and_asks_before_a_duplicate,
    a_mail_cancellation_names_its_reason_and_a_duplicate_mail_asks_first,
    a_web_form_saved_as_draft_is_sent_later,
    a_form_mail_marked_draft_is_saved_then_sent_by_a_reply,
    a_draft_is_sent_by_envoyer_by_its_requester_only,
    the_new_form_starts_from_what_relais_knows_and_suggests_the_rest,
    an_html_reply_with_the_form_in_a_table_books_what_it_says,
    a_language_asked_in_a_region_keeps_it_and_goes_to_its_speakers,
    the_form_mail_quoted_in_html_and_typed_into_books_what_it_says,
);

const REQUESTER: &str = "marie@ciusss.example";

/// The form lines of a video request on 9 March at 10:00, French → Spanish.
const BASE_FORM: &str = "Type de demande : vidéo\n\
Date du service : 2026-03-09\n\
Heure du service : 10 h 00\n\
Durée : 1 h 30\n\
Langue d'arrivée : espagnol\n";

async fn billing_code(bank: &TestBank) {
    let mut tx = bank.store.begin().await.unwrap();
    tx.insert_billing_code(bank.establishment, "SET-042", "Consultations externes")
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The page's text with the entities the templates write turned back into characters.
fn unescape(body: &str) -> String {
    support::web::unescape(body)
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
}

/// The request a mail created, by the number it was given.
async fn created(bank: &TestBank, number: &str) -> RequestId {
    let mut tx = bank.store.begin_read().await.unwrap();
    let id = tx
        .request_id_by_number(&relais::domain::request::RequestNumber::parse(number).unwrap())
        .await
        .unwrap()
        .expect("the request");
    tx.commit().await.unwrap();
    id
}

fn mail(bank: &TestBank, id: &str, body: &str) -> Vec<u8> {
    raw_mail(
        id,
        REQUESTER,
        &reply_address(None, bank.requester),
        "Re: Formulaire",
        "",
        body,
    )
}

async fn post_form(b: &mut Browser<'_>, fields: &[(String, String)]) -> Answer {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post_multipart("/requests/new", &borrowed, &[]).await
}

async fn a_form_mail_sets_every_field_and_the_pages_show_them(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    billing_code(bank).await;
    let p = pipeline(bank, None);
    let interpreter = world.user_code(bank.interpreters[0]).await;

    // The seeds' submit rule: a type of interpreter needs the interpreter to prioritise.
    let typed_alone = format!("{BASE_FORM}Type d'interprète : BI du RSSS\n");
    let outcome = p
        .process(&mail(bank, "type-alone@ciusss.example", &typed_alone), "file")
        .await;
    assert_eq!(outcome.unwrap(), MailOutcome::FormIncomplete);
    let back = world.next_mail(REQUESTER, "request_form").await;
    assert!(
        back.contains("Type d'interprète\u{a0}: est choisi sans interprète à prioriser")
            || back.contains("Type d'interprète\u{a0}: est choisi sans interprète à prioriser"),
        "{back}"
    );
    assert!(
        back.contains("Type d'interprète\u{a0}: BI du RSSS"),
        "the choice as written: {back}"
    );
    assert!(!back.contains("bank"), "no internal key: {back}");

    let body = format!(
        "Bonjour,\n\n{BASE_FORM}\
Date alternative : 2026-03-11\n\
Personne qui reçoit l'interprète : Julie Roy\n\
Téléphone de la personne qui reçoit : 514 555-0111 p. 42\n\
Téléphone du professionnel : 514 555-0100, poste 123\n\
Type d'interprète : Interprète de la Banque (BI du RSSS)\n\
Interprète à prioriser : {interpreter}\n\
Précisions sur l'usager : Malentendant, accompagné de sa fille\n\
Code de facturation : set-042\n\
Lien vidéo : https://teams.example/l/abc\n\
Code secret ou mot de passe : 482913\n\
Demande supplémentaire : oui\n\nMerci\nMarie"
    );
    let outcome = p
        .process(&mail(bank, "every-field@ciusss.example", &body), "file")
        .await
        .unwrap();
    let MailOutcome::RequestCreated(number) = outcome else {
        panic!("{outcome:?}")
    };
    let id = {
        let mut tx = bank.store.begin().await.unwrap();
        let number = relais::domain::request::RequestNumber::parse(&number).unwrap();
        let id = tx.request_id_by_number(&number).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        id
    };
    let d = bank.load(id).await.details;
    assert_eq!(d.alternative_date, chrono::NaiveDate::from_ymd_opt(2026, 3, 11));
    assert_eq!(d.on_site.name.as_deref(), Some("Julie Roy"));
    let on_site = d.on_site.phone.as_ref().unwrap();
    assert_eq!(
        (on_site.e164().as_str(), on_site.extension()),
        ("+15145550111", Some("42"))
    );
    let professional = d.professional.phone.as_ref().unwrap();
    assert_eq!(
        (professional.e164().as_str(), professional.extension()),
        ("+15145550100", Some("123")),
        "the form's own example is read, the SMS number stays E.164"
    );
    assert_eq!(d.interpreter_type, Some(InterpreterType::Bank));
    assert_eq!(d.preferred_interpreter, Some(bank.interpreters[0]));
    assert_eq!(
        d.patient.details.as_deref(),
        Some("Malentendant, accompagné de sa fille")
    );
    assert!(d.billing_code_id.is_some());
    assert_eq!(d.video.passcode.as_deref(), Some("482913"));
    assert!(d.supplementary);

    // The billing code reaches the export's column.
    let mut tx = bank.store.begin().await.unwrap();
    let rows = tx.export_rows(&ExportFilter::default()).await.unwrap();
    tx.commit().await.unwrap();
    let row = rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.billing_code.as_deref(), Some("SET-042"));

    // Shown back to the requester, in the form to change it, and to the coordinator.
    for person in [bank.requester, bank.coordinator] {
        let mut b = world.signed_in(person).await;
        let page = b.get(&format!("/requests/{}", id.0)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let text = unescape(&page.body);
        for shown in [
            "514\u{a0}555-0100, poste\u{a0}123",
            "Julie Roy",
            "514\u{a0}555-0111, poste\u{a0}42",
            "Interprète de la Banque (BI du RSSS)",
            "Précisions sur l'usager",
            "Malentendant, accompagné de sa fille",
            "SET-042 — Consultations externes",
            "482913",
            "Demande supplémentaire",
            "11 mars",
        ] {
            assert!(text.contains(shown), "{shown:?} on the page of {person:?}: {text}");
        }
        let edit = b.get(&format!("/requests/{}/edit", id.0)).await;
        let text = unescape(&edit.body);
        for prefilled in [
            "value=\"SET-042\"",
            "value=\"482913\"",
            "value=\"2026-03-11\"",
            "value=\"Julie Roy\"",
            "value=\"514\u{a0}555-0100, poste\u{a0}123\"",
            "Malentendant, accompagné de sa fille</textarea>",
        ] {
            assert!(text.contains(prefilled), "{prefilled:?} in the form: {text}");
        }
    }
}

async fn the_web_form_sets_every_field_and_asks_before_a_duplicate(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    billing_code(bank).await;
    let mut b = world.signed_in(bank.requester).await;
    let form = b.get("/requests/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    for label in [
        "Code de facturation",
        "Date alternative",
        "Code secret ou mot de passe",
        "Précisions sur l'usager",
        "Type d'interprète",
        "Fournisseur externe",
        "Demande supplémentaire",
    ] {
        assert!(unescape(&form.body).contains(label), "{label}: {}", form.body);
    }
    let csrf = regex::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(&form.body)
        .unwrap()[1]
        .to_string();
    let date = bank.appointment_date().format("%Y-%m-%d").to_string();
    let alternative = (bank.appointment_date() + chrono::Days::new(2))
        .format("%Y-%m-%d")
        .to_string();
    let interpreter = world.user_code(bank.interpreters[1]).await;
    let fields = |extra: &[(&'static str, &str)]| -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = [
            ("csrf", csrf.as_str()),
            ("request_type", "en présentiel"),
            ("date", date.as_str()),
            ("alternative_date", alternative.as_str()),
            ("start_time", "10:00"),
            ("duration_minutes", "60"),
            ("target_language", "espagnol"),
            ("location", "Clinique externe, 3e étage"),
            ("on_site_name", "Luc Caron"),
            ("on_site_phone", "514-555-0122 ext. 7"),
            ("professional_phone", "(514) 555-0100 x123"),
            ("interpreter_type", "Fournisseur externe"),
            ("preferred_interpreter", interpreter.as_str()),
            ("billing_code", "SET-042"),
            ("video_passcode", ""),
            ("patient_details", "Arrive en fauteuil roulant"),
            ("supplementary", "oui"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        all.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all
    };
    // The seeds' submit rule on the web too: a type of interpreter needs one to prioritise.
    let mut typed_alone = fields(&[]);
    typed_alone.retain(|(k, _)| k != "preferred_interpreter");
    let refused = post_form(&mut b, &typed_alone).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let text = unescape(&refused.body);
    assert!(text.contains("est choisi sans interprète à prioriser"), "{text}");
    assert!(
        regex::Regex::new(r#"id="interpreter_type"[^>]*aria-invalid="true""#)
            .unwrap()
            .is_match(&refused.body),
        "the problem is beside its field: {}",
        refused.body
    );
    let created = post_form(&mut b, &fields(&[])).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = relais::domain::ids::RequestId(
        support::web::location(&created)
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap(),
    );
    let request = bank.load(id).await;
    let d = &request.details;
    assert_eq!(d.on_site.name.as_deref(), Some("Luc Caron"));
    assert_eq!(d.on_site.phone.as_ref().and_then(|p| p.extension()), Some("7"));
    assert_eq!(
        d.professional.phone.as_ref().map(|p| p.to_stored()).as_deref(),
        Some("+15145550100;ext=123")
    );
    assert_eq!(d.interpreter_type, Some(InterpreterType::ExternalProvider));
    assert_eq!(d.patient.details.as_deref(), Some("Arrive en fauteuil roulant"));
    assert!(d.billing_code_id.is_some() && d.supplementary && d.alternative_date.is_some());
    let number = request.number.unwrap().to_string();

    // The same appointment again: flagged, nothing saved, sent only when confirmed.
    let again = post_form(&mut b, &fields(&[])).await;
    assert_eq!(again.status, 422, "{}", again.body);
    let text = unescape(&again.body);
    assert!(
        text.contains(&format!("Une demande semblable existe déjà\u{a0}: {number}")),
        "{text}"
    );
    assert!(again.body.contains("name=\"send_anyway\""), "{}", again.body);
    assert!(again.body.contains("value=\"Luc Caron\""), "the values stay");
    let insisted = post_form(&mut b, &fields(&[("send_anyway", "oui")])).await;
    assert_eq!(insisted.status, 303, "{}", insisted.body);

    // Cleared on the web form: the fields the form sends empty.
    let edit = b.get(&format!("/requests/{}/edit", id.0)).await;
    assert!(
        unescape(&edit.body).contains("value=\"514\u{a0}555-0122, poste\u{a0}7\""),
        "{}",
        edit.body
    );
}

async fn a_mail_cancellation_names_its_reason_and_a_duplicate_mail_asks_first(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let p = pipeline(bank, None);
    for (words, reason, detail) in [
        (
            "ANNULER rendez-vous reporté",
            CancellationReason::AppointmentRescheduled,
            None,
        ),
        (
            "CANCEL the family moved away",
            CancellationReason::Other,
            Some("the family moved away"),
        ),
        (
            "Annuler\u{a0}: doublon de HC-1",
            CancellationReason::EntryError,
            Some("doublon de HC-1"),
        ),
    ] {
        let id = bank.request_in(RequestStatus::Offered).await;
        let raw = raw_mail(
            &format!("cancel-{}@ciusss.example", id.0),
            REQUESTER,
            &reply_address(Some(id), bank.requester),
            "Re: Demande",
            "",
            &format!("{words}\n\nMarie"),
        );
        assert_eq!(
            p.process(&raw, "imap").await.unwrap(),
            MailOutcome::CommandApplied("cancel"),
            "{words}"
        );
        let c = bank.load(id).await.cancellation.unwrap();
        assert_eq!((c.reason, c.detail.as_deref()), (reason, detail), "{words}");
    }

    // The same form twice: the second asks first, a third with « oui » is saved.
    let first = p
        .process(&mail(bank, "dup-1@ciusss.example", BASE_FORM), "file")
        .await
        .unwrap();
    let MailOutcome::RequestCreated(number) = first else {
        panic!("{first:?}")
    };
    let second = p
        .process(&mail(bank, "dup-2@ciusss.example", BASE_FORM), "file")
        .await
        .unwrap();
    assert_eq!(second, MailOutcome::SimilarRequest(number.clone()));
    let back = world.next_mail(REQUESTER, "request_form").await;
    assert!(
        back.contains(&format!("Une demande semblable existe déjà\u{a0}: {number}")),
        "{back}"
    );
    assert!(back.contains("Envoyer quand même\u{a0}: non"), "{back}");
    let insisted = format!("{BASE_FORM}Envoyer quand même : oui\n");
    let third = p
        .process(&mail(bank, "dup-3@ciusss.example", &insisted), "file")
        .await
        .unwrap();
    assert!(
        matches!(third, MailOutcome::RequestCreated(ref n) if *n != number),
        "{third:?}"
    );
}

async fn a_web_form_saved_as_draft_is_sent_later(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let mut b = world.signed_in(bank.requester).await;
    let form = b.get("/requests/new").await;
    assert!(form.body.contains(DRAFT_BUTTON), "{}", form.body);
    assert!(form.body.contains("Enregistrer comme brouillon"));
    let csrf = regex::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(&form.body)
        .unwrap()[1]
        .to_string();
    let date = bank.appointment_date().format("%Y-%m-%d").to_string();
    let fields = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
        [
            ("csrf", csrf.as_str()),
            ("request_type", "service professionnel"),
            ("date", date.as_str()),
            ("start_time", "14:00"),
            ("duration_minutes", "45"),
            ("target_language", "espagnol"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let saved = post_form(&mut b, &fields(&[("brouillon", "oui")])).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let path = support::web::location(&saved).to_string();
    let id = relais::domain::ids::RequestId(path.rsplit('/').next().unwrap().parse().unwrap());
    let draft = bank.load(id).await;
    assert_eq!((draft.status, draft.number.is_none()), (RequestStatus::Draft, true));
    assert_eq!(
        draft.details.request_type,
        relais::domain::request::RequestType::ProfessionalService,
        "the seeds' « Service professionnel », timed like an appointment"
    );
    let page = b.get(&path).await;
    assert!(page.body.contains("Brouillon"), "{}", page.body);
    let mine = b.get("/requests").await;
    assert!(
        mine.body.contains(&path),
        "the requester lists their draft: {}",
        mine.body
    );

    // Changed and kept as a draft, then sent: « Brouillon » → « Nouveau », with a number.
    let edit = b.get(&format!("{path}/edit")).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(edit.body.contains(DRAFT_BUTTON) && edit.body.contains("Envoyer la demande"));
    let kept = b
        .post_multipart(
            &format!("{path}/edit"),
            &fields(&[("duration_minutes", "60"), ("brouillon", "oui")])
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
            &[],
        )
        .await;
    assert_eq!(kept.status, 303, "{}", kept.body);
    assert_eq!(bank.load(id).await.status, RequestStatus::Draft);
    let sent = b
        .post_multipart(
            &format!("{path}/edit"),
            &fields(&[])
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
            &[],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::New);
    assert!(request.number.is_some());
    let edit = b.get(&format!("{path}/edit")).await;
    assert!(!edit.body.contains(DRAFT_BUTTON), "a sent request has no draft button");
}

/// Every notification queued about `request`, as (recipient, kind), in order.
async fn queued(bank: &TestBank, request: RequestId) -> Vec<(PersonId, String)> {
    const SQL: &str = "SELECT recipient_id, kind FROM outbox WHERE request_id = $1 ORDER BY id";
    let rows: Vec<(i64, String)> = match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query_as(SQL).bind(request.0).fetch_all(pool).await.unwrap(),
        Store::Postgres(pool, _) => sqlx::query_as(SQL).bind(request.0).fetch_all(pool).await.unwrap(),
    };
    rows.into_iter().map(|(p, k)| (PersonId(p), k)).collect()
}

/// A reply to a mail about `id`, with its reply key: the requester acting on that request.
fn reply(bank: &TestBank, id: RequestId, message_id: &str, body: &str) -> Vec<u8> {
    raw_mail(
        message_id,
        REQUESTER,
        &reply_address(Some(id), bank.requester),
        &format!("Re: [brouillon {}] Demande enregistrée comme brouillon", id.0),
        "",
        body,
    )
}

async fn a_form_mail_marked_draft_is_saved_then_sent_by_a_reply(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let p = pipeline(bank, None);
    let digest_before = support::digest_text(bank).await;

    // « Brouillon : oui »: saved, not sent.
    let marked = format!("Bonjour,\n\n{BASE_FORM}Brouillon : oui\n\nMarie");
    let outcome = p
        .process(&mail(bank, "draft-1@ciusss.example", &marked), "file")
        .await
        .unwrap();
    let MailOutcome::DraftSaved(label) = outcome else {
        panic!("{outcome:?}")
    };
    let id = RequestId(label.strip_prefix("brouillon ").unwrap().parse().unwrap());
    let draft = bank.load(id).await;
    assert_eq!((draft.status, draft.number.is_none()), (RequestStatus::Draft, true));
    assert_eq!(draft.details.duration_minutes, 90);
    // Nobody else hears of it: not in the coordinators' digest, offered to no one.
    assert_eq!(support::digest_text(bank).await, digest_before);
    assert_eq!(queued(bank, id).await, [(bank.requester, "draft_saved".to_string())]);
    let mut tx = bank.store.begin().await.unwrap();
    assert!(tx.offers_of_request(id).await.unwrap().is_empty());
    tx.commit().await.unwrap();
    // The requester gets it back as a draft, with the form to complete and how to send it.
    let ack = world.next_mail(REQUESTER, "draft_saved").await;
    assert!(
        ack.contains("Votre demande est enregistrée comme brouillon\u{a0}: elle n'est pas encore envoyée"),
        "{ack}"
    );
    assert!(ack.contains("répondez ENVOYER"), "{ack}");
    assert!(ack.contains("«\u{a0}Brouillon\u{a0}: oui\u{a0}»"), "{ack}");
    for line in [
        "Type de demande\u{a0}: Par vidéoconférence",
        "Date du service\u{a0}: 2026-03-09",
        "Heure de début\u{a0}: 10:00",
        "Durée\u{a0}: 90",
        "Langue d'arrivée\u{a0}: Espagnol",
        "Installation\u{a0}: ",
        "Brouillon\u{a0}: oui",
    ] {
        assert!(ack.contains(line), "{line}: {ack}");
    }
    assert!(!ack.contains("video"), "no internal key: {ack}");

    // Changed, and still a draft: the reply acts on it through its key.
    let kept = reply(bank, id, "draft-2@ciusss.example", "Durée : 2 h\nBrouillon : oui\n");
    assert_eq!(
        p.process(&kept, "file").await.unwrap(),
        MailOutcome::DraftSaved(label.clone())
    );
    let draft = bank.load(id).await;
    assert_eq!(
        (draft.status, draft.details.duration_minutes),
        (RequestStatus::Draft, 120)
    );
    let ack = world.next_mail(REQUESTER, "draft_saved").await;
    assert!(ack.contains("Durée\u{a0}: 120"), "the draft as it is now: {ack}");

    // The form's lines without the mark send it: « Brouillon » → « Nouveau », acknowledged.
    let sent = reply(bank, id, "draft-3@ciusss.example", "Heure du service : 11 h\n\nMarie");
    let outcome = p.process(&sent, "file").await.unwrap();
    let MailOutcome::DraftSent(number) = outcome else {
        panic!("{outcome:?}")
    };
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::New);
    assert_eq!(request.number.as_ref().map(|n| n.as_str()), Some(number.as_str()));
    assert_eq!(request.details.start_time.to_string(), "11:00:00");
    assert_eq!(request.details.duration_minutes, 120, "what the draft held stays");
    let received = world.next_mail(REQUESTER, "request_received").await;
    assert!(received.contains(&number), "{received}");
    assert!(
        support::digest_text(bank).await.contains(&number),
        "the coordinators see it now"
    );

    // Sent, it is no draft any more: « Brouillon : oui » changes nothing, and says why.
    let late = reply(bank, id, "draft-4@ciusss.example", "Durée : 30\nBrouillon : oui\n");
    assert_eq!(
        p.process(&late, "file").await.unwrap(),
        MailOutcome::CommandRefused("already_sent")
    );
    assert_eq!(bank.load(id).await.details.duration_minutes, 120);
    let refused = world.next_mail(REQUESTER, "command_refused").await;
    assert!(refused.contains("déjà envoyée"), "{refused}");

    // A draft needs what any request needs, as on the web: an incomplete one comes back.
    let partial = mail(bank, "draft-5@ciusss.example", "Durée : 1 h\nBrouillon : oui\n");
    assert_eq!(p.process(&partial, "file").await.unwrap(), MailOutcome::FormIncomplete);
    let back = world.next_mail(REQUESTER, "request_form").await;
    assert!(
        back.contains("Brouillon\u{a0}: oui"),
        "what was written is kept: {back}"
    );
}

async fn a_draft_is_sent_by_envoyer_by_its_requester_only(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let p = pipeline(bank, None);
    // An open request, and a draft just like it.
    let open = bank.create().await;
    let open_number = bank.load(open).await.label();
    world.next_mail(REQUESTER, "request_received").await;
    let id = bank.request_in(RequestStatus::Draft).await;

    // From: says the requester, but nothing ties the mail to her (no reply key, no
    // authenticated domain): nothing is sent until she confirms it herself.
    let forged = |message_id: &str, body: &str| {
        raw_mail(
            message_id,
            REQUESTER,
            "relais@bi.example",
            "Re: brouillon",
            &format!("References: <relais.r{}@bi.example>\r\n", id.0),
            body,
        )
    };
    for (n, body) in ["ENVOYER QUAND MÊME", "Brouillon : non\nEnvoyer quand même : oui"]
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            p.process(&forged(&format!("forged-{n}@elsewhere.example"), body), "imap")
                .await
                .unwrap(),
            MailOutcome::AwaitingConfirmation,
            "{body}"
        );
    }
    // A colleague who got hold of her reply key is not her.
    let colleague = {
        let mut tx = bank.store.begin().await.unwrap();
        let email = tx.person(bank.colleague).await.unwrap().email.to_string();
        tx.commit().await.unwrap();
        email
    };
    let borrowed = raw_mail(
        "borrowed@ciusss.example",
        &colleague,
        &reply_address(Some(id), bank.requester),
        "Re: brouillon",
        "",
        "ENVOYER QUAND MÊME",
    );
    assert_eq!(p.process(&borrowed, "imap").await.unwrap(), MailOutcome::SenderMismatch);
    assert_eq!(bank.load(id).await.status, RequestStatus::Draft, "still a draft");

    // Her « ENVOYER »: the draft is like her open request, so it stays a draft and she is told.
    let outcome = p
        .process(&reply(bank, id, "send-1@ciusss.example", "ENVOYER"), "imap")
        .await
        .unwrap();
    assert_eq!(outcome, MailOutcome::SimilarRequest(open_number.clone()));
    assert_eq!(bank.load(id).await.status, RequestStatus::Draft);
    let told = world.next_mail(REQUESTER, "draft_saved").await;
    assert!(told.contains("Votre brouillon n'est pas encore envoyé"), "{told}");
    assert!(
        told.contains(&format!("Une demande semblable existe déjà\u{a0}: {open_number}")),
        "{told}"
    );
    assert!(told.contains("ENVOYER QUAND MÊME"), "{told}");

    // The draft's form as the mail prints it, copied back whole with « Brouillon : oui »,
    // reads back as the same draft: nothing changes.
    let before = bank.load(id).await;
    let lines: Vec<&str> = told
        .lines()
        .skip_while(|l| !l.starts_with("Type de demande\u{a0}:"))
        .collect();
    let end = lines.iter().position(|l| *l == "Brouillon\u{a0}: oui").unwrap() + 1;
    let copied = lines[..end].join("\n");
    assert!(copied.contains("Téléphone du professionnel\u{a0}: 514"), "{copied}");
    assert_eq!(
        p.process(&reply(bank, id, "copied@ciusss.example", &copied), "imap")
            .await
            .unwrap(),
        MailOutcome::DraftSaved(before.label())
    );
    assert_eq!(bank.load(id).await, before, "the same draft, not even a new version");
    world.next_mail(REQUESTER, "draft_saved").await;

    // « ENVOYER QUAND MÊME »: sent, with its number and the usual acknowledgement.
    let outcome = p
        .process(
            &reply(bank, id, "send-2@ciusss.example", "Envoyer quand même\n\nMarie"),
            "imap",
        )
        .await
        .unwrap();
    assert_eq!(outcome, MailOutcome::CommandApplied("send"));
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::New);
    let number = request.number.unwrap().as_str().to_string();
    assert_ne!(number, open_number);
    let received = world.next_mail(REQUESTER, "request_received").await;
    assert!(received.contains(&number), "{received}");
    // Sending it again says it is sent already.
    assert_eq!(
        p.process(&reply(bank, id, "send-3@ciusss.example", "ENVOYER"), "imap")
            .await
            .unwrap(),
        MailOutcome::CommandRefused("already_sent")
    );
}

/// Nobody retypes what Relais knows: the professional is the requester, the place is their
/// only installation with its address, the cost centre a list with theirs selected; the
/// languages and the usual durations are suggested as one types, without JavaScript, and
/// the duration field takes « 1 h 30 » (no digits-only keypad). Sent as shown, the form
/// books what it showed.
async fn the_new_form_starts_from_what_relais_knows_and_suggests_the_rest(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let mut tx = bank.store.begin().await.unwrap();
    let own = tx
        .insert_cost_centre(bank.establishment, "7301110", "Services multidisciplinaires")
        .await
        .unwrap();
    tx.insert_cost_centre(bank.establishment, "7301120", "Pédiatrie")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    bank.workflow
        .set_cost_centre(bank.as_requester(), bank.requester, Some(own.id))
        .await
        .unwrap();

    let mut b = world.signed_in(bank.requester).await;
    let form = b.get("/requests/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let html = unescape(&form.body);
    for shown in [
        r#"id="professional_name" name="professional_name" value="Marie Tremblay""#,
        r#"id="professional_email" name="professional_email" value="marie@ciusss.example""#,
        r#"id="address" name="address" value="1560, rue Sherbrooke Est""#,
        r#"<option value="7301110" selected>7301110 — Services multidisciplinaires</option>"#,
        r#"<option value="7301120">7301120 — Pédiatrie</option>"#,
        r#"list="languages""#,
        r#"<option value="Espagnol">"#,
        r#"<datalist id="durations">"#,
        r#"<option value="1 h 30">"#,
    ] {
        assert!(html.contains(shown), "{shown} in the form: {html}");
    }
    let duration = regex::Regex::new(r#"<input [^>]*name="duration_minutes"[^>]*>"#)
        .unwrap()
        .find(&html)
        .expect("the duration field")
        .as_str()
        .to_string();
    assert!(!duration.contains("numeric"), "a keypad without letters: {duration}");
    assert!(duration.contains(r#"list="durations""#), "{duration}");
    support::web::accessible(&form);

    // Sent with what it showed, a date, a time, « 1 h 30 » and a language picked.
    let csrf = regex::Regex::new(r#"name="csrf" value="([^"]+)""#)
        .unwrap()
        .captures(&form.body)
        .unwrap()[1]
        .to_string();
    let date = bank.appointment_date().format("%Y-%m-%d").to_string();
    let fields: Vec<(String, String)> = [
        ("csrf", csrf.as_str()),
        ("request_type", "en présentiel"),
        ("date", date.as_str()),
        ("start_time", "10:00"),
        ("duration_minutes", "1 h 30"),
        ("source_language", "Français"),
        ("target_language", "Espagnol"),
        ("installation", "Hôpital Notre-Dame"),
        ("location", "Clinique externe, 3e étage"),
        ("address", "1560, rue Sherbrooke Est"),
        ("cost_centre", "7301110"),
        ("professional_name", "Marie Tremblay"),
        ("professional_email", "marie@ciusss.example"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let sent = post_form(&mut b, &fields).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let id = RequestId(
        support::web::location(&sent)
            .strip_prefix("/requests/")
            .unwrap()
            .parse()
            .unwrap(),
    );
    let details = bank.load(id).await.details;
    assert_eq!(details.duration_minutes, 90);
    assert_eq!(details.cost_centre_id, Some(own.id));
    assert_eq!(details.professional.name.as_deref(), Some("Marie Tremblay"));
    assert_eq!(
        details.professional.email.map(|e| e.to_string()).as_deref(),
        Some("marie@ciusss.example")
    );
}

/// Outlook, replying in HTML, may carry the form as a two-column table: each row reads as
/// « label : value », so the request is booked as written, not refused as empty.
async fn an_html_reply_with_the_form_in_a_table_books_what_it_says(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let p = pipeline(bank, None);
    let rows: String = support::mail::FILLED_FORM
        .lines()
        .filter_map(|line| line.split_once(" : "))
        .map(|(label, value)| format!("<tr><td style=\"padding:2px\"><b>{label}</b></td><td>{value}</td></tr>\r\n"))
        .collect();
    let html = format!(
        "<html><body><div>Bonjour,</div><table border=\"1\">\r\n{rows}</table><div>Merci<br>Marie</div></body></html>"
    );
    let raw = format!(
        "Message-ID: <html-table@ciusss.example>\r\nDate: Mon, 2 Mar 2026 09:30:00 -0500\r\nFrom: {REQUESTER}\r\nTo: {}\r\n\
         Subject: Re: Formulaire\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{html}",
        reply_address(None, bank.requester)
    );
    let outcome = p.process(raw.as_bytes(), "file").await.unwrap();
    let MailOutcome::RequestCreated(number) = outcome else {
        panic!("{outcome:?}");
    };
    let id = created(bank, &number).await;
    let details = bank.load(id).await.details;
    assert_eq!(details.duration_minutes, 90);
    assert_eq!(details.target_language.as_str(), "es");
    assert_eq!(details.location, "Clinique externe, 3e étage");
}

/// « espagnol (Mexique) » books Mexican Spanish: the request keeps the region, the pages
/// name it, the edit form gives it back as written, and the Spanish interpreters are its
/// candidates.
async fn a_language_asked_in_a_region_keeps_it_and_goes_to_its_speakers(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let p = pipeline(bank, None);
    // By phone, which the bank's three Spanish interpreters all do.
    let form = BASE_FORM
        .replace("Langue d'arrivée : espagnol", "Langue d'arrivée : espagnol (Mexique)")
        .replace("Type de demande : vidéo", "Type de demande : téléphonique");
    let outcome = p.process(&mail(bank, "regional@ciusss.example", &form), "file").await;
    let MailOutcome::RequestCreated(number) = outcome.unwrap() else {
        panic!("not created");
    };
    let id = created(bank, &number).await;
    assert_eq!(bank.load(id).await.details.target_language.as_str(), "es-MX");

    let (_, matches) = bank.workflow.matches(id).await.unwrap();
    let ranked: Vec<PersonId> = matches.ranked.iter().map(|r| r.person).collect();
    for interpreter in &bank.interpreters {
        assert!(ranked.contains(interpreter), "{interpreter:?}: {:?}", matches.excluded);
    }

    let mut b = world.signed_in(bank.coordinator).await;
    let page = unescape(&b.get(&format!("/requests/{}", id.0)).await.body);
    assert!(page.contains("Espagnol (Mexique)"), "{page}");
    assert!(!page.contains("es-MX"), "no tag shown to a person: {page}");
    let edit = unescape(&b.get(&format!("/requests/{}/edit", id.0)).await.body);
    assert!(edit.contains("value=\"Espagnol (Mexique)\""), "{edit}");
}

/// The form mail's own HTML with the hints of `values` replaced by what a person types over
/// them in the quoted copy: `(label, value)`.
fn typed_into(form_html: &str, values: &[(&str, &str)]) -> String {
    let body = form_html
        .split_once("<body")
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(form_html, |(_, rest)| rest);
    let body = body.split("</body>").next().unwrap_or(body);
    let mut typed = body.to_owned();
    for (label, value) in values {
        // The template escapes the apostrophe of « Langue d'arrivée ».
        let label = regex::escape(&label.replace('\'', "&#39;"));
        let hint = regex::Regex::new(&format!(r"({label}(?:\u{{a0}}|&nbsp;)?: )\[[^\]<]*\]")).unwrap();
        assert!(hint.is_match(&typed), "no {label} line in {typed}");
        typed = hint.replace(&typed, format!("${{1}}{value}")).into_owned();
    }
    typed
}

/// A person answers the form mail in an HTML client and types the values over the hints in
/// the quoted copy of the mail (its layout tables kept), writing only a line above: the
/// quote under Outlook's header block, or in Gmail's blockquote, is read for the form.
async fn the_form_mail_quoted_in_html_and_typed_into_books_what_it_says(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let p = pipeline(bank, None);
    let ask = mail(bank, "ask-form@ciusss.example", "Bonjour, il me faut un interprète.");
    assert_eq!(p.process(&ask, "file").await.unwrap(), MailOutcome::FormSent);
    let form_html = world.next_mail_html(REQUESTER, "request_form").await;
    assert!(form_html.contains("<table"), "the form mail's layout: {form_html}");

    let html_mail = |id: &str, html: String| {
        format!(
            "Message-ID: <{id}>\r\nDate: Mon, 2 Mar 2026 09:30:00 -0500\r\nFrom: {REQUESTER}\r\nTo: {}\r\n\
             Subject: RE: Formulaire\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\
             Content-Transfer-Encoding: 8bit\r\n\r\n{html}",
            reply_address(None, bank.requester)
        )
        .into_bytes()
    };
    let booked = async |raw: Vec<u8>| {
        let outcome = p.process(&raw, "file").await.unwrap();
        let MailOutcome::RequestCreated(number) = outcome else {
            panic!("{outcome:?}");
        };
        let id = created(bank, &number).await;
        bank.load(id).await.details
    };

    // Outlook: the reply above a bordered divider and its header block.
    let typed = typed_into(
        &form_html,
        &[
            ("Type de demande", "en présentiel"),
            ("Date du service", "2026-03-09"),
            ("Heure de début", "10:00"),
            ("Durée", "1 h 30"),
            ("Langue d'arrivée", "espagnol"),
            ("Lieu", "Clinique externe, 3e étage"),
        ],
    );
    let outlook = format!(
        "<html><body><div class=\"WordSection1\"><p class=\"MsoNormal\">Voilà, c'est rempli plus bas.</p>\
         <div style=\"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm\"><p class=\"MsoNormal\">\
         <b>De&nbsp;:</b> Relais &lt;relais@bi.example&gt;<br><b>Envoyé&nbsp;:</b> 2 mars 2026 09:00<br>\
         <b>À&nbsp;:</b> {REQUESTER}<br><b>Objet&nbsp;:</b> Formulaire</p></div>{typed}</div></body></html>"
    );
    let details = booked(html_mail("typed-outlook@ciusss.example", outlook)).await;
    assert_eq!(details.date.to_string(), "2026-03-09");
    assert_eq!(details.duration_minutes, 90);
    assert_eq!(details.target_language.as_str(), "es");
    assert_eq!(details.location, "Clinique externe, 3e étage");

    // Gmail: the attribution, then the form mail in a blockquote.
    let typed = typed_into(
        &form_html,
        &[
            ("Type de demande", "en présentiel"),
            ("Date du service", "2026-03-12"),
            ("Heure de début", "14:30"),
            ("Durée", "60"),
            ("Langue d'arrivée", "arabe"),
            ("Lieu", "Pavillon B, salle 214"),
        ],
    );
    let gmail = format!(
        "<div dir=\"ltr\">Voici une autre demande.</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">\
         Le lun. 2 mars 2026 à 09:00, Relais &lt;relais@bi.example&gt; a écrit&nbsp;:<br></div>\
         <blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex\">\
         {typed}</blockquote></div>"
    );
    let details = booked(html_mail("typed-gmail@ciusss.example", gmail)).await;
    assert_eq!(details.date.to_string(), "2026-03-12");
    assert_eq!(details.duration_minutes, 60);
    assert_eq!(details.target_language.as_str(), "ar");
    assert_eq!(details.location, "Pavillon B, salle 214");
}
