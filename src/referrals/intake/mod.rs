//! Intake: making a referral, sending it, and each adult party adding their
//! part. Contact does not start on one parent's word: a referral waits in
//! `awaiting_parties` until every invited parent has given their part.
//!
//! [`rules`] checks a request field by field and builds the rows; [`flow`]
//! writes them and moves the referral on; [`handlers`] are the routes.

pub mod flow;
pub mod handlers;
pub mod rules;
