//! The web side for tests: a served Relais on loopback, a client that reads pages as people
//! do, and link tokens as the outbound side makes them.
#![allow(dead_code)]

use super::TestBank;
use super::mail::SIGNING_KEY;
use chrono::TimeDelta;
use relais::clock::Clock;
use relais::domain::ids::{PersonId, RequestId};
use relais::security::link::{LinkAction, LinkKeys};

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
