//! An interpreter's profile kept by the coordinators over real HTTP, on both engines: the
//! genders, regions, postal codes, request types, contexts and blocked establishments set
//! on the person's page are what matching then reads: a request asking for a woman goes to
//! the interpreter set as one first, to the one whose gender is not given next, with the
//! reason named on the board and in the digest (with each candidate's user code to type
//! after ASSIGNER), never to the one set as a man. Documents, inactivity periods and tax
//! registration dates are kept the same way; a wrong value comes back beside its field.
//! The contexts set there rank the interpreter who knows a request's context first, with
//! the reason on the board and in the digest.
//! An eligibility document keeps its file beside it: the coordinators and the interpreter
//! download it, nobody else; replacing or removing it, or the document, removes it.

use crate::support;

use relais::domain::ids::PersonId;
use relais::domain::interpreter::InterpreterProfile;
use relais::domain::matching::{Exclusion, Merit};
use relais::domain::request::{Gender, RequestType};
use relais::workflow::Command;
use support::Engine;
use support::web::{Answer, Browser, World, accessible, beside, location};

on_both_engines!(
    a_gendered_request_follows_the_genders_set_on_the_interpreters_pages,
    coordinators_keep_documents_inactivity_and_tax_dates,
    coordinators_keep_an_interpreter_s_files,
    an_eligibility_document_keeps_its_file_for_its_interpreter_and_the_coordinators,
    the_interpreter_who_knows_the_request_s_context_is_proposed_first,
);

async fn follow(b: &mut Browser<'_>, answer: &Answer) -> Answer {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let to = location(answer).to_string();
    let page = b.get(&to).await;
    assert_eq!(page.status, 200, "{to}: {}", page.body);
    page
}

async fn profile(w: &World, person: PersonId) -> InterpreterProfile {
    let mut tx = w.bank.store.begin().await.unwrap();
    let p = tx.interpreter_profile(person).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    p
}

/// Sets an interpreter's placement through their page, as a coordinator.
async fn place(w: &World, b: &mut Browser<'_>, person: PersonId, fields: &[(&str, &str)]) -> Answer {
    let code = w.user_code(person).await;
    let path = format!("/admin/people/{code}");
    let page = b.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    b.submit(&page, &format!("{path}/placement"), fields).await
}

