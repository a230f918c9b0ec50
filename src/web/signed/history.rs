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
        lines.push(line(entry, &who, &action, settings));
    }
    Ok(lines)
}

/// One line: the name the entry gave (a code, a name), and the fields it changed unless it
/// created something.
fn line(entry: &HistoryEntry, who: &str, action: &str, settings: &Settings) -> String {
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
    let fields: Vec<&str> = entry
        .changes
        .iter()
        .filter(|c| c.from != c.to && !matches!(c.field.as_str(), "installation" | "cost_centre" | "billing_code"))
        .map(|c| c.field.as_str())
        .collect();
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
