//! Signing in and accounts: passwords, second factors, sessions, one-time links and codes,
//! and the limits that hold across processes. Each operation is one transaction; the
//! mails it causes (activation, reset, codes) are queued in the outbox in that same
//! transaction, carrying only the token's row id (`security::account_secret`).
//!
//! The rules (docs/accounts.md):
//! - a session starts after the password; it is *signed in* once the second factor is
//!   passed, or at once for a non-coordinator who has none (they are invited to add one);
//! - a coordinator without a second factor must enrol before anything else;
//! - failures are counted per account and per client address in the database, so that a
//!   stranger cannot keep the owner out: an address that keeps failing waits longer after
//!   each failure (only that address); an account with too many failures needs the second
//!   factor along with the password, but only away from its owner's usual addresses; a
//!   valid second factor with the password always passes. Under a limit the password alone
//!   gets the same answer right or wrong, and an unknown identifier is limited exactly like
//!   a known one, so nothing tells whether an account exists;
//! - past a threshold of failures the owner is mailed, once per window.

mod calendar_feed;
mod change;
mod email_change;
mod enrol;
pub use calendar_feed::feed_owner;
mod invite;
mod passwords;
mod reset;

pub use crate::domain::person_import::{ImportLine, ImportProblem};
pub use change::{MfaChange, MfaChangeKind, Proof, RecoveryCodes};
pub use email_change::{
    EMAIL_CHANGE_PATH, EMAIL_CHANGE_TTL, EMAIL_CHANGES_PER_DAY, EmailChangeAsked, EmailChangeConfirmed,
    EmailChangeState, email_change_link,
};
pub use enrol::{EmailEnrolment, MfaEnabled, TotpEnrolment};
pub use invite::{ImportOutcome, ImportReport, ImportTotals, InviteOutcome};
pub use passwords::{ACTIVATION_PATH, PasswordChange, RESET_PATH, SetPassword, TokenState, token_mail_secret};
pub use reset::MfaReset;

use super::Workflow;
use crate::domain::contact::EmailAddress;
use crate::domain::ids::PersonId;
use crate::domain::notice::{AccountToken, Notice};
use crate::domain::person::{Person, UserCode};
use crate::domain::role::Role;
use crate::security::account_secret::{self, AccountKeys};
use crate::security::sealed::Sealer;
use crate::security::totp::{TotpCheck, TotpSecret};
use crate::store::accounts::{Account, AttemptKind, MfaMethod, TokenPurpose};
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::store::{StoreError, Tx};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;

/// A session ends after this long without a page…
pub const IDLE_TIMEOUT: TimeDelta = TimeDelta::minutes(30);
/// …and this long after the password, whatever happens.
pub const ABSOLUTE_TIMEOUT: TimeDelta = TimeDelta::hours(12);
/// The window over which failures are counted.
pub const LIMIT_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// Failed sign-ins for one account within the window, past which the password alone no
/// longer signs in from an address that is not one of the owner's usual ones.
pub const PASSWORD_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins one address may make within [`ADDRESS_WINDOW`] before it waits after
/// each one: [`ADDRESS_FIRST_DELAY`], doubling with each further failure, at most
/// [`ADDRESS_MAX_DELAY`].
pub const ADDRESS_FREE_FAILURES: i64 = 5;
pub const ADDRESS_WINDOW: TimeDelta = TimeDelta::hours(1);
pub const ADDRESS_FIRST_DELAY: TimeDelta = TimeDelta::seconds(1);
pub const ADDRESS_MAX_DELAY: TimeDelta = TimeDelta::minutes(15);
/// An address the owner signed in from (password, and second factor if they have one)
/// within this period is one of their usual addresses.
pub const USUAL_ADDRESS_FOR: TimeDelta = TimeDelta::days(30);
/// Failed sign-ins for one account within [`NOTICE_WINDOW`] that get its owner a notice by
/// mail; at most one notice per window.
pub const NOTICE_THRESHOLD: i64 = 10;
pub const NOTICE_WINDOW: TimeDelta = TimeDelta::hours(24);
/// Wrong second-factor codes per account within the window.
pub const SECOND_FACTOR_FAILURES: i64 = 5;
/// Codes by mail per account within the window.
pub const CODES_PER_WINDOW: i64 = 5;
/// "Forgot password" mails per account, and requests per client, per hour.
pub const RESETS_PER_HOUR: i64 = 3;
pub const RESET_REQUESTS_PER_CLIENT_HOUR: i64 = 20;
/// How long each one-time secret lives.
pub const ACTIVATION_TTL: TimeDelta = TimeDelta::hours(72);
pub const RESET_TTL: TimeDelta = TimeDelta::hours(1);
pub const CODE_TTL: TimeDelta = TimeDelta::minutes(10);
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// What the account operations fail with: never the person's doing (their mistakes are
/// outcomes), always an outage or a bug.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<tokio::task::JoinError> for AccountError {
    fn from(e: tokio::task::JoinError) -> Self {
        AccountError::Internal(anyhow::anyhow!("password hashing stopped: {e}"))
    }
}

