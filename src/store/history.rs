//! The append-only history table.

use super::later::{self, Param};
use super::{StoreError, Tx, decode, on_conn};
use crate::domain::history::{Change, Entity, HistoryEntry, NewHistoryEntry};
use crate::domain::ids::PersonId;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

#[derive(sqlx::FromRow)]
struct HistoryRow {
    id: i64,
    entity_id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor_kind: String,
    channel: String,
    action: String,
    changes: Json<Vec<Change>>,
}

impl Tx {
    pub async fn record_history(&mut self, entry: &NewHistoryEntry) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO history (entity, entity_id, at, actor_id, actor_kind, channel, action, changes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        // Nobody reads it back in this transaction's next step: it goes with the next statement.
        self.write_later(
            SQL,
            vec![
                Param::text(entry.entity.as_str()),
                Param::Int(Some(entry.entity_id)),
                Param::Time(entry.at),
                Param::Int(entry.actor_id.map(|p| p.0)),
                Param::text(entry.actor_kind.as_str()),
                Param::text(entry.channel.as_str()),
                Param::text(&entry.action),
                later::json(&entry.changes)?,
            ],
        )
        .await
    }

    /// Every entry about one entity, oldest first.
    pub async fn history_of(&mut self, entity: Entity, entity_id: i64) -> Result<Vec<HistoryEntry>, StoreError> {
        const SQL: &str = "SELECT id, entity_id, at, actor_id, actor_kind, channel, action, changes \
             FROM history WHERE entity = $1 AND entity_id = $2 ORDER BY id";
        let rows: Vec<HistoryRow> = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(entity.as_str())
            .bind(entity_id)
            .fetch_all(c)
            .await?);
        rows.into_iter()
            .map(|r| {
                Ok(HistoryEntry {
                    id: r.id,
                    entity,
                    entity_id: r.entity_id,
                    at: r.at,
                    actor_id: r.actor_id.map(PersonId),
                    actor_kind: decode("history.actor_kind", serde_json::from_value(r.actor_kind.into()))?,
                    channel: decode("history.channel", r.channel.parse())?,
                    action: r.action,
                    changes: r.changes.0,
                })
            })
            .collect()
    }
}
