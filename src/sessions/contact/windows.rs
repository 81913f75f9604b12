//! The arrival and leaving windows of a contact session: pure, in minutes of
//! the local day at the venue.
//!
//! Where a family's parties must not meet (DOMAIN.md, "Do-not-meet"), the
//! resident party brings the child and leaves before the other party
//! arrives, and at the end the other party leaves before the resident party
//! returns, with the family's stagger minutes between them, each by their
//! own entrance where the venue has separate ones. No window of one such
//! family overlaps another such family's at the same entrance of the venue:
//! the calculator moves a family's arrivals later, or its leaving earlier,
//! in steps of [`STEP`] minutes, keeping at least [`MIN_CONTACT`] minutes of
//! contact, or refuses naming the window in the way.

/// How long each arrival or leaving window is, minutes.
pub const WINDOW: u16 = 10;
/// The steps windows move by, minutes.
pub const STEP: u16 = 5;
/// The least contact left once the windows moved, minutes: from the end of
/// the visiting party's arrival window to the start of their leaving one.
pub const MIN_CONTACT: u16 = 30;

/// A window: minutes of the day, at an entrance (an index into the venue's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub starts: u16,
    pub ends: u16,
    pub entrance: usize,
}

impl Window {
    /// Whether the two windows share an entrance and a minute.
    pub fn clashes(&self, other: &Window) -> bool {
        self.entrance == other.entrance && self.starts < other.ends && other.starts < self.ends
    }
}

/// A family's four windows at a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// The resident party brings the child.
    pub resident_arrives: Window,
    /// The other parties arrive.
    pub visiting_arrives: Window,
    /// The other parties leave.
    pub visiting_leaves: Window,
    /// The resident party collects the child.
    pub resident_returns: Window,
}

/// What the windows are fitted to.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    /// The opening session's start and end, minutes of the day.
    pub starts: u16,
    pub ends: u16,
    /// The family's stagger, minutes.
    pub gap: u16,
    /// How many entrances the venue has (at least one).
    pub entrances: usize,
    /// Whether the family's parties must not meet.
    pub keep_apart: bool,
}

/// Why no windows fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The opening session is too short for the family's stagger.
    TooShort,
    /// Another family's window is in the way however the windows move: the
    /// first one met (its time, never its family).
    Busy(Window),
}

/// The entrance the visiting parties use: another than the resident
/// party's where the venue has one.
fn visiting_entrance(fit: &Fit) -> usize {
    usize::from(fit.keep_apart && fit.entrances > 1)
}

/// The arrivals, `shift` minutes after the session starts.
fn arrivals(fit: &Fit, shift: u16) -> (Window, Window) {
    let resident = fit.starts + shift;
    let visiting = match fit.keep_apart {
        true => resident + WINDOW + fit.gap,
        false => resident,
    };
    (
        Window {
            starts: resident,
            ends: resident + WINDOW,
            entrance: 0,
        },
        Window {
            starts: visiting,
            ends: visiting + WINDOW,
            entrance: visiting_entrance(fit),
        },
    )
}

/// The leaving, `shift` minutes before the session ends.
fn leaving(fit: &Fit, shift: u16) -> (Window, Window) {
    let returns = fit.ends - shift - WINDOW;
    let leaves = match fit.keep_apart {
        true => returns - fit.gap - WINDOW,
        false => returns,
    };
    (
        Window {
            starts: leaves,
            ends: leaves + WINDOW,
            entrance: visiting_entrance(fit),
        },
        Window {
            starts: returns,
            ends: returns + WINDOW,
            entrance: 0,
        },
    )
}

/// The minutes the windows take at one end of the session.
fn span(fit: &Fit) -> u16 {
    match fit.keep_apart {
        true => 2 * WINDOW + fit.gap,
        false => WINDOW,
    }
}

