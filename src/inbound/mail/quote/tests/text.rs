//! Plain-text replies: French and English clients, bottom posting, signatures and
//! footers, lines that only look like attributions, and hostile input.

use super::super::split::MAX_TEXT_BYTES;
use super::super::*;

// --- French and English clients -----------------------------------------

#[test]
fn gmail_fr_top_post() {
    let p = split_reply(
        "ACCEPTER\n\nLe jeu. 5 déc. 2026 à 14:03, Marie Tremblay <marie.tremblay@ciusss.example> a écrit :\n\n> Bonjour,\n> Pouvez-vous venir ?\n>\n",
    );
    assert_eq!(p.new_text, "ACCEPTER");
    assert_eq!(p.older, vec!["Bonjour,\nPouvez-vous venir ?"]);
}

#[test]
fn gmail_fr_attribution_wrapped_and_iso_dates() {
    let p = split_reply(
        "Oui\n\nLe jeu. 5 déc. 2026 à 14:03, Marie Tremblay <\nmarie.tremblay@ciusss.example> a écrit :\n\n> Question\n",
    );
    assert_eq!(p.new_text, "Oui");
    assert_eq!(p.older, vec!["Question"]);

    for attribution in [
        "Le 2026-12-05 à 14:03, Relais <relais+r42.7.k3@bi.example> a écrit :",
        "Le 2026-12-05 à 14:03, Relais a écrit :",
        "Le 5 déc. 2026 à 14:03, Marie <m@x> a écrit :",
        "Le jeu. 5 déc. 2026 à 14 h 03, Marie Tremblay <m@x.ca> a écrit\u{a0}:",
        "On Thu, Dec 5, 2026 at 2:03 PM Marie <m@x> wrote:",
        "On 2026-12-05 14:03, Marie wrote:",
        "Marie Tremblay <m@x> a écrit :",
        "Le 05/12/2026 à 14:03, Marie Tremblay a écrit :",
    ] {
        let p = split_reply(&format!("REFUSER\n\n{attribution}\n> Question\n"));
        assert_eq!(p.new_text, "REFUSER", "{attribution}");
        assert_eq!(p.older, vec!["Question"], "{attribution}");
    }

    // Wrapped, as "Le"/"On" on the first line and "a écrit :"/"wrote:" on the next.
    for attribution in [
        "Le jeu. 5 déc. 2026 à 14:03, Marie Tremblay\n<m@x.ca> a écrit :",
        "On Thu, Dec 5, 2026 at 2:03 PM Marie Tremblay\n<m@x.ca> wrote:",
    ] {
        let p = split_reply(&format!("ANNULER\n\n{attribution}\n\nUnquoted original\n"));
        assert_eq!(p.new_text, "ANNULER", "{attribution}");
        assert_eq!(p.older, vec!["Unquoted original"], "{attribution}");
    }
}

#[test]
fn outlook_fr_header_block() {
    let p = split_reply(
        "Je confirme.\r\n\r\nMarie\r\n\r\n________________________________\r\nDe : Relais <relais@bi.example>\r\nEnvoyé : jeudi 5 décembre 2026 14:03\r\nÀ : Marie Tremblay <m@x.ca>\r\nObjet : Demande HC-24240002\r\n\r\nBonjour,\r\nDate : 2026-12-05\r\n",
    );
    assert_eq!(p.new_text, "Je confirme.\n\nMarie");
    assert_eq!(p.older, vec!["Bonjour,\nDate : 2026-12-05"]);

    // Outlook for Mac: "Date :" instead of "Envoyé :", no rule, Cc on the way.
    let p = split_reply(
        "ACCEPTER\n\nDe : Relais <relais@bi.example>\nDate : jeudi 5 décembre 2026 à 14:03\nÀ : Marie Tremblay <m@x.ca>\nCc : Coordination <c@x.ca>\nObjet : Demande\n\n> Type de demande : en personne\n> Date : 2026-12-05\n",
    );
    assert_eq!(p.new_text, "ACCEPTER");
    assert_eq!(p.older, vec!["Type de demande : en personne\nDate : 2026-12-05"]);

    let p = split_reply(
        "Non merci.\n\n-----Message d'origine-----\nDe : Relais [mailto:relais@bi.example]\nEnvoyé : 5 décembre 2026 14:03\nÀ : Marie\nObjet : Offre\n\nUne offre.\n",
    );
    assert_eq!(p.new_text, "Non merci.");
    assert_eq!(p.older, vec!["Une offre."]);
}

