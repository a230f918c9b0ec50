//! The names behind the ids a request's changes carry (an installation, an interpreter),
//! read once each, so that history and notices say « Hôpital du Parc », never `3`.

use super::{StoreError, Tx};
use crate::domain::history::Change;
use crate::domain::ids::{InstallationId, PersonId};
use crate::domain::request::changes::Names;

/// What kind of thing a change's id refers to, by the change's key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Installation,
    Person,
}

fn kind(field: &str) -> Option<Kind> {
    match field {
        "installation" => Some(Kind::Installation),
        "preferred_interpreter" | "offered_to" | "declined_by" | "assigned_interpreter" => Some(Kind::Person),
        _ => None,
    }
}

/// The names of the ids found in some changes.
#[derive(Default)]
pub struct ChangeNames(Vec<(Kind, i64, String)>);

impl ChangeNames {
    /// Reads the name of every id the changes refer to, each id once.
    pub async fn load(tx: &mut Tx, changes: &[&Change]) -> Result<ChangeNames, StoreError> {
        let mut names = ChangeNames::default();
        for change in changes {
            let Some(kind) = kind(&change.field) else {
                continue;
            };
            for id in [&change.from, &change.to].into_iter().filter_map(|v| v.as_i64()) {
                if names.0.iter().any(|(k, i, _)| *k == kind && *i == id) {
                    continue;
                }
                let name = match kind {
                    Kind::Installation => tx.installation(InstallationId(id)).await?.name,
                    Kind::Person => tx.person(PersonId(id)).await?.display_name(),
                };
                names.0.push((kind, id, name));
            }
        }
        Ok(names)
    }
}

impl Names for ChangeNames {
    fn name(&self, field: &str, id: i64) -> Option<String> {
        let kind = kind(field)?;
        self.0
            .iter()
            .find(|(k, i, _)| *k == kind && *i == id)
            .map(|(_, _, name)| name.clone())
    }
}
