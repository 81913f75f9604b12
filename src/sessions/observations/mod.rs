//! Observation requests (`/observation-requests`): where a centre allows
//! them, a children's court officer asks before the day to observe a
//! family's contact session, naming the clients. An observer sits in the
//! same room in the session's normal hours: the session keeps its service
//! (a supported session stays supported) and nothing else about it changes.
//!
//! Nothing says a family attends until the coordinators approve: a request
//! names a day and clients, not a session, and reads alike whether or not
//! such a family comes (unless the officer's organisation referred the
//! family and names it). The coordinators match it to a session and
//! approve, or decline; only then does the officer see the session's time.
//!
//! | caller | may |
//! | --- | --- |
//! | a referrer of type `childrens_court_officer` | ask; read and withdraw their own |
//! | the centre's coordinators | read the centre's; approve or decline |
//! | the centre's staff | see approved observers on the day sheet |
//! | anyone else | nothing (403 to ask, 404 to read) |

pub mod dto;
pub mod handlers;
pub mod released;
pub mod repo;
mod rules;
mod views;

crate::text_enum! {
    /// Where an observation request stands.
    pub enum ObservationStatus {
        /// Asked; the coordinators have not decided.
        Pending => "pending",
        /// The coordinators matched it to a session and agreed.
        Approved => "approved",
        /// The coordinators refused it.
        Declined => "declined",
        /// The officer called it off.
        Withdrawn => "withdrawn",
    }
}
