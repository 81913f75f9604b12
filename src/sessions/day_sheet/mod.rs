//! The day sheet (`GET /centres/{id}/day-sheet?date=`): what the centre's
//! people need to run a day's contact. For each session by time: where, the
//! family (names, children and their needs), who comes and with whom, each
//! party's windows and entrances, whether the parties must not meet, the
//! staff member, approved observers, and the risk statements coordinators
//! marked for staff. Never an address or a contact detail: a sheet is
//! printed and left on a desk.
//!
//! | caller | may read |
//! | --- | --- |
//! | the centre's coordinators and staff | yes (audited) |
//! | the centre's integration client holding `sessions:read` | yes |
//! | anyone else, network admins included | no (403; 404 for a centre they may not see) |

pub mod dto;
pub mod handlers;
mod sheet;
