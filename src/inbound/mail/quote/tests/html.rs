//! HTML replies: Gmail, Outlook and Apple Mail markup, and malformed or hostile markup.

use super::super::html::ORIGINAL_MESSAGE_LINE;
use super::super::*;

#[test]
fn html_gmail_fr() {
    let html = r#"<div dir="ltr">ACCEPTER&nbsp;!<br><a href="https://example.org/x">le lien</a> &lt;ok&gt; <b>gras</b> <h1>Titre</h1></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Le jeu. 5 déc. 2026 à 14:03, Relais &lt;<a href="mailto:relais@bi.example">relais@bi.example</a>&gt; a écrit&nbsp;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div>Date&nbsp;: [AAAA-MM-JJ] 2026-12-05</div><blockquote>Plus ancien</blockquote></blockquote></div>"#;
    let text = html_to_text(html);
    assert!(text.contains("> Date : [AAAA-MM-JJ] 2026-12-05"), "{text}");
    assert!(text.contains("> > Plus ancien"), "{text}");
    assert!(!text.contains("**") && !text.contains("# ") && !text.contains("[1]"));
    assert!(!text.contains("https://example.org"));
    let p = split_reply(&text);
    assert_eq!(p.new_text, "ACCEPTER !\nle lien <ok> gras\n\nTitre");
    assert_eq!(p.older, vec!["Date : [AAAA-MM-JJ] 2026-12-05", "Plus ancien"]);
}

#[test]
fn html_outlook_fr_dividers() {
    let html = r#"<html><head><style>p {margin:0}</style></head><body><div>Je confirme.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>De&nbsp;:</b> Relais &lt;relais@bi.example&gt;<br><b>Envoyé&nbsp;:</b> jeudi 5 décembre 2026 14:03<br><b>À&nbsp;:</b> Marie<br><b>Objet&nbsp;:</b> Offre</font><div>&nbsp;</div></div><div>Une offre pour le 2026-12-05.</div></body></html>"#;
    let text = html_to_text(html);
    assert_eq!(text.matches(ORIGINAL_MESSAGE_LINE).count(), 1, "{text}");
    let p = split_reply(&text);
    assert_eq!(p.new_text, "Je confirme.");
    assert_eq!(p.older, vec!["Une offre pour le 2026-12-05."]);

    // Outlook desktop: a border-top div before the "De :" block.
    let html = r#"<div class=WordSection1><p class=MsoNormal>Oui<o:p></o:p></p><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>De&nbsp;:</b> Relais<br><b>Envoyé&nbsp;:</b> 5 décembre 2026 14:03<br><b>À&nbsp;:</b> Marie<br><b>Objet&nbsp;:</b> Offre</p></div><p>Une offre.</p></div>"#;
    let p = split_reply(&html_to_text(html));
    assert_eq!(p.new_text, "Oui");
    assert_eq!(p.older, vec!["Une offre."]);

    // A border-top that is not followed by a header is not a divider.
    let html = r#"<div>Oui</div><div style="border-top:1px solid #ccc">Marie Tremblay, inf.</div>"#;
    let p = split_reply(&html_to_text(html));
    assert_eq!(p.new_text, "Oui\nMarie Tremblay, inf.");
}

#[test]
fn html_apple_mail_and_outlook_2003_fr() {
    let html = r#"<html><body dir="auto">Oui, disponible.<br><br><div dir="ltr">Envoyé de mon iPhone</div><div dir="ltr"><br><blockquote type="cite">Le 5 déc. 2026 à 14:03, Marie Tremblay &lt;m@x.ca&gt; a écrit&nbsp;:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">Heure&nbsp;: 14:30</div></blockquote></body></html>"#;
    let p = split_reply(&html_to_text(html));
    assert_eq!(p.new_text, "Oui, disponible.");
    assert_eq!(p.older, vec!["Heure : 14:30"]);

    let html = r#"<div class=Section1><p class=MsoNormal>Refuser<o:p></o:p></p><div><div class=MsoNormal align=center style='text-align:center'><hr size=2 width="100%" align=center></div><p class=MsoNormal><b><span style='font-weight:bold'>De&nbsp;:</span></b> Relais<br><b>Envoy&eacute;&nbsp;:</b> 5 d&eacute;cembre 2026<br><b>&Agrave;&nbsp;:</b> Marie<br><b>Objet&nbsp;:</b> Offre</p></div><p class=MsoNormal>L'offre.</p></div>"#;
    let text = html_to_text(html);
    assert!(text.contains(ORIGINAL_MESSAGE_LINE), "{text}");
    let p = split_reply(&text);
    assert_eq!(p.new_text, "Refuser");
    assert_eq!(p.older, vec!["L'offre."]);

    // An <hr> before ordinary text is not a divider.
    let text = html_to_text("<div>Oui</div><hr><div>Merci</div>");
    assert!(!text.contains(ORIGINAL_MESSAGE_LINE), "{text}");
    assert_eq!(split_reply(&text).new_text, "Oui\nMerci");
}

