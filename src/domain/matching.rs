//! Matching: which interpreters can take a request, ranked, with the reason for each, and
//! why the others cannot. Pure: the store loads the candidates (`store::matching`), this
//! decides. Times of day are compared in the bank's time zone, as people set them.

use crate::domain::ids::{EstablishmentId, PersonId};
use crate::domain::interpreter::{Availability, EligibilityDocument, Inactivity, WeeklyHours};
use crate::domain::language::LanguageTag;
use crate::domain::locale::Locale;
use crate::domain::request::{Gender, RequestType};
use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Utc};

/// Time kept free between two in-person appointments, to travel.
pub const TRAVEL_BUFFER: TimeDelta = TimeDelta::minutes(60);

/// What is asked: the slot and the constraints of one request.
#[derive(Debug, Clone)]
pub struct Need {
    pub request_type: RequestType,
    pub source: LanguageTag,
    pub target: LanguageTag,
    pub alternative: Option<LanguageTag>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The same slot in the bank's time zone, for weekly hours.
    pub local_start: NaiveDateTime,
    pub local_end: NaiveDateTime,
    pub establishment: EstablishmentId,
    pub gender: Option<Gender>,
    pub preferred: Option<PersonId>,
    /// Where the appointment is, for distance: a postal code.
    pub postal_code: Option<String>,
    /// The request's context (« protection de la jeunesse, DPJ »), folded
    /// (`domain::text::fold`): an interpreter who knows one of its contexts ranks higher.
    pub context: Option<String>,
    /// Interpreters who already refused this request, or withdrew from it: not proposed again.
    pub declined: Vec<PersonId>,
    /// Interpreters whose offer for this request is still pending.
    pub offered: Vec<PersonId>,
}

/// An interpreter as matching sees them.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub person: PersonId,
    pub name: String,
    /// `(source, target)` pairs.
    pub languages: Vec<(LanguageTag, LanguageTag)>,
    pub request_types: Vec<RequestType>,
    pub availability: Option<Availability>,
    pub inactivity: Vec<Inactivity>,
    pub documents: Vec<EligibilityDocument>,
    pub blocked: Vec<EstablishmentId>,
    pub gender: Option<Gender>,
    pub postal_code: Option<String>,
    /// The contexts they are known to work in (« DPJ »), folded (`domain::text::fold`).
    pub contexts: Vec<String>,
    /// Their bookings near the slot: start, end, in person.
    pub bookings: Vec<Booking>,
    /// How many requests they were booked for recently: fewer ranks higher (fair share).
    pub recent_work: u32,
}

/// A booking: start, end, in person.
pub type Booking = (DateTime<Utc>, DateTime<Utc>, bool);

/// A candidate as judged for one request: their profile, and what they have on around its
/// slot. A [`Candidate`] carries both; the store keeps profiles from one request to the
/// next and pairs them with each request's bookings and recent work, without copying them.
#[derive(Debug, Clone, Copy)]
pub struct Scheduled<'a> {
    pub candidate: &'a Candidate,
    pub bookings: &'a [Booking],
    pub recent_work: u32,
}

impl<'a> From<&'a Candidate> for Scheduled<'a> {
    fn from(candidate: &'a Candidate) -> Scheduled<'a> {
        Scheduled {
            candidate,
            bookings: &candidate.bookings,
            recent_work: candidate.recent_work,
        }
    }
}

impl Candidate {
    /// Someone with no language, type or hours yet: the store fills them in.
    pub fn new(person: PersonId, name: String) -> Candidate {
        Candidate {
            person,
            name,
            languages: Vec::new(),
            request_types: Vec::new(),
            availability: None,
            inactivity: Vec::new(),
            documents: Vec::new(),
            blocked: Vec::new(),
            gender: None,
            postal_code: None,
            contexts: Vec::new(),
            bookings: Vec::new(),
            recent_work: 0,
        }
    }
}

