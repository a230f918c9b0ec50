//! Managing a second factor that is on: new recovery codes, another method (codes by mail,
//! an app, the app on a new phone), or none at all (never for a coordinator).
//!
//! Each change asks the person to prove it is them again (their password, a current code,
//! or both), happens in one transaction, ends their other sessions (this one stays) and
//! queues a security notice by mail that names the change and carries no secret. Wrong
//! passwords and codes are counted exactly as at sign-in and share its limits.

use super::{
    AccountError, Accounts, CodeSent, LIMIT_WINDOW, PASSWORD_FAILURES_PER_ACCOUNT, RECOVERY_CODES,
    SECOND_FACTOR_FAILURES, SessionView, Stage, TotpEnrolment, totp_context,
};
use crate::domain::role::Role;
use crate::security::account_secret;
use crate::security::totp::{TotpCheck, TotpSecret};
use crate::store::accounts::{Account, AttemptKind, MfaMethod, TokenPurpose};
use crate::store::outbox::{NewOutboxMessage, OutboxChannel};
use crate::store::{StoreError, Tx};
use chrono::{DateTime, Utc};

/// What a person typed to prove it is them: six digits are a code (of their app, or mailed
/// to them); anything else is their password (which has at least 12 characters).
#[derive(Clone, PartialEq, Eq)]
pub enum Proof {
    Password(String),
    Code(String),
}

impl Proof {
    pub fn read(typed: &str) -> Proof {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Proof::Code(digits)
        } else {
            Proof::Password(typed.to_string())
        }
    }
}

impl std::fmt::Debug for Proof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Proof::Password(_) => "Proof::Password(<redacted>)",
            Proof::Code(_) => "Proof::Code(<redacted>)",
        })
    }
}

/// Which change was made: what the security notice names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaChangeKind {
    /// Ten new recovery codes; the earlier ones stopped working.
    RecoveryCodes,
    /// From an app to codes by mail.
    ToEmail,
    /// From codes by mail to an app.
    ToApp,
    /// Another app (a new phone) in place of the earlier one.
    NewApp,
    /// No second factor any more.
    Off,
    /// A coordinator reset it: the next sign-in sets a new one up.
    Reset,
}

impl MfaChangeKind {
    /// As the notice's payload carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            MfaChangeKind::RecoveryCodes => "recovery_codes",
            MfaChangeKind::ToEmail => "email",
            MfaChangeKind::ToApp => "totp",
            MfaChangeKind::NewApp => "totp_new",
            MfaChangeKind::Off => "off",
            MfaChangeKind::Reset => "reset",
        }
    }
}

/// How a change went. Nothing changed unless it is `Done`.
#[derive(Clone, PartialEq, Eq)]
pub enum MfaChange<T> {
    Done(T),
    /// The password was wrong (counted).
    WrongPassword,
    /// The code was wrong or expired (counted).
    WrongCode,
    /// An app code whose step was already used: wait for the next one (counted).
    Replayed,
    /// Too many failures lately: refused whatever was typed.
    Limited,
    /// A coordinator may not turn the second factor off.
    CoordinatorsKeepIt,
    /// Nothing to change: no second factor on, none passed in this session, or no new app
    /// secret shown yet.
    Unavailable,
}

impl<T> std::fmt::Debug for MfaChange<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MfaChange::Done(_) => "Done(<redacted>)",
            MfaChange::WrongPassword => "WrongPassword",
            MfaChange::WrongCode => "WrongCode",
            MfaChange::Replayed => "Replayed",
            MfaChange::Limited => "Limited",
            MfaChange::CoordinatorsKeepIt => "CoordinatorsKeepIt",
            MfaChange::Unavailable => "Unavailable",
        })
    }
}

/// New recovery codes, shown once.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCodes(pub Vec<String>);

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes(<{} redacted>)", self.0.len())
    }
}

/// How a code check went, named for what the person is told.
enum CodeCheck {
    Right,
    Wrong,
    Replayed,
}

impl From<TotpCheck> for CodeCheck {
    fn from(check: TotpCheck) -> CodeCheck {
        match check {
            TotpCheck::Accepted { .. } => CodeCheck::Right,
            TotpCheck::Replayed => CodeCheck::Replayed,
            TotpCheck::Wrong => CodeCheck::Wrong,
        }
    }
}

