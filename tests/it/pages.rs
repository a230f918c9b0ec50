//! The requester and interpreter pages over real HTTP, on both engines: the request form
//! (errors beside fields, values kept, attachments), the request page (history, actions,
//! what each person sees), the lists with presets and filters, editing and cancelling,
//! 404 for requests one may not see, CSRF, and the basics of accessibility.

use crate::support;

use relais::clock::Clock;
use relais::domain::ids::{PersonId, RequestId};
use relais::domain::request::RequestStatus;
use support::web::{Answer, Browser, Site, World};
use support::{Engine, TestBank, offer};

const PASSWORD: &str = "Quatre-Lapins!Violets7";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// Gives `person` an account with [`PASSWORD`], as activation would.
async fn with_password(bank: &TestBank, person: PersonId) -> String {
    let now = bank.clock.now();
    let mut tx = bank.store.begin().await.unwrap();
    tx.insert_account(person, now).await.unwrap();
    let hash = relais::security::password::hash(PASSWORD).unwrap();
    tx.set_password_hash(person, &hash, now).await.unwrap();
    let email = tx.person(person).await.unwrap().email.to_string();
    tx.commit().await.unwrap();
    email
}

async fn signed_in<'a>(site: &'a Site, bank: &TestBank, person: PersonId) -> Browser<'a> {
    let email = with_password(bank, person).await;
    let mut browser = Browser::new(site);
    let answer = browser.sign_in(&email, PASSWORD).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let home = browser.get("/account").await;
    assert_eq!(home.status, 200, "signed in without a second factor: {}", home.body);
    browser
}

