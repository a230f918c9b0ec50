//! The words mail clients write around a quoted message, per language, in one place:
//! header-block labels ("De : / Envoyé : / À : / Objet :"), "original message"
//! separators, the verbs and first words of attribution lines ("Le … a écrit :"), and the
//! footers phones and apps put under the text ("Envoyé de mon iPhone"). `markers` and
//! `signature` build their per-line matchers from these tables once; docs/inbound-mail.md
//! ("Languages and clients") lists what each language covers.
//!
//! Words are written in lower case (matching ignores case); a spelling without accents
//! that clients really send is listed as its own word.

/// The labels of one language's header block, by the kind of line they start.
pub(super) struct HeaderLabels {
    pub(super) language: &'static str,
    pub(super) from: &'static [&'static str],
    /// "Sent"/"Date" lines: when the older message was sent.
    pub(super) sent: &'static [&'static str],
    pub(super) to: &'static [&'static str],
    pub(super) subject: &'static [&'static str],
    /// Cc and the like: part of a block, never enough to make one.
    pub(super) other: &'static [&'static str],
}

pub(super) const HEADER_LABELS: &[HeaderLabels] = &[
    HeaderLabels {
        language: "en",
        from: &["from"],
        sent: &["sent", "date"],
        to: &["to"],
        subject: &["subject"],
        // "Sent by:" is the line HCL Notes adds for a mail sent on someone's behalf.
        other: &["cc", "bcc", "reply-to", "importance", "sent by"],
    },
    HeaderLabels {
        language: "fr",
        from: &["de"],
        sent: &["envoyé", "envoye", "envoyé le", "envoye le", "date", "message du"],
        to: &["à", "a", "pour"],
        subject: &["objet", "sujet"],
        other: &[
            "cc",
            "cci",
            "copie à",
            "copie a",
            "répondre à",
            "repondre a",
            "envoyé par",
            "envoye par",
        ],
    },
    HeaderLabels {
        language: "nl",
        from: &["van"],
        sent: &["verzonden", "datum"],
        to: &["aan"],
        subject: &["onderwerp"],
        other: &["cc", "bcc"],
    },
    HeaderLabels {
        language: "de",
        from: &["von"],
        sent: &["gesendet", "datum"],
        to: &["an"],
        subject: &["betreff"],
        other: &["cc", "bcc", "kopie", "gesendet von"],
    },
    HeaderLabels {
        language: "es",
        from: &["de"],
        sent: &["enviado", "enviado el", "fecha"],
        to: &["para"],
        subject: &["asunto"],
        other: &["cc", "cco"],
    },
    HeaderLabels {
        language: "it",
        from: &["da"],
        sent: &["inviato", "data"],
        to: &["a"],
        subject: &["oggetto"],
        other: &["cc", "ccn"],
    },
    HeaderLabels {
        language: "pt",
        from: &["de"],
        sent: &["enviado", "enviada", "enviado em", "enviada em", "data"],
        to: &["para"],
        subject: &["assunto"],
        other: &["cc", "cco"],
    },
    HeaderLabels {
        language: "pl",
        from: &["od"],
        sent: &["wysłano", "data"],
        to: &["do"],
        subject: &["temat"],
        other: &["dw", "udw", "kopia"],
    },
    HeaderLabels {
        language: "ru",
        from: &["от"],
        sent: &["отправлено", "дата"],
        to: &["кому"],
        subject: &["тема"],
        other: &["копия"],
    },
    HeaderLabels {
        language: "sv",
        from: &["från"],
        sent: &["skickat", "datum"],
        to: &["till"],
        subject: &["ämne"],
        other: &["kopia"],
    },
    HeaderLabels {
        language: "da",
        from: &["fra"],
        sent: &["sendt", "dato"],
        to: &["til"],
        subject: &["emne"],
        other: &["cc"],
    },
    HeaderLabels {
        language: "no",
        from: &["fra"],
        sent: &["sendt", "dato"],
        to: &["til"],
        subject: &["emne"],
        other: &["kopi"],
    },
    HeaderLabels {
        language: "fi",
        from: &["lähettäjä"],
        sent: &["lähetetty", "päivämäärä"],
        to: &["vastaanottaja"],
        subject: &["aihe"],
        other: &["kopio"],
    },
    HeaderLabels {
        language: "tr",
        from: &["kimden"],
        sent: &["gönderildi", "tarih"],
        to: &["kime"],
        subject: &["konu"],
        other: &["bilgi"],
    },
    // Chinese, Japanese and Arabic Outlook write their labels with a colon too, the
    // full-width "：" in Chinese as often as ":".
    HeaderLabels {
        language: "zh",
        from: &["发件人", "寄件者", "寄件人"],
        sent: &["发送时间", "日期", "寄件日期", "傳送時間"],
        to: &["收件人", "收件者"],
        subject: &["主题", "主旨"],
        other: &["抄送", "副本", "密送"],
    },
    HeaderLabels {
        language: "ja",
        from: &["差出人", "送信者"],
        sent: &["送信日時", "日付"],
        to: &["宛先"],
        subject: &["件名"],
        other: &["cc", "bcc"],
    },
    HeaderLabels {
        language: "ar",
        from: &["من"],
        sent: &["تاريخ الإرسال", "التاريخ", "أرسلت", "تم الإرسال"],
        to: &["إلى"],
        subject: &["الموضوع"],
        other: &["نسخة", "نسخة إلى"],
    },
];