/// The account side of the workflow: cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    workflow: Workflow,
    keys: AccountKeys,
    sealer: Sealer,
    /// Shown in authenticator apps beside the code.
    issuer: String,
    /// Verified against when there is no account, so a refusal takes as long either way.
    dummy_hash: Arc<String>,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; the second factor is still due.
    SecondFactorDue(MfaMethod),
    /// A coordinator without a second factor: enrolment comes first.
    EnrolmentDue,
    /// Signed in; `mfa` says whether a second factor was passed.
    SignedIn { mfa: bool },
}

/// A live session, as pages see it.
#[derive(Debug, Clone)]
pub struct SessionView {
    /// The stored hash of the cookie's id.
    pub id_hash: String,
    pub person: Person,
    pub mfa_method: Option<MfaMethod>,
    pub stage: Stage,
    pub expires_at: DateTime<Utc>,
}

/// How a password sign-in went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// A session was opened (its cookie value), at this stage; `recovery_used` when a
    /// recovery code typed with the password passed the second factor.
    Started {
        session: String,
        stage: Stage,
        recovery_used: bool,
    },
    /// Wrong address, identifier or password (never which).
    Refused,
    /// This address failed too often lately and waits this long before its next try;
    /// the password with a valid second factor still passes.
    Slowed { retry_after: TimeDelta },
    /// Too many failures for this account (or this identifier, known or not) from
    /// addresses that are not its owner's usual ones: the password alone does not sign
    /// in; with a valid second factor it does.
    Limited,
}

/// What stands before a sign-in, before the password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restriction {
    Open,
    Slowed(TimeDelta),
    Limited,
}

impl Restriction {
    /// The answer to give instead of a session, if any.
    fn answer(self) -> Option<SignIn> {
        match self {
            Restriction::Open => None,
            Restriction::Slowed(wait) => Some(SignIn::Slowed { retry_after: wait }),
            Restriction::Limited => Some(SignIn::Limited),
        }
    }
}

/// How long an address that made `failures` failed sign-ins within [`ADDRESS_WINDOW`]
/// waits after its latest one: nothing for the first [`ADDRESS_FREE_FAILURES`], then
/// [`ADDRESS_FIRST_DELAY`] doubling with each failure, at most [`ADDRESS_MAX_DELAY`].
pub fn address_delay(failures: i64) -> TimeDelta {
    if failures < ADDRESS_FREE_FAILURES {
        return TimeDelta::zero();
    }
    let doublings = u32::try_from((failures - ADDRESS_FREE_FAILURES).min(20)).unwrap_or(20);
    (ADDRESS_FIRST_DELAY * 2_i32.pow(doublings)).min(ADDRESS_MAX_DELAY)
}

/// One sign-in attempt, as the steps after the password need it.
#[derive(Clone, Copy)]
struct Attempt<'a> {
    /// The account's (or the identifier's) key for counting failures.
    key: &'a str,
    client: &'a str,
    code: &'a str,
    now: DateTime<Utc>,
    /// `None`: no second factor typed; else whether it was right.
    typed_factor: Option<bool>,
}

/// What a typed second factor is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FactorCheck {
    Accepted {
        recovery: bool,
    },
    /// A right app code for a step already used.
    Replayed,
    Wrong,
}

