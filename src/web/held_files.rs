//! Files of a web form that came back with errors are held, so nobody attaches them twice.
//! The page lists them as ticked boxes carrying a random token (`kept`); the next sending
//! joins the ticked ones in the same transaction as the rest and lets them go. Only the
//! token's hash is stored, only the person who sent a file finds it, and a file held a day
//! is forgotten (`docs/web.md`).

use crate::domain::ids::PersonId;
use crate::domain::locale::Locale;
use crate::security::account_secret::sha256_hex;
use crate::security::random_token;
use crate::store::attachments::{HeldFile, NewAttachment};
use crate::store::{Store, StoreError, Tx};
use chrono::{DateTime, TimeDelta, Utc};

/// How long a held file waits for its form.
const HOLD_FOR: TimeDelta = TimeDelta::hours(24);

/// A held file as the page shows it: the token its box sends back, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub token: String,
    pub label: String,
}

/// The held files a form sent back with its `kept` boxes, with the tokens that named them.
pub struct Held {
    files: Vec<(String, HeldFile)>,
}

impl Held {
    /// Those of `tokens` that `person` holds (unknown, expired or someone else's: none).
    pub async fn find(
        tx: &mut Tx,
        person: PersonId,
        tokens: &[String],
        now: DateTime<Utc>,
    ) -> Result<Held, StoreError> {
        let hashes: Vec<String> = tokens.iter().map(|t| sha256_hex(t)).collect();
        let found = tx.held_files(person, &hashes, now - HOLD_FOR).await?;
        let files = found
            .into_iter()
            .filter_map(|held| {
                let token = tokens.iter().find(|t| sha256_hex(t) == held.token_hash)?;
                Some((token.clone(), held))
            })
            .collect();
        Ok(Held { files })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn files(&self) -> impl Iterator<Item = &NewAttachment> {
        self.files.iter().map(|(_, h)| &h.file)
    }

    /// Lets them go, in the transaction that joined them to what they were sent with.
    pub async fn release(&self, tx: &mut Tx, person: PersonId) -> Result<(), StoreError> {
        let hashes: Vec<String> = self.files.iter().map(|(_, h)| h.token_hash.clone()).collect();
        tx.release_held_files(person, &hashes).await
    }

    /// How the page lists them again.
    pub fn kept(&self, locale: Locale) -> Vec<Kept> {
        self.files
            .iter()
            .map(|(token, h)| Kept {
                token: token.clone(),
                label: describe(&h.file, locale),
            })
            .collect()
    }
}

/// Holds `files` for `person` (in its own transaction: the form's was rolled back) and
/// returns how the page lists them.
pub async fn hold(
    store: &Store,
    person: PersonId,
    files: &[NewAttachment],
    now: DateTime<Utc>,
    locale: Locale,
) -> Result<Vec<Kept>, StoreError> {
    let mut kept = Vec::new();
    if files.is_empty() {
        return Ok(kept);
    }
    let mut tx = store.begin().await?;
    for file in files {
        let token = random_token();
        tx.hold_file(person, &sha256_hex(&token), file, now, now - HOLD_FOR)
            .await?;
        kept.push(Kept {
            token,
            label: describe(file, locale),
        });
    }
    tx.commit().await?;
    Ok(kept)
}

/// "ordonnance.pdf (12 Ko)".
fn describe(file: &NewAttachment, locale: Locale) -> String {
    let kb = file.content.len().div_ceil(1024);
    match locale {
        Locale::Fr => format!("{} ({kb} Ko)", file.file_name),
        Locale::En => format!("{} ({kb} KB)", file.file_name),
    }
}
