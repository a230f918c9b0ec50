//! Web accounts: passwords, second factors, sessions, one-time tokens and the attempts
//! that rate limiting counts. What is stored of each secret is described in
//! `migrations/*/0010_accounts.sql` and docs/accounts.md.

use super::{StoreError, Tx, decode, on_conn};
use crate::domain::ids::PersonId;
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;

/// The second factor a person chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaMethod {
    /// An authenticator app (TOTP).
    Totp,
    /// A six-digit code sent by mail at each sign-in.
    Email,
}

impl MfaMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            MfaMethod::Totp => "totp",
            MfaMethod::Email => "email",
        }
    }
}

impl FromStr for MfaMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "totp" => Ok(MfaMethod::Totp),
            "email" => Ok(MfaMethod::Email),
            other => Err(format!("unknown second factor {other:?}")),
        }
    }
}

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// The link that sets a new account's first password (72 h).
    Activation,
    /// The link of "forgot password" (1 h).
    PasswordReset,
    /// A code by mail that completes a sign-in (10 min).
    LoginCode,
    /// A code by mail that proves the address when choosing codes by mail (10 min).
    MfaEmail,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Activation => "activation",
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::LoginCode => "login_code",
            TokenPurpose::MfaEmail => "mfa_email",
        }
    }

    /// A link (long secret) or a code (six digits).
    pub fn is_link(self) -> bool {
        matches!(self, TokenPurpose::Activation | TokenPurpose::PasswordReset)
    }
}

impl fmt::Display for TokenPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenPurpose {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "activation" => Ok(TokenPurpose::Activation),
            "password_reset" => Ok(TokenPurpose::PasswordReset),
            "login_code" => Ok(TokenPurpose::LoginCode),
            "mfa_email" => Ok(TokenPurpose::MfaEmail),
            other => Err(format!("unknown token purpose {other:?}")),
        }
    }
}

/// What rate limiting counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    Password,
    SecondFactor,
    /// A "forgot password" request.
    Reset,
    /// A code sent by mail.
    CodeSent,
}

impl AttemptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptKind::Password => "password",
            AttemptKind::SecondFactor => "second_factor",
            AttemptKind::Reset => "reset",
            AttemptKind::CodeSent => "code_sent",
        }
    }
}

/// Failed sign-ins of one account over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureSummary {
    pub failures: i64,
    /// From how many client addresses.
    pub addresses: i64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

/// A person's account as stored. `Debug` leaves the secrets out.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub person: PersonId,
    pub password_hash: Option<String>,
    pub mfa_method: Option<MfaMethod>,
    /// Sealed (`security::sealed`).
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    /// When the password was last set (activation, reset, change).
    pub password_changed_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("person", &self.person)
            .field("has_password", &self.password_hash.is_some())
            .field("mfa_method", &self.mfa_method)
            .field("activated_at", &self.activated_at)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    person_id: i64,
    password_hash: Option<String>,
    mfa_method: Option<String>,
    totp_secret: Option<String>,
    totp_pending_secret: Option<String>,
    totp_last_step: Option<i64>,
    created_at: DateTime<Utc>,
    activated_at: Option<DateTime<Utc>>,
    password_changed_at: Option<DateTime<Utc>>,
}

/// A stored session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSession {
    pub person: PersonId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub mfa_passed: bool,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    person_id: i64,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    mfa_passed: bool,
}

/// A stored one-time token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountToken {
    pub id: i64,
    pub person: PersonId,
    pub purpose: TokenPurpose,
    pub nonce: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    person_id: i64,
    purpose: String,
    nonce: String,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
}

impl TryFrom<TokenRow> for AccountToken {
    type Error = StoreError;
    fn try_from(r: TokenRow) -> Result<AccountToken, StoreError> {
        Ok(AccountToken {
            id: r.id,
            person: PersonId(r.person_id),
            purpose: decode("account_tokens.purpose", r.purpose.parse())?,
            nonce: r.nonce,
            expires_at: r.expires_at,
            used_at: r.used_at,
        })
    }
}

