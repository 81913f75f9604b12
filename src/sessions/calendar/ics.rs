//! A party's sessions as iCalendar (RFC 5545): pure, from the redacted
//! views the party's own list gives, so the feed shows nothing more.

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

/// An instant as iCalendar's UTC form (`20261219T100000Z`).
fn utc(at: OffsetDateTime) -> String {
    let t = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
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
    let stamp = utc(now);
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
            (Some(a), Some(l)) => (a.starts_at, l.ends_at),
            _ => (s.starts_at, s.ends_at),
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
            format!("DTSTART:{}", utc(starts.0)),
            format!("DTEND:{}", utc(ends.0)),
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
        assert_eq!(
            utc(time::macros::datetime!(2027-03-27 10:00 UTC)),
            "20270327T100000Z"
        );
        assert_eq!(
            utc(time::macros::datetime!(2027-04-03 10:00 +01:00)),
            "20270403T090000Z"
        );
    }
}
