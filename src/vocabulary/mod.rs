//! The shared vocabulary, below every resource module: typed ids, the kinds of
//! service (DOMAIN.md `service_type`), weekdays and the UK calendar day, and
//! how dates and times are read and written. Resource modules use these words;
//! this module uses none of theirs.

pub mod calendar;
pub mod ids;
pub mod service;
pub mod written;

pub use calendar::Weekday;
pub use ids::*;
pub use service::ServiceType;
