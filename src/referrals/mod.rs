//! Referrals: how a family reaches a centre, from a professional, a parent or
//! an integration client; each adult party's own part; who sees what of it.

pub mod access;
pub mod agreements;
pub mod assessment;
pub mod attachments;
pub mod brief;
pub mod court;
pub mod decisions;
pub mod dto;
pub mod family;
pub mod handlers;
pub mod intake;
pub mod letters;
pub mod model;
pub mod notes;
pub mod pdf;
pub mod problems;
pub mod questions;
pub mod quotes;
pub mod read;
pub mod repo;
pub mod views;
pub mod waiting_list;

use crate::http::routes::Routes;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut Routes) {
    cfg.service(intake::handlers::create_referral)
        .service(handlers::list_referrals)
        .service(handlers::get_referral)
        .service(intake::handlers::update_referral)
        .service(intake::handlers::submit_referral)
        .service(intake::handlers::give_part)
        .service(intake::handlers::invite_party_again)
        .service(handlers::set_risk_visibility)
        .service(decisions::handlers::review_referral)
        .service(decisions::handlers::accept_referral)
        .service(decisions::handlers::decline_referral)
        .service(decisions::handlers::waitlist_referral)
        .service(decisions::handlers::withdraw_referral)
        .service(decisions::handlers::close_referral)
        .service(questions::handlers::ask_question)
        .service(questions::handlers::list_questions)
        .service(questions::handlers::get_question)
        .service(questions::handlers::answer_question)
        .service(assessment::handlers::put_assessment)
        .service(assessment::handlers::get_assessment)
        .service(waiting_list::handlers::get_waiting_list)
        .service(waiting_list::handlers::offer_place)
        .service(waiting_list::handlers::take_offer)
        .service(waiting_list::handlers::refuse_offer)
        .service(waiting_list::handlers::set_priority)
        .service(notes::add_note)
        .service(notes::list_notes)
        .service(letters::list_letters)
        .service(letters::letter_pdf)
        .service(court::add_court_order)
        .service(court::change_court_order)
        .service(court::set_court_proceedings)
        .service(quotes::put_quote)
        .service(agreements::agree)
        .service(agreements::list_agreements)
        .service(attachments::create_attachment)
        .service(attachments::list_attachments)
        .service(attachments::get_attachment);
}
