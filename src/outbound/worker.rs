//! The outbox worker: claims due notifications one at a time, renders and sends each, and
//! records the result. A claim names this process ([`Outbound::instance`]) and is renewed
//! while the message is being sent, so it never lapses under a worker still at work: two
//! processes never send the same message. Delivery stays at-least-once across a crash
//! after sending and before recording: the message is sent again, with the same
//! Message-ID, so mail clients show it once.

use super::calendar::{InviteKind, Method};
use super::mail::{self, Envelope, MailTransport};
use super::sms::SmsTransport;
use crate::clock::Clock;
use crate::config::{Secret, Settings};
use crate::domain::notice::Notice;
use crate::domain::person::Person;
use crate::domain::request::{RecordField, Request, RequestType, ServiceRecord};
use crate::forms::record;
use crate::forms::request::{FormField, render_form};
use crate::security::link::{LinkAction, LinkKeys};
use crate::security::reply_key::{ReplyKey, ReplyPurpose};
use crate::store::Store;
use crate::store::calendar::{InviteState, SentInvite};
use crate::store::outbox::Lane;
use crate::store::outbox::{OutboxChannel, OutboxMessage};
use anyhow::Context as _;
use futures_util::FutureExt as _;
use lettre::message::Mailbox;
use rand::RngExt as _;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

mod deliver;

/// After this many failed attempts a message is dead-lettered for coordinators.
pub const MAX_ATTEMPTS: i64 = 8;
/// At most this many messages are sent per round before the worker looks at its timer
/// again.
const BATCH: usize = 20;
/// Messages claimed in one transaction, then sent one after the other: a commit each
/// (a disk flush on SQLite) was half the cost of a message on a fast relay.
const CLAIM_AT_ONCE: usize = 8;

/// Everything the worker needs.
#[derive(Clone)]
pub struct Outbound {
    store: Store,
    clock: Arc<dyn Clock>,
    mail: MailTransport,
    sms: SmsTransport,
    signing_key: Secret,
    link_keys: LinkKeys,
    account_keys: crate::security::account_secret::AccountKeys,
    dkim: Option<super::dkim::Dkim>,
    public_base_url: String,
    link_ttl: chrono::TimeDelta,
    digest_candidates: usize,
    from: Mailbox,
    local_part: String,
    domain: String,
    bank: String,
    sender_name: String,
    time_zone: chrono_tz::Tz,
    /// For what messages show of money: the tariffs, taxes and business hours.
    settings: Arc<Settings>,
    /// The name claims are made under (`workers.instance`, or host:port; see [`instance_name`]).
    instance: Arc<str>,
    /// How long a claim lasts unless renewed; it is renewed every third of it.
    lease: Duration,
    /// After the stop signal, how long a delivery in flight may still take.
    grace: Duration,
    /// `workers.outbox_senders`: messages sent at once, each by a lane of its own.
    lanes: usize,
    /// `workers.outbox_rate_per_second`: one send per period, whatever the lanes.
    pace: Option<Arc<tokio::sync::Mutex<tokio::time::Interval>>>,
}

/// What became of one claimed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    /// Recorded as failed: retried later, or dead-lettered.
    Failed,
    /// The claim was no longer ours: whoever holds it now sends the message.
    Lost,
    /// Stopped at shutdown before it finished: released for the next start.
    Abandoned,
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default)]
struct Round {
    sent: usize,
    claimed: usize,
}

/// The name this process claims outbox messages under, and whether a previous process may
/// have left claims under the same name (so that releasing them at start is right).
///
/// `workers.instance` when set: the operator promises it is unique among running processes.
/// Otherwise `HOSTNAME:PORT` of the bound web address: two live processes on one host
/// cannot hold the same port, so whoever holds it now knows the previous holder is gone.
/// With no fixed port (`web.bind` on port 0, as in tests) a random name, never reused.
pub fn instance_name(settings: &Settings, bound_port: Option<u16>) -> (String, bool) {
    let configured = settings.workers.instance.trim();
    if !configured.is_empty() {
        return (configured.to_string(), true);
    }
    match bound_port {
        Some(port) if settings.web.bind.port() != 0 => (format!("{}:{port}", host_name()), true),
        _ => (random_instance_name(), false),
    }
}

