//! The HTTP plumbing shared by every resource: request ids, access log, extractor
//! error mapping, answers for unrouted requests, and the routes grouped by
//! their first segment and number of segments.

pub mod caching;
pub mod client_addr;
pub mod extractors;
pub mod fallback;
pub mod middleware;
pub mod preconditions;
pub mod routes;
