//! Each person's calendar feed: a secret address on the account page, turned on, renewed
//! and off there; the feed lists their bookings (confirmed), their pending offers
//! (tentative, « Offre : ») and their requests, at the right hours on both sides of a
//! change of clocks, without patient details; it answers `If-None-Match` with 304. The
//! file is read by the `icalendar` crate and by Python's `icalendar` (the test rig's).

use crate::support;

use chrono::{NaiveDate, TimeZone, Utc};
use relais::domain::ids::RequestId;
use relais::domain::request::RequestStatus;
use relais::workflow::Command;
use support::web::{Browser, World};
use support::{Engine, offer};

on_both_engines!(a_person_subscribes_to_their_bookings_and_offers_and_controls_the_address);

/// A request like the bank's usual one, on `date` at 10:00 in Montreal.
async fn request_on(world: &World, date: NaiveDate) -> RequestId {
    let bank = &world.bank;
    let mut details = bank.details();
    details.date = date;
    bank.workflow
        .execute(
            bank.as_requester(),
            Command::CreateRequest {
                requested_by: bank.requester,
                details,
                submit: true,
            },
        )
        .await
        .unwrap()
        .request
}

/// The feed at `url` read by Python's `icalendar`: one `UID|start|end|STATUS|SUMMARY` line
/// per event, times in UTC.
fn read_by_python(body: &str) -> Vec<String> {
    let python = std::env::var("RELAIS_TEST_PYTHON")
        .expect("RELAIS_TEST_PYTHON is not set: run the suite with scripts/test.sh, which installs Python's icalendar");
    let script = r#"
import datetime, sys, icalendar
calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
for event in calendar.walk("VEVENT"):
    utc = lambda name: event.decoded(name).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    print("|".join([str(event["UID"]), utc("DTSTART"), utc("DTEND"), str(event["STATUS"]), str(event["SUMMARY"])]))
"#;
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

async fn a_person_subscribes_to_their_bookings_and_offers_and_controls_the_address(engine: Engine) {
    let world = World::new(engine).await;
    let bank = &world.bank;
    let lucia = bank.interpreters[0];
    // Booked on 9 March (daylight time, UTC-4) and on 15 December (standard time, UTC-5).
    let march = bank.request_in(RequestStatus::Booked).await;
    let december = request_on(&world, NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()).await;
    for (command, actor) in [
        (offer(december, vec![lucia]), bank.as_coordinator()),
        (Command::AcceptOffer { request: december }, bank.as_interpreter(0)),
    ] {
        bank.workflow.execute(actor, command).await.unwrap();
    }
    // Offered to her, waiting for her answer.
    let offered = request_on(&world, NaiveDate::from_ymd_opt(2026, 6, 2).unwrap()).await;
    bank.workflow
        .execute(bank.as_coordinator(), offer(offered, vec![lucia, bank.interpreters[1]]))
        .await
        .unwrap();
    // Another interpreter's booking is not hers.
    let others = request_on(&world, NaiveDate::from_ymd_opt(2026, 6, 3).unwrap()).await;
    for (command, actor) in [
        (offer(others, vec![bank.interpreters[2]]), bank.as_coordinator()),
        (Command::AcceptOffer { request: others }, bank.as_interpreter(2)),
    ] {
        bank.workflow.execute(actor, command).await.unwrap();
    }

    // Off until she turns it on from her account.
    let mut browser: Browser<'_> = world.signed_in(lucia).await;
    let account = browser.get("/account").await;
    assert!(account.body.contains("href=\"/account/calendar\""), "{}", account.body);
    let off = browser.get("/account/calendar").await;
    assert_eq!(off.status, 200);
    assert!(off.body.contains("Abonnez votre agenda"), "{}", off.body);
    let on = browser.submit(&off, "/account/calendar/new", &[]).await;
    assert_eq!(on.status, 200, "{}", on.body);
    let address_re = regex::Regex::new(r"(http://[^<\s]+/calendar/([A-Za-z0-9_-]+)\.ics)").unwrap();
    let captures = address_re.captures(&on.body).unwrap_or_else(|| panic!("{}", on.body));
    let (url, token) = (captures[1].to_string(), captures[2].to_string());
    assert!(
        on.body.contains(&url.replacen("http://", "webcal://", 1)),
        "{}",
        on.body
    );
    // A form without the session's value does nothing.
    let forged = browser.post("/account/calendar/new", &[("csrf", "nope")]).await;
    assert_eq!(forged.status, 403);

    // The feed, without a session: the token is the key.
    let site = &world.site;
    let path = format!("/calendar/{token}.ics");
    let feed = site.get(&path, "").await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    assert_eq!(feed.headers["content-type"], "text/calendar; charset=utf-8");
    let etag = feed.headers["etag"].to_str().unwrap().to_string();
    let body = feed.body.clone();
    for secret in [
        "Patiente Confidentielle",
        "514 555 0199",
        "Diabète",
        "grossesse",
        "Sherbrooke",
        "Dre Tremblay",
    ] {
        assert!(!body.contains(secret), "{secret} in the feed:\n{body}");
    }
    // The crate's own parser reads it.
    let unfolded = icalendar::parser::unfold(&body);
    let parsed = icalendar::parser::read_calendar(&unfolded).unwrap();
    assert_eq!(parsed.components.iter().filter(|c| c.name == "VEVENT").count(), 3);

    // The bank of the test site writes from relais@localhost.
    let uid = |id: RequestId| format!("relais-request-{id}@localhost");
    let mut expected = vec![
        format!(
            "{}|2026-03-09T14:00Z|2026-03-09T15:00Z|CONFIRMED|Interprétation Espagnol — HC-26061001",
            uid(march)
        ),
        format!(
            "{}|2026-12-15T15:00Z|2026-12-15T16:00Z|CONFIRMED|Interprétation Espagnol — HC-26061002",
            uid(december)
        ),
        format!(
            "{}|2026-06-02T14:00Z|2026-06-02T15:00Z|TENTATIVE|Offre\u{a0}: Interprétation Espagnol — HC-26061003",
            uid(offered)
        ),
    ];
    expected.sort();
    assert_eq!(read_by_python(&body), expected);
    assert_eq!(
        bank.load(december).await.starts_at,
        Utc.with_ymd_and_hms(2026, 12, 15, 15, 0, 0).unwrap()
    );

    // A calendar app's poll with the ETag: 304, no body. After a change: the new file.
    let request = site
        .client
        .get(format!("{}{path}", site.base))
        .header("if-none-match", &etag);
    let polled = site.send(request).await;
    assert_eq!(polled.status, 304);
    assert!(polled.body.is_empty());
    bank.workflow
        .execute(bank.as_interpreter(0), Command::DeclineOffer { request: offered })
        .await
        .unwrap();
    let request = site
        .client
        .get(format!("{}{path}", site.base))
        .header("if-none-match", &etag);
    let changed = site.send(request).await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.headers["etag"].to_str().unwrap(), etag);
    assert_eq!(
        read_by_python(&changed.body).len(),
        2,
        "the refused offer left the feed"
    );

    // A new address: the old one stops working at once.
    let page = browser.get("/account/calendar").await;
    let renewed = browser.submit(&page, "/account/calendar/new", &[]).await;
    assert_eq!(renewed.status, 200);
    let new_token = address_re.captures(&renewed.body).unwrap()[2].to_string();
    assert_ne!(new_token, token);
    assert_eq!(site.get(&path, "").await.status, 404);
    let new_path = format!("/calendar/{new_token}.ics");
    assert_eq!(site.get(&new_path, "").await.status, 200);
    // Turned off: nothing answers.
    let off = browser.submit(&renewed, "/account/calendar/off", &[]).await;
    assert_eq!(off.status, 200);
    assert!(off.body.contains("Votre agenda est désactivé"), "{}", off.body);
    assert_eq!(site.get(&new_path, "").await.status, 404);
    assert_eq!(site.get("/calendar/guess.ics", "").await.status, 404);
    assert_eq!(site.get("/calendar/guess", "").await.status, 404);
}
