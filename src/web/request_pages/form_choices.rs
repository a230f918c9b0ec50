//! What the request form offers to pick from, and what it fills in from the requester's
//! profile so nobody retypes what Relais knows: their installations, their
//! establishment's cost centres (their own selected), the languages and the usual
//! durations as suggestions, and, on a new request, the professional's name, telephone and
//! email and the installation's address. Every value stays editable and is read as typed.

use crate::domain::contact::PhoneNumber;
use crate::domain::language::catalogue;
use crate::domain::locale::Locale;
use crate::domain::person::Person;
use crate::domain::text::fold;
use crate::forms::request::FormField;
use crate::store::StoreError;
use crate::web::AppState;
use crate::web::form_view::Datalist;
use std::collections::BTreeMap;

/// The id of the languages' suggestions.
pub(super) const LANGUAGES: &str = "languages";
/// The id of the durations' suggestions.
pub(super) const DURATIONS: &str = "durations";

/// Durations as people write them, each read back by the form's duration reader.
const USUAL_DURATIONS: [&str; 8] = ["30 min", "45 min", "1 h", "1 h 30", "2 h", "2 h 30", "3 h", "4 h"];

/// What the requester may pick from on the form.
#[derive(Debug, Default)]
pub(super) struct Choices {
    /// The installations' names, with each one's address (and postal code) when known.
    pub installations: Vec<(String, Option<String>)>,
    /// The cost centres still in use at the requester's establishment: (code, « code —
    /// description »).
    pub cost_centres: Vec<(String, String)>,
    /// The code of the requester's own cost centre, when still in use.
    pub own_cost_centre: Option<String>,
}

impl Choices {
    /// The choices of `requester`: none when they have no requester profile.
    pub async fn of(state: &AppState, requester: &Person) -> Result<Choices, StoreError> {
        let mut tx = state.workflow.store().begin_read().await?;
        let Some(profile) = tx.requester_profile(requester.id).await? else {
            tx.commit().await?;
            return Ok(Choices::default());
        };
        let mut installations = Vec::new();
        for id in &profile.installations {
            let installation = tx.installation(*id).await?;
            let address = installation.address.filter(|a| !a.trim().is_empty()).map(|a| {
                match installation.postal_code.as_deref().map(str::trim) {
                    Some(code) if !code.is_empty() && !a.contains(code) => format!("{a} {code}"),
                    _ => a,
                }
            });
            installations.push((installation.name, address));
        }
        let centres = tx.cost_centres_of(profile.establishment_id).await?;
        tx.commit().await?;
        let own_cost_centre = profile
            .cost_centre_id
            .and_then(|id| centres.iter().find(|c| c.id == id && c.active))
            .map(|c| c.code.clone());
        let cost_centres = centres
            .into_iter()
            .filter(|c| c.active)
            .map(|c| {
                let label = if c.description.trim().is_empty() {
                    c.code.clone()
                } else {
                    format!("{} — {}", c.code, c.description)
                };
                (c.code, label)
            })
            .collect();
        Ok(Choices {
            installations,
            cost_centres,
            own_cost_centre,
        })
    }

    pub fn installation_names(&self) -> Vec<String> {
        self.installations.iter().map(|(name, _)| name.clone()).collect()
    }

    /// A new request's form, filled from what Relais knows of `requester`: the
    /// professional is the requester until they say otherwise, the place is their only
    /// installation (with its address), the cost centre their own. French is the source
    /// language, as on the mail form.
    pub fn prefill_new(&self, requester: &Person, source_language: String) -> BTreeMap<FormField, String> {
        let mut values = BTreeMap::new();
        values.insert(FormField::SourceLanguage, source_language);
        values.insert(FormField::ProfessionalName, requester.display_name());
        values.insert(FormField::ProfessionalEmail, requester.email.to_string());
        let phone = requester.phone.clone().filter(|p| !p.trim().is_empty()).or_else(|| {
            let mobile = requester.mobile.as_ref()?;
            let number = PhoneNumber::from_stored(mobile.as_str()).ok()?;
            Some(number.display(requester.locale))
        });
        if let Some(phone) = phone {
            values.insert(FormField::ProfessionalPhone, phone);
        }
        if let [(name, address)] = self.installations.as_slice() {
            values.insert(FormField::Installation, name.clone());
            if let Some(address) = address {
                values.insert(FormField::Address, address.clone());
            }
        }
        if let Some(code) = &self.own_cost_centre {
            values.insert(FormField::CostCentre, code.clone());
        }
        values
    }
}

/// The suggestions the form's text fields share: every language by its name in `locale`,
/// in alphabetical order, and the usual durations.
pub(super) fn datalists(locale: Locale) -> Vec<Datalist> {
    let mut languages: Vec<String> = catalogue()
        .iter()
        .map(|l| match locale {
            Locale::Fr => l.name_fr,
            Locale::En => l.name_en,
        })
        .map(str::to_string)
        .collect();
    languages.sort_by_cached_key(|name| fold(name));
    languages.dedup();
    vec![
        Datalist {
            id: LANGUAGES,
            options: languages,
        },
        Datalist {
            id: DURATIONS,
            options: USUAL_DURATIONS.iter().map(|d| d.to_string()).collect(),
        },
    ]
}

/// The suggestions list a field types against, if any.
pub(super) fn list_of(field: FormField) -> &'static str {
    match field {
        FormField::SourceLanguage | FormField::TargetLanguage | FormField::AlternativeLanguage => LANGUAGES,
        FormField::DurationMinutes => DURATIONS,
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::language::LanguageTag;
    use crate::forms::request::read_values;

    #[test]
    fn every_suggestion_reads_back_as_what_it_says() {
        for locale in [Locale::Fr, Locale::En] {
            let lists = datalists(locale);
            let languages = &lists.iter().find(|d| d.id == LANGUAGES).unwrap().options;
            assert!(languages.len() > 50, "{}", languages.len());
            for name in languages {
                let tag = LanguageTag::parse(name).unwrap_or_else(|_| panic!("{name} is not read back"));
                assert_eq!(tag.name(locale), name.as_str());
            }
        }
        let durations = &datalists(Locale::Fr)[1].options;
        let mut minutes = Vec::new();
        for duration in durations {
            let posted = BTreeMap::from([(FormField::DurationMinutes, duration.to_string())]);
            let reading = read_values(&posted, chrono::NaiveDateTime::default());
            match reading.values.get(&FormField::DurationMinutes) {
                Some(crate::forms::request::FieldValue::Minutes(m)) => minutes.push(*m),
                other => panic!("{duration} read as {other:?}"),
            }
        }
        assert_eq!(minutes, [30, 45, 60, 90, 120, 150, 180, 240]);
    }
}
