//! The coordinator's digest, gathered when it is sent so it shows the bank as it is: the
//! requests waiting for an interpreter (soonest first) with the best candidates, why, and
//! one signed link per candidate to offer it to them, plus one to offer it to all; then
//! offers unanswered, modified requests waiting for re-acceptance, contested service
//! records, bounced addresses, undelivered messages, and inbound messages set aside
//! because their processing failed.
//!
//! The same candidate block goes into the notices that hand a request back to the
//! coordinators (a refusal, lapsed offers, a withdrawal).

use super::render::{Facts, link_label};
use crate::domain::locale::Locale;
use crate::domain::locale::{clock_time, long_date};
use crate::domain::matching::Exclusion;
use crate::domain::person::Person;
use crate::domain::request::{Request, RequestStatus};
use crate::security::link::{LinkAction, LinkClaim, LinkKeys};
use crate::store::Tx;
use askama::Template;
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

/// How many requests of each section a digest lists at most.
const SECTION_LIMIT: i64 = 30;

/// What signing the digest's links needs.
pub struct LinkContext<'a> {
    pub keys: &'a LinkKeys,
    pub public_base_url: &'a str,
    pub ttl: TimeDelta,
    pub now: DateTime<Utc>,
    pub time_zone: Tz,
    pub candidates: usize,
}

impl LinkContext<'_> {
    /// The full URL of the link for `claim`, signed with the current key.
    pub fn url(&self, claim: &LinkClaim) -> String {
        crate::security::link::link_url(self.public_base_url, &self.keys.sign(claim))
    }
}

/// One candidate line: who, why, and the link that offers them the request.
#[derive(Debug, Clone)]
pub struct CandidateLine {
    /// Who, for the board's button.
    pub person: crate::domain::ids::PersonId,
    pub name: String,
    /// Their user code, what `ASSIGNER HC-… UBIPN0002` names them by.
    pub code: String,
    pub why: String,
    pub label: String,
    pub url: String,
}

/// A request with its candidates.
#[derive(Debug, Clone)]
pub struct WaitingItem {
    /// Which request, for the board's buttons.
    pub request: crate::domain::ids::RequestId,
    pub headline: String,
    pub candidates: Vec<CandidateLine>,
    /// Offer it to every candidate listed at once.
    pub broadcast: Option<(String, String)>,
    /// Whom the broadcast offers it to.
    pub broadcast_to: Vec<crate::domain::ids::PersonId>,
    /// Why nobody else: "5 déjà réservés, 2 hors disponibilités".
    pub excluded: String,
    /// Who withdrew from it, if it was booked before: "Désistement : Lucía Ramírez".
    pub withdrawn: String,
    /// What the board's table shows of it, a column each.
    pub facts: WaitingFacts,
    /// The first few who cannot take it, by name, with why: « Non disponibles ».
    pub not_available: Vec<NotAvailable>,
    /// How many cannot take it in all (more than [`WaitingItem::not_available`] names in a
    /// large bank).
    pub not_available_count: usize,
}

/// A waiting request as the board's table shows it: in words, never codes.
#[derive(Debug, Clone)]
pub struct WaitingFacts {
    pub number: String,
    pub starts_at: DateTime<Utc>,
    /// The day and time it starts, local to the bank.
    pub date: chrono::NaiveDate,
    pub time: chrono::NaiveTime,
    /// « 1 h 30 »; empty for a written translation, which has no length.
    pub duration: String,
    /// « Français → Espagnol ».
    pub languages: String,
    /// The installation's name.
    pub installation: String,
}

/// Someone who cannot take a request, and why, in words.
#[derive(Debug, Clone)]
pub struct NotAvailable {
    pub person: crate::domain::ids::PersonId,
    pub name: String,
    pub why: String,
}

/// Where a set-aside message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAsideChannel {
    Mail,
    Sms,
}

impl SetAsideChannel {
    /// How the board's forms name it.
    pub fn as_str(self) -> &'static str {
        match self {
            SetAsideChannel::Mail => "mail",
            SetAsideChannel::Sms => "sms",
        }
    }
}

/// A message whose processing failed for good: nothing was done, and it waits for a
/// coordinator to retry it after a fix, or to dismiss it.
#[derive(Debug, Clone)]
pub struct SetAsideLine {
    pub channel: SetAsideChannel,
    /// Its row, for the board's buttons.
    pub id: i64,
    pub line: String,
    /// False once its content was erased after the retention period.
    pub retriable: bool,
    /// The start of an SMS's text, for the board only (the digest leaves it out).
    pub words: String,
}