/// The session-bound value of the page's multipart form.
fn form_csrf(page: &Answer) -> String {
    let re = regex::Regex::new(r#"name="csrf" value="([^"]+)""#).unwrap();
    re.captures(&page.body)
        .unwrap_or_else(|| panic!("no form on: {}", page.body))[1]
        .to_string()
}

/// Every field has a label pointing at it, and the page says its language.
fn accessible(page: &Answer) {
    assert!(page.body.contains("<html lang=\"fr\">"), "lang: {}", page.body);
    let ids = regex::Regex::new(r#"<(?:input|select|textarea) [^>]*\sid="([^"]+)""#).unwrap();
    for id in ids.captures_iter(&page.body) {
        assert!(
            page.body.contains(&format!(" for=\"{}\"", &id[1])),
            "field {} has no label",
            &id[1]
        );
    }
    // Radio buttons too: each has its own id, named by its label.
    let radios = regex::Regex::new(r#"<input type="radio"[^>]*>"#).unwrap();
    for m in radios.find_iter(&page.body) {
        assert!(m.as_str().contains(" id=\""), "radio without id: {}", m.as_str());
    }
}

fn request_id(answer: &Answer) -> RequestId {
    let location = answer
        .headers
        .get("location")
        .unwrap_or_else(|| panic!("no redirect: {} {}", answer.status, answer.body))
        .to_str()
        .unwrap();
    RequestId(location.strip_prefix("/requests/").unwrap().parse().unwrap())
}

/// The preset whose period holds `date`, counted from the bank's today.
fn preset_for(bank: &TestBank, date: chrono::NaiveDate) -> &'static str {
    use chrono::Datelike;
    let tz = support::config().time_zone;
    let today = bank.clock.now().with_timezone(&tz).date_naive();
    let months = (date.year() - today.year()) * 12 + date.month() as i32 - today.month() as i32;
    match months {
        0 => "this_month",
        1 => "next_month",
        n => panic!("the appointment is {n} months away"),
    }
}

on_both_engines!(
    a_requester_books_changes_and_cancels_on_the_web,
    others_see_only_their_share,
    coordinators_book_for_a_requester_and_change_it,
    files_of_a_wrong_form_wait_for_the_corrected_one,
    long_lists_come_a_page_at_a_time,
    addresses_that_lead_nowhere_answer_the_banks_page,
    every_signed_in_page_opens_with_the_same_header_for_the_role,
);

async fn a_requester_books_changes_and_cancels_on_the_web(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let site = Site::start(&bank).await;
    let mut b = signed_in(&site, &bank, bank.requester).await;

    let form = b.get("/requests/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    accessible(&form);
    assert!(form.body.contains("Type de demande") && form.body.contains("Nom de l'usager"));
    let csrf = form_csrf(&form);
    let date = bank.appointment_date().format("%Y-%m-%d").to_string();

    // A wrong form comes back with every value as typed and each problem beside its field.
    let wrong = b
        .post_multipart(
            "/requests/new",
            &[
                ("csrf", &csrf),
                ("request_type", "en présentiel"),
                ("date", "2020-01-06"),
                ("start_time", "10:00"),
                ("duration_minutes", "longtemps"),
                ("target_language", "espagnol"),
                ("location", "Clinique externe, 3e étage"),
                ("professional_name", "Dre Tremblay"),
                ("professional_phone", "pas de téléphone"),
            ],
            &[],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("value=\"Dre Tremblay\""), "{}", wrong.body);
    assert!(wrong.body.contains("value=\"longtemps\""));
    let errors = regex::Regex::new(r#"id="(date|duration_minutes)"[^>]*aria-invalid="true""#).unwrap();
    assert_eq!(errors.find_iter(&wrong.body).count(), 2, "{}", wrong.body);
    // Every problem at once, the phone's too, each named and linked to its field; the
    // required fields are marked, and each input is described by its hint and its error.
    for link in [
        "<a href=\"#duration_minutes\">Durée\u{a0}: ",
        "<a href=\"#date\">Date du service\u{a0}: ",
        "<a href=\"#professional_phone\">Téléphone du professionnel\u{a0}: ",
    ] {
        assert!(wrong.body.contains(link), "{link} in {}", wrong.body);
    }
    assert!(
        wrong.body.contains("id=\"professional_phone-error\""),
        "the phone's error beside it: {}",
        wrong.body
    );
    assert!(
        wrong
            .body
            .contains("<label for=\"duration_minutes\">Durée <span class=\"required\">(obligatoire)</span></label>")
    );
    assert!(
        wrong
            .body
            .contains("aria-describedby=\"duration_minutes-hint duration_minutes-error\"")
    );
    assert!(!wrong.body.contains(">Obligatoire"), "no grey hint repeats it");
    accessible(&wrong);

    // A file that is not what it says is refused by its bytes.
    let fake = b
        .post_multipart(
            "/requests/new",
            &[
                ("csrf", &csrf),
                ("request_type", "en présentiel"),
                ("date", &date),
                ("start_time", "10:00"),
                ("duration_minutes", "90"),
                ("target_language", "espagnol"),
                ("location", "Clinique externe, 3e étage"),
            ],
            &[("attachments", "ordonnance.pdf", b"MZ\x90\x00not a pdf")],
        )
        .await;
    assert_eq!(fake.status, 422);
    assert!(fake.body.contains("ordonnance.pdf"), "{}", fake.body);

    // Without the form's value nothing is saved.
    let forged = b
        .post_multipart(
            "/requests/new",
            &[("request_type", "en présentiel"), ("date", &date)],
            &[],
        )
        .await;
    assert_eq!(forged.status, 403);

    let created = b
        .post_multipart(
            "/requests/new",
            &[
                ("csrf", &csrf),
                ("request_type", "en présentiel"),
                ("date", &date),
                ("start_time", "10:00"),
                ("duration_minutes", "1 h 30"),
                ("target_language", "espagnol"),
                ("installation", "Hôpital Notre-Dame"),
                ("location", "Clinique externe, 3e étage"),
                ("professional_name", "Dre Tremblay"),
                ("notify_user", "non"),
                ("interpreter_gender", "indifférent"),
                ("patient_name", "Jean Patient"),
                ("context", "Suivi de grossesse"),
            ],
            &[("attachments", "ordonnance.pdf", PDF)],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = request_id(&created);
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::New);
    assert_eq!(request.details.duration_minutes, 90);
    assert_eq!(request.details.patient.name.as_deref(), Some("Jean Patient"));
    let number = request.number.clone().unwrap().to_string();

    let page = b.get(&format!("/requests/{}", id.0)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<html lang=\"fr\">"));
    assert!(page.body.contains("Jean Patient") && page.body.contains("Suivi de grossesse"));
    assert!(
        page.body.contains("Historique") && page.body.contains("Création"),
        "{}",
        page.body
    );
    assert!(page.body.contains("\">Web</td>"), "the channel is shown: {}", page.body);
    let file = regex::Regex::new(r#"href="(/requests/\d+/attachments/\d+)">ordonnance.pdf<"#).unwrap();
    let href = file.captures(&page.body).expect("the file is listed")[1].to_string();
    let download = b.get(&href).await;
    assert_eq!(download.status, 200);
    assert!(download.body.starts_with("%PDF"));

    // The list: found with a preset and a filter, not with a wrong one.
    let preset = preset_for(&bank, bank.appointment_date());
    let found = b
        .get(&format!("/requests?period={preset}&number={number}&language=espagnol"))
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    accessible(&found);
    assert!(found.body.contains(&format!(">{number}</a>")), "{}", found.body);
    // The lists are tabs, the current one marked; the table says how long, what kind and
    // who asked; the page leads with the button for a new request.
    assert!(found.body.contains("<nav class=\"tabs\""), "{}", found.body);
    assert!(
        found.body.contains("aria-current=\"page\">Mes demandes</a>"),
        "{}",
        found.body
    );
    for column in ["Durée", "Type", "Demandeur"] {
        assert!(
            found.body.contains(&format!("<th scope=\"col\">{column}</th>")),
            "{column}"
        );
    }
    assert!(found.body.contains(">1 h 30</td>"), "{}", found.body);
    assert!(found.body.contains("class=\"primary\" href=\"/requests/new\""));
    for miss in [
        "/requests?period=last_month".to_string(),
        format!("/requests?number={number}&status=booked"),
        format!("/requests?number={number}&language=arabe"),
        format!("/requests?scope=location&number={number}&interpreter=Personne"),
    ] {
        let list = b.get(&miss).await;
        assert_eq!(list.status, 200);
        assert!(!list.body.contains(&format!(">{number}</a>")), "{miss}");
    }
    let by_location = b.get(&format!("/requests?scope=location&number={number}")).await;
    assert!(by_location.body.contains(&format!(">{number}</a>")));

    // Booked, then changed from the form: modified, sensitive values hidden in history.
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    bank.workflow
        .execute(
            bank.as_interpreter(0),
            relais::workflow::Command::AcceptOffer { request: id },
        )
        .await
        .unwrap();
    assert_eq!(bank.load(id).await.status, RequestStatus::Booked);
    let edit = b.get(&format!("/requests/{}/edit", id.0)).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    accessible(&edit);
    assert!(
        edit.body.contains("l'interprète devra l'accepter de nouveau"),
        "changing a booking warns first: {}",
        edit.body
    );
    assert!(
        edit.body.contains("value=\"Clinique externe, 3e étage\""),
        "prefilled: {}",
        edit.body
    );
    assert!(edit.body.contains("value=\"Jean Patient\""));
    let mut fields: Vec<(String, String)> =
        regex::Regex::new(r#"<input type="(?:text|date|time|tel|email)" id="[^"]+" name="([^"]+)" value="([^"]*)""#)
            .unwrap()
            .captures_iter(&edit.body)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect();
    for (name, value) in fields.iter_mut() {
        match name.as_str() {
            "start_time" => *value = "11:00".into(),
            "patient_name" => *value = "Jeanne Patiente".into(),
            _ => {}
        }
    }
    fields.push(("request_type".into(), "en présentiel".into()));
    fields.push(("installation".into(), "Hôpital Notre-Dame".into()));
    fields.push(("csrf".into(), form_csrf(&edit)));
    let posted: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let changed = b
        .post_multipart(&format!("/requests/{}/edit", id.0), &posted, &[])
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Modified);
    assert_eq!(request.details.start_time.format("%H:%M").to_string(), "11:00");
    assert_eq!(request.details.patient.name.as_deref(), Some("Jeanne Patiente"));
    assert_eq!(request.details.notes.context, None, "a field sent empty is cleared");
    assert_eq!(request.details.professional.name.as_deref(), Some("Dre Tremblay"));
    let page = b.get(&format!("/requests/{}", id.0)).await;
    assert!(page.body.contains("Modification"), "{}", page.body);
    assert!(
        page.body.contains("Nom de l'usager\u{a0}: nouvelle valeur"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Heure du service\u{a0}: 10\u{a0}h\u{a0}00 → 11\u{a0}h\u{a0}00"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Jean Patient<"), "the old value is not in history");

    // Cancelled with a reason from the page.
    let (action, csrf) = page
        .forms()
        .into_iter()
        .find(|(a, _)| a.ends_with("/act"))
        .expect("an action form");
    assert!(page.body.contains("name=\"action\" value=\"cancel\""));
    assert!(
        page.body.contains("<option value=\"\">Choisissez le motif</option>"),
        "no reason is chosen for the requester: {}",
        page.body
    );
    let without = b
        .post(&action, &[("action", "cancel"), ("reason", "appointment_cancelled")])
        .await;
    assert_eq!(without.status, 403);
    assert_eq!(bank.load(id).await.status, RequestStatus::Modified);
    let cancelled = b
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("action", "cancel"),
                ("reason", "appointment_cancelled"),
            ],
        )
        .await;
    assert_eq!(
        cancelled.status, 303,
        "done, the page again by a redirection: {}",
        cancelled.body
    );
    let cancelled = b.get(support::web::location(&cancelled)).await;
    assert!(
        cancelled
            .body
            .contains("C'est fait. La demande est maintenant annulée."),
        "{}",
        cancelled.body
    );
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Cancelled);
    assert_eq!(
        request.cancellation.unwrap().reason,
        relais::domain::request::CancellationReason::AppointmentCancelled
    );
    assert!(cancelled.body.contains("Annulé"));

    // The history says all of it in words, never in codes or ids.
    let page = b.get(&format!("/requests/{}", id.0)).await;
    accessible(&page);
    let interpreter = bank.name_of(bank.interpreters[0]).await;
    for words in [
        "Statut\u{a0}: Modifié → Annulé".to_string(),
        "Motif\u{a0}: Rendez-vous annulé".to_string(),
        format!("Offerte à\u{a0}: {interpreter}"),
        format!("Interprète\u{a0}: {interpreter}"),
    ] {
        assert!(page.body.contains(&words), "{words} in {}", page.body);
    }
}

async fn others_see_only_their_share(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let site = Site::start(&bank).await;
    let id = bank.create().await;
    let path = format!("/requests/{}", id.0);

    // Another installation's requester: the same 404 as for a request that does not exist.
    let mut outsider = signed_in(&site, &bank, bank.outsider).await;
    for p in [path.clone(), format!("{path}/edit"), "/requests/999999".to_string()] {
        assert_eq!(outsider.get(&p).await.status, 404, "{p}");
    }
    let list = outsider.get("/requests?scope=location").await;
    assert!(!list.body.contains(&format!("href=\"{path}\"")));

    // An interpreter sees it only once offered, with what decides (the context) but never
    // who the patient is, and accepts there.
    let mut interpreter = signed_in(&site, &bank, bank.interpreters[0]).await;
    assert_eq!(interpreter.get(&path).await.status, 404);
    bank.workflow
        .execute(bank.as_coordinator(), offer(id, vec![bank.interpreters[0]]))
        .await
        .unwrap();
    let mut tx = bank.store.begin().await.unwrap();
    let details = tx.request(id).await.unwrap().details;
    tx.commit().await.unwrap();
    let page = interpreter.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for private in [details.patient.name.clone(), details.patient.phone.clone()]
        .into_iter()
        .flatten()
    {
        assert!(!page.body.contains(&private), "{private} shown to the interpreter");
    }
    let context = details.notes.context.clone().expect("the test request has a context");
    assert!(
        page.body.contains(&context),
        "the offered interpreter decides with the context: {}",
        page.body
    );
    assert!(!page.body.contains("Historique"));
    assert!(!page.body.contains("/edit"));
    let offers = interpreter.get("/requests").await;
    assert!(offers.body.contains(&format!("href=\"{path}\"")), "{}", offers.body);
    assert!(offers.body.contains("offre à répondre"));
    assert_eq!(interpreter.get(&format!("{path}/edit")).await.status, 404);

    let (action, csrf) = page
        .forms()
        .into_iter()
        .find(|(a, _)| a.ends_with("/act"))
        .expect("the accept button");
    let forged = interpreter.post(&action, &[("action", "accept")]).await;
    assert_eq!(forged.status, 403);
    assert_eq!(bank.load(id).await.status, RequestStatus::Offered);
    let accepted = interpreter
        .post(&action, &[("csrf", &csrf), ("action", "accept")])
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let accepted = interpreter.get(support::web::location(&accepted)).await;
    assert!(
        accepted
            .body
            .contains("C'est fait. La demande est maintenant réservée."),
        "{}",
        accepted.body
    );
    let request = bank.load(id).await;
    assert_eq!(request.status, RequestStatus::Booked);
    assert_eq!(request.assigned_interpreter, Some(bank.interpreters[0]));

    // The requester's colleague sees it "par emplacement", not in "Mes demandes".
    let mut colleague = signed_in(&site, &bank, bank.colleague).await;
    let mine = colleague.get("/requests").await;
    assert!(!mine.body.contains(&format!("href=\"{path}\"")));
    let location = colleague.get("/requests?scope=location").await;
    assert!(location.body.contains(&format!("href=\"{path}\"")), "{}", location.body);
    assert_eq!(colleague.get(&path).await.status, 200);
}

async fn coordinators_book_for_a_requester_and_change_it(engine: Engine) {
    let w = World::new(engine).await;
    let bank = &w.bank;
    let requester_email = w.email_of(bank.requester).await;
    let requester_code = w.user_code(bank.requester).await;
    let mut b = w.signed_in(bank.coordinator).await;

    // First: for whom? A name that is no active requester is said so, as typed.
    let ask = b.get("/requests/new").await;
    assert_eq!(ask.status, 200, "{}", ask.body);
    accessible(&ask);
    assert!(ask.body.contains("name=\"pour\""), "{}", ask.body);
    let interpreter = w.email_of(bank.interpreters[0]).await;
    let unknown = b.get(&format!("/requests/new?pour={interpreter}")).await;
    assert_eq!(unknown.status, 422, "an interpreter is no requester: {}", unknown.body);
    assert!(unknown.body.contains("Aucun demandeur actif"), "{}", unknown.body);
    assert!(unknown.body.contains(&format!("value=\"{interpreter}\"")));

    // Then the requester's form: their installation, their name on top.
    let form = b.get(&format!("/requests/new?pour={requester_email}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    accessible(&form);
    assert!(form.body.contains(&requester_email), "{}", form.body);
    assert!(
        form.body
            .contains(&format!("action=\"/requests/new?pour={requester_code}\"")),
        "{}",
        form.body
    );
    assert!(form.body.contains("Hôpital Notre-Dame"), "{}", form.body);
    let csrf = form_csrf(&form);
    let date = bank.appointment_date().format("%Y-%m-%d").to_string();
    let fields = |duration: &'static str, installation: &'static str| {
        vec![
            ("request_type", "en présentiel"),
            ("start_time", "13:00"),
            ("duration_minutes", duration),
            ("target_language", "espagnol"),
            ("installation", installation),
            ("location", "Urgence"),
        ]
    };

    // The requester's installations count, not the coordinator's reach.
    let mut elsewhere = fields("60", "555, boulevard Hamel");
    elsewhere.extend([("csrf", csrf.as_str()), ("date", date.as_str())]);
    let refused = b
        .post_multipart(&format!("/requests/new?pour={requester_code}"), &elsewhere, &[])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("value=\"Urgence\""));

    let mut good = fields("60", "Hôpital Notre-Dame");
    good.extend([("csrf", csrf.as_str()), ("date", date.as_str())]);
    let created = b
        .post_multipart(&format!("/requests/new?pour={requester_code}"), &good, &[])
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = request_id(&created);
    let request = bank.load(id).await;
    assert_eq!(request.requested_by, bank.requester, "booked in the requester's name");
    assert_eq!(request.status, RequestStatus::New);
    assert_eq!(request.details.installation_id, bank.installation);
    w.next_mail(&requester_email, "request_received").await;

    // The page says who did it, and the coordinator changes it from the same form.
    let page = b.get(&format!("/requests/{}", id.0)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    accessible(&page);
    let requester_name = bank.name_of(bank.requester).await;
    assert!(
        page.body.contains(&requester_name),
        "the requester is named: {}",
        page.body
    );
    assert!(page.body.contains("Pas encore offerte."), "{}", page.body);
    // Offered to two interpreters; one declines: the page says who answered what.
    bank.workflow
        .execute(
            bank.as_coordinator(),
            offer(id, vec![bank.interpreters[0], bank.interpreters[1]]),
        )
        .await
        .unwrap();
    bank.workflow
        .execute(
            bank.as_interpreter(1),
            relais::workflow::Command::DeclineOffer { request: id },
        )
        .await
        .unwrap();
    let page = b.get(&format!("/requests/{}", id.0)).await;
    let first = bank.name_of(bank.interpreters[0]).await;
    let second = bank.name_of(bank.interpreters[1]).await;
    for (name, answer) in [(first, "En attente de réponse"), (second, "Refusée")] {
        let row = format!(">{name}</td><td data-label=\"Réponse\">{answer}</td>");
        assert!(page.body.contains(&row), "{row} in {}", page.body);
    }
    let edit = b.get(&format!("/requests/{}/edit", id.0)).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(edit.body.contains("value=\"Hôpital Notre-Dame\"") || edit.body.contains("selected"));
    let csrf = form_csrf(&edit);
    let mut change = fields("90", "Hôpital Notre-Dame");
    change.extend([("csrf", csrf.as_str()), ("date", date.as_str())]);
    let changed = b
        .post_multipart(&format!("/requests/{}/edit", id.0), &change, &[])
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(bank.load(id).await.details.duration_minutes, 90);

    // A requester cannot book in someone else's name: `pour` is not theirs to use.
    let colleague_code = w.user_code(bank.colleague).await;
    let mut r = w.signed_in(bank.requester).await;
    let own = r.get(&format!("/requests/new?pour={colleague_code}")).await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("action=\"/requests/new\""), "{}", own.body);
    let csrf = form_csrf(&own);
    let mut mine = fields("60", "Hôpital Notre-Dame");
    // The appointment the coordinator booked for them: sent anyway, on purpose.
    mine.extend([("csrf", csrf.as_str()), ("date", date.as_str()), ("send_anyway", "oui")]);
    let created = r
        .post_multipart(&format!("/requests/new?pour={colleague_code}"), &mine, &[])
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(bank.load(request_id(&created)).await.requested_by, bank.requester);

    // Interpreters book nothing.
    let mut i = w.signed_in(bank.interpreters[0]).await;
    assert_eq!(i.get("/requests/new").await.status, 403);
}

/// The tokens of the held files a page lists, ticked.
fn kept_tokens(page: &Answer) -> Vec<String> {
    let re = regex::Regex::new(r#"name="kept" value="([^"]+)" checked"#).unwrap();
    re.captures_iter(&page.body).map(|c| c[1].to_string()).collect()
}

async fn attachment_names(bank: &TestBank, id: RequestId) -> Vec<String> {
    let mut tx = bank.store.begin().await.unwrap();
    let files = tx
        .attachments_of(id, relais::store::attachments::AttachmentPurpose::Request)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    files.into_iter().map(|f| f.file_name).collect()
}

async fn files_of_a_wrong_form_wait_for_the_corrected_one(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let site = Site::start(&bank).await;
    let mut b = signed_in(&site, &bank, bank.requester).await;
    let form = b.get("/requests/new").await;
    let csrf = form_csrf(&form);
    let date = bank.appointment_date().format("%Y-%m-%d").to_string();
    let png: &[u8] = b"\x89PNG\r\n\x1a\n0000IHDR";
    let fields = |duration: &'static str| {
        vec![
            ("request_type", "en présentiel"),
            ("start_time", "10:00"),
            ("duration_minutes", duration),
            ("target_language", "espagnol"),
            ("location", "Clinique externe"),
        ]
    };

    // A wrong form keeps its files: they come back as ticked boxes, not as a request to
    // attach them again.
    let mut wrong = fields("longtemps");
    wrong.extend([("csrf", csrf.as_str()), ("date", date.as_str())]);
    let back = b
        .post_multipart(
            "/requests/new",
            &wrong,
            &[
                ("attachments", "ordonnance.pdf", PDF),
                ("attachments", "carte.png", png),
            ],
        )
        .await;
    assert_eq!(back.status, 422, "{}", back.body);
    accessible(&back);
    assert!(back.body.contains("ordonnance.pdf (1 Ko)"), "{}", back.body);
    let tokens = kept_tokens(&back);
    assert_eq!(tokens.len(), 2, "{}", back.body);

    // Another person cannot claim them with the tokens.
    let mut other = signed_in(&site, &bank, bank.colleague).await;
    let theirs = other.get("/requests/new").await;
    let their_csrf = form_csrf(&theirs);
    let mut stolen = fields("60");
    stolen.extend([("csrf", their_csrf.as_str()), ("date", date.as_str())]);
    stolen.extend(tokens.iter().map(|t| ("kept", t.as_str())));
    let created = other.post_multipart("/requests/new", &stolen, &[]).await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert!(attachment_names(&bank, request_id(&created)).await.is_empty());

    // Still wrong, the first file unticked and a third one added: two wait now.
    let mut again = fields("longtemps");
    again.extend([
        ("csrf", csrf.as_str()),
        ("date", date.as_str()),
        ("kept", tokens[1].as_str()),
    ]);
    let back = b
        .post_multipart("/requests/new", &again, &[("attachments", "lettre.pdf", PDF)])
        .await;
    assert_eq!(back.status, 422, "{}", back.body);
    assert!(!back.body.contains("ordonnance.pdf"), "{}", back.body);
    let tokens = kept_tokens(&back);
    assert_eq!(tokens.len(), 2, "{}", back.body);

    // Corrected: the request carries the files that waited, once.
    let mut right = fields("60");
    right.extend([("csrf", csrf.as_str()), ("date", date.as_str())]);
    right.extend(tokens.iter().map(|t| ("kept", t.as_str())));
    let created = b.post_multipart("/requests/new", &right, &[]).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = request_id(&created);
    let mut names = attachment_names(&bank, id).await;
    names.sort();
    assert_eq!(names, ["carte.png", "lettre.pdf"]);

    // Sent twice (a double click): the same appointment is flagged before it is saved, and
    // the tokens are spent: no file joins twice.
    let twice = b.post_multipart("/requests/new", &right, &[]).await;
    assert_eq!(twice.status, 422, "{}", twice.body);
    assert!(
        twice.body.contains("Une demande semblable existe déjà"),
        "{}",
        twice.body
    );
    assert!(!twice.body.contains("carte.png"), "{}", twice.body);
    let mut insisted = right.clone();
    insisted.push(("send_anyway", "oui"));
    let again = b.post_multipart("/requests/new", &insisted, &[]).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert!(attachment_names(&bank, request_id(&again)).await.is_empty());
    assert_eq!(attachment_names(&bank, id).await.len(), 2);
}

/// The request ids a list page links to, in order.
fn listed(page: &Answer) -> Vec<i64> {
    let re = regex::Regex::new(r#"<td data-label="Demande"><a href="/requests/(\d+)">"#).unwrap();
    re.captures_iter(&page.body).map(|c| c[1].parse().unwrap()).collect()
}

fn next_page(page: &Answer) -> Option<String> {
    let re = regex::Regex::new(r#"<a href="(/requests\?[^"]*after=[^"]+)">"#).unwrap();
    re.captures(&page.body).map(|c| c[1].to_string())
}

async fn long_lists_come_a_page_at_a_time(engine: Engine) {
    let bank = TestBank::new(engine).await;
    // 205 requests at the same hour: the pages must part them by id, not by time alone.
    let mut made = Vec::new();
    for _ in 0..205 {
        made.push(bank.create().await.0);
    }
    let site = Site::start(&bank).await;
    let mut b = signed_in(&site, &bank, bank.requester).await;

    let mut seen = Vec::new();
    let mut address = "/requests?status=new".to_string();
    let mut pages = 0;
    loop {
        let page = b.get(&address).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let ids = listed(&page);
        assert!(ids.len() <= 100, "a page holds 100 lines");
        seen.extend(ids);
        pages += 1;
        match next_page(&page) {
            Some(next) => {
                assert!(next.contains("status=new"), "the next page keeps the search: {next}");
                address = next;
            }
            None => break,
        }
        assert!(pages < 5, "the pages end: {address} {:?}", seen.len());
    }
    assert_eq!(pages, 3);
    let mut expected = made.clone();
    expected.sort_unstable();
    assert_eq!(
        seen, expected,
        "every request once, coming up first (by id at the same hour)"
    );

    // The last page leads back to the start; a request booked meanwhile does not shift
    // what the pages held: it comes after them.
    let last = b.get(&address).await;
    assert!(last.body.contains("Retour au début"), "{}", last.body);
    let newer = bank.create().await;
    let again = listed(&b.get(&address).await);
    assert_eq!(again[..listed(&last).len()], listed(&last)[..]);
    assert_eq!(again.last(), Some(&newer.0));

    // Every date, latest first, on asking for it.
    let all = listed(&b.get("/requests?status=new&period=all").await);
    let mut latest_first = made.clone();
    latest_first.push(newer.0);
    latest_first.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(all, latest_first[..100]);
}

async fn addresses_that_lead_nowhere_answer_the_banks_page(engine: Engine) {
    let bank = TestBank::new(engine).await;
    let site = Site::start(&bank).await;
    let mut b = signed_in(&site, &bank, bank.requester).await;
    let bank_name = support::settings(&bank, &[]).general.bank_name;
    // The router's own 404, and a page a requester's roles do not open.
    for path in ["/nowhere", "/board", "/admin/people"] {
        let page = b.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert_eq!(
            page.headers.get("content-type").unwrap().to_str().unwrap(),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert!(page.body.contains("<html lang=\"fr\">"), "{path}: {}", page.body);
        assert!(page.body.contains(&bank_name), "{path}: {}", page.body);
        assert!(page.body.contains("Page introuvable"), "{path}: {}", page.body);
        assert!(
            !page.body.contains("Page not found"),
            "in her language alone: {}",
            page.body
        );
        assert!(
            page.body.contains("<a href=\"/requests\">Mes demandes</a>"),
            "onward to her requests: {}",
            page.body
        );
        assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    }
    // Machines get what they asked for, unchanged.
    let health = site.get("/healthz", "").await;
    assert_eq!(health.status, 200);
    assert!(!health.body.contains("<html"));
}

/// Wherever a person is, the page opens with one header: the bank's name, the pages their
/// roles open with the current one marked, and signing out; the same entries on every page
/// of the same person, whichever template draws it.
async fn every_signed_in_page_opens_with_the_same_header_for_the_role(engine: Engine) {
    let w = World::new(engine).await;
    let bank = &w.bank;
    let id = bank.create().await;
    let header = regex::Regex::new(r#"(?s)<header class="site">(.*?)</header>"#).unwrap();
    let entry = regex::Regex::new(r#"<li><a href="([^"]+)"( aria-current="page")?>"#).unwrap();
    let cases: [(PersonId, &[(&str, &str)]); 3] = [
        (
            bank.requester,
            &[
                ("/requests", "/requests"),
                ("/requests/new", "/requests/new"),
                (&format!("/requests/{}", id.0), "/requests"),
                ("/profile", "/profile"),
                ("/organisations", "/organisations"),
                ("/account", "/account"),
                ("/account/mfa", "/account"),
            ],
        ),
        (
            bank.interpreters[0],
            &[
                ("/requests", "/requests"),
                ("/profile", "/profile"),
                ("/downloads", "/downloads"),
                ("/account", "/account"),
            ],
        ),
        (
            bank.coordinator,
            &[
                ("/board", "/board"),
                ("/requests", "/requests"),
                (&format!("/requests/{}", id.0), "/requests"),
                ("/requests/new", "/requests/new"),
                ("/admin/people", "/admin/people"),
                ("/admin/people/new", "/admin/people"),
                ("/admin/establishments", "/admin/establishments"),
                (
                    &format!("/admin/establishments/{}", bank.establishment.0),
                    "/admin/establishments",
                ),
                ("/downloads", "/downloads"),
                ("/account", "/account"),
            ],
        ),
    ];
    for (person, pages) in cases {
        let mut b = w.signed_in(person).await;
        let mut entries_seen: Option<Vec<String>> = None;
        for (path, current) in pages {
            let mut page = b.get(path).await;
            if page.status == 303 {
                // « Mes organisations » of someone in one opens that one.
                let there = support::web::location(&page).to_string();
                page = b.get(&there).await;
            }
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            let headers: Vec<_> = header.captures_iter(&page.body).collect();
            assert_eq!(headers.len(), 1, "one header on {path}: {}", page.body);
            let inside = &headers[0][1];
            assert!(
                inside.contains(r#"<p class="bank">Banque d'interprètes (démo)</p>"#),
                "the bank's name on {path}: {inside}"
            );
            assert!(
                inside.contains(r#"action="/logout""#),
                "signing out on {path}: {inside}"
            );
            let entries: Vec<(String, bool)> = entry
                .captures_iter(inside)
                .map(|c| (c[1].to_string(), c.get(2).is_some()))
                .collect();
            let marked: Vec<_> = entries.iter().filter(|(_, on)| *on).map(|(h, _)| h.as_str()).collect();
            assert_eq!(marked, [*current], "the current entry on {path}: {inside}");
            let hrefs: Vec<String> = entries.into_iter().map(|(h, _)| h).collect();
            match &entries_seen {
                Some(seen) => assert_eq!(&hrefs, seen, "the same header on {path}"),
                None => entries_seen = Some(hrefs),
            }
            accessible(&page);
        }
    }
}
