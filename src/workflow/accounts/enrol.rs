//! Enrolling a second factor: an authenticator app (a secret shown as a QR code, kept
//! sealed and pending until a first code proves the app has it), or codes by mail (a
//! first code proves the address). Either way the person gets ten recovery codes, shown
//! once and stored hashed, and the session counts as having passed the second factor.

use super::{AccountError, Accounts, CodeSent, RECOVERY_CODES, SessionView, Stage, totp_context};
use crate::security::account_secret;
use crate::security::totp::{TotpCheck, TotpSecret, qr_svg};
use crate::store::accounts::{Account, MfaMethod, TokenPurpose};

/// What the enrolment page shows for an app.
#[derive(Clone)]
pub struct TotpEnrolment {
    /// The secret for typing by hand, in groups of four.
    pub secret_groups: String,
    /// The `otpauth://` URL as an SVG QR code.
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment(<redacted>)")
    }
}

/// A second factor turned on.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaEnabled {
    /// Shown once, never stored as such.
    pub recovery_codes: Vec<String>,
    /// The new session's cookie value.
    pub session: String,
}

impl std::fmt::Debug for MfaEnabled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaEnabled(<redacted>)")
    }
}

/// How confirming an enrolment went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailEnrolment {
    Sent,
    Limited,
}

impl Accounts {
    fn may_enrol(view: &SessionView) -> bool {
        matches!(view.stage, Stage::EnrolmentDue | Stage::SignedIn { mfa: false })
    }

    /// The pending app secret of the person, made on first use and kept until confirmed.
    pub async fn totp_enrolment(&self, view: &SessionView) -> Result<Option<TotpEnrolment>, AccountError> {
        if !Self::may_enrol(view) {
            return Ok(None);
        }
        self.pending_totp(view).await
    }

    /// The pending app secret, made when there is none: shown for a first app, and for
    /// another app while the current factor stays in place until a code confirms it.
    pub(super) async fn pending_totp(&self, view: &SessionView) -> Result<Option<TotpEnrolment>, AccountError> {
        let mut tx = self.workflow.store.begin().await?;
        let Some(account) = tx.account(view.person.id).await? else {
            return Ok(None);
        };
        let context = totp_context(&account);
        let pending = account
            .totp_pending_secret
            .as_deref()
            .and_then(|s| self.sealer.open(&context, s))
            .map(TotpSecret::from_bytes);
        let secret = match pending {
            Some(s) => s,
            None => {
                let s = TotpSecret::generate();
                let sealed = self.sealer.seal(&context, s.as_bytes())?;
                tx.set_pending_totp(view.person.id, Some(&sealed)).await?;
                s
            }
        };
        tx.commit().await?;
        let url = secret.otpauth_url(&self.issuer, view.person.email.as_str())?;
        let qr = qr_svg(&url).ok_or_else(|| anyhow::anyhow!("the otpauth URL does not fit a QR code"))?;
        Ok(Some(TotpEnrolment {
            secret_groups: secret.to_base32_groups(),
            qr_svg: qr,
        }))
    }

    /// Confirms the app with its first code; `None` if the code is wrong.
    pub async fn confirm_totp(&self, view: &SessionView, code: &str) -> Result<Option<MfaEnabled>, AccountError> {
        if !Self::may_enrol(view) {
            return Ok(None);
        }
        let now = self.now();
        let mut tx = self.workflow.store.begin().await?;
        let Some(account) = tx.account(view.person.id).await? else {
            return Ok(None);
        };
        let Some((sealed, secret)) = account.totp_pending_secret.as_deref().and_then(|s| {
            self.sealer
                .open(&totp_context(&account), s)
                .map(|b| (s.to_string(), TotpSecret::from_bytes(b)))
        }) else {
            return Ok(None);
        };
        let TotpCheck::Accepted { step } = secret.check(code, now.timestamp(), None) else {
            return Ok(None);
        };
        tx.enable_mfa(view.person.id, MfaMethod::Totp, Some((&sealed, step)))
            .await?;
        let enabled = self.finish_enrolment(&mut tx, view).await?;
        tx.commit().await?;
        tracing::info!(person = %view.person.user_code, "authenticator app enrolled");
        Ok(Some(enabled))
    }

    /// Sends a first code by mail, to prove the address before choosing codes by mail.
    pub async fn begin_email_mfa(&self, view: &SessionView, client: &str) -> Result<EmailEnrolment, AccountError> {
        if !Self::may_enrol(view) {
            return Ok(EmailEnrolment::Limited);
        }
        let mut tx = self.workflow.store.begin().await?;
        let sent = self
            .queue_code(&mut tx, &view.person, TokenPurpose::MfaEmail, client)
            .await?;
        tx.commit().await?;
        Ok(match sent {
            CodeSent::Sent => EmailEnrolment::Sent,
            CodeSent::Limited => EmailEnrolment::Limited,
        })
    }

    /// Turns on codes by mail with the first code; `None` if it is wrong.
    pub async fn confirm_email_mfa(&self, view: &SessionView, code: &str) -> Result<Option<MfaEnabled>, AccountError> {
        if !Self::may_enrol(view) {
            return Ok(None);
        }
        let now = self.now();
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let mut tx = self.workflow.store.begin().await?;
        if !self
            .use_code(&mut tx, view, TokenPurpose::MfaEmail, &digits, now)
            .await?
        {
            return Ok(None);
        }
        tx.enable_mfa(view.person.id, MfaMethod::Email, None).await?;
        let enabled = self.finish_enrolment(&mut tx, view).await?;
        tx.commit().await?;
        tracing::info!(person = %view.person.user_code, "codes by mail enrolled");
        Ok(Some(enabled))
    }

    /// New recovery codes and a session that passed the second factor.
    async fn finish_enrolment(
        &self,
        tx: &mut crate::store::Tx,
        view: &SessionView,
    ) -> Result<MfaEnabled, AccountError> {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| account_secret::recovery_code()).collect();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| account_secret::sha256_hex(&account_secret::normalise_recovery_code(c)))
            .collect();
        tx.replace_recovery_codes(view.person.id, &hashes, self.now()).await?;
        let session = self.upgrade_session(tx, view).await?;
        Ok(MfaEnabled {
            recovery_codes: codes,
            session,
        })
    }

    /// The account behind a session, for pages that show its state.
    pub async fn account_of(&self, view: &SessionView) -> Result<Option<Account>, AccountError> {
        let mut tx = self.workflow.store.begin_read().await?;
        let account = tx.account(view.person.id).await?;
        tx.commit().await?;
        Ok(account)
    }
}
