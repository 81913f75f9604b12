//! A party's sessions as iCalendar (RFC 5545): pure, from the redacted
//! views the party's own list gives, so the feed shows nothing more.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::sessions::contact::dto::ContactSessionResponse;
use crate::sessions::contact::{ContactSessionStatus, WindowKind};

/// Escapes text for an iCalendar value.
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\r', "")
        .replace('\n', "\\n")
}

/// An RFC 3339 instant as iCalendar's UTC form (`20261219T100000Z`).
fn utc(rfc3339: &str) -> String {
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .map(|t| {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_default()
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a
/// character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

/// The calendar of `sessions`, each as its party may see it; `venues`
/// names each venue id.
pub fn calendar(
    sessions: &[ContactSessionResponse],
    venue_name: impl Fn(uuid::Uuid) -> String,
    now: OffsetDateTime,
) -> String {
    let stamp = utc(&now.format(&Rfc3339).unwrap_or_default());
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Child contact centres//Contact sessions//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "X-WR-CALNAME:Contact sessions".to_owned(),
    ];
    for s in sessions {
        let own = |kind| s.windows.iter().find(|w| w.kind == kind);
        // The party's own times where they are shown; else the opening
        // session's.
        let (starts, ends) = match (own(WindowKind::Arrives), own(WindowKind::Leaves)) {
            (Some(a), Some(l)) => (a.starts_at.clone(), l.ends_at.clone()),
            _ => (s.starts_at.clone(), s.ends_at.clone()),
        };
        let mut about: Vec<String> = s
            .windows
            .iter()
            .map(|w| {
                let what = match w.kind {
                    WindowKind::Arrives => "Arrive",
                    WindowKind::Leaves => "Leave or collect",
                };
                format!(
                    "{what} on {} between {} and {} by the {}",
                    w.date, w.starts, w.ends, w.entrance
                )
            })
            .collect();
        if let Some(link) = &s.meeting_link {
            about.push(format!("Join at {link}"));
        }
        if let Some(place) = &s.place {
            about.push(format!("Meet at {place}"));
        }
        let cancelled = s.status == ContactSessionStatus::Cancelled;
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}@contact-sessions", s.id),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART:{}", utc(&starts)),
            format!("DTEND:{}", utc(&ends)),
            "SUMMARY:Contact session".to_owned(),
            format!("LOCATION:{}", text(&venue_name(s.venue_id))),
            format!("DESCRIPTION:{}", text(&about.join("\n"))),
            format!(
                "STATUS:{}",
                if cancelled { "CANCELLED" } else { "CONFIRMED" }
            ),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_folded() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let long = format!("DESCRIPTION:{}", "é".repeat(60));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
    }

    #[test]
    fn instants_are_written_in_utc() {
        assert_eq!(utc("2027-03-27T10:00:00Z"), "20270327T100000Z");
        assert_eq!(utc("2027-04-03T10:00:00+01:00"), "20270403T090000Z");
    }
}
