//! Setting a password: the first one through the activation link, a new one through the
//! "forgot password" link, or a change by a signed-in person who gives the current one.

use super::AccountError;
use super::{
    Accounts, AttemptKind, LIMIT_WINDOW, PASSWORD_FAILURES_PER_ACCOUNT, RESET_REQUESTS_PER_CLIENT_HOUR, RESET_TTL,
    RESETS_PER_HOUR, SessionView,
};
use crate::domain::password_policy::{self, PasswordProblem};
use crate::domain::person::Person;
use crate::security::account_secret::{self, AccountKeys};
use crate::store::accounts::{AccountToken, TokenPurpose};
use chrono::TimeDelta;

/// What a link's token is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    Live {
        token: AccountToken,
        person: Box<Person>,
    },
    Used,
    Expired,
    /// Not one of ours (mistyped, cut, or signed with a retired key).
    Unknown,
}

/// How setting a password through a link went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetPassword {
    Done(Person),
    Weak {
        person: Person,
        problems: Vec<PasswordProblem>,
    },
    Dead(TokenState),
}

/// How a password change went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordChange {
    Done,
    WrongCurrent,
    Weak(Vec<PasswordProblem>),
    Limited,
}

/// The words an attacker tries first against this person.
pub(super) fn user_inputs(person: &Person) -> Vec<String> {
    vec![
        person.first_name.clone(),
        person.last_name.clone(),
        person.email.as_str().to_string(),
        person.user_code.as_str().to_string(),
    ]
}

fn policy(person: &Person, password: &str, confirmation: &str) -> Vec<PasswordProblem> {
    let inputs = user_inputs(person);
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    password_policy::check(password, Some(confirmation), &inputs)
}

async fn hash(password: &str) -> Result<String, AccountError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || crate::security::password::hash(&password))
        .await?
        .map_err(AccountError::Internal)
}

impl Accounts {
    /// The token a link carries, and whether it still works.
    pub async fn token_state(&self, purpose: TokenPurpose, secret: &str) -> Result<TokenState, AccountError> {
        if secret.len() != 43 {
            return Ok(TokenState::Unknown);
        }
        let hash = self.keys.keyed_hash(purpose.as_str(), secret);
        let mut tx = self.workflow.store.begin_read().await?;
        let token = tx.account_token_by_hash(purpose, &hash).await?;
        let state = match token {
            None => TokenState::Unknown,
            Some(t) if t.used_at.is_some() => TokenState::Used,
            Some(t) if self.now() >= t.expires_at => TokenState::Expired,
            Some(t) => {
                let person = tx.person(t.person).await?;
                if person.active {
                    TokenState::Live {
                        token: t,
                        person: Box::new(person),
                    }
                } else {
                    TokenState::Unknown
                }
            }
        };
        tx.commit().await?;
        Ok(state)
    }

