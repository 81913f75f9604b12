//! Sessions: pre-visits and contact sessions booked into a centre's opening
//! sessions, staggered where parties must not meet.

pub mod calendar;
pub mod contact;
pub mod day_sheet;
pub mod observations;
pub mod pre_visits;

use crate::http::routes::Routes;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut Routes) {
    cfg.service(pre_visits::handlers::book_pre_visit)
        .service(pre_visits::handlers::list_pre_visits)
        .service(pre_visits::handlers::record_outcome)
        .service(contact::start::start_contact)
        .service(contact::handlers::book_contact_sessions)
        .service(contact::handlers::list_contact_sessions)
        .service(contact::handlers::cancel_contact_session)
        .service(contact::outcomes::record_session_outcome)
        .service(contact::staffing::assign_staff)
        .service(contact::moves::move_contact_session)
        .service(contact::arrangement::propose_arrangement)
        .service(contact::arrangement::list_proposals)
        .service(contact::arrangement::agree_arrangement)
        .service(contact::outcomes::contact_record)
        .service(day_sheet::handlers::day_sheet)
        .service(calendar::handlers::make_feed)
        .service(calendar::handlers::list_feeds)
        .service(calendar::handlers::revoke_feed)
        .service(calendar::handlers::read_feed)
        .service(observations::handlers::ask_to_observe)
        .service(observations::handlers::list_observation_requests)
        .service(observations::handlers::get_observation_request)
        .service(observations::handlers::approve_observation)
        .service(observations::handlers::decline_observation)
        .service(observations::handlers::withdraw_observation);
}
