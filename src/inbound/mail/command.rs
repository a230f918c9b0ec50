//! Commands read from the first words of what a person wrote.

use crate::domain::person::UserCode;
use crate::domain::request::RequestNumber;
use crate::domain::text::fold;
use serde_json::{Value, json};

/// A command verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    NewRequest,
    Accept,
    Reject,
    Cancel,
    Assign,
    Withdraw,
    Validate,
    Contest,
    Help,
    /// A coordinator asks for the digest now.
    Digest,
    /// Nobody can take the request: keep waiting, switch to the alternative language, or
    /// go on without an interpreter.
    KeepWaiting,
    UseAlternative,
    GiveUp,
    /// A coordinator closes a checked request.
    Close,
    /// The requester sends their draft (« Brouillon » → « Nouveau »).
    Send,
    /// « ANNULER LA SUITE »: this occurrence of a series and the ones after.
    CancelSeries,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::NewRequest => "new_request",
            Verb::Accept => "accept",
            Verb::Reject => "reject",
            Verb::Cancel => "cancel",
            Verb::Assign => "assign",
            Verb::Withdraw => "withdraw",
            Verb::Validate => "validate",
            Verb::Contest => "contest",
            Verb::Help => "help",
            Verb::Digest => "digest",
            Verb::KeepWaiting => "wait",
            Verb::UseAlternative => "use_alternative",
            Verb::GiveUp => "give_up",
            Verb::Close => "close",
            Verb::Send => "send",
            Verb::CancelSeries => "cancel_series",
        }
    }
}

/// A command with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailCommand {
    NewRequest,
    Accept,
    Reject,
    /// This occurrence of a series and the ones after, with the reason.
    CancelSeries {
        reason: String,
    },
    Cancel {
        reason: String,
    },
    Assign {
        request: Option<RequestNumber>,
        interpreter: Option<UserCode>,
    },
    Withdraw,
    Validate,
    /// The requester's words follow the verb, on its line and below.
    Contest {
        reason: String,
    },
    Help,
    Digest,
    KeepWaiting,
    UseAlternative,
    GiveUp,
    Close,
    /// `anyway`: sent even though it is like an open request (« ENVOYER QUAND MÊME »).
    Send {
        anyway: bool,
    },
}

impl MailCommand {
    pub fn verb(&self) -> Verb {
        match self {
            MailCommand::NewRequest => Verb::NewRequest,
            MailCommand::Accept => Verb::Accept,
            MailCommand::Reject => Verb::Reject,
            MailCommand::Cancel { .. } => Verb::Cancel,
            MailCommand::CancelSeries { .. } => Verb::CancelSeries,
            MailCommand::Assign { .. } => Verb::Assign,
            MailCommand::Withdraw => Verb::Withdraw,
            MailCommand::Validate => Verb::Validate,
            MailCommand::Contest { .. } => Verb::Contest,
            MailCommand::Help => Verb::Help,
            MailCommand::Digest => Verb::Digest,
            MailCommand::KeepWaiting => Verb::KeepWaiting,
            MailCommand::UseAlternative => Verb::UseAlternative,
            MailCommand::GiveUp => Verb::GiveUp,
            MailCommand::Close => Verb::Close,
            MailCommand::Send { .. } => Verb::Send,
        }
    }

    pub fn to_json(&self) -> Value {
        let args = match self {
            MailCommand::Cancel { reason } | MailCommand::CancelSeries { reason } | MailCommand::Contest { reason } => {
                json!({ "reason": reason })
            }
            MailCommand::Send { anyway } => json!({ "anyway": anyway }),
            MailCommand::Assign { request, interpreter } => json!({
                "request": request.as_ref().map(|r| r.as_str()),
                "interpreter": interpreter.as_ref().map(|i| i.as_str()),
            }),
            _ => json!({}),
        };
        json!({ "verb": self.verb().as_str(), "args": args })
    }
}

