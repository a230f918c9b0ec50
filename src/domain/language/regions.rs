//! The countries and areas a requester may name after a language, « espagnol (Mexique) »,
//! so that the request keeps the variant asked (`es-MX`) instead of losing it.
//!
//! Only regions where the catalogue's languages are spoken by people who need interpreters
//! are listed: a region that is not here makes the whole language unknown (a field error),
//! never a guess. Every code is an ISO 3166 (or UN M.49) region in the IANA registry; the
//! test in the parent module checks it.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::domain::text::fold;

/// One region a language can be asked in.
#[derive(Debug)]
pub struct Region {
    /// The BCP 47 region subtag: "MX", "CD", "419".
    pub code: &'static str,
    /// French name, as written after a language: « Mexique ».
    pub name_fr: &'static str,
    /// English name: "Mexico".
    pub name_en: &'static str,
    /// Other names and abbreviations for the same region.
    pub aliases: &'static [&'static str],
}

macro_rules! region {
    ($code:literal, $fr:literal, $en:literal $(, [$($alias:literal),* $(,)?])?) => {
        Region { code: $code, name_fr: $fr, name_en: $en, aliases: &[$($($alias),*)?] }
    };
}

/// The region named by `folded` (already passed through [`fold`]): either name or an alias.
/// « Congo » alone names two countries, so it names none.
pub(super) fn named(folded: &str) -> Option<usize> {
    INDEX.get(folded).copied()
}

/// The region whose code is `code`, in any case: "mx", "MX", "419". Codes are only read
/// after a language tag ("es-MX"): after a name, "et" or "in" are words, not countries.
pub(super) fn coded(code: &str) -> Option<usize> {
    REGIONS.iter().position(|r| r.code.eq_ignore_ascii_case(code))
}

/// Every region, in the table's order.
pub(super) fn regions() -> &'static [Region] {
    REGIONS
}

/// Every folded name and alias with the region it stands for.
pub(super) fn folded_keys() -> impl Iterator<Item = (String, usize)> {
    REGIONS.iter().enumerate().flat_map(|(index, region)| {
        [region.name_fr, region.name_en]
            .into_iter()
            .chain(region.aliases.iter().copied())
            .map(move |key| (fold(key), index))
    })
}

static INDEX: LazyLock<HashMap<String, usize>> = LazyLock::new(|| folded_keys().collect());