impl From<TotpCheck> for FactorCheck {
    fn from(check: TotpCheck) -> Self {
        match check {
            TotpCheck::Accepted { .. } => FactorCheck::Accepted { recovery: false },
            TotpCheck::Replayed => FactorCheck::Replayed,
            TotpCheck::Wrong => FactorCheck::Wrong,
        }
    }
}

/// How a second-factor code went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    /// Passed: the session was replaced by a new one (its cookie value).
    Passed {
        session: String,
        recovery_used: bool,
    },
    Wrong,
    /// A TOTP code already used: wait for the next one.
    Replayed,
    Limited,
}

/// Whether a code by mail left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSent {
    Sent,
    Limited,
}

/// The mail that carries a token of `purpose`; its link or code is derived from the token
/// when it is sent.
fn token_notice(purpose: TokenPurpose, token: i64) -> Notice {
    let token = AccountToken { token: Some(token) };
    match purpose {
        TokenPurpose::Activation => Notice::AccountActivation(token),
        TokenPurpose::PasswordReset => Notice::PasswordReset(token),
        TokenPurpose::LoginCode | TokenPurpose::MfaEmail => Notice::LoginCode(token),
    }
}

impl Accounts {
    /// Hashes a throwaway password once, for refusals to take as long as checks.
    pub fn new(
        workflow: Workflow,
        signing_key: crate::config::Secret,
        previous_keys: &[crate::config::Secret],
        issuer: &str,
    ) -> anyhow::Result<Accounts> {
        let dummy = crate::security::password::hash(&account_secret::session_id())?;
        Ok(Accounts {
            workflow,
            sealer: Sealer::new(&signing_key, previous_keys),
            keys: AccountKeys::new(signing_key),
            issuer: issuer.to_string(),
            dummy_hash: Arc::new(dummy),
        })
    }

    pub fn workflow(&self) -> &Workflow {
        &self.workflow
    }

    pub fn keys(&self) -> &AccountKeys {
        &self.keys
    }

    fn now(&self) -> DateTime<Utc> {
        self.workflow.clock.now()
    }

    /// The person an identifier names: an email address or a user code (`UBIPN0002`), as
    /// the seeds' sign-in page accepts either.
    async fn person_named(tx: &mut Tx, identifier: &str) -> Result<Option<Person>, StoreError> {
        let identifier = identifier.trim();
        if identifier.contains('@') {
            match EmailAddress::parse(identifier) {
                Ok(email) => tx.person_by_email(&email).await,
                Err(_) => Ok(None),
            }
        } else {
            match UserCode::parse(identifier) {
                Some(code) => tx.person_by_user_code(&code).await,
                None => Ok(None),
            }
        }
    }

    /// What attempts are counted under: the person when the identifier names one, else a
    /// keyed hash of what was typed (never the address itself).
    fn account_key(&self, person: Option<&Person>, identifier: &str) -> String {
        match person {
            Some(p) => format!("person:{}", p.id.0),
            None => format!(
                "typed:{}",
                self.keys.keyed_hash("identifier", &identifier.trim().to_lowercase())
            ),
        }
    }

    /// The keyed hash an address is remembered under for `person`: never the address.
    fn address_hash(&self, person: PersonId, client: &str) -> String {
        self.keys.keyed_hash("usual-address", &format!("{}:{client}", person.0))
    }

