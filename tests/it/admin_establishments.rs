//! Establishment administration over real HTTP, on both engines: coordinators create and
//! change établissements, installations, cost centres and billing codes; duplicates and
//! mistakes come back beside their field with what was typed; a retired cost centre is
//! refused on new requests and profiles while old requests keep it; nobody else gets in,
//! and a form without its CSRF value changes nothing.

use crate::support;

use relais::clock::Clock;
use relais::domain::ids::{EstablishmentId, RequestId};
use relais::domain::request::{Field, Problem};
use relais::workflow::{Command, WorkflowError};
use support::Engine;
use support::web::{Answer, Browser, STRONG, World, accessible, beside, csrf_of, location, shown_secret, value};

on_both_engines!(
    coordinators_create_and_change_establishments,
    a_retired_cost_centre_is_refused_on_new_requests_and_kept_on_old_ones,
    only_coordinators_past_their_second_factor_change_anything,
);

async fn establishment_codes(w: &World) -> Vec<String> {
    let mut tx = w.bank.store.begin().await.unwrap();
    let all = tx.establishment_summaries().await.unwrap();
    tx.commit().await.unwrap();
    all.into_iter().map(|s| s.establishment.code).collect()
}

async fn coordinators_create_and_change_establishments(engine: Engine) {
    let w = World::new(engine).await;
    let mut b = w.signed_in(w.bank.coordinator).await;
    let home = b.get("/account").await;
    assert!(
        home.body
            .contains(r#"<a href="/admin/establishments">Établissements</a>"#),
        "{}",
        home.body
    );

    let list = b.get("/admin/establishments").await;
    assert_eq!(list.status, 200, "{}", list.body);
    accessible(&list);
    assert!(list.body.contains("CCSMTL — CIUSSS du Centre-Sud"), "{}", list.body);
    assert!(
        list.body.contains("1 installation(s) · 2 demandeur(s)"),
        "{}",
        list.body
    );
    assert!(list.body.contains("CIUSSSCN — CIUSSS de la Capitale-Nationale"));

    // Created, then shown.
    let created = b
        .submit(
            &list,
            "/admin/establishments",
            &[("code", "CISSS-LAV"), ("name", "CISSS de Laval"), ("prefix", "lv")],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let shown = location(&created).to_string();
    let path = shown
        .strip_suffix("?done=created")
        .expect("back to its page")
        .to_string();
    let page = b.get(&shown).await;
    assert_eq!(page.status, 200, "{}", page.body);
    accessible(&page);
    assert!(page.body.contains("L'établissement a été créé."), "{}", page.body);
    assert!(
        page.body.contains("<h1>CISSS-LAV — CISSS de Laval</h1>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<dd>LV</dd>"),
        "the prefix, in capitals: {}",
        page.body
    );

    // The same code again: refused beside the field, what was typed kept, nothing added.
    let list = b.get("/admin/establishments").await;
    let twice = b
        .submit(
            &list,
            "/admin/establishments",
            &[("code", "CISSS-LAV"), ("name", "Un autre Laval"), ("prefix", "XY")],
        )
        .await;
    assert_eq!(twice.status, 422, "{}", twice.body);
    let (error, kept) = beside(&twice, "new-establishment-code");
    assert!(error.contains("déjà utilisé"), "{error}");
    assert_eq!(kept, "CISSS-LAV");
    assert_eq!(value(&twice, "new-establishment-name"), "Un autre Laval");
    assert_eq!(value(&twice, "new-establishment-prefix"), "XY");
    assert!(twice.body.contains("Rien n'a été enregistré"), "{}", twice.body);
    assert_eq!(establishment_codes(&w).await, ["CCSMTL", "CISSS-LAV", "CIUSSSCN"]);
    let spaced = b
        .submit(&twice, "/admin/establishments", &[("code", "CISSS LAV"), ("name", "")])
        .await;
    assert_eq!(spaced.status, 422);
    assert!(beside(&spaced, "new-establishment-code").0.contains("sans espace"));
    assert!(beside(&spaced, "new-establishment-name").0.contains("obligatoire"));

    // Name and prefix change; a prefix that is not two letters is named, nothing saved.
    let wrong = b
        .submit(
            &page,
            &path,
            &[("name", "CISSS de Laval — Cité-de-la-Santé"), ("prefix", "L1")],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let (error, kept) = beside(&wrong, "establishment-prefix");
    assert!(error.contains("Deux lettres majuscules"), "{error}");
    assert_eq!(kept, "L1");
    assert_eq!(value(&wrong, "establishment-name"), "CISSS de Laval — Cité-de-la-Santé");
    let id = EstablishmentId(path.rsplit('/').next().unwrap().parse().unwrap());
    let mut tx = w.bank.store.begin().await.unwrap();
    assert_eq!(tx.establishment(id).await.unwrap().name, "CISSS de Laval");
    tx.commit().await.unwrap();
    let saved = b
        .submit(
            &wrong,
            &path,
            &[("name", "CISSS de Laval — Cité-de-la-Santé"), ("prefix", "LA")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(location(&saved), format!("{path}?done=saved"));
    let page = b.get(location(&saved)).await;
    assert!(
        page.body
            .contains("<h1>CISSS-LAV — CISSS de Laval — Cité-de-la-Santé</h1>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dd>LA</dd>"));

    // Installations: added, a duplicate name refused beside it, then renamed.
    let added = b
        .submit(
            &page,
            &format!("{path}/installations"),
            &[
                ("name", "Hôpital de la Cité-de-la-Santé"),
                ("address", "1755, boulevard René-Laennec, Laval"),
                ("postal_code", "h7m 3l9"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = b.get(&path).await;
    assert!(
        page.body.contains("<h3>Hôpital de la Cité-de-la-Santé</h3>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("1755, boulevard René-Laennec, Laval, H7M 3L9"),
        "{}",
        page.body
    );
    let again = b
        .submit(
            &page,
            &format!("{path}/installations"),
            &[
                ("name", "Hôpital de la Cité-de-la-Santé"),
                ("address", "ailleurs"),
                ("postal_code", ""),
            ],
        )
        .await;
    assert_eq!(again.status, 422, "{}", again.body);
    let (error, kept) = beside(&again, "new-installation-name");
    assert!(error.contains("déjà utilisé"), "{error}");
    assert_eq!(kept, "Hôpital de la Cité-de-la-Santé");
    assert_eq!(value(&again, "new-installation-address"), "ailleurs");
    let mut tx = w.bank.store.begin().await.unwrap();
    let installations = tx.installations_of(id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(installations.len(), 1, "nothing half-saved");
    let one = installations[0].id.0;
    let renamed = b
        .submit(
            &again,
            &format!("{path}/installations/{one}"),
            &[
                ("name", "Hôpital Cité-de-la-Santé"),
                ("address", "1755, boulevard René-Laennec, Laval"),
                ("postal_code", "H7M 3L9"),
            ],
        )
        .await;
    assert_eq!(renamed.status, 303, "{}", renamed.body);
    let page = b.get(&path).await;
    assert!(page.body.contains("<h3>Hôpital Cité-de-la-Santé</h3>"), "{}", page.body);
    assert_eq!(
        value(&page, &format!("installation-{one}-name")),
        "Hôpital Cité-de-la-Santé"
    );

    // Cost centres and billing codes: added, duplicates refused beside the code, described.
    for (list, code, description) in [
        ("cost-centres", "7301110", "DA services multidisciplinaires"),
        ("billing-codes", "SETIS-12", "Ministère"),
    ] {
        let page = b.get(&path).await;
        let added = b
            .submit(
                &page,
                &format!("{path}/{list}"),
                &[("code", code), ("description", description)],
            )
            .await;
        assert_eq!(added.status, 303, "{list}: {}", added.body);
        let page = b.get(location(&added)).await;
        assert!(page.body.contains("L'ajout a été enregistré."), "{}", page.body);
        assert!(
            page.body.contains(&format!("<h3>{code} — {description}</h3>")),
            "{}",
            page.body
        );
        let twice = b
            .submit(
                &page,
                &format!("{path}/{list}"),
                &[("code", code), ("description", "en double")],
            )
            .await;
        assert_eq!(twice.status, 422, "{list}: {}", twice.body);
        let (error, kept) = beside(&twice, &format!("new-{list}-code"));
        assert!(error.contains("déjà utilisé"), "{error}");
        assert_eq!(kept, code);
        assert_eq!(value(&twice, &format!("new-{list}-description")), "en double");
    }
    let mut tx = w.bank.store.begin().await.unwrap();
    let centres = tx.cost_centres_of(id).await.unwrap();
    let codes = tx.billing_codes_of(id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((centres.len(), codes.len()), (1, 1), "duplicates added nothing");
    let page = b.get(&path).await;
    let described = b
        .submit(
            &page,
            &format!("{path}/cost-centres/{}", centres[0].id.0),
            &[("description", "DA services multidisciplinaires — volet opérations")],
        )
        .await;
    assert_eq!(described.status, 303, "{}", described.body);
    let page = b.get(&path).await;
    assert!(
        page.body
            .contains("<h3>7301110 — DA services multidisciplinaires — volet opérations</h3>"),
        "{}",
        page.body
    );

    // The page shows what is; each change form opens on demand.
    assert!(
        page.body.contains("<details class=\"edit\">\n<summary>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<details class=\"edit\" open>"), "{}", page.body);

    // Who changed what, at the foot of the page.
    for line in [
        "Sophie Gagnon — établissement créé\u{a0}: CISSS-LAV",
        "Sophie Gagnon — établissement modifié\u{a0}: CISSS de Laval — Cité-de-la-Santé (nom, préfixe des demandes)",
        "Sophie Gagnon — installation modifiée\u{a0}: Hôpital Cité-de-la-Santé (nom)",
        "Sophie Gagnon — centre de coûts ajouté\u{a0}: 7301110",
        "Sophie Gagnon — code de facturation ajouté\u{a0}: SETIS-12",
        "Sophie Gagnon — centre de coûts modifié\u{a0}: 7301110 (description)",
    ] {
        assert!(page.body.contains(line), "{line} missing:\n{}", page.body);
    }
    let list = b.get("/admin/establishments").await;
    assert!(
        list.body.contains("CISSS-LAV — CISSS de Laval — Cité-de-la-Santé"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("1 installation(s) · 0 demandeur(s)"),
        "{}",
        list.body
    );
}

/// The fields of a request the web form accepts, naming `cost_centre` if given.
fn request_form<'a>(csrf: &'a str, date: &'a str, cost_centre: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("request_type", "en présentiel"),
        ("date", date),
        ("start_time", "10:00"),
        ("duration_minutes", "60"),
        ("target_language", "espagnol"),
        ("installation", "Hôpital Notre-Dame"),
        ("location", "Clinique externe, 3e étage"),
        // The same appointment several times on purpose: not the duplicate check's test.
        ("send_anyway", "oui"),
    ];
    if let Some(c) = cost_centre {
        form.push(("cost_centre", c));
    }
    form
}

fn request_id(answer: &Answer) -> RequestId {
    let to = location(answer);
    RequestId(
        to.strip_prefix("/requests/")
            .unwrap_or_else(|| panic!("not a request: {} {}", answer.status, answer.body))
            .parse()
            .unwrap(),
    )
}

async fn a_retired_cost_centre_is_refused_on_new_requests_and_kept_on_old_ones(engine: Engine) {
    let w = World::new(engine).await;
    let mut c = w.signed_in(w.bank.coordinator).await;
    let path = format!("/admin/establishments/{}", w.bank.establishment.0);
    for (code, description) in [("RET-1", "Ancienne unité"), ("NEW-2", "Nouvelle unité")] {
        let page = c.get(&path).await;
        let added = c
            .submit(
                &page,
                &format!("{path}/cost-centres"),
                &[("code", code), ("description", description)],
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
    }
    let mut tx = w.bank.store.begin().await.unwrap();
    let centres = tx.cost_centres_of(w.bank.establishment).await.unwrap();
    tx.commit().await.unwrap();
    let (newer, old) = (centres[0].clone(), centres[1].clone());
    assert_eq!((old.code.as_str(), newer.code.as_str()), ("RET-1", "NEW-2"));

    // While in use: a request charged to it, and the requester's profile naming it.
    let mut details = w.bank.details();
    details.cost_centre_id = Some(old.id);
    let before = w
        .bank
        .workflow
        .execute(
            w.bank.as_requester(),
            Command::CreateRequest {
                requested_by: w.bank.requester,
                details: details.clone(),
                submit: true,
            },
        )
        .await
        .unwrap()
        .request;
    w.bank
        .workflow
        .set_cost_centre(w.bank.as_requester(), w.bank.requester, Some(old.id))
        .await
        .unwrap();

    // Retired from its page.
    let page = c.get(&path).await;
    let retired = c
        .submit(&page, &format!("{path}/cost-centres/{}/retire", old.id.0), &[])
        .await;
    assert_eq!(retired.status, 303, "{}", retired.body);
    let page = c.get(location(&retired)).await;
    assert!(
        page.body
            .contains("Retiré\u{a0}: il n'est plus accepté sur les nouvelles demandes"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Retiré\u{a0}: refusé sur les nouvelles demandes"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("action=\"{path}/cost-centres/{}/restore\"", old.id.0))
    );
    assert!(
        page.body
            .contains("Sophie Gagnon — centre de coûts retiré\u{a0}: RET-1 (actif)"),
        "{}",
        page.body
    );

    // A new request naming it on the web form is refused, the reason beside the field.
    let mut r = w.signed_in(w.bank.requester).await;
    let form = r.get("/requests/new").await;
    let csrf = csrf_of(&form);
    let date = w.bank.appointment_date().format("%Y-%m-%d").to_string();
    let refused = r
        .post_multipart("/requests/new", &request_form(&csrf, &date, Some("RET-1")), &[])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("n'est plus en usage\u{a0}: la coordination l'a retiré"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"RET-1\""),
        "kept as typed: {}",
        refused.body
    );
    // Another of the establishment's is taken; with none named, the retired one the profile
    // still names is not inherited.
    let taken = r
        .post_multipart("/requests/new", &request_form(&csrf, &date, Some("NEW-2")), &[])
        .await;
    assert_eq!(taken.status, 303, "{}", taken.body);
    let plain = r
        .post_multipart("/requests/new", &request_form(&csrf, &date, None), &[])
        .await;
    assert_eq!(plain.status, 303, "{}", plain.body);
    let (taken, plain) = (request_id(&taken), request_id(&plain));
    assert_eq!(w.bank.load(taken).await.details.cost_centre_id, Some(newer.id));
    assert_eq!(w.bank.load(plain).await.details.cost_centre_id, None);

    // The workflow refuses it too, unless the request already had it.
    let mut changed = w.bank.load(taken).await.details;
    changed.cost_centre_id = Some(old.id);
    let err = w
        .bank
        .workflow
        .execute(
            w.bank.as_coordinator(),
            Command::ModifyRequest {
                request: taken,
                details: changed,
            },
        )
        .await
        .unwrap_err();
    match err {
        WorkflowError::Invalid(errors) => {
            assert!(
                errors
                    .iter()
                    .any(|e| e.field == Field::CostCentre && e.problem == Problem::Retired),
                "{errors:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    let mut kept = w.bank.load(before).await.details;
    kept.duration_minutes = 90;
    w.bank
        .workflow
        .execute(
            w.bank.as_coordinator(),
            Command::ModifyRequest {
                request: before,
                details: kept,
            },
        )
        .await
        .expect("a request keeps its retired cost centre through a change");
    assert_eq!(w.bank.load(before).await.details.cost_centre_id, Some(old.id));

    // The old request still shows it, on its form and in the export.
    let edit = r.get(&format!("/requests/{}/edit", before.0)).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(edit.body.contains("value=\"RET-1\""), "{}", edit.body);
    let (status, _, bytes) = c
        .download("/downloads/requests.csv?preset=&from=2026-01-01&to=2027-12-31&status=&language=&establishment=CCSMTL&interpreter=")
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(bytes).unwrap();
    assert!(csv.contains("RET-1"), "{csv}");

    // The profile shows it as retired while it names it, and will not take it back.
    let profile = r.get("/profile").await;
    assert!(
        profile.body.contains("RET-1 — Ancienne unité (retiré)"),
        "{}",
        profile.body
    );
    let moved = r
        .submit(
            &profile,
            "/profile",
            &[
                ("first_name", "Marie"),
                ("last_name", "Tremblay"),
                ("notify", "email"),
                ("cost_centre", &newer.id.0.to_string()),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let profile = r.get("/profile").await;
    assert!(!profile.body.contains("RET-1"), "no longer offered: {}", profile.body);
    let back = r
        .submit(
            &profile,
            "/profile",
            &[
                ("first_name", "Marie"),
                ("last_name", "Tremblay"),
                ("notify", "email"),
                ("cost_centre", &old.id.0.to_string()),
            ],
        )
        .await;
    assert_eq!(back.status, 422, "{}", back.body);
    assert!(
        back.body.contains("Ce centre de coût n'est plus en usage"),
        "{}",
        back.body
    );
    let mut tx = w.bank.store.begin().await.unwrap();
    let profile = tx.requester_profile(w.bank.requester).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(profile.cost_centre_id, Some(newer.id));

    // Back in use, it is accepted again.
    let page = c.get(&path).await;
    let restored = c
        .submit(&page, &format!("{path}/cost-centres/{}/restore", old.id.0), &[])
        .await;
    assert_eq!(restored.status, 303, "{}", restored.body);
    let again = r
        .post_multipart("/requests/new", &request_form(&csrf, &date, Some("RET-1")), &[])
        .await;
    assert_eq!(again.status, 303, "{}", again.body);
}

async fn only_coordinators_past_their_second_factor_change_anything(engine: Engine) {
    let w = World::new(engine).await;
    let detail = format!("/admin/establishments/{}", w.bank.establishment.0);

    // Requesters and interpreters: the pages do not exist for them.
    for person in [w.bank.requester, w.bank.interpreters[0]] {
        let mut b = w.signed_in(person).await;
        let home = b.get("/account").await;
        assert!(!home.body.contains("/admin/establishments"), "{}", home.body);
        for path in ["/admin/establishments", detail.as_str()] {
            assert_eq!(b.get(path).await.status, 404, "{path}");
        }
        let csrf = csrf_of(&home);
        let posted = b
            .post(
                "/admin/establishments",
                &[("csrf", &csrf), ("code", "PIRATE"), ("name", "Pirate")],
            )
            .await;
        assert_eq!(posted.status, 404);
        let renamed = b.post(&detail, &[("csrf", &csrf), ("name", "Pirate")]).await;
        assert_eq!(renamed.status, 404);
    }

    // A coordinator without a second factor is sent to enrol, and changes nothing.
    let email = w.activate(w.bank.coordinator, STRONG).await;
    let mut c = Browser::new(&w.site);
    let signed = c.sign_in(&email, STRONG).await;
    assert_eq!(location(&signed), "/account/mfa");
    for path in ["/admin/establishments", detail.as_str()] {
        let answer = c.get(path).await;
        assert_eq!((answer.status, location(&answer)), (303, "/account/mfa"), "{path}");
    }
    let posted = c
        .post("/admin/establishments", &[("code", "AVANT"), ("name", "Avant")])
        .await;
    assert_eq!(location(&posted), "/account/mfa");
    let mfa = c.get("/account/mfa").await;
    let code = shown_secret(&mfa).code_at(w.bank.clock.now().timestamp()).unwrap();
    let enabled = c.submit(&mfa, "/account/mfa/totp", &[("code", &code)]).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);

    // Past it, a form without its CSRF value (or with another) is refused and does nothing.
    let page = c.get(&detail).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut tx = w.bank.store.begin().await.unwrap();
    let centre = tx
        .insert_cost_centre(w.bank.establishment, "7301110", "DA services")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let forged: [(String, Vec<(&str, &str)>); 6] = [
        (
            "/admin/establishments".into(),
            vec![("code", "SANS-CSRF"), ("name", "Sans")],
        ),
        (
            "/admin/establishments".into(),
            vec![("csrf", "pas-la-bonne"), ("code", "SANS-CSRF"), ("name", "Sans")],
        ),
        (detail.clone(), vec![("name", "Renommé"), ("prefix", "RR")]),
        (format!("{detail}/installations"), vec![("name", "Ailleurs")]),
        (format!("{detail}/cost-centres"), vec![("code", "FORGE")]),
        (format!("{detail}/cost-centres/{}/retire", centre.id.0), vec![]),
    ];
    for (path, form) in &forged {
        let refused = c.post(path, form).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
        assert!(refused.body.contains("Rien n'a été fait"), "{path}: {}", refused.body);
    }
    assert_eq!(establishment_codes(&w).await, ["CCSMTL", "CIUSSSCN"]);
    let mut tx = w.bank.store.begin().await.unwrap();
    let e = tx.establishment(w.bank.establishment).await.unwrap();
    let installations = tx.installations_of(w.bank.establishment).await.unwrap();
    let centres = tx.cost_centres_of(w.bank.establishment).await.unwrap();
    let history = tx
        .history_of(relais::domain::history::Entity::Establishment, w.bank.establishment.0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((e.name.as_str(), e.request_prefix), ("CIUSSS du Centre-Sud", None));
    assert_eq!(installations.len(), 1);
    assert_eq!(centres.len(), 1);
    assert!(centres[0].active, "still in use");
    assert!(history.is_empty(), "nothing recorded: {history:?}");

    // Unknown establishments and lists do not exist.
    let csrf = csrf_of(&page);
    assert_eq!(c.get("/admin/establishments/999999").await.status, 404);
    assert_eq!(c.get("/admin/establishments/abc").await.status, 404);
    let other = format!("/admin/establishments/{}", w.bank.other_establishment.0);
    let elsewhere = c
        .post(
            &format!("{other}/cost-centres/{}/retire", centre.id.0),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(elsewhere.status, 404, "another establishment's cost centre");
    let unknown = c
        .post(&format!("{detail}/nonsense"), &[("csrf", &csrf), ("code", "X")])
        .await;
    assert_eq!(unknown.status, 404);
}
