//! The pure rules of a pre-visit's time.

use time::{Duration, Time};

/// The shortest and longest pre-visit, minutes.
pub const MINUTES: std::ops::RangeInclusive<i64> = 15..=240;

/// A visit's local times on its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub starts: Time,
    pub ends: Time,
}

impl Span {
    /// `minutes` from `starts`, if it ends the same day.
    pub fn from_start(starts: Time, minutes: i64) -> Option<Self> {
        let end = i64::from(starts.hour()) * 60 + i64::from(starts.minute()) + minutes;
        let hour = u8::try_from(end / 60).ok().filter(|h| *h < 24)?;
        let minute = u8::try_from(end % 60).ok()?;
        let ends = Time::from_hms(hour, minute, starts.second()).ok()?;
        (ends > starts).then_some(Self { starts, ends })
    }

    /// Whether the two visits are at least `gap` minutes apart (one ends
    /// `gap` before the other starts): parties must not meet arriving or
    /// leaving, so another party's visit keeps this distance either side.
    pub fn apart(&self, other: &Span, gap: i64) -> bool {
        let gap = Duration::minutes(gap);
        let before = other.starts - self.ends >= gap;
        let after = self.starts - other.ends >= gap;
        before || after
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::time;

    fn span(a: Time, minutes: i64) -> Span {
        Span::from_start(a, minutes).unwrap_or(Span { starts: a, ends: a })
    }

    #[test]
    fn visits_keep_the_gap_either_side() {
        let ten = span(time!(10:00), 45);
        // 10:45 end; the next may start at 11:00 with a 15-minute gap.
        assert!(ten.apart(&span(time!(11:00), 30), 15));
        assert!(!ten.apart(&span(time!(10:59), 30), 15));
        // Before: 09:00 to 09:45, gap 15 to 10:00.
        assert!(ten.apart(&span(time!(9:00), 45), 15));
        assert!(!ten.apart(&span(time!(9:00), 50), 15));
        // Overlapping never keeps any gap.
        assert!(!ten.apart(&span(time!(10:15), 15), 0));
        // Symmetric.
        let a = span(time!(13:00), 60);
        let b = span(time!(14:20), 30);
        assert_eq!(a.apart(&b, 20), b.apart(&a, 20));
    }

    #[test]
    fn a_visit_ends_the_day_it_starts() {
        assert!(Span::from_start(time!(23:30), 45).is_none());
        assert!(Span::from_start(time!(23:00), 45).is_some());
    }
}
