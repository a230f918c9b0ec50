//! Every notice as it leaves, mail and SMS, against `tests/golden/notices.txt`: rows are
//! written straight into the outbox in the shape the code before typed notices (issue 18)
//! queued them (`kind` text and its JSON payload, some with keys missing), and the worker
//! renders them. The golden file was made by that earlier code: rows queued before an
//! upgrade render after it byte for byte as they would have before.
//!
//! After a deliberate change of wording: `RELAIS_UPDATE_GOLDEN=1 cargo test --test notices`
//! rewrites the file; read its diff before committing it.

use crate::support;

use relais::clock::Clock;
use relais::domain::ids::{PersonId, RequestId};
use relais::domain::locale::Locale;
use relais::domain::request::{Request, RequestStatus};
use relais::outbound::worker::Outbound;
use relais::store::Store;
use relais::store::outbox::Lane;
use serde_json::{Value, json};
use support::{Engine, TestBank};

on_both_engines!(rows_queued_in_the_old_shape_render_as_before);

const GOLDEN: &str = "tests/golden/notices.txt";

/// The facts the workflow queued with every notice about a request.
fn facts(r: &Request) -> Value {
    let d = &r.details;
    json!({
        "number": r.number.as_ref().map(|n| n.as_str()),
        "status": r.status.as_str(),
        "request_type": d.request_type.as_str(),
        "date": d.date,
        "start_time": d.start_time,
        "duration_minutes": d.duration_minutes,
        "source_language": d.source_language.as_str(),
        "target_language": d.target_language.as_str(),
        "installation_id": d.installation_id,
        "version": r.version,
    })
}

/// What an answer to a mail added to its payload.
fn answering(mut payload: Value, n: usize) -> Value {
    payload["in_reply_to"] = json!(format!("<person-{n}@ciusss.example>"));
    payload["subject"] = json!(format!("Re: question {n}"));
    payload
}

struct Row {
    channel: &'static str,
    to: PersonId,
    kind: &'static str,
    request: Option<RequestId>,
    payload: Value,
}