/// Everything a digest shows.
#[derive(Debug, Clone, Default)]
pub struct Digest {
    pub waiting: Vec<WaitingItem>,
    pub unanswered: Vec<String>,
    pub modified: Vec<String>,
    pub contested: Vec<String>,
    pub bounces: Vec<String>,
    pub undelivered: Vec<String>,
    pub set_aside: Vec<SetAsideLine>,
    /// Where coordinators retry or dismiss set-aside messages.
    pub board_url: String,
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
            && self.unanswered.is_empty()
            && self.modified.is_empty()
            && self.contested.is_empty()
            && self.bounces.is_empty()
            && self.undelivered.is_empty()
            && self.set_aside.is_empty()
    }

    /// Every `(label, url)` the digest carries, for the HTML buttons.
    pub fn links(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for item in &self.waiting {
            for c in &item.candidates {
                out.push((c.label.clone(), c.url.clone()));
            }
            out.extend(item.broadcast.clone());
        }
        out
    }
}

/// `text` on one line, cut to `max` characters.
fn short(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &one_line[..end]),
        None => one_line,
    }
}

fn headline(request: &Request, installation: &str, locale: Locale, tz: Tz) -> String {
    let f = Facts::of(request, installation, locale);
    let local = request.starts_at.with_timezone(&tz);
    format!(
        "{} — {} {} — {} — {} — {}",
        f.number,
        long_date(local.date_naive(), locale),
        clock_time(local.time(), locale),
        f.languages,
        f.request_type,
        f.place
    )
}

