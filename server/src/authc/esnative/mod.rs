//! The realms backed by the security index (Elasticsearch's
//! `authc.esnative`): the reserved realm of the built-in users.

pub mod reserved_realm;
