//! A letter as a PDF document: plain text set in Helvetica on A4 pages,
//! wrapped and paginated, written once when the letter is sent and kept as
//! sent. PDF 1.4 with the standard font needs no font file; text goes in as
//! hex strings of WinAnsi bytes, so no character needs escaping.

use std::fmt::Write as _;

const PAGE_WIDTH: u32 = 595; // A4, points
const PAGE_HEIGHT: u32 = 842;
const MARGIN: u32 = 64;
const SIZE: u32 = 11;
const LEADING: u32 = 15;
/// Characters per line: Helvetica's average width at 11 pt fits about
/// this many within the margins.
const COLUMNS: usize = 84;

/// One character in WinAnsi (Windows-1252), the standard fonts' encoding;
/// what it lacks becomes `?`.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        _ => b'?',
    }
}

/// The text's lines wrapped at word boundaries to `COLUMNS` characters.
fn wrap(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let fits = line.chars().count() + word.chars().count() < COLUMNS;
            if !line.is_empty() && !fits {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            // A word longer than a line is cut.
            let mut rest: Vec<char> = word.chars().collect();
            while rest.len() > COLUMNS {
                lines.push(rest.drain(..COLUMNS).collect());
            }
            line.extend(rest);
        }
        lines.push(line);
    }
    lines
}

/// The letter's title and text as a PDF document.
pub fn render(title: &str, text: &str) -> Vec<u8> {
    let lines = wrap(text);
    let per_page = ((PAGE_HEIGHT - 2 * MARGIN) / LEADING) as usize - 2;
    let pages: Vec<&[String]> = match lines.is_empty() {
        true => vec![&[]],
        false => lines.chunks(per_page).collect(),
    };
    let hex = |s: &str| {
        s.chars().map(win_ansi).fold(String::new(), |mut h, b| {
            let _ = write!(h, "{b:02X}");
            h
        })
    };
    // Objects: 1 catalog, 2 pages, 3 font, 4 info, then a page and its
    // content for each page.
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 5 + 2 * i))
        .collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    );
    objects.push(format!(
        "<< /Title <FEFF{}> /Producer (ccc) >>",
        utf16_hex(title)
    ));
    for (i, page) in pages.iter().enumerate() {
        let mut content = format!(
            "BT /F1 {SIZE} Tf {LEADING} TL {MARGIN} {} Td\n",
            PAGE_HEIGHT - MARGIN
        );
        for line in page.iter() {
            let _ = writeln!(content, "<{}> Tj T*", hex(line));
        }
        content.push_str("ET");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(table, "{o:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

fn utf16_hex(s: &str) -> String {
    s.encode_utf16().fold(String::new(), |mut h, u| {
        let _ = write!(h, "{u:04X}");
        h
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_is_a_pdf_whose_cross_references_point_at_its_objects() {
        let text = "Dear Alex,\n\nYour first session is on Saturday 19 December 2026 — please arrive at 10:00.\n"
            .repeat(40);
        let pdf = render("Contact starts", &text);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let s = String::from_utf8_lossy(&pdf);
        // More than one page for a long letter.
        assert!(
            s.contains("/Count 3") || s.contains("/Count 2"),
            "{}",
            &s[..300]
        );
        // Every offset in the table points at "n 0 obj".
        let xref = s.find("xref\n").unwrap();
        for (i, line) in s[xref..]
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .enumerate()
        {
            let at: usize = line[..10].parse().unwrap();
            assert!(pdf[at..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
        // The text is there, as WinAnsi hex (the dash is 0x97).
        assert!(s.contains(
            &"Dear Alex,"
                .bytes()
                .map(|b| format!("{b:02X}"))
                .collect::<String>()
        ));
        assert!(s.contains("97"));
    }

    #[test]
    fn long_words_and_lines_wrap_within_the_margins() {
        let lines = wrap(&format!("{} end", "x".repeat(200)));
        assert!(lines.iter().all(|l| l.chars().count() <= COLUMNS));
        assert_eq!(
            lines.concat().replace(' ', ""),
            format!("{}end", "x".repeat(200))
        );
    }
}