/// The windows of a family at a session, clear of `busy` (other families'
/// windows kept apart at the venue), or why none fit. A family whose parties
/// may meet arrives and leaves together, at the session's ends, and is
/// never moved: only families kept apart are held apart.
pub fn fit(fit: &Fit, busy: &[Window]) -> Result<Windows, Refusal> {
    let length = fit.ends.saturating_sub(fit.starts);
    let least = 2 * span(fit) + MIN_CONTACT;
    if fit.ends <= fit.starts || length < least || fit.entrances == 0 {
        return Err(Refusal::TooShort);
    }
    // Room to move: what is left of the session beyond the windows and the
    // least contact, shared between the two ends.
    let room = length - least;
    let in_the_way = |w: &Window| busy.iter().find(|b| b.clashes(w)).copied();
    let clear = |pair: (Window, Window)| in_the_way(&pair.0).or_else(|| in_the_way(&pair.1));
    let mut first_busy = None;
    let mut shifts = (0..=room).step_by(usize::from(STEP));
    let arrive = loop {
        let Some(shift) = shifts.next() else {
            return Err(first_busy.map_or(Refusal::TooShort, Refusal::Busy));
        };
        let pair = arrivals(fit, shift);
        if !fit.keep_apart {
            break (shift, pair);
        }
        match clear(pair) {
            None => break (shift, pair),
            Some(b) => {
                first_busy.get_or_insert(b);
            }
        }
    };
    let mut first_busy = None;
    let mut shifts = (0..=room - arrive.0).step_by(usize::from(STEP));
    let leave = loop {
        let Some(shift) = shifts.next() else {
            return Err(first_busy.map_or(Refusal::TooShort, Refusal::Busy));
        };
        let pair = leaving(fit, shift);
        if !fit.keep_apart {
            break pair;
        }
        match clear(pair) {
            None => break pair,
            Some(b) => {
                first_busy.get_or_insert(b);
            }
        }
    };
    Ok(Windows {
        resident_arrives: arrive.1 .0,
        visiting_arrives: arrive.1 .1,
        visiting_leaves: leave.0,
        resident_returns: leave.1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so every run checks the
    /// same many cases and a failure names its seed.
    struct Cases(u64);

    impl Cases {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    fn all(w: &Windows) -> [Window; 4] {
        [
            w.resident_arrives,
            w.visiting_arrives,
            w.visiting_leaves,
            w.resident_returns,
        ]
    }

    fn random_case(c: &mut Cases) -> (Fit, Vec<Window>) {
        let starts = 8 * 60 + 5 * c.below(60) as u16;
        let fit = Fit {
            starts,
            ends: starts + 60 + 5 * c.below(40) as u16,
            gap: 5 * c.below(7) as u16,
            entrances: 1 + c.below(3) as usize,
            keep_apart: c.below(4) != 0,
        };
        let busy = (0..c.below(8))
            .map(|_| {
                let s = 7 * 60 + 5 * c.below(120) as u16;
                Window {
                    starts: s,
                    ends: s + WINDOW,
                    entrance: c.below(fit.entrances as u64) as usize,
                }
            })
            .collect();
        (fit, busy)
    }

    /// Every shift pair the calculator may choose from, to judge it against.
    fn any_fits(fit: &Fit, busy: &[Window]) -> bool {
        let length = fit.ends - fit.starts;
        let least = 2 * span(fit) + MIN_CONTACT;
        if length < least {
            return false;
        }
        let room = length - least;
        (0..=room).step_by(5).any(|a| {
            (0..=room - a).step_by(5).any(|l| {
                let (r, v) = arrivals(fit, a);
                let (vl, rr) = leaving(fit, l);
                [r, v, vl, rr]
                    .iter()
                    .all(|w| !busy.iter().any(|b| b.clashes(w)))
            })
        })
    }

    #[test]
    fn windows_found_keep_every_rule() {
        let mut c = Cases(0x5eed_cafe_f00d);
        for case in 0..20_000 {
            let (fit, busy) = random_case(&mut c);
            let Ok(w) = super::fit(&fit, &busy) else {
                continue;
            };
            // Inside the session, in order.
            assert!(w.resident_arrives.starts >= fit.starts, "case {case}");
            assert!(w.resident_returns.ends <= fit.ends, "case {case}");
            if fit.keep_apart {
                // The parties never share a minute, and keep the gap.
                assert!(
                    w.visiting_arrives.starts >= w.resident_arrives.ends + fit.gap,
                    "case {case}"
                );
                assert!(
                    w.resident_returns.starts >= w.visiting_leaves.ends + fit.gap,
                    "case {case}"
                );
                // By separate entrances where there are.
                assert_eq!(
                    w.visiting_arrives.entrance != w.resident_arrives.entrance,
                    fit.entrances > 1,
                    "case {case}"
                );
                // Clear of every other family kept apart.
                for x in all(&w) {
                    assert!(!busy.iter().any(|b| b.clashes(&x)), "case {case}");
                }
            }
            // Enough contact is left.
            assert!(
                w.visiting_leaves.starts >= w.visiting_arrives.ends + MIN_CONTACT,
                "case {case}"
            );
        }
    }

    #[test]
    fn a_refusal_means_no_windows_fit() {
        let mut c = Cases(0x0dd_ba11);
        let mut refused = 0;
        for case in 0..20_000 {
            let (fit, busy) = random_case(&mut c);
            match super::fit(&fit, &busy) {
                Ok(_) => assert!(!fit.keep_apart || any_fits(&fit, &busy), "case {case}"),
                Err(Refusal::TooShort) => {
                    assert!(fit.ends - fit.starts < 2 * span(&fit) + MIN_CONTACT)
                }
                Err(Refusal::Busy(b)) => {
                    refused += 1;
                    assert!(fit.keep_apart, "case {case}");
                    assert!(busy.contains(&b), "case {case}");
                    assert!(!any_fits(&fit, &busy), "case {case}");
                }
            }
        }
        // The cases reach refusals, so the property above is tried.
        assert!(refused > 100, "{refused}");
    }

    #[test]
    fn two_families_kept_apart_share_a_session_by_moving() {
        let fit = Fit {
            starts: 10 * 60,
            ends: 12 * 60,
            gap: 15,
            entrances: 2,
            keep_apart: true,
        };
        let first = super::fit(&fit, &[]).unwrap();
        assert_eq!(first.resident_arrives.starts, 600);
        assert_eq!(first.visiting_arrives.starts, 625);
        assert_eq!(first.resident_returns.ends, 720);
        let second = super::fit(&fit, &all(&first)).unwrap();
        for w in all(&second) {
            assert!(!all(&first).iter().any(|f| f.clashes(&w)));
        }
        assert_eq!(second.resident_arrives.starts, 610);
    }

    #[test]
    fn families_who_may_meet_arrive_together_unmoved() {
        let fit = Fit {
            starts: 600,
            ends: 720,
            gap: 15,
            entrances: 1,
            keep_apart: false,
        };
        let w = super::fit(
            &fit,
            &[Window {
                starts: 600,
                ends: 610,
                entrance: 0,
            }],
        )
        .unwrap();
        assert_eq!(w.resident_arrives, w.visiting_arrives);
        assert_eq!(w.resident_arrives.starts, 600);
        assert_eq!(w.visiting_leaves.ends, 720);
    }
}