/// What stands between dashes on an "original message" separator line
/// ("-----Original Message-----"), and forwarded-message separators, per language.
pub(super) const SEPARATORS: &[(&str, &[&str])] = &[
    ("en", &["original message", "forwarded message"]),
    (
        "fr",
        &[
            "message d'origine",
            "message d’origine",
            "message original",
            "message transféré",
            "message transfere",
            "message réexpédié",
            "message reexpedie",
        ],
    ),
    (
        "nl",
        &["oorspronkelijk bericht", "origineel bericht", "doorgestuurd bericht"],
    ),
    (
        "de",
        &[
            "ursprüngliche nachricht",
            "ursprungliche nachricht",
            "originalnachricht",
            "original-nachricht",
            "weitergeleitete nachricht",
        ],
    ),
    ("es", &["mensaje original", "mensaje reenviado"]),
    ("it", &["messaggio originale", "messaggio inoltrato"]),
    ("pt", &["mensagem original", "mensagem encaminhada"]),
    (
        "sv",
        &[
            "ursprungligt meddelande",
            "originalmeddelande",
            "vidarebefordrat meddelande",
        ],
    ),
    (
        "da",
        &["original meddelelse", "oprindelig meddelelse", "videresendt meddelelse"],
    ),
    (
        "no",
        &["opprinnelig melding", "original melding", "videresendt melding"],
    ),
    (
        "pl",
        &["wiadomość oryginalna", "oryginalna wiadomość", "przekazana wiadomość"],
    ),
    (
        "ru",
        &["исходное сообщение", "пересланное сообщение", "пересылаемое сообщение"],
    ),
    ("fi", &["alkuperäinen viesti", "välitetty viesti"]),
    // "İ" (dotted capital I) is its own letter to case-insensitive matching.
    (
        "tr",
        &[
            "özgün ileti",
            "özgün İleti",
            "orijinal mesaj",
            "iletilen ileti",
            "İletilen ileti",
        ],
    ),
    ("ja", &["元のメッセージ", "転送されたメッセージ"]),
    ("zh", &["原始邮件", "原始郵件", "转发的邮件"]),
    ("ar", &["الرسالة الأصلية"]),
];

/// The verb of an attribution line, per language, as clients write it: at the end
/// ("Le … Marie a écrit :", "… Marie ha scritto:") or before the name ("Op … schreef
/// Marie <m@x>:", "Marie skrev 5. des. 2026 kl. 14:03:"). Longer forms first.
pub(super) const ATTRIBUTION_VERBS: &[(&str, &[&str])] = &[
    ("en", &["wrote"]),
    ("fr", &["a écrit", "a ecrit"]),
    ("nl", &["schreef"]),
    ("de", &["schrieb"]),
    ("es", &["escribió", "escribio"]),
    ("it", &["ha scritto"]),
    ("pl", &["napisał(a)", "napisała", "napisał", "pisze"]),
    ("ru", &["написал(а)", "написала", "написал", "пишет"]),
    ("sv", &["skrev"]),
    ("da, no", &["skrev"]),
    ("pt", &["escreveu"]),
    ("fi", &["kirjoitti"]),
    ("tr", &["şunu yazdı", "yazdı"]),
    ("ar", &["كتب"]),
    // Written without spaces around them: matched anywhere in the line.
    ("zh", &["写道", "寫道"]),
    ("ja", &["書きました"]),
];

