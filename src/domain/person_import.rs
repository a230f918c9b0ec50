//! The file of `relais accounts import`: one person a line, with a header naming the
//! columns (in English or French, in any order; `;` or `,` between fields, as spreadsheets
//! write them):
//!
//! | column | also | required | value |
//! |---|---|---|---|
//! | `email` | `courriel` | yes | the person's address; lines are matched to people by it |
//! | `first_name` | `prénom`, `prenom` | yes | |
//! | `last_name` | `nom` | yes | |
//! | `role` | `rôle` | yes | `requester`/`demandeur`, `interpreter`/`interprète`, `coordinator`/`coordonnateur` |
//! | `establishment` | `établissement`, `etablissement` | requesters | the establishment's code (`CCSMTL`) |
//! | `installation` | `installations` | requesters | installation names in that establishment, `\|` between several |
//! | `locale` | `langue` | no | `fr` (default) or `en` |
//! | `language_pairs` | `langues`, `paires de langues` | no | `français > espagnol (Mexique)`, `\|` between several; the country of origin is optional |
//! | `gender` | `genre` | no | `femme`, `homme`, `non binaire`, or empty for not given |
//! | `request_types` | `types de demande` | no | labels or codes, `\|` between several; empty for every type |
//! | `main_region` | `région principale` | no | `06-Montréal` |
//! | `address` | `adresse` | no | |
//! | `postal_code` | `code postal` | no | |
//! | `work_postal_codes` | `codes postaux de travail` | no | several separated by commas |
//! | `contexts` | `contextes`, `domaines` | no | `DPJ`, `\|` between several |
//!
//! The interpreter's columns are read on the lines whose role is interpreter. A new
//! interpreter gets them on the defaults (every request type when the column is empty); a
//! known interpreter gets each of them that the line fills, and keeps what a column the
//! file lacks, or an empty cell, would have set (clearing a value is done on their page;
//! `non renseigné` in the gender column does clear the gender). Lists compare as sets: the
//! file's order is not a change. An interpreter imported without language pairs is
//! offered nothing until a coordinator gives them some on their page. Nothing else of a
//! known person (their name, address, language, roles) is changed by a file.
//!
//! Each line is read on its own: a wrong line is reported and the others still count.

use crate::domain::contact::EmailAddress;
use crate::domain::history::Change;
use crate::domain::interpreter::{InterpreterProfile, LanguagePair};
use crate::domain::interpreter_form::{read_contexts, read_gender, read_request_type};
use crate::domain::locale::Locale;
use crate::domain::person_form::{PersonField, PersonProblem, Problems, read_languages};
use crate::domain::request::{Gender, RequestType};
use crate::domain::role::Role;
use crate::domain::text::{self, fold};

/// One line of an import file, read (by [`read`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    pub email: EmailAddress,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    /// The establishment's code: required for requesters.
    pub establishment: Option<String>,
    /// Installation names within that establishment: at least one for requesters.
    pub installations: Vec<String>,
    pub locale: Locale,
    /// The interpreter's columns, on an interpreter's line; `None` for anyone else.
    pub interpreter: Option<ProfileColumns>,
}

/// A column of an interpreter's profile in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileColumn {
    LanguagePairs,
    Gender,
    RequestTypes,
    MainRegion,
    Address,
    PostalCode,
    WorkPostalCodes,
    Contexts,
}

impl ProfileColumn {
    /// The column's name in the reader's language, as messages name it (`genre`, `gender`).
    pub fn name(self, locale: Locale) -> &'static str {
        let (fr, en) = COLUMN_NAMES[match self {
            ProfileColumn::LanguagePairs => 7,
            ProfileColumn::Gender => 8,
            ProfileColumn::RequestTypes => 9,
            ProfileColumn::MainRegion => 10,
            ProfileColumn::Address => 11,
            ProfileColumn::PostalCode => 12,
            ProfileColumn::WorkPostalCodes => 13,
            ProfileColumn::Contexts => 14,
        }];
        locale.pick(fr, en)
    }

    /// The columns' names, joined: `genre, contextes`.
    pub fn names(columns: &[ProfileColumn], locale: Locale) -> String {
        columns.iter().map(|c| c.name(locale)).collect::<Vec<_>>().join(", ")
    }
}

