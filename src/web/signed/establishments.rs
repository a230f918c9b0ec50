//! `/admin/establishments` (coordinators with their second factor): the établissements,
//! each with its installations, cost centres and billing codes, added and changed here
//! rather than from code. Every change goes through `workflow::organisations` in the
//! coordinator's name and lands in the establishment's history, shown at the foot of its
//! page. Codes do not change once created (see that module); a cost centre or billing code
//! no longer wanted is retired, and stays on the requests and invoices that name it.
//!
//! A form that comes back wrong is shown again with what was typed and each problem beside
//! its field (422); a form without the session's CSRF value changes nothing (403).

use super::{FormView, Input, Item, Section, SignedPage, coordinator_actor as actor, render, see_other};
use crate::config::Settings;
use crate::domain::ids::{EstablishmentId, InstallationId};
use crate::domain::locale::Locale;
use crate::domain::organisation::{Establishment, Installation};
use crate::store::StoreError;
use crate::web::account::{Coordinator, SignedIn};
use crate::web::page::Tone;
use crate::web::{AppState, WebError};
use crate::workflow::WorkflowError;
use crate::workflow::organisations::{CodeList, EstablishmentForm, InstallationForm, OrgError, OrgFieldError};
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// What every administration form may carry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Posted {
    csrf: String,
    code: String,
    name: String,
    prefix: String,
    address: String,
    postal_code: String,
    description: String,
}

impl Posted {
    fn value(&self, name: &str) -> &str {
        match name {
            "code" => &self.code,
            "name" => &self.name,
            "prefix" => &self.prefix,
            "address" => &self.address,
            "postal_code" => &self.postal_code,
            "description" => &self.description,
            _ => "",
        }
    }

    fn establishment(&self) -> EstablishmentForm {
        EstablishmentForm {
            code: self.code.clone(),
            name: self.name.clone(),
            request_prefix: self.prefix.clone(),
        }
    }

    fn installation(&self) -> InstallationForm {
        InstallationForm {
            name: self.name.clone(),
            address: self.address.clone(),
            postal_code: self.postal_code.clone(),
        }
    }
}

/// A form that came back wrong: which one, what was typed, what is wrong.
struct Failed {
    form: String,
    posted: Posted,
    errors: Vec<OrgFieldError>,
}

/// What the page says after a change, by the `done` of its address.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

fn done_text(done: &str, locale: Locale) -> Option<String> {
    Some(match done {
        "created" => locale.text("coord-the-establishment-was-created"),
        "saved" => locale.text("coord-the-changes-were-saved"),
        "added" => locale.text("coord-the-addition-was-saved"),
        "retired" => locale.text("coord-retired-it-is-no-longer-accepted"),
        "restored" => locale.text("coord-back-in-use"),
        _ => return None,
    })
}

/// The list of codes a path segment names.
fn code_list(segment: &str) -> Option<CodeList> {
    match segment {
        "cost-centres" => Some(CodeList::CostCentres),
        "billing-codes" => Some(CodeList::BillingCodes),
        _ => None,
    }
}

fn segment(list: CodeList) -> &'static str {
    match list {
        CodeList::CostCentres => "cost-centres",
        CodeList::BillingCodes => "billing-codes",
    }
}

/// The CSRF guard of these forms: the form, or the CSRF answer (`again`: the page).
fn posted(signed_in: &SignedIn, form: Result<Form<Posted>, FormRejection>, again: &str) -> Result<Posted, WebError> {
    super::checked_form(signed_in, form, |f| &f.csrf, again)
}

/// `GET /admin/establishments`.
pub async fn list(Coordinator(signed_in): Coordinator, State(state): State<AppState>) -> Result<Response, WebError> {
    let settings = super::settings(&state);
    list_page(&signed_in, &state, &settings, StatusCode::OK, None, None).await
}