const TOKEN_COLUMNS: &str = "id, person_id, purpose, nonce, expires_at, used_at";

impl Tx {
    /// Creates the account of `person` if they have none; `false` if they had one.
    pub async fn insert_account(&mut self, person: PersonId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str =
            "INSERT INTO accounts (person_id, created_at) VALUES ($1, $2) ON CONFLICT (person_id) DO NOTHING";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    pub async fn account(&mut self, person: PersonId) -> Result<Option<Account>, StoreError> {
        let sql = format!(
            "SELECT person_id, password_hash, mfa_method, totp_secret, totp_pending_secret, totp_last_step, \
             created_at, activated_at, password_changed_at FROM accounts WHERE person_id = $1{}",
            self.lock_clause()
        );
        let row: Option<AccountRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(person.0)
            .fetch_optional(c)
            .await?);
        row.map(|r| {
            Ok(Account {
                person: PersonId(r.person_id),
                password_hash: r.password_hash,
                mfa_method: r
                    .mfa_method
                    .map(|m| decode("accounts.mfa_method", m.parse()))
                    .transpose()?,
                totp_secret: r.totp_secret,
                totp_pending_secret: r.totp_pending_secret,
                totp_last_step: r.totp_last_step,
                created_at: r.created_at,
                activated_at: r.activated_at,
                password_changed_at: r.password_changed_at,
            })
        })
        .transpose()
    }

    /// Every account: its person, and whether it was activated (a password set through
    /// the activation link). A person without a line has no account yet.
    pub async fn account_states(&mut self) -> Result<Vec<(PersonId, bool)>, StoreError> {
        let rows: Vec<(i64, i64)> = on_conn!(self, |c| sqlx::query_as(
            "SELECT person_id, CAST(CASE WHEN activated_at IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM accounts"
        )
        .fetch_all(c)
        .await?);
        Ok(rows.into_iter().map(|(p, a)| (PersonId(p), a != 0)).collect())
    }

