//! Attendance: who came to a session and when, recorded by staff; the only
//! report a supported centre gives.

use crate::http::routes::Routes;

/// Registers this module's routes under `/api/v1`.
pub fn configure(_cfg: &mut Routes) {}
