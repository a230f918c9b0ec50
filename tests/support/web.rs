//! The web side for tests: a served Relais on loopback, a client that reads pages as people
//! do, and link tokens as the outbound side makes them.
#![allow(dead_code)]

use super::TestBank;
use super::mail::SIGNING_KEY;
use chrono::TimeDelta;
use relais::clock::Clock;
use relais::domain::ids::{PersonId, RequestId};
use relais::security::link::{LinkAction, LinkKeys};
use std::collections::BTreeMap;

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
}

pub fn unescape(body: &str) -> String {
    body.replace("&#x2f;", "/").replace("&#43;", "+").replace("&amp;", "&")
}

impl<'a> Browser<'a> {
    pub fn new(site: &'a Site) -> Browser<'a> {
        Browser {
            site,
            cookies: BTreeMap::new(),
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
        let answer = self.site.get(path, &self.cookie_header()).await;
        self.absorb(answer)
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let answer = self.site.post(path, &self.cookie_header(), form).await;
        self.absorb(answer)
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
