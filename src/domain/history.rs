//! History: who changed what, when, through which channel. Append-only.
//!
//! Values of fields that may hold health information are never written to history,
//! only the fact that they changed, so erasing patient details after the retention
//! period leaves nothing behind in the record.

use crate::domain::ids::PersonId;
use crate::domain::request::RequestDetails;
use crate::domain::role::{ActorKind, Channel};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a history entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Request,
    Person,
    Establishment,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Request => "request",
            Entity::Person => "person",
            Entity::Establishment => "establishment",
        }
    }
}

/// Placeholder stored instead of a sensitive value.
pub const REDACTED: &str = "<confidentiel>";

/// One field's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub from: Value,
    pub to: Value,
}

impl Change {
    pub fn new(field: &str, from: impl Serialize, to: impl Serialize) -> Change {
        Change {
            field: field.to_string(),
            from: serde_json::to_value(from).unwrap_or(Value::Null),
            to: serde_json::to_value(to).unwrap_or(Value::Null),
        }
    }

    /// A change whose values stay out of the record.
    pub fn redacted(field: &str) -> Change {
        Change {
            field: field.to_string(),
            from: Value::from(REDACTED),
            to: Value::from(REDACTED),
        }
    }
}

/// A history entry about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHistoryEntry {
    pub entity: Entity,
    pub entity_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<PersonId>,
    pub actor_kind: ActorKind,
    pub channel: Channel,
    /// What happened: an event of the life cycle ("submit", "cancel"), or "create", "update"…
    pub action: String,
    pub changes: Vec<Change>,
}

/// A stored history entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub entity: Entity,
    pub entity_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<PersonId>,
    pub actor_kind: ActorKind,
    pub channel: Channel,
    pub action: String,
    pub changes: Vec<Change>,
}

/// The changes between two versions of a request's details, sensitive values redacted.
pub fn diff_details(old: &RequestDetails, new: &RequestDetails) -> Vec<Change> {
    let mut changes = Vec::new();
    macro_rules! plain {
        ($($name:literal => $($path:ident).+),* $(,)?) => {$(
            if old.$($path).+ != new.$($path).+ {
                changes.push(Change::new($name, &old.$($path).+, &new.$($path).+));
            }
        )*};
    }
    macro_rules! sensitive {
        ($($name:literal => $($path:ident).+),* $(,)?) => {$(
            if old.$($path).+ != new.$($path).+ {
                changes.push(Change::redacted($name));
            }
        )*};
    }
    plain! {
        "installation" => installation_id,
        "location" => location,
        "request_type" => request_type,
        "date" => date,
        "start_time" => start_time,
        "flexible_until" => flexible_until,
        "duration_minutes" => duration_minutes,
        "source_language" => source_language,
        "target_language" => target_language,
        "alternative_language" => alternative_language,
        "alternative_date" => alternative_date,
        "professional_name" => professional.name,
        "professional_function" => professional.function,
        "professional_phone" => professional.phone,
        "professional_email" => professional.email,
        "preferred_interpreter" => preferred_interpreter,
        "interpreter_gender" => interpreter_gender,
        "interpreter_must_notify_user" => interpreter_must_notify_user,
        "video_platform" => video.platform,
        "cost_centre" => cost_centre_id,
        "billing_code" => billing_code_id,
        "interpreter_type" => interpreter_type,
        "on_site_name" => on_site.name,
        "on_site_phone" => on_site.phone,
        "supplementary" => supplementary,
    }
    sensitive! {
        "address" => address,
        "context" => notes.context,
        "reason" => notes.reason,
        "message_to_interpreter" => notes.message_to_interpreter,
        "coordinator_note" => notes.coordinator_note,
        "patient_name" => patient.name,
        "patient_phone" => patient.phone,
        "patient_details" => patient.details,
        "video_link" => video.link,
        "video_passcode" => video.passcode,
    }
    changes
}