/// Why an interpreter cannot take the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    Language,
    RequestType,
    /// Outside their weekly hours.
    Availability,
    /// In an inactivity period.
    Inactive,
    /// A document required to work has expired by the date.
    Document(String),
    Blocked,
    /// Booked elsewhere at that time (travel included for in-person requests).
    Busy,
    Gender,
    /// Already refused this request.
    Declined,
    /// Already has an offer for this request, waiting for their answer.
    Offered,
}

impl Exclusion {
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            Exclusion::Language => locale.pick("langues non couvertes", "languages not covered").into(),
            Exclusion::RequestType => locale
                .pick("type de demande non accepté", "request type not accepted")
                .into(),
            Exclusion::Availability => locale
                .pick("hors de ses disponibilités", "outside their availability")
                .into(),
            Exclusion::Inactive => locale.pick("en période d'inactivité", "inactive at that time").into(),
            Exclusion::Document(name) => format!("{} ({name})", locale.pick("document expiré", "document expired")),
            Exclusion::Blocked => locale
                .pick("bloqué pour cet établissement", "blocked for this establishment")
                .into(),
            Exclusion::Busy => locale
                .pick("déjà réservé à cette heure", "already booked at that time")
                .into(),
            Exclusion::Gender => locale
                .pick("genre demandé différent", "not the gender asked for")
                .into(),
            Exclusion::Declined => locale
                .pick("a déjà refusé ou s'est désisté", "already declined or withdrew")
                .into(),
            Exclusion::Offered => locale.pick("offre déjà envoyée", "already offered").into(),
        }
    }
}

/// What speaks for a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merit {
    Preferred,
    /// Speaks the alternative language, not the first one asked.
    AlternativeLanguage,
    SameArea,
    /// Knows the request's context: one of their contexts is named in it.
    Context,
    /// Booked this many times recently.
    RecentWork(u32),
    /// The request asks for a gender and the profile gives none: proposed, after those
    /// whose gender is known to fit, with this said, never silently left out.
    GenderUnknown,
}

impl Merit {
    pub fn describe(self, locale: Locale) -> String {
        match self {
            Merit::Preferred => locale.pick("interprète à prioriser", "preferred interpreter").into(),
            Merit::AlternativeLanguage => locale.pick("langue alternative", "alternative language").into(),
            Merit::SameArea => locale.pick("même secteur", "same area").into(),
            Merit::Context => locale.text("coord-merit-knows-the-context"),
            Merit::GenderUnknown => locale.pick("genre non renseigné", "gender not given").into(),
            Merit::RecentWork(0) => locale
                .pick("aucune demande à 30 jours près", "no request within 30 days")
                .into(),
            Merit::RecentWork(n) => match locale {
                Locale::Fr => format!("{n} demande{} à 30 jours près", if n > 1 { "s" } else { "" }),
                Locale::En => format!("{n} request{} within 30 days", if n > 1 { "s" } else { "" }),
            },
        }
    }
}

/// A candidate who can take the request, with what ranks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub person: PersonId,
    pub name: String,
    pub merits: Vec<Merit>,
}

/// The outcome: ranked candidates, best first, and everyone excluded with the reason.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    pub ranked: Vec<Ranked>,
    pub excluded: Vec<(PersonId, String, Exclusion)>,
}

/// The area of a postal code: Canada's forward sortation area (`H2X`), or the first two
/// digits of a Belgian code (`10` for Brussels 1000–1099).
pub fn area(postal_code: &str) -> String {
    area_chars(postal_code).collect()
}

/// [`area`] without allocating: matching compares areas for every candidate.
fn area_chars(postal_code: &str) -> impl Iterator<Item = char> + '_ {
    let compact = || {
        postal_code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
    };
    let length = if compact().all(|c| c.is_ascii_digit()) { 2 } else { 3 };
    compact().take(length)
}