/// The interpreter's columns of a line as read: each `None` when the file lacks the column
/// or the cell is empty, which leaves a known interpreter's value as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileColumns {
    pub language_pairs: Option<Vec<LanguagePair>>,
    /// `Some(None)`: the cell says the gender is not given (`non renseigné`).
    pub gender: Option<Option<Gender>>,
    pub request_types: Option<Vec<RequestType>>,
    pub main_region: Option<String>,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub work_postal_code: Option<String>,
    pub contexts: Option<Vec<String>>,
}

/// Whether two lists hold the same values, in whatever order.
fn same_set<T: Clone + Ord>(a: &[T], b: &[T]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

impl ProfileColumns {
    /// A new interpreter's profile: the defaults (every request type, always available)
    /// with these columns set.
    pub fn new_profile(&self) -> InterpreterProfile {
        let mut profile = InterpreterProfile::default();
        self.apply(&mut profile);
        profile
    }

    /// Sets on `profile` each column given whose value differs from what it holds; each
    /// change with its column, in the order of the columns. Nothing when the line would
    /// change nothing: importing a file twice changes nothing the second time.
    pub fn apply(&self, profile: &mut InterpreterProfile) -> Vec<(ProfileColumn, Change)> {
        let mut changes = Vec::new();
        let pair_key = |p: &LanguagePair| {
            let (s, t) = (p.source.as_str().to_string(), p.target.as_str().to_string());
            (s, t, p.origin_country.clone())
        };
        macro_rules! set {
            ($column:ident, $field:ident, $value:expr, $same:expr) => {
                if let Some(value) = $value
                    && !$same(&profile.$field, &value)
                {
                    changes.push((
                        ProfileColumn::$column,
                        Change::new(stringify!($field), &profile.$field, &value),
                    ));
                    profile.$field = value;
                }
            };
        }
        let pairs = |a: &Vec<LanguagePair>, b: &Vec<LanguagePair>| {
            let keys = |l: &Vec<LanguagePair>| l.iter().map(pair_key).collect::<Vec<_>>();
            same_set(&keys(a), &keys(b))
        };
        let types = |a: &Vec<RequestType>, b: &Vec<RequestType>| {
            let keys = |l: &Vec<RequestType>| l.iter().map(|t| t.as_str()).collect::<Vec<_>>();
            same_set(&keys(a), &keys(b))
        };
        let set_like = |a: &Vec<String>, b: &Vec<String>| same_set(a, b);
        let equal = |a: &Option<String>, b: &Option<String>| a == b;
        set!(LanguagePairs, language_pairs, self.language_pairs.clone(), pairs);
        set!(Gender, gender, self.gender, |a: &Option<Gender>, b: &Option<Gender>| a
            == b);
        set!(RequestTypes, request_types, self.request_types.clone(), types);
        set!(MainRegion, main_region, self.main_region.clone().map(Some), equal);
        set!(Address, address, self.address.clone().map(Some), equal);
        set!(PostalCode, postal_code, self.postal_code.clone().map(Some), equal);
        set!(
            WorkPostalCodes,
            work_postal_code,
            self.work_postal_code.clone().map(Some),
            equal
        );
        set!(Contexts, contexts, self.contexts.clone(), set_like);
        changes
    }
}

/// Why a file, or one of its lines, was refused: said in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    /// The header names a column the file format does not have.
    UnknownColumn(String),
    /// The header lacks a required column.
    MissingColumn(&'static str),
    /// The line cannot be read as CSV (an unclosed quote…).
    Unreadable(String),
    Email(String),
    Names,
    /// A value with a line break or a control character, or longer than its column holds:
    /// the column's French and English names.
    Column {
        column: (&'static str, &'static str),
        problem: crate::domain::text::TextProblem,
    },
    Role(String),
    Locale(String),
    /// A requester needs an establishment code and at least one installation.
    RequesterPlace,
    UnknownEstablishment(String),
    UnknownInstallation {
        establishment: String,
        name: String,
    },
    /// Another person already has the address.
    EmailTaken,
    /// The person is inactive: no link was sent.
    Inactive,
    /// An interpreter's column that cannot be read: its French and English names, and the
    /// problem in the reader's language, as the person form says it.
    Profile {
        column: (&'static str, &'static str),
        fr: String,
        en: String,
    },
}

impl ImportProblem {
    pub fn message(&self, locale: Locale) -> String {
        let fr = locale == Locale::Fr;
        match self {
            ImportProblem::UnknownColumn(c) if fr => format!("en-tête : colonne inconnue «\u{a0}{c}\u{a0}»"),
            ImportProblem::UnknownColumn(c) => format!("header: unknown column “{c}”"),
            ImportProblem::MissingColumn(c) if fr => format!("en-tête : la colonne {c} manque"),
            ImportProblem::MissingColumn(c) => format!("header: the column {c} is missing"),
            ImportProblem::Unreadable(why) if fr => format!("ligne illisible ({why})"),
            ImportProblem::Unreadable(why) => format!("unreadable line ({why})"),
            ImportProblem::Email(e) if fr => format!("adresse courriel invalide : «\u{a0}{e}\u{a0}»"),
            ImportProblem::Email(e) => format!("invalid email address: “{e}”"),
            ImportProblem::Names => locale
                .pick(
                    "le prénom et le nom sont obligatoires",
                    "first and last names are required",
                )
                .into(),
            ImportProblem::Column { column, problem } => problem.about(
                &format!(
                    "{} {}",
                    locale.pick("colonne", "column"),
                    locale.pick(column.0, column.1)
                ),
                locale,
            ),
            ImportProblem::Role(r) if fr => {
                format!("rôle «\u{a0}{r}\u{a0}» : demandeur, interprète ou coordonnateur attendu")
            }
            ImportProblem::Role(r) => format!("role “{r}”: expected requester, interpreter or coordinator"),
            ImportProblem::Locale(l) if fr => format!("langue «\u{a0}{l}\u{a0}» : fr ou en attendu"),
            ImportProblem::Locale(l) => format!("language “{l}”: expected fr or en"),
            ImportProblem::RequesterPlace => locale
                .pick(
                    "un demandeur a besoin du code de son établissement et d'au moins une installation",
                    "a requester needs an establishment code and at least one installation",
                )
                .into(),
            ImportProblem::UnknownEstablishment(c) if fr => {
                format!("aucun établissement n'a le code «\u{a0}{c}\u{a0}»")
            }
            ImportProblem::UnknownEstablishment(c) => format!("no establishment has the code “{c}”"),
            ImportProblem::UnknownInstallation { establishment, name } if fr => {
                format!("{establishment} n'a pas d'installation nommée «\u{a0}{name}\u{a0}»")
            }
            ImportProblem::UnknownInstallation { establishment, name } => {
                format!("{establishment} has no installation named “{name}”")
            }
            ImportProblem::EmailTaken => locale
                .pick(
                    "une autre personne a déjà cette adresse courriel",
                    "another person has this email address already",
                )
                .into(),
            ImportProblem::Inactive => locale
                .pick(
                    "cette personne est inactive\u{a0}: aucun lien n'a été envoyé",
                    "this person is inactive: no link was sent",
                )
                .into(),
            ImportProblem::Profile { column, fr: text, .. } if fr => format!("colonne {}\u{a0}: {text}", column.0),
            ImportProblem::Profile { column, en, .. } => format!("column {}: {en}", column.1),
        }
    }
}

/// A line as read: its number in the file (the header is line 1), and the person or why not.
pub type ReadLine = (usize, Result<ImportLine, ImportProblem>);

const COLUMNS: [(&str, &[&str]); 15] = [
    ("email", &["email", "courriel", "e mail", "adresse courriel"]),
    ("first_name", &["first name", "prenom"]),
    ("last_name", &["last name", "nom", "nom de famille"]),
    ("role", &["role"]),
    ("establishment", &["establishment", "etablissement"]),
    ("installation", &["installation", "installations"]),
    ("locale", &["locale", "langue", "language"]),
    (
        "language_pairs",
        &[
            "language pairs",
            "langues",
            "paires de langues",
            "competences linguistiques",
        ],
    ),
    ("gender", &["gender", "genre"]),
    (
        "request_types",
        &["request types", "types de demande", "type de demande"],
    ),
    ("main_region", &["main region", "region principale", "region"]),
    ("address", &["address", "adresse"]),
    ("postal_code", &["postal code", "code postal"]),
    (
        "work_postal_codes",
        &[
            "work postal codes",
            "codes postaux de travail",
            "code postal de la region principale de travail",
        ],
    ),
    (
        "contexts",
        &["contexts", "contextes", "contexte", "domaines", "domaine"],
    ),
];

fn role(value: &str) -> Option<Role> {
    match fold(value).as_str() {
        "requester" | "demandeur" | "demandeuse" => Some(Role::Requester),
        "interpreter" | "interprete" => Some(Role::Interpreter),
        "coordinator" | "coordonnateur" | "coordonnatrice" => Some(Role::Coordinator),
        _ => None,
    }
}

/// The text of a file as saved: UTF-8 (with or without its byte-order mark), or, when it is
/// not, Windows-1252, what Excel writes for "CSV (séparateur : point-virgule)" on a French
/// Windows, so that "Hôpital" stays "Hôpital".
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Reads the whole file; `Err` only when the header is unusable.
pub fn read(text: &str) -> Result<Vec<ReadLine>, ImportProblem> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') && !first.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ImportProblem::Unreadable(e.to_string()))?
        .clone();
    let mut at = [None; COLUMNS.len()];
    for (i, header) in headers.iter().enumerate() {
        let name = fold(header);
        if let Some(c) = COLUMNS.iter().position(|(_, names)| names.contains(&name.as_str())) {
            at[c] = Some(i);
        } else if !name.is_empty() {
            return Err(ImportProblem::UnknownColumn(header.to_string()));
        }
    }
    for (c, (name, _)) in COLUMNS.iter().enumerate().take(4) {
        if at[c].is_none() {
            return Err(ImportProblem::MissingColumn(name));
        }
    }
    let mut lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let number = e.position().map_or(i + 2, |p| line_at(text, p.byte()));
                lines.push((number, Err(ImportProblem::Unreadable(e.to_string()))));
                continue;
            }
        };
        let number = record.position().map_or(i + 2, |p| line_at(text, p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        let get = |c: usize| at[c].and_then(|i| record.get(i)).unwrap_or("").to_string();
        lines.push((number, line(&get)));
    }
    Ok(lines)
}

