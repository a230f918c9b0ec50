//! Signing in and accounts: passwords, second factors, sessions, one-time links and codes,
//! and the limits that hold across processes. Each operation is one transaction; the
//! mails it causes (activation, reset, codes) are queued in the outbox in that same
//! transaction, carrying only the token's row id (`security::account_secret`).
//!
//! The rules (docs/accounts.md):
//! - a session starts after the password; it is *signed in* once the second factor is
//!   passed, or at once for a non-coordinator who has none (they are invited to add one);
//! - a coordinator without a second factor must enrol before anything else;
//! - failures are counted per account and per client address in the database; past a
//!   limit every attempt is refused, right or wrong, and an unknown address is limited
//!   exactly like a known one, so nothing tells whether an account exists.

mod change;
mod enrol;
mod invite;
mod passwords;

pub use change::{MFA_CHANGED_KIND, MfaChange, MfaChangeKind, Proof, RecoveryCodes};
pub use enrol::{EmailEnrolment, MfaEnabled, TotpEnrolment};
pub use invite::{ImportLine, ImportOutcome, ImportProblem, ImportReport, InviteOutcome};
pub use passwords::{ACTIVATION_PATH, PasswordChange, RESET_PATH, SetPassword, TokenState, token_mail_secret};

use super::Workflow;
use crate::domain::contact::EmailAddress;
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
/// Failed passwords per account, and per client address, within the window.
pub const PASSWORD_FAILURES_PER_ACCOUNT: i64 = 5;
pub const PASSWORD_FAILURES_PER_CLIENT: i64 = 20;
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
#[derive(Debug, Clone)]
pub enum SignIn {
    /// A session was opened (its cookie value), at this stage.
    Started { session: String, stage: Stage },
    /// Wrong address, identifier or password (never which).
    Refused,
    /// Too many failures for this account or from this address.
    Limited,
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

fn email_kind_payload(token: i64) -> serde_json::Value {
    serde_json::json!({ "token": token })
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

    async fn limited(
        tx: &mut Tx,
        kind: AttemptKind,
        account_key: &str,
        client: &str,
        since: DateTime<Utc>,
        (per_account, per_client): (i64, i64),
        all: bool,
    ) -> Result<bool, StoreError> {
        Ok(
            tx.count_login_attempts(kind, false, account_key, since, all).await? >= per_account
                || tx.count_login_attempts(kind, true, client, since, all).await? >= per_client,
        )
    }

    /// Checks an identifier and password typed on the sign-in page from `client`.
    pub async fn sign_in(&self, identifier: &str, password: &str, client: &str) -> Result<SignIn, AccountError> {
        let now = self.now();
        let mut tx = self.workflow.store.begin_read().await?;
        let person = Self::person_named(&mut tx, identifier).await?;
        let account = match &person {
            Some(p) => tx.account(p.id).await?,
            None => None,
        };
        let key = self.account_key(person.as_ref(), identifier);
        let limits = (PASSWORD_FAILURES_PER_ACCOUNT, PASSWORD_FAILURES_PER_CLIENT);
        let limited = Self::limited(
            &mut tx,
            AttemptKind::Password,
            &key,
            client,
            now - LIMIT_WINDOW,
            limits,
            false,
        )
        .await?;
        tx.commit().await?;
        if limited {
            tracing::info!(client, "sign-in refused: too many failures");
            return Ok(SignIn::Limited);
        }
        let stored = account.as_ref().and_then(|a| a.password_hash.clone());
        let usable = stored.is_some() && person.as_ref().is_some_and(|p| p.active);
        let phc = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let typed = password.to_string();
        let matches = tokio::task::spawn_blocking(move || crate::security::password::verify(&typed, &phc)).await?;
        let ok = usable && matches;
        let mut tx = self.workflow.store.begin().await?;
        tx.record_login_attempt(AttemptKind::Password, &key, client, now, ok)
            .await?;
        let (Some(person), Some(account), true) = (person, account, ok) else {
            tx.commit().await?;
            tracing::info!(client, "sign-in refused");
            return Ok(SignIn::Refused);
        };
        let session = account_secret::session_id();
        tx.insert_account_session(
            &account_secret::sha256_hex(&session),
            person.id,
            now,
            now + ABSOLUTE_TIMEOUT,
            false,
        )
        .await?;
        let stage = stage_of(&person, account.mfa_method, false);
        if stage == Stage::SecondFactorDue(MfaMethod::Email) {
            self.queue_code(&mut tx, &person, TokenPurpose::LoginCode, client)
                .await?;
        }
        tx.commit().await?;
        tracing::info!(person = %person.user_code, "password accepted");
        Ok(SignIn::Started { session, stage })
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
    /// or a recovery code.
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
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let outcome = if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            match method {
                MfaMethod::Totp => self.check_totp(&mut tx, &account, &digits, now).await?,
                MfaMethod::Email => {
                    if self
                        .use_code(&mut tx, view, TokenPurpose::LoginCode, &digits, now)
                        .await?
                    {
                        TotpCheck::Accepted { step: 0 }
                    } else {
                        TotpCheck::Wrong
                    }
                }
            }
        } else {
            let hash = account_secret::sha256_hex(&account_secret::normalise_recovery_code(code));
            if tx.use_recovery_code(view.person.id, &hash, now).await? {
                let session = self.upgrade_session(&mut tx, view).await?;
                tx.record_login_attempt(AttemptKind::SecondFactor, &key, client, now, true)
                    .await?;
                tx.commit().await?;
                tracing::info!(person = %view.person.user_code, "recovery code used");
                return Ok(SecondFactor::Passed {
                    session,
                    recovery_used: true,
                });
            }
            TotpCheck::Wrong
        };
        let result = match outcome {
            TotpCheck::Accepted { .. } => SecondFactor::Passed {
                session: self.upgrade_session(&mut tx, view).await?,
                recovery_used: false,
            },
            TotpCheck::Replayed => SecondFactor::Replayed,
            TotpCheck::Wrong => SecondFactor::Wrong,
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
                kind: purpose.mail_kind().to_string(),
                request: None,
                payload: email_kind_payload(id),
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