async fn insert(bank: &TestBank, row: &Row) {
    const SQL: &str = "INSERT INTO outbox (created_at, channel, recipient_id, kind, request_id, payload, status, \
         attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $1)";
    let now = bank.clock.now();
    let payload = sqlx::types::Json(&row.payload);
    let request = row.request.map(|r| r.0);
    match &bank.store {
        Store::Sqlite(pool, ..) => sqlx::query(SQL)
            .bind(now)
            .bind(row.channel)
            .bind(row.to.0)
            .bind(row.kind)
            .bind(request)
            .bind(payload)
            .execute(pool)
            .await
            .map(|_| ()),
        Store::Postgres(pool, _) => sqlx::query(SQL)
            .bind(now)
            .bind(row.channel)
            .bind(row.to.0)
            .bind(row.kind)
            .bind(request)
            .bind(payload)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
}

/// One sent mail as people see it: the headers that do not depend on the hour it left,
/// the text, the HTML twin and any calendar invite.
fn shown(raw: &[u8]) -> String {
    use mail_parser::MimeHeaders as _;
    let parsed = mail_parser::MessageParser::default().parse(raw).unwrap();
    let mut out = String::new();
    for name in [
        "To",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Auto-Submitted",
    ] {
        let value = parsed
            .header_raw(name)
            .map(|v| v.trim().replace("\r\n", "\n"))
            .unwrap_or_default();
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push_str(&format!("Subject (decoded): {}\n", parsed.subject().unwrap_or("")));
    out.push_str("--- text\n");
    out.push_str(&parsed.body_text(0).unwrap_or_default());
    out.push_str("\n--- html\n");
    out.push_str(&parsed.body_html(0).unwrap_or_default());
    for part in parsed.attachments() {
        out.push_str(&format!(
            "\n--- attachment {} {}\n",
            part.attachment_name().unwrap_or(""),
            part.content_type()
                .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
                .unwrap_or_default()
        ));
        out.push_str(&String::from_utf8_lossy(part.contents()).replace("\r\n", "\n"));
    }
    out.push('\n');
    out
}

async fn rows_queued_in_the_old_shape_render_as_before(engine: Engine) {
    let bank = TestBank::new(engine).await;
    // One request booked with interpreter 0, one offered to interpreters 1 and 2, one
    // waiting for a coordinator, one whose service was recorded.
    let booked = bank.request_in(RequestStatus::Booked).await;
    let offered = bank.request_in(RequestStatus::Offered).await;
    let waiting = bank.create().await;
    let rendered = bank.request_in(RequestStatus::ServiceRendered).await;
    // Added with issue 19: a draft, saved from a form by mail.
    let draft = bank.request_in(RequestStatus::Draft).await;
    let (requester, coordinator) = (bank.requester, bank.coordinator);
    let (booked_one, offered_one) = (bank.interpreters[0], bank.interpreters[1]);
    // Someone who reads English.
    let english = bank.colleague;
    let mut tx = bank.store.begin().await.unwrap();
    let mut p = tx.person(english).await.unwrap();
    p.locale = Locale::En;
    tx.update_person(&p, bank.clock.now()).await.unwrap();
    let now = bank.clock.now();
    let lease = now + chrono::TimeDelta::minutes(5);
    // Whatever setting up the bank queued is out of the way.
    while let Some(m) = tx.claim_next_outbox(now, lease, "setup", Lane::ALL).await.unwrap() {
        tx.mark_outbox_sent(m.id, now).await.unwrap();
    }
    let r_booked = tx.request(booked).await.unwrap();
    let r_offered = tx.request(offered).await.unwrap();
    let r_waiting = tx.request(waiting).await.unwrap();
    let r_rendered = tx.request(rendered).await.unwrap();
    let r_draft = tx.request(draft).await.unwrap();
    tx.commit().await.unwrap();
    let number = r_booked.label();

    let mail = |to, kind, request: Option<&Request>, payload| Row {
        channel: "email",
        to,
        kind,
        request: request.map(|r| r.id),
        payload,
    };
    let sms = |to, kind, request: &Request| Row {
        channel: "sms",
        to,
        kind,
        request: Some(request.id),
        payload: facts(request),
    };
    let about = |to, kind, request: &Request| mail(to, kind, Some(request), facts(request));
    let mut rows = vec![
        // What the workflow queued about a request.
        about(requester, "request_received", &r_waiting),
        about(offered_one, "request_offered", &r_offered),
        sms(offered_one, "request_offered", &r_offered),
        about(offered_one, "offer_filled", &r_booked),
        sms(offered_one, "offer_filled", &r_booked),
        about(requester, "request_booked", &r_booked),
        about(english, "request_booked", &r_booked),
        about(booked_one, "request_modified", &r_booked),
        sms(booked_one, "request_modified", &r_booked),
        about(coordinator, "offer_declined", &r_waiting),
        about(coordinator, "offers_lapsed", &r_waiting),
        about(coordinator, "interpreter_withdrew", &r_waiting),
        about(requester, "interpreter_withdrew", &r_waiting),
        about(booked_one, "assignment_removed", &r_booked),
        sms(booked_one, "assignment_removed", &r_booked),
        about(booked_one, "request_cancelled", &r_booked),
        sms(booked_one, "request_cancelled", &r_booked),
        about(requester, "request_cancelled", &r_booked),
        about(requester, "service_recorded", &r_rendered),
        about(coordinator, "service_contested", &r_rendered),
        about(booked_one, "assignment_confirmed", &r_booked),
        about(booked_one, "service_validated", &r_rendered),
        about(booked_one, "request_closed", &r_rendered),
        about(offered_one, "offer_reminder", &r_offered),
        sms(offered_one, "offer_reminder", &r_offered),
        about(booked_one, "appointment_reminder", &r_booked),
        sms(booked_one, "appointment_reminder", &r_booked),
        about(requester, "no_interpreter", &r_waiting),
        about(booked_one, "record_form", &r_booked),
        // Added with issue 19: the requester hears of every change; interpreters read
        // what changed, old → new, and a booking by SMS too.
        about(requester, "declined_still_looking", &r_waiting),
        about(requester, "lapsed_still_looking", &r_waiting),
        mail(requester, "request_changed", Some(&r_booked), {
            let mut payload = facts(&r_booked);
            payload["changes"] = json!([
                { "field": "duration_minutes", "from": 60, "to": 90 },
                { "field": "video_link", "from": "<confidentiel>", "to": "<confidentiel>" },
                { "field": "coordinator_note", "from": "<confidentiel>", "to": "<confidentiel>" },
            ]);
            payload
        }),
        mail(booked_one, "request_modified", Some(&r_booked), {
            let mut payload = facts(&r_booked);
            payload["changes"] = json!([
                { "field": "start_time", "from": "10:00:00", "to": "10:30:00" },
                { "field": "coordinator_note", "from": "<confidentiel>", "to": "<confidentiel>" },
            ]);
            payload
        }),
        about(requester, "auto_validated", &r_rendered),
        about(requester, "request_closed", &r_rendered),
        sms(booked_one, "assignment_confirmed", &r_booked),
        // Added with issue 19: the requester who asked hears their request is offered.
        about(requester, "offer_sent", &r_waiting),
        // An SMS of a kind without a text of its own.
        sms(booked_one, "request_booked", &r_booked),
        // Queued before the version was carried: links as for a fresh message.
        mail(
            requester,
            "request_booked",
            Some(&r_booked),
            json!({ "number": number, "status": "booked" }),
        ),
        // Answers to mail.
        mail(
            booked_one,
            "record_form",
            Some(&r_rendered),
            answering(
                json!({
                    "values": { "took_place": "oui", "start_time": "25 h" },
                    "errors": ["Heure de début : heure impossible"],
                    "number": r_rendered.label(),
                }),
                1,
            ),
        ),
        mail(
            requester,
            "message_too_large",
            None,
            answering(json!({ "size": 32_000_000, "limit": 26_214_400 }), 2),
        ),
        mail(
            english,
            "message_too_large",
            None,
            answering(json!({ "size": 100_000, "limit": 26_214_400 }), 3),
        ),
        mail(
            requester,
            "command_done",
            Some(&r_booked),
            answering(json!({ "verb": "cancel", "number": number, "status": "cancelled" }), 4),
        ),
        mail(
            english,
            "command_done",
            Some(&r_booked),
            answering(json!({ "verb": "wait", "number": number, "status": "new" }), 5),
        ),
        // Missing its status.
        mail(
            booked_one,
            "command_done",
            Some(&r_booked),
            answering(json!({ "verb": "accept", "number": number }), 6),
        ),
        mail(requester, "help", None, answering(json!({ "reason": "asked" }), 7)),
        mail(
            english,
            "help",
            Some(&r_booked),
            answering(json!({ "reason": "not_a_requester" }), 8),
        ),
        mail(
            requester,
            "command_refused",
            Some(&r_booked),
            answering(json!({ "verb": "contest", "reason": "text_too_long" }), 9),
        ),
        mail(
            english,
            "command_refused",
            None,
            answering(json!({ "verb": "accept", "reason": "no_request" }), 10),
        ),
        mail(
            requester,
            "command_refused",
            Some(&r_booked),
            answering(json!({ "verb": "assign", "reason": "bad_command" }), 11),
        ),
        mail(
            requester,
            "request_form",
            None,
            answering(json!({ "values": {}, "errors": [] }), 12),
        ),
        mail(
            english,
            "request_form",
            None,
            answering(
                json!({
                    "values": { "date": "le 32 mars", "duration_minutes": "60", "target_language": "es" },
                    "errors": ["Date: no such date", "Place: missing"],
                }),
                13,
            ),
        ),
        // A form's payload once erased after the retention period.
        mail(requester, "request_form", None, json!({})),
        mail(
            requester,
            "mail_confirmation",
            None,
            answering(
                json!({ "inbound": 41, "verb": "cancel", "received_at": now.to_rfc3339() }),
                14,
            ),
        ),
        mail(
            english,
            "mail_confirmation",
            None,
            answering(
                json!({ "inbound": 42, "verb": "form", "received_at": now.to_rfc3339() }),
                15,
            ),
        ),
        mail(requester, "message_set_aside", None, answering(json!({}), 16)),
        mail(english, "message_set_aside", None, answering(json!({}), 17)),
        // The rest.
        mail(
            coordinator,
            "delivery_failed",
            Some(&r_offered),
            json!({
                "failed_kind": "request_offered",
                "failed_channel": "sms",
                "failed_to": "Ana Pérez (+15145550101)",
                "failed_error": "gateway refused: 21610",
                "status": "offered",
            }),
        ),
        mail(
            english,
            "delivery_failed",
            None,
            json!({
                "failed_kind": "password_reset",
                "failed_channel": "email",
                "failed_to": "Luc Roy (luc@ciusss.example)",
                "failed_error": "550 no such user",
            }),
        ),
        mail(
            english,
            "delivery_failed",
            None,
            json!({
                "failed_kind": "a_kind_from_a_later_version",
                "failed_channel": "email",
                "failed_to": "Luc Roy (luc@ciusss.example)",
                "failed_error": "550 no such user",
            }),
        ),
        mail(
            booked_one,
            "link_renewed",
            Some(&r_booked),
            json!({ "action": "withdraw", "subjects": [] }),
        ),
        mail(
            coordinator,
            "link_renewed",
            Some(&r_waiting),
            json!({ "action": "assign", "subjects": [offered_one.0] }),
        ),
        // The action is no longer possible: no link.
        mail(
            requester,
            "link_renewed",
            Some(&r_booked),
            json!({ "action": "validate", "subjects": [] }),
        ),
        mail(requester, "mfa_changed", None, json!({ "change": "recovery_codes" })),
        mail(english, "mfa_changed", None, json!({ "change": "totp_new" })),
        mail(requester, "mfa_changed", None, json!({ "change": "off" })),
        mail(
            requester,
            "sign_in_failures",
            None,
            json!({
                "failures": 10,
                "addresses": 3,
                "first_at": (now - chrono::TimeDelta::hours(3)).to_rfc3339(),
                "last_at": now.to_rfc3339(),
            }),
        ),
        mail(
            english,
            "sign_in_failures",
            None,
            json!({
                "failures": 12,
                "addresses": 1,
                "first_at": (now - chrono::TimeDelta::minutes(50)).to_rfc3339(),
                "last_at": now.to_rfc3339(),
            }),
        ),
        // Without the token row the link or code is empty; what surrounds it is not.
        mail(requester, "account_activation", None, json!({})),
        mail(english, "password_reset", None, json!({})),
        mail(requester, "login_code", None, json!({})),
        // Added with issue 19: a change of address, confirmed at the new one, told to the old.
        mail(requester, "email_change_confirm", None, json!({})),
        mail(english, "email_changed", None, json!({})),
        mail(coordinator, "digest", None, json!({ "slot": "on_demand" })),
        // A kind this version does not know (queued by a later one): a plain notice.
        mail(
            requester,
            "a_kind_from_a_later_version",
            Some(&r_booked),
            json!({ "whatever": 1 }),
        ),
        Row {
            channel: "sms",
            to: booked_one,
            kind: "a_kind_from_a_later_version",
            request: Some(booked),
            payload: json!({}),
        },
    ];
    // The same, to someone who reads English, for every kind about a request.
    let english_copies: Vec<Row> = rows
        .iter()
        .filter(|r| r.channel == "email" && r.request.is_some() && r.to != english)
        .map(|r| Row {
            channel: "email",
            to: english,
            kind: r.kind,
            request: r.request,
            payload: r.payload.clone(),
        })
        .collect();
    rows.extend(english_copies);
    // Added with issue 19: a form by mail saved as a draft, the form sent back to complete;
    // and a draft its requester asked to send, kept because it is like an open request.
    rows.push(mail(
        requester,
        "draft_saved",
        Some(&r_draft),
        answering(facts(&r_draft), 18),
    ));
    rows.push(mail(english, "draft_saved", Some(&r_draft), {
        let mut payload = answering(facts(&r_draft), 19);
        payload["notes"] = json!([
            format!("A similar request already exists: {number}"),
            "To send it anyway, reply SEND ANYWAY.",
        ]);
        payload
    }));
    for row in &rows {
        insert(&bank, row).await;
    }

    let settings = support::settings(&bank, &[]);
    let out = settings.mail.outbox_folder.clone();
    let sms_log = settings.sms.log_file.clone();
    let worker = Outbound::new(&settings, bank.store.clone(), bank.clock.clone()).unwrap();
    while worker.deliver_due().await.unwrap() > 0 {}
    let mut tx = bank.store.begin().await.unwrap();
    let counts = tx.count_outbox().await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        counts.iter().all(|(_, status, _)| status == "sent"),
        "every row left: {counts:?}"
    );

    let mut files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    let mut all = String::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        all.push_str(&format!("===== {name}\n"));
        let raw = std::fs::read(file).unwrap();
        all.push_str(&shown(&raw));
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let text = parsed.body_text(0).unwrap_or_default();
        // Buttons that undo are secondary: never the message's main action.
        let html = parsed.body_html(0).unwrap_or_default();
        for undo in ["Annuler la demande", "Refuser l'offre", "Contester la réalisation"] {
            let button = regex::Regex::new(&format!(
                r#"<td bgcolor="(#[0-9a-f]+)"[^>]*><a [^>]*>{}</a>"#,
                regex::escape(&undo.replace('\'', "&#39;"))
            ))
            .unwrap();
            for c in button.captures_iter(&html) {
                assert_eq!(&c[1], "#e8edf3", "{name}: « {undo} » is a secondary button");
            }
        }
        let codes = support::web::internal_codes(&text);
        assert!(codes.is_empty(), "{name} shows {codes:?}:\n{text}");
        if text.contains("Bonjour") {
            support::web::french_spaced(&text);
            support::web::french_spaced(parsed.subject().unwrap_or(""));
        }
    }
    all.push_str("===== sms\n");
    for line in std::fs::read_to_string(&sms_log).unwrap_or_default().lines() {
        // The time it left, then the number and the text.
        let (_, rest) = line.split_once('\t').unwrap();
        all.push_str(rest);
        all.push('\n');
    }
    // Offer codes are drawn at random; links are signed with the bank's keys, for its
    // clock: the same at every run.
    let mut tx = bank.store.begin().await.unwrap();
    for (request, person) in [(booked, booked_one), (offered, offered_one)] {
        if let Some(code) = tx.offer_code(request, person).await.unwrap() {
            all = all.replace(&format!(" {code}"), " ####");
        }
    }
    tx.commit().await.unwrap();
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("RELAIS_UPDATE_GOLDEN").is_some() && engine == Engine::Sqlite {
        std::fs::write(&golden, &all).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap();
    if all != expected {
        let first = all
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(all.lines().count().min(expected.lines().count()));
        let context = |s: &str| {
            s.lines()
                .skip(first.saturating_sub(3))
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "the notices differ from {GOLDEN} at line {}:\n--- now\n{}\n--- golden\n{}",
            first + 1,
            context(&all),
            context(&expected)
        );
    }
}