    /// Sets the password of the link's person: the policy applies, the link then dies, and
    /// every session of the person ends (whoever had the old password is out).
    pub async fn set_password_with_link(
        &self,
        purpose: TokenPurpose,
        secret: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<SetPassword, AccountError> {
        let (token, person) = match self.token_state(purpose, secret).await? {
            TokenState::Live { token, person } => (token, *person),
            dead => return Ok(SetPassword::Dead(dead)),
        };
        let problems = policy(&person, password, confirmation);
        if !problems.is_empty() {
            return Ok(SetPassword::Weak { person, problems });
        }
        let phc = hash(password).await?;
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        if !tx.use_account_token(token.id, now).await? {
            return Ok(SetPassword::Dead(TokenState::Used));
        }
        // An activation link may reach someone whose account row was never made by hand.
        tx.insert_account(person.id, now).await?;
        tx.set_password_hash(person.id, &phc, now).await?;
        tx.revoke_account_tokens(person.id, TokenPurpose::PasswordReset, now)
            .await?;
        tx.revoke_account_tokens(person.id, TokenPurpose::Activation, now)
            .await?;
        tx.delete_sessions_of(person.id, None).await?;
        tx.commit().await?;
        tracing::info!(person = %person.user_code, purpose = purpose.as_str(), "password set through a link");
        Ok(SetPassword::Done(person))
    }

    /// "Forgot password": mails a reset link if the identifier names an account. The
    /// answer is the same either way; only the client's own flood is refused (`false`).
    pub async fn request_reset(&self, identifier: &str, client: &str) -> Result<bool, AccountError> {
        let now = self.now();
        let hour = now - TimeDelta::hours(1);
        let mut tx = self.workflow.store.begin().await?;
        if tx
            .count_login_attempts(AttemptKind::Reset, true, client, hour, true)
            .await?
            >= RESET_REQUESTS_PER_CLIENT_HOUR
        {
            tx.commit().await?;
            return Ok(false);
        }
        let person = Self::person_named(&mut tx, identifier).await?;
        let key = self.account_key(person.as_ref(), identifier);
        let recent = tx
            .count_login_attempts(AttemptKind::Reset, false, &key, hour, true)
            .await?;
        tx.record_login_attempt(AttemptKind::Reset, &key, client, now, true)
            .await?;
        let account = match &person {
            Some(p) if p.active => tx.account(p.id).await?,
            _ => None,
        };
        if let (Some(person), Some(_), true) = (&person, account, recent < RESETS_PER_HOUR) {
            tx.revoke_account_tokens(person.id, TokenPurpose::PasswordReset, now)
                .await?;
            self.queue_link(&mut tx, person, TokenPurpose::PasswordReset, now + RESET_TTL)
                .await?;
            tracing::info!(person = %person.user_code, "password reset link queued");
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Stores a link token for `person` and queues its mail.
    pub(super) async fn queue_link(
        &self,
        tx: &mut crate::store::Tx,
        person: &Person,
        purpose: TokenPurpose,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64, crate::store::StoreError> {
        let nonce = account_secret::nonce();
        let secret = self.keys.link_secret(purpose.as_str(), &nonce);
        let hash = self.keys.keyed_hash(purpose.as_str(), &secret);
        self.queue_token_mail(tx, person, purpose, &nonce, &hash, expires_at)
            .await
    }

    /// A signed-in person changes their password, giving the current one. Their other
    /// sessions end.
    pub async fn change_password(
        &self,
        view: &SessionView,
        current: &str,
        password: &str,
        confirmation: &str,
        client: &str,
    ) -> Result<PasswordChange, AccountError> {
        let now = self.now();
        let key = format!("person:{}", view.person.id.0);
        let mut tx = self.workflow.store.begin_read().await?;
        // Only wrong passwords typed in a session close this form (docs/accounts.md).
        let failures = tx
            .count_session_failures(AttemptKind::Password, &key, now - LIMIT_WINDOW)
            .await?;
        let stored = tx.account(view.person.id).await?.and_then(|a| a.password_hash);
        tx.commit().await?;
        if failures >= PASSWORD_FAILURES_PER_ACCOUNT {
            return Ok(PasswordChange::Limited);
        }
        let typed = current.to_string();
        let phc = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let right = tokio::task::spawn_blocking(move || crate::security::password::verify(&typed, &phc)).await?;
        if !right {
            let mut tx = self.workflow.store.begin().await?;
            tx.record_session_failure(AttemptKind::Password, &key, client, now)
                .await?;
            tx.commit().await?;
            return Ok(PasswordChange::WrongCurrent);
        }
        let problems = policy(&view.person, password, confirmation);
        if !problems.is_empty() {
            return Ok(PasswordChange::Weak(problems));
        }
        let phc = hash(password).await?;
        let mut tx = self.workflow.store.begin().await?;
        tx.set_password_hash(view.person.id, &phc, now).await?;
        tx.delete_sessions_of(view.person.id, Some(&view.id_hash)).await?;
        tx.commit().await?;
        tracing::info!(person = %view.person.user_code, "password changed");
        Ok(PasswordChange::Done)
    }
}

/// What the mail of a token carries, derived again from its row: the full link of an
/// activation or reset, or the six digits of a code.
pub fn token_mail_secret(keys: &AccountKeys, token: &AccountToken, public_base_url: &str) -> String {
    let base = public_base_url.trim_end_matches('/');
    match token.purpose {
        TokenPurpose::Activation => format!(
            "{base}{ACTIVATION_PATH}{}",
            keys.link_secret(token.purpose.as_str(), &token.nonce)
        ),
        TokenPurpose::PasswordReset => format!(
            "{base}{RESET_PATH}{}",
            keys.link_secret(token.purpose.as_str(), &token.nonce)
        ),
        TokenPurpose::LoginCode | TokenPurpose::MfaEmail => keys.code(token.purpose.as_str(), &token.nonce),
    }
}

/// Where activation and reset links lead: the path, then the secret.
pub const ACTIVATION_PATH: &str = "/account/activate/";
pub const RESET_PATH: &str = "/password/reset/";
