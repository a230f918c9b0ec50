//! The password policy of the seeds' guides: "Le nouveau mot de passe doit être classé
//! comme « Très fort » et inclure au minimum une lettre majuscule, un chiffre, un
//! caractère spécial", plus a length of 12. "Very strong" is zxcvbn's top score (4),
//! judged with the person's own name and address as words an attacker would try first.
//!
//! Every rule is checked, so the person is told at once everything that is missing.

use crate::domain::locale::Locale;
use unicode_normalization::UnicodeNormalization;
use zxcvbn::Score;
use zxcvbn::feedback::Warning;

/// The fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// The most: longer inputs are refused before any hashing or scoring.
pub const MAX_CHARS: usize = 128;

/// One thing a password lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort {
        chars: usize,
    },
    TooLong,
    NoCapital,
    NoDigit,
    NoSpecial,
    /// zxcvbn scores it below "very strong"; its warning, when it has one.
    NotVeryStrong(Option<Weakness>),
    /// The confirmation differs from the password.
    Mismatch,
}

/// Why zxcvbn finds a password guessable, in words the page can translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    KeyboardPattern,
    Repeats,
    CommonPassword,
    Sequence,
    YearOrDate,
    SingleWord,
    Names,
}

impl PasswordProblem {
    /// What is missing, as the page says it.
    pub fn describe(self, locale: Locale) -> String {
        match self {
            PasswordProblem::TooShort { chars } => match locale {
                Locale::Fr => format!("Au moins {MIN_CHARS} caractères (il y en a {chars})."),
                Locale::En => format!("At least {MIN_CHARS} characters ({chars} given)."),
            },
            PasswordProblem::TooLong => match locale {
                Locale::Fr => format!("Au plus {MAX_CHARS} caractères."),
                Locale::En => format!("At most {MAX_CHARS} characters."),
            },
            PasswordProblem::NoCapital => locale
                .pick("Il manque une lettre majuscule.", "A capital letter is missing.")
                .into(),
            PasswordProblem::NoDigit => locale.pick("Il manque un chiffre.", "A digit is missing.").into(),
            PasswordProblem::NoSpecial => locale
                .pick(
                    "Il manque un caractère spécial (par exemple ! ? # $ % & * -).",
                    "A special character is missing (for example ! ? # $ % & * -).",
                )
                .into(),
            PasswordProblem::NotVeryStrong(weakness) => {
                let head = locale.pick(
                    "Le mot de passe n'est pas classé « très fort » : il serait trop facile à deviner.",
                    "The password is not rated “very strong”: it would be too easy to guess.",
                );
                let why = weakness.map(|w| w.describe(locale)).unwrap_or_else(|| {
                    locale.pick(
                        "Allongez-le, par exemple avec quelques mots peu courants.",
                        "Make it longer, for example with a few uncommon words.",
                    )
                });
                format!("{head} {why}")
            }
            PasswordProblem::Mismatch => locale
                .pick(
                    "La confirmation ne correspond pas au nouveau mot de passe.",
                    "The confirmation does not match the new password.",
                )
                .into(),
        }
    }
}

impl Weakness {
    fn of(warning: Warning) -> Option<Weakness> {
        use Warning as W;
        Some(match warning {
            W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => Weakness::KeyboardPattern,
            W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => Weakness::Repeats,
            W::ThisIsATop10Password
            | W::ThisIsATop100Password
            | W::ThisIsACommonPassword
            | W::ThisIsSimilarToACommonlyUsedPassword => Weakness::CommonPassword,
            W::SequencesLikeAbcAreEasyToGuess => Weakness::Sequence,
            W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => Weakness::YearOrDate,
            W::AWordByItselfIsEasyToGuess => Weakness::SingleWord,
            W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => Weakness::Names,
        })
    }

    fn describe(self, locale: Locale) -> &'static str {
        match self {
            Weakness::KeyboardPattern => locale.pick(
                "Les suites de touches du clavier (azerty, qwerty) se devinent facilement.",
                "Rows of keyboard keys (qwerty) are easy to guess.",
            ),
            Weakness::Repeats => locale.pick(
                "Les répétitions (aaa, abcabc) se devinent facilement.",
                "Repeats (aaa, abcabc) are easy to guess.",
            ),
            Weakness::CommonPassword => locale.pick(
                "Il ressemble à un mot de passe très courant.",
                "It is like a very common password.",
            ),
            Weakness::Sequence => locale.pick(
                "Les suites comme abc ou 6543 se devinent facilement.",
                "Sequences like abc or 6543 are easy to guess.",
            ),
            Weakness::YearOrDate => locale.pick(
                "Les années et les dates se devinent facilement.",
                "Years and dates are easy to guess.",
            ),
            Weakness::SingleWord => locale.pick(
                "Un mot seul se devine facilement : ajoutez-en d'autres, peu courants.",
                "A single word is easy to guess: add a few more, uncommon ones.",
            ),
            Weakness::Names => locale.pick(
                "Les noms et prénoms (dont le vôtre) se devinent facilement.",
                "Names and surnames (yours too) are easy to guess.",
            ),
        }
    }
}