/// The line number (from 1) of the record starting at a byte offset: what a person sees in
/// their editor. The reader places a record after blank lines before it at their start.
fn line_at(text: &str, byte: u64) -> usize {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// A one-line value of column `c`, as `domain::text` allows it.
fn cell(get: &dyn Fn(usize) -> String, c: usize, max: usize) -> Result<String, ImportProblem> {
    let value = get(c);
    text::line(&value, max)
        .map(str::to_string)
        .map_err(|problem| ImportProblem::Column {
            column: COLUMN_NAMES[c],
            problem,
        })
}

/// How each column is named in messages, in French and English.
const COLUMN_NAMES: [(&str, &str); 15] = [
    ("courriel", "email"),
    ("prénom", "first name"),
    ("nom", "last name"),
    ("rôle", "role"),
    ("établissement", "establishment"),
    ("installation", "installation"),
    ("langue", "language"),
    ("langues", "language pairs"),
    ("genre", "gender"),
    ("types de demande", "request types"),
    ("région principale", "main region"),
    ("adresse", "address"),
    ("code postal", "postal code"),
    ("codes postaux de travail", "work postal codes"),
    ("contextes", "contexts"),
];

/// Which column a person-form field comes from, for an import's message.
fn column_of(field: crate::domain::person_form::PersonField) -> (&'static str, &'static str) {
    use crate::domain::person_form::PersonField as F;
    COLUMN_NAMES[match field {
        F::Languages => 7,
        F::Gender => 8,
        F::RequestTypes => 9,
        F::MainRegion => 10,
        F::Address => 11,
        F::PostalCode => 12,
        F::WorkPostalCodes => 13,
        _ => 14,
    }]
}

/// The interpreter's columns, each read as the coordinators' form reads it; an empty cell
/// (or a column the file lacks) is `None`. The first problem refuses the line.
fn interpreter(get: &dyn Fn(usize) -> String) -> Result<ProfileColumns, ImportProblem> {
    let mut problems = Problems::default();
    let filled = |c: usize| Some(get(c)).filter(|v| !v.trim().is_empty());
    let language_pairs = filled(7).map(|typed| read_languages(&typed.replace('|', "\n"), &mut problems));
    let gender = filled(8).and_then(|typed| {
        read_gender(&typed).or_else(|| {
            problems.push(PersonField::Gender, PersonProblem::Choice);
            None
        })
    });
    let request_types = filled(9).map(|typed| {
        let mut types = Vec::new();
        for t in typed.split('|').map(str::trim).filter(|t| !t.is_empty()) {
            match read_request_type(t) {
                Some(t) if !types.contains(&t) => types.push(t),
                Some(_) => {}
                None => problems.push(PersonField::RequestTypes, PersonProblem::Choice),
            }
        }
        types.sort_by_key(|t| t.as_str());
        types
    });
    let main_region = problems.text(PersonField::MainRegion, &get(10), 100);
    let address = problems.text(PersonField::Address, &get(11), 200);
    let postal_code = problems.text(PersonField::PostalCode, &get(12), 12);
    let work = get(13);
    let work: Vec<&str> = work
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let work_postal_code = problems.text(PersonField::WorkPostalCodes, &work.join(", "), 200);
    let contexts = filled(14).map(|typed| {
        let mut contexts = read_contexts(&typed.replace('|', "\n"), &mut problems);
        contexts.sort();
        contexts
    });
    if let Some(first) = problems.0.first() {
        return Err(ImportProblem::Profile {
            column: column_of(first.field),
            fr: first.problem.message(Locale::Fr),
            en: first.problem.message(Locale::En),
        });
    }
    Ok(ProfileColumns {
        language_pairs,
        gender,
        request_types,
        main_region,
        address,
        postal_code,
        work_postal_code,
        contexts,
    })
}

fn line(get: &dyn Fn(usize) -> String) -> Result<ImportLine, ImportProblem> {
    let email = EmailAddress::parse(&get(0)).map_err(|_| ImportProblem::Email(get(0)))?;
    let (first_name, last_name) = (cell(get, 1, 100)?, cell(get, 2, 100)?);
    if first_name.is_empty() || last_name.is_empty() {
        return Err(ImportProblem::Names);
    }
    let role = role(&get(3)).ok_or_else(|| ImportProblem::Role(get(3)))?;
    let locale = match get(6).as_str() {
        "" => Locale::Fr,
        other => other.parse().map_err(|_| ImportProblem::Locale(other.to_string()))?,
    };
    let establishment = Some(cell(get, 4, 40)?).filter(|e| !e.is_empty());
    let installations: Vec<String> = cell(get, 5, 2000)?
        .split('|')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(problem) = installations.iter().find_map(|i| text::line(i, text::LINE_MAX).err()) {
        return Err(ImportProblem::Column {
            column: COLUMN_NAMES[5],
            problem,
        });
    }
    if role == Role::Requester && (establishment.is_none() || installations.is_empty()) {
        return Err(ImportProblem::RequesterPlace);
    }
    let interpreter = match role {
        Role::Interpreter => Some(interpreter(get)?),
        _ => None,
    };
    Ok(ImportLine {
        email,
        first_name,
        last_name,
        role,
        establishment,
        installations,
        locale,
        interpreter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_french_or_english_headers_and_reports_each_bad_line() {
        let text = "Courriel;Prénom;Nom;Rôle;Établissement;Installation;Langue\n\
                    marie@ciusss.example;Marie;Tremblay;demandeur;CCSMTL;Hôpital Notre-Dame|CLSC;fr\n\
                    lucia@interpretes.example;Lucía;Ramírez;Interprète;;;en\n\
                    \n\
                    bad-address;X;Y;demandeur;CCSMTL;A;\n\
                    sophie@bi.example;Sophie;Gagnon;chef;;;\n\
                    luc@ciusss.example;Luc;Roy;demandeur;;;\n";
        let lines = read(text).unwrap();
        assert_eq!(lines.len(), 5);
        let (n, first) = &lines[0];
        let first = first.as_ref().unwrap();
        assert_eq!(*n, 2);
        assert_eq!(first.role, Role::Requester);
        assert_eq!(first.installations, vec!["Hôpital Notre-Dame", "CLSC"]);
        assert_eq!(first.establishment.as_deref(), Some("CCSMTL"));
        let second = lines[1].1.as_ref().unwrap();
        assert_eq!((second.role, second.locale), (Role::Interpreter, Locale::En));
        assert_eq!(lines[2].0, 5, "blank lines keep the numbering");
        assert_eq!(lines[2].1, Err(ImportProblem::Email("bad-address".into())));
        assert_eq!(lines[3].1, Err(ImportProblem::Role("chef".into())));
        assert_eq!(lines[4].1, Err(ImportProblem::RequesterPlace));
    }

    #[test]
    fn a_line_break_inside_a_quoted_value_is_refused_with_its_column() {
        let text = "email,first_name,last_name,role\n\
                    marie@ciusss.example,\"Marie\r\nBcc: tous@example.org\",Tremblay,interpreter\n\
                    luc@ciusss.example,Luc,\"Roy\u{0}\",interpreter\n\
                    ok@ciusss.example,Ok,Fine,interpreter\n";
        let lines = read(text).unwrap();
        let problem = lines[0].1.clone().unwrap_err();
        assert_eq!(
            problem,
            ImportProblem::Column {
                column: ("prénom", "first name"),
                problem: text::TextProblem::LineBreak
            }
        );
        assert_eq!(
            problem.message(Locale::Fr),
            "colonne prénom\u{a0}: une seule ligne\u{a0}: retirez le saut de ligne"
        );
        assert_eq!(
            lines[1].1.clone().unwrap_err().message(Locale::En),
            "column last name: holds an invisible character that is not allowed (a control character); type the value again"
        );
        assert!(lines[2].1.is_ok(), "the other lines still count");
    }

    #[test]
    fn a_file_from_a_french_excel_keeps_its_accents() {
        let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode("Hôpital Notre-Dame;Élodie");
        assert_eq!(decode(&cp1252), "Hôpital Notre-Dame;Élodie");
        assert_eq!(decode("\u{feff}Prénom".as_bytes()), "Prénom");
    }

    #[test]
    fn an_interpreter_s_profile_is_read_from_their_columns() {
        let text = "Courriel;Prénom;Nom;Rôle;Langues;Genre;Types de demande;Région principale;Code postal;Codes postaux de travail;Contextes\n\
                    lucia@interpretes.example;Lucía;Ramírez;Interprète;français > espagnol (Mexique)|anglais > espagnol;Femme;En présentiel|video;06-Montréal;H2X 1Y4;H2X 1Y4, H3A 1A1;DPJ|Santé mentale\n\
                    diego@interpretes.example;Diego;Soto;interpreter;fr > es;;;;;;\n\
                    ana@interpretes.example;Ana;Soto;interpreter;fr > es;peut-être;;;;;\n\
                    marc@interpretes.example;Marc;Roy;interpreter;fr > klingon;;;;;;\n";
        let lines = read(text).unwrap();
        let lucia = lines[0].1.as_ref().unwrap().interpreter.clone().unwrap().new_profile();
        assert_eq!(lucia.language_pairs.len(), 2);
        assert_eq!(lucia.language_pairs[0].origin_country.as_deref(), Some("Mexique"));
        assert_eq!(lucia.gender, Some(crate::domain::request::Gender::Female));
        use crate::domain::request::RequestType;
        assert_eq!(lucia.request_types, vec![RequestType::InPerson, RequestType::Video]);
        assert_eq!(lucia.main_region.as_deref(), Some("06-Montréal"));
        assert_eq!(lucia.work_postal_code.as_deref(), Some("H2X 1Y4, H3A 1A1"));
        assert_eq!(lucia.contexts, vec!["DPJ", "Santé mentale"]);
        let diego = lines[1].1.as_ref().unwrap().interpreter.clone().unwrap().new_profile();
        assert_eq!(diego.request_types, RequestType::ALL.to_vec(), "every type by default");
        assert_eq!(diego.gender, None, "not given");
        let ana = lines[2].1.clone().unwrap_err();
        assert_eq!(
            ana.message(Locale::Fr),
            "colonne genre\u{a0}: Choisissez une des valeurs proposées."
        );
        let marc = lines[3].1.clone().unwrap_err();
        assert_eq!(
            marc.message(Locale::En),
            "column language pairs: Unknown language: “klingon”."
        );
    }

    #[test]
    fn a_known_interpreter_gets_only_the_cells_filled_and_only_once() {
        use crate::domain::request::RequestType;
        let text = "Courriel;Prénom;Nom;Rôle;Genre;Types de demande;Région principale;Contextes\n\
                    lucia@interpretes.example;Lucía;Ramírez;interprète;femme;video|En présentiel;;Santé mentale|DPJ\n\
                    diego@interpretes.example;Diego;Soto;interprète;non renseigné;;;\n";
        let lines = read(text).unwrap();
        let columns = |i: usize| lines[i].1.as_ref().unwrap().interpreter.clone().unwrap();
        assert_eq!(columns(0).main_region, None, "an empty cell sets nothing");
        assert_eq!(columns(0).address, None, "nor does a column the file lacks");
        let mut known = InterpreterProfile {
            request_types: vec![RequestType::Phone],
            main_region: Some("06-Montréal".into()),
            address: Some("1001 3e Avenue E".into()),
            contexts: vec!["DPJ".into()],
            ..InterpreterProfile::default()
        };
        let changed: Vec<ProfileColumn> = columns(0).apply(&mut known).into_iter().map(|(c, _)| c).collect();
        assert_eq!(
            changed,
            vec![
                ProfileColumn::Gender,
                ProfileColumn::RequestTypes,
                ProfileColumn::Contexts
            ]
        );
        assert_eq!(known.gender, Some(Gender::Female));
        assert_eq!(known.request_types, vec![RequestType::InPerson, RequestType::Video]);
        assert_eq!(known.contexts, vec!["DPJ", "Santé mentale"]);
        assert_eq!(known.main_region.as_deref(), Some("06-Montréal"), "kept");
        assert_eq!(known.address.as_deref(), Some("1001 3e Avenue E"), "kept");
        assert!(
            columns(0).apply(&mut known).is_empty(),
            "the same line again changes nothing"
        );
        // Another order of the same values is not a change.
        known.contexts = vec!["Santé mentale".into(), "DPJ".into()];
        known.request_types = vec![RequestType::Video, RequestType::InPerson];
        assert!(columns(0).apply(&mut known).is_empty());
        // « non renseigné » is a value: it clears the gender.
        let changes = columns(1).apply(&mut known);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].0, ProfileColumn::Gender);
        assert_eq!(changes[0].1.field, "gender");
        assert_eq!(known.gender, None);
        assert_eq!(
            ProfileColumn::names(&[ProfileColumn::Gender, ProfileColumn::Contexts], Locale::Fr),
            "genre, contextes"
        );
    }

    #[test]
    fn the_header_must_name_the_required_columns() {
        assert_eq!(
            read("email,first_name,last_name\n").unwrap_err(),
            ImportProblem::MissingColumn("role")
        );
        assert_eq!(
            read("email,first_name,last_name,role,shoe size\n").unwrap_err(),
            ImportProblem::UnknownColumn("shoe size".into())
        );
        let lines = read("email,first_name,last_name,role\ncoord@bi.example,Sophie,Gagnon,coordinator\n").unwrap();
        assert_eq!(lines[0].1.as_ref().unwrap().role, Role::Coordinator);
    }
}