fn same_area(a: &str, b: &str) -> bool {
    area_chars(a).eq(area_chars(b))
}

/// Whether folded `text` names folded `phrase` as whole words: « protection de la jeunesse
/// dpj » names « dpj » and « protection de la jeunesse », not « jeu ».
fn names(text: &str, phrase: &str) -> bool {
    let bytes = text.as_bytes();
    !phrase.is_empty()
        && text.match_indices(phrase).any(|(at, _)| {
            let end = at + phrase.len();
            (at == 0 || bytes[at - 1] == b' ') && (end == bytes.len() || bytes[end] == b' ')
        })
}

fn covers(hours: &[WeeklyHours], start: NaiveDateTime, end: NaiveDateTime) -> bool {
    // The slot must fit in one stretch of hours on its day; a slot past midnight is rare
    // enough to leave to a coordinator.
    end.date() == start.date()
        && hours
            .iter()
            .any(|h| h.weekday == start.weekday() && h.starts <= start.time() && end.time() <= h.ends)
}

/// Languages: the pair asked, either way for spoken interpreting (a conversation goes both
/// ways), in the asked direction for translations. `Some(true)` through the alternative.
/// A language asked in a region is spoken by whoever speaks the language (its
/// [`LanguageTag::family`]): the request keeps the region for the interpreter to read.
fn speaks(need: &Need, c: &Candidate) -> Option<bool> {
    let two_way = need.request_type != RequestType::Translation;
    let has = |source: &LanguageTag, target: &LanguageTag| {
        let (source, target) = (source.family(), target.family());
        c.languages.iter().any(|(s, t)| {
            let (s, t) = (s.family(), t.family());
            (s == source && t == target) || (two_way && s == target && t == source)
        })
    };
    if has(&need.source, &need.target) {
        Some(false)
    } else if need.alternative.as_ref().is_some_and(|alt| has(&need.source, alt)) {
        Some(true)
    } else {
        None
    }
}

/// Why `c` cannot take `need`, or what ranks them.
pub fn judge(need: &Need, c: &Candidate) -> Result<Vec<Merit>, Exclusion> {
    judge_scheduled(need, c.into())
}

fn judge_scheduled(need: &Need, s: Scheduled<'_>) -> Result<Vec<Merit>, Exclusion> {
    let c = s.candidate;
    let alternative = speaks(need, c).ok_or(Exclusion::Language)?;
    if need.declined.contains(&c.person) {
        return Err(Exclusion::Declined);
    }
    if need.offered.contains(&c.person) {
        return Err(Exclusion::Offered);
    }
    if !c.request_types.contains(&need.request_type) {
        return Err(Exclusion::RequestType);
    }
    if c.blocked.contains(&need.establishment) {
        return Err(Exclusion::Blocked);
    }
    let gender_unknown = need.gender.is_some() && c.gender.is_none();
    if need.gender.is_some() && !gender_unknown && c.gender != need.gender {
        return Err(Exclusion::Gender);
    }
    let date = need.local_start.date();
    if let Some(doc) = c.documents.iter().find(|d| d.excludes_on(date)) {
        return Err(Exclusion::Document(doc.name.clone()));
    }
    if c.inactivity
        .iter()
        .any(|i| i.starts_at < need.ends_at && need.starts_at < i.ends_at)
    {
        return Err(Exclusion::Inactive);
    }
    if let Some(Availability::Weekly(hours)) = &c.availability
        && !covers(hours, need.local_start, need.local_end)
    {
        return Err(Exclusion::Availability);
    }
    let in_person = need.request_type == RequestType::InPerson;
    if s.bookings.iter().any(|&(start, end, other_in_person)| {
        let buffer = if in_person && other_in_person {
            TRAVEL_BUFFER
        } else {
            TimeDelta::zero()
        };
        start - buffer < need.ends_at && need.starts_at < end + buffer
    }) {
        return Err(Exclusion::Busy);
    }
    let mut merits = Vec::with_capacity(5);
    if need.preferred == Some(c.person) {
        merits.push(Merit::Preferred);
    }
    if gender_unknown {
        merits.push(Merit::GenderUnknown);
    }
    if alternative {
        merits.push(Merit::AlternativeLanguage);
    }
    if let Some(context) = &need.context
        && c.contexts.iter().any(|known| names(context, known))
    {
        merits.push(Merit::Context);
    }
    // A profile may name several work areas, "H2X 1Y4, J4K 2B1": any of them is near.
    if let (Some(a), Some(b)) = (&need.postal_code, &c.postal_code)
        && !a.is_empty()
        && b.split([',', ';']).any(|code| same_area(a, code))
    {
        merits.push(Merit::SameArea);
    }
    merits.push(Merit::RecentWork(s.recent_work));
    Ok(merits)
}

