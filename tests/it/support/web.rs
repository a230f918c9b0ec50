//! The web side for tests: a served Relais on loopback, a client that reads pages as people
//! do, and link tokens as the outbound side makes them.
#![allow(dead_code)]

use super::mail::SIGNING_KEY;
use super::{Engine, TestBank};
use chrono::TimeDelta;
use relais::clock::Clock;
use relais::config::Secret;
use relais::domain::ids::{PersonId, RequestId};
use relais::security::link::{LinkAction, LinkKeys};
use relais::security::totp::TotpSecret;
use relais::workflow::accounts::{Accounts, InviteOutcome};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

/// A password the policy accepts.
pub const STRONG: &str = "Quatre-Lapins!Violets7";

pub struct Site {
    pub base: String,
    pub client: reqwest::Client,
    _served: super::Served,
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    /// The value the server set for `name`, if it set one.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|r| r.split(';').next().unwrap().to_string())
            })
    }

    /// `(action, csrf)` of every form on the page.
    pub fn forms(&self) -> Vec<(String, String)> {
        let re = regex::Regex::new(
            r#"<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrf" value="([^"]+)">"#,
        )
        .unwrap();
        re.captures_iter(&self.body)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect()
    }
}

impl Site {
    pub async fn start(bank: &TestBank) -> Site {
        Site::start_with(bank, &[]).await
    }

    /// Starts Relais with `extra` configuration variables on top.
    pub async fn start_with(bank: &TestBank, extra: &[(&str, String)]) -> Site {
        let served = super::serve(bank, extra).await;
        // reqwest is built without a TLS provider of its own; plain HTTP still asks for one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Site {
            base: served.base_url(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _served: served,
        }
    }

    /// The port of `/metrics` when `metrics.bind` gives it an address of its own.
    pub fn metrics_port(&self) -> Option<u16> {
        self._served.metrics_port
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.unwrap();
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            // Read text as people do: askama escapes apostrophes.
            body: response
                .text()
                .await
                .unwrap()
                .replace("&#39;", "'")
                .replace("&quot;", "\""),
        }
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Answer {
        self.send(self.client.get(format!("{}{path}", self.base)).header("cookie", cookie))
            .await
    }

    pub async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Answer {
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .header("cookie", cookie)
                .form(form),
        )
        .await
    }

    /// Opens the link as a person would, then presses its button.
    pub async fn press(&self, token: &str, extra: &[(&str, &str)]) -> Answer {
        let page = self.get(&format!("/l/{token}"), "").await;
        let nonce = page.cookie("relais_csrf").expect("the page sets the form cookie");
        let (action, csrf) = page
            .forms()
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("the page has a button: {} {}", page.status, page.body));
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(extra);
        self.post(&format!("/l/{action}"), &format!("relais_csrf={nonce}"), &form)
            .await
    }
}

/// A browser: keeps the cookies the server sets and sends them back.
pub struct Browser<'a> {
    pub site: &'a Site,
    pub cookies: BTreeMap<String, String>,
    /// The network address it comes from, as a proxy would tell Relais
    /// (`X-Forwarded-For`; [`World`] sets `web.client_ip_header`). `None`: loopback.
    pub from: Option<String>,
}

