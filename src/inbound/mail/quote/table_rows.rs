//! Rows of two cells read as one line, « label : value »: a person replying in HTML may
//! fill the form in a two-column table (Outlook does so when the form is pasted into a
//! table), and the text converter puts each cell on a line of its own, which the form
//! reader cannot pair. Only rows of exactly two cells whose first one has text are joined;
//! a row of one cell, of three or more, or holding a table of its own is left as it is.
//! One pass over the tags ([`super::markup::pieces`]), linear in the size of the markup.

use super::markup::{pieces, strip_tags};
use std::borrow::Cow;

/// A byte span of the markup: start, end.
type Span = (usize, usize);

/// A row to write as one line: the whole row, and its two cells' content.
struct Rewrite {
    row: Span,
    first: Span,
    second: Span,
}

/// A row being read: where it starts in the markup, and its cells' content spans.
struct Row {
    start: usize,
    /// Byte spans of each cell's content in the markup.
    cells: Vec<Span>,
    /// The content start of the cell open now, if one is.
    open_cell: Option<usize>,
    /// The row holds a table of its own: left as it is.
    nested: bool,
}

/// `html` with each row of two cells turned into `<div>label : value</div>`.
pub(super) fn join_two_cell_rows(html: &str) -> Cow<'_, str> {
    let lower = html.to_ascii_lowercase();
    let mut rewrites: Vec<Rewrite> = Vec::new();
    // One open row per open table, innermost last.
    let mut rows: Vec<Option<Row>> = Vec::new();
    for tag in pieces(&lower).filter_map(|piece| piece.tag) {
        let start = tag.start;
        match (tag.name, tag.closing) {
            ("table", false) => {
                if let Some(Some(row)) = rows.last_mut() {
                    row.nested = true;
                }
                rows.push(None);
            }
            ("table", true) => {
                if let Some(row) = rows.pop().flatten() {
                    finish(html, row, start, start, &mut rewrites);
                }
            }
            ("tr", false) => {
                if let Some(slot) = rows.last_mut() {
                    if let Some(row) = slot.take() {
                        finish(html, row, start, start, &mut rewrites);
                    }
                    *slot = Some(Row {
                        start,
                        cells: Vec::new(),
                        open_cell: None,
                        nested: false,
                    });
                }
            }
            ("tr", true) => {
                if let Some(slot) = rows.last_mut()
                    && let Some(row) = slot.take()
                {
                    finish(html, row, start, tag.end, &mut rewrites);
                }
            }
            ("td" | "th", closing) => {
                if let Some(Some(row)) = rows.last_mut() {
                    if let Some(from) = row.open_cell.take() {
                        row.cells.push((from, start));
                    }
                    if !closing {
                        row.open_cell = Some(tag.end);
                    }
                }
            }
            _ => {}
        }
    }
    if rewrites.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + rewrites.len() * 16);
    let mut copied = 0;
    for Rewrite { row, first, second } in rewrites {
        let (row_start, row_end) = row;
        let label = strip_tags(&html[first.0..first.1]);
        let separator = if label.trim_end().ends_with(':') { " " } else { " : " };
        out.push_str(&html[copied..row_start]);
        out.push_str("<tr><td><div>");
        out.push_str(&html[first.0..first.1]);
        out.push_str(separator);
        out.push_str(&html[second.0..second.1]);
        out.push_str("</div></td></tr>");
        copied = row_end;
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// Ends `row` (its last cell at `cell_end`, the row at `row_end`), and keeps it for
/// rewriting when it is two cells whose first has text.
fn finish(html: &str, mut row: Row, cell_end: usize, row_end: usize, rewrites: &mut Vec<Rewrite>) {
    if let Some(from) = row.open_cell.take() {
        row.cells.push((from, cell_end.max(from)));
    }
    if row.nested || row.cells.len() != 2 {
        return;
    }
    let (first, second) = (row.cells[0], row.cells[1]);
    if strip_tags(&html[first.0..first.1]).trim().is_empty() {
        return;
    }
    rewrites.push(Rewrite {
        row: (row.start, row_end),
        first,
        second,
    });
}

#[cfg(test)]
mod tests {
    use super::join_two_cell_rows;
    use crate::inbound::mail::quote::html_to_text;

    #[test]
    fn a_form_in_a_two_column_table_reads_as_label_and_value_lines() {
        let html = "<p>Voici ma demande</p><table><tr><td>Date du service :</td><td>2026-03-09</td></tr>\
                    <tr><td><b>Heure du service</b></td><td>10 h 00</td></tr>\
                    <tr><th>Durée</th><td>1 h 30</td></tr></table><p>Merci</p>";
        let text = html_to_text(html);
        for line in [
            "Date du service : 2026-03-09",
            "Heure du service : 10 h 00",
            "Durée : 1 h 30",
        ] {
            assert!(text.lines().any(|l| l.trim() == line), "{line:?} in {text:?}");
        }
        assert!(text.contains("Voici ma demande") && text.contains("Merci"), "{text:?}");
    }

    #[test]
    fn cells_without_end_tags_and_other_rows_are_read_as_they_are() {
        // No end tags, as old clients write them.
        let text = html_to_text("<table><tr><td>Langue d'arrivée<td>espagnol<tr><td>Lieu :<td>3e étage</table>");
        assert!(
            text.lines().any(|l| l.trim() == "Langue d'arrivée : espagnol"),
            "{text:?}"
        );
        assert!(text.lines().any(|l| l.trim() == "Lieu : 3e étage"), "{text:?}");
        // One cell, three cells, an image beside a name, a table in a cell: untouched.
        for html in [
            "<table><tr><td>Seule</td></tr></table>",
            "<table><tr><td>a</td><td>b</td><td>c</td></tr></table>",
            "<table><tr><td><img src=\"logo.png\"></td><td>Dre Tremblay</td></tr></table>",
            "<table><tr><td>Avant</td><td><table><tr><td>x</td><td>y</td></tr></table></td></tr></table>",
        ] {
            let joined = join_two_cell_rows(html);
            if html.contains("Avant") {
                // The inner row is two cells of its own and joins; the outer one does not.
                assert!(joined.contains("x : y") && !joined.contains("Avant : "), "{joined}");
            } else {
                assert_eq!(joined, html, "{html}");
            }
        }
    }

    #[test]
    fn a_long_table_is_read_in_one_pass() {
        let mut html = String::from("<table>");
        for i in 0..20_000 {
            html.push_str(&format!("<tr><td>Champ {i}</td><td>valeur {i}</td></tr>"));
        }
        html.push_str("</table>");
        let joined = join_two_cell_rows(&html);
        assert!(joined.contains("Champ 19999 : valeur 19999"));
    }
}