/// `POST /admin/establishments`: creates one, then shows it.
pub async fn create(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = super::settings(&state);
    let form = posted(&signed_in, form, "/admin/establishments")?;
    match state
        .workflow
        .create_establishment(actor(&signed_in), &form.establishment())
        .await
    {
        Ok(created) => Ok(see_other(format!(
            "/admin/establishments/{}?done=created",
            created.id.0
        ))),
        Err(OrgError::Invalid(errors)) => {
            let failed = Failed {
                form: "new-establishment".into(),
                posted: form,
                errors,
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            list_page(&signed_in, &state, &settings, status, None, Some(failed)).await
        }
        Err(OrgError::Workflow(e)) => Err(workflow_error(e)),
    }
}

fn workflow_error(e: WorkflowError) -> WebError {
    match e {
        WorkflowError::NotFound => WebError::NotFound,
        other => other.into(),
    }
}

/// Shows the failed form again with what was typed and each problem beside its field.
fn apply(page: &mut SignedPage, failed: Option<&Failed>) {
    let Some(failed) = failed else { return };
    let locale = page.locale;
    let problems: Vec<(&str, String)> = failed
        .errors
        .iter()
        .map(|e| (e.field.key(), e.problem.message(locale)))
        .collect();
    let typed = |name: &str| vec![failed.posted.value(name).to_string()];
    super::show_again(page, &failed.form, &typed, &problems);
}

fn save_form(id: String, action: String, csrf: &str, inputs: Vec<Input>, label: &str) -> FormView {
    FormView {
        id,
        method: "post",
        action,
        csrf: csrf.to_string(),
        inputs,
        buttons: vec![(label.to_string(), String::new())],
        folded: true,
        ..FormView::default()
    }
}

fn prefix_hint(locale: Locale) -> String {
    locale.text("coord-two-capital-letters-or-empty-for")
}

async fn list_page(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    status: StatusCode,
    notice: Option<(Tone, String)>,
    failed: Option<Failed>,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let csrf = signed_in.session().csrf();
    let summaries = async {
        let mut tx = state.workflow.store().begin_read().await?;
        let s = tx.establishment_summaries().await?;
        tx.commit().await?;
        Ok::<_, StoreError>(s)
    }
    .await;
    let summaries = match summaries {
        Ok(s) => s,
        Err(e) => return Err(e.into()),
    };
    let mut page = SignedPage::new(signed_in, ("Établissements", "Establishments"));
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    let bank_prefix = locale.text("coord-the-bank-s");
    page.sections.push(Section {
        table: None,
        heading: locale.text("coord-establishments"),
        empty: locale.text("coord-no-establishment"),
        lines: Vec::new(),
        items: summaries
            .into_iter()
            .map(|s| {
                let e = &s.establishment;
                Item {
                    headline: format!("{} — {}", e.code, e.name),
                    lines: vec![
                        format!(
                            "{} {}",
                            locale.text("coord-request-number-prefix"),
                            e.request_prefix.as_deref().unwrap_or(&bank_prefix)
                        ),
                        format!(
                            "{} {} · {} {}",
                            s.installations,
                            locale.text("coord-installation-s"),
                            s.requesters,
                            locale.text("coord-requester-s"),
                        ),
                    ],
                    forms: vec![FormView {
                        id: format!("open-{}", e.id.0),
                        method: "get",
                        action: format!("/admin/establishments/{}", e.id.0),
                        buttons: vec![(format!("{} {}", locale.text("coord-manage"), e.code), String::new())],
                        secondary: true,
                        ..FormView::default()
                    }],
                }
            })
            .collect(),
    });
    page.forms.push(FormView {
        heading: locale.text("coord-add-an-establishment"),
        ..save_form(
            "new-establishment".into(),
            "/admin/establishments".into(),
            &csrf,
            vec![
                Input::new("code", "text", &locale.text("coord-code"), "")
                    .hint(locale.text("coord-no-spaces-ciusss-emtl-say-it")),
                Input::new("name", "text", &locale.text("coord-name"), ""),
                Input::new("prefix", "text", &locale.text("coord-request-number-prefix-2"), "")
                    .hint(prefix_hint(locale)),
            ],
            &locale.text("coord-add-the-establishment"),
        )
    });
    apply(&mut page, failed.as_ref());
    Ok(render(status, &settings.general.bank_name, &page))
}

/// `GET /admin/establishments/{id}`.
pub async fn show(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    done: Result<Query<Done>, QueryRejection>,
) -> Result<Response, WebError> {
    let settings = super::settings(&state);
    let Ok(Path(id)) = id else {
        return Err(WebError::NotFound);
    };
    let locale = signed_in.person().locale;
    let notice = done
        .ok()
        .and_then(|Query(d)| done_text(&d.done, locale))
        .map(|t| (Tone::Good, t.to_string()));
    detail(
        &signed_in,
        &state,
        &settings,
        EstablishmentId(id),
        StatusCode::OK,
        notice,
        None,
    )
    .await
}

/// What a change came to: back to the page with a notice, the form again, or an error.
async fn after(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    id: EstablishmentId,
    outcome: Result<&'static str, OrgError>,
    form: String,
    posted: Posted,
) -> Result<Response, WebError> {
    match outcome {
        Ok(done) => Ok(see_other(format!("/admin/establishments/{}?done={done}", id.0))),
        Err(OrgError::Invalid(errors)) => {
            let failed = Failed { form, posted, errors };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            detail(signed_in, state, settings, id, status, None, Some(failed)).await
        }
        Err(OrgError::Workflow(e)) => Err(workflow_error(e)),
    }
}

/// The form of a POST on an establishment's page, or the answer instead: 404 for an
/// unreadable address, the CSRF answer (nothing done) without the session's value.
fn checked_post(
    signed_in: &SignedIn,
    id: Option<i64>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<(EstablishmentId, Posted), WebError> {
    let id = EstablishmentId(id.ok_or(WebError::NotFound)?);
    let form = posted(signed_in, form, &format!("/admin/establishments/{}", id.0))?;
    Ok((id, form))
}

/// `POST /admin/establishments/{id}`: name and prefix.
pub async fn update(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = super::settings(&state);
    let (id, form) = checked_post(&signed_in, id.ok().map(|p| p.0), form)?;
    let outcome = state
        .workflow
        .update_establishment(actor(&signed_in), id, &form.establishment())
        .await
        .map(|_| "saved");
    after(&signed_in, &state, &settings, id, outcome, "establishment".into(), form).await
}

/// `POST /admin/establishments/{id}/installations`.
pub async fn add_installation(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let settings = super::settings(&state);
    let (id, form) = checked_post(&signed_in, id.ok().map(|p| p.0), form)?;
    let outcome = state
        .workflow
        .add_installation(actor(&signed_in), id, &form.installation())
        .await
        .map(|_| "added");
    after(
        &signed_in,
        &state,
        &settings,
        id,
        outcome,
        "new-installation".into(),
        form,
    )
    .await
}

/// `POST /admin/establishments/{id}/installations/{installation}`.
pub async fn update_installation(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    ids: Result<Path<(i64, i64)>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let ids = ids.ok().map(|Path(ids)| ids);
    let settings = super::settings(&state);
    let (id, form) = checked_post(&signed_in, ids.map(|i| i.0), form)?;
    let installation = ids.map_or(0, |i| i.1);
    let outcome = state
        .workflow
        .update_installation(
            actor(&signed_in),
            id,
            InstallationId(installation),
            &form.installation(),
        )
        .await
        .map(|()| "saved");
    let failed = format!("installation-{installation}");
    after(&signed_in, &state, &settings, id, outcome, failed, form).await
}

/// `POST /admin/establishments/{id}/{cost-centres|billing-codes}`.
pub async fn add_code(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    path: Result<Path<(i64, String)>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    let path = path.ok().and_then(|Path((id, s))| code_list(&s).map(|l| (id, l)));
    let settings = super::settings(&state);
    let (id, form) = checked_post(&signed_in, path.map(|p| p.0), form)?;
    let Some((_, list)) = path else {
        return Err(WebError::NotFound);
    };
    let outcome = state
        .workflow
        .add_code(actor(&signed_in), list, id, &form.code, &form.description)
        .await
        .map(|_| "added");
    let failed = format!("new-{}", segment(list));
    after(&signed_in, &state, &settings, id, outcome, failed, form).await
}

/// `POST /admin/establishments/{id}/{cost-centres|billing-codes}/{code}`: its description.
pub async fn update_code(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    path: Result<Path<(i64, String, i64)>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    change_code(signed_in, state, path, form, None).await
}

/// `POST /admin/establishments/{id}/{cost-centres|billing-codes}/{code}/retire`.
pub async fn retire_code(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    path: Result<Path<(i64, String, i64)>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    change_code(signed_in, state, path, form, Some(false)).await
}

/// `POST /admin/establishments/{id}/{cost-centres|billing-codes}/{code}/restore`.
pub async fn restore_code(
    Coordinator(signed_in): Coordinator,
    State(state): State<AppState>,
    path: Result<Path<(i64, String, i64)>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
) -> Result<Response, WebError> {
    change_code(signed_in, state, path, form, Some(true)).await
}

/// The description (`active` is `None`) or the use (`Some`) of a cost centre or billing code.
async fn change_code(
    signed_in: SignedIn,
    state: AppState,
    path: Result<Path<(i64, String, i64)>, PathRejection>,
    form: Result<Form<Posted>, FormRejection>,
    active: Option<bool>,
) -> Result<Response, WebError> {
    let path = path
        .ok()
        .and_then(|Path((id, s, code))| code_list(&s).map(|l| (id, l, code)));
    let settings = super::settings(&state);
    let (id, form) = checked_post(&signed_in, path.map(|p| p.0), form)?;
    let Some((_, list, code)) = path else {
        return Err(WebError::NotFound);
    };
    let description = active.is_none().then_some(form.description.as_str());
    let outcome = state
        .workflow
        .update_code(actor(&signed_in), list, id, code, description, active)
        .await
        .map(|()| match active {
            None => "saved",
            Some(false) => "retired",
            Some(true) => "restored",
        });
    let failed = format!("{}-{code}", segment(list));
    after(&signed_in, &state, &settings, id, outcome, failed, form).await
}

/// The establishment's history entries, named.
fn action_label(action: &str, locale: Locale) -> Option<String> {
    Some(match action {
        "create" => locale.text("coord-establishment-created"),
        "update" => locale.text("coord-establishment-changed"),
        "add_installation" => locale.text("coord-installation-added"),
        "update_installation" => locale.text("coord-installation-changed"),
        "add_cost_centre" => locale.text("coord-cost-centre-added"),
        "update_cost_centre" => locale.text("coord-cost-centre-changed"),
        "retire_cost_centre" => locale.text("coord-cost-centre-retired"),
        "restore_cost_centre" => locale.text("coord-cost-centre-back-in-use"),
        "add_billing_code" => locale.text("coord-billing-code-added"),
        "update_billing_code" => locale.text("coord-billing-code-changed"),
        "retire_billing_code" => locale.text("coord-billing-code-retired"),
        "restore_billing_code" => locale.text("coord-billing-code-back-in-use"),
        _ => return None,
    })
}

async fn detail(
    signed_in: &SignedIn,
    state: &AppState,
    settings: &Settings,
    id: EstablishmentId,
    status: StatusCode,
    notice: Option<(Tone, String)>,
    failed: Option<Failed>,
) -> Result<Response, WebError> {
    let locale = signed_in.person().locale;
    let csrf = signed_in.session().csrf();
    let loaded = async {
        let mut tx = state.workflow.store().begin_read().await?;
        let e = tx.establishment(id).await?;
        let installations = tx.installations_of(id).await?;
        let centres = tx.cost_centres_of(id).await?;
        let billing = tx.billing_codes_of(id).await?;
        let lines = super::history::lines(
            &mut tx,
            crate::domain::history::Entity::Establishment,
            id.0,
            action_label,
            settings,
            locale,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StoreError>((e, installations, centres, billing, lines))
    }
    .await;
    let (e, installations, centres, billing, history) = match loaded {
        Ok(v) => v,
        Err(StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let base = format!("/admin/establishments/{}", id.0);
    let mut page = SignedPage::new(signed_in, ("Établissement", "Establishment"));
    page.title = format!("{} — {}", e.code, e.name);
    if let Some((tone, text)) = notice {
        page = page.notice(tone, text);
    }
    page.links
        .push(("/admin/establishments".into(), locale.text("coord-all-establishments")));
    page.facts = vec![
        (locale.text("coord-code"), e.code.clone()),
        (locale.text("coord-name"), e.name.clone()),
        (
            locale.text("coord-request-number-prefix-3"),
            e.request_prefix
                .clone()
                .unwrap_or_else(|| locale.text("coord-the-bank-s")),
        ),
    ];
    page.sections.push(name_section(&e, &base, &csrf, locale));
    page.sections
        .push(installations_section(&installations, &base, &csrf, locale));
    let centres = centres
        .into_iter()
        .map(|c| (c.id.0, c.code, c.description, c.active))
        .collect();
    let billing = billing
        .into_iter()
        .map(|c| (c.id.0, c.code, c.description, c.active))
        .collect();
    page.sections
        .push(code_section(CodeList::CostCentres, centres, &base, &csrf, locale));
    page.sections
        .push(code_section(CodeList::BillingCodes, billing, &base, &csrf, locale));
    page.sections.push(Section {
        table: None,
        heading: locale.text("coord-history"),
        empty: locale.text("coord-no-change-recorded"),
        lines: history,
        items: Vec::new(),
    });
    apply(&mut page, failed.as_ref());
    Ok(render(status, &settings.general.bank_name, &page))
}

/// The form that changes an establishment's name and request-number prefix (not its code).
fn name_section(e: &Establishment, base: &str, csrf: &str, locale: Locale) -> Section {
    Section {
        heading: locale.text("coord-name-and-prefix"),
        items: vec![Item {
            headline: locale.text("coord-change-the-name-or-prefix"),
            lines: vec![locale.text("coord-the-code-does-not-change-invoices")],
            forms: vec![save_form(
                "establishment".into(),
                base.to_string(),
                csrf,
                vec![
                    Input::new("name", "text", &locale.text("coord-name"), e.name.clone()),
                    Input::new(
                        "prefix",
                        "text",
                        &locale.text("coord-request-number-prefix-2"),
                        e.request_prefix.clone().unwrap_or_default(),
                    )
                    .hint(prefix_hint(locale)),
                ],
                &locale.text("coord-save"),
            )],
        }],
        ..Section::default()
    }
}

/// The installations, each with its form, then the form that adds one.
fn installations_section(installations: &[Installation], base: &str, csrf: &str, locale: Locale) -> Section {
    let installation_inputs = |name: &str, address: &str, postal: &str| {
        vec![
            Input::new("name", "text", &locale.text("coord-name"), name),
            Input::new("address", "text", &locale.text("coord-address"), address),
            Input::new("postal_code", "text", &locale.text("coord-postal-code"), postal),
        ]
    };
    let mut items: Vec<Item> = installations
        .iter()
        .map(|i| Item {
            headline: i.name.clone(),
            lines: vec![
                [i.address.as_deref(), i.postal_code.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect(),
            forms: vec![save_form(
                format!("installation-{}", i.id.0),
                format!("{base}/installations/{}", i.id.0),
                csrf,
                installation_inputs(
                    &i.name,
                    i.address.as_deref().unwrap_or(""),
                    i.postal_code.as_deref().unwrap_or(""),
                ),
                &locale.text("coord-save-the-installation"),
            )],
        })
        .collect();
    items.push(Item {
        headline: locale.text("coord-add-an-installation"),
        lines: Vec::new(),
        forms: vec![save_form(
            "new-installation".into(),
            format!("{base}/installations"),
            csrf,
            installation_inputs("", "", ""),
            &locale.text("coord-add-the-installation"),
        )],
    });
    Section {
        heading: locale.text("coord-installations"),
        lines: if installations.is_empty() {
            vec![locale.text("coord-no-installation")]
        } else {
            Vec::new()
        },
        items,
        ..Section::default()
    }
}

/// The cost centres or billing codes of a page: each with its description form and a
/// One cost centre or billing code: its description form, and the button that retires it
/// or puts it back in use.
#[allow(clippy::too_many_arguments)]
fn code_item(seg: &str, id: i64, code: &str, text: &str, active: bool, base: &str, csrf: &str, locale: Locale) -> Item {
    let (state, button, to) = if active {
        (
            locale.text("coord-in-use"),
            locale.text("coord-retire-no-longer-accepted-on-new"),
            "retire",
        )
    } else {
        (
            locale.text("coord-retired-refused-on-new-requests-past"),
            locale.text("coord-put-back-in-use"),
            "restore",
        )
    };
    let description = Input::new("description", "text", &locale.text("coord-description"), text);
    Item {
        headline: if text.is_empty() {
            code.to_string()
        } else {
            format!("{code} — {text}")
        },
        lines: vec![state.to_string()],
        forms: vec![
            save_form(
                format!("{seg}-{id}"),
                format!("{base}/{seg}/{id}"),
                csrf,
                vec![description],
                &locale.text("coord-save-the-description"),
            ),
            FormView {
                id: format!("{seg}-{id}-{to}"),
                method: "post",
                action: format!("{base}/{seg}/{id}/{to}"),
                csrf: csrf.to_string(),
                buttons: vec![(button.to_string(), String::new())],
                secondary: true,
                ..FormView::default()
            },
        ],
    }
}

/// button that retires it or puts it back in use, then the form that adds one.
fn code_section(
    list: CodeList,
    codes: Vec<(i64, String, String, bool)>,
    base: &str,
    csrf: &str,
    locale: Locale,
) -> Section {
    let seg = segment(list);
    let (heading, add, add_button, none) = match list {
        CodeList::CostCentres => (
            locale.text("coord-cost-centres"),
            locale.text("coord-add-a-cost-centre"),
            locale.text("coord-add-the-cost-centre"),
            locale.text("coord-no-cost-centre"),
        ),
        CodeList::BillingCodes => (
            locale.text("coord-billing-codes"),
            locale.text("coord-add-a-billing-code"),
            locale.text("coord-add-the-billing-code"),
            locale.text("coord-no-billing-code"),
        ),
    };
    let description = |value: &str| Input::new("description", "text", &locale.text("coord-description"), value);
    let lines = if codes.is_empty() {
        vec![none.to_string()]
    } else {
        Vec::new()
    };
    let mut items: Vec<Item> = codes
        .into_iter()
        .map(|(id, code, text, active)| code_item(seg, id, &code, &text, active, base, csrf, locale))
        .collect();
    items.push(Item {
        headline: add,
        lines: Vec::new(),
        forms: vec![save_form(
            format!("new-{seg}"),
            format!("{base}/{seg}"),
            csrf,
            vec![
                Input::new("code", "text", &locale.text("coord-code"), "")
                    .hint(locale.text("coord-no-spaces-it-does-not-change")),
                description(""),
            ],
            &add_button,
        )],
    });
    Section {
        table: None,
        heading,
        empty: String::new(),
        lines,
        items,
    }
}
