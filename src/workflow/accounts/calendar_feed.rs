//! A person's calendar feed address: a secret token in the URL
//! (`/calendar/TOKEN.ics`), kept hashed to look requests up and sealed to show the
//! address again on the account page. A new address replaces the old one at once; turning
//! the feed off forgets it.

use super::{AccountError, Accounts};
use crate::domain::ids::PersonId;
use crate::security::account_secret::{session_id, sha256_hex};

fn context(person: PersonId) -> String {
    format!("calendar-feed:{}", person.0)
}

impl Accounts {
    /// The token of the person's feed address, if their feed is on.
    pub async fn calendar_feed_token(&self, person: PersonId) -> Result<Option<String>, AccountError> {
        let mut tx = self.workflow.store().begin_read().await?;
        let feed = tx.calendar_feed(person).await?;
        tx.commit().await?;
        Ok(feed.and_then(|f| {
            let opened = self.sealer.open(&context(person), &f.token_sealed)?;
            String::from_utf8(opened).ok()
        }))
    }

    /// A new feed address for the person (the previous one stops working): its token.
    pub async fn new_calendar_feed(&self, person: PersonId) -> Result<String, AccountError> {
        let token = session_id();
        let sealed = self.sealer.seal(&context(person), token.as_bytes())?;
        let now = self.workflow.clock().now();
        let mut tx = self.workflow.store().begin().await?;
        tx.set_calendar_feed(person, &sha256_hex(&token), &sealed, now).await?;
        tx.commit().await?;
        tracing::info!(person = person.0, "calendar feed: new address");
        Ok(token)
    }

    /// Turns the person's feed off; false when it was off.
    pub async fn stop_calendar_feed(&self, person: PersonId) -> Result<bool, AccountError> {
        let mut tx = self.workflow.store().begin().await?;
        let stopped = tx.delete_calendar_feed(person).await?;
        tx.commit().await?;
        Ok(stopped)
    }
}

/// Whose feed a token opens: the token is hashed before it is looked up.
pub async fn feed_owner(
    store: &crate::store::Store,
    token: &str,
) -> Result<Option<PersonId>, crate::store::StoreError> {
    let mut tx = store.begin_read().await?;
    let owner = tx.calendar_feed_owner(&sha256_hex(token)).await?;
    tx.commit().await?;
    Ok(owner)
}
