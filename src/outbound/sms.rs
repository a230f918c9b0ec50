//! SMS out: Twilio's Messages API (or any provider that copies it), Kannel's `sendsms`
//! interface, or, on the embedded default, a local log file.

use crate::config::{Secret, Settings, SmsGateway};
use anyhow::Context as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

/// How SMS leave.
#[derive(Debug, Clone)]
pub enum SmsTransport {
    /// One line per message: time, number, text.
    Log(PathBuf),
    Twilio {
        http: reqwest::Client,
        base_url: String,
        account_sid: String,
        auth_token: Secret,
        from: String,
    },
    Kannel {
        http: reqwest::Client,
        sendsms_url: String,
        username: String,
        password: Secret,
        from: String,
    },
}

/// An HTTP client with TLS from rustls and the web's root certificates.
fn http_client() -> anyhow::Result<reqwest::Client> {
    let tls = crate::security::tls::client_config()?;
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(20))
        .build()
        .context("cannot build the HTTP client")
}

impl SmsTransport {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<SmsTransport> {
        let sms = &settings.sms;
        Ok(match sms.gateway {
            SmsGateway::Log => SmsTransport::Log(sms.log_file.clone()),
            SmsGateway::Twilio => SmsTransport::Twilio {
                http: http_client()?,
                base_url: if sms.twilio.api_base_url.is_empty() {
                    "https://api.twilio.com".to_string()
                } else {
                    sms.twilio.api_base_url.trim_end_matches('/').to_string()
                },
                account_sid: sms.twilio.account_sid.clone(),
                auth_token: sms.twilio.auth_token.clone(),
                from: sms.from_number.clone(),
            },
            SmsGateway::Kannel => SmsTransport::Kannel {
                http: http_client()?,
                sendsms_url: sms.kannel.sendsms_url.clone(),
                username: sms.kannel.username.clone(),
                password: sms.kannel.password.clone(),
                from: sms.from_number.clone(),
            },
        })
    }

    pub async fn send(&self, to: &str, text: &str, at: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
        let parts = segments(text);
        if parts.count > 1 {
            tracing::warn!(
                parts = parts.count,
                units = parts.units,
                gsm7 = parts.gsm7,
                "SMS longer than one message"
            );
        }
        match self {
            SmsTransport::Log(path) => write_to_log(path, to, text, at),
            SmsTransport::Twilio {
                http,
                base_url,
                account_sid,
                auth_token,
                from,
            } => {
                let url = format!("{base_url}/2010-04-01/Accounts/{account_sid}/Messages.json");
                let request = http
                    .post(&url)
                    .basic_auth(account_sid, Some(auth_token.expose()))
                    .form(&[("To", to), ("From", from.as_str()), ("Body", text)]);
                send_to_twilio(request).await
            }
            SmsTransport::Kannel {
                http,
                sendsms_url,
                username,
                password,
                from,
            } => {
                let coding = if parts.gsm7 { "0" } else { "2" };
                let request = http.get(sendsms_url).query(&[
                    ("username", username.as_str()),
                    ("password", password.expose()),
                    ("from", from.as_str()),
                    ("to", to),
                    ("text", text),
                    ("charset", "UTF-8"),
                    ("coding", coding),
                ]);
                send_to_kannel(request).await
            }
        }
    }
}