fn six_digits(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

impl Accounts {
    /// The method a session may change: on, and passed in this very session.
    fn manageable(view: &SessionView) -> Option<MfaMethod> {
        match view.stage {
            Stage::SignedIn { mfa: true } => view.mfa_method,
            _ => None,
        }
    }

    fn person_key(view: &SessionView) -> String {
        format!("person:{}", view.person.id.0)
    }

    /// Whether failures of the kinds this change checks reached their limit.
    async fn change_limited(&self, view: &SessionView, password: bool, code: bool) -> Result<bool, AccountError> {
        let since = self.now() - LIMIT_WINDOW;
        let key = Self::person_key(view);
        let mut tx = self.workflow.store.begin_read().await?;
        // Only failures on these forms close them: a stranger's wrong passwords at the
        // sign-in page must not lock the owner out of changing their password or factor.
        let passwords = if password {
            tx.count_session_failures(AttemptKind::Password, &key, since).await?
        } else {
            0
        };
        // Wrong codes come only from people past the password: the sign-in's count.
        let codes = if code {
            tx.count_login_attempts(AttemptKind::SecondFactor, false, &key, since, false)
                .await?
        } else {
            0
        };
        tx.commit().await?;
        Ok(passwords >= PASSWORD_FAILURES_PER_ACCOUNT || codes >= SECOND_FACTOR_FAILURES)
    }

    /// What every change that asks for the password (and a code) checks first: a second
    /// factor to manage (of the `method` it starts from, if it matters), the limits, then
    /// the password. `Some` is the answer to give instead of changing anything.
    async fn password_precheck<T>(
        &self,
        view: &SessionView,
        method: Option<MfaMethod>,
        password: &str,
        client: &str,
    ) -> Result<Option<MfaChange<T>>, AccountError> {
        let current = Self::manageable(view);
        if current.is_none() || (method.is_some() && current != method) {
            return Ok(Some(MfaChange::Unavailable));
        }
        if self.change_limited(view, true, true).await? {
            return Ok(Some(MfaChange::Limited));
        }
        if !self.recheck_password(view, password, client).await? {
            return Ok(Some(MfaChange::WrongPassword));
        }
        Ok(None)
    }

    /// Checks the person's password; a wrong one is counted, in its own transaction.
    async fn recheck_password(&self, view: &SessionView, typed: &str, client: &str) -> Result<bool, AccountError> {
        let mut tx = self.workflow.store.begin_read().await?;
        let stored = tx.account(view.person.id).await?.and_then(|a| a.password_hash);
        tx.commit().await?;
        let usable = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let typed = typed.to_string();
        let matches = tokio::task::spawn_blocking(move || crate::security::password::verify(&typed, &phc)).await?;
        let right = usable && matches;
        if !right {
            let mut tx = self.workflow.store.begin().await?;
            tx.record_session_failure(AttemptKind::Password, &Self::person_key(view), client, self.now())
                .await?;
            tx.commit().await?;
            tracing::info!(person = %view.person.user_code, "second factor change: wrong password");
        }
        Ok(right)
    }

    /// Checks a code of the person's current method, using it: an app code (each step
    /// once), or a code mailed to confirm a change.
    async fn check_current_code(
        &self,
        tx: &mut Tx,
        view: &SessionView,
        account: &Account,
        typed: &str,
        now: DateTime<Utc>,
    ) -> Result<CodeCheck, AccountError> {
        let Some(digits) = six_digits(typed) else {
            return Ok(CodeCheck::Wrong);
        };
        Ok(match account.mfa_method {
            Some(MfaMethod::Totp) => self.check_totp(tx, account, &digits, now).await?.into(),
            Some(MfaMethod::Email) => {
                if self.use_code(tx, view, TokenPurpose::MfaEmail, &digits, now).await? {
                    CodeCheck::Right
                } else {
                    CodeCheck::Wrong
                }
            }
            None => CodeCheck::Wrong,
        })
    }

    /// Records a wrong code in `tx`, commits it (nothing else was changed), and says so.
    async fn refuse_code<T>(
        &self,
        mut tx: Tx,
        view: &SessionView,
        check: CodeCheck,
        client: &str,
    ) -> Result<MfaChange<T>, AccountError> {
        tx.record_login_attempt(
            AttemptKind::SecondFactor,
            &Self::person_key(view),
            client,
            self.now(),
            false,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(person = %view.person.user_code, "second factor change: wrong code");
        Ok(match check {
            CodeCheck::Replayed => MfaChange::Replayed,
            _ => MfaChange::WrongCode,
        })
    }

    /// What every change ends with, in its transaction: the person's other sessions end and
    /// a security notice is queued (naming the change, never a secret).
    async fn changed(&self, tx: &mut Tx, view: &SessionView, kind: MfaChangeKind) -> Result<(), StoreError> {
        let ended = tx.delete_sessions_of(view.person.id, Some(&view.id_hash)).await?;
        tx.enqueue(
            &NewOutboxMessage {
                channel: OutboxChannel::Email,
                recipient: view.person.id,
                request: None,
                notice: crate::domain::notice::Notice::MfaChanged {
                    change: kind.as_str().to_string(),
                },
            },
            self.now(),
        )
        .await?;
        tracing::info!(person = %view.person.user_code, change = kind.as_str(), other_sessions_ended = ended, "second factor changed");
        Ok(())
    }

    /// Mails a code that confirms a change: the current factor of someone who gets their
    /// codes by mail, or the address of someone moving to codes by mail.
    pub async fn send_change_code(&self, view: &SessionView, client: &str) -> Result<CodeSent, AccountError> {
        if Self::manageable(view).is_none() {
            return Ok(CodeSent::Limited);
        }
        let mut tx = self.workflow.store.begin().await?;
        let sent = self
            .queue_code(&mut tx, &view.person, TokenPurpose::MfaEmail, client)
            .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Ten new recovery codes in place of the earlier ones (used or not), given the
    /// password or a current code.
    pub async fn regenerate_recovery_codes(
        &self,
        view: &SessionView,
        proof: &Proof,
        client: &str,
    ) -> Result<MfaChange<RecoveryCodes>, AccountError> {
        if Self::manageable(view).is_none() {
            return Ok(MfaChange::Unavailable);
        }
        let by_password = matches!(proof, Proof::Password(_));
        if self.change_limited(view, by_password, !by_password).await? {
            return Ok(MfaChange::Limited);
        }
        if let Proof::Password(typed) = proof
            && !self.recheck_password(view, typed, client).await?
        {
            return Ok(MfaChange::WrongPassword);
        }
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        let Some(account) = tx.account(view.person.id).await?.filter(|a| a.mfa_method.is_some()) else {
            return Ok(MfaChange::Unavailable);
        };
        if let Proof::Code(code) = proof {
            let check = self.check_current_code(&mut tx, view, &account, code, now).await?;
            if !matches!(check, CodeCheck::Right) {
                return self.refuse_code(tx, view, check, client).await;
            }
        }
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| account_secret::recovery_code()).collect();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| account_secret::sha256_hex(&account_secret::normalise_recovery_code(c)))
            .collect();
        tx.replace_recovery_codes(view.person.id, &hashes, now).await?;
        self.changed(&mut tx, view, MfaChangeKind::RecoveryCodes).await?;
        tx.commit().await?;
        Ok(MfaChange::Done(RecoveryCodes(codes)))
    }

    /// The new app secret to show for moving to an app or to a new phone: kept pending,
    /// the current factor still in place, until a code from it confirms it.
    pub async fn app_replacement(&self, view: &SessionView) -> Result<Option<TotpEnrolment>, AccountError> {
        if Self::manageable(view).is_none() {
            return Ok(None);
        }
        self.pending_totp(view).await
    }

    /// Moves to the app shown by [`Accounts::app_replacement`], given the password and a
    /// code from that app. A wrong code leaves everything as it was, the earlier factor
    /// working.
    pub async fn switch_to_app(
        &self,
        view: &SessionView,
        password: &str,
        code: &str,
        client: &str,
    ) -> Result<MfaChange<MfaChangeKind>, AccountError> {
        if let Some(refused) = self.password_precheck(view, None, password, client).await? {
            return Ok(refused);
        }
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        let Some(account) = tx.account(view.person.id).await? else {
            return Ok(MfaChange::Unavailable);
        };
        let Some(previous) = account.mfa_method else {
            return Ok(MfaChange::Unavailable);
        };
        let Some((sealed, secret)) = account.totp_pending_secret.as_deref().and_then(|s| {
            self.sealer
                .open(&totp_context(&account), s)
                .map(|b| (s.to_string(), TotpSecret::from_bytes(b)))
        }) else {
            return Ok(MfaChange::Unavailable);
        };
        let step = match six_digits(code).map(|d| secret.check(&d, now.timestamp(), None)) {
            Some(TotpCheck::Accepted { step }) => step,
            _ => return self.refuse_code(tx, view, CodeCheck::Wrong, client).await,
        };
        tx.enable_mfa(view.person.id, MfaMethod::Totp, Some((&sealed, step)))
            .await?;
        let kind = match previous {
            MfaMethod::Totp => MfaChangeKind::NewApp,
            MfaMethod::Email => MfaChangeKind::ToApp,
        };
        self.changed(&mut tx, view, kind).await?;
        tx.commit().await?;
        Ok(MfaChange::Done(kind))
    }

    /// Moves from an app to codes by mail, given the password and the code mailed by
    /// [`Accounts::send_change_code`] (which proves the address).
    pub async fn switch_to_email(
        &self,
        view: &SessionView,
        password: &str,
        code: &str,
        client: &str,
    ) -> Result<MfaChange<()>, AccountError> {
        if let Some(refused) = self
            .password_precheck(view, Some(MfaMethod::Totp), password, client)
            .await?
        {
            return Ok(refused);
        }
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        if tx.account(view.person.id).await?.and_then(|a| a.mfa_method) != Some(MfaMethod::Totp) {
            return Ok(MfaChange::Unavailable);
        }
        let right = match six_digits(code) {
            Some(d) => self.use_code(&mut tx, view, TokenPurpose::MfaEmail, &d, now).await?,
            None => false,
        };
        if !right {
            return self.refuse_code(tx, view, CodeCheck::Wrong, client).await;
        }
        tx.enable_mfa(view.person.id, MfaMethod::Email, None).await?;
        self.changed(&mut tx, view, MfaChangeKind::ToEmail).await?;
        tx.commit().await?;
        Ok(MfaChange::Done(()))
    }

    /// Turns the second factor off, given the password and a current code; never for a
    /// coordinator. The recovery codes and outstanding codes by mail go with it.
    pub async fn turn_off_mfa(
        &self,
        view: &SessionView,
        password: &str,
        code: &str,
        client: &str,
    ) -> Result<MfaChange<()>, AccountError> {
        if view.person.has_role(Role::Coordinator) {
            tracing::warn!(person = %view.person.user_code, "a coordinator tried to turn the second factor off");
            return Ok(MfaChange::CoordinatorsKeepIt);
        }
        if let Some(refused) = self.password_precheck(view, None, password, client).await? {
            return Ok(refused);
        }
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        let Some(account) = tx.account(view.person.id).await?.filter(|a| a.mfa_method.is_some()) else {
            return Ok(MfaChange::Unavailable);
        };
        let check = self.check_current_code(&mut tx, view, &account, code, now).await?;
        if !matches!(check, CodeCheck::Right) {
            return self.refuse_code(tx, view, check, client).await;
        }
        tx.disable_mfa(view.person.id).await?;
        tx.replace_recovery_codes(view.person.id, &[], now).await?;
        tx.revoke_account_tokens(view.person.id, TokenPurpose::LoginCode, now)
            .await?;
        tx.revoke_account_tokens(view.person.id, TokenPurpose::MfaEmail, now)
            .await?;
        self.changed(&mut tx, view, MfaChangeKind::Off).await?;
        tx.commit().await?;
        Ok(MfaChange::Done(()))
    }
}

#[cfg(test)]
mod tests {
    use super::Proof;

    #[test]
    fn six_digits_are_a_code_and_anything_else_a_password() {
        assert_eq!(Proof::read(" 123 456 "), Proof::Code("123456".into()));
        assert_eq!(Proof::read("1234567"), Proof::Password("1234567".into()));
        assert_eq!(
            Proof::read("Quatre-Lapins!Violets7"),
            Proof::Password("Quatre-Lapins!Violets7".into())
        );
        assert!(!format!("{:?}", Proof::read("Secret-Password-1!")).contains("Secret"));
    }
}
