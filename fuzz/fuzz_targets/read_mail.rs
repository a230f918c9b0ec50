//! Any bytes as a raw mail: `read` and the `inspect-mail` JSON must never panic.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use relais::inbound::mail::reading::{ReadContext, read};

fuzz_target!(
    init: {
        // libfuzzer-sys aborts on every panic, even one that Relais catches itself
        // (html_to_text falls back to tag stripping when html2text panics). Put back
        // the default hook: a panic that escapes the target still aborts the run
        // (libfuzzer-sys catches it and aborts), and its message is still printed.
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
        let ctx = ReadContext {
            relais_local_part: "relais".into(),
            time_zone: chrono_tz::America::Montreal,
        };
        let received = Utc.with_ymd_and_hms(2026, 12, 5, 14, 3, 0).unwrap();
        let reading = read(data, &ctx, received);
        let json = reading.to_json();
        let text = serde_json::to_string(&json).expect("inspect-mail JSON serialises");
        std::hint::black_box(text);
    }
);
