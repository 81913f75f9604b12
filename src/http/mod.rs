//! The HTTP plumbing shared by every resource: request ids, access log, extractor
//! error mapping, and answers for unrouted requests.

pub mod caching;
pub mod client_addr;
pub mod extractors;
pub mod fallback;
pub mod middleware;
pub mod preconditions;