#[test]
fn outlook_thread_gives_one_entry_per_message() {
    let p = split_reply(
        "OK pour moi.\n\n________________________________\nDe : Marie Tremblay <m@x.ca>\nEnvoyé : vendredi 6 décembre 2026 09:00\nÀ : Jean\nObjet : RE: Offre\n\nPeux-tu y aller ?\nDate : 2026-12-05\n\n________________________________\nDe : Relais <relais@bi.example>\nEnvoyé : jeudi 5 décembre 2026 14:03\nÀ : Marie Tremblay <m@x.ca>\nObjet : Offre\n\nDate : [AAAA-MM-JJ]\n",
    );
    assert_eq!(p.new_text, "OK pour moi.");
    assert_eq!(
        p.older,
        vec!["Peux-tu y aller ?\nDate : 2026-12-05", "Date : [AAAA-MM-JJ]"]
    );
}

#[test]
fn separators_and_forwards() {
    for separator in [
        "-----Original Message-----",
        "-------- Message original --------",
        "-------- Original Message --------",
        "----- Original Message -----",
        "---------- Forwarded message ---------",
        "---------- Message transféré ---------",
        "Begin forwarded message:",
        "Début du message réexpédié :",
    ] {
        let p = split_reply(&format!(
            "Voir ci-dessous.\n\n{separator}\n\nDe: Marie <m@x>\nObjet: Demande\nDate: 5 décembre 2026 à 14:03:00 UTC−5\nÀ: Relais\n\nBonjour\n"
        ));
        assert_eq!(p.new_text, "Voir ci-dessous.", "{separator}");
        assert_eq!(p.older, vec!["Bonjour"], "{separator}");
    }
}

#[test]
fn apple_mail_and_ios_fr() {
    // Apple Mail puts the attribution inside the quote.
    let p = split_reply(
        "Oui, je suis disponible.\n\nEnvoyé de mon iPhone\n\n> Le 5 déc. 2026 à 14:03, Marie Tremblay <m@x.ca> a écrit :\n> \n> Êtes-vous disponible ?\n",
    );
    assert_eq!(p.new_text, "Oui, je suis disponible.");
    assert_eq!(p.older, vec!["Êtes-vous disponible ?"]);

    let p = split_reply(
        "ACCEPTER\n\nEnvoyé de mon iPhone\n\nLe 5 déc. 2026 à 14:03, Marie Tremblay <m@x.ca> a écrit :\n\n> Êtes-vous disponible ?\n",
    );
    assert_eq!(p.new_text, "ACCEPTER");
    assert_eq!(p.older, vec!["Êtes-vous disponible ?"]);
}

#[test]
fn android_fr() {
    let p = split_reply(
        "ACCEPTER\n\nEnvoyé depuis mon appareil Galaxy\n\n-------- Message d'origine --------\nDe : Relais <relais@bi.example>\nDate : 2026-12-05 14:03 (GMT-05:00)\nÀ : marie@x.ca\nObjet : Offre\n\nUne offre.\n",
    );
    assert_eq!(p.new_text, "ACCEPTER");
    assert_eq!(p.older, vec!["Une offre."]);

    let p = split_reply(
        "Ok\n\nEnvoyé de mon appareil Android\n\nLe jeu. 5 déc. 2026 à 14:03, Relais <relais@bi.example> a écrit :\n> Offre\n",
    );
    assert_eq!(p.new_text, "Ok");
}

#[test]
fn thunderbird_fr_bottom_post() {
    let p = split_reply(
        "Le 05/12/2026 à 14:03, Marie Tremblay a écrit :\n> Pouvez-vous venir ?\nOui.\n\n-- \nJean Interprète\n514 555-0000\n",
    );
    assert_eq!(p.new_text, "Oui.");
    assert_eq!(p.older, vec!["Pouvez-vous venir ?"]);
}

#[test]
fn interleaved_replies() {
    let p = split_reply(
        "Le jeu. 5 déc. 2026 à 14:03, Relais <relais@bi.example> a écrit :\n> Question 1 ?\nRéponse 1\n\n> Question 2 ?\n>\nRéponse 2\n\n--\nMarie\n",
    );
    assert_eq!(p.new_text, "Réponse 1\n\nRéponse 2");
    assert_eq!(p.older, vec!["Question 1 ?", "Question 2 ?"]);

    // Without an attribution, and with a greeting on top.
    let p = split_reply("Bonjour,\n> a\nb\n> c\nd\n");
    assert_eq!(p.new_text, "Bonjour,\n\nb\n\nd");
    assert_eq!(p.older, vec!["a", "c"]);

    // Once an Outlook block starts, the rest is older even if unquoted.
    let p = split_reply(
        "> a\nb\n\nFrom: Relais\nSent: Thursday, December 5, 2026 2:03 PM\nTo: Marie\nSubject: Offer\n\nc\n> d\n",
    );
    assert_eq!(p.new_text, "b");
    assert_eq!(p.older, vec!["a", "c\nd"]);
}