fn host_name() -> String {
    hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

fn random_instance_name() -> String {
    format!("{}:{}", host_name(), uuid::Uuid::new_v4().simple())
}

/// Completes once `stop` says stop (or its sender is gone: nobody can say go on).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

impl Outbound {
    pub fn new(settings: &Settings, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<Outbound> {
        let address = settings.mail.from_address.to_lowercase();
        let (local_part, domain) = address
            .split_once('@')
            .context("configuration key `mail.from_address`: no @")?;
        let from: Mailbox = format!("{} <{}>", settings.mail.from_name, address)
            .parse()
            .context("configuration key `mail.from_address` is not a usable address")?;
        let sms = SmsTransport::from_settings(settings)?;
        Ok(Outbound {
            store,
            clock,
            mail: MailTransport::from_settings(settings)?,
            sms,
            signing_key: crate::security::signing_key(settings)?,
            link_keys: crate::security::link_keys(settings)?,
            account_keys: crate::security::account_secret::AccountKeys::new(crate::security::signing_key(settings)?),
            dkim: super::dkim::Dkim::from_settings(settings)?,
            public_base_url: settings.web.public_base_url.clone(),
            link_ttl: chrono::TimeDelta::hours(i64::from(settings.security.link_ttl_hours)),
            digest_candidates: settings.coordination.digest_candidates,
            from,
            local_part: local_part.to_string(),
            domain: domain.to_string(),
            bank: settings.general.bank_name.clone(),
            sender_name: settings.mail.from_name.clone(),
            time_zone: settings.general.time_zone,
            settings: Arc::new(settings.clone()),
            instance: Arc::from(random_instance_name()),
            lease: Duration::from_secs(settings.workers.outbox_lease_seconds.max(1)),
            grace: Duration::from_secs(settings.workers.shutdown_grace_seconds),
            lanes: settings.workers.outbox_senders.max(1),
            pace: (settings.workers.outbox_rate_per_second > 0).then(|| {
                let period = Duration::from_secs(1) / settings.workers.outbox_rate_per_second;
                let mut pace = tokio::time::interval(period);
                pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                Arc::new(tokio::sync::Mutex::new(pace))
            }),
        })
    }

    /// The same worker, claiming under `instance` (see [`instance_name`]). Without it, a
    /// worker claims under a random name of its own.
    pub fn with_instance(mut self, instance: &str) -> Outbound {
        self.instance = Arc::from(instance);
        self
    }

    /// The name this worker's claims carry.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Releases the live claims made under this worker's name, so those messages are due
    /// again at once. At start, for the claims of a previous process of the same name,
    /// which is gone (`uncount` false: their attempts may have reached the server and stay
    /// counted). At shutdown, for deliveries this process abandoned (`uncount` true).
    pub async fn release_own_claims(&self, uncount: bool) -> anyhow::Result<u64> {
        let mut tx = self.store.begin().await?;
        let n = tx
            .release_outbox_claims_of(&self.instance, self.clock.now(), uncount)
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    fn lease_until(&self) -> chrono::DateTime<chrono::Utc> {
        let lease = chrono::TimeDelta::from_std(self.lease).unwrap_or(chrono::TimeDelta::minutes(5));
        self.clock.now() + lease
    }

    /// Sends what is due now, up to a round's worth. Returns how many messages were sent.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        // Nobody stops this round: the sender lives until it ends.
        let (_go_on, stop) = watch::channel(false);
        Ok(self.round(Lane::ALL, &stop).await?.sent)
    }

    /// Claims, sends and records due messages of `lane`, up to [`BATCH`], until none is due
    /// or `stop` says stop (looked at before each message). Messages are claimed
    /// [`CLAIM_AT_ONCE`] at a time, in one commit, and sent one after the other; one whose
    /// claim has aged past half the lease while it waited is renewed before it is sent
    /// (and skipped if someone else holds it now).
    async fn round(&self, lane: Lane, stop: &watch::Receiver<bool>) -> anyhow::Result<Round> {
        let mut round = Round::default();
        let half_lease = chrono::TimeDelta::from_std(self.lease / 2).unwrap_or(chrono::TimeDelta::seconds(1));
        while round.claimed < BATCH && !*stop.borrow() {
            // Under a pace, one at a time, claimed when its turn comes.
            let limit = match &self.pace {
                Some(pace) => {
                    pace.lock().await.tick().await;
                    1
                }
                None => (BATCH - round.claimed).min(CLAIM_AT_ONCE),
            };
            let now = self.clock.now();
            let mut tx = self.store.begin().await?;
            let claimed = tx
                .claim_outbox(now, self.lease_until(), &self.instance, lane, limit)
                .await?;
            tx.commit().await?;
            if claimed.is_empty() {
                break;
            }
            let mut waiting = claimed.into_iter();
            while let Some(message) = waiting.next() {
                if *stop.borrow() {
                    self.release_claims(std::iter::once(message).chain(waiting)).await;
                    return Ok(round);
                }
                if self.clock.now() - now > half_lease && !self.renew_claim(&message).await? {
                    continue;
                }
                round.claimed += 1;
                match self.deliver_claimed(&message, stop.clone()).await? {
                    Outcome::Sent => round.sent += 1,
                    Outcome::Failed | Outcome::Lost => {}
                    Outcome::Abandoned => {
                        self.release_claims(waiting).await;
                        return Ok(round);
                    }
                }
            }
        }
        Ok(round)
    }

    /// Extends the claim on a message that waited its turn. False when the claim is lost.
    async fn renew_claim(&self, message: &OutboxMessage) -> anyhow::Result<bool> {
        let mut tx = self.store.begin().await?;
        let held = tx
            .renew_outbox_claim(message, &self.instance, self.lease_until())
            .await?;
        tx.commit().await?;
        if !held {
            tracing::info!(
                outbox = message.id,
                "outbox: a claim lapsed while it waited its turn; left to its new holder"
            );
        }
        Ok(held)
    }

    /// Gives back claims on messages not sent (at shutdown): due again at once, the
    /// attempt uncounted. One that cannot be given back waits for its lease to run out.
    async fn release_claims(&self, messages: impl Iterator<Item = OutboxMessage>) {
        for message in messages {
            let released = async {
                let mut tx = self.store.begin().await?;
                let released = tx.release_outbox_claim(&message, &self.instance).await?;
                tx.commit().await?;
                Ok::<bool, crate::store::StoreError>(released)
            };
            if let Err(e) = released.await {
                tracing::warn!(outbox = message.id, error = %e, "outbox: a claim could not be given back; it lapses with its lease");
            }
        }
    }

    /// Sends one claimed message while renewing its claim, and records the result. Once
    /// `stop` says stop, the delivery has the grace period left to finish; after that it is
    /// dropped and the claim released, the attempt uncounted.
    async fn deliver_claimed(
        &self,
        message: &OutboxMessage,
        mut stop: watch::Receiver<bool>,
    ) -> anyhow::Result<Outcome> {
        let result = {
            let deadline = async {
                stopped(&mut stop).await;
                tokio::time::sleep(self.grace).await;
            };
            tokio::select! {
                biased;
                // A panic rendering one message fails that message, not the worker.
                result = AssertUnwindSafe(self.deliver(message)).catch_unwind() => {
                    Some(result.unwrap_or_else(|panic| Err(crate::store::failure::panicked(panic.as_ref()))))
                }
                () = self.keep_claim(message) => None,
                () = deadline => {
                    let mut tx = self.store.begin().await?;
                    let released = tx.release_outbox_claim(message, &self.instance).await?;
                    tx.commit().await?;
                    tracing::info!(outbox = message.id, released, "outbox: delivery abandoned at shutdown, left for the next start");
                    return Ok(Outcome::Abandoned);
                }
            }
        };
        let Some(result) = result else {
            // Whoever claimed it since sends it; recording a result here could only clash.
            tracing::warn!(
                outbox = message.id,
                instance = %self.instance,
                "outbox: the claim lapsed while the message was being sent; delivery abandoned to its new holder"
            );
            return Ok(Outcome::Lost);
        };
        // Lost in a power cut, this record only makes the message go again, with the same
        // Message-ID (as after a crash between sending and recording): its commit does not
        // wait for the disk.
        let mut tx = self.store.begin_relaxed().await?;
        let outcome = match result {
            Ok(invite) => {
                let now = self.clock.now();
                tx.mark_outbox_sent(message.id, now).await?;
                if let Some(sent) = invite {
                    tx.record_calendar_invite(sent.request, message.recipient, sent.sequence, sent.state, now)
                        .await?;
                }
                Outcome::Sent
            }
            Err(e) => {
                let error = format!("{e:#}");
                let retry = (message.attempts < MAX_ATTEMPTS).then(|| self.clock.now() + backoff(message.attempts));
                tracing::warn!(outbox = message.id, attempts = message.attempts, dead = retry.is_none(), error = %error, "delivery failed");
                tx.mark_outbox_failed(message.id, &error, retry).await?;
                if retry.is_none() {
                    self.tell_coordinators(&mut tx, message, &error).await?;
                }
                Outcome::Failed
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Renews the claim on `message` every third of the lease, for as long as it is
    /// polled. Completes only when the claim is found lost. A renewal the database refuses
    /// is tried again at the next beat: the claim holds until the lease runs out.
    async fn keep_claim(&self, message: &OutboxMessage) {
        let beat = self.lease / 3;
        loop {
            tokio::time::sleep(beat).await;
            let renewed = async {
                let mut tx = self.store.begin().await?;
                let held = tx
                    .renew_outbox_claim(message, &self.instance, self.lease_until())
                    .await?;
                tx.commit().await?;
                Ok::<bool, crate::store::StoreError>(held)
            };
            match renewed.await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(outbox = message.id, error = %e, "outbox: could not renew a claim; will try again")
                }
            }
        }
    }

    fn link_context(&self) -> super::digest::LinkContext<'_> {
        super::digest::LinkContext {
            keys: &self.link_keys,
            public_base_url: &self.public_base_url,
            ttl: self.link_ttl,
            now: self.clock.now(),
            time_zone: self.time_zone,
            candidates: self.digest_candidates,
        }
    }

    async fn send_digest(
        &self,
        message: &OutboxMessage,
        recipient: &Person,
        digest: &super::digest::Digest,
    ) -> anyhow::Result<()> {
        let locale = recipient.locale;
        let text = super::render::typeset(super::digest::render_text(digest, recipient, &self.bank)?, locale);
        let today = self.clock.now().with_timezone(&self.time_zone).date_naive();
        let subject = format!(
            "{} — {}",
            locale.pick("Sommaire de la banque", "Bank digest"),
            crate::domain::locale::long_date(today, locale)
        );
        let layout = super::render::HtmlLayout {
            bank: &self.bank,
            secondary: Vec::new(),
            facts_as_tables: true,
        };
        let html = super::render::html_twin(&text, &subject, locale, &digest.links(), &layout)?;
        let rendered = super::render::RenderedMail { subject, text, html };
        let envelope = self.envelope(message, None, recipient)?;
        self.send_mail(message, &envelope, &rendered, None).await
    }

    /// Builds the MIME message, signs it when DKIM is configured, and sends those bytes.
    async fn send_mail(
        &self,
        message: &OutboxMessage,
        envelope: &Envelope,
        rendered: &super::render::RenderedMail,
        invite: Option<(Method, String)>,
    ) -> anyhow::Result<()> {
        let built = mail::build(envelope, rendered, invite)?;
        let bytes = match &self.dkim {
            Some(dkim) => dkim.sign(&built.formatted())?,
            None => built.formatted(),
        };
        self.mail
            .send_raw(built.envelope(), &bytes, &format!("{:08}-{}", message.id, message.kind))
            .await
    }

    /// A message gave up after its last attempt (dead letter): every coordinator is told by
    /// email, in the same transaction, who missed what and why, so someone can call them.
    /// A failed notice of this kind is not itself reported: no loop.
    async fn tell_coordinators(
        &self,
        tx: &mut crate::store::Tx,
        message: &OutboxMessage,
        error: &str,
    ) -> anyhow::Result<()> {
        if matches!(Notice::of_kind(&message.kind), Notice::DeliveryFailed { .. }) {
            return Ok(());
        }
        let recipient = tx.person(message.recipient).await?;
        let address = match message.channel {
            OutboxChannel::Email => recipient.email.to_string(),
            OutboxChannel::Sms => recipient.mobile.as_ref().map(|m| m.to_string()).unwrap_or_default(),
        };
        let failed = Notice::DeliveryFailed {
            failed_kind: message.kind.clone(),
            failed_channel: message.channel.as_str().to_string(),
            failed_to: format!("{} ({address})", recipient.display_name()),
            failed_error: error.chars().take(300).collect::<String>(),
        };
        for coordinator in tx.people_with_role(crate::domain::role::Role::Coordinator).await? {
            if !coordinator.active || !coordinator.notify_email {
                continue;
            }
            let notice = crate::store::outbox::NewOutboxMessage {
                channel: OutboxChannel::Email,
                recipient: coordinator.id,
                request: message.request,
                notice: failed.clone(),
            };
            tx.enqueue(&notice, self.clock.now()).await?;
        }
        Ok(())
    }

    /// The signed links a message carries: what its recipient can do about it with one
    /// click. None when the message is already out of date (the request moved on after it
    /// was queued): the later message about that change carries fresh ones.
    async fn links(
        &self,
        tx: &mut crate::store::Tx,
        notice: &Notice,
        request: &Request,
        recipient: &Person,
    ) -> anyhow::Result<Vec<(LinkAction, String)>> {
        // Out of date: the request moved on after this message was queued. Links bound to
        // the request's version are left out (the newer message has fresh ones); an offer's
        // accept/refuse is bound to the offer itself, which another interpreter's refusal
        // does not close, so those stay while the offer is open.
        let stale = notice.version().is_some_and(|v| v != request.version);
        // A new link asked from a dead one's page: that one action, for the state as it is
        // when the mail leaves (with the interpreters an assign or broadcast link named).
        let (renewed, subjects): (Vec<LinkAction>, &[crate::domain::ids::PersonId]) = match notice {
            Notice::LinkRenewed { action, subjects } => (
                LinkAction::ALL
                    .into_iter()
                    .find(|x| x.as_str() == action)
                    .into_iter()
                    .collect(),
                subjects,
            ),
            _ => (Vec::new(), &[]),
        };
        let actions: &[LinkAction] = match notice {
            Notice::LinkRenewed { .. } => &renewed,
            Notice::RequestOffered(_) | Notice::RequestModified(_) | Notice::OfferReminder(_) => {
                &[LinkAction::Accept, LinkAction::Refuse]
            }
            Notice::AssignmentConfirmed(_) | Notice::AppointmentReminder(_) => {
                &[LinkAction::Open, LinkAction::Withdraw]
            }
            Notice::RequestReceived(_)
            | Notice::RequestBooked(_)
            | Notice::InterpreterWithdrew(_)
            | Notice::RequestChanged(_)
            | Notice::DeclinedStillLooking(_)
            | Notice::LapsedStillLooking(_)
            | Notice::OfferSent(_)
                if request.requested_by == recipient.id =>
            {
                // The series link only when the request is in one (`current_version`).
                &[LinkAction::Open, LinkAction::Cancel, LinkAction::CancelSeries]
            }
            // A draft is finished and sent from its page too.
            Notice::DraftSaved(_) if request.requested_by == recipient.id => &[LinkAction::Open],
            Notice::ServiceRecorded(_) => &[LinkAction::Validate, LinkAction::Contest],
            Notice::RecordForm(_) => &[LinkAction::Record],
            Notice::NoInterpreter(_) => &[LinkAction::UseAlternative, LinkAction::Open, LinkAction::GiveUp],
            _ => &[],
        };
        let ctx = self.link_context();
        let now = ctx.now;
        let mut out = Vec::with_capacity(actions.len());
        for &action in actions {
            if stale && !crate::workflow::links::bound_to_offer(action, request) {
                continue;
            }
            let Some(version) = crate::workflow::links::current_version(tx, action, request, recipient).await? else {
                continue;
            };
            let mut expires_at = now + ctx.ttl;
            if matches!(action, LinkAction::Accept | LinkAction::Refuse | LinkAction::Withdraw) {
                // Nobody accepts or withdraws once the appointment has started.
                expires_at = expires_at.min(request.starts_at);
            }
            if expires_at <= now {
                continue;
            }
            let url = ctx.url(&crate::security::link::LinkClaim {
                action,
                request: request.id,
                recipient: recipient.id,
                version,
                expires_at,
                subjects: if matches!(action, LinkAction::Assign | LinkAction::Broadcast) {
                    subjects.to_vec()
                } else {
                    Vec::new()
                },
            });
            out.push((action, url));
        }
        Ok(out)
    }

    /// The envelope of `message` to `recipient`, threaded under the mail it answers, if any.
    fn envelope(
        &self,
        message: &OutboxMessage,
        answering: Option<&crate::domain::notice::Answering>,
        recipient: &Person,
    ) -> anyhow::Result<Envelope> {
        let key = ReplyKey {
            purpose: if message.request.is_some() {
                ReplyPurpose::Request
            } else {
                ReplyPurpose::Form
            },
            request: message.request,
            person: recipient.id,
        };
        let reply_to: Mailbox = format!(
            "{} <{}+{}@{}>",
            self.sender_name,
            self.local_part,
            key.encode(&self.signing_key),
            self.domain
        )
        .parse()
        .context("reply address")?;
        // Names are checked when typed (`domain::text`); one saved before that, with a line
        // break, a colon or an @, must not keep every mail from leaving: the mailbox is built,
        // not parsed, so any character of a name is quoted or encoded as needed.
        let name: String = recipient.display_name().chars().filter(|c| !c.is_control()).collect();
        let address = recipient.email.as_str().parse().context("recipient address")?;
        let to = Mailbox::new(Some(name), address);
        let request_part = message.request.map(|r| format!("r{}.", r.0)).unwrap_or_default();
        let thread_root = message.request.map(|r| format!("relais.r{}@{}", r.0, self.domain));
        // The Message-ID being answered goes in a header: one no header can hold is left out.
        let answering = answering
            .and_then(|a| a.in_reply_to.as_deref())
            .filter(|id| !id.chars().any(|c| c.is_control() || c.is_whitespace()))
            .map(str::to_string);
        let mut references: Vec<String> = Vec::new();
        references.extend(thread_root.clone());
        references.extend(answering.clone());
        Ok(Envelope {
            from: self.from.clone(),
            to,
            reply_to,
            message_id: format!(
                "relais.{request_part}p{}.o{}@{}",
                recipient.id.0, message.id, self.domain
            ),
            in_reply_to: answering.clone().or(thread_root),
            references,
            auto_submitted: if answering.is_some() {
                "auto-replied"
            } else {
                "auto-generated"
            },
        })
    }

    /// Delivers until `stop`: at once when a commit of this process queues a message (the
    /// outbox [`bell`](crate::store::outbox::bell)), and every `interval` for retries that
    /// fall due and messages other processes queued. A stop is seen between two messages;
    /// the one in flight then has the grace period (`workers.shutdown_grace_seconds`) to
    /// finish, or is abandoned and released.
    pub async fn run(self, interval: Duration, mut stop: watch::Receiver<bool>) {
        let mut bell = crate::store::outbox::bell();
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                // The bell's sender is a static: it is never closed.
                _ = bell.changed() => {}
                () = stopped(&mut stop) => break,
            }
            // Seen before the lanes look, so a ring during their work calls them back.
            bell.borrow_and_update();
            // Each lane a task: sends overlap, and the runtime spreads them over its threads.
            // Dropped with this future (a shutdown past its grace), the set aborts them.
            let mut lanes = tokio::task::JoinSet::new();
            for index in 0..self.lanes {
                let (outbound, stop) = (self.clone(), stop.clone());
                let lane = Lane { index, of: self.lanes };
                lanes.spawn(async move { outbound.drain_lane(lane, &stop).await });
            }
            while let Some(ended) = lanes.join_next().await {
                if let Err(e) = ended {
                    tracing::error!(error = %e, "outbox: a sender ended abnormally");
                }
            }
            if *stop.borrow() {
                break;
            }
        }
    }

    /// Rounds of `lane` until one comes back short: a backlog does not wait for the timer.
    async fn drain_lane(&self, lane: Lane, stop: &watch::Receiver<bool>) {
        loop {
            match self.round(lane, stop).await {
                Ok(round) if round.claimed >= BATCH && !*stop.borrow() => {}
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(lane = lane.index, error = %format!("{e:#}"), "outbox: will retry");
                    break;
                }
            }
        }
    }
}