/// The `log` gateway: one line per SMS, tab-separated, appended to `path` in one write.
fn write_to_log(path: &std::path::Path, to: &str, text: &str, at: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    // One write for the whole line: appends from senders side by side never interleave
    // (`writeln!` writes each piece on its own).
    let line = format!("{}\t{to}\t{}\n", at.to_rfc3339(), text.replace(['\n', '\t'], " "));
    file.write_all(line.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Sends Twilio's request; a refusal is an error with Twilio's code and message.
async fn send_to_twilio(request: reqwest::RequestBuilder) -> anyhow::Result<()> {
    let response = request.send().await.context("Twilio did not answer")?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    anyhow::bail!(
        "Twilio refused the message: HTTP {} code {} {}",
        status.as_u16(),
        body.get("code").cloned().unwrap_or_default(),
        body.get("message").and_then(|m| m.as_str()).unwrap_or("")
    )
}

/// Sends Kannel's `sendsms` request: "0: Accepted for delivery" (202) or "3: Queued for
/// later delivery" is a success; anything else an error with Kannel's words.
async fn send_to_kannel(request: reqwest::RequestBuilder) -> anyhow::Result<()> {
    let response = request.send().await.context("Kannel did not answer")?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.is_success() {
        Ok(())
    } else {
        anyhow::bail!("Kannel refused the message: HTTP {} {}", status.as_u16(), body.trim())
    }
}

/// How a text splits into SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    /// Whether the GSM 7-bit alphabet holds every character (else UCS-2).
    pub gsm7: bool,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    pub count: usize,
}

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// The text in the GSM 7-bit alphabet where a near letter exists: « ô » becomes « o »,
/// quotes and apostrophes their plain forms, a non-breaking space a space. A single
/// character outside the alphabet sends the whole SMS as UCS-2, 70 characters a part
/// instead of 160, so « Hôpital » alone would double what the bank pays. Characters with
/// no near letter are kept (and the text goes as UCS-2).
pub fn fold_to_gsm7(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let plain = match c {
            'â' | 'á' | 'ã' => "a",
            'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' => "i",
            'ô' | 'ó' | 'õ' => "o",
            'û' | 'ú' => "u",
            'ÿ' => "y",
            'ç' => "c",
            'À' | 'Â' | 'Á' => "A",
            'È' | 'Ê' | 'Ë' => "E",
            'Î' | 'Ï' | 'Í' => "I",
            'Ô' | 'Ó' => "O",
            'Ù' | 'Û' | 'Ú' => "U",
            'œ' => "oe",
            'Œ' => "OE",
            '\u{2019}' | '\u{2018}' => "'",
            '\u{ab}' | '\u{bb}' | '\u{201c}' | '\u{201d}' => "\"",
            '\u{a0}' | '\u{202f}' => " ",
            '\u{2013}' | '\u{2014}' => "-",
            '\u{2026}' => "...",
            '\u{2192}' => ">",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(plain);
    }
    out
}

/// Counts the SMS a text needs: 160 GSM-7 characters in one message (153 per part beyond),
/// or 70 UCS-2 characters (67 per part).
pub fn segments(text: &str) -> Segments {
    let mut septets = 0;
    let mut gsm7 = true;
    for c in text.chars() {
        if GSM7_BASIC.contains(c) {
            septets += 1;
        } else if GSM7_EXTENDED.contains(c) {
            septets += 2;
        } else {
            gsm7 = false;
            break;
        }
    }
    let (units, single, multi) = if gsm7 {
        (septets, 160, 153)
    } else {
        (text.encode_utf16().count(), 70, 67)
    };
    let count = if units <= single { 1 } else { units.div_ceil(multi) };
    Segments { gsm7, units, count }
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn french_folds_into_the_gsm_alphabet() {
        let folded = super::fold_to_gsm7("Hôpital Notre-Dame, « vous êtes réservé », ça\u{a0}: l’usager → 1 h");
        assert_eq!(
            folded,
            "Hopital Notre-Dame, \" vous etes réservé \", ca : l'usager > 1 h"
        );
        assert!(segments(&folded).gsm7);
        assert_eq!(super::fold_to_gsm7("中文"), "中文", "no near letter: kept");
    }

    #[test]
    fn counts_like_a_phone_network() {
        // é, è, à and ù are in the GSM alphabet; ê, ç and ô are not.
        let s = segments("Relais : offre HC-26325001, 23 nov. 10 h 00, espagnol. Répondez OUI ou NON.");
        assert!(s.gsm7);
        assert_eq!(s.count, 1);
        assert!(!segments("Relais : la demande a été reçue, ça va être traitée.").gsm7);
        assert_eq!(segments(&"a".repeat(160)).count, 1);
        assert_eq!(segments(&"a".repeat(161)).count, 2);
        assert_eq!(segments(&"€".repeat(80)).units, 160);
        assert_eq!(segments(&"ê".repeat(70)).count, 1);
        assert_eq!(segments(&"ê".repeat(71)).count, 2);
    }
}
