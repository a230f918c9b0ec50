//! What a coordinator types of an interpreter's profile beyond their languages and money
//! (`/admin/people/{code}`, and the columns of an import file): who they are and where
//! they work (gender, region, address, postal codes), what they take (request types,
//! contexts), where they must not be sent, each of their eligibility documents and their
//! times away. Read into typed values; each wrong field is named with its problem.

use crate::domain::ids::EstablishmentId;
use crate::domain::interpreter::{EligibilityDocument, Inactivity};
use crate::domain::person_form::{PersonField, PersonProblem, Problems};
use crate::domain::request::{Gender, RequestType};
use crate::domain::text::{self, fold};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// Where and how an interpreter works, as typed.
#[derive(Debug, Clone, Default)]
pub struct PlacementForm<'a> {
    pub gender: &'a str,
    pub main_region: &'a str,
    pub address: &'a str,
    pub postal_code: &'a str,
    /// One or several, separated by commas.
    pub work_postal_codes: &'a str,
    pub request_types: Vec<&'a str>,
    /// Establishment ids, as the checkboxes post them.
    pub blocked: Vec<&'a str>,
    /// One a line, or separated by commas.
    pub contexts: &'a str,
}

/// Where and how an interpreter works, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Placement {
    pub gender: Option<Gender>,
    pub main_region: Option<String>,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub work_postal_code: Option<String>,
    pub request_types: Vec<RequestType>,
    pub blocked: Vec<EstablishmentId>,
    pub contexts: Vec<String>,
}

/// A gender as a form or a file gives it: a code, or a word in French or English; empty
/// (or « non spécifié ») for not given, `Some(None)`. `None` when it is none of these.
pub fn read_gender(value: &str) -> Option<Option<Gender>> {
    match fold(value).as_str() {
        "" | "non specifie" | "non renseigne" | "not specified" | "unknown" | "inconnu" => Some(None),
        "female" | "femme" | "f" | "woman" => Some(Some(Gender::Female)),
        "male" | "homme" | "h" | "m" | "man" => Some(Some(Gender::Male)),
        "non binary" | "non binaire" | "nonbinary" | "x" => Some(Some(Gender::NonBinary)),
        _ => None,
    }
}

/// A request type as a form or a file gives it: its code or its label, in either language.
pub fn read_request_type(value: &str) -> Option<RequestType> {
    let wanted = fold(value);
    RequestType::ALL.into_iter().find(|t| {
        fold(t.as_str()) == wanted
            || [crate::domain::locale::Locale::Fr, crate::domain::locale::Locale::En]
                .into_iter()
                .any(|l| fold(t.label(l)) == wanted)
    })
}

/// Contexts, one a line or separated by commas; each kept once, as typed.
pub fn read_contexts(value: &str, problems: &mut Problems) -> Vec<String> {
    let mut contexts: Vec<String> = Vec::new();
    for typed in value.split(['\n', ',']).map(str::trim).filter(|c| !c.is_empty()) {
        match text::line(typed, 80) {
            Ok(c) if !contexts.iter().any(|k| fold(k) == fold(c)) => contexts.push(c.to_string()),
            Ok(_) => {}
            Err(problem) => problems.push(PersonField::Contexts, PersonProblem::Text(problem)),
        }
    }
    contexts
}

impl PlacementForm<'_> {
    pub fn read(&self, problems: &mut Problems) -> Placement {
        let gender = read_gender(self.gender).unwrap_or_else(|| {
            problems.push(PersonField::Gender, PersonProblem::Choice);
            None
        });
        let mut request_types = Vec::new();
        for typed in &self.request_types {
            match read_request_type(typed) {
                Some(t) if !request_types.contains(&t) => request_types.push(t),
                Some(_) => {}
                None => problems.push(PersonField::RequestTypes, PersonProblem::Choice),
            }
        }
        if request_types.is_empty() && self.request_types.is_empty() {
            problems.push(PersonField::RequestTypes, PersonProblem::NoRequestType);
        }
        let mut blocked = Vec::new();
        for typed in &self.blocked {
            match typed.parse() {
                Ok(id) => blocked.push(EstablishmentId(id)),
                Err(_) => problems.push(PersonField::Blocked, PersonProblem::Choice),
            }
        }
        blocked.sort_by_key(|e| e.0);
        blocked.dedup();
        let work: Vec<&str> = self
            .work_postal_codes
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        Placement {
            gender,
            main_region: problems.text(PersonField::MainRegion, self.main_region, 100),
            address: problems.text(PersonField::Address, self.address, 200),
            postal_code: problems.text(PersonField::PostalCode, self.postal_code, 12),
            work_postal_code: problems.text(PersonField::WorkPostalCodes, &work.join(", "), 200),
            request_types,
            blocked,
            contexts: read_contexts(self.contexts, problems),
        }
    }
}

