//! The centre's risk assessment of a referral (DOMAIN.md "Referral": the
//! centre assesses risk before it decides): the factors it weighed, the
//! checks it made, a level and its rationale, and the **conditions** contact
//! runs under: the service, whether the parties must not meet, the minutes
//! between their arrivals and leavings, who may attend, and what each court
//! order enforces. Every version is kept; the latest is in force.
//!
//! | caller | sees |
//! | --- | --- |
//! | the centre's coordinators | everything; they write it (`PUT`, with `If-Match`) |
//! | the centre's staff | the conditions, never the factors, checks, level or rationale |
//! | the referrer's side, the parties | nothing (403) |

pub mod dto;
pub mod handlers;
pub mod repo;