async fn a_gendered_request_follows_the_genders_set_on_the_interpreters_pages(engine: Engine) {
    let w = World::new(engine).await;
    let [lucia, diego, ana] = [0, 1, 2].map(|i| w.bank.interpreters[i]);
    let mut b = w.signed_in(w.bank.coordinator).await;
    let page = b.get(&format!("/admin/people/{}", w.user_code(lucia).await)).await;
    accessible(&page);
    assert!(page.body.contains("Profil de l'interprète"), "{}", page.body);
    assert!(page.body.contains("Non renseigné"), "{}", page.body);
    let other = w.bank.other_establishment.0.to_string();
    for (person, gender) in [(lucia, "female"), (diego, "male")] {
        let saved = place(
            &w,
            &mut b,
            person,
            &[
                ("gender", gender),
                ("main_region", "06-Montréal"),
                ("address", "1001 3e Avenue E"),
                ("postal_code", "H2X 1Y4"),
                ("work_postal_codes", "H2X 1Y4, H3A 1A1"),
                ("request_types", "in_person"),
                ("request_types", "phone"),
                ("contexts", "DPJ\nSanté mentale"),
                ("blocked", &other),
            ],
        )
        .await;
        let page = follow(&mut b, &saved).await;
        assert!(page.body.contains("profil de l'interprète modifié"), "{}", page.body);
    }
    let held = profile(&w, lucia).await;
    assert_eq!(held.gender, Some(Gender::Female));
    assert_eq!(held.main_region.as_deref(), Some("06-Montréal"));
    assert_eq!(held.work_postal_code.as_deref(), Some("H2X 1Y4, H3A 1A1"));
    assert_eq!(held.request_types, vec![RequestType::InPerson, RequestType::Phone]);
    assert_eq!(held.contexts, vec!["DPJ", "Santé mentale"]);
    assert_eq!(held.blocked_establishments, vec![w.bank.other_establishment]);
    assert_eq!(profile(&w, ana).await.gender, None, "Ana's gender is not given");

    // Without a request type, nothing is saved and the field says why.
    let wrong = place(&w, &mut b, ana, &[("gender", "female"), ("contexts", "")]).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("Au moins un type de demande"), "{}", wrong.body);
    assert_eq!(profile(&w, ana).await.gender, None, "nothing saved");

    // A request asking for a woman.
    let mut details = w.bank.details();
    details.interpreter_gender = Some(Gender::Female);
    let command = Command::CreateRequest {
        requested_by: w.bank.requester,
        details,
        submit: true,
    };
    let id = w
        .bank
        .workflow
        .execute(w.bank.as_requester(), command)
        .await
        .unwrap()
        .request;
    let (_, matches) = w.bank.workflow.matches(id).await.unwrap();
    let ranked: Vec<PersonId> = matches.ranked.iter().map(|r| r.person).collect();
    assert_eq!(
        ranked,
        vec![lucia, ana],
        "the woman first, the unknown next: {matches:?}"
    );
    assert!(matches.ranked[1].merits.contains(&Merit::GenderUnknown));
    assert!(!matches.ranked[0].merits.contains(&Merit::GenderUnknown));
    let excluded: Vec<_> = matches.excluded.iter().map(|(p, _, why)| (*p, why.clone())).collect();
    assert_eq!(excluded, vec![(diego, Exclusion::Gender)]);

    // Coordinators read the reason, and each candidate's user code, on the board and in
    // the digest, which says how to assign by mail.
    let ana_code = w.user_code(ana).await;
    let lucia_code = w.user_code(lucia).await;
    let board = b.get("/board").await;
    assert!(
        board
            .body
            .contains(&format!("Ana Soto ({ana_code}) — genre non renseigné")),
        "{}",
        board.body
    );
    let digest = support::digest_text(&w.bank).await;
    assert!(
        digest.contains(&format!("1. Lucía Ramírez ({lucia_code}) — ")),
        "{digest}"
    );
    assert!(
        digest.contains(&format!("2. Ana Soto ({ana_code}) — genre non renseigné")),
        "{digest}"
    );
    assert!(digest.contains("genre demandé différent"), "{digest}");
    assert!(digest.contains("répondez ASSIGNER suivi du numéro"), "{digest}");
}

async fn the_interpreter_who_knows_the_request_s_context_is_proposed_first(engine: Engine) {
    let w = World::new(engine).await;
    let [lucia, diego, ana] = [0, 1, 2].map(|i| w.bank.interpreters[i]);
    let mut b = w.signed_in(w.bank.coordinator).await;
    let saved = place(
        &w,
        &mut b,
        diego,
        &[
            ("request_types", "in_person"),
            ("request_types", "phone"),
            ("contexts", "Santé mentale\nDPJ"),
        ],
    )
    .await;
    follow(&mut b, &saved).await;
    let mut details = w.bank.details();
    details.notes.context = Some("Protection de la jeunesse (dpj), suivi".into());
    let command = Command::CreateRequest {
        requested_by: w.bank.requester,
        details,
        submit: true,
    };
    let id = w
        .bank
        .workflow
        .execute(w.bank.as_requester(), command)
        .await
        .unwrap()
        .request;
    let (_, matches) = w.bank.workflow.matches(id).await.unwrap();
    let ranked: Vec<PersonId> = matches.ranked.iter().map(|r| r.person).collect();
    assert_eq!(ranked, vec![diego, lucia, ana], "the context first, nobody left out");
    assert!(matches.ranked[0].merits.contains(&Merit::Context));
    assert!(!matches.ranked[1].merits.contains(&Merit::Context));
    assert!(matches.excluded.is_empty(), "{matches:?}");

    // The coordinators read why, on the board and in the digest.
    let diego_code = w.user_code(diego).await;
    let board = b.get("/board").await;
    assert!(
        board.body.contains(&format!(
            "Diego Fernández ({diego_code}) — connaît le contexte de la demande"
        )),
        "{}",
        board.body
    );
    let digest = support::digest_text(&w.bank).await;
    assert!(
        digest.contains(&format!(
            "1. Diego Fernández ({diego_code}) — connaît le contexte de la demande"
        )),
        "{digest}"
    );
}

