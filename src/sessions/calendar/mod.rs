//! Calendar feeds: each party may have an `.ics` of their own contact
//! sessions at a secret URL (`GET /calendar/{token}.ics`), for the calendar
//! on their phone. A feed shows exactly what the party's own list shows
//! (`contact::views`, with `Shown::Party` for that one adult): their own
//! arrival and leaving windows once their identity was checked, never the
//! other party's; cancellations as cancelled. The party makes, lists and
//! revokes their feeds; a revoked or unknown token answers 404. Only the
//! token's SHA-256 is stored, so the URL is shown once.

pub mod handlers;
pub mod ics;
pub mod repo;
