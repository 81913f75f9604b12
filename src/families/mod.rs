//! Families: the children and adults of a referral once it reaches the
//! centre, their contact details with consent to share, who may attend and
//! whether the parties must not meet.
//!
//! A family's people are its referral's children and adults, and its record
//! is written when the referral reaches the centre: the referrals module owns
//! all of them. This module is a layer on top: it reads and changes a family
//! only through the referrals module's functions, with the same rules of who
//! sees what.

pub mod attendees;
pub mod dto;
pub mod handlers;

use crate::http::routes::Routes;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut Routes) {
    cfg.service(handlers::get_family)
        .service(handlers::update_contact)
        .service(attendees::ask_attendee)
        .service(attendees::list_attendees)
        .service(attendees::decide_attendee);
}
