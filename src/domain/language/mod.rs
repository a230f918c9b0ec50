//! The languages Relais books interpreters for, and how to recognise them in
//! whatever a requester typed: a BCP 47 tag, a French or English name, or a
//! common alternative name ("farsi", "darija", "LSQ", "kreyòl").
//!
//! The catalogue is static data: adding a language is adding one entry below.
//! Matching goes through [`fold`], so case, accents, surrounding space and
//! punctuation never matter; the unit tests prove that no folded key points to
//! two different languages, which is what makes a single hash lookup safe.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use crate::domain::locale::Locale;
use crate::domain::text::fold;

mod regions;

/// One entry of the catalogue.
///
/// `tag` is the canonical BCP 47 tag, `name_fr` and `name_en` are the names
/// shown to people (capitalised as Quebec services write them), and `aliases`
/// are other spellings, names and codes people use for the same language.
/// Aliases are matched after folding, so they need no accent or case variants.
#[derive(Debug)]
pub struct Language {
    /// Canonical BCP 47 tag: "es", "ar-MA", "fcs".
    pub tag: &'static str,
    /// French display name: "Espagnol", "Arabe (Maroc)".
    pub name_fr: &'static str,
    /// English display name: "Spanish", "Arabic (Morocco)".
    pub name_en: &'static str,
    /// Other names, spellings and codes that also select this language.
    pub aliases: &'static [&'static str],
}

/// A language known to Relais, held as its canonical BCP 47 tag
/// ("es", "hu", "ar-MA", "nl-BE", "fcs"), or such a language asked in a region the catalogue
/// has no entry for ("es-MX", "fa-AF").
///
/// It can only be built by [`LanguageTag::parse`] (or the conversions that call
/// it), so it always names a catalogue entry, and a listed region if any. It serialises as
/// the plain tag string and deserialises through the same lenient parser.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
// The tag comes first so that the derived order is the order of the tags; the
// indexes are fully determined by the tag and only save lookups.
pub struct LanguageTag(Tag, usize, Option<usize>);

/// The canonical tag: borrowed from the catalogue, or built for a language and a region.
///
/// A newtype rather than a bare `&'static str` field because serde's derive
/// treats a `&str` field as borrowed from the input and would then require
/// `'de: 'static`, which makes `LanguageTag` unusable wherever
/// `DeserializeOwned` is needed (axum's `Json`, `serde_json::from_str` on a
/// local buffer).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Tag(Cow<'static, str>);

impl fmt::Debug for Tag {
    // Shows just the tag, so `LanguageTag` debugs as `LanguageTag("ar-MA", 12, None)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// Why a language could not be recognised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LanguageError {
    /// The input is neither a known tag, nor a known name, nor a known alias.
    #[error("langue inconnue / unknown language: {0:?}")]
    Unknown(String),
}

impl LanguageTag {
    /// Accepts a tag in any case and with '_' or '-' ("AR_ma", "ar-MA"), a
    /// French or English name, or an alias, ignoring case, accents,
    /// surrounding space and punctuation: "espagnol", "Spanish", " ESPAGNOL "
    /// all give "es"; "arabe (Maroc)", "arabe marocain", "Moroccan Arabic",
    /// "darija" give "ar-MA". Anything else is [`LanguageError::Unknown`].
    ///
    /// A known language followed by a listed region keeps the region: « espagnol
    /// (Mexique) », « Spanish (Mexico) », « espagnol du Mexique », "es-MX" all give
    /// "es-MX" (the catalogue's own entry when it has one: « arabe du Maroc » is "ar-MA").
    /// A region that is not listed makes the whole input unknown rather than dropped.
    pub fn parse(input: &str) -> Result<Self, LanguageError> {
        let folded = fold(input);
        if let Some(&index) = INDEX.get(&folded) {
            return Ok(Self::entry(index));
        }
        regional(&folded).ok_or_else(|| LanguageError::Unknown(input.to_string()))
    }

    fn entry(index: usize) -> Self {
        LanguageTag(Tag(Cow::Borrowed(CATALOGUE[index].tag)), index, None)
    }

    /// The canonical tag, e.g. "ar-MA", "es-MX".
    pub fn as_str(&self) -> &str {
        &self.0.0
    }

    /// The catalogue entry for this language (for "es-MX", Spanish's).
    pub fn info(&self) -> &'static Language {
        &CATALOGUE[self.1]
    }

    /// The catalogue tag this language is, or is asked in a region of: "es" for "es-MX",
    /// "ar-MA" for "ar-MA". Interpreters are matched on it: one who speaks Spanish can
    /// interpret for a request in Mexican Spanish, and the request still says which.
    pub fn family(&self) -> &'static str {
        CATALOGUE[self.1].tag
    }

    /// The name to show in the given display language: "Espagnol" / "Spanish",
    /// "Espagnol (Mexique)" / "Spanish (Mexico)", "Persan (farsi, Afghanistan)".
    pub fn name(&self, locale: Locale) -> Cow<'static, str> {
        let info = self.info();
        let name = locale.pick(info.name_fr, info.name_en);
        let Some(region) = self.2.map(|r| &regions::regions()[r]) else {
            return Cow::Borrowed(name);
        };
        let region = locale.pick(region.name_fr, region.name_en);
        Cow::Owned(match name.strip_suffix(')') {
            Some(open) => format!("{open}, {region})"),
            None => format!("{name} ({region})"),
        })
    }

    /// The region this language is asked in, when it is not part of a catalogue entry:
    /// « Mexique » for "es-MX", nothing for "es" or "ar-MA".
    pub fn region_name(&self, locale: Locale) -> Option<&'static str> {
        let region = &regions::regions()[self.2?];
        Some(locale.pick(region.name_fr, region.name_en))
    }

    /// The language without the region it is asked in: "es" for "es-MX"; itself otherwise.
    pub fn general(&self) -> LanguageTag {
        LanguageTag::entry(self.1)
    }

    /// The language as a form writes it for a person to read and send back: its name in
    /// `locale` when the name reads back as this very language, else its tag.
    pub fn written(&self, locale: Locale) -> String {
        let name = self.name(locale);
        match LanguageTag::parse(&name) {
            Ok(back) if back == *self => name.into_owned(),
            _ => self.as_str().to_string(),
        }
    }

    /// The primary language subtag: "ar" for "ar-MA", "fcs" for "fcs".
    /// Useful to offer an interpreter of a variant when no exact match exists.
    pub fn primary(&self) -> &str {
        let tag = self.as_str();
        tag.split_once('-').map_or(tag, |(primary, _)| primary)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LanguageTag {
    type Err = LanguageError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LanguageTag::parse(s)
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = LanguageError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        LanguageTag::parse(&value)
    }
}