/// A date as typed, `AAAA-MM-JJ`; `None` when empty, a problem of `field` when wrong.
pub fn read_date(value: &str, field: PersonField, problems: &mut Problems) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| problems.push(field, PersonProblem::Date(value.to_string())))
        .ok()
}

/// One eligibility document as typed on the interpreter's page: its name, a description,
/// its end of validity (`AAAA-MM-JJ`, or empty for none), whether it makes the interpreter
/// inactive once expired (the checkbox's value, empty when unticked) and comments.
#[derive(Debug, Clone, Default)]
pub struct DocumentForm<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub valid_until: &'a str,
    pub inactive_if_invalid: &'a str,
    pub comments: &'a str,
}

impl DocumentForm<'_> {
    /// The document read, without a file (the caller attaches one); each wrong field named.
    pub fn read(&self, problems: &mut Problems) -> EligibilityDocument {
        let name = problems.required(PersonField::DocumentName, self.name, 200);
        let inactive_if_invalid = match fold(self.inactive_if_invalid).as_str() {
            "" | "non" | "no" => false,
            "oui" | "yes" | "on" => true,
            _ => {
                problems.push(PersonField::DocumentInactive, PersonProblem::Choice);
                false
            }
        };
        EligibilityDocument {
            name,
            description: problems.text(PersonField::DocumentDescription, self.description, 200),
            valid_until: read_date(self.valid_until, PersonField::DocumentUntil, problems),
            inactive_if_invalid,
            comments: problems.text(PersonField::DocumentComments, self.comments, 200),
            file_id: None,
        }
    }
}

/// A moment as typed, `AAAA-MM-JJ HH:MM` in the bank's time zone; a date alone is the
/// start of that day, or, for an end, the start of the next.
fn moment(value: &str, end: bool, tz: Tz) -> Option<chrono::DateTime<chrono::Utc>> {
    let value = value.trim();
    let local = match NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M") {
        Ok(at) => at,
        Err(_) => {
            let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
            let day = if end { day.succ_opt()? } else { day };
            day.and_time(NaiveTime::MIN)
        }
    };
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Inactivity periods, one a line: `start → end | reason`, each moment `AAAA-MM-JJ HH:MM`
/// (or a date alone, for whole days) in the bank's time zone.
pub fn read_inactivity(value: &str, tz: Tz, problems: &mut Problems) -> Vec<Inactivity> {
    let mut periods = Vec::new();
    for line in value.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (span, reason) = line.split_once('|').unwrap_or((line, ""));
        let split = ["→", "->"].iter().find_map(|sep| span.split_once(sep));
        let read = split.and_then(|(from, to)| Some((moment(from, false, tz)?, moment(to, true, tz)?)));
        let Some((starts_at, ends_at)) = read.filter(|(s, e)| s < e) else {
            problems.push(PersonField::Inactivity, PersonProblem::InactivityLine(line.to_string()));
            continue;
        };
        periods.push(Inactivity {
            starts_at,
            ends_at,
            reason: problems.text(PersonField::Inactivity, reason, 200),
        });
    }
    periods.sort_by_key(|p| p.starts_at);
    periods
}

