//! The text people read, kept out of the Rust code: one Fluent catalogue per language,
//! `locales/fr/*.ftl` and `locales/en/*.ftl`, built into the binary. A translator edits
//! those files alone; each key has a twin in the other language, and a key the code asks
//! for exists in both (the tests below check both, so a missing text fails the build's
//! tests rather than reaching a person).
//!
//! Code asks with [`Locale::text`] or, for text with a value in it, [`Locale::text_with`]:
//! `locale.text("billing-total")`. French is the fallback.
//!
//! In the catalogue: the web pages (but for a few small tables of word pairs), the
//! invoices and pay statements, the request exports, and the newer mail wording (drafts by
//! mail, in `mail.ftl`): one `.ftl` file per surface. Still written in pairs with
//! [`Locale::pick`]: the rest of the mail and SMS wording (`templates/mail`,
//! `outbound/render.rs`, the digest) and the short label tables of the domain; they move
//! here surface by surface.

use super::locale::Locale;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader as _, langid};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static CATALOGUE = {
        locales: "./locales",
        fallback_language: "fr",
        // No Unicode isolation marks around values: the text goes into mail, SMS, pages
        // and spreadsheets, where they would be stray characters.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FR: LanguageIdentifier = langid!("fr");
static EN: LanguageIdentifier = langid!("en");

fn language(locale: Locale) -> &'static LanguageIdentifier {
    match locale {
        Locale::Fr => &FR,
        Locale::En => &EN,
    }
}

impl Locale {
    /// The text of `key` in this language.
    pub fn text(self, key: &str) -> String {
        CATALOGUE.lookup(language(self), key)
    }

    /// The text of `key` with its values: `locale.text_with("billing-tax-number", &[("tax", "TPS")])`.
    pub fn text_with(self, key: &str, values: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = values
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.to_string())))
            .collect();
        CATALOGUE.lookup_with_args(language(self), key, &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// The messages of every `.ftl` file of one language: key and text (one line each).
    fn messages(language: &str) -> BTreeMap<String, String> {
        let dir = root().join("locales").join(language);
        let mut messages = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((key, value)) = line.split_once(" = ")
                    && !key.starts_with(['#', ' ', '-'])
                    && !key.is_empty()
                {
                    messages.insert(key.to_string(), value.to_string());
                }
            }
        }
        messages
    }

    fn keys(language: &str) -> BTreeSet<String> {
        messages(language).into_keys().collect()
    }

    /// Each message resolves in the loader (the file parsed), given a value for each of
    /// its variables.
    #[test]
    fn every_message_resolves() {
        let variable = regex::Regex::new(r"\{ *\$([a-z_]+) *\}").unwrap();
        for (language, id) in [("fr", &FR), ("en", &EN)] {
            for (key, text) in messages(language) {
                let values: Vec<(&'static str, &str)> = variable
                    .captures_iter(&text)
                    .map(|c| (&*String::from(&c[1]).leak(), "x"))
                    .collect();
                let locale = if language == "fr" { Locale::Fr } else { Locale::En };
                let args: HashMap<Cow<'static, str>, FluentValue> = values
                    .iter()
                    .map(|(n, v)| (Cow::Borrowed(*n), FluentValue::from(*v)))
                    .collect();
                let found = CATALOGUE.try_lookup_with_args(id, &key, &args);
                assert!(found.is_some(), "{language}: `{key}` does not resolve");
                assert!(!locale.text_with(&key, &values).contains('{'), "{language}: `{key}`");
            }
        }
    }

    /// French typography: a non-breaking space before « : ; ! ? » and inside guillemets,
    /// never an ordinary space that lets a line break before the sign.
    #[test]
    fn french_text_keeps_its_signs_with_their_words() {
        let loose = regex::Regex::new(r" [:;!?»]|« ").unwrap();
        let found: Vec<String> = messages("fr")
            .into_iter()
            .filter(|(_, text)| loose.is_match(text))
            .map(|(key, _)| key)
            .collect();
        assert_eq!(found, Vec::<String>::new(), "ordinary space before a sign");
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let (fr, en) = (keys("fr"), keys("en"));
        assert!(!fr.is_empty());
        assert_eq!(
            fr.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "in French only"
        );
        assert_eq!(
            en.difference(&fr).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "in English only"
        );
    }

    /// Every key the code names, in `text("…")` or `text_with("…"`, has a text in both
    /// languages: a typo fails here instead of showing a key to a person.
    #[test]
    fn every_key_the_code_asks_for_exists_in_both_languages() {
        let asked = regex::Regex::new(r#"\.text(?:_with)?\(\s*"([a-z0-9-]+)""#).unwrap();
        let (fr, en) = (keys("fr"), keys("en"));
        let mut found = 0;
        let mut stack = vec![root().join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("catalogue.rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    for key in asked.captures_iter(&source) {
                        found += 1;
                        for (language, known) in [("fr", &fr), ("en", &en)] {
                            assert!(
                                known.contains(&key[1]),
                                "{}: `{}` has no {language} text",
                                path.display(),
                                &key[1]
                            );
                        }
                    }
                }
            }
        }
        assert!(
            found > 20,
            "the scan found only {found} keys: is the pattern still right?"
        );
    }

    #[test]
    fn values_go_in_without_isolation_marks() {
        assert_eq!(
            Locale::Fr.text_with("billing-tax-number", &[("tax", "TPS")]),
            "N° de TPS"
        );
        assert_eq!(
            Locale::En.text_with("billing-tax-number", &[("tax", "GST")]),
            "GST number"
        );
        assert_eq!(Locale::En.text("billing-total"), "Total");
    }
}