/// (folded words, verb): the longest phrases first.
const WORDS: &[(&str, Verb)] = &[
    ("nouvelle demande", Verb::NewRequest),
    ("new request", Verb::NewRequest),
    ("accepter", Verb::Accept),
    ("accepte", Verb::Accept),
    ("accept", Verb::Accept),
    ("refuser", Verb::Reject),
    ("refuse", Verb::Reject),
    ("rejeter", Verb::Reject),
    ("decline", Verb::Reject),
    ("reject", Verb::Reject),
    ("annuler toute la serie", Verb::CancelSeries),
    ("annuler les suivantes", Verb::CancelSeries),
    ("annuler la suite", Verb::CancelSeries),
    ("annuler la serie", Verb::CancelSeries),
    ("cancel the rest", Verb::CancelSeries),
    ("cancel the series", Verb::CancelSeries),
    ("cancel series", Verb::CancelSeries),
    ("annuler", Verb::Cancel),
    ("cancel", Verb::Cancel),
    ("assigner", Verb::Assign),
    ("assign", Verb::Assign),
    ("desistement", Verb::Withdraw),
    ("withdraw", Verb::Withdraw),
    ("valider", Verb::Validate),
    ("validate", Verb::Validate),
    ("contester", Verb::Contest),
    ("contest", Verb::Contest),
    ("aide", Verb::Help),
    ("help", Verb::Help),
    ("sommaire", Verb::Digest),
    ("digest", Verb::Digest),
    ("attendre", Verb::KeepWaiting),
    ("wait", Verb::KeepWaiting),
    ("langue alternative", Verb::UseAlternative),
    ("alternative language", Verb::UseAlternative),
    ("alternative", Verb::UseAlternative),
    ("sans interprete", Verb::GiveUp),
    ("without interpreter", Verb::GiveUp),
    ("without an interpreter", Verb::GiveUp),
    ("fermer", Verb::Close),
    ("close", Verb::Close),
    ("envoyer", Verb::Send),
    ("send", Verb::Send),
];

/// Folded words after « ENVOYER » that send a draft like an open request anyway.
const ANYWAY: &[&str] = &["quand meme", "anyway", "it anyway"];

