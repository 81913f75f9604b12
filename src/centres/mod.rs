//! Centres: the directory of child contact centres, their venues, services and
//! opening times, and finding the nearest centre that offers a service.
//!
//! Rules of who sees and changes what are in [`access`]; field rules in
//! [`rules`]; the nearest-centre search in [`search`]; dated openings in
//! [`openings`]; the demo directory in [`demo`].

pub mod access;
pub mod changes;
pub mod demo;
pub mod directory;
pub mod dto;
pub mod ground_rules;
pub mod handlers;
pub mod model;
pub mod openings;
pub mod repo;
pub mod rules;
pub mod schedule_handlers;
pub mod search;
pub mod venue_handlers;
pub mod views;

use crate::http::routes::Routes;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut Routes) {
    cfg.service(handlers::list_centres)
        .service(handlers::create_centre)
        .service(handlers::get_centre)
        .service(handlers::update_centre)
        .service(handlers::update_accreditation)
        .service(handlers::change_centre_status)
        .service(venue_handlers::create_venue)
        .service(venue_handlers::update_venue)
        .service(schedule_handlers::list_opening_sessions)
        .service(schedule_handlers::create_opening_session)
        .service(schedule_handlers::update_opening_session)
        .service(schedule_handlers::delete_opening_session)
        .service(schedule_handlers::list_closures)
        .service(schedule_handlers::create_closure)
        .service(schedule_handlers::delete_closure)
        .service(schedule_handlers::list_openings)
        .service(ground_rules::get_ground_rules)
        .service(ground_rules::get_ground_rules_version)
        .service(ground_rules::publish_ground_rules);
}