/// The first words of attribution lines that start with them ("Le …", "On …",
/// "Op …", "Am …"…): such a line may be wrapped over several lines.
pub(super) const ATTRIBUTION_STARTS: &[(&str, &[&str])] = &[
    ("fr", &["le"]),
    ("en", &["on"]),
    ("nl", &["op"]),
    ("de", &["am"]),
    ("es", &["el"]),
    ("it", &["il"]),
    ("pl", &["w dniu"]),
    ("sv, da, no", &["den"]),
    ("pt", &["em"]),
];

/// The footers phones and mail apps write under the text, per language, each a whole line
/// (a final period and a link glued on are allowed). Regex syntax, matched ignoring case,
/// with two shorthands: a space matches any run of white space (write `\s*` where there may
/// be none), and `…` a device or app name of one to five words ("iPhone", "appareil
/// Galaxy", "Samsung Galaxy smartphone").
/// Only a wording the clients really send: a line the person may write stays text.
pub(super) const FOOTERS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "sent from my …",
            "sent from (?:yahoo mail|outlook|mail for windows|typeapp)(?: (?:for|on) [\\p{L}\\p{N}]+)?(?: \\d+)?",
            "(?:get|download) outlook for (?:ios|android)",
            "sent with proton mail secure email",
        ],
    ),
    (
        "fr",
        &[
            "envoy[ée] (?:de|depuis|[àa] partir de) (?:mon|ma) …",
            "envoy[ée] (?:de|depuis|avec|[àa] partir de) (?:yahoo mail|outlook|typeapp)(?: (?:pour|sur) [\\p{L}\\p{N}]+)?",
            "envoy[ée] [àa] partir de courrier pour windows(?: \\d+)?",
            "provenance\\s*: courrier pour windows(?: \\d+)?",
            "(?:obtenir|t[ée]l[ée]charger) outlook pour (?:ios|android)",
            "envoy[ée] avec la messagerie s[ée]curis[ée]e proton mail",
        ],
    ),
    (
        "nl",
        &[
            "(?:verzonden|verstuurd) (?:vanaf|van|met) mijn …",
            "outlook voor (?:ios|android) downloaden",
            "download outlook voor (?:ios|android)",
        ],
    ),
    (
        "de",
        &[
            "von meinem … gesendet",
            "gesendet von meinem …",
            "outlook für (?:ios|android) beziehen",
            "holen sie sich outlook für (?:ios|android)",
        ],
    ),
    (
        "es",
        &[
            "enviado desde mi …",
            "(?:obtener|descargar) outlook para (?:ios|android)",
        ],
    ),
    (
        "it",
        &[
            "inviato da (?:iphone|ipad)",
            "inviato dal mio …",
            "scarica outlook per (?:ios|android)",
        ],
    ),
    (
        "pt",
        &[
            "enviado do meu …",
            "(?:obter|baixe|baixar) o outlook para (?:ios|android)",
        ],
    ),
    ("pl", &["wysłane z (?:iphone|ipad)(?:['’]?a)?", "wysłane z mojego …"]),
    (
        "ru",
        &[
            "отправлено с (?:iphone|ipad)",
            "отправлено с моего …",
            "отправлено из мобильной почты mail\\.ru",
        ],
    ),
    ("sv", &["skickat från min …"]),
    ("da, no", &["sendt fra min …"]),
    ("fi", &["lähetetty (?:iphonesta|ipadista)"]),
    ("tr", &["(?:iphone|ipad)['’]?(?:umdan|imden) gönderildi"]),
    ("ar", &["[أا]ُ?رسلت من (?:الـ\\s*)?(?:iphone|ipad)"]),
    ("zh", &["[发發]自我的\\s*(?:iphone|ipad)"]),
    ("ja", &["(?:iphone|ipad)から送信"]),
];
