//! Integration tests: the real server over HTTP against a real PostgreSQL.

// Test code may panic on a broken precondition: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod proxy;

mod docs;
mod errors;
mod health;
mod migrations;
mod process;