// One region a line, grouped by continent, like a table.
#[rustfmt::skip]
static REGIONS: &[Region] = &[
    // --- Americas ---
    region!("CA", "Canada", "Canada"),
    region!("US", "États-Unis", "United States", ["USA", "États-Unis d'Amérique", "United States of America"]),
    region!("MX", "Mexique", "Mexico"),
    region!("GT", "Guatemala", "Guatemala"),
    region!("HN", "Honduras", "Honduras"),
    region!("SV", "Salvador", "El Salvador", ["le Salvador"]),
    region!("NI", "Nicaragua", "Nicaragua"),
    region!("CR", "Costa Rica", "Costa Rica"),
    region!("PA", "Panama", "Panama"),
    region!("CU", "Cuba", "Cuba"),
    region!("DO", "République dominicaine", "Dominican Republic"),
    region!("PR", "Porto Rico", "Puerto Rico"),
    region!("HT", "Haïti", "Haiti"),
    region!("JM", "Jamaïque", "Jamaica"),
    region!("CO", "Colombie", "Colombia"),
    region!("VE", "Venezuela", "Venezuela"),
    region!("EC", "Équateur", "Ecuador"),
    region!("PE", "Pérou", "Peru"),
    region!("BO", "Bolivie", "Bolivia"),
    region!("CL", "Chili", "Chile"),
    region!("AR", "Argentine", "Argentina"),
    region!("UY", "Uruguay", "Uruguay"),
    region!("PY", "Paraguay", "Paraguay"),
    region!("BR", "Brésil", "Brazil"),
    region!("SR", "Suriname", "Suriname"),
    region!("419", "Amérique latine", "Latin America", ["Amérique latine et Caraïbes", "Latin America and the Caribbean"]),
    // --- Europe ---
    region!("FR", "France", "France"),
    region!("BE", "Belgique", "Belgium"),
    region!("CH", "Suisse", "Switzerland"),
    region!("LU", "Luxembourg", "Luxembourg"),
    region!("DE", "Allemagne", "Germany"),
    region!("AT", "Autriche", "Austria"),
    region!("NL", "Pays-Bas", "Netherlands", ["Hollande", "Holland"]),
    region!("ES", "Espagne", "Spain"),
    region!("PT", "Portugal", "Portugal"),
    region!("IT", "Italie", "Italy"),
    region!("GB", "Royaume-Uni", "United Kingdom", ["UK", "Grande-Bretagne", "Great Britain", "Angleterre", "England"]),
    region!("IE", "Irlande", "Ireland"),
    region!("GR", "Grèce", "Greece"),
    region!("CY", "Chypre", "Cyprus"),
    region!("RO", "Roumanie", "Romania"),
    region!("MD", "Moldavie", "Moldova"),
    region!("PL", "Pologne", "Poland"),
    region!("UA", "Ukraine", "Ukraine"),
    region!("BY", "Biélorussie", "Belarus", ["Bélarus"]),
    region!("RU", "Russie", "Russia", ["Fédération de Russie", "Russian Federation"]),
    region!("RS", "Serbie", "Serbia"),
    region!("BA", "Bosnie-Herzégovine", "Bosnia and Herzegovina", ["Bosnie", "Bosnia"]),
    region!("HR", "Croatie", "Croatia"),
    region!("ME", "Monténégro", "Montenegro"),
    region!("AL", "Albanie", "Albania"),
    region!("TR", "Turquie", "Turkey", ["Türkiye"]),
    // --- North Africa and the Middle East ---
    region!("MA", "Maroc", "Morocco"),
    region!("DZ", "Algérie", "Algeria"),
    region!("TN", "Tunisie", "Tunisia"),
    region!("LY", "Libye", "Libya"),
    region!("EG", "Égypte", "Egypt"),
    region!("SD", "Soudan", "Sudan"),
    region!("LB", "Liban", "Lebanon"),
    region!("SY", "Syrie", "Syria"),
    region!("JO", "Jordanie", "Jordan"),
    region!("PS", "Palestine", "Palestine"),
    region!("IL", "Israël", "Israel"),
    region!("IQ", "Irak", "Iraq", ["Iraq"]),
    region!("SA", "Arabie saoudite", "Saudi Arabia"),
    region!("YE", "Yémen", "Yemen"),
    region!("IR", "Iran", "Iran"),
    region!("AF", "Afghanistan", "Afghanistan"),
    region!("AM", "Arménie", "Armenia"),
    region!("GE", "Géorgie", "Georgia"),
    region!("AZ", "Azerbaïdjan", "Azerbaijan"),
    // --- Sub-Saharan Africa ---
    region!("MR", "Mauritanie", "Mauritania"),
    region!("SN", "Sénégal", "Senegal"),
    region!("ML", "Mali", "Mali"),
    region!("GN", "Guinée", "Guinea"),
    region!("GW", "Guinée-Bissau", "Guinea-Bissau"),
    region!("SL", "Sierra Leone", "Sierra Leone"),
    region!("LR", "Libéria", "Liberia"),
    region!("CI", "Côte d'Ivoire", "Côte d'Ivoire", ["Ivory Coast"]),
    region!("BF", "Burkina Faso", "Burkina Faso"),
    region!("GH", "Ghana", "Ghana"),
    region!("TG", "Togo", "Togo"),
    region!("BJ", "Bénin", "Benin"),
    region!("NE", "Niger", "Niger"),
    region!("NG", "Nigeria", "Nigeria", ["Nigéria"]),
    region!("TD", "Tchad", "Chad"),
    region!("CM", "Cameroun", "Cameroon"),
    region!("CF", "Centrafrique", "Central African Republic", ["République centrafricaine"]),
    region!("CG", "Congo-Brazzaville", "Congo-Brazzaville", ["République du Congo", "Republic of the Congo"]),
    region!("CD", "RD Congo", "DR Congo", [
        "RDC", "DRC", "République démocratique du Congo", "Democratic Republic of the Congo",
        "Congo-Kinshasa",
    ]),
    region!("RW", "Rwanda", "Rwanda"),
    region!("BI", "Burundi", "Burundi"),
    region!("SS", "Soudan du Sud", "South Sudan"),
    region!("ET", "Éthiopie", "Ethiopia"),
    region!("ER", "Érythrée", "Eritrea"),
    region!("DJ", "Djibouti", "Djibouti"),
    region!("SO", "Somalie", "Somalia"),
    region!("KE", "Kenya", "Kenya"),
    region!("UG", "Ouganda", "Uganda"),
    region!("TZ", "Tanzanie", "Tanzania"),
    region!("AO", "Angola", "Angola"),
    region!("MZ", "Mozambique", "Mozambique"),
    region!("CV", "Cap-Vert", "Cape Verde", ["Cabo Verde"]),
    region!("MG", "Madagascar", "Madagascar"),
    region!("ZA", "Afrique du Sud", "South Africa"),
    // --- Asia and Oceania ---
    region!("PK", "Pakistan", "Pakistan"),
    region!("IN", "Inde", "India"),
    region!("BD", "Bangladesh", "Bangladesh"),
    region!("LK", "Sri Lanka", "Sri Lanka"),
    region!("NP", "Népal", "Nepal"),
    region!("CN", "Chine", "China"),
    region!("TW", "Taïwan", "Taiwan"),
    region!("HK", "Hong Kong", "Hong Kong"),
    region!("SG", "Singapour", "Singapore"),
    region!("VN", "Viêt Nam", "Vietnam", ["Vietnam", "Viet Nam"]),
    region!("KH", "Cambodge", "Cambodia"),
    region!("MM", "Myanmar", "Myanmar", ["Birmanie", "Burma"]),
    region!("PH", "Philippines", "Philippines"),
    region!("KZ", "Kazakhstan", "Kazakhstan"),
    region!("UZ", "Ouzbékistan", "Uzbekistan"),
    region!("AU", "Australie", "Australia"),
];
