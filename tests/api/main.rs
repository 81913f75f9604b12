//! Integration tests: the real server over HTTP against a real PostgreSQL.

// Test code may panic on a broken precondition: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod builders;
mod helpers;
mod proxy;

mod architecture;
mod audit;
mod brute_force;
mod centres;
mod docs;
mod errors;
mod headers;
mod health;
mod identity;
mod mail;
mod matrix;
mod migrations;
mod outage;
mod pages;
mod process;
mod referrals;
mod tokens;