#[test]
fn top_post_with_trailing_disclaimer_stays_top_post() {
    let p = split_reply(
        "ACCEPTER\n\nLe jeu. 5 déc. 2026 à 14:03, Relais <relais@bi.example> a écrit :\n> Offre\n\nAVIS DE CONFIDENTIALITÉ : ce message est confidentiel.\n",
    );
    assert_eq!(p.new_text, "ACCEPTER");
    assert!(p.older[0].starts_with("Offre"));
}

#[test]
fn form_values_typed_inside_the_quote() {
    let p = split_reply(
        "Voir plus bas.\n\nLe jeu. 5 déc. 2026 à 14:03, Relais <relais@bi.example> a écrit :\n> Type de demande : en personne\n> Date : 2026-12-05\n> Heure : [HH:MM] 14:30\n",
    );
    assert_eq!(p.new_text, "Voir plus bas.");
    assert!(p.older[0].contains("Date : 2026-12-05"));
    assert!(p.older[0].lines().all(|l| !l.starts_with('>')));

    // A form at the top is new text, not an Outlook block.
    let p = split_reply("Type de demande : vidéo\nDate : 2026-12-05\nHeure : 14:30\nDurée : 90\n");
    assert_eq!(
        p.new_text,
        "Type de demande : vidéo\nDate : 2026-12-05\nHeure : 14:30\nDurée : 90"
    );
    assert!(p.older.is_empty());
}

#[test]
fn nested_quotes_are_split_newest_first() {
    let p = split_reply(
        "Réponse\n\nLe 6 déc. 2026 à 09:00, Relais <relais@bi.example> a écrit :\n> Merci.\n>\n> Le 5 déc. 2026 à 14:03, Marie <m@x.ca> a écrit :\n>> Date : 2026-12-05\n>> > Heure : 14:30\n",
    );
    assert_eq!(p.new_text, "Réponse");
    assert_eq!(p.older, vec!["Merci.", "Date : 2026-12-05", "Heure : 14:30"]);
}

#[test]
fn signatures() {
    assert_eq!(split_reply("Oui\n-- \nMarie\n").new_text, "Oui");
    assert_eq!(split_reply("Oui\n--\nMarie\n").new_text, "Oui");
    assert_eq!(split_reply("Oui -- Marie\n").new_text, "Oui -- Marie");
    assert_eq!(split_reply("Oui\n---\nMarie").new_text, "Oui\n---\nMarie");
}

#[test]
fn mobile_footers_near_the_end() {
    for footer in [
        "Envoyé de mon iPhone",
        "Envoyé de mon iPad",
        "Sent from my iPhone",
        "Sent from my iPad",
        "Envoyé de mon appareil Android",
        "Envoyé depuis mon appareil Android",
        "Sent from my Android",
        "Sent from my Samsung Galaxy smartphone.",
        "Sent from my BlackBerry",
        "Obtenir Outlook pour iOS",
        "Obtenir Outlook pour Android",
        "Get Outlook for iOS",
        "Get Outlook for Android",
        "Sent from Mail for Windows",
        "Envoyé à partir de Courrier pour Windows",
        "Sent from Yahoo Mail",
        "Sent from my mobile device",
        "Sent from my Huawei phone",
        "Envoyé de mon téléphone Huawei",
        // Other languages (languages::FOOTERS).
        "Verzonden vanaf mijn iPhone",
        "Outlook voor iOS downloaden",
        "Von meinem iPhone gesendet",
        "Von meinem Samsung Galaxy Smartphone gesendet.",
        "Outlook für Android beziehen",
        "Enviado desde mi iPhone",
        "Obtener Outlook para iOS",
        "Inviato da iPhone",
        "Inviato dal mio dispositivo Galaxy",
        "Enviado do meu iPhone",
        "Wysłane z iPhone'a",
        "Отправлено с iPhone",
        "Skickat från min iPhone",
        "Sendt fra min iPhone",
        "Lähetetty iPhonesta",
        "iPhone'umdan gönderildi",
        "أُرسلت من الـ iPhone",
        "发自我的iPhone",
        "iPhoneから送信",
    ] {
        let p = split_reply(&format!("  ACCEPTER  \n\n\n{footer}\n\n"));
        assert_eq!(p.new_text, "  ACCEPTER", "{footer}");
    }
    // Higher up, such a line is something the person wrote.
    let p = split_reply("Sent from my iPhone\none\ntwo\nthree\nfour");
    assert!(p.new_text.starts_with("Sent from my iPhone"));
    // Not a footer: a sentence.
    for sentence in [
        "Sent from my office, which is closer to the hospital.",
        "Von meinem Büro aus gesendet, weil das Telefon nicht geht.",
        "Inviato da Marco ieri sera, ma senza la data.",
        "Enviado desde mi oficina: el formulario firmado.",
    ] {
        assert_eq!(split_reply(sentence).new_text, sentence);
    }
}

