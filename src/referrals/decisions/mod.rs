//! The centre's decisions on a referral that reached it: review, accept,
//! decline, waitlist, close; and the referrer's side withdrawing it. The
//! moves are decided by [`machine`]; each is kept in the history with its
//! reason, written as a domain event and audited.

pub mod dto;
pub mod handlers;
pub mod machine;
