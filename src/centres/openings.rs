//! Weekly opening sessions expanded into dated openings, closures left out.

use crate::vocabulary::VenueId;
use time::{Date, Duration};

use super::model::{Closure, OpeningSession};
use crate::vocabulary::Weekday;

/// The longest range one request may expand (about three months).
pub const MAX_DAYS: i64 = 92;

/// One opening session on one date.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    pub date: Date,
    pub session: &'a OpeningSession,
}

/// Every date in `[from, to]` on which a slot is in effect and neither its venue
/// nor the whole centre is closed, in date then start-time order.
pub fn expand<'a>(
    sessions: &'a [OpeningSession],
    closures: &[Closure],
    from: Date,
    to: Date,
) -> Vec<Opening<'a>> {
    let mut openings = Vec::new();
    let mut date = from;
    while date <= to {
        let weekday = Weekday::of(date).iso();
        for session in sessions.iter().filter(|s| {
            s.weekday == weekday
                && s.effective_from <= date
                && s.effective_to.is_none_or(|end| date <= end)
                && !closed(closures, s.venue_id, date)
        }) {
            openings.push(Opening { date, session });
        }
        date = match date.checked_add(Duration::days(1)) {
            Some(next) => next,
            None => break,
        };
    }
    openings.sort_by(|a, b| {
        (a.date, a.session.starts_at, a.session.venue_id).cmp(&(
            b.date,
            b.session.starts_at,
            b.session.venue_id,
        ))
    });
    openings
}

/// A closure of the venue, or of the whole centre (no venue), covers the date.
fn closed(closures: &[Closure], venue_id: VenueId, date: Date) -> bool {
    closures.iter().any(|c| {
        c.starts_on <= date && date <= c.ends_on && c.venue_id.is_none_or(|v| v == venue_id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{CentreId, ClosureId, OpeningSessionId, ServiceType, VenueId};
    use time::macros::{date, datetime, time};
    use uuid::Uuid;

    fn session(
        venue_id: VenueId,
        weekday: Weekday,
        from: Date,
        to: Option<Date>,
    ) -> OpeningSession {
        OpeningSession {
            id: OpeningSessionId::new(),
            centre_id: CentreId(Uuid::nil()),
            venue_id,
            weekday: weekday.iso(),
            starts_at: time!(10:00),
            ends_at: time!(12:00),
            room: "Main hall".into(),
            capacity: 8,
            services: vec![ServiceType::Supported],
            effective_from: from,
            effective_to: to,
            created_at: datetime!(2026-01-01 0:00 UTC),
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    fn closure(venue_id: Option<VenueId>, starts_on: Date, ends_on: Date) -> Closure {
        Closure {
            id: ClosureId::new(),
            centre_id: CentreId(Uuid::nil()),
            venue_id,
            starts_on,
            ends_on,
            reason: "Bank holiday".into(),
            created_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    #[test]
    fn saturdays_in_december_without_the_christmas_closure() {
        let (hall, chapel) = (VenueId::new(), VenueId::new());
        let sessions = [
            session(hall, Weekday::Saturday, date!(2026 - 01 - 01), None),
            // Ends mid-month.
            session(
                chapel,
                Weekday::Saturday,
                date!(2026 - 01 - 01),
                Some(date!(2026 - 12 - 12)),
            ),
        ];
        let closures = [
            // The whole centre over Christmas.
            closure(None, date!(2026 - 12 - 24), date!(2027 - 01 - 01)),
            // The hall alone on 5 December.
            closure(Some(hall), date!(2026 - 12 - 05), date!(2026 - 12 - 05)),
        ];
        let openings = expand(
            &sessions,
            &closures,
            date!(2026 - 12 - 01),
            date!(2026 - 12 - 31),
        );
        let got: Vec<(Date, VenueId)> = openings
            .iter()
            .map(|o| (o.date, o.session.venue_id))
            .collect();
        let mut expected = vec![
            (date!(2026 - 12 - 05), chapel),
            (date!(2026 - 12 - 12), hall),
            (date!(2026 - 12 - 12), chapel),
            (date!(2026 - 12 - 19), hall),
        ];
        expected.sort_by_key(|(d, v)| (*d, *v));
        let mut got_sorted = got.clone();
        got_sorted.sort_by_key(|(d, v)| (*d, *v));
        assert_eq!(got_sorted, expected);
        assert!(openings.windows(2).all(|w| w[0].date <= w[1].date));
    }

    #[test]
    fn a_slot_that_starts_later_is_not_expanded_before_it_starts() {
        let venue = VenueId::new();
        let sessions = [session(
            venue,
            Weekday::Wednesday,
            date!(2026 - 12 - 10),
            None,
        )];
        let openings = expand(&sessions, &[], date!(2026 - 12 - 01), date!(2026 - 12 - 20));
        let dates: Vec<Date> = openings.iter().map(|o| o.date).collect();
        assert_eq!(dates, [date!(2026 - 12 - 16)]);
    }
}