/// The notices whose invite depends on whether the recipient holds the event
/// ([`invite_kind`]'s `invited`).
fn may_remove_event(notice: &Notice) -> bool {
    matches!(
        notice,
        Notice::OfferFilled(_) | Notice::OfferExpired(_) | Notice::RequestCancelled(_)
    )
}

/// Which messages carry a calendar invite, and what it does. An offer pencils the event in
/// the interpreter's calendar and asks for an answer (a modification of their booking too:
/// they accept or refuse it again); bookings and changes confirm it in the calendars of the
/// requester and the interpreter; cancellations, and an offer filled by someone else, take
/// it off the calendar of whoever holds it (`invited`: the last invite they were sent).
fn invite_kind(
    notice: &Notice,
    recipient: &Person,
    request: Option<&Request>,
    invited: Option<&SentInvite>,
) -> Option<InviteKind> {
    let request = request?;
    let interpreter = request.assigned_interpreter == Some(recipient.id);
    let concerned = request.requested_by == recipient.id || interpreter;
    let holds = invited.is_some_and(|i| i.state != InviteState::Cancelled);
    match notice {
        Notice::RequestOffered(_) => Some(InviteKind::Offer),
        Notice::RequestModified(_) if interpreter => Some(InviteKind::Offer),
        Notice::RequestBooked(_) | Notice::AssignmentConfirmed(_) | Notice::RequestModified(_) => {
            Some(InviteKind::Booking)
        }
        // A booking the requester has in their calendar moves with the change.
        Notice::RequestChanged(_) if request.booked_at.is_some() => Some(InviteKind::Booking),
        Notice::AssignmentRemoved(_) => Some(InviteKind::Cancel),
        Notice::OfferFilled(_) | Notice::OfferExpired(_) if holds => Some(InviteKind::Cancel),
        Notice::RequestCancelled(_) if concerned || holds => Some(InviteKind::Cancel),
        Notice::CommandDone {
            status: Some(crate::domain::request::RequestStatus::Cancelled),
            ..
        } if concerned => Some(InviteKind::Cancel),
        _ => None,
    }
}