#[test]
fn lines_that_look_like_attributions_but_are_not() {
    for text in [
        "On Monday I will be there.\nOn verra.",
        "Le rendez-vous est à 14:00.\nLe 5 déc. 2026 ça me va.",
        "Le patient a écrit :\nrien",
        "On 5 Dec I can do:\n- 14:00\n- 15:00",
    ] {
        let p = split_reply(text);
        assert_eq!(p.new_text, text);
        assert!(p.older.is_empty());
    }
}

#[test]
fn blank_lines_and_trimming() {
    let p = split_reply("\n\n  \nLine one   \n\n\n\nLine two\t\n\n");
    assert_eq!(p.new_text, "Line one\n\nLine two");
    assert_eq!(split_reply(""), ReplyParts::default());
    assert_eq!(split_reply(">"), ReplyParts::default());
    assert_eq!(split_reply("\r\r\n"), ReplyParts::default());
}

#[test]
fn plain_text_hostile_inputs() {
    let huge_line = "a".repeat(1 << 20);
    assert_eq!(split_reply(&huge_line).new_text.len(), MAX_TEXT_BYTES);
    let quotes = ">".repeat(5_000) + " x\n" + &"> ".repeat(3_000) + "y";
    let p = split_reply(&quotes);
    assert!(p.new_text.is_empty());
    assert!(p.older.concat().contains('x'));
    // Many attributions in a row stay linear (cached scan).
    let many = "On 1 Jan 2020, X wrote:\n> q\n".repeat(5_000) + "t\n";
    assert_eq!(split_reply(&many).new_text, "t");
    // Thousands of header-like lines and rules.
    let headers = "From: a\nSent: b\nTo: c\n_____\n".repeat(5_000);
    let _ = split_reply(&headers);
    // A multi-byte char at the cut.
    let text = "é".repeat(MAX_TEXT_BYTES);
    assert!(split_reply(&text).new_text.len() <= MAX_TEXT_BYTES);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..300 {
        let len = (round * 53) % 4_000;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                const PICK: &[u8] = b"> \n-_:@<Le On wrote a crit 2026 14:03 From De Sent To";
                if rng.is_multiple_of(4) {
                    (rng >> 8) as u8
                } else {
                    PICK[(rng >> 16) as usize % PICK.len()]
                }
            })
            .collect();
        let _ = split_reply(&String::from_utf8_lossy(&bytes));
    }
}

// --- Other languages (docs/inbound-mail.md, "Quoted text") ----------------

#[test]
fn header_labels_mean_one_kind_in_every_language() {
    // Building the table checks it (a debug assertion names the clash).
    assert!(super::super::markers::header_label_count() > 60);
}

#[test]
fn attributions_in_other_languages() {
    for attribution in [
        "Op do 10 dec. 2026 om 09:12 schreef Marie <m@x.example>:",
        "Am Do., 10. Dez. 2026 um 09:12 Uhr schrieb Marie <m@x.example>:",
        "El jue, 10 dic 2026 a las 9:12, Marie (<m@x.example>) escribió:",
        "Il giorno gio 10 dic 2026 alle ore 09:12 Marie <m@x.example> ha scritto:",
        "W dniu 10.12.2026 o 09:12, Marie pisze:",
        "10.12.2026 9:12, Мария <m@x.example> написал(а):",
        "Den tors 10 dec. 2026 kl 09:12 skrev Marie <m@x.example>:",
        "Marie <m@x.example> skrev 10. des. 2026 kl. 09:12:",
        "Em qui., 10 de dez. de 2026 às 09:12, Marie <m@x.example> escreveu:",
        "to 10. jouluk. 2026 klo 9.12 Marie (<m@x.example>) kirjoitti:",
        "Marie <m@x.example> kirjoitti 10.12.2026 kello 9.12:",
        "Marie <m@x.example>, 10 Ara 2026 Per, 09:12 tarihinde şunu yazdı:",
        "في الخميس، 10 ديسمبر 2026 في 9:12 ص، كتب Marie <m@x.example>:",
        "Marie <m@x.example> 于2026年12月10日周四 09:12写道：",
        "2026/12/10 9:12、Marie <m@x.example>さんは書きました:",
        // HCL Notes: a hierarchical name, with or without its domain.
        "Marie Roy/Cliniques/CIUSSS@CIUSSS wrote on 03/12/2026 10:15:",
        "Marie Roy/Cliniques/CIUSSS wrote on 03/12/2026 10:15:",
        "Marie Roy/Cliniques/CIUSSS a écrit le 03/12/2026 10:15 :",
    ] {
        // Top posting, with the original unquoted (Outlook for Mac, iOS) or quoted.
        for original in ["Bonjour", "> Bonjour"] {
            let p = split_reply(&format!("Oui.\n\n{attribution}\n\n{original}\n"));
            assert_eq!(p.new_text, "Oui.", "{attribution}");
            assert_eq!(p.older, vec!["Bonjour"], "{attribution}");
        }
    }
}