/// The order: preferred first, then a gender known to fit before one not given, then the
/// asked language before the alternative, then one who knows the request's context, then
/// the same area, then whoever worked least recently, then the longest-known (lowest id).
fn sort_key(person: PersonId, merits: &[Merit]) -> (bool, bool, bool, bool, bool, u32, i64) {
    let has = |m: Merit| merits.contains(&m);
    let recent = merits
        .iter()
        .find_map(|m| match m {
            Merit::RecentWork(n) => Some(*n),
            _ => None,
        })
        .unwrap_or(0);
    (
        !has(Merit::Preferred),
        has(Merit::GenderUnknown),
        has(Merit::AlternativeLanguage),
        !has(Merit::Context),
        !has(Merit::SameArea),
        recent,
        person.0,
    )
}

/// Ranks every candidate for `need`.
pub fn rank<'a>(need: &Need, candidates: impl IntoIterator<Item = impl Into<Scheduled<'a>>>) -> Matches {
    let mut matches = Matches::default();
    for s in candidates {
        let s = s.into();
        let c = s.candidate;
        match judge_scheduled(need, s) {
            Ok(merits) => matches.ranked.push(Ranked {
                person: c.person,
                name: c.name.clone(),
                merits,
            }),
            Err(why) => matches.excluded.push((c.person, c.name.clone(), why)),
        }
    }
    matches.ranked.sort_by_cached_key(|r| sort_key(r.person, &r.merits));
    matches
}

/// The best few candidates, and how many of the others are excluded for each reason: what
/// a digest shows, and all that offering a request needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shortlist {
    /// The first `n` of [`Matches::ranked`], in its order.
    pub ranked: Vec<Ranked>,
    /// Each reason found, with how many candidates it excludes, in the order first met.
    pub excluded: Vec<(Exclusion, usize)>,
    /// The first [`NAMED_EXCLUDED`] of those excluded, by name with the reason: what the
    /// board shows under « Non disponibles ».
    pub named_excluded: Vec<(PersonId, String, Exclusion)>,
}

/// How many of the excluded a [`Shortlist`] names: enough for a board row, few enough that
/// a language ten thousand interpreters speak costs no more than a few names.
pub const NAMED_EXCLUDED: usize = 12;

