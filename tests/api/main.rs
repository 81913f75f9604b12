//! Integration tests: the real server over HTTP against a real PostgreSQL.

mod helpers;
mod proxy;

mod docs;
mod errors;
mod health;
mod migrations;
mod process;