#[test]
fn separators_in_other_languages() {
    for separator in [
        "-----Oorspronkelijk bericht-----",
        "-----Ursprüngliche Nachricht-----",
        "-----Mensaje original-----",
        "-----Messaggio originale-----",
        "-----Mensagem original-----",
        "-----Ursprungligt meddelande-----",
        "-----Original meddelelse-----",
        "-----Opprinnelig melding-----",
        "-----Wiadomość oryginalna-----",
        "-----Исходное сообщение-----",
        "-----Alkuperäinen viesti-----",
        "-----Özgün İleti-----",
        "-----元のメッセージ-----",
        "------------------ 原始邮件 ------------------",
        "-----الرسالة الأصلية-----",
        "*--- Original Message ---*",
    ] {
        let p = split_reply(&format!("Ok.\n\n{separator}\nVon: Marie <m@x>\n\nBonjour\n"));
        assert_eq!(p.new_text, "Ok.", "{separator}");
        assert_eq!(p.older, vec!["Bonjour"], "{separator}");
    }
}

#[test]
fn header_blocks_in_chinese_japanese_and_arabic() {
    for block in [
        "发件人： Marie <m@x>\n发送时间： 2026年12月10日 9:12\n收件人： Paul\n主题： 预约",
        "差出人: Marie <m@x>\n送信日時: 2026年12月10日 9:12\n宛先: Paul\n件名: 依頼",
        "من: Marie <m@x>\nتاريخ الإرسال: 10 ديسمبر 2026\nإلى: Paul\nالموضوع: موعد",
    ] {
        let p = split_reply(&format!(
            "Oui.\n\n________________________________\n{block}\n\nBonjour\n"
        ));
        assert_eq!(p.new_text, "Oui.", "{block}");
        assert_eq!(p.older, vec!["Bonjour"], "{block}");
    }
}

#[test]
fn words_of_other_languages_in_the_persons_text_are_kept() {
    for text in [
        "Op 3 december om 14:00 schreef de arts het volgende:\n- tolk Pools",
        "Den 3 december skrev läkaren:\ntolk behövs",
        "Am Montag um 14:00 schrieb die Ärztin:\nDolmetscher nötig",
        "El paciente escribió:\nnecesito intérprete",
        "Lääkäri kirjoitti:\ntulkki tarvitaan",
        "Van: 9:30 uur\nAan: de balie",
        "Von: 9 Uhr\nAn: 11 Uhr\nOrt: Station 4",
        "De : 9 h\nÀ : 11 h",
        "The patient wrote\nthat she is late.",
        "The nurse wrote on 03/12/2026 10:15:\nthe room changed.",
        "Pédiatrie/Urgences a écrit le 03/12/2026 10:15 :\nrien de neuf",
        "من: 9:00\nإلى: 11:00",
        "日期：12月10日\n主题：口译",
        "On 5 Dec 2026 the clerk wrote\nthe wrong room.",
    ] {
        let p = split_reply(text);
        assert_eq!(p.new_text, text);
        assert!(p.older.is_empty(), "{text}");
    }
}

#[test]
fn many_foreign_attributions_stay_linear() {
    let many = "Am 1.1.2020 um 10:00 schrieb X:\n> q\n".repeat(5_000) + "t\n";
    assert_eq!(split_reply(&many).new_text, "t");
    let lines = "Op 3 december om 14:00 schreef de arts het volgende:\n".repeat(20_000);
    assert_eq!(split_reply(&lines).older.len(), 0);
}
