//! The pure rules of a pre-visit's time.

use time::{Duration, OffsetDateTime, Time};

/// The shortest and longest pre-visit, minutes.
pub const MINUTES: std::ops::RangeInclusive<i64> = 15..=240;

/// A visit's local times on its date (whole minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub starts: Time,
    pub ends: Time,
}

impl Span {
    /// `minutes` (within [`MINUTES`]) from `starts`, if it ends the day it
    /// starts.
    pub fn from_start(starts: Time, minutes: i64) -> Option<Self> {
        if !MINUTES.contains(&minutes) {
            return None;
        }
        let end = i64::from(starts.hour()) * 60 + i64::from(starts.minute()) + minutes;
        let hour = u8::try_from(end / 60).ok().filter(|h| *h < 24)?;
        let minute = u8::try_from(end % 60).ok()?;
        let ends = Time::from_hms(hour, minute, 0).ok()?;
        (ends > starts).then_some(Self { starts, ends })
    }
}

/// A visit as instants: what "apart" is measured in, so a change of the
/// clocks between two visits never brings them together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instants {
    pub starts: OffsetDateTime,
    pub ends: OffsetDateTime,
}

impl Instants {
    /// Whether the two visits are at least `gap` minutes apart (one ends
    /// `gap` before the other starts): parties must not meet arriving or
    /// leaving, so another party's visit keeps this distance either side.
    pub fn apart(&self, other: &Instants, gap: i64) -> bool {
        let gap = Duration::minutes(gap);
        let before = other.starts - self.ends >= gap;
        let after = self.starts - other.ends >= gap;
        before || after
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, time};

    fn at(starts: OffsetDateTime, minutes: i64) -> Instants {
        Instants {
            starts,
            ends: starts + Duration::minutes(minutes),
        }
    }

    #[test]
    fn visits_keep_the_gap_either_side() {
        let ten = at(datetime!(2026-12-12 10:00 UTC), 45);
        // 10:45 end; the next may start at 11:00 with a 15-minute gap.
        assert!(ten.apart(&at(datetime!(2026-12-12 11:00 UTC), 30), 15));
        assert!(!ten.apart(&at(datetime!(2026-12-12 10:59 UTC), 30), 15));
        // Before: 09:00 to 09:45, gap 15 to 10:00.
        assert!(ten.apart(&at(datetime!(2026-12-12 9:00 UTC), 45), 15));
        assert!(!ten.apart(&at(datetime!(2026-12-12 9:00 UTC), 50), 15));
        // Overlapping never keeps any gap.
        assert!(!ten.apart(&at(datetime!(2026-12-12 10:15 UTC), 15), 0));
        // Symmetric.
        let a = at(datetime!(2026-12-12 13:00 UTC), 60);
        let b = at(datetime!(2026-12-12 14:20 UTC), 30);
        assert_eq!(a.apart(&b, 20), b.apart(&a, 20));
        // Another day is apart.
        assert!(ten.apart(&at(datetime!(2026-12-13 10:00 UTC), 45), 15));
    }

    #[test]
    fn a_visit_is_whole_minutes_within_the_day_and_its_limits() {
        assert!(Span::from_start(time!(23:30), 45).is_none());
        assert!(Span::from_start(time!(23:00), 45).is_some());
        assert!(Span::from_start(time!(10:00), 14).is_none());
        assert!(Span::from_start(time!(10:00), 241).is_none());
        // No overflow, however long.
        assert!(Span::from_start(time!(10:00), i64::MAX).is_none());
        assert!(Span::from_start(time!(10:00), i64::MIN).is_none());
    }
}