/// The form a password is hashed and checked in: Unicode NFC, so the same password typed
/// on two keyboards (a precomposed "é" or "e" and an accent) is the same password.
pub fn normalise(password: &str) -> String {
    password.nfc().collect()
}

/// Every rule `password` breaks, or nothing. `user_inputs` are the words an attacker would
/// try first: the person's names and email address.
pub fn check(password: &str, confirmation: Option<&str>, user_inputs: &[&str]) -> Vec<PasswordProblem> {
    let password = normalise(password);
    let chars = password.chars().count();
    let mut problems = Vec::new();
    if chars < MIN_CHARS {
        problems.push(PasswordProblem::TooShort { chars });
    }
    if chars > MAX_CHARS {
        // Scoring a huge input is slow: say what is wrong and stop here.
        return vec![PasswordProblem::TooLong];
    }
    if !password.chars().any(char::is_uppercase) {
        problems.push(PasswordProblem::NoCapital);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push(PasswordProblem::NoDigit);
    }
    if !password.chars().any(is_special) {
        problems.push(PasswordProblem::NoSpecial);
    }
    let mut inputs: Vec<String> = Vec::new();
    for input in user_inputs {
        let lower = input.to_lowercase();
        inputs.extend(
            lower
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_string),
        );
        inputs.push(lower);
    }
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(&password, &inputs);
    if entropy.score() < Score::Four {
        let weakness = entropy.feedback().and_then(|f| f.warning()).and_then(Weakness::of);
        problems.push(PasswordProblem::NotVeryStrong(weakness));
    }
    if let Some(confirmation) = confirmation
        && normalise(confirmation) != password
    {
        problems.push(PasswordProblem::Mismatch);
    }
    problems
}

/// Neither a letter, nor a digit, nor a space.
fn is_special(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: [&str; 3] = ["Marie", "Tremblay", "marie.tremblay@ciusss.example"];

    #[test]
    fn a_long_mixed_password_passes() {
        assert_eq!(check("Quatre-Lapins!Violets7", None, &NAME), vec![]);
        assert_eq!(
            check("Quatre-Lapins!Violets7", Some("Quatre-Lapins!Violets7"), &NAME),
            vec![]
        );
    }

    #[test]
    fn each_missing_class_is_named() {
        let p = check("quatre-lapins!violets7", None, &NAME);
        assert_eq!(p, vec![PasswordProblem::NoCapital]);
        let p = check("Quatre-Lapins!Violets", None, &NAME);
        assert_eq!(p, vec![PasswordProblem::NoDigit]);
        let p = check("QuatreLapinsViolets7x", None, &NAME);
        assert_eq!(p, vec![PasswordProblem::NoSpecial]);
        let p = check("Lapin7!", None, &NAME);
        assert!(p.contains(&PasswordProblem::TooShort { chars: 7 }), "{p:?}");
        assert!(matches!(p.last(), Some(PasswordProblem::NotVeryStrong(_))), "{p:?}");
    }

    #[test]
    fn guessable_passwords_with_every_class_are_refused() {
        // Twelve characters, a capital, a digit, a special one: still a common pattern.
        let p = check("Password123!", None, &NAME);
        assert!(matches!(p.as_slice(), [PasswordProblem::NotVeryStrong(_)]), "{p:?}");
        // The person's own name counts against them.
        let p = check("Tremblay2026!", None, &NAME);
        assert!(matches!(p.as_slice(), [PasswordProblem::NotVeryStrong(_)]), "{p:?}");
        let p = check("Azertyuiop1!", None, &NAME);
        assert!(matches!(p.as_slice(), [PasswordProblem::NotVeryStrong(_)]), "{p:?}");
    }

    #[test]
    fn limits_and_confirmation() {
        let long = format!("Aa1!{}", "x".repeat(MAX_CHARS));
        assert_eq!(check(&long, None, &NAME), vec![PasswordProblem::TooLong]);
        assert_eq!(
            check("Quatre-Lapins!Violets7", Some("Quatre-Lapins!Violets8"), &NAME),
            vec![PasswordProblem::Mismatch]
        );
        // The same letters composed differently are the same password.
        assert_eq!(
            check(
                "Éléphant-Rose!Quai42",
                Some("E\u{301}le\u{301}phant-Rose!Quai42"),
                &NAME
            ),
            vec![]
        );
    }

    #[test]
    fn messages_name_what_is_missing_in_both_languages() {
        assert_eq!(
            PasswordProblem::NoCapital.describe(Locale::Fr),
            "Il manque une lettre majuscule."
        );
        assert_eq!(
            PasswordProblem::TooShort { chars: 7 }.describe(Locale::En),
            "At least 12 characters (7 given)."
        );
        assert!(
            PasswordProblem::NotVeryStrong(Some(Weakness::Names))
                .describe(Locale::Fr)
                .contains("très fort")
        );
    }
}