    /// What stands before a sign-in from `client`, before any password is checked: the
    /// address's own wait, then the per-account limit (which the owner's usual addresses
    /// do not meet). Nothing here depends on whether the account exists, but for usual
    /// addresses, which only the account's owner makes.
    async fn restriction(
        &self,
        tx: &mut Tx,
        person: Option<&Person>,
        account: Option<&Account>,
        key: &str,
        client: &str,
        now: DateTime<Utc>,
    ) -> Result<Restriction, StoreError> {
        let (failures, latest) = tx.address_failures(client, now - ADDRESS_WINDOW).await?;
        if let Some(latest) = latest {
            let until = latest + address_delay(failures);
            if now < until {
                return Ok(Restriction::Slowed(until - now));
            }
        }
        if let Some(p) = person
            && tx
                .is_usual_address(p.id, &self.address_hash(p.id, client), now - USUAL_ADDRESS_FOR)
                .await?
        {
            return Ok(Restriction::Open);
        }
        // Failures before the password was last set were tries at the old one.
        let since = match account.and_then(|a| a.password_changed_at) {
            Some(changed) => changed.max(now - LIMIT_WINDOW),
            None => now - LIMIT_WINDOW,
        };
        let failures = tx
            .count_login_attempts(AttemptKind::Password, false, key, since, false)
            .await?;
        Ok(if failures >= PASSWORD_FAILURES_PER_ACCOUNT {
            Restriction::Limited
        } else {
            Restriction::Open
        })
    }

