//! The cookies of the pages, read and written with the `cookie` crate: every cookie Relais
//! sets is for the whole site (`Path=/`), HttpOnly, with a lifetime (`Max-Age`), a SameSite
//! policy, and `Secure` when Relais is served over HTTPS.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};

/// The form cookie before a session, shared by the link pages, the `Open` request page and
/// the account pages: forms carry a value bound to it.
pub const FORM_COOKIE: &str = "relais_csrf";

/// The form cookie's value when it is one Relais could have set (16 to 64 characters).
pub fn form_nonce(headers: &HeaderMap) -> Option<String> {
    read(headers, FORM_COOKIE).filter(|n| n.len() >= 16 && n.len() <= 64)
}

/// A cookie's value from the request headers.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The `Set-Cookie` value of `name=value` living `max_age_seconds` (0 ends it).
pub fn set(name: &str, value: &str, max_age_seconds: i64, same_site: SameSite, secure: bool) -> Option<HeaderValue> {
    let cookie = Cookie::build((name, value))
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .http_only(true)
        .same_site(same_site)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_keep_their_attributes_and_read_back() {
        let set = set("relais_csrf", "abc", 3600, SameSite::Strict, true).unwrap();
        let text = set.to_str().unwrap();
        for part in [
            "relais_csrf=abc",
            "Path=/",
            "Max-Age=3600",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
        ] {
            assert!(text.split("; ").any(|p| p == part), "{part}: {text}");
        }
        let plain = super::set("relais_account", "", 0, SameSite::Lax, false).unwrap();
        let text = plain.to_str().unwrap();
        assert!(text.contains("Max-Age=0") && text.contains("SameSite=Lax") && !text.contains("Secure"));

        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; relais_csrf= xyz ;b=2"));
        headers.append(header::COOKIE, HeaderValue::from_static("relais_account=s3cret"));
        assert_eq!(read(&headers, "relais_csrf").as_deref(), Some("xyz"));
        assert_eq!(read(&headers, "relais_account").as_deref(), Some("s3cret"));
        assert_eq!(read(&headers, "relais"), None);
    }
}