/// Reads the command at the start of `new_text`, if any.
pub fn read_command(new_text: &str) -> Option<MailCommand> {
    let first_line = new_text.lines().find(|l| !l.trim().is_empty())?;
    let folded = fold(first_line);
    let (phrase, verb) = WORDS.iter().find(|(phrase, _)| {
        folded == *phrase || folded.strip_prefix(phrase).is_some_and(|rest| rest.starts_with(' '))
    })?;
    let mut words_in_phrase = phrase.split(' ').count();
    let mut verb = *verb;
    // « ANNULER LA SUITE » is one phrase; « Annuler : la suite au prochain rendez-vous » is
    // a cancellation with its reason.
    if verb == Verb::CancelSeries && !written_together(first_line, words_in_phrase) {
        verb = Verb::Cancel;
        words_in_phrase = 1;
    }
    Some(match verb {
        Verb::NewRequest => MailCommand::NewRequest,
        Verb::Accept => MailCommand::Accept,
        Verb::Reject => MailCommand::Reject,
        Verb::Withdraw => MailCommand::Withdraw,
        Verb::Validate => MailCommand::Validate,
        Verb::Contest => {
            let first = rest_after_words(first_line, words_in_phrase);
            let below: Vec<&str> = new_text
                .lines()
                .skip_while(|l| l.trim().is_empty())
                .skip(1)
                .map(str::trim_end)
                .collect();
            let reason = [first.as_str(), below.join("\n").trim()]
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            // Kept whole: past its limit the pipeline refuses it, saying the limit.
            MailCommand::Contest { reason }
        }
        Verb::Help => MailCommand::Help,
        Verb::Digest => MailCommand::Digest,
        Verb::KeepWaiting => MailCommand::KeepWaiting,
        Verb::UseAlternative => MailCommand::UseAlternative,
        Verb::GiveUp => MailCommand::GiveUp,
        Verb::Close => MailCommand::Close,
        Verb::Send => {
            let rest = fold(&rest_after_words(first_line, words_in_phrase));
            let anyway = ANYWAY
                .iter()
                .any(|words| rest == *words || rest.strip_prefix(words).is_some_and(|r| r.starts_with(' ')));
            MailCommand::Send { anyway }
        }
        Verb::Cancel => MailCommand::Cancel {
            reason: rest_after_words(first_line, words_in_phrase),
        },
        Verb::CancelSeries => MailCommand::CancelSeries {
            reason: rest_after_words(first_line, words_in_phrase),
        },
        Verb::Assign => {
            let tokens: Vec<&str> = new_text
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .collect();
            let request = tokens
                .iter()
                .find_map(|t| RequestNumber::parse(t.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')).ok());
            let interpreter = tokens
                .iter()
                .find_map(|t| UserCode::parse(t.trim_matches(|c: char| !c.is_alphanumeric())));
            MailCommand::Assign { request, interpreter }
        }
    })
}

/// Whether the first `words` words of `line` are written one after the other, with only
/// spaces between them.
fn written_together(line: &str, words: usize) -> bool {
    line.split_whitespace()
        .take(words.saturating_sub(1))
        .all(|word| word.chars().all(char::is_alphanumeric))
}

/// The line after its first `words` words, leading punctuation and spaces removed.
fn rest_after_words(line: &str, words: usize) -> String {
    let mut rest = line.trim_start();
    for _ in 0..words {
        let end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
        rest = rest[end..].trim_start_matches(|c: char| !c.is_alphanumeric());
    }
    rest.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_in_both_languages_any_case() {
        for (text, verb) in [
            ("ACCEPTER", Verb::Accept),
            ("accepté !", Verb::Accept),
            ("Accept.", Verb::Accept),
            ("Refuser, désolé", Verb::Reject),
            ("DECLINE", Verb::Reject),
            ("Désistement", Verb::Withdraw),
            ("desistement", Verb::Withdraw),
            ("Nouvelle demande", Verb::NewRequest),
            ("NEW REQUEST please", Verb::NewRequest),
            ("valider", Verb::Validate),
            ("Contester : la durée est fausse", Verb::Contest),
            ("aide", Verb::Help),
            ("ENVOYER", Verb::Send),
            ("Send.", Verb::Send),
            ("ANNULER LA SUITE : fin du suivi", Verb::CancelSeries),
            ("Annuler la série", Verb::CancelSeries),
            ("cancel the rest, treatment over", Verb::CancelSeries),
            ("Annuler : la suite au prochain rendez-vous", Verb::Cancel),
        ] {
            assert_eq!(read_command(text).map(|c| c.verb()), Some(verb), "{text}");
        }
        for text in [
            "Oui",
            "Bonjour,\nACCEPTER",
            "acceptable",
            "",
            "Annulation",
            "Envoyé de mon iPhone",
            "Sent from my phone",
        ] {
            assert_eq!(read_command(text), None, "{text}");
        }
    }

    #[test]
    fn cancel_keeps_the_reason() {
        assert_eq!(
            read_command("ANNULER - l'usager a annulé son rendez-vous\nMerci"),
            Some(MailCommand::Cancel {
                reason: "l'usager a annulé son rendez-vous".into()
            })
        );
        assert_eq!(
            read_command("Annuler."),
            Some(MailCommand::Cancel { reason: String::new() })
        );
        assert_eq!(
            read_command("CANCEL: patient moved"),
            Some(MailCommand::Cancel {
                reason: "patient moved".into()
            })
        );
    }

    #[test]
    fn send_says_whether_anyway() {
        for (text, anyway) in [
            ("ENVOYER", false),
            ("Envoyer, merci", false),
            ("ENVOYER QUAND MÊME", true),
            ("envoyer quand meme !", true),
            ("SEND", false),
            ("Send anyway", true),
            ("send it anyway please", true),
            ("Envoyer quand", false),
        ] {
            assert_eq!(read_command(text), Some(MailCommand::Send { anyway }), "{text}");
        }
    }

    #[test]
    fn assign_reads_number_and_identifier() {
        let c = read_command("assigner hc-26339002 ubipn0002").unwrap();
        assert_eq!(
            c.to_json(),
            json!({"verb": "assign", "args": {"request": "HC-26339002", "interpreter": "UBIPN0002"}})
        );
        let c = read_command("ASSIGN").unwrap();
        assert_eq!(
            c.to_json(),
            json!({"verb": "assign", "args": {"request": null, "interpreter": null}})
        );
    }
}