impl From<LanguageTag> for String {
    fn from(tag: LanguageTag) -> Self {
        tag.0.0.into_owned()
    }
}

/// Words between a language and its region: « espagnol du Mexique », "Spanish from Mexico".
const REGION_LINKS: [&str; 6] = ["du", "de", "d", "des", "from", "of"];

/// A catalogue language followed by a listed region, in `folded` input: the longest
/// language name first, so « persan farsi afghanistan » is Persian (Farsi) in Afghanistan.
fn regional(folded: &str) -> Option<LanguageTag> {
    let mut cuts = folded.match_indices(' ').map(|(at, _)| at).rev();
    cuts.find_map(|at| {
        let (language, rest) = (&folded[..at], &folded[at + 1..]);
        let &index = INDEX.get(language)?;
        let base = CATALOGUE[index].tag;
        if base.contains('-') {
            return None;
        }
        let mut rest = rest;
        while let Some((link, after)) = rest.split_once(' ')
            && REGION_LINKS.contains(&link)
        {
            rest = after;
        }
        // A code only after a tag ("es-MX"): after a name, "et" or "in" are words.
        let region =
            regions::named(rest).or_else(|| (language == fold(base)).then(|| regions::coded(rest)).flatten())?;
        let code = regions::regions()[region].code;
        let tag = format!("{base}-{code}");
        // The catalogue's own entry for the pair wins: « arabe du Maroc » is "ar-MA", and
        // Portuguese in Portugal is plain "pt".
        if let Some(&entry) = INDEX.get(&fold(&tag)) {
            return Some(LanguageTag::entry(entry));
        }
        Some(LanguageTag(Tag(Cow::Owned(tag)), index, Some(region)))
    })
}

/// Every language Relais knows, in a stable order (grouped by region).
pub fn catalogue() -> &'static [Language] {
    CATALOGUE
}

/// Every folded key (tag, both names, every alias) with the catalogue index it
/// stands for. Shared by the lookup map and by the test that proves the keys
/// never collide, so the test checks exactly what the map is built from.
fn folded_keys() -> impl Iterator<Item = (String, usize)> {
    CATALOGUE.iter().enumerate().flat_map(|(index, language)| {
        [language.tag, language.name_fr, language.name_en]
            .into_iter()
            .chain(language.aliases.iter().copied())
            .map(move |key| (fold(key), index))
    })
}

/// Folded key -> catalogue index. Built once: parsing runs on every email form.
static INDEX: LazyLock<HashMap<String, usize>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (key, index) in folded_keys() {
        let previous = map.insert(key, index);
        // A key shared by two languages would make one of them unreachable by
        // that spelling; `no_folded_key_maps_to_two_languages` proves it can't.
        debug_assert!(
            previous.is_none_or(|p| p == index),
            "a folded language key maps to two catalogue entries"
        );
    }
    map
});

/// Shorthand for one catalogue entry: tag, French name, English name, aliases.
macro_rules! lang {
    ($tag:literal, $fr:literal, $en:literal, [$($alias:literal),* $(,)?]) => {
        Language { tag: $tag, name_fr: $fr, name_en: $en, aliases: &[$($alias),*] }
    };
}