/// The first `n` candidates [`rank`] would give, and the count of each exclusion, without
/// ordering or copying the rest.
pub fn shortlist<'a>(
    need: &Need,
    candidates: impl IntoIterator<Item = impl Into<Scheduled<'a>>>,
    n: usize,
) -> Shortlist {
    let mut eligible = Vec::new();
    let mut excluded: Vec<(Exclusion, usize)> = Vec::new();
    let mut named_excluded = Vec::new();
    for s in candidates {
        let s = s.into();
        let c = s.candidate;
        match judge_scheduled(need, s) {
            Ok(merits) => eligible.push((sort_key(c.person, &merits), c, merits)),
            Err(why) => {
                if named_excluded.len() < NAMED_EXCLUDED {
                    named_excluded.push((c.person, c.name.clone(), why.clone()));
                }
                match excluded.iter_mut().find(|(e, _)| *e == why) {
                    Some((_, count)) => *count += 1,
                    None => excluded.push((why, 1)),
                }
            }
        }
    }
    if n < eligible.len() {
        eligible.select_nth_unstable_by_key(n, |a| a.0);
        eligible.truncate(n);
    }
    eligible.sort_unstable_by_key(|a| a.0);
    Shortlist {
        ranked: eligible
            .into_iter()
            .map(|(_, c, merits)| Ranked {
                person: c.person,
                name: c.name.clone(),
                merits,
            })
            .collect(),
        excluded,
        named_excluded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveTime, TimeZone, Weekday};

    fn lang(s: &str) -> LanguageTag {
        LanguageTag::parse(s).unwrap()
    }

    /// Monday 9 March 2026, 10:00–11:00 in Montreal (14:00–15:00 UTC).
    fn need() -> Need {
        let local = NaiveDate::from_ymd_opt(2026, 3, 9)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let start = Utc.with_ymd_and_hms(2026, 3, 9, 14, 0, 0).unwrap();
        Need {
            request_type: RequestType::InPerson,
            source: lang("fr"),
            target: lang("es"),
            alternative: None,
            starts_at: start,
            ends_at: start + TimeDelta::hours(1),
            local_start: local,
            local_end: local + TimeDelta::hours(1),
            establishment: EstablishmentId(1),
            gender: None,
            preferred: None,
            postal_code: Some("H2X 1Y4".into()),
            context: None,
            declined: vec![],
            offered: vec![],
        }
    }

    fn candidate(id: i64) -> Candidate {
        Candidate {
            languages: vec![(lang("fr"), lang("es"))],
            request_types: vec![RequestType::InPerson, RequestType::Phone],
            availability: Some(Availability::Always),
            ..Candidate::new(PersonId(id), format!("Interprète {id}"))
        }
    }

    #[test]
    fn a_language_asked_in_a_region_is_asked_of_its_speakers() {
        let mut n = need();
        n.target = lang("espagnol (Mexique)");
        assert!(
            judge(&n, &candidate(1)).is_ok(),
            "a Spanish interpreter for Mexican Spanish"
        );
        let mut c = candidate(2);
        c.languages = vec![(lang("fr"), lang("es-419"))];
        assert!(
            judge(&need(), &c).is_ok(),
            "a Latin-American Spanish interpreter for Spanish"
        );
        assert!(judge(&n, &c).is_ok());
        // A variant the catalogue lists apart is another language.
        let mut ar = need();
        ar.target = lang("arabe (Maroc)");
        let mut c = candidate(3);
        c.languages = vec![(lang("fr"), lang("ar"))];
        assert_eq!(judge(&ar, &c), Err(Exclusion::Language));
    }

    #[test]
    fn each_rule_excludes_with_its_reason() {
        let n = need();
        assert!(judge(&n, &candidate(1)).is_ok());
        let mut c = candidate(1);
        c.languages = vec![(lang("fr"), lang("ar"))];
        assert_eq!(judge(&n, &c), Err(Exclusion::Language));
        let mut c = candidate(1);
        c.languages = vec![(lang("es"), lang("fr"))];
        assert!(judge(&n, &c).is_ok(), "spoken interpreting goes both ways");
        let mut t = need();
        t.request_type = RequestType::Translation;
        c.request_types.push(RequestType::Translation);
        assert_eq!(judge(&t, &c), Err(Exclusion::Language), "a translation has a direction");
        let mut c = candidate(1);
        c.request_types = vec![RequestType::Phone];
        assert_eq!(judge(&n, &c), Err(Exclusion::RequestType));
        let mut c = candidate(1);
        c.blocked = vec![EstablishmentId(1)];
        assert_eq!(judge(&n, &c), Err(Exclusion::Blocked));
        let mut g = need();
        g.gender = Some(Gender::Female);
        let mut c = candidate(1);
        c.gender = Some(Gender::Male);
        assert_eq!(judge(&g, &c), Err(Exclusion::Gender));
        c.gender = Some(Gender::NonBinary);
        assert_eq!(judge(&g, &c), Err(Exclusion::Gender));
        c.gender = Some(Gender::Female);
        assert!(judge(&g, &c).is_ok());
        let mut c = candidate(1);
        c.documents = vec![EligibilityDocument {
            name: "Permis de travail".into(),
            description: None,
            valid_until: NaiveDate::from_ymd_opt(2026, 3, 8),
            inactive_if_invalid: true,
            comments: None,
            file_id: None,
        }];
        assert_eq!(judge(&n, &c), Err(Exclusion::Document("Permis de travail".into())));
        c.documents[0].valid_until = NaiveDate::from_ymd_opt(2026, 3, 9);
        assert!(judge(&n, &c).is_ok(), "valid through the day itself");
        let mut c = candidate(1);
        let mut refused = need();
        refused.declined = vec![PersonId(1)];
        assert_eq!(judge(&refused, &candidate(1)), Err(Exclusion::Declined));
        c.inactivity = vec![Inactivity {
            starts_at: n.starts_at - TimeDelta::days(1),
            ends_at: n.starts_at + TimeDelta::minutes(1),
            reason: None,
        }];
        assert_eq!(judge(&n, &c), Err(Exclusion::Inactive));
    }

    #[test]
    fn weekly_hours_are_read_in_local_time() {
        let n = need();
        let hours = |weekday, from: u32, to: u32| WeeklyHours {
            weekday,
            starts: NaiveTime::from_hms_opt(from, 0, 0).unwrap(),
            ends: NaiveTime::from_hms_opt(to, 0, 0).unwrap(),
        };
        let mut c = candidate(1);
        c.availability = Some(Availability::Weekly(vec![hours(Weekday::Mon, 9, 12)]));
        assert!(judge(&n, &c).is_ok());
        c.availability = Some(Availability::Weekly(vec![hours(Weekday::Mon, 10, 11)]));
        assert!(judge(&n, &c).is_ok(), "exactly the slot");
        c.availability = Some(Availability::Weekly(vec![hours(Weekday::Mon, 13, 17)]));
        assert_eq!(judge(&n, &c), Err(Exclusion::Availability), "13 h–17 h local, not UTC");
        c.availability = Some(Availability::Weekly(vec![hours(Weekday::Tue, 9, 12)]));
        assert_eq!(judge(&n, &c), Err(Exclusion::Availability));
    }

    #[test]
    fn in_person_bookings_keep_time_to_travel() {
        let n = need();
        let mut c = candidate(1);
        // Another in-person appointment ends 30 min before: not enough to travel.
        c.bookings = vec![(
            n.starts_at - TimeDelta::minutes(90),
            n.starts_at - TimeDelta::minutes(30),
            true,
        )];
        assert_eq!(judge(&n, &c), Err(Exclusion::Busy));
        // A phone call that ends then is fine.
        c.bookings = vec![(
            n.starts_at - TimeDelta::minutes(90),
            n.starts_at - TimeDelta::minutes(30),
            false,
        )];
        assert!(judge(&n, &c).is_ok());
        // Back to back by phone is fine; overlapping is not.
        let mut phone = need();
        phone.request_type = RequestType::Phone;
        c.bookings = vec![(n.starts_at - TimeDelta::hours(1), n.starts_at, false)];
        assert!(judge(&phone, &c).is_ok());
        c.bookings = vec![(
            n.starts_at + TimeDelta::minutes(59),
            n.ends_at + TimeDelta::hours(1),
            false,
        )];
        assert_eq!(judge(&phone, &c), Err(Exclusion::Busy));
    }

    #[test]
    fn ranking_puts_the_preferred_first_then_the_area_then_fair_share() {
        let mut n = need();
        let mut far_idle = candidate(1);
        far_idle.postal_code = Some("J4K 2B1".into());
        let mut near_busy = candidate(2);
        near_busy.postal_code = Some("h2x-3a1".into());
        near_busy.recent_work = 5;
        let mut near_idle = candidate(3);
        near_idle.postal_code = Some("H2X 2B2".into());
        near_idle.recent_work = 1;
        let mut preferred = candidate(4);
        preferred.recent_work = 9;
        let mut alt = candidate(5);
        alt.languages = vec![(lang("fr"), lang("pt"))];
        alt.postal_code = Some("H2X 1A1".into());
        n.preferred = Some(PersonId(4));
        n.alternative = Some(lang("pt"));
        let mut other = candidate(6);
        other.languages = vec![(lang("fr"), lang("de"))];
        let m = rank(&n, &[far_idle, near_busy, near_idle, preferred, alt, other]);
        let order: Vec<i64> = m.ranked.iter().map(|r| r.person.0).collect();
        assert_eq!(order, vec![4, 3, 2, 1, 5]);
        assert_eq!(
            m.excluded,
            vec![(PersonId(6), "Interprète 6".into(), Exclusion::Language)]
        );
        assert!(m.ranked[1].merits.contains(&Merit::SameArea));
        assert_eq!(Merit::RecentWork(1).describe(Locale::Fr), "1 demande à 30 jours près");
    }

    #[test]
    fn a_gender_not_given_is_proposed_after_a_known_one_and_named() {
        let mut g = need();
        g.gender = Some(Gender::Female);
        let unknown = candidate(1);
        let mut woman = candidate(2);
        woman.gender = Some(Gender::Female);
        woman.recent_work = 7;
        let mut man = candidate(3);
        man.gender = Some(Gender::Male);
        let m = rank(&g, &[unknown.clone(), woman, man]);
        let order: Vec<i64> = m.ranked.iter().map(|r| r.person.0).collect();
        assert_eq!(order, vec![2, 1], "known to fit first, even having worked more");
        assert!(m.ranked[1].merits.contains(&Merit::GenderUnknown));
        assert_eq!(Merit::GenderUnknown.describe(Locale::Fr), "genre non renseigné");
        assert_eq!(m.excluded.len(), 1);
        assert_eq!(m.excluded[0].2, Exclusion::Gender);
        let merits = judge(&need(), &unknown).unwrap();
        assert!(
            !merits.contains(&Merit::GenderUnknown),
            "no gender asked: nothing to say"
        );
    }

    #[test]
    fn knowing_the_request_s_context_ranks_first_among_equals_and_excludes_no_one() {
        use crate::domain::text::fold;
        let mut n = need();
        n.context = Some(fold("Protection de la jeunesse (DPJ) : garde d'enfant"));
        let other = candidate(1);
        let mut dpj = candidate(2);
        dpj.contexts = vec![fold("DPJ")];
        let mut youth = candidate(3);
        youth.contexts = vec![fold("Santé mentale"), fold("protection de la JEUNESSE")];
        let mut part_of_a_word = candidate(4);
        part_of_a_word.contexts = vec![fold("jeu")];
        let m = rank(&n, &[other.clone(), dpj.clone(), youth, part_of_a_word]);
        let order: Vec<i64> = m.ranked.iter().map(|r| r.person.0).collect();
        assert_eq!(order, vec![2, 3, 1, 4], "those who know it first, then by id");
        assert!(m.ranked[0].merits.contains(&Merit::Context));
        assert!(m.ranked[1].merits.contains(&Merit::Context));
        assert!(!m.ranked[3].merits.contains(&Merit::Context), "a whole word or nothing");
        assert!(m.excluded.is_empty());
        assert_eq!(Merit::Context.describe(Locale::Fr), "connaît le contexte de la demande");
        assert_eq!(Merit::Context.describe(Locale::En), "knows the request's context");
        // The same area still ranks those who know the context; only equals are reordered
        // past the language, gender and preference.
        let mut near = other.clone();
        near.postal_code = Some("H2X 2B2".into());
        let m = rank(&n, &[near, dpj.clone()]);
        assert_eq!(m.ranked[0].person, PersonId(2), "the context before the area");
        n.preferred = Some(PersonId(1));
        let m = rank(&n, &[other, dpj.clone()]);
        assert_eq!(m.ranked[0].person, PersonId(1), "the preferred before the context");
        n.context = None;
        assert!(!judge(&n, &dpj).unwrap().contains(&Merit::Context), "no context asked");
    }

    #[test]
    fn any_of_several_work_areas_is_near() {
        let n = need();
        let mut c = candidate(1);
        c.postal_code = Some("J4K 2B1, H2X 9Z9".into());
        assert!(judge(&n, &c).unwrap().contains(&Merit::SameArea));
        c.postal_code = Some("J4K 2B1; H3A 1A1".into());
        assert!(!judge(&n, &c).unwrap().contains(&Merit::SameArea));
    }

    #[test]
    fn areas_of_postal_codes() {
        assert_eq!(area("h2x 1y4"), "H2X");
        assert_eq!(area("1000"), "10");
        assert_eq!(area("B-1050"), "B10");
        assert!(same_area("h2x-9z9", "H2X 1A1"));
        assert!(!same_area("1050", "1150"));
        assert!(same_area("", ""), "the need's empty code is refused before comparing");
    }

    proptest::proptest! {
        /// Comparing areas without allocating gives what comparing the areas' texts gave.
        #[test]
        fn areas_compare_as_their_texts(a in "[ -~]{0,8}", b in "[ -~]{0,8}") {
            let text = |code: &str| {
                let compact = code
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_uppercase();
                let length = if compact.chars().all(|c| c.is_ascii_digit()) { 2 } else { 3 };
                compact.chars().take(length).collect::<String>()
            };
            proptest::prop_assert_eq!(area(&a), text(&a));
            proptest::prop_assert_eq!(same_area(&a, &b), text(&a) == text(&b));
        }
    }

    #[test]
    fn a_shortlist_is_the_head_of_the_ranking_with_the_exclusions_counted() {
        let mut n = need();
        n.alternative = Some(lang("pt"));
        n.preferred = Some(PersonId(7));
        let candidates: Vec<Candidate> = (1..=12)
            .map(|id| {
                let mut c = candidate(id);
                c.recent_work = (id as u32 * 7) % 5;
                c.postal_code = Some(if id % 3 == 0 { "H2X 3A1" } else { "J4K 1A1" }.into());
                match id % 6 {
                    1 => c.languages = vec![(lang("fr"), lang("pt"))],
                    2 => c.request_types = vec![RequestType::Phone],
                    4 => c.blocked = vec![EstablishmentId(1)],
                    5 if id > 6 => c.request_types = vec![RequestType::Video],
                    _ => {}
                }
                c
            })
            .collect();
        let all = rank(&n, &candidates);
        assert!(all.ranked.len() > 3 && all.excluded.len() > 2, "{all:?}");
        for size in 0..=candidates.len() {
            let short = shortlist(&n, &candidates, size);
            assert_eq!(short.ranked, all.ranked[..size.min(all.ranked.len())]);
            let mut counted: Vec<(Exclusion, usize)> = Vec::new();
            for (_, _, why) in &all.excluded {
                match counted.iter_mut().find(|(e, _)| e == why) {
                    Some((_, count)) => *count += 1,
                    None => counted.push((why.clone(), 1)),
                }
            }
            assert_eq!(short.excluded, counted);
            let named = all.excluded.len().min(NAMED_EXCLUDED);
            assert_eq!(short.named_excluded, all.excluded[..named], "the first met, by name");
        }
    }
}
