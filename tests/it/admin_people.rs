//! People administration over real HTTP, on both engines: coordinators add a requester or
//! an interpreter from the web and the person activates their account from the mail;
//! mistakes come back beside their field with nothing saved; coordinators keep an
//! interpreter's languages and financial file (which the interpreter then sees) and a
//! requester's installations; deactivation ends sessions and sign-in at once; nobody else
//! gets in, and a form without its CSRF value changes nothing. A file of people uploaded
//! from a French Excel is imported once, line by line, in the coordinator's name.

mod list;

use crate::support;

use relais::domain::contact::EmailAddress;
use relais::domain::ids::{InstallationId, PersonId};
use relais::domain::interpreter::TaxRegistration;
use relais::domain::role::Role;
use support::Engine;
use support::web::{Answer, Browser, STRONG, World, accessible, beside, location, value};

on_both_engines!(
    coordinators_add_people_who_activate_their_account_from_the_mail,
    a_wrong_person_form_comes_back_with_each_problem_and_saves_nothing,
    coordinators_keep_languages_financial_files_and_installations,
    deactivation_ends_sessions_and_sign_in_until_reactivated,
    only_coordinators_past_their_second_factor_manage_people,
    coordinators_import_a_file_of_people_once,
);

async fn person_by_email(w: &World, email: &str) -> Option<relais::domain::person::Person> {
    let mut tx = w.bank.store.begin().await.unwrap();
    let p = tx.person_by_email(&EmailAddress::parse(email).unwrap()).await.unwrap();
    tx.commit().await.unwrap();
    p
}

async fn roster_size(w: &World) -> usize {
    let mut tx = w.bank.store.begin().await.unwrap();
    let mut n = 0;
    for role in Role::ALL {
        n += tx.roster(role).await.unwrap().len();
    }
    tx.commit().await.unwrap();
    n
}

/// Follows a 303 after a change and returns the page it leads to.
async fn follow(b: &mut Browser<'_>, answer: &Answer) -> Answer {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let to = location(answer).to_string();
    let page = b.get(&to).await;
    assert_eq!(page.status, 200, "{to}: {}", page.body);
    page
}