// Aliases include the ISO 639-3 code when the tag is a two-letter ISO 639-1
// code, because some referring systems export three-letter codes, except when
// that code is an everyday French or English word ("fin", "est", "que", "run",
// "tel", "mon"...): a stray word must not turn into a language. ISO 639-2/B
// codes ("fre", "ger", "chi") are left out for the same reason.
// Kept one entry a line, like a table, rather than in rustfmt's layout.
#[rustfmt::skip]
static CATALOGUE: &[Language] = &[
    // --- Official languages and Western Europe ---
    lang!("fr", "Français", "French", ["fra", "francophone"]),
    lang!("en", "Anglais", "English", ["eng", "anglophone"]),
    lang!("es", "Espagnol", "Spanish", ["spa", "español", "castillan", "castilian"]),
    lang!("pt", "Portugais", "Portuguese", ["por", "português", "pt-PT", "portugais (Portugal)", "Portuguese (Portugal)", "portugais européen", "European Portuguese"]),
    lang!("pt-BR", "Portugais (Brésil)", "Portuguese (Brazil)", ["portugais brésilien", "Brazilian Portuguese", "brésilien", "Brazilian"]),
    lang!("it", "Italien", "Italian", ["ita", "italiano"]),
    lang!("de", "Allemand", "German", ["deu", "deutsch"]),
    lang!("nl", "Néerlandais", "Dutch", ["nld", "nederlands", "hollandais", "nl-NL"]),
    lang!("nl-BE", "Flamand", "Flemish", ["vlaams", "néerlandais (Belgique)", "Dutch (Belgium)", "Belgian Dutch"]),
    lang!("el", "Grec", "Greek", ["ell", "grec moderne", "Modern Greek", "ελληνικά"]),
    lang!("sv", "Suédois", "Swedish", ["swe", "svenska"]),
    lang!("no", "Norvégien", "Norwegian", ["nb", "nn", "norsk", "bokmål", "nynorsk"]),
    lang!("da", "Danois", "Danish", ["dansk"]),
    lang!("fi", "Finnois", "Finnish", ["suomi"]),
    // --- Central and Eastern Europe, Balkans ---
    lang!("ro", "Roumain", "Romanian", ["română", "moldave", "Moldovan", "Moldavian"]),
    lang!("ru", "Russe", "Russian", ["rus", "русский"]),
    lang!("uk", "Ukrainien", "Ukrainian", ["ukr", "українська"]),
    lang!("be", "Biélorusse", "Belarusian", ["Byelorussian"]),
    lang!("pl", "Polonais", "Polish", ["polski"]),
    lang!("cs", "Tchèque", "Czech", ["ces", "čeština"]),
    lang!("sk", "Slovaque", "Slovak", ["slk", "slovenčina"]),
    lang!("sl", "Slovène", "Slovenian", ["slv", "Slovene", "slovenščina"]),
    lang!("hu", "Hongrois", "Hungarian", ["magyar"]),
    lang!("lt", "Lituanien", "Lithuanian", ["lietuvių"]),
    lang!("lv", "Letton", "Latvian", ["lav", "latviešu", "Lettish"]),
    lang!("et", "Estonien", "Estonian", ["eesti"]),
    lang!("bg", "Bulgare", "Bulgarian", ["bul", "български"]),
    lang!("mk", "Macédonien", "Macedonian", ["mkd", "македонски"]),
    lang!("sq", "Albanais", "Albanian", ["sqi", "shqip"]),
    lang!("sr", "Serbe", "Serbian", ["srp", "srpski", "српски"]),
    lang!("hr", "Croate", "Croatian", ["hrv", "hrvatski"]),
    lang!("bs", "Bosniaque", "Bosnian", ["bos", "bosnien", "bosanski"]),
    lang!("rom", "Romani", "Romani", ["rromani", "romanès", "Romany"]),
    // --- Caucasus, Turkey, Central Asia ---
    lang!("hy", "Arménien", "Armenian", ["hye", "arménien oriental", "Eastern Armenian"]),
    lang!("hyw", "Arménien occidental", "Western Armenian", []),
    lang!("ka", "Géorgien", "Georgian", ["kat", "ქართული"]),
    lang!("az", "Azéri", "Azerbaijani", ["aze", "azerbaïdjanais", "Azeri"]),
    lang!("ce", "Tchétchène", "Chechen", ["che"]),
    lang!("tr", "Turc", "Turkish", ["tur", "türkçe"]),
    lang!("uz", "Ouzbek", "Uzbek", ["uzb"]),
    lang!("kk", "Kazakh", "Kazakh", ["kaz"]),
    lang!("ky", "Kirghiz", "Kyrgyz", ["kir", "Kirgiz"]),
    lang!("tk", "Turkmène", "Turkmen", ["tuk"]),
    lang!("tg", "Tadjik", "Tajik", ["tgk", "Tajiki"]),
    lang!("ug", "Ouïghour", "Uyghur", ["uig", "ouigour", "Uighur"]),
    lang!("mn", "Mongol", "Mongolian", ["khalkha"]),
    // --- Arabic: the generic tag is standard (literary) Arabic; every spoken
    // variant has its own entry, because requesters ask for a dialect and an
    // interpreter's dialects are what gets matched. ---
    lang!("ar", "Arabe", "Arabic", [
        "ara", "arb", "arabe standard", "arabe littéral", "arabe classique", "arabe moderne standard",
        "Standard Arabic", "Modern Standard Arabic", "Literary Arabic", "fusha", "fousha", "العربية",
    ]),
    lang!("ar-MA", "Arabe (Maroc)", "Arabic (Morocco)", ["arabe marocain", "Moroccan Arabic", "darija", "ary", "marocain"]),
    lang!("ar-DZ", "Arabe (Algérie)", "Arabic (Algeria)", ["arabe algérien", "Algerian Arabic", "arq", "algérien", "dziri", "dziria", "derja"]),
    lang!("ar-TN", "Arabe (Tunisie)", "Arabic (Tunisia)", ["arabe tunisien", "Tunisian Arabic", "aeb", "tunisien", "tounsi"]),
    lang!("ar-LY", "Arabe (Libye)", "Arabic (Libya)", ["arabe libyen", "Libyan Arabic", "ayl", "libyen"]),
    lang!("ar-EG", "Arabe (Égypte)", "Arabic (Egypt)", ["arabe égyptien", "Egyptian Arabic", "arz", "égyptien", "masri"]),
    lang!("ar-SD", "Arabe (Soudan)", "Arabic (Sudan)", ["arabe soudanais", "Sudanese Arabic", "apd", "soudanais"]),
    lang!("ar-LB", "Arabe (Liban)", "Arabic (Lebanon)", ["arabe libanais", "Lebanese Arabic", "libanais"]),
    lang!("ar-SY", "Arabe (Syrie)", "Arabic (Syria)", ["arabe syrien", "Syrian Arabic", "syrien"]),
    lang!("ar-JO", "Arabe (Jordanie)", "Arabic (Jordan)", ["arabe jordanien", "Jordanian Arabic", "jordanien"]),
    lang!("ar-PS", "Arabe (Palestine)", "Arabic (Palestine)", ["arabe palestinien", "Palestinian Arabic", "palestinien"]),
    lang!("ar-IQ", "Arabe (Irak)", "Arabic (Iraq)", ["arabe irakien", "Iraqi Arabic", "arabe (Iraq)", "irakien"]),
    lang!("ar-SA", "Arabe (Arabie saoudite)", "Arabic (Saudi Arabia)", ["arabe saoudien", "Saudi Arabic"]),
    lang!("ar-YE", "Arabe (Yémen)", "Arabic (Yemen)", ["arabe yéménite", "Yemeni Arabic", "yéménite"]),
    lang!("mey", "Hassanya", "Hassaniya Arabic", ["hassaniya", "hassania", "arabe hassanya", "Hassaniya"]),
    // --- Middle East ---
    lang!("he", "Hébreu", "Hebrew", ["heb", "iw", "ivrit", "עברית"]),
    lang!("yi", "Yiddish", "Yiddish", ["yid", "yidiche", "ייִדיש"]),
    lang!("aii", "Néo-araméen assyrien", "Assyrian Neo-Aramaic", ["assyrien", "Assyrian", "Assyrian Aramaic"]),
    lang!("cld", "Néo-araméen chaldéen", "Chaldean Neo-Aramaic", ["chaldéen", "Chaldean", "Chaldean Aramaic"]),
    lang!("ku", "Kurde", "Kurdish", ["kur", "kurdî"]),
    lang!("ckb", "Kurde (sorani)", "Kurdish (Sorani)", ["sorani", "kurde sorani", "Sorani Kurdish", "kurde central", "Central Kurdish"]),
    lang!("kmr", "Kurde (kurmandji)", "Kurdish (Kurmanji)", ["kurmandji", "kurmanji", "kurde kurmandji", "Kurmanji Kurdish", "kurde du nord", "Northern Kurdish"]),
    lang!("fa", "Persan (farsi)", "Persian (Farsi)", ["fas", "persan", "Persian", "farsi", "persan iranien", "Iranian Persian", "فارسی"]),
    lang!("prs", "Dari", "Dari", ["persan dari", "Dari Persian", "persan afghan", "Afghan Persian", "farsi dari"]),
    lang!("haz", "Hazaragi", "Hazaragi", ["hazara", "Hazaragi Persian"]),
    lang!("ps", "Pachto", "Pashto", ["pus", "pachtou", "pachtoune", "pashtu", "pushto", "پښتو"]),
    // --- South Asia ---
    lang!("ur", "Ourdou", "Urdu", ["urd", "اردو"]),
    lang!("hi", "Hindi", "Hindi", ["hin", "हिन्दी"]),
    lang!("pa", "Pendjabi", "Punjabi", ["panjabi", "penjabi", "punjabi"]),
    lang!("bn", "Bengali", "Bengali", ["bangla", "bengalais"]),
    lang!("gu", "Goudjarati", "Gujarati", ["guj", "gujarati", "gujrati"]),
    lang!("mr", "Marathi", "Marathi", []),
    lang!("ta", "Tamoul", "Tamil", ["தமிழ்"]),
    lang!("te", "Télougou", "Telugu", []),
    lang!("ml", "Malayalam", "Malayalam", []),
    lang!("si", "Cingalais", "Sinhala", ["cinghalais", "singhalais", "Sinhalese"]),
    lang!("ne", "Népalais", "Nepali", ["nep", "Nepalese"]),
    lang!("bo", "Tibétain", "Tibetan", ["bod"]),
    // --- East and Southeast Asia ---
    lang!("cmn", "Mandarin", "Mandarin", [
        "chinois mandarin", "Mandarin Chinese", "chinois", "Chinese", "putonghua", "guoyu",
        "zh", "zho", "zh-CN", "zh-TW", "普通话",
    ]),
    lang!("yue", "Cantonais", "Cantonese", ["chinois cantonais", "Cantonese Chinese", "zh-HK", "广东话", "廣東話"]),
    lang!("nan", "Minnan (hokkien)", "Min Nan (Hokkien)", ["minnan", "min nan", "hokkien", "taïwanais", "Taiwanese", "Taiwanese Hokkien"]),
    lang!("ko", "Coréen", "Korean", ["kor", "한국어"]),
    lang!("ja", "Japonais", "Japanese", ["jpn", "日本語"]),
    lang!("vi", "Vietnamien", "Vietnamese", ["vie", "tiếng việt"]),
    lang!("km", "Khmer", "Khmer", ["khm", "cambodgien", "Cambodian"]),
    lang!("lo", "Lao", "Lao", ["laotien", "Laotian"]),
    lang!("th", "Thaï", "Thai", ["tha"]),
    lang!("my", "Birman", "Burmese", ["mya", "myanmar", "bamar"]),
    lang!("ksw", "Karen (sgaw)", "Karen (S'gaw)", ["karen", "sgaw", "karen sgaw", "S'gaw Karen"]),
    lang!("rhg", "Rohingya", "Rohingya", ["ruáingga"]),
    lang!("hmn", "Hmong", "Hmong", ["mong", "hmoob"]),
    lang!("tl", "Tagalog", "Tagalog", ["tgl", "filipino", "fil", "pilipino"]),
    lang!("ms", "Malais", "Malay", ["bahasa melayu", "bahasa malaysia"]),
    lang!("id", "Indonésien", "Indonesian", ["ind", "bahasa indonesia"]),
    // --- Horn of Africa and East Africa ---
    lang!("ti", "Tigrigna", "Tigrinya", ["tir", "tigrinya", "tigrinia", "ትግርኛ"]),
    lang!("am", "Amharique", "Amharic", ["amh", "አማርኛ"]),
    lang!("om", "Oromo", "Oromo", ["orm", "afaan oromo", "oromiffa", "oromigna"]),
    lang!("so", "Somali", "Somali", ["som", "somalien", "af soomaali"]),
    lang!("sw", "Swahili", "Swahili", ["swa", "kiswahili", "souahéli", "souahili"]),
    lang!("rw", "Kinyarwanda", "Kinyarwanda", ["rwandais", "Rwandan", "ikinyarwanda"]),
    lang!("rn", "Kirundi", "Kirundi", ["rundi", "ikirundi"]),
    lang!("din", "Dinka", "Dinka", ["thuɔŋjäŋ"]),
    lang!("nus", "Nuer", "Nuer", ["naath"]),
    // --- Central Africa ---
    lang!("ln", "Lingala", "Lingala", ["lin"]),
    lang!("lua", "Tshiluba", "Tshiluba", ["ciluba", "luba kasaï", "Luba-Kasai", "luba lulua", "Luba-Lulua"]),
    lang!("kg", "Kikongo", "Kongo", ["kon"]),
    lang!("sg", "Sango", "Sango", ["sag", "sangho"]),
    lang!("mg", "Malgache", "Malagasy", ["mlg"]),
    // --- West Africa ---
    lang!("wo", "Wolof", "Wolof", ["wol"]),
    lang!("ff", "Peul", "Fula", ["ful", "peulh", "poular", "pulaar", "pular", "fulfulde", "Fulani", "Fulah"]),
    lang!("bm", "Bambara", "Bambara", ["bamanankan"]),
    lang!("emk", "Malinké", "Maninka (Malinke)", ["maninka", "maninkakan", "Malinke", "malinké de Guinée"]),
    lang!("dyu", "Dioula", "Dyula", ["jula", "dyoula"]),
    lang!("snk", "Soninké", "Soninke", ["sarakolé", "Sarakole"]),
    lang!("sus", "Soussou", "Susu", ["sosso", "sosoxui"]),
    lang!("mos", "Mooré", "Mossi", ["moore", "moré"]),
    lang!("ee", "Éwé", "Ewe", ["eʋegbe"]),
    lang!("fon", "Fon", "Fon", ["fongbe"]),
    lang!("tw", "Twi", "Twi", ["akan", "asante twi", "ashanti"]),
    lang!("yo", "Yoruba", "Yoruba", ["yor", "yorouba"]),
    lang!("ig", "Igbo", "Igbo", ["ibo"]),
    lang!("ha", "Haoussa", "Hausa", ["hau", "haussa"]),
    // --- North Africa: Berber languages. "ber" is the collective tag, used
    // when the requester does not say which one. ---
    lang!("ber", "Berbère (amazighe)", "Berber (Amazigh)", ["berbère", "Berber", "amazighe", "amazigh", "tamazight"]),
    lang!("kab", "Kabyle", "Kabyle", ["taqbaylit", "berbère kabyle"]),
    lang!("tzm", "Tamazight du Maroc central", "Central Atlas Tamazight", ["tamazight du Maroc", "Central Tamazight", "Atlas Tamazight"]),
    lang!("shi", "Tachelhit", "Tachelhit", ["chleuh", "tachelhite", "tashelhit", "tashelhiyt", "shilha"]),
    lang!("rif", "Rifain", "Tarifit", ["tarifit", "Riffian", "tarifiyt"]),
    // --- Creoles ---
    lang!("ht", "Créole haïtien", "Haitian Creole", ["créole", "Creole", "kreyòl", "kreyòl ayisyen", "haïtien", "Haitian"]),
    lang!("mfe", "Créole mauricien", "Mauritian Creole", ["kreol morisien", "morisien", "mauricien"]),
    lang!("kea", "Créole cap-verdien", "Cape Verdean Creole", ["kabuverdianu", "kriolu", "cap-verdien"]),
    // --- Indigenous languages of Quebec and Canada ---
    lang!("iu", "Inuktitut", "Inuktitut", ["iku", "inuttitut", "inuit", "ᐃᓄᒃᑎᑐᑦ"]),
    lang!("cr", "Cri", "Cree", ["cre", "eeyou", "iiyiyiu", "eeyou istchee"]),
    lang!("moe", "Innu (montagnais)", "Innu (Montagnais)", ["innu", "innu-aimun", "montagnais"]),
    lang!("nsk", "Naskapi", "Naskapi", ["iyuw iyimuun"]),
    lang!("atj", "Atikamekw", "Atikamekw", ["atikamekw nehiromowin", "attikamek", "atikamek"]),
    lang!("alq", "Algonquin", "Algonquin", ["anicinabemowin", "anishinabemowin"]),
    lang!("oj", "Ojibwé", "Ojibwe", ["oji", "ojibway", "Ojibwa", "anishinaabemowin", "Chippewa"]),
    lang!("mic", "Mi'gmaq", "Mi'kmaq", ["micmac", "mi'kmaw", "mi'gmaw", "mikmaq", "migmaq"]),
    lang!("moh", "Mohawk", "Mohawk", ["kanien'kéha", "kanienkeha"]),
    // --- Indigenous languages of the Americas (temporary foreign workers and
    // asylum seekers from Guatemala and the Andes) ---
    lang!("kjb", "Q'anjob'al", "Q'anjob'al", ["kanjobal", "qanjobal"]),
    lang!("mam", "Mam", "Mam", ["qyol mam"]),
    lang!("quc", "K'iche'", "K'iche'", ["quiché", "kiche", "quiche maya"]),
    lang!("qu", "Quechua", "Quechua", ["runa simi", "kichwa"]),
    // --- Sign languages ---
    // `fqs` (Fas, a spoken language) was LSQ's tag by mistake until migration 0027: kept
    // as an alias so that what was written with it still reads as LSQ.
    lang!("fcs", "Langue des signes québécoise (LSQ)", "Quebec Sign Language (LSQ)", ["LSQ", "langue des signes québécoise", "Quebec Sign Language", "fqs"]),
    lang!("ase", "Langue des signes américaine (ASL)", "American Sign Language (ASL)", ["ASL", "langue des signes américaine", "American Sign Language", "Ameslan"]),
    lang!("sfb", "Langue des signes de Belgique francophone (LSFB)", "French Belgian Sign Language (LSFB)", ["LSFB", "langue des signes de Belgique francophone", "French Belgian Sign Language", "Belgian French Sign Language"]),
    lang!("vgt", "Langue des signes flamande (VGT)", "Flemish Sign Language (VGT)", ["VGT", "langue des signes flamande", "Flemish Sign Language", "Vlaamse Gebarentaal"]),
    lang!("fsl", "Langue des signes française (LSF)", "French Sign Language (LSF)", ["LSF", "langue des signes française", "French Sign Language"]),
    lang!("bfi", "Langue des signes britannique (BSL)", "British Sign Language (BSL)", ["BSL", "langue des signes britannique", "British Sign Language"]),
    lang!("ils", "Signes internationaux", "International Sign", ["langue des signes internationale", "International Sign Language", "International Signs", "gestuno"]),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Every tag Relais can produce is registered by IANA (the registry is shipped in
    /// `tests/assets/language-subtag-registry/`), with each subtag of its type and none
    /// deprecated, and the registry names it as Relais does: a sign language is a sign
    /// language, and `fqs` (Fas) can never again stand for LSQ.
    #[test]
    fn every_tag_is_in_the_iana_registry_under_its_name() {
        // English names Relais shows that the registry spells otherwise.
        const SPELLINGS: [(&str, &str); 7] = [
            ("rom", "Romany"),
            ("mey", "Hassaniyya"),
            ("rn", "Rundi"),
            ("lua", "Luba-Lulua"),
            ("mfe", "Morisyen"),
            ("kea", "Kabuverdianu"),
            ("oj", "Ojibwa"),
        ];
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/assets/language-subtag-registry/registry.json"
        );
        let records: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(path).expect("the registry")).expect("JSON");
        let registry: HashMap<(String, String), &serde_json::Value> = records
            .iter()
            .filter_map(|r| {
                Some((
                    (r["Type"].as_str()?.to_string(), r["Subtag"].as_str()?.to_lowercase()),
                    r,
                ))
            })
            .collect();
        assert!(registry.len() > 8000, "{}", registry.len());
        for language in catalogue() {
            let mut parts = language.tag.split('-');
            let primary = parts.next().unwrap().to_lowercase();
            let record = registry
                .get(&("language".to_string(), primary.clone()))
                .unwrap_or_else(|| panic!("{} is no registered language", language.tag));
            assert!(
                record.get("Deprecated").is_none(),
                "{} is deprecated: {record}",
                language.tag
            );
            for part in parts {
                let kind = match part.len() {
                    2 | 3
                        if part.chars().all(|c| c.is_ascii_alphabetic())
                            || part.chars().all(|c| c.is_ascii_digit()) =>
                    {
                        "region"
                    }
                    4 => "script",
                    _ => "variant",
                };
                let sub = registry
                    .get(&(kind.to_string(), part.to_lowercase()))
                    .unwrap_or_else(|| panic!("{}: {part} is no registered {kind}", language.tag));
                assert!(
                    sub.get("Deprecated").is_none(),
                    "{}: {part} is deprecated",
                    language.tag
                );
            }
            let descriptions: Vec<&str> = record["Description"]
                .as_array()
                .map(|d| d.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let name = language.name_en.split(" (").next().unwrap();
            let word = SPELLINGS
                .iter()
                .find(|(tag, _)| *tag == primary)
                .map(|(_, spelling)| *spelling)
                .unwrap_or_else(|| name.split_whitespace().next().unwrap());
            assert!(
                descriptions.iter().any(|d| d.contains(word)),
                "{} is « {} » for Relais but {descriptions:?} for IANA",
                language.tag,
                language.name_en
            );
            if name.contains("Sign") {
                assert!(
                    descriptions.iter().any(|d| d.contains("Sign")),
                    "{} is a sign language for Relais but {descriptions:?} for IANA",
                    language.tag
                );
            }
        }
    }

    /// Every region a language can be asked in is a registered IANA region, not
    /// deprecated, and the registry names it as Relais does.
    #[test]
    fn every_region_is_in_the_iana_registry_under_its_name() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/assets/language-subtag-registry/registry.json"
        );
        let records: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(path).expect("the registry")).expect("JSON");
        for region in regions::regions() {
            let record = records
                .iter()
                .find(|r| r["Type"] == "region" && r["Subtag"] == region.code)
                .unwrap_or_else(|| panic!("{} is no registered region", region.code));
            assert!(record.get("Deprecated").is_none(), "{} is deprecated", region.code);
            let descriptions: Vec<&str> = record["Description"]
                .as_array()
                .map(|d| d.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let names = || std::iter::once(region.name_en).chain(region.aliases.iter().copied());
            assert!(
                descriptions
                    .iter()
                    .any(|d| names().any(|n| d.contains(n) || n.contains(d))),
                "{} is « {} » for Relais but {descriptions:?} for IANA",
                region.code,
                region.name_en
            );
        }
    }

    #[test]
    fn a_language_asked_in_a_region_keeps_the_region() {
        for input in [
            "espagnol (Mexique)",
            "Espagnol (Mexique)",
            "Spanish (Mexico)",
            "espagnol du Mexique",
            "Spanish from Mexico",
            "espagnol - Mexique",
            "es-MX",
            "es_mx",
            "ES-MX",
        ] {
            assert_eq!(tag(input), "es-MX", "{input:?}");
        }
        let mx = tag_of("espagnol (Mexique)");
        assert_eq!(mx.name(Locale::Fr), "Espagnol (Mexique)");
        assert_eq!(mx.name(Locale::En), "Spanish (Mexico)");
        assert_eq!(mx.primary(), "es");
        assert_eq!(mx.family(), "es");
        assert_eq!(mx.info().tag, "es");
        assert_ne!(mx, tag_of("espagnol"), "the region is not lost");
        assert_eq!(tag("espagnol (Amérique latine)"), "es-419");
        assert_eq!(tag("français (Belgique)"), "fr-BE");
        assert_eq!(tag("fr-CA"), "fr-CA");
        assert_eq!(tag("English (UK)"), "en-GB");
        assert_eq!(tag("lingala (RDC)"), "ln-CD");
        assert_eq!(tag("portugais (Angola)"), "pt-AO");
        // A name with its own parentheses takes the region inside them.
        let af = tag_of("persan (farsi) (Afghanistan)");
        assert_eq!(af.as_str(), "fa-AF");
        assert_eq!(af.name(Locale::Fr), "Persan (farsi, Afghanistan)");
        // The catalogue's own entry wins over language + region.
        assert_eq!(tag("arabe du Maroc"), "ar-MA");
        assert_eq!(tag("Portuguese (Brazil)"), "pt-BR");
        assert_eq!(tag("portugais (Portugal)"), "pt");
        assert_eq!(tag("Dutch (Netherlands)"), "nl");
        assert_eq!(tag("néerlandais (Belgique)"), "nl-BE");
        // A regional tag reads back as itself, by tag and by the name shown.
        for input in ["es-MX", "fa-AF", "ln-CD", "en-GB", "pt-AO", "es-419"] {
            let t = tag_of(input);
            assert_eq!(tag_of(t.as_str()), t);
            for locale in [Locale::Fr, Locale::En] {
                assert_eq!(tag_of(&t.name(locale)), t, "{}", t.name(locale));
            }
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(serde_json::from_str::<LanguageTag>(&json).unwrap(), t);
        }
    }

    #[test]
    fn a_region_that_is_not_listed_or_not_sure_is_an_error() {
        for input in [
            "espagnol (Atlantide)",
            "es-ZZ",
            "espagnol (Congo)",
            // Codes only follow a tag: after a name, "et" is a word.
            "espagnol et",
            "espagnol MX",
            "klingon (Mexique)",
            // A catalogue variant takes no further region.
            "arabe (Maroc) (Canada)",
        ] {
            assert!(LanguageTag::parse(input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn no_folded_region_name_maps_to_two_regions() {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (key, index) in regions::folded_keys() {
            assert!(!key.is_empty());
            if let Some(&other) = seen.get(&key) {
                assert_eq!(other, index, "{key:?} names two regions");
            }
            seen.insert(key, index);
        }
        let codes: HashSet<&str> = regions::regions().iter().map(|r| r.code).collect();
        assert_eq!(codes.len(), regions::regions().len(), "a region is listed twice");
    }

    fn tag(input: &str) -> String {
        match LanguageTag::parse(input) {
            Ok(t) => t.as_str().to_string(),
            Err(e) => panic!("{input:?} should parse: {e}"),
        }
    }

    #[test]
    fn catalogue_is_large_enough() {
        assert!(catalogue().len() >= 90, "only {} languages", catalogue().len());
    }

    #[test]
    fn parses_names_in_both_languages_and_any_case() {
        for input in [
            "espagnol",
            "Spanish",
            "Espagnol",
            " ESPAGNOL ",
            "es",
            "ES",
            "spa",
            "Español",
        ] {
            assert_eq!(tag(input), "es", "{input:?}");
        }
        assert_eq!(tag("Hongrois"), "hu");
        assert_eq!(tag("hungarian"), "hu");
        assert_eq!(tag("Arménien"), "hy");
        assert_eq!(tag("armenien"), "hy");
        assert_eq!(tag("Créole haïtien"), "ht");
        assert_eq!(tag("creole haitien"), "ht");
        assert_eq!(tag("Haitian Creole"), "ht");
        assert_eq!(tag("kreyòl"), "ht");
        assert_eq!(tag("Kreyol"), "ht");
        assert_eq!(tag("créole"), "ht");
        assert_eq!(tag("Langue des signes québécoise (LSQ)"), "fcs");
        assert_eq!(tag("lsq"), "fcs");
        assert_eq!(tag("fqs"), "fcs", "the tag LSQ had by mistake still reads as LSQ");
        assert_eq!(tag("BSL"), "bfi");
        assert_eq!(tag("LSFB"), "sfb");
        assert_eq!(tag("VGT"), "vgt");
        assert_eq!(tag("LSF"), "fsl");
        assert_eq!(tag("ASL"), "ase");
        assert_eq!(tag("Swahili"), "sw");
        assert_eq!(tag("Flamand"), "nl-BE");
        assert_eq!(tag("Néerlandais"), "nl");
        assert_eq!(tag("Portugais (Brésil)"), "pt-BR");
        assert_eq!(tag("pt_br"), "pt-BR");
        assert_eq!(tag("Portugais"), "pt");
        assert_eq!(tag("Mi'kmaq"), "mic");
        assert_eq!(tag("Q'anjob'al"), "kjb");
    }

    #[test]
    fn parses_aliases() {
        assert_eq!(tag("farsi"), "fa");
        assert_eq!(tag("Persan"), "fa");
        assert_eq!(tag("Dari"), "prs");
        assert_eq!(tag("mandarin"), "cmn");
        assert_eq!(tag("chinois mandarin"), "cmn");
        assert_eq!(tag("Chinois"), "cmn");
        assert_eq!(tag("cantonais"), "yue");
        assert_eq!(tag("somalien"), "so");
        assert_eq!(tag("tigrinya"), "ti");
        assert_eq!(tag("Tigrigna"), "ti");
        assert_eq!(tag("sorani"), "ckb");
        assert_eq!(tag("Kurmanji"), "kmr");
        assert_eq!(tag("kurde"), "ku");
        assert_eq!(tag("peul"), "ff");
        assert_eq!(tag("Fulfulde"), "ff");
        assert_eq!(tag("filipino"), "tl");
        assert_eq!(tag("montagnais"), "moe");
        assert_eq!(tag("Kabyle"), "kab");
        assert_eq!(tag("amazigh"), "ber");
    }

    #[test]
    fn arabic_variants_are_distinct() {
        for input in [
            "arabe (Maroc)",
            "Arabe (Maroc)",
            "arabe marocain",
            "Moroccan Arabic",
            "darija",
            "ar-MA",
            "AR_ma",
            "ar_MA",
        ] {
            assert_eq!(tag(input), "ar-MA", "{input:?}");
        }
        for input in ["arabe", "Arabic", "arabe standard", "arabe littéral", "ar", "AR"] {
            assert_eq!(tag(input), "ar", "{input:?}");
        }
        assert_eq!(tag("Arabe (Algérie)"), "ar-DZ");
        assert_eq!(tag("arabe tunisien"), "ar-TN");
        assert_eq!(tag("Egyptian Arabic"), "ar-EG");
        assert_eq!(tag("Arabe (Liban)"), "ar-LB");
        assert_eq!(tag("arabe syrien"), "ar-SY");
        assert_eq!(tag("Arabic (Iraq)"), "ar-IQ");
        assert_eq!(tag("Arabe (Irak)"), "ar-IQ");
        assert_eq!(tag("Arabe (Soudan)"), "ar-SD");
        let variants: HashSet<String> = [
            "ar", "ar-MA", "ar-DZ", "ar-TN", "ar-EG", "ar-LB", "ar-SY", "ar-IQ", "ar-SA", "ar-SD", "ar-YE", "ar-JO",
            "ar-PS", "ar-LY",
        ]
        .into_iter()
        .map(tag)
        .collect();
        assert_eq!(variants.len(), 14);
        let ma = LanguageTag::parse("darija").unwrap();
        assert_eq!(ma.primary(), "ar");
        assert_ne!(ma, LanguageTag::parse("arabe").unwrap());
    }

    #[test]
    fn rejects_unknown_input() {
        for input in [
            "",
            "   ",
            "klingon",
            "Klingon",
            "--",
            "arabe du sud de mars",
            "xx",
            "ar-XX",
        ] {
            assert_eq!(
                LanguageTag::parse(input),
                Err(LanguageError::Unknown(input.to_string())),
                "{input:?}"
            );
        }
        // Everyday words that happen to be ISO 639-3 codes are not languages.
        for word in ["fin", "est", "que", "run", "tel", "mon", "pan", "hat"] {
            assert!(LanguageTag::parse(word).is_err(), "{word:?}");
        }
        assert!("klingon".parse::<LanguageTag>().is_err());
        assert!(LanguageTag::try_from(String::new()).is_err());
        let message = LanguageError::Unknown("klingon".into()).to_string();
        assert_eq!(message, "langue inconnue / unknown language: \"klingon\"");
    }

    #[test]
    fn serde_round_trip_is_a_plain_string() {
        let t = LanguageTag::parse("arabe marocain").unwrap();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"ar-MA\"");
        let back: LanguageTag = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        // Lenient on the way in, canonical on the way out.
        let lenient: LanguageTag = serde_json::from_str("\"Espagnol\"").unwrap();
        assert_eq!(serde_json::to_string(&lenient).unwrap(), "\"es\"");
        assert!(serde_json::from_str::<LanguageTag>("\"klingon\"").is_err());
        assert!(serde_json::from_str::<LanguageTag>("42").is_err());
        let list: Vec<LanguageTag> = serde_json::from_str(r#"["fcs","hu","hy"]"#).unwrap();
        assert_eq!(serde_json::to_string(&list).unwrap(), r#"["fcs","hu","hy"]"#);
    }

    #[test]
    fn deserializes_from_owned_data() {
        // Callers such as axum's `Json` need `DeserializeOwned`; a borrowed
        // `&'static str` field would silently require `'de: 'static`.
        fn owned<T: serde::de::DeserializeOwned>(json: String) -> T {
            serde_json::from_str(&json).unwrap()
        }
        let t: LanguageTag = owned(String::from("\"hu\""));
        assert_eq!(t.as_str(), "hu");
        assert_eq!(format!("{t:?}"), format!("LanguageTag(\"hu\", {}, None)", t.1));
    }

    #[test]
    fn conversions_and_display() {
        let t: LanguageTag = "Arabe (Maroc)".parse().unwrap();
        assert_eq!(t.to_string(), "ar-MA");
        assert_eq!(String::from(t.clone()), "ar-MA");
        assert_eq!(LanguageTag::try_from("ar-ma".to_string()).unwrap(), t);
        assert_eq!(t.info().tag, "ar-MA");
        assert_eq!(LanguageTag::parse("fcs").unwrap().primary(), "fcs");
        // Ordering follows the tag, so sorted lists read alphabetically by tag.
        let mut tags = [tag_of("hu"), tag_of("ar-MA"), tag_of("ar"), tag_of("es")];
        tags.sort();
        let sorted: Vec<&str> = tags.iter().map(LanguageTag::as_str).collect();
        assert_eq!(sorted, ["ar", "ar-MA", "es", "hu"]);
    }

    fn tag_of(input: &str) -> LanguageTag {
        LanguageTag::parse(input).unwrap()
    }

    #[test]
    fn names_in_both_locales() {
        let es = tag_of("es");
        assert_eq!(es.name(Locale::Fr), "Espagnol");
        assert_eq!(es.name(Locale::En), "Spanish");
        let ma = tag_of("ar-MA");
        assert_eq!(ma.name(Locale::Fr), "Arabe (Maroc)");
        assert_eq!(ma.name(Locale::En), "Arabic (Morocco)");
        let ht = tag_of("ht");
        assert_eq!(ht.name(Locale::Fr), "Créole haïtien");
        assert_eq!(ht.name(Locale::En), "Haitian Creole");
        assert_eq!(tag_of("lsq").name(Locale::Fr), "Langue des signes québécoise (LSQ)");
    }

    #[test]
    fn no_folded_key_maps_to_two_languages() {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut clashes = Vec::new();
        for (key, index) in folded_keys() {
            assert!(
                !key.is_empty(),
                "{} has a key that folds to nothing",
                CATALOGUE[index].tag
            );
            if let Some(&other) = seen.get(&key)
                && other != index
            {
                clashes.push(format!(
                    "{key:?}: {} and {}",
                    CATALOGUE[other].tag, CATALOGUE[index].tag
                ));
            }
            seen.insert(key, index);
        }
        assert!(clashes.is_empty(), "folded keys shared by two languages: {clashes:#?}");
        assert_eq!(seen.len(), INDEX.len());
    }

    #[test]
    fn every_entry_is_reachable_by_its_tag_names_and_aliases() {
        for language in catalogue() {
            for key in [language.tag, language.name_fr, language.name_en]
                .iter()
                .chain(language.aliases)
            {
                assert_eq!(tag(key), language.tag, "{key:?}");
            }
            assert!(!language.name_fr.is_empty() && !language.name_en.is_empty());
            // Names are shown as written: capitalised.
            for name in [language.name_fr, language.name_en] {
                assert!(
                    name.chars().next().is_some_and(char::is_uppercase),
                    "{name:?} is not capitalised"
                );
            }
        }
    }

    #[test]
    fn every_tag_is_well_formed_and_unique() {
        let mut tags = HashSet::new();
        for language in catalogue() {
            let t = language.tag;
            assert!(tags.insert(t), "duplicate tag {t}");
            let mut parts = t.split('-');
            let primary = parts.next().unwrap_or_default();
            assert!(
                (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()),
                "bad primary subtag in {t:?}"
            );
            if let Some(sub) = parts.next() {
                let region = sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_uppercase());
                let bytes = sub.as_bytes();
                let script =
                    sub.len() == 4 && bytes[0].is_ascii_uppercase() && bytes[1..].iter().all(u8::is_ascii_lowercase);
                assert!(region || script, "bad subtag in {t:?}");
            }
            assert_eq!(parts.next(), None, "too many subtags in {t:?}");
            assert_eq!(tag_of(t).primary(), primary);
        }
    }
}