async fn coordinators_keep_documents_inactivity_and_tax_dates(engine: Engine) {
    let w = World::new(engine).await;
    let ana = w.bank.interpreters[2];
    let mut b = w.signed_in(w.bank.coordinator).await;
    let path = format!("/admin/people/{}", w.user_code(ana).await);
    let page = b.get(&path).await;
    let csrf = support::web::csrf_of(&page);
    let documents = format!("{path}/documents");
    let added = b
        .post_multipart(
            &documents,
            &[
                ("csrf", &csrf),
                ("document_name", "Permis de travail / d'étude"),
                ("document_description", "Renouvelable"),
                ("document_until", "2027-03-30"),
                ("document_inactive", "yes"),
                ("document_comments", "demandé"),
            ],
            &[],
        )
        .await;
    let page = follow(&mut b, &added).await;
    assert!(
        page.body
            .contains("Valide jusqu'au mardi 30 mars 2027\u{a0}; l'interprète devient inactif après cette date."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Aucun fichier joint."), "{}", page.body);
    let added = b
        .post_multipart(&documents, &[("csrf", &csrf), ("document_name", "Carte OTTIAQ")], &[])
        .await;
    let page = follow(&mut b, &added).await;
    assert!(page.body.contains("Sans date de fin de validité."), "{}", page.body);
    let held = profile(&w, ana).await;
    assert_eq!(held.documents.len(), 2);
    assert!(held.documents[0].inactive_if_invalid);
    assert_eq!(held.documents[0].description.as_deref(), Some("Renouvelable"));
    assert_eq!(held.documents[0].comments.as_deref(), Some("demandé"));
    assert_eq!(held.documents[1].name, "Carte OTTIAQ");
    assert!(!held.documents[1].inactive_if_invalid);

    // A wrong date saves nothing and comes back beside its field, as typed.
    let wrong = b
        .post_multipart(
            &format!("{documents}/1"),
            &[
                ("csrf", &csrf),
                ("was", "Carte OTTIAQ"),
                ("document_name", "Carte de membre OTTIAQ"),
                ("document_until", "30 mars"),
            ],
            &[],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        error_beside(&wrong, "document-1-document_until").contains("30 mars"),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains(r#"value="Carte de membre OTTIAQ""#),
        "{}",
        wrong.body
    );
    assert_eq!(
        profile(&w, ana).await.documents[1].name,
        "Carte OTTIAQ",
        "nothing saved"
    );

    // The inactivity periods, one a line, read in the bank's time.
    let inactivity = format!("{path}/inactivity");
    let saved = b
        .submit(
            &page,
            &inactivity,
            &[("inactivity", "2026-10-28 11:07 → 2026-10-31 16:07 | Vacances")],
        )
        .await;
    let page = follow(&mut b, &saved).await;
    let held = profile(&w, ana).await;
    assert_eq!(held.inactivity.len(), 1);
    assert_eq!(
        held.inactivity[0].starts_at,
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 10, 28, 15, 7, 0).unwrap(),
        "read in the bank's time"
    );
    assert_eq!(held.documents.len(), 2, "the documents stay as they are");
    let wrong = b
        .submit(&page, &inactivity, &[("inactivity", "la semaine prochaine")])
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        error_beside(&wrong, "inactivity-inactivity").contains("la semaine prochaine"),
        "{}",
        wrong.body
    );
    assert_eq!(profile(&w, ana).await.inactivity.len(), 1, "nothing saved");

    // Removing a document; emptying the periods.
    let removed = b
        .submit(
            &page,
            &format!("{documents}/0/remove"),
            &[("was", "Permis de travail / d'étude")],
        )
        .await;
    let page = follow(&mut b, &removed).await;
    assert!(
        page.body
            .contains("Le document d'admissibilité et son fichier ont été retirés."),
        "{}",
        page.body
    );
    let saved = b.submit(&page, &inactivity, &[("inactivity", "")]).await;
    follow(&mut b, &saved).await;
    let held = profile(&w, ana).await;
    assert_eq!(held.documents.len(), 1);
    assert_eq!(held.documents[0].name, "Carte OTTIAQ");
    assert!(held.inactivity.is_empty());

    // The tax registrations with their dates.
    let saved = b
        .submit(
            &page,
            &format!("{path}/record"),
            &[
                ("languages", "français > espagnol (Mexique)"),
                ("tax_registration", "added"),
                ("gst", "123456789RT0001"),
                ("gst_from", "2024-01-01"),
                ("gst_until", ""),
                ("qst", "1234567890TQ0001"),
                ("qst_from", "2024-01-01"),
                ("qst_until", "2023-01-01"),
            ],
        )
        .await;
    assert_eq!(saved.status, 422, "an end before its start: {}", saved.body);
    assert!(beside(&saved, "record-qst_until").0.contains("2023-01-01"));
    let saved = b
        .submit(
            &page,
            &format!("{path}/record"),
            &[
                ("languages", "français > espagnol (Mexique)"),
                ("tax_registration", "added"),
                ("gst", "123456789RT0001"),
                ("gst_from", "2024-01-01"),
                ("qst", "1234567890TQ0001"),
                ("qst_until", "2026-12-31"),
            ],
        )
        .await;
    let page = follow(&mut b, &saved).await;
    assert!(page.body.contains("Espagnol (Mexique)"), "{}", page.body);
    let held = profile(&w, ana).await;
    assert_eq!(held.language_pairs[0].origin_country.as_deref(), Some("Mexique"));
    let gst = held.financial.gst.unwrap();
    assert_eq!(gst.from, chrono::NaiveDate::from_ymd_opt(2024, 1, 1));
    assert_eq!(gst.until, None);
    let qst = held.financial.qst.unwrap();
    assert_eq!(qst.until, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
}

async fn coordinators_keep_an_interpreter_s_files(engine: Engine) {
    let w = World::new(engine).await;
    let ana = w.bank.interpreters[2];
    let mut b = w.signed_in(w.bank.coordinator).await;
    let path = format!("/admin/people/{}", w.user_code(ana).await);
    let page = b.get(&path).await;
    accessible(&page);
    assert!(page.body.contains("Fichiers"), "{}", page.body);
    let csrf = support::web::csrf_of(&page);
    let pdf: &[u8] = b"%PDF-1.4 specimen";
    let files = format!("{path}/files");

    // Without the page's form value nothing is kept.
    let forged = b
        .post_multipart(
            &files,
            &[("csrf", "forged"), ("description", "Spécimen de chèque")],
            &[("attachments", "cheque.pdf", pdf)],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    // What is not a PDF, JPEG or PNG is refused, saying so.
    let text = b
        .post_multipart(
            &files,
            &[("csrf", &csrf), ("description", "Notes")],
            &[("attachments", "notes.txt", b"hello")],
        )
        .await;
    assert_eq!(text.status, 422, "{}", text.body);
    assert!(text.body.contains("Aucun fichier n'a été ajouté"), "{}", text.body);
    assert!(text.body.contains("notes.txt"), "{}", text.body);

    let added = b
        .post_multipart(
            &files,
            &[("csrf", &csrf), ("description", "Spécimen de chèque")],
            &[("attachments", "cheque.pdf", pdf)],
        )
        .await;
    let page = follow(&mut b, &added).await;
    assert!(page.body.contains("Spécimen de chèque — cheque.pdf"), "{}", page.body);
    assert!(page.body.contains("fichier ajouté"), "history: {}", page.body);
    let mut tx = w.bank.store.begin().await.unwrap();
    let held = tx.interpreter_files(ana).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(held.len(), 1);
    let (status, headers, bytes) = b.download(&format!("{files}/{}", held[0].id)).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, pdf);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"].to_str().unwrap().contains("cheque.pdf"),
        "{headers:?}"
    );
    // Another interpreter's page does not serve it.
    let lucia = w.user_code(w.bank.interpreters[0]).await;
    let (status, _, _) = b.download(&format!("/admin/people/{lucia}/files/{}", held[0].id)).await;
    assert_eq!(status, 404);

    let removed = b.submit(&page, &format!("{files}/{}/remove", held[0].id), &[]).await;
    let page = follow(&mut b, &removed).await;
    assert!(page.body.contains("fichier retiré"), "history: {}", page.body);
    assert!(!page.body.contains("Spécimen de chèque — cheque.pdf"), "{}", page.body);
}

async fn an_eligibility_document_keeps_its_file_for_its_interpreter_and_the_coordinators(engine: Engine) {
    let w = World::new(engine).await;
    let ana = w.bank.interpreters[2];
    let mut b = w.signed_in(w.bank.coordinator).await;
    let path = format!("/admin/people/{}", w.user_code(ana).await);
    let page = b.get(&path).await;
    accessible(&page);
    let csrf = support::web::csrf_of(&page);
    let documents = format!("{path}/documents");
    let files = |w: &World| {
        let store = w.bank.store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let held = tx.interpreter_files(ana).await.unwrap();
            tx.commit().await.unwrap();
            held
        }
    };

    // A file that is not a PDF, JPEG or PNG keeps the whole document out, said beside it.
    let wrong = b
        .post_multipart(
            &documents,
            &[("csrf", &csrf), ("document_name", "Permis de travail")],
            &[("attachments", "permis.txt", b"hello")],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        error_beside(&wrong, "document-new-attachments").contains("permis.txt"),
        "{}",
        wrong.body
    );
    assert!(profile(&w, ana).await.documents.is_empty());
    assert!(files(&w).await.is_empty(), "nothing kept");

    // Added with its file, which shows beside the document, not among the other files.
    let scan: &[u8] = b"%PDF-1.4 permis";
    let added = b
        .post_multipart(
            &documents,
            &[
                ("csrf", &csrf),
                ("document_name", "Permis de travail"),
                ("document_until", "2027-03-30"),
                ("document_inactive", "yes"),
            ],
            &[("attachments", "permis.pdf", scan)],
        )
        .await;
    let page = follow(&mut b, &added).await;
    accessible(&page);
    assert!(
        page.body.contains("Le document d'admissibilité a été enregistré."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Fichier joint\u{a0}: permis.pdf (1\u{a0}Ko)"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("profil d'interprète modifié (documents d'admissibilité)"),
        "history: {}",
        page.body
    );
    let id = profile(&w, ana).await.documents[0].file_id.expect("attached");
    assert_eq!(files(&w).await.iter().map(|f| f.id).collect::<Vec<_>>(), vec![id]);
    assert!(
        page.body.contains(&format!(r#"action="{path}/files/{id}""#)),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(&format!("{path}/files/{id}/remove")),
        "{}",
        page.body
    );
    let (status, headers, bytes) = b.download(&format!("{path}/files/{id}")).await;
    assert_eq!((status, bytes.as_slice()), (200, scan));
    assert_eq!(headers["content-type"], "application/pdf");
    // The files' own removal does not take it away from its document.
    let refused = b.post(&format!("{path}/files/{id}/remove"), &[("csrf", &csrf)]).await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    assert_eq!(files(&w).await.len(), 1);

    // The interpreter downloads it from their profile; nobody else does from there.
    let mut own = w.signed_in(ana).await;
    let mine = own.get("/profile").await;
    accessible(&mine);
    assert!(
        mine.body.contains("Fichiers de mes documents d'admissibilité"),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("permis.pdf"), "{}", mine.body);
    let (status, _, bytes) = own.download(&format!("/profile/files/{id}")).await;
    assert_eq!((status, bytes.as_slice()), (200, scan));
    let (status, _, _) = own.download(&format!("{path}/files/{id}")).await;
    assert_ne!(status, 200, "the coordinators' address is theirs alone");
    for other in [w.bank.interpreters[0], w.bank.requester] {
        let mut them = w.signed_in(other).await;
        let (status, _, _) = them.download(&format!("/profile/files/{id}")).await;
        assert_eq!(status, 404, "another person's file does not exist for them");
    }

    // A new file replaces the one attached, which goes; saving without one keeps it.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n permis";
    let edit = format!("{documents}/0");
    save_permit(
        &mut b,
        &edit,
        &csrf,
        "2028-03-30",
        &[],
        &[("attachments", "permis-2028.png", png)],
    )
    .await;
    let held = profile(&w, ana).await;
    let replaced = held.documents[0].file_id.expect("attached");
    assert_ne!(replaced, id);
    assert_eq!(
        held.documents[0].valid_until,
        chrono::NaiveDate::from_ymd_opt(2028, 3, 30)
    );
    assert_eq!(files(&w).await.iter().map(|f| f.id).collect::<Vec<_>>(), vec![replaced]);
    let (status, _, _) = own.download(&format!("/profile/files/{id}")).await;
    assert_eq!(status, 404, "the replaced file is gone");
    save_permit(&mut b, &edit, &csrf, "2029-03-30", &[], &[]).await;
    assert_eq!(profile(&w, ana).await.documents[0].file_id, Some(replaced), "kept");

    // A document renamed meanwhile by someone else is not touched.
    let stale = b
        .post_multipart(
            &edit,
            &[
                ("csrf", &csrf),
                ("was", "Carte OTTIAQ"),
                ("document_name", "Carte OTTIAQ"),
            ],
            &[],
        )
        .await;
    assert_eq!(stale.status, 404, "{}", stale.body);

    // The file alone can go; the document stays.
    let page = save_permit(&mut b, &edit, &csrf, "2029-03-30", &[("remove_file", "yes")], &[]).await;
    assert!(page.body.contains("Aucun fichier joint."), "{}", page.body);
    assert_eq!(profile(&w, ana).await.documents[0].file_id, None);
    assert!(files(&w).await.is_empty());

    // Removing a document removes its file.
    let page = save_permit(
        &mut b,
        &edit,
        &csrf,
        "2029-03-30",
        &[],
        &[("attachments", "permis.pdf", scan)],
    )
    .await;
    assert_eq!(files(&w).await.len(), 1);
    let removed = b
        .submit(&page, &format!("{documents}/0/remove"), &[("was", "Permis de travail")])
        .await;
    follow(&mut b, &removed).await;
    assert!(profile(&w, ana).await.documents.is_empty());
    assert!(files(&w).await.is_empty(), "the file went with its document");
}

/// Saves Ana's « Permis de travail » through its form, inactive once expired on `until`,
/// with `extra` fields and `files`; the page it leads to.
async fn save_permit(
    b: &mut Browser<'_>,
    edit: &str,
    csrf: &str,
    until: &str,
    extra: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Answer {
    let mut fields = vec![
        ("csrf", csrf),
        ("was", "Permis de travail"),
        ("document_name", "Permis de travail"),
        ("document_until", until),
        ("document_inactive", "yes"),
    ];
    fields.extend_from_slice(extra);
    let saved = b.post_multipart(edit, &fields, files).await;
    follow(b, &saved).await
}

/// The error shown beside the field `id` (a textarea, a file: no value to read).
fn error_beside(page: &Answer, id: &str) -> String {
    let re = regex::Regex::new(&format!(r#"<p class="error" id="{id}-error">([^<]*)</p>"#)).unwrap();
    re.captures(&page.body)
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| panic!("no error beside {id}: {}", page.body))
}