/// 30 s, 1 min, 2 min… up to an hour, with ±20 % jitter so retries do not arrive in waves.
fn backoff(attempts: i64) -> chrono::TimeDelta {
    let exponent = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    let base = (30_i64 * 2_i64.pow(exponent)).min(3600);
    let jitter = rand::rng().random_range(-base / 5..=base / 5);
    chrono::TimeDelta::seconds(base + jitter)
}

/// The block of form lines a mail carries: the request form (what the requester wrote, or
/// the draft as it is saved: `draft`), the record form (what the interpreter wrote, or the
/// booked times to correct), or the record to check.
fn form_block(
    notice: &Notice,
    request: Option<&Request>,
    record: Option<&ServiceRecord>,
    draft: Option<&BTreeMap<FormField, String>>,
    recipient: &Person,
) -> String {
    let locale = recipient.locale;
    match notice {
        Notice::DraftSaved(_) => draft.map(|filled| render_form(locale, filled)).unwrap_or_default(),
        Notice::RequestForm { values, .. } => {
            let filled: BTreeMap<FormField, String> = values
                .iter()
                .filter_map(|(key, value)| Some((FormField::from_key(key)?, value.clone())))
                .collect();
            render_form(locale, &filled)
        }
        Notice::RecordForm(form) => {
            let filled: BTreeMap<RecordField, String> = match (&form.values, request) {
                (Some(values), _) => values
                    .iter()
                    .filter_map(|(key, value)| Some((RecordField::from_key(key)?, value.clone())))
                    .collect(),
                (None, Some(r)) => record::prefill(r.details.start_time, r.details.duration_minutes, locale),
                (None, None) => BTreeMap::new(),
            };
            record::render_record_form(locale, &filled)
        }
        Notice::ServiceRecorded(_) | Notice::ServiceContested(_) | Notice::AutoValidated(_) => record
            .map(|r| {
                let sep = locale.pick("\u{a0}: ", ": ");
                let request_type = request.map_or(RequestType::InPerson, |q| q.details.request_type);
                record::record_summary(r, request_type, locale)
                    .into_iter()
                    .map(|(label, value)| format!("{label}{sep}{value}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Settings, backoff, instance_name};

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let env = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Settings::from_toml_and_env(crate::config::BUILT_IN, env).unwrap()
    }

    #[test]
    fn claims_are_named_after_the_configured_instance_or_host_and_port() {
        let configured = settings(&[("RELAIS__WORKERS__INSTANCE", "relais-a")]);
        assert_eq!(instance_name(&configured, Some(8080)), ("relais-a".to_string(), true));
        let fixed = settings(&[("RELAIS__WEB__BIND", "127.0.0.1:8181")]);
        let (name, reused) = instance_name(&fixed, Some(8181));
        assert!(reused && name.ends_with(":8181"), "{name}");
        // Port 0: whatever port was picked, nobody else will ever have the same name.
        let any = settings(&[("RELAIS__WEB__BIND", "127.0.0.1:0")]);
        let (first, reused) = instance_name(&any, Some(40000));
        assert!(!reused);
        assert_ne!(first, instance_name(&any, Some(40000)).0);
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        for attempts in 1..=20 {
            let s = backoff(attempts).num_seconds();
            let base = (30 * 2_i64.pow((attempts.min(8) - 1) as u32)).min(3600);
            assert!(s >= base - base / 5 && s <= base + base / 5, "{attempts}: {s}");
        }
    }
}