pub fn unescape(body: &str) -> String {
    body.replace("&#x2f;", "/")
        .replace("&#43;", "+")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

impl<'a> Browser<'a> {
    pub fn new(site: &'a Site) -> Browser<'a> {
        Browser {
            site,
            cookies: BTreeMap::new(),
            from: None,
        }
    }

    /// A browser on another network, at `address`.
    pub fn at(site: &'a Site, address: &str) -> Browser<'a> {
        Browser {
            from: Some(address.to_string()),
            ..Browser::new(site)
        }
    }

    fn request(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let builder = builder.header("cookie", self.cookie_header());
        match &self.from {
            Some(address) => builder.header("x-forwarded-for", format!("192.0.2.250, {address}")),
            None => builder,
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn absorb(&mut self, mut answer: Answer) -> Answer {
        for value in answer.headers.get_all("set-cookie") {
            let value = value.to_str().unwrap();
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (name, v) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), v.to_string());
            }
        }
        answer.body = unescape(&answer.body);
        answer
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.request(self.site.client.get(format!("{}{path}", self.site.base)));
        let answer = self.site.send(request).await;
        self.absorb(answer)
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let request = self.request(self.site.client.post(format!("{}{path}", self.site.base)).form(form));
        let answer = self.site.send(request).await;
        self.absorb(answer)
    }

    /// A download: the status, headers and bytes as sent.
    pub async fn download(&mut self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let response = self
            .site
            .client
            .get(format!("{}{path}", self.site.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    /// Sends a multipart form (fields and `(field, file name, bytes)` files) to `path`.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Answer {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (k, name, bytes) in files {
            form = form.part(
                k.to_string(),
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
            );
        }
        let request = self
            .site
            .client
            .post(format!("{}{path}", self.site.base))
            .header("cookie", self.cookie_header())
            .multipart(form);
        let answer = self.site.send(request).await;
        self.absorb(answer)
    }

    /// Fills the form of `page` that posts to `action` and sends it.
    pub async fn submit(&mut self, page: &Answer, action: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = page
            .forms()
            .into_iter()
            .find(|(a, _)| a == action)
            .unwrap_or_else(|| panic!("no form to {action} on: {}", page.body))
            .1;
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post(action, &form).await
    }

    /// Signs in with the password and a second factor on one form (as the page under a
    /// limit asks).
    pub async fn sign_in_with_code(&mut self, identifier: &str, password: &str, code: &str) -> Answer {
        let page = self.get("/login").await;
        assert_eq!(page.status, 200, "{}", page.body);
        self.submit(
            &page,
            "/login",
            &[("identifier", identifier), ("password", password), ("code", code)],
        )
        .await
    }

    /// Opens the sign-in page and signs in; returns the answer to the password.
    pub async fn sign_in(&mut self, identifier: &str, password: &str) -> Answer {
        let page = self.get("/login").await;
        assert_eq!(page.status, 200, "{}", page.body);
        self.submit(&page, "/login", &[("identifier", identifier), ("password", password)])
            .await
    }

    pub async fn sign_out(&mut self) {
        let page = self.get("/account").await;
        let done = self.submit(&page, "/logout", &[]).await;
        assert_eq!(done.status, 303);
    }

    /// Types `code` on the second-factor page.
    pub async fn code(&mut self, code: &str) -> Answer {
        let page = self.get("/login/code").await;
        assert_eq!(page.status, 200, "{}", page.body);
        self.submit(&page, "/login/code", &[("code", code)]).await
    }
}

pub fn keys() -> LinkKeys {
    LinkKeys::new(relais::config::Secret::new(SIGNING_KEY), &[])
}

/// A token as the outbound side makes it: for the state as it is now.
pub async fn token(
    bank: &TestBank,
    action: LinkAction,
    request: RequestId,
    person: PersonId,
    subjects: Vec<PersonId>,
) -> String {
    let mut tx = bank.store.begin().await.unwrap();
    let r = tx.request(request).await.unwrap();
    let p = tx.person(person).await.unwrap();
    let expires = bank.clock.now() + TimeDelta::days(7);
    let claim = bank
        .workflow
        .link_claim(&mut tx, action, &r, &p, subjects, expires)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{action:?} is possible now"));
    tx.commit().await.unwrap();
    keys().sign(&claim)
}

/// A served bank whose mail lands in a folder the test reads: activation links, codes and
/// notices arrive as a person would get them.
pub struct World {
    pub bank: TestBank,
    pub site: Site,
    pub mail_dir: PathBuf,
    seen: std::sync::Mutex<HashSet<PathBuf>>,
    _dir: tempfile::TempDir,
}

impl World {
    pub async fn new(engine: Engine) -> World {
        let bank = TestBank::new(engine).await;
        let dir = tempfile::tempdir().unwrap();
        let mail_dir = dir.path().join("sent");
        let site = Site::start_with(
            &bank,
            &[
                ("RELAIS__MAIL__OUTBOX_FOLDER", mail_dir.display().to_string()),
                // Browsers may say which network they come from (Browser::at).
                ("RELAIS__WEB__CLIENT_IP_HEADER", "X-Forwarded-For".to_string()),
            ],
        )
        .await;
        World {
            bank,
            site,
            mail_dir,
            seen: std::sync::Mutex::new(HashSet::new()),
            _dir: dir,
        }
    }

    pub fn accounts(&self) -> Accounts {
        Accounts::new(self.bank.workflow.clone(), Secret::new(SIGNING_KEY), &[], "Banque test").unwrap()
    }

    pub async fn email_of(&self, person: PersonId) -> String {
        let mut tx = self.bank.store.begin().await.unwrap();
        let p = tx.person(person).await.unwrap();
        tx.commit().await.unwrap();
        p.email.to_string()
    }

    pub async fn user_code(&self, person: PersonId) -> String {
        let mut tx = self.bank.store.begin().await.unwrap();
        let p = tx.person(person).await.unwrap();
        tx.commit().await.unwrap();
        p.user_code.to_string()
    }

    /// The text of the next mail of `kind` to `to` that the test has not read yet.
    pub async fn next_mail(&self, to: &str, kind: &str) -> String {
        for _ in 0..100 {
            if let Some(text) = self.unseen_mail(to, kind) {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no {kind} mail to {to} in {}", self.mail_dir.display());
    }

    /// The HTML part of the next mail of `kind` to `to`, as a mail client shows it.
    pub async fn next_mail_html(&self, to: &str, kind: &str) -> String {
        for _ in 0..100 {
            if let Some(html) = self.unseen_mail_part(to, kind, true) {
                return html;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no {kind} mail to {to} in {}", self.mail_dir.display());
    }

    /// The next unread mail of `kind` to `to`, if one has been written already.
    pub fn unseen_mail(&self, to: &str, kind: &str) -> Option<String> {
        self.unseen_mail_part(to, kind, false)
    }

    /// The text (or HTML) part of the next unread mail of `kind` to `to`, if one has been
    /// written already.
    fn unseen_mail_part(&self, to: &str, kind: &str, html: bool) -> Option<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.mail_dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if self.seen.lock().unwrap().contains(&path) || !name.ends_with(&format!("-{kind}.eml")) {
                continue;
            }
            let raw = std::fs::read(&path).unwrap();
            let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let recipient = parsed
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or("");
            if recipient != to {
                continue;
            }
            self.seen.lock().unwrap().insert(path);
            let part = if html { parsed.body_html(0) } else { parsed.body_text(0) };
            return Some(part.unwrap().to_string());
        }
        None
    }

    /// The path of the next link of `kind` mailed to `to`.
    pub async fn next_link(&self, to: &str, kind: &str, path: &str) -> String {
        let text = self.next_mail(to, kind).await;
        let re = regex::Regex::new(&format!(r"https?://\S+({}\S+)", regex::escape(path))).unwrap();
        re.captures(&text)
            .unwrap_or_else(|| panic!("no {path} link in:\n{text}"))[1]
            .to_string()
    }

    /// The code of the next sign-in code mail to `to`.
    pub async fn next_code(&self, to: &str) -> String {
        let text = self.next_mail(to, "login_code").await;
        let re = regex::Regex::new(r"(?:code de vérification|verification code)[ \u{a0}]?: (\d{6})").unwrap();
        re.captures(&text).unwrap_or_else(|| panic!("no code in:\n{text}"))[1].to_string()
    }

    /// Invites `person` and sets `password` through the activation link; returns the email.
    pub async fn activate(&self, person: PersonId, password: &str) -> String {
        let email = self.email_of(person).await;
        let address = relais::domain::contact::EmailAddress::parse(&email).unwrap();
        assert_eq!(self.accounts().invite(&address).await.unwrap(), InviteOutcome::Invited);
        let link = self.next_link(&email, "account_activation", "/account/activate/").await;
        let mut browser = Browser::new(&self.site);
        let page = browser.get(&link).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let done = browser
            .submit(&page, &link, &[("password", password), ("confirmation", password)])
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        email
    }

    /// Activates `person` with [`STRONG`] and signs in; a coordinator also enrols an
    /// authenticator app, as they must.
    pub async fn signed_in(&self, person: PersonId) -> Browser<'_> {
        let email = self.activate(person, STRONG).await;
        let mut b = Browser::new(&self.site);
        let signed = b.sign_in(&email, STRONG).await;
        if location(&signed) == "/account/mfa" {
            let mfa = b.get("/account/mfa").await;
            let secret = shown_secret(&mfa);
            let code = secret.code_at(self.bank.clock.now().timestamp()).unwrap();
            let enabled = b.submit(&mfa, "/account/mfa/totp", &[("code", &code)]).await;
            assert_eq!(enabled.status, 200, "{}", enabled.body);
        } else {
            assert_eq!(location(&signed), "/", "{}", signed.body);
        }
        b
    }

    pub fn advance(&self, by: TimeDelta) {
        self.bank.clock.set(self.bank.clock.now() + by);
    }
}

/// Where a redirection sends, or "".
pub fn location(answer: &Answer) -> &str {
    answer
        .headers
        .get("location")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

/// The whole `Set-Cookie` line for `name`.
pub fn set_cookie<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie set"))
}

/// The secret the enrolment page shows for typing by hand.
pub fn shown_secret(page: &Answer) -> TotpSecret {
    let re = regex::Regex::new(r#"<p class="secret">([A-Z2-7 ]+)</p>"#).unwrap();
    let groups = &re
        .captures(&page.body)
        .unwrap_or_else(|| panic!("no secret: {}", page.body))[1];
    let bytes = totp_rs::Secret::try_from_base32(groups.replace(' ', "")).unwrap();
    TotpSecret::from_bytes(bytes.as_bytes().to_vec())
}

/// The recovery codes a page shows.
pub fn recovery_codes(page: &Answer) -> Vec<String> {
    let re = regex::Regex::new(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>").unwrap();
    re.captures_iter(&page.body).map(|c| c[1].to_string()).collect()
}

/// Every field has a label pointing at it, no id is used twice, and the page says its
/// language.
pub fn accessible(page: &Answer) {
    assert!(page.body.contains("<html lang=\"fr\">"), "lang: {}", page.body);
    shows_no_code(&page.body);
    french_spaced(&page.body);
    assert!(page.body.contains("width=device-width"), "viewport");
    assert!(!page.body.contains("<script"), "no JavaScript");
    let mut seen = std::collections::HashSet::new();
    for id in regex::Regex::new(r#"\sid="([^"]+)""#)
        .unwrap()
        .captures_iter(&page.body)
    {
        assert!(seen.insert(id[1].to_string()), "id {} twice", &id[1]);
    }
    let ids = regex::Regex::new(r#"<(?:input|select|textarea) [^>]*\sid="([^"]+)""#).unwrap();
    for id in ids.captures_iter(&page.body) {
        assert!(
            page.body.contains(&format!(" for=\"{}\"", &id[1])),
            "field {} has no label",
            &id[1]
        );
    }
}

/// The text a person reads on a page or in a mail: no internal code in it, such as a
/// snake_case status or reason (`appointment_cancelled`, `in_person`).
pub fn shows_no_code(html: &str) {
    let style = regex::Regex::new(r"(?s)<style.*?</style>").unwrap();
    let tags = regex::Regex::new(r"(?s)<[^>]*>").unwrap();
    let unstyled = style.replace_all(html, " ");
    let text = tags.replace_all(&unstyled, " ");
    assert_eq!(
        internal_codes(&text),
        Vec::<String>::new(),
        "internal codes shown in {text}"
    );
}

/// The snake_case words of a text people read (addresses and links aside): a status,
/// a reason or a kind as the code names it, which no person should see.
pub fn internal_codes(text: &str) -> Vec<String> {
    let addresses = regex::Regex::new(r"https?://\S+|\S+@\S+").unwrap();
    let text = addresses.replace_all(text, " ");
    let code = regex::Regex::new(r"(?:^|[^\w/])([a-z]+(?:_[a-z0-9]+)+)\b").unwrap();
    code.captures_iter(&text).map(|c| c[1].to_string()).collect()
}

/// French typography in a text people read: no ordinary space before « : ; ! ? » or
/// inside guillemets.
pub fn french_spaced(text: &str) {
    let loose = regex::Regex::new(r".{0,30} [:;!?»].{0,10}|«  ?.{0,30}").unwrap();
    let found: Vec<&str> = loose.find_iter(text).map(|m| m.as_str()).take(5).collect();
    assert!(found.is_empty(), "ordinary space before a sign: {found:?}");
}

/// The error shown beside the field `id`, and that field's value as shown.
pub fn beside(page: &Answer, id: &str) -> (String, String) {
    let error = regex::Regex::new(&format!(r#"<p class="error" id="{id}-error">([^<]*)</p>"#)).unwrap();
    let error = error
        .captures(&page.body)
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| panic!("no error beside {id}: {}", page.body));
    (error, value(page, id))
}

/// The value of the input `id` as shown.
pub fn value(page: &Answer, id: &str) -> String {
    let re = regex::Regex::new(&format!(
        r#"<input type="[a-z]+" id="{id}" name="[a-z_]+" value="([^"]*)""#
    ))
    .unwrap();
    re.captures(&page.body)
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| panic!("no input {id}: {}", page.body))
}

/// The session's form value, as the page's first form carries it.
pub fn csrf_of(page: &Answer) -> String {
    let re = regex::Regex::new(r#"name="csrf" value="([^"]+)""#).unwrap();
    re.captures(&page.body)
        .unwrap_or_else(|| panic!("no form on: {}", page.body))[1]
        .to_string()
}