/// The periods as `read_inactivity` reads them back.
pub fn write_inactivity(periods: &[Inactivity], tz: Tz) -> String {
    let at = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    periods
        .iter()
        .map(|p| match &p.reason {
            Some(r) => format!("{} → {} | {r}", at(p.starts_at), at(p.ends_at)),
            None => format!("{} → {}", at(p.starts_at), at(p.ends_at)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_placement_is_read_with_its_gender_types_and_places() {
        let mut problems = Problems::default();
        let placement = PlacementForm {
            gender: "non_binary",
            main_region: " 06-Montréal ",
            address: "1001 3e Avenue E",
            postal_code: "J9P 0J7",
            work_postal_codes: "H2X 1Y4,  J4K 2B1\n",
            request_types: vec!["in_person", "video", "video"],
            blocked: vec!["3", "1"],
            contexts: "DPJ\nSanté mentale, dpj",
        }
        .read(&mut problems);
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(placement.gender, Some(Gender::NonBinary));
        assert_eq!(placement.main_region.as_deref(), Some("06-Montréal"));
        assert_eq!(placement.work_postal_code.as_deref(), Some("H2X 1Y4, J4K 2B1"));
        assert_eq!(placement.request_types, vec![RequestType::InPerson, RequestType::Video]);
        assert_eq!(placement.blocked, vec![EstablishmentId(1), EstablishmentId(3)]);
        assert_eq!(placement.contexts, vec!["DPJ", "Santé mentale"]);
        assert_eq!(read_gender("").unwrap(), None, "not given is allowed");
        assert_eq!(read_gender("Femme").unwrap(), Some(Gender::Female));
        assert_eq!(read_request_type("Par vidéoconférence"), Some(RequestType::Video));
    }

    #[test]
    fn a_wrong_placement_names_each_field() {
        let mut problems = Problems::default();
        PlacementForm {
            gender: "sometimes",
            request_types: vec![],
            blocked: vec!["x"],
            ..PlacementForm::default()
        }
        .read(&mut problems);
        let fields: Vec<_> = problems.0.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![PersonField::Gender, PersonField::RequestTypes, PersonField::Blocked]
        );
    }

    #[test]
    fn a_document_is_read_with_each_wrong_field_named() {
        let mut problems = Problems::default();
        let document = DocumentForm {
            name: " Permis de travail / d'étude ",
            description: "Renouvelable",
            valid_until: "2027-03-30",
            inactive_if_invalid: "yes",
            comments: "",
        }
        .read(&mut problems);
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(document.name, "Permis de travail / d'étude");
        assert_eq!(document.description.as_deref(), Some("Renouvelable"));
        assert_eq!(document.valid_until, NaiveDate::from_ymd_opt(2027, 3, 30));
        assert!(document.inactive_if_invalid);
        assert_eq!((document.comments, document.file_id), (None, None));
        let unticked = DocumentForm {
            name: "Carte OTTIAQ",
            ..DocumentForm::default()
        }
        .read(&mut problems);
        assert!(!unticked.inactive_if_invalid && unticked.valid_until.is_none());
        DocumentForm {
            name: "",
            valid_until: "30 mars",
            inactive_if_invalid: "peut-être",
            ..DocumentForm::default()
        }
        .read(&mut problems);
        let fields: Vec<_> = problems.0.iter().map(|p| (p.field, p.problem.clone())).collect();
        assert_eq!(
            fields,
            vec![
                (PersonField::DocumentName, PersonProblem::Required),
                (PersonField::DocumentInactive, PersonProblem::Choice),
                (PersonField::DocumentUntil, PersonProblem::Date("30 mars".into())),
            ]
        );
    }

    #[test]
    fn inactivity_is_read_in_the_bank_s_time_with_its_hours() {
        let tz = chrono_tz::America::Montreal;
        let mut problems = Problems::default();
        let periods = read_inactivity(
            "2024-10-28 11:07 → 2024-10-31 16:07 | Vacances\n2024-12-24 -> 2024-12-26",
            tz,
            &mut problems,
        );
        assert!(problems.0.is_empty(), "{:?}", problems.0);
        assert_eq!(
            periods[0].starts_at,
            Utc.with_ymd_and_hms(2024, 10, 28, 15, 7, 0).unwrap()
        );
        assert_eq!(periods[0].reason.as_deref(), Some("Vacances"));
        assert_eq!(
            periods[1].ends_at,
            Utc.with_ymd_and_hms(2024, 12, 27, 5, 0, 0).unwrap(),
            "a date alone ends with its day"
        );
        let written = write_inactivity(&periods, tz);
        assert!(written.starts_with("2024-10-28 11:07 → 2024-10-31 16:07 | Vacances"));
        assert_eq!(read_inactivity(&written, tz, &mut problems), periods);
        read_inactivity("2024-10-31 → 2024-10-28", tz, &mut problems);
        assert_eq!(problems.0.len(), 1, "an end before its start is refused");
    }
}