fn exclusion_summary(excluded: &[(Exclusion, usize)], locale: Locale) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (why, count) in excluded {
        let text = why.describe(locale);
        match counts.iter_mut().find(|(t, _)| *t == text) {
            Some((_, n)) => *n += count,
            None => counts.push((text, *count)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
        .into_iter()
        .map(|(text, n)| format!("{n} : {text}"))
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// The candidate block of one request for `coordinator`: the best candidates with why and
/// an assign link each, and a broadcast link. Empty when the request cannot be offered.
pub async fn waiting_item(
    tx: &mut Tx,
    request: &Request,
    coordinator: &Person,
    ctx: &LinkContext<'_>,
) -> anyhow::Result<WaitingItem> {
    let locale = coordinator.locale;
    let installation = tx.installation(request.details.installation_id).await?.name;
    let matches = crate::workflow::matching::shortlist_in(tx, request, ctx.now, ctx.candidates).await?;
    let version = crate::workflow::links::current_version(tx, LinkAction::Assign, request, coordinator).await?;
    let expires_at = (ctx.now + ctx.ttl).min(request.starts_at);
    let sign = |action: LinkAction, subjects: Vec<crate::domain::ids::PersonId>| {
        version.filter(|_| expires_at > ctx.now).map(|version| {
            ctx.url(&LinkClaim {
                action,
                request: request.id,
                recipient: coordinator.id,
                version,
                expires_at,
                subjects,
            })
        })
    };
    let top: Vec<_> = matches.ranked.iter().collect();
    let mut candidates = Vec::with_capacity(top.len());
    for r in &top {
        let why = r
            .merits
            .iter()
            .map(|m| m.describe(locale))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(url) = sign(LinkAction::Assign, vec![r.person]) {
            let code = tx.person(r.person).await?.user_code.to_string();
            candidates.push(CandidateLine {
                person: r.person,
                name: r.name.clone(),
                code,
                why,
                label: format!("{} {}", locale.pick("Offrir à", "Offer to"), r.name),
                url,
            });
        }
    }
    let broadcast = if top.len() > 1 {
        sign(LinkAction::Broadcast, top.iter().map(|r| r.person).collect()).map(|url| {
            (
                format!("{} ({})", link_label(LinkAction::Broadcast, locale), top.len()),
                url,
            )
        })
    } else {
        None
    };
    // An accepted offer on a request waiting again: its interpreter withdrew (or was
    // withdrawn by a coordinator).
    let mut withdrew = Vec::new();
    for o in tx.offers_of_request(request.id).await? {
        if o.status == crate::store::requests::OfferStatus::Accepted {
            withdrew.push(tx.person(o.interpreter_id).await?.display_name());
        }
    }
    let withdrawn = if withdrew.is_empty() {
        String::new()
    } else {
        format!(
            "{} {}",
            locale.pick("Désistement\u{a0}:", "Withdrew:"),
            withdrew.join(", ")
        )
    };
    let broadcast_to = if broadcast.is_some() {
        top.iter().map(|r| r.person).collect()
    } else {
        Vec::new()
    };
    let d = &request.details;
    let facts = WaitingFacts {
        number: request.label(),
        starts_at: request.starts_at,
        date: d.date,
        time: d.start_time,
        duration: if d.request_type.is_timed() {
            crate::domain::locale::duration(d.duration_minutes, locale)
        } else {
            String::new()
        },
        languages: Facts::of(request, &installation, locale).languages,
        installation: installation.clone(),
    };
    let not_available = matches
        .named_excluded
        .iter()
        .map(|(person, name, why)| NotAvailable {
            person: *person,
            name: name.clone(),
            why: why.describe(locale),
        })
        .collect();
    Ok(WaitingItem {
        facts,
        not_available,
        not_available_count: matches.excluded.iter().map(|(_, n)| n).sum(),
        request: request.id,
        broadcast_to,
        withdrawn,
        headline: headline(request, &installation, locale, ctx.time_zone),
        candidates,
        broadcast,
        excluded: exclusion_summary(&matches.excluded, locale),
    })
}

/// Gathers the digest for `coordinator`, section by section.
pub async fn gather(tx: &mut Tx, coordinator: &Person, ctx: &LinkContext<'_>) -> anyhow::Result<Digest> {
    let locale = coordinator.locale;
    let mut digest = Digest::default();
    for request in tx.requests_in_status(RequestStatus::New, SECTION_LIMIT).await? {
        digest.waiting.push(waiting_item(tx, &request, coordinator, ctx).await?);
    }
    digest.unanswered = unanswered(tx, locale, ctx).await?;
    digest.modified = modified(tx, locale, ctx).await?;
    digest.contested = contested(tx, locale, ctx).await?;
    digest.bounces = bounces(tx, locale, ctx).await?;
    digest.undelivered = undelivered(tx, locale, ctx).await?;
    digest.board_url = format!("{}/board", ctx.public_base_url.trim_end_matches('/'));
    digest.set_aside = set_aside_mail(tx, locale, ctx).await?;
    digest.set_aside.extend(set_aside_sms(tx, locale, ctx).await?);
    Ok(digest)
}

/// Requests offered for over an hour with no answer yet, and who has the offer.
async fn unanswered(tx: &mut Tx, locale: Locale, ctx: &LinkContext<'_>) -> anyhow::Result<Vec<String>> {
    let tz = ctx.time_zone;
    let mut out = Vec::new();
    let reminder_age = TimeDelta::hours(1);
    let mut seen = Vec::new();
    for offer in tx.pending_offers_before(ctx.now - reminder_age).await? {
        if seen.contains(&offer.request) || seen.len() as i64 >= SECTION_LIMIT {
            continue;
        }
        seen.push(offer.request);
        let request = tx.request(offer.request).await?;
        let installation = tx.installation(request.details.installation_id).await?.name;
        let pending: Vec<String> = {
            let mut names = Vec::new();
            for o in tx.offers_of_request(offer.request).await? {
                if o.status == crate::store::requests::OfferStatus::Pending {
                    names.push(tx.person(o.interpreter_id).await?.display_name());
                }
            }
            names
        };
        let since = offer.created_at.with_timezone(&tz);
        out.push(format!(
            "{} — {} {} {} {} — {}",
            headline(&request, &installation, locale, tz),
            locale.pick("offerte depuis le", "offered since"),
            long_date(since.date_naive(), locale),
            locale.pick("à", "at"),
            clock_time(since.time(), locale),
            pending.join(", ")
        ));
    }
    Ok(out)
}

/// Modified requests waiting for their interpreter to accept again.
async fn modified(tx: &mut Tx, locale: Locale, ctx: &LinkContext<'_>) -> anyhow::Result<Vec<String>> {
    let tz = ctx.time_zone;
    let mut out = Vec::new();
    for request in tx.requests_in_status(RequestStatus::Modified, SECTION_LIMIT).await? {
        let installation = tx.installation(request.details.installation_id).await?.name;
        let who = match request.assigned_interpreter {
            Some(id) => tx.person(id).await?.display_name(),
            None => String::new(),
        };
        out.push(format!("{} — {who}", headline(&request, &installation, locale, tz)));
    }
    Ok(out)
}

/// Contested service records, with the requester's words.
async fn contested(tx: &mut Tx, locale: Locale, ctx: &LinkContext<'_>) -> anyhow::Result<Vec<String>> {
    let tz = ctx.time_zone;
    let mut out = Vec::new();
    for request in tx.contested_requests(SECTION_LIMIT).await? {
        let installation = tx.installation(request.details.installation_id).await?.name;
        let line = headline(&request, &installation, locale, tz);
        // The requester's words, on one short line: the contest mail has them in full.
        let note = tx.contest_note(request.id).await?.map(|n| short(&n, 120));
        out.push(match note {
            Some(n) => format!("{line} — «\u{a0}{n}\u{a0}»"),
            None => line,
        });
    }
    Ok(out)
}

/// Addresses that bounced this week.
async fn bounces(tx: &mut Tx, locale: Locale, ctx: &LinkContext<'_>) -> anyhow::Result<Vec<String>> {
    let tz = ctx.time_zone;
    let week = ctx.now - TimeDelta::days(7);
    let mut out = Vec::new();
    for bounce in tx.bounces_since(week, SECTION_LIMIT).await? {
        let at = bounce.at.with_timezone(&tz);
        out.push(format!(
            "{} — {} {} — {}",
            bounce.address,
            long_date(at.date_naive(), locale),
            clock_time(at.time(), locale),
            bounce.status.unwrap_or_default()
        ));
    }
    Ok(out)
}

/// Messages that could not be delivered this week.
async fn undelivered(tx: &mut Tx, locale: Locale, ctx: &LinkContext<'_>) -> anyhow::Result<Vec<String>> {
    let week = ctx.now - TimeDelta::days(7);
    let mut out = Vec::new();
    for dead in tx.dead_letters_since(week, SECTION_LIMIT).await? {
        let person = tx.person(crate::domain::ids::PersonId(dead.recipient_id)).await?;
        let number = match dead.request_id {
            Some(id) => tx.request(crate::domain::ids::RequestId(id)).await?.label(),
            None => String::new(),
        };
        out.push(format!(
            "{number} {} ({}) — {}",
            person.display_name(),
            if dead.channel == "sms" {
                locale.pick("texto", "SMS")
            } else {
                locale.pick("courriel", "email")
            },
            super::render::kind_label(&dead.kind, locale)
        ));
    }
    Ok(out)
}

/// Mail set aside, for a coordinator to look at.
async fn set_aside_mail(tx: &mut Tx, locale: Locale, ctx: &LinkContext<'_>) -> anyhow::Result<Vec<SetAsideLine>> {
    let tz = ctx.time_zone;
    let mut out = Vec::new();
    for mail in tx.set_aside_mail(SECTION_LIMIT).await? {
        let at = mail.received_at.with_timezone(&tz);
        let from = match mail.person_id {
            Some(id) => tx.person(crate::domain::ids::PersonId(id)).await?.display_name(),
            None => mail
                .from_address
                .unwrap_or_else(|| locale.pick("expéditeur inconnu", "unknown sender").into()),
        };
        let mut line = format!(
            "{} {} — {} {from} — «\u{a0}{}\u{a0}»",
            long_date(at.date_naive(), locale),
            clock_time(at.time(), locale),
            locale.pick("courriel de", "email from"),
            short(&mail.subject, 80),
        );
        if !mail.retriable {
            line.push_str(locale.pick(
                " (contenu effacé après la période de conservation)",
                " (content erased after the retention period)",
            ));
        }
        out.push(SetAsideLine {
            channel: SetAsideChannel::Mail,
            id: mail.id,
            line,
            retriable: mail.retriable,
            words: String::new(),
        });
    }
    Ok(out)
}

/// Text messages set aside, without their words.
async fn set_aside_sms(tx: &mut Tx, locale: Locale, ctx: &LinkContext<'_>) -> anyhow::Result<Vec<SetAsideLine>> {
    let tz = ctx.time_zone;
    let mut out = Vec::new();
    for sms in tx.set_aside_sms(SECTION_LIMIT).await? {
        let at = sms.received_at.with_timezone(&tz);
        let from = sms.person_name.unwrap_or(sms.from_number);
        // Its words stay off the digest: a text may name a patient, and the board shows
        // them to coordinators signed in.
        let mut line = format!(
            "{} {} — {} {from}",
            long_date(at.date_naive(), locale),
            clock_time(at.time(), locale),
            locale.pick("texto de", "text message from"),
        );
        let retriable = !sms.excerpt.is_empty();
        if !retriable {
            line.push_str(locale.pick(
                " (contenu effacé après la période de conservation)",
                " (content erased after the retention period)",
            ));
        }
        out.push(SetAsideLine {
            channel: SetAsideChannel::Sms,
            id: sms.id,
            line,
            retriable,
            words: sms.excerpt,
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "mail/digest.txt", escape = "none")]
struct DigestText<'a> {
    en: bool,
    first_name: &'a str,
    bank: &'a str,
    d: &'a Digest,
}

/// The digest's text body.
pub fn render_text(digest: &Digest, recipient: &Person, bank: &str) -> anyhow::Result<String> {
    Ok(DigestText {
        en: recipient.locale == Locale::En,
        first_name: &recipient.first_name,
        bank,
        d: digest,
    }
    .render()?)
}
