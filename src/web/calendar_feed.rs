//! `GET /calendar/TOKEN.ics`: a person's calendar feed, for calendar apps to subscribe to
//! (`webcal://`). The token in the address is the only key: no session, since apps poll
//! on their own. An unknown, replaced or turned-off token, or an inactive person, gets a
//! bare 404 that says nothing more. Answers carry an `ETag`; a poll with a matching
//! `If-None-Match` gets 304 without the body.

use super::{AppState, WebError};
use crate::reports::calendar_feed::{Entry, Feed, render};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// How far back the feed goes: a month of past appointments stays visible.
const PAST_DAYS: i64 = 31;
/// The most events a feed lists.
const MAX_EVENTS: i64 = 1000;

pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let Some(token) = file.strip_suffix(".ics") else {
        return Err(WebError::NotFound);
    };
    let store = state.workflow.store();
    let Some(owner) = crate::workflow::accounts::feed_owner(store, token).await? else {
        return Err(WebError::NotFound);
    };
    let since = state.workflow.clock().now() - chrono::TimeDelta::days(PAST_DAYS);
    let mut tx = store.begin_read().await?;
    let person = tx.person(owner).await?;
    if !person.active {
        tx.commit().await?;
        return Err(WebError::NotFound);
    }
    let requests = tx.calendar_feed_requests(owner, since, MAX_EVENTS).await?;
    let mut installations = HashMap::new();
    for r in &requests {
        if let std::collections::hash_map::Entry::Vacant(slot) = installations.entry(r.details.installation_id) {
            slot.insert(tx.installation(r.details.installation_id).await?.name);
        }
    }
    tx.commit().await?;
    let entries: Vec<Entry<'_>> = requests
        .iter()
        .map(|request| Entry {
            request,
            installation: installations
                .get(&request.details.installation_id)
                .map_or("", String::as_str),
        })
        .collect();
    let settings = &state.settings;
    let domain = settings.mail.from_address.rsplit('@').next().unwrap_or("");
    let body = render(
        &Feed {
            person: owner,
            locale: person.locale,
            bank: &settings.general.bank_name,
            domain,
            time_zone: settings.general.time_zone.name(),
        },
        &entries,
    );
    let digest = Sha256::digest(body.as_bytes());
    let etag = format!("\"{}\"", hex_prefix(&digest));
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| WebError::Internal(e.into()))?;
    let common = [
        (header::ETAG, etag_value),
        // Apps revalidate with the ETag at each poll; no shared cache keeps it.
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
    ];
    if matches_etag(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    Ok((
        StatusCode::OK,
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        )],
        body,
    )
        .into_response())
}

/// The first 16 bytes of a digest, in hex.
fn hex_prefix(digest: &[u8]) -> String {
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Whether `If-None-Match` names `etag` (or `*`), weak or strong.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_reads_lists_weak_tags_and_stars() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            headers
        };
        assert!(matches_etag(&with("\"abc\""), "\"abc\""));
        assert!(matches_etag(&with("\"x\", W/\"abc\""), "\"abc\""));
        assert!(matches_etag(&with("*"), "\"abc\""));
        assert!(!matches_etag(&with("\"abd\""), "\"abc\""));
        assert!(!matches_etag(&HeaderMap::new(), "\"abc\""));
    }
}
