//! Any bytes, as lossy UTF-8 text, split as a reply and read as a form: neither may panic.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use relais::domain::locale::Locale;
use relais::forms::request::read_form;
use relais::inbound::mail::quote::split_reply;

fuzz_target!(
    init: {
        // libfuzzer-sys aborts on every panic, even one that Relais catches itself
        // (html_to_text falls back to tag stripping when html2text panics). Put back
        // the default hook: a panic that escapes the target still aborts the run
        // (libfuzzer-sys catches it and aborts), and its message is still printed.
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
        let text = String::from_utf8_lossy(data);
        let reference = NaiveDate::from_ymd_opt(2026, 12, 5)
            .unwrap()
            .and_hms_opt(14, 3, 0)
            .unwrap();

        // The whole text as one source, as a form pasted without quoting.
        let whole = read_form(&[text.as_ref()], reference);

        // The text as a reply: new text first, then each quoted older message.
        let reply = split_reply(&text);
        let mut sources: Vec<&str> = vec![reply.new_text.as_str()];
        sources.extend(reply.older.iter().map(String::as_str));
        let split = read_form(&sources, reference);

        for reading in [&whole, &split] {
            let _ = reading.is_complete();
            let fields = serde_json::Value::Object(reading.fields_json());
            std::hint::black_box(serde_json::to_string(&fields).expect("fields serialise"));
            for locale in Locale::ALL {
                let errors = serde_json::Value::Array(reading.errors_json(locale));
                std::hint::black_box(serde_json::to_string(&errors).expect("errors serialise"));
            }
        }
    }
);