    /// Sets the password (a PHC string); the first one activates the account.
    pub async fn set_password_hash(
        &mut self,
        person: PersonId,
        phc: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE accounts SET password_hash = $2, password_changed_at = $3, \
             activated_at = COALESCE(activated_at, $3) WHERE person_id = $1";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(phc)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Keeps the sealed secret shown during TOTP enrolment until a first code confirms it.
    pub async fn set_pending_totp(&mut self, person: PersonId, sealed: Option<&str>) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE accounts SET totp_pending_secret = $2 WHERE person_id = $1";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(sealed)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Turns the second factor on: TOTP with its sealed secret and first step, or codes by mail.
    pub async fn enable_mfa(
        &mut self,
        person: PersonId,
        method: MfaMethod,
        totp: Option<(&str, i64)>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE accounts SET mfa_method = $2, totp_secret = $3, totp_last_step = $4, \
             totp_pending_secret = NULL WHERE person_id = $1";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(method.as_str())
            .bind(totp.map(|t| t.0))
            .bind(totp.map(|t| t.1))
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Turns the second factor off: no method, no app secret (current or pending), no step.
    pub async fn disable_mfa(&mut self, person: PersonId) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE accounts SET mfa_method = NULL, totp_secret = NULL, totp_pending_secret = NULL, \
             totp_last_step = NULL WHERE person_id = $1";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .execute(c)
            .await?
            .rows_affected());
        if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Replaces the sealed TOTP secret by the same secret sealed with the current key.
    pub async fn reseal_totp(&mut self, person: PersonId, sealed: &str) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE accounts SET totp_secret = $2 WHERE person_id = $1 AND mfa_method = 'totp'";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(sealed)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Records `step` as the last TOTP step used, if it is newer than the one stored;
    /// `false` means another sign-in used this step (or a later one) first.
    pub async fn use_totp_step(&mut self, person: PersonId, step: i64) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE accounts SET totp_last_step = $2 \
             WHERE person_id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(step)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Replaces a person's recovery codes by these hashes.
    pub async fn replace_recovery_codes(
        &mut self,
        person: PersonId,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const CLEAR: &str = "DELETE FROM account_recovery_codes WHERE person_id = $1";
        const ADD: &str = "INSERT INTO account_recovery_codes (person_id, code_hash, created_at) VALUES ($1, $2, $3)";
        on_conn!(self, |c| sqlx::query(CLEAR)
            .bind(person.0)
            .execute(c)
            .await?
            .rows_affected());
        for hash in hashes {
            on_conn!(self, |c| sqlx::query(ADD)
                .bind(person.0)
                .bind(hash)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(())
    }

    /// Uses the recovery code with this hash; `false` if there is none unused.
    pub async fn use_recovery_code(
        &mut self,
        person: PersonId,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE account_recovery_codes SET used_at = $3 \
             WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(hash)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    pub async fn recovery_codes_left(&mut self, person: PersonId) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM account_recovery_codes WHERE person_id = $1 AND used_at IS NULL";
        Ok(on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .fetch_one(c)
            .await?))
    }

    pub async fn insert_account_session(
        &mut self,
        id_hash: &str,
        person: PersonId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        mfa_passed: bool,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO account_sessions (id_hash, person_id, created_at, last_seen_at, expires_at, \
             mfa_passed) VALUES ($1, $2, $3, $3, $4, $5)";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(id_hash)
            .bind(person.0)
            .bind(now)
            .bind(expires_at)
            .bind(mfa_passed)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The session as stored, expired or not: the caller applies the timeouts.
    pub async fn account_session(&mut self, id_hash: &str) -> Result<Option<AccountSession>, StoreError> {
        const SQL: &str = "SELECT person_id, created_at, last_seen_at, expires_at, mfa_passed \
             FROM account_sessions WHERE id_hash = $1";
        let row: Option<SessionRow> = on_conn!(self, |c| sqlx::query_as(SQL).bind(id_hash).fetch_optional(c).await?);
        Ok(row.map(|r| AccountSession {
            person: PersonId(r.person_id),
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            mfa_passed: r.mfa_passed,
        }))
    }

    pub async fn touch_account_session(&mut self, id_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        const SQL: &str = "UPDATE account_sessions SET last_seen_at = $2 WHERE id_hash = $1";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(id_hash)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn delete_account_session(&mut self, id_hash: &str) -> Result<(), StoreError> {
        const SQL: &str = "DELETE FROM account_sessions WHERE id_hash = $1";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(id_hash)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Ends every session of `person` but `keep` (the one changing the password).
    pub async fn delete_sessions_of(&mut self, person: PersonId, keep: Option<&str>) -> Result<u64, StoreError> {
        const SQL: &str = "DELETE FROM account_sessions WHERE person_id = $1 AND id_hash <> $2";
        Ok(on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(keep.unwrap_or(""))
            .execute(c)
            .await?
            .rows_affected()))
    }

    pub async fn insert_account_token(
        &mut self,
        person: PersonId,
        purpose: TokenPurpose,
        nonce: &str,
        secret_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "INSERT INTO account_tokens (person_id, purpose, nonce, secret_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        Ok(on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(purpose.as_str())
            .bind(nonce)
            .bind(secret_hash)
            .bind(now)
            .bind(expires_at)
            .fetch_one(c)
            .await?))
    }

    pub async fn account_token(&mut self, id: i64) -> Result<AccountToken, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM account_tokens WHERE id = $1");
        let row: Option<TokenRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await?);
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// The latest token of `purpose` whose secret has this keyed hash, used or not, expired
    /// or not (the page says which).
    pub async fn account_token_by_hash(
        &mut self,
        purpose: TokenPurpose,
        secret_hash: &str,
    ) -> Result<Option<AccountToken>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM account_tokens WHERE secret_hash = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1"
        );
        let row: Option<TokenRow> = on_conn!(self, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(secret_hash)
            .bind(purpose.as_str())
            .fetch_optional(c)
            .await?);
        row.map(TryInto::try_into).transpose()
    }

    /// Uses the token; `false` if it was already used (by a concurrent request too).
    pub async fn use_account_token(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE account_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Ends the unused tokens of `purpose` for `person`: a new link or code replaces them.
    pub async fn revoke_account_tokens(
        &mut self,
        person: PersonId,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        const SQL: &str = "UPDATE account_tokens SET used_at = $3 \
             WHERE person_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3";
        Ok(on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(purpose.as_str())
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()))
    }

    pub async fn record_login_attempt(
        &mut self,
        kind: AttemptKind,
        account_key: &str,
        client: &str,
        at: DateTime<Utc>,
        succeeded: bool,
    ) -> Result<(), StoreError> {
        const SQL: &str =
            "INSERT INTO login_attempts (kind, account_key, client, at, succeeded) VALUES ($1, $2, $3, $4, $5)";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(kind.as_str())
            .bind(account_key)
            .bind(client)
            .bind(at)
            .bind(succeeded)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Failed attempts of `kind` for this account (or, with `by_client`, from this client)
    /// since `since`; with `all`, successful ones count too.
    pub async fn count_login_attempts(
        &mut self,
        kind: AttemptKind,
        by_client: bool,
        value: &str,
        since: DateTime<Utc>,
        all: bool,
    ) -> Result<i64, StoreError> {
        let column = if by_client { "client" } else { "account_key" };
        let sql = format!(
            "SELECT COUNT(*) FROM login_attempts WHERE {column} = $1 AND kind = $2 AND at > $3 \
             AND ($4 OR NOT succeeded)"
        );
        Ok(on_conn!(self, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(value)
            .bind(kind.as_str())
            .bind(since)
            .bind(all)
            .fetch_one(c)
            .await?))
    }

    /// Records a wrong password or code typed on a form of a signed-in session.
    pub async fn record_session_failure(
        &mut self,
        kind: AttemptKind,
        account_key: &str,
        client: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO login_attempts (kind, account_key, client, at, succeeded, in_session) \
             VALUES ($1, $2, $3, $4, FALSE, TRUE)";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(kind.as_str())
            .bind(account_key)
            .bind(client)
            .bind(at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Failures of `kind` for this account since `since` typed on a signed-in session's forms.
    pub async fn count_session_failures(
        &mut self,
        kind: AttemptKind,
        account_key: &str,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM login_attempts WHERE account_key = $1 AND kind = $2 AND at > $3 \
             AND in_session AND NOT succeeded";
        Ok(on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(account_key)
            .bind(kind.as_str())
            .bind(since)
            .fetch_one(c)
            .await?))
    }

    /// Failed sign-ins (wrong passwords, or codes under a limit) from `client` since
    /// `since`, any account, and when the latest was.
    pub async fn address_failures(
        &mut self,
        client: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
        const COUNT: &str = "SELECT COUNT(*) FROM login_attempts WHERE client = $1 AND kind = 'password' \
             AND at > $2 AND NOT succeeded AND NOT in_session";
        const LATEST: &str = "SELECT at FROM login_attempts WHERE client = $1 AND kind = 'password' \
             AND at > $2 AND NOT succeeded AND NOT in_session ORDER BY at DESC LIMIT 1";
        let n: i64 = on_conn!(self, |c| sqlx::query_scalar(COUNT)
            .bind(client)
            .bind(since)
            .fetch_one(c)
            .await?);
        let latest: Option<DateTime<Utc>> = on_conn!(self, |c| sqlx::query_scalar(LATEST)
            .bind(client)
            .bind(since)
            .fetch_optional(c)
            .await?);
        Ok((n, latest))
    }

    /// Failed sign-ins for this account since `since`: how many, from how many addresses,
    /// the first and the last.
    pub async fn account_failures(
        &mut self,
        account_key: &str,
        since: DateTime<Utc>,
    ) -> Result<FailureSummary, StoreError> {
        const SQL: &str = "SELECT COUNT(*), COUNT(DISTINCT client) FROM login_attempts \
             WHERE account_key = $1 AND kind = 'password' AND at > $2 AND NOT succeeded";
        const FIRST: &str = "SELECT at FROM login_attempts WHERE account_key = $1 AND kind = 'password' \
             AND at > $2 AND NOT succeeded ORDER BY at LIMIT 1";
        const LAST: &str = "SELECT at FROM login_attempts WHERE account_key = $1 AND kind = 'password' \
             AND at > $2 AND NOT succeeded ORDER BY at DESC LIMIT 1";
        let (failures, addresses): (i64, i64) = on_conn!(self, |c| sqlx::query_as(SQL)
            .bind(account_key)
            .bind(since)
            .fetch_one(c)
            .await?);
        let first: Option<DateTime<Utc>> = on_conn!(self, |c| sqlx::query_scalar(FIRST)
            .bind(account_key)
            .bind(since)
            .fetch_optional(c)
            .await?);
        let last: Option<DateTime<Utc>> = on_conn!(self, |c| sqlx::query_scalar(LAST)
            .bind(account_key)
            .bind(since)
            .fetch_optional(c)
            .await?);
        Ok(FailureSummary {
            failures,
            addresses,
            first,
            last,
        })
    }

    /// Whether `person` signed in from the address with this keyed hash since `since`.
    pub async fn is_usual_address(
        &mut self,
        person: PersonId,
        address_hash: &str,
        since: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM account_usual_addresses \
             WHERE person_id = $1 AND address_hash = $2 AND last_signed_in_at > $3";
        let n: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(address_hash)
            .bind(since)
            .fetch_one(c)
            .await?);
        Ok(n > 0)
    }

    /// Notes that `person` signed in from the address with this keyed hash at `now`.
    pub async fn remember_address(
        &mut self,
        person: PersonId,
        address_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO account_usual_addresses (person_id, address_hash, last_signed_in_at) \
             VALUES ($1, $2, $3) ON CONFLICT (person_id, address_hash) DO UPDATE SET last_signed_in_at = $3";
        on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(address_hash)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Marks that the owner is being told of failed sign-ins now, unless they were told
    /// since `since`; `true` when this call is the one that tells them (one of two racing
    /// sign-ins wins).
    pub async fn claim_failure_notice(
        &mut self,
        person: PersonId,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SQL: &str = "UPDATE accounts SET failures_noticed_at = $2 \
             WHERE person_id = $1 AND (failures_noticed_at IS NULL OR failures_noticed_at <= $3)";
        let n = on_conn!(self, |c| sqlx::query(SQL)
            .bind(person.0)
            .bind(now)
            .bind(since)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Whether `person` has an unused recovery code with this hash (nothing is used).
    pub async fn has_recovery_code(&mut self, person: PersonId, hash: &str) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT COUNT(*) FROM account_recovery_codes \
             WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL";
        let n: i64 = on_conn!(self, |c| sqlx::query_scalar(SQL)
            .bind(person.0)
            .bind(hash)
            .fetch_one(c)
            .await?);
        Ok(n > 0)
    }

    /// Forgets what no limit or link needs any more: attempts, link renewals and tokens
    /// older than `before`, sessions past their absolute expiry, addresses not signed in
    /// from since `usual_before`.
    pub async fn prune_account_records(
        &mut self,
        now: DateTime<Utc>,
        before: DateTime<Utc>,
        usual_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut n = 0;
        for (sql, at) in [
            ("DELETE FROM login_attempts WHERE at < $1", before),
            ("DELETE FROM link_renewals WHERE at < $1", before),
            ("DELETE FROM account_tokens WHERE expires_at < $1", before),
            ("DELETE FROM account_sessions WHERE expires_at <= $1", now),
            (
                "DELETE FROM account_usual_addresses WHERE last_signed_in_at < $1",
                usual_before,
            ),
        ] {
            n += on_conn!(self, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(at)
                .execute(c)
                .await?
                .rows_affected());
        }
        Ok(n)
    }
}