    /// Checks a second factor typed by `person`: an app code, a code by mail (of a sign-in),
    /// or a recovery code. With `consume`, a right one is used up (each app step once, each
    /// code once), race-safe; without, nothing is written.
    #[allow(clippy::too_many_arguments)]
    async fn check_factor(
        &self,
        tx: &mut Tx,
        person: PersonId,
        account: &Account,
        method: MfaMethod,
        typed: &str,
        now: DateTime<Utc>,
        consume: bool,
    ) -> Result<FactorCheck, AccountError> {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(match method {
                MfaMethod::Totp if consume => self.check_totp(tx, account, &digits, now).await?.into(),
                MfaMethod::Totp => {
                    let context = totp_context(account);
                    match account
                        .totp_secret
                        .as_deref()
                        .and_then(|s| self.sealer.open_aged(&context, s))
                    {
                        Some((secret, _)) => TotpSecret::from_bytes(secret)
                            .check(&digits, now.timestamp(), account.totp_last_step)
                            .into(),
                        None => FactorCheck::Wrong,
                    }
                }
                MfaMethod::Email => {
                    let hash = self.code_hash(person, TokenPurpose::LoginCode, &digits);
                    match tx.account_token_by_hash(TokenPurpose::LoginCode, &hash).await? {
                        Some(t) if t.person == person && t.used_at.is_none() && now < t.expires_at => {
                            if !consume || tx.use_account_token(t.id, now).await? {
                                FactorCheck::Accepted { recovery: false }
                            } else {
                                FactorCheck::Wrong
                            }
                        }
                        _ => FactorCheck::Wrong,
                    }
                }
            });
        }
        let hash = account_secret::sha256_hex(&account_secret::normalise_recovery_code(typed));
        let right = if consume {
            tx.use_recovery_code(person, &hash, now).await?
        } else {
            tx.has_recovery_code(person, &hash).await?
        };
        Ok(if right {
            FactorCheck::Accepted { recovery: true }
        } else {
            FactorCheck::Wrong
        })
    }

    /// Records a failed sign-in from `client` and tells the owner when failures pass the
    /// threshold.
    async fn record_failure(
        &self,
        person: Option<&Person>,
        key: &str,
        client: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.workflow.store.begin().await?;
        tx.record_login_attempt(AttemptKind::Password, key, client, now, false)
            .await?;
        self.notice_failures(&mut tx, person, key, now).await?;
        tx.commit().await
    }

    /// In `tx`, after a failure was recorded: when the account's failures over
    /// [`NOTICE_WINDOW`] reach [`NOTICE_THRESHOLD`], mails its owner once per window how
    /// many, when, and what to do (`sign_in_failures`). Never for an unknown identifier.
    async fn notice_failures(
        &self,
        tx: &mut Tx,
        person: Option<&Person>,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(person) = person.filter(|p| p.active) else {
            return Ok(());
        };
        let summary = tx.account_failures(key, now - NOTICE_WINDOW).await?;
        if summary.failures < NOTICE_THRESHOLD || !tx.claim_failure_notice(person.id, now, now - NOTICE_WINDOW).await? {
            return Ok(());
        }
        tx.enqueue(
            &NewOutboxMessage {
                channel: OutboxChannel::Email,
                recipient: person.id,
                request: None,
                notice: Notice::SignInFailures {
                    failures: summary.failures,
                    addresses: summary.addresses,
                    first_at: Some(summary.first.unwrap_or(now)),
                    last_at: Some(summary.last.unwrap_or(now)),
                },
            },
            now,
        )
        .await?;
        tracing::info!(person = %person.user_code, failures = summary.failures, "owner told of failed sign-ins");
        Ok(())
    }

    /// Checks an identifier and password typed on the sign-in page from `client`, with
    /// the second factor when one was typed along (the page under a limit asks for it).
    ///
    /// Under a limit (this address's wait, or the account's limit away from the owner's
    /// usual addresses) the password alone never opens a session, right or wrong, and the
    /// answer is the same; the password with a valid second factor does. While the address
    /// waits, no password is even checked unless a valid second factor came with it.
    pub async fn sign_in(
        &self,
        identifier: &str,
        password: &str,
        code: &str,
        client: &str,
    ) -> Result<SignIn, AccountError> {
        let now = self.now();
        let code = code.trim();
        let mut tx = self.workflow.store.begin_read().await?;
        let person = Self::person_named(&mut tx, identifier).await?;
        let account = match &person {
            Some(p) => tx.account(p.id).await?,
            None => None,
        };
        let key = self.account_key(person.as_ref(), identifier);
        let restriction = self
            .restriction(&mut tx, person.as_ref(), account.as_ref(), &key, client, now)
            .await?;
        let typed_factor = self
            .typed_factor(&mut tx, person.as_ref(), account.as_ref(), &key, code, now)
            .await?;
        tx.commit().await?;
        let limited = restriction.answer();
        if let Some(answer) = &limited {
            match (typed_factor, &restriction) {
                (None, Restriction::Slowed(_)) => {
                    tracing::info!(client, "sign-in refused: this address waits");
                    return Ok(answer.clone());
                }
                (Some(false), _) => {
                    self.record_failure(person.as_ref(), &key, client, now).await?;
                    tracing::info!(client, "sign-in refused under a limit: no valid second factor");
                    return Ok(answer.clone());
                }
                _ => {}
            }
        }
        let ok = self
            .password_matches(person.as_ref(), account.as_ref(), password)
            .await?;
        let mut tx = self.workflow.store.begin().await?;
        let (Some(person), Some(account), true) = (person.clone(), account, ok) else {
            tx.record_login_attempt(AttemptKind::Password, &key, client, now, false)
                .await?;
            self.notice_failures(&mut tx, person.as_ref(), &key, now).await?;
            tx.commit().await?;
            tracing::info!(client, "sign-in refused");
            return Ok(limited.unwrap_or(SignIn::Refused));
        };
        let attempt = Attempt {
            key: &key,
            client,
            code,
            now,
            typed_factor,
        };
        self.past_the_password(tx, &person, &account, restriction, attempt)
            .await
    }

    /// A second factor typed along: checked without using it, so a wrong password wastes
    /// nothing. `None`: none typed.
    async fn typed_factor(
        &self,
        tx: &mut Tx,
        person: Option<&Person>,
        account: Option<&Account>,
        key: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<bool>, AccountError> {
        if code.is_empty() {
            return Ok(None);
        }
        Ok(Some(match (person, account) {
            (Some(p), Some(a)) => match a.mfa_method {
                Some(method)
                    if tx
                        .count_login_attempts(AttemptKind::SecondFactor, false, key, now - LIMIT_WINDOW, false)
                        .await?
                        < SECOND_FACTOR_FAILURES =>
                {
                    matches!(
                        self.check_factor(tx, p.id, a, method, code, now, false).await?,
                        FactorCheck::Accepted { .. }
                    )
                }
                _ => false,
            },
            _ => false,
        }))
    }

    /// Whether the password is the account's, for an active person. A hash is checked
    /// even when there is no account, so the time taken tells nothing.
    async fn password_matches(
        &self,
        person: Option<&Person>,
        account: Option<&Account>,
        password: &str,
    ) -> Result<bool, AccountError> {
        let stored = account.and_then(|a| a.password_hash.clone());
        let usable = stored.is_some() && person.is_some_and(|p| p.active);
        let phc = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let typed = password.to_string();
        let matches = tokio::task::spawn_blocking(move || crate::security::password::verify(&typed, &phc)).await?;
        Ok(usable && matches)
    }

    /// The right password: a session opens, unless a limit stands and no second factor
    /// passed it.
    async fn past_the_password(
        &self,
        mut tx: Tx,
        person: &Person,
        account: &Account,
        restriction: Restriction,
        attempt: Attempt<'_>,
    ) -> Result<SignIn, AccountError> {
        let Attempt {
            key,
            client,
            code,
            now,
            typed_factor,
        } = attempt;
        let method = account.mfa_method;
        let factor = match (typed_factor, method) {
            (Some(true), Some(m)) => {
                self.check_factor(&mut tx, person.id, account, m, code, now, true)
                    .await?
            }
            _ => FactorCheck::Wrong,
        };
        let passed = matches!(factor, FactorCheck::Accepted { .. });
        if let Some(answer) = restriction.answer()
            && !passed
        {
            // The right password alone does not pass a limit. Someone whose codes come by
            // mail is sent one, to type with the password (the page says so either way).
            tx.record_login_attempt(AttemptKind::Password, key, client, now, false)
                .await?;
            if restriction == Restriction::Limited && method == Some(MfaMethod::Email) && typed_factor.is_none() {
                self.queue_code(&mut tx, person, TokenPurpose::LoginCode, client)
                    .await?;
            }
            self.notice_failures(&mut tx, Some(person), key, now).await?;
            tx.commit().await?;
            tracing::info!(client, "sign-in refused under a limit: the password alone");
            return Ok(answer);
        }
        let (session, stage) = self.open_session(&mut tx, person, method, passed, &attempt).await?;
        tx.commit().await?;
        tracing::info!(person = %person.user_code, second_factor = passed, "password accepted");
        Ok(SignIn::Started {
            session,
            stage,
            recovery_used: factor == FactorCheck::Accepted { recovery: true },
        })
    }

    /// Records the successful attempt and opens the session at its stage: the code by mail
    /// queued when it is due, the address remembered once signed in.
    async fn open_session(
        &self,
        tx: &mut Tx,
        person: &Person,
        method: Option<MfaMethod>,
        passed: bool,
        attempt: &Attempt<'_>,
    ) -> Result<(String, Stage), AccountError> {
        let Attempt {
            key,
            client,
            now,
            typed_factor,
            ..
        } = *attempt;
        tx.record_login_attempt(AttemptKind::Password, key, client, now, true)
            .await?;
        if typed_factor.is_some() && !passed && method.is_some() {
            tx.record_login_attempt(AttemptKind::SecondFactor, key, client, now, false)
                .await?;
        }
        let session = account_secret::session_id();
        tx.insert_account_session(
            &account_secret::sha256_hex(&session),
            person.id,
            now,
            now + ABSOLUTE_TIMEOUT,
            passed,
        )
        .await?;
        let stage = stage_of(person, method, passed);
        if stage == Stage::SecondFactorDue(MfaMethod::Email) {
            self.queue_code(tx, person, TokenPurpose::LoginCode, client).await?;
        }
        if matches!(stage, Stage::SignedIn { .. }) {
            tx.remember_address(person.id, &self.address_hash(person.id, client), now)
                .await?;
        }
        Ok((session, stage))
    }

    /// The session a cookie holds, if it is still valid; seeing it counts as activity.
    pub async fn session(&self, cookie: &str) -> Result<Option<SessionView>, AccountError> {
        let now = self.now();
        let id_hash = account_secret::sha256_hex(cookie);
        let mut tx = self.workflow.store.begin().await?;
        let Some(session) = tx.account_session(&id_hash).await? else {
            return Ok(None);
        };
        if now >= session.expires_at || now >= session.last_seen_at + IDLE_TIMEOUT {
            tx.delete_account_session(&id_hash).await?;
            tx.commit().await?;
            return Ok(None);
        }
        let person = tx.person(session.person).await?;
        let account = tx.account(session.person).await?;
        let Some(account) = account.filter(|_| person.active) else {
            tx.delete_account_session(&id_hash).await?;
            tx.commit().await?;
            return Ok(None);
        };
        tx.touch_account_session(&id_hash, now).await?;
        tx.commit().await?;
        Ok(Some(SessionView {
            stage: stage_of(&person, account.mfa_method, session.mfa_passed),
            id_hash,
            person,
            mfa_method: account.mfa_method,
            expires_at: session.expires_at,
        }))
    }

    /// Ends the session (sign out).
    pub async fn sign_out(&self, cookie: &str) -> Result<(), AccountError> {
        let mut tx = self.workflow.store.begin().await?;
        tx.delete_account_session(&account_secret::sha256_hex(cookie)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces `view`'s session by a new one that passed the second factor, in `tx`.
    async fn upgrade_session(&self, tx: &mut Tx, view: &SessionView) -> Result<String, StoreError> {
        let session = account_secret::session_id();
        tx.delete_account_session(&view.id_hash).await?;
        tx.insert_account_session(
            &account_secret::sha256_hex(&session),
            view.person.id,
            self.now(),
            view.expires_at,
            true,
        )
        .await?;
        Ok(session)
    }

    /// Checks the second factor typed after the password: an app code, a code by mail,
    /// or a recovery code. Passing it makes `client` one of the person's usual addresses.
    pub async fn second_factor(
        &self,
        view: &SessionView,
        code: &str,
        client: &str,
    ) -> Result<SecondFactor, AccountError> {
        let Stage::SecondFactorDue(method) = view.stage else {
            return Ok(SecondFactor::Wrong);
        };
        let now = self.now();
        let key = format!("person:{}", view.person.id.0);
        let mut tx = self.workflow.store.begin().await?;
        let failures = tx
            .count_login_attempts(AttemptKind::SecondFactor, false, &key, now - LIMIT_WINDOW, false)
            .await?;
        if failures >= SECOND_FACTOR_FAILURES {
            tx.commit().await?;
            return Ok(SecondFactor::Limited);
        }
        let account = tx.account(view.person.id).await?.ok_or(StoreError::NotFound)?;
        let check = self
            .check_factor(&mut tx, view.person.id, &account, method, code, now, true)
            .await?;
        let result = match check {
            FactorCheck::Accepted { recovery } => {
                if recovery {
                    tracing::info!(person = %view.person.user_code, "recovery code used");
                }
                tx.remember_address(view.person.id, &self.address_hash(view.person.id, client), now)
                    .await?;
                SecondFactor::Passed {
                    session: self.upgrade_session(&mut tx, view).await?,
                    recovery_used: recovery,
                }
            }
            FactorCheck::Replayed => SecondFactor::Replayed,
            FactorCheck::Wrong => SecondFactor::Wrong,
        };
        let passed = matches!(result, SecondFactor::Passed { .. });
        tx.record_login_attempt(AttemptKind::SecondFactor, &key, client, now, passed)
            .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// Checks a TOTP code against the account's secret and uses its step.
    async fn check_totp(
        &self,
        tx: &mut Tx,
        account: &Account,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<TotpCheck, AccountError> {
        let context = totp_context(account);
        let Some((secret, aged)) = account
            .totp_secret
            .as_deref()
            .and_then(|s| self.sealer.open_aged(&context, s))
        else {
            tracing::error!(
                person = account.person.0,
                "the TOTP secret does not open with any signing key"
            );
            return Ok(TotpCheck::Wrong);
        };
        if aged {
            // Sealed with a retired key: seal it with the current one before that key goes.
            let sealed = self.sealer.seal(&context, &secret)?;
            tx.reseal_totp(account.person, &sealed).await?;
        }
        let check = TotpSecret::from_bytes(secret).check(code, now.timestamp(), account.totp_last_step);
        if let TotpCheck::Accepted { step } = check
            && !tx.use_totp_step(account.person, step).await?
        {
            // Another sign-in used this step between our read and our write.
            return Ok(TotpCheck::Replayed);
        }
        Ok(check)
    }

    /// Uses the live code of `purpose` for the session's person; `false` if none matches.
    async fn use_code(
        &self,
        tx: &mut Tx,
        view: &SessionView,
        purpose: TokenPurpose,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let hash = self.code_hash(view.person.id, purpose, code);
        match tx.account_token_by_hash(purpose, &hash).await? {
            Some(t) if t.person == view.person.id && t.used_at.is_none() && now < t.expires_at => {
                tx.use_account_token(t.id, now).await
            }
            _ => Ok(false),
        }
    }

    fn code_hash(&self, person: crate::domain::ids::PersonId, purpose: TokenPurpose, code: &str) -> String {
        self.keys.keyed_hash(&format!("{purpose}:{}", person.0), code)
    }

    /// Queues a new code of `purpose` by mail for `person`, ending the previous ones.
    async fn queue_code(
        &self,
        tx: &mut Tx,
        person: &Person,
        purpose: TokenPurpose,
        client: &str,
    ) -> Result<CodeSent, StoreError> {
        let now = self.now();
        let key = format!("person:{}", person.id.0);
        let sent = tx
            .count_login_attempts(AttemptKind::CodeSent, false, &key, now - LIMIT_WINDOW, true)
            .await?;
        if sent >= CODES_PER_WINDOW {
            return Ok(CodeSent::Limited);
        }
        tx.revoke_account_tokens(person.id, purpose, now).await?;
        let nonce = account_secret::nonce();
        let code = self.keys.code(purpose.as_str(), &nonce);
        let hash = self.code_hash(person.id, purpose, &code);
        self.queue_token_mail(tx, person, purpose, &nonce, &hash, now + CODE_TTL)
            .await?;
        tx.record_login_attempt(AttemptKind::CodeSent, &key, client, now, true)
            .await?;
        Ok(CodeSent::Sent)
    }

    /// Stores a token row and queues the mail that carries it.
    async fn queue_token_mail(
        &self,
        tx: &mut Tx,
        person: &Person,
        purpose: TokenPurpose,
        nonce: &str,
        secret_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        let id = tx
            .insert_account_token(person.id, purpose, nonce, secret_hash, now, expires_at)
            .await?;
        tx.enqueue(
            &NewOutboxMessage {
                channel: OutboxChannel::Email,
                recipient: person.id,
                request: None,
                notice: token_notice(purpose, id),
            },
            now,
        )
        .await?;
        Ok(id)
    }

    /// Sends a new sign-in code by mail ("send me another code").
    pub async fn send_login_code(&self, view: &SessionView, client: &str) -> Result<CodeSent, AccountError> {
        if view.stage != Stage::SecondFactorDue(MfaMethod::Email) {
            return Ok(CodeSent::Limited);
        }
        let mut tx = self.workflow.store.begin().await?;
        let sent = self
            .queue_code(&mut tx, &view.person, TokenPurpose::LoginCode, client)
            .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// How many recovery codes are left.
    pub async fn recovery_codes_left(&self, view: &SessionView) -> Result<i64, AccountError> {
        let mut tx = self.workflow.store.begin_read().await?;
        let n = tx.recovery_codes_left(view.person.id).await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// Where a session stands, given the person's second factor and whether it was passed.
pub fn stage_of(person: &Person, method: Option<MfaMethod>, mfa_passed: bool) -> Stage {
    match method {
        Some(m) if !mfa_passed => Stage::SecondFactorDue(m),
        Some(_) => Stage::SignedIn { mfa: true },
        None if person.has_role(Role::Coordinator) => Stage::EnrolmentDue,
        None => Stage::SignedIn { mfa: false },
    }
}

/// What a sealed TOTP secret is bound to.
fn totp_context(account: &Account) -> String {
    format!("totp:{}", account.person.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_waits_longer_after_each_failure_up_to_a_cap() {
        let waits: Vec<i64> = (0..25).map(|n| address_delay(n).num_seconds()).collect();
        assert_eq!(&waits[..5], &[0, 0, 0, 0, 0], "the first failures are free");
        assert_eq!(&waits[5..12], &[1, 2, 4, 8, 16, 32, 64]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert_eq!(waits[24], ADDRESS_MAX_DELAY.num_seconds());
        assert_eq!(address_delay(i64::MAX), ADDRESS_MAX_DELAY);
    }
}
