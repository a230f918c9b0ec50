//! `relais config`: the settings in force, written as TOML, each value followed by the
//! layer it came from (built-in, file, environment). Secrets are redacted by their type
//! ([`super::Secret`] serializes as `<redacted>`), so a new secret setting is hidden
//! without anyone remembering to list it here.

use super::{ConfigError, Layers, Settings};
use serde_json::Value;
use std::fmt::Write as _;

/// The effective configuration as commented TOML.
pub fn render(layers: &Layers, settings: &Settings) -> Result<String, ConfigError> {
    let value = serde_json::to_value(settings).map_err(|e| ConfigError::Parse(e.to_string()))?;
    let mut out = String::from(
        "# The configuration in force: the built-in default, then the file (if any), then\n\
         # RELAIS__SECTION__KEY variables. Each value says which of them set it; secrets are\n\
         # shown as <redacted>.\n",
    );
    if let Value::Object(sections) = &value {
        for (name, section) in sections {
            write_table(&mut out, name, section, layers);
        }
    }
    Ok(out)
}

/// One `[table]`: its plain values first, then its sub-tables.
fn write_table(out: &mut String, path: &str, table: &Value, layers: &Layers) {
    let Value::Object(entries) = table else {
        return;
    };
    let _ = write!(out, "\n[{path}]\n");
    for (key, value) in entries {
        let full = format!("{path}.{key}");
        match value {
            Value::Object(_) => {}
            Value::Null => {
                let _ = writeln!(out, "# {key}: not set");
            }
            leaf => {
                let origin = layers.origin(&full).unwrap_or_else(|| "default".to_string());
                let _ = writeln!(out, "{key} = {}  # {origin}", literal(leaf));
            }
        }
    }
    for (key, value) in entries {
        if value.is_object() {
            write_table(out, &format!("{path}.{key}"), value, layers);
        }
    }
}

/// A TOML literal: JSON's strings, numbers, booleans and arrays are valid TOML as written.
fn literal(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn each_value_names_its_layer_and_secrets_stay_hidden() {
        let layers = Layers::read(
            None,
            env(&[
                ("RELAIS__WEB__BIND", "127.0.0.1:9191"),
                ("RELAIS__SMTP__PASSWORD", "smtp-hunter2"),
                ("RELAIS__SECURITY__SIGNING_KEY", "signing-hunter2-signing-hunter2-xx"),
                ("RELAIS__SMS__KANNEL__INBOUND_SECRET", "kannel-hunter2"),
            ]),
        )
        .unwrap();
        let settings = layers.settings().unwrap();
        let text = render(&layers, &settings).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("bind = \"127.0.0.1:9191\"  # environment variable RELAIS__WEB__BIND"),
            "{text}"
        );
        assert!(
            text.contains("bank_name = \"Banque d'interprètes (démo)\"  # built-in"),
            "{text}"
        );
        assert!(text.contains("password = \"<redacted>\"  # environment variable RELAIS__SMTP__PASSWORD"));
        assert!(text.contains("url = \"sqlite://data/relais.db\"  # built-in"), "{text}");
        // Sections the built-in file leaves out come from compiled defaults.
        assert!(text.contains("[imap]\nhost = \"\"  # default"), "{text}");
        // What it prints reads back as the same settings.
        let again = Settings::from_toml_and_env(&text.replace("\"<redacted>\"", "\"\""), env(&[])).unwrap();
        assert_eq!(again.web.bind, settings.web.bind);
        assert_eq!(again.money.pay, settings.money.pay);
    }

    #[test]
    fn a_server_url_loses_its_password() {
        let layers = Layers::read(
            None,
            env(&[
                (
                    "RELAIS__DATABASE__URL",
                    "postgres://relais:hunter2@db.example/relais?password=x",
                ),
                ("RELAIS__SECURITY__SIGNING_KEY", "signing-key-signing-key-signing-key"),
            ]),
        )
        .unwrap();
        let text = render(&layers, &layers.settings().unwrap()).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("url = \"postgres://<redacted>@db.example/relais?<redacted>\""),
            "{text}"
        );
    }
}
