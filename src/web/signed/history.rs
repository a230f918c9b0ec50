//! The history at the foot of an administration page: when, who, what was done, and which
//! fields changed, newest first.

use crate::config::Settings;
use crate::domain::history::{Change, Entity, HistoryEntry};
use crate::domain::locale::Locale;
use crate::store::{StoreError, Tx};

/// How many entries a page shows.
const SHOWN: usize = 30;

/// Names an entry's action for the page (`None`: the action as stored).
pub type ActionLabel = fn(&str, Locale) -> Option<String>;

/// The last entries about `entity` `id`, as lines.
pub async fn lines(
    tx: &mut Tx,
    entity: Entity,
    id: i64,
    label: ActionLabel,
    settings: &Settings,
    locale: Locale,
) -> Result<Vec<String>, StoreError> {
    let history = tx.history_of(entity, id).await?;
    let mut lines = Vec::new();
    for entry in history.iter().rev().take(SHOWN) {
        let who = match entry.actor_id {
            Some(p) => tx.person(p).await?.display_name(),
            None => "Relais".to_string(),
        };
        let action = label(&entry.action, locale).unwrap_or_else(|| entry.action.clone());
        lines.push(line(entry, &who, &action, settings, locale));
    }
    Ok(lines)
}

/// One line: the name the entry gave (a code, a name), and the fields it changed unless it
/// created something.
fn line(entry: &HistoryEntry, who: &str, action: &str, settings: &Settings, locale: Locale) -> String {
    let named = |c: &Change| match &c.to {
        serde_json::Value::String(s) => Some(s.clone()),
        _ => None,
    };
    let what = entry
        .changes
        .iter()
        .find(|c| matches!(c.field.as_str(), "code" | "name" | "user_code"))
        .and_then(named)
        .map(|s| format!(" : {s}"))
        .unwrap_or_default();
    let mut fields: Vec<String> = Vec::new();
    for c in &entry.changes {
        if c.from != c.to && !matches!(c.field.as_str(), "installation" | "cost_centre" | "billing_code") {
            let name = field_name(&c.field, locale);
            if !fields.contains(&name) {
                fields.push(name);
            }
        }
    }
    let at = entry
        .at
        .with_timezone(&settings.general.time_zone)
        .format("%Y-%m-%d %H:%M");
    let fields = if fields.is_empty() || entry.action.starts_with("add") || entry.action == "create" {
        String::new()
    } else {
        format!(" ({})", fields.join(", "))
    };
    format!("{at} — {who} — {action}{what}{fields}")
}

/// A changed field as people read it: never its internal name.
pub fn field_name(field: &str, locale: Locale) -> String {
    let (fr, en) = match field {
        "first_name" => ("prénom", "first name"),
        "last_name" => ("nom", "last name"),
        "email" => ("adresse courriel", "email address"),
        "mobile" => ("cellulaire", "mobile"),
        "phone" => ("téléphone", "phone"),
        "locale" => ("langue", "language"),
        "notify_email" => ("avis par courriel", "notices by email"),
        "notify_sms" => ("avis par texto", "notices by text message"),
        "notify_when_offered" => (
            "avis quand la demande est offerte",
            "notice when the request is offered",
        ),
        "cost_centre_id" => ("centre de coût", "cost centre"),
        "installations" => ("installations", "installations"),
        "establishment_id" => ("établissement", "establishment"),
        "request_types" => ("types de demande", "request types"),
        "availability" => ("disponibilités", "availability"),
        "inactivity" => ("périodes d'inactivité", "inactivity periods"),
        "documents" => ("documents d'admissibilité", "eligibility documents"),
        "language_pairs" => ("langues", "languages"),
        "gender" => ("genre", "gender"),
        "main_region" => ("région principale", "main region"),
        "work_postal_code" => ("codes postaux de travail", "work postal codes"),
        "contexts" => ("contextes", "contexts"),
        "blocked_establishments" => ("établissements bloqués", "blocked establishments"),
        "financial" => ("dossier financier", "financial file"),
        "roles" => ("rôles", "roles"),
        "active" => ("actif", "active"),
        "code" => ("code", "code"),
        "name" => ("nom", "name"),
        "user_code" => ("identifiant", "identifier"),
        "address" => ("adresse", "address"),
        "postal_code" => ("code postal", "postal code"),
        "description" => ("description", "description"),
        "request_prefix" => ("préfixe des demandes", "request prefix"),
        other => {
            return crate::domain::request::changes::label(other, locale)
                .map(str::to_lowercase)
                .unwrap_or_else(|| locale.pick("autre champ", "other field").to_string());
        }
    };
    locale.pick(fr, en).to_string()
}

/// Names what was done to a person, for their page and the coordinators'.
pub fn person_action(action: &str, locale: Locale) -> Option<String> {
    Some(match action {
        "create" => locale.text("coord-person-added"),
        "update" => locale.text("coord-contact-details-changed"),
        "update_interpreter_profile" => locale.text("coord-interpreter-profile-changed"),
        "import_interpreter_profile" => locale.text("coord-interpreter-profile-imported"),
        "update_interpreter_record" => locale.text("coord-languages-or-financial-file-changed"),
        "update_interpreter_placement" => locale.text("coord-interpreter-placement-changed"),
        "update_requester_profile" => locale.text("profile-requester-profile-changed"),
        "reset_mfa" => locale.text("coord-second-factor-reset"),
        "update_roles" => locale.text("coord-roles-changed"),
        "add_interpreter_file" => locale.text("coord-file-added"),
        "remove_interpreter_file" => locale.text("coord-file-removed"),
        "change_email" => locale.text("profile-email-address-changed"),
        "deactivate" => locale.text("coord-deactivated"),
        "reactivate" => locale.text("coord-reactivated"),
        _ => return Some(locale.pick("Modification", "Change").to_string()),
    })
}