async fn coordinators_add_people_who_activate_their_account_from_the_mail(engine: Engine) {
    let w = World::new(engine).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let people = b.get("/admin/people").await;
    assert_eq!(people.status, 200, "{}", people.body);
    accessible(&people);
    assert!(people.body.contains("Ajouter une personne"), "{}", people.body);
    let form = b.get("/admin/people/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    accessible(&form);
    let installation = w.bank.installation.0.to_string();
    assert!(
        form.body.contains(&format!(
            "<option value=\"{installation}\">CCSMTL — Hôpital Notre-Dame</option>"
        )),
        "{}",
        form.body
    );

    let added = b
        .submit(
            &form,
            "/admin/people/new",
            &[
                ("role", "requester"),
                ("first_name", "Nadia"),
                ("last_name", "Roy"),
                ("email", "nadia.roy@ciusss.example"),
                ("mobile", ""),
                ("phone", "514 555-0199 poste 12"),
                ("locale", "fr"),
                ("installation", &installation),
                ("languages", ""),
            ],
        )
        .await;
    let page = follow(&mut b, &added).await;
    accessible(&page);
    assert!(page.body.contains("Nadia Roy"), "{}", page.body);
    assert!(
        page.body.contains("son lien d'activation lui a été envoyé"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("lien d'activation envoyé, pas encore utilisé"),
        "{}",
        page.body
    );
    assert!(page.body.contains("personne ajoutée"), "history: {}", page.body);
    let nadia = person_by_email(&w, "nadia.roy@ciusss.example").await.expect("created");
    assert_eq!(nadia.roles, vec![Role::Requester]);
    assert_eq!(nadia.phone.as_deref(), Some("514 555-0199 poste 12"));

    // The mail is the way in: Nadia sets her password and finds her installation.
    let link = w
        .next_link("nadia.roy@ciusss.example", "account_activation", "/account/activate/")
        .await;
    let mut nb = Browser::new(&w.site);
    let activation = nb.get(&link).await;
    let done = nb
        .submit(&activation, &link, &[("password", STRONG), ("confirmation", STRONG)])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let signed = nb.sign_in("nadia.roy@ciusss.example", STRONG).await;
    assert_eq!(location(&signed), "/", "{}", signed.body);
    let profile = nb.get("/profile").await;
    assert!(profile.body.contains("Hôpital Notre-Dame"), "{}", profile.body);

    // An interpreter starts with their language pairs and gets offers by text message.
    let form = b.get("/admin/people/new").await;
    let added = b
        .submit(
            &form,
            "/admin/people/new",
            &[
                ("role", "interpreter"),
                ("first_name", "Karim"),
                ("last_name", "Benali"),
                ("email", "karim@interpretes.example"),
                ("mobile", "514 555-0142"),
                ("locale", "en"),
                ("installation", ""),
                ("languages", "français > arabe\r\nEnglish -> Arabic"),
            ],
        )
        .await;
    let page = follow(&mut b, &added).await;
    assert!(page.body.contains("Langues et dossier financier"), "{}", page.body);
    let karim = person_by_email(&w, "karim@interpretes.example").await.expect("created");
    assert!(karim.notify_sms && karim.mobile.is_some());
    let mut tx = w.bank.store.begin().await.unwrap();
    let profile = tx.interpreter_profile(karim.id).await.unwrap().expect("interpreter");
    tx.commit().await.unwrap();
    let pairs: Vec<(String, String)> = profile
        .language_pairs
        .iter()
        .map(|p| (p.source.to_string(), p.target.to_string()))
        .collect();
    assert_eq!(
        pairs,
        vec![("en".into(), "ar".into()), ("fr".into(), "ar".into())],
        "kept by source"
    );
    w.next_link("karim@interpretes.example", "account_activation", "/account/activate/")
        .await;
    let everyone = b.get("/admin/people").await;
    assert!(everyone.body.contains("Karim Benali"), "{}", everyone.body);
    // Each person's account in words; the activation button only where it is of use.
    let karim = list::row_with(&everyone, "karim@interpretes.example");
    assert!(karim.contains("<td data-label=\"Compte\">Lien envoyé</td>"), "{karim}");
    let sophie = list::row_with(&everyone, "Sophie Gagnon");
    assert!(
        sophie.contains("<td data-label=\"Compte\">Compte actif</td>"),
        "the coordinator signed in: {sophie}"
    );
    let invites = everyone.body.matches("action=\"/admin/people/invite\"").count();
    let waiting = everyone
        .body
        .matches("<td data-label=\"Compte\">Lien envoyé</td>")
        .count()
        + everyone
            .body
            .matches("<td data-label=\"Compte\">Sans compte</td>")
            .count();
    assert!(waiting > 0);
    assert_eq!(
        invites, waiting,
        "an invite only for who has no active account: {}",
        everyone.body
    );
}

async fn a_wrong_person_form_comes_back_with_each_problem_and_saves_nothing(engine: Engine) {
    let w = World::new(engine).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let before = roster_size(&w).await;
    let form = b.get("/admin/people/new").await;
    let wrong = b
        .submit(
            &form,
            "/admin/people/new",
            &[
                ("role", "interpreter"),
                ("first_name", "Karim"),
                ("last_name", ""),
                ("email", "pas une adresse"),
                ("mobile", "12"),
                ("locale", "fr"),
                ("languages", "français > klingon"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    accessible(&wrong);
    assert!(wrong.body.contains("Rien n'a été enregistré"), "{}", wrong.body);
    assert_eq!(
        beside(&wrong, "new-person-email"),
        ("Adresse courriel invalide.".into(), "pas une adresse".into())
    );
    assert_eq!(beside(&wrong, "new-person-last_name").0, "Ce champ est obligatoire.");
    assert!(
        beside(&wrong, "new-person-mobile")
            .0
            .starts_with("Numéro de cellulaire invalide")
    );
    assert_eq!(value(&wrong, "new-person-first_name"), "Karim", "what was typed stays");
    assert!(
        wrong.body.contains("Langue inconnue\u{a0}: «\u{a0}klingon\u{a0}»."),
        "languages: {}",
        wrong.body
    );
    assert!(wrong.body.contains("français > klingon</textarea>"), "{}", wrong.body);
    assert!(
        wrong.body.contains("<option value=\"interpreter\" selected>"),
        "the role chosen stays: {}",
        wrong.body
    );

    // The address of someone already known, and a requester without an installation.
    let taken = w.email_of(w.bank.requester).await;
    let again = b
        .submit(
            &wrong,
            "/admin/people/new",
            &[
                ("role", "requester"),
                ("first_name", "Marie"),
                ("last_name", "Doublon"),
                ("email", &taken),
                ("locale", "fr"),
                ("installation", &w.bank.installation.0.to_string()),
            ],
        )
        .await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert_eq!(
        beside(&again, "new-person-email").0,
        "Une autre personne a déjà cette adresse courriel."
    );
    let nowhere = b
        .submit(
            &again,
            "/admin/people/new",
            &[
                ("role", "requester"),
                ("first_name", "Luc"),
                ("last_name", "Sansplace"),
                ("email", "luc@ciusss.example"),
                ("installation", ""),
            ],
        )
        .await;
    assert_eq!(nowhere.status, 422, "{}", nowhere.body);
    assert!(
        nowhere
            .body
            .contains("Un demandeur appartient à au moins une installation."),
        "{}",
        nowhere.body
    );
    assert_eq!(roster_size(&w).await, before, "nothing was created");
    assert!(w.unseen_mail("luc@ciusss.example", "account_activation").is_none());
}

async fn coordinators_keep_languages_financial_files_and_installations(engine: Engine) {
    let w = World::new(engine).await;
    let interpreter = w.bank.interpreters[0];
    let mut ib = w.signed_in(interpreter).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let code = w.user_code(interpreter).await;
    let page = b.get(&format!("/admin/people/{code}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    accessible(&page);
    let action = format!("/admin/people/{code}/record");
    let saved = b
        .submit(
            &page,
            &action,
            &[
                ("languages", "français > arabe\nanglais > espagnol"),
                ("legal_name", ""),
                ("supplier_number", "F-77"),
                ("tax_registration", "added"),
                ("gst", "123456789RT0001"),
                ("qst", ""),
            ],
        )
        .await;
    let page = follow(&mut b, &saved).await;
    assert!(
        page.body.contains("Les changements ont été enregistrés."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("langues ou dossier financier modifiés"),
        "{}",
        page.body
    );
    let mut tx = w.bank.store.begin().await.unwrap();
    let profile = tx.interpreter_profile(interpreter).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let pairs: Vec<String> = profile.language_pairs.iter().map(|p| p.target.to_string()).collect();
    assert_eq!(pairs.len(), 2);
    assert!(
        pairs.contains(&"es".to_string()) && pairs.contains(&"ar".to_string()),
        "{pairs:?}"
    );
    assert_eq!(profile.financial.supplier_number.as_deref(), Some("F-77"));
    assert_eq!(profile.financial.tax_registration, TaxRegistration::Added);
    assert_eq!(profile.financial.gst.unwrap().number, "123456789RT0001");
    // The interpreter sees them, read-only.
    let own = ib.get("/profile").await;
    assert!(own.body.contains("fournisseur F-77"), "{}", own.body);
    assert!(own.body.contains("Français → Arabe"), "{}", own.body);
    assert!(!own.body.contains("name=\"languages\""), "not editable: {}", own.body);
    // In words: the registration and what they take, never the stored codes.
    assert!(own.body.contains("Inscrit, taxes ajoutées aux tarifs"), "{}", own.body);
    assert!(own.body.contains("Par vidéoconférence"), "{}", own.body);
    assert!(own.body.contains("Genre"), "{}", own.body);
    assert!(!own.body.contains("· added"), "{}", own.body);

    // A wrong language line saves nothing, the financial file included.
    let wrong = b
        .submit(
            &page,
            &action,
            &[
                ("languages", "français espagnol"),
                ("supplier_number", "F-78"),
                ("tax_registration", "added"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("«\u{a0}français espagnol\u{a0}»"), "{}", wrong.body);
    assert_eq!(value(&wrong, "record-supplier_number"), "F-78");

    // A requester's installations: another of their establishment, not someone else's.
    let mut tx = w.bank.store.begin().await.unwrap();
    let second = tx
        .insert_installation(w.bank.establishment, "CLSC Plateau", None, None)
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let requester = w.user_code(w.bank.requester).await;
    let page = b.get(&format!("/admin/people/{requester}")).await;
    assert!(page.body.contains("CLSC Plateau"), "{}", page.body);
    let places = format!("/admin/people/{requester}/places");
    let both = [
        ("installation", w.bank.installation.0.to_string()),
        ("installation", second.0.to_string()),
        ("cost_centre", String::new()),
    ];
    let both: Vec<(&str, &str)> = both.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = b.submit(&page, &places, &both).await;
    follow(&mut b, &saved).await;
    let mut tx = w.bank.store.begin().await.unwrap();
    let profile = tx.requester_profile(w.bank.requester).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let mut held: Vec<InstallationId> = profile.installations;
    held.sort_by_key(|i| i.0);
    assert_eq!(held, vec![w.bank.installation, second]);
    let foreign = w.bank.other_installation.0.to_string();
    let refused = b
        .submit(&page, &places, &[("installation", &foreign), ("cost_centre", "")])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let none = b.submit(&page, &places, &[("cost_centre", "")]).await;
    assert_eq!(none.status, 422, "{}", none.body);
    assert!(none.body.contains("au moins une installation"), "{}", none.body);
    // Another establishment's cost centre: refused, and the installations stay as they were.
    let mut tx = w.bank.store.begin().await.unwrap();
    let elsewhere = tx
        .insert_cost_centre(w.bank.other_establishment, "CN-1", "Ailleurs")
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let first_only = w.bank.installation.0.to_string();
    let foreign_centre = elsewhere.0.to_string();
    let wrong = b
        .submit(
            &page,
            &places,
            &[("installation", &first_only), ("cost_centre", &foreign_centre)],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        wrong
            .body
            .contains(r#"id="places-cost_centre-error">Choisissez une des valeurs proposées."#),
        "{}",
        wrong.body
    );
    let mut tx = w.bank.store.begin().await.unwrap();
    let kept = tx.requester_profile(w.bank.requester).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(kept.installations.len(), 2, "nothing saved, installations included");
    // An interpreter has no places to keep.
    let interpreter_places = format!("/admin/people/{code}/places");
    let csrf = support::web::csrf_of(&page);
    let nowhere = b
        .post(&interpreter_places, &[("csrf", &csrf), ("installation", &first_only)])
        .await;
    assert_eq!(nowhere.status, 404, "{}", nowhere.body);

    // Contact details: the address stays unique.
    let contact = format!("/admin/people/{requester}/contact");
    let taken = w.email_of(w.bank.colleague).await;
    let clash = b
        .submit(
            &page,
            &contact,
            &[
                ("first_name", "Marie"),
                ("last_name", "Tremblay"),
                ("email", &taken),
                ("locale", "fr"),
            ],
        )
        .await;
    assert_eq!(clash.status, 422, "{}", clash.body);
    assert_eq!(
        beside(&clash, "contact-email"),
        (
            "Une autre personne a déjà cette adresse courriel.".into(),
            taken.clone()
        )
    );
    let moved = b
        .submit(
            &page,
            &contact,
            &[
                ("first_name", "Marie"),
                ("last_name", "Tremblay-Roy"),
                ("email", "marie.tremblay-roy@ciusss.example"),
                ("mobile", "438 555-0101"),
                ("locale", "en"),
            ],
        )
        .await;
    let page = follow(&mut b, &moved).await;
    assert!(page.body.contains("Marie Tremblay-Roy"), "{}", page.body);
    assert!(page.body.contains("coordonnées modifiées"), "{}", page.body);
    let marie = person_by_email(&w, "marie.tremblay-roy@ciusss.example").await.unwrap();
    assert_eq!(marie.id, w.bank.requester);
    assert_eq!(marie.mobile.unwrap().as_str(), "+14385550101");
}

async fn deactivation_ends_sessions_and_sign_in_until_reactivated(engine: Engine) {
    let w = World::new(engine).await;
    let mut rb = w.signed_in(w.bank.requester).await;
    assert_eq!(rb.get("/profile").await.status, 200);
    let mut b = w.signed_in(w.bank.coordinator).await;
    let code = w.user_code(w.bank.requester).await;
    let page = b.get(&format!("/admin/people/{code}")).await;
    assert!(page.body.contains("Désactiver cette personne"), "{}", page.body);
    let off = b
        .submit(&page, &format!("/admin/people/{code}/active"), &[("active", "0")])
        .await;
    let page = follow(&mut b, &off).await;
    assert!(page.body.contains("ses sessions ont pris fin"), "{}", page.body);
    assert!(page.body.contains("Réactiver cette personne"), "{}", page.body);
    assert!(
        page.body.contains("Sophie Gagnon — désactivée"),
        "history: {}",
        page.body
    );

    let after = rb.get("/profile").await;
    assert_ne!(after.status, 200, "the session ended: {}", after.body);
    let email = w.email_of(w.bank.requester).await;
    let mut again = Browser::new(&w.site);
    let refused = again.sign_in(&email, STRONG).await;
    assert_ne!(location(&refused), "/", "{}", refused.body);
    let everyone = b.get("/admin/people").await;
    let row = list::row_with(&everyone, &email);
    assert!(
        row.contains("<td data-label=\"Compte\">Inactif</td>"),
        "listed as inactive: {row}"
    );

    // A coordinator cannot lock themselves out, even by posting the form by hand.
    let me = w.user_code(w.bank.coordinator).await;
    let mine = b.get(&format!("/admin/people/{me}")).await;
    assert!(!mine.body.contains("Désactiver cette personne"), "{}", mine.body);
    let csrf = support::web::csrf_of(&mine);
    let self_off = b
        .post(
            &format!("/admin/people/{me}/active"),
            &[("csrf", &csrf), ("active", "0")],
        )
        .await;
    assert_eq!(self_off.status, 403, "{}", self_off.body);
    assert!(self_off.body.contains("vous désactiver vous-même"), "{}", self_off.body);
    assert!(
        person_by_email(&w, &w.email_of(w.bank.coordinator).await)
            .await
            .unwrap()
            .active
    );

    let page = b.get(&format!("/admin/people/{code}")).await;
    let on = b
        .submit(&page, &format!("/admin/people/{code}/active"), &[("active", "1")])
        .await;
    follow(&mut b, &on).await;
    let back = again.sign_in(&email, STRONG).await;
    assert_eq!(location(&back), "/", "{}", back.body);
}

async fn only_coordinators_past_their_second_factor_manage_people(engine: Engine) {
    let w = World::new(engine).await;
    let code = w.user_code(w.bank.colleague).await;
    for person in [w.bank.requester, w.bank.interpreters[0]] {
        let mut b = w.signed_in(person).await;
        for path in ["/admin/people", "/admin/people/new", &format!("/admin/people/{code}")] {
            assert_eq!(b.get(path).await.status, 404, "{path}");
        }
        let own = b.get("/profile").await;
        let csrf = support::web::csrf_of(&own);
        let off = b
            .post(
                &format!("/admin/people/{code}/active"),
                &[("csrf", &csrf), ("active", "0")],
            )
            .await;
        assert_eq!(off.status, 404, "{}", off.body);
    }
    // A coordinator without their second factor is sent to enrol it.
    let email = w.activate(w.bank.coordinator, STRONG).await;
    let mut half = Browser::new(&w.site);
    half.sign_in(&email, STRONG).await;
    let sent = half.get("/admin/people/new").await;
    assert_eq!((sent.status, location(&sent)), (303, "/account/mfa"));
    let mfa = half.get("/account/mfa").await;
    let secret = support::web::shown_secret(&mfa);
    let now = relais::clock::Clock::now(&*w.bank.clock).timestamp();
    let enrolled = half
        .submit(&mfa, "/account/mfa/totp", &[("code", &secret.code_at(now).unwrap())])
        .await;
    assert_eq!(enrolled.status, 200, "{}", enrolled.body);
    let mut b = half;
    let forged = b
        .post(
            &format!("/admin/people/{code}/active"),
            &[("csrf", "not-the-session's"), ("active", "0")],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(forged.body.contains("Rien n'a été fait"), "{}", forged.body);
    let colleague: PersonId = w.bank.colleague;
    let email = w.email_of(colleague).await;
    assert!(person_by_email(&w, &email).await.unwrap().active, "still active");
    assert_eq!(b.get("/admin/people/UNOBODY0001").await.status, 404);
    let page = b.get(&format!("/admin/people/{code}")).await;
    let csrf = support::web::csrf_of(&page);
    let unknown = b
        .post(&format!("/admin/people/{code}/promote"), &[("csrf", &csrf)])
        .await;
    assert_eq!(unknown.status, 404);
}

/// Uploads `file` as the roster page's import form does.
async fn import(b: &mut Browser<'_>, csrf: &str, file: &[u8]) -> Answer {
    b.post_multipart(
        "/admin/people/import",
        &[("csrf", csrf)],
        &[("file", "personnes.csv", file)],
    )
    .await
}

async fn coordinators_import_a_file_of_people_once(engine: Engine) {
    let w = World::new(engine).await;
    let marie = w.email_of(w.bank.requester).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let page = b.get("/admin/people").await;
    assert!(
        page.body
            .contains(r#"action="/admin/people/import" enctype="multipart/form-data""#),
        "{}",
        page.body
    );
    accessible(&page);
    let csrf = support::web::csrf_of(&page);
    // What Excel saves as "CSV (séparateur : point-virgule)" on a French Windows: Windows-1252.
    let text = format!(
        "courriel;prénom;nom;rôle;établissement;installation;langue\r\n\
         nadia@ciusss.example;Nadia;Belkacem;demandeur;CCSMTL;Hôpital Notre-Dame;fr\r\n\
         omar@interpretes.example;Omar;Haddad;interprète;;;en\r\n\
         {marie};Marie;Tremblay;demandeur;CCSMTL;Hôpital Notre-Dame;fr\r\n\
         paul@ciusss.example;Paul;Roy;demandeur;CCSMTL;Pavillon inconnu;fr\r\n"
    );
    let (file, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    let done = import(&mut b, &csrf, &file).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains(
            "Fichier importé\u{a0}: 2 ajoutée(s), 1 invitée(s), 0 mise(s) à jour, 0 inchangée(s), 1 refusée(s)."
        ),
        "{}",
        done.body
    );
    assert!(
        done.body
            .contains("Ligne 2 — nadia@ciusss.example — ajoutée, lien d'activation envoyé"),
        "{}",
        done.body
    );
    assert!(
        done.body.contains(
            "Ligne 5 — paul@ciusss.example — refusée\u{a0}: CCSMTL n'a pas d'installation nommée «\u{a0}Pavillon inconnu\u{a0}»"
        ),
        "{}",
        done.body
    );
    let nadia = person_by_email(&w, "nadia@ciusss.example").await.expect("imported");
    let mut tx = w.bank.store.begin().await.unwrap();
    let profile = tx.requester_profile(nadia.id).await.unwrap().unwrap();
    let history = tx
        .history_of(relais::domain::history::Entity::Person, nadia.id.0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(profile.installations, vec![w.bank.installation], "Hôpital read right");
    assert_eq!(
        history[0].actor_id,
        Some(w.bank.coordinator),
        "in the coordinator's name"
    );
    w.next_link("nadia@ciusss.example", "account_activation", "/account/activate/")
        .await;
    w.next_link(&marie, "account_activation", "/account/activate/").await;

    let again = import(&mut b, &csrf, &file).await;
    assert!(
        again
            .body
            .contains("0 ajoutée(s), 0 invitée(s), 0 mise(s) à jour, 3 inchangée(s), 1 refusée(s)"),
        "idempotent: nothing sent twice: {}",
        again.body
    );
    assert!(w.unseen_mail("nadia@ciusss.example", "account_activation").is_none());
    assert!(
        again
            .body
            .contains("Ligne 2 — nadia@ciusss.example — déjà connue\u{a0}: inchangée"),
        "{}",
        again.body
    );

    // A known interpreter's profile takes the cells the file fills, in the coordinator's
    // name, once.
    let lucia = w.email_of(w.bank.interpreters[0]).await;
    let profile =
        format!("courriel;prénom;nom;rôle;genre;contextes;adresse\n{lucia};Lucía;Ramírez;interprète;femme;DPJ;\n");
    let updated = import(&mut b, &csrf, profile.as_bytes()).await;
    assert!(
        updated.body.contains(&format!(
            "Ligne 2 — {lucia} — déjà connue\u{a0}: mise à jour (genre, contextes), lien d'activation envoyé"
        )),
        "{}",
        updated.body
    );
    let code = w.user_code(w.bank.interpreters[0]).await;
    let page = b.get(&format!("/admin/people/{code}")).await;
    assert!(
        page.body
            .contains("Sophie Gagnon — profil d'interprète mis à jour par importation (genre, contextes)"),
        "history: {}",
        page.body
    );
    let again = import(&mut b, &csrf, profile.as_bytes()).await;
    assert!(
        again.body.contains("0 mise(s) à jour, 1 inchangée(s)"),
        "{}",
        again.body
    );

    let headless = import(&mut b, &csrf, b"courriel;prenom;nom\nx@y.example;X;Y\n").await;
    assert_eq!(headless.status, 422, "{}", headless.body);
    assert!(
        headless
            .body
            .contains("Rien n'a été importé\u{a0}: en-tête\u{a0}: la colonne role manque"),
        "{}",
        headless.body
    );
    let empty = import(&mut b, &csrf, &[]).await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    let before = roster_size(&w).await;
    let other = "courriel;prénom;nom;rôle\nzoe@ciusss.example;Zoé;Roy;coordonnateur\n";
    let forged = import(&mut b, "forged", other.as_bytes()).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(roster_size(&w).await, before, "nothing imported");

    let mut rb = w.signed_in(w.bank.colleague).await;
    let own = rb.get("/profile").await;
    let theirs = import(&mut rb, &support::web::csrf_of(&own), other.as_bytes()).await;
    assert_eq!(theirs.status, 404);
    assert!(person_by_email(&w, "zoe@ciusss.example").await.is_none());
}