#[test]
fn html_malformed_and_hostile() {
    let deep_divs = "<div>".repeat(20_000) + "x" + &"</div>".repeat(20_000);
    assert_eq!(html_to_text(&deep_divs).trim(), "x");
    let deep_quotes = "<blockquote>".repeat(5_000) + "x";
    let text = html_to_text(&deep_quotes);
    assert!(text.trim_end().ends_with("> x"));
    assert!(text.len() < 100, "{}", text.len());
    let unclosed = "<p>a<p>b<div><span><b>c".repeat(2_000);
    assert!(html_to_text(&unclosed).contains("b"));
    for html in [
        "",
        "<",
        "<<<>>>",
        "<!-- never closed",
        "<div title=\"never closed>x",
        "<style>p{}",
        "</div></blockquote></p>",
        "&#xFFFFFFFF; &#0; &#55296; &bogus; &",
        "<hr><hr><hr>",
        "<div style='border-top:solid'>",
        "<a href='x'>y</a",
        "<é><\u{0}>",
    ] {
        let _ = split_reply(&html_to_text(html));
    }
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for round in 0..200 {
        let len = 1 + (round * 37) % 3_000;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                const PICK: &[u8] = b"<>/=\"'!- \n>adiv pbrhq:&;#";
                if rng.is_multiple_of(3) {
                    (rng >> 8) as u8
                } else {
                    PICK[(rng >> 16) as usize % PICK.len()]
                }
            })
            .collect();
        let input = String::from_utf8_lossy(&bytes);
        let _ = split_reply(&html_to_text(&input));
        let _ = split_reply(&input);
    }
}

#[test]
fn dividers_before_header_blocks_in_every_language() {
    // The header labels of languages::HEADER_LABELS, after a bordered div or an `<hr>`.
    for (from, sent, to, subject) in [
        ("Od", "Wysłano", "Do", "Temat"),
        ("Da", "Inviato", "A", "Oggetto"),
        ("Van", "Verzonden", "Aan", "Onderwerp"),
        ("发件人", "发送时间", "收件人", "主题"),
        ("差出人", "送信日時", "宛先", "件名"),
    ] {
        let block = format!(
            "<b>{from}:</b> Relais<br><b>{sent}:</b> 10.12.2026 09:12<br><b>{to}:</b> Marie<br><b>{subject}:</b> Offre"
        );
        for divider in [
            format!(r#"<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p>{block}</p></div>"#),
            format!("<hr><p>{block}</p>"),
        ] {
            let text = html_to_text(&format!("<div>Tak.</div>{divider}<p>Une offre.</p>"));
            assert_eq!(text.matches(ORIGINAL_MESSAGE_LINE).count(), 1, "{text}");
            let p = split_reply(&text);
            assert_eq!(p.new_text, "Tak.", "{text}");
            assert_eq!(p.older, vec!["Une offre."], "{text}");
        }
    }
    // One label line after a rule is the person's text.
    let text = html_to_text("<div>Planning</div><hr><p>Van: 9:30 uur</p><p>tot de middag, dan naar huis.</p>");
    assert!(!text.contains(ORIGINAL_MESSAGE_LINE), "{text}");
    assert_eq!(
        split_reply(&text).new_text,
        "Planning\n\nVan: 9:30 uur\n\ntot de middag, dan naar huis."
    );
}
