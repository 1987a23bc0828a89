//! The realms backed by the security index (Elasticsearch's
//! `authc.esnative`): the reserved realm of the built-in users, and the
//! native realm of the users put through the API.

pub mod bootstrap_password_record;
pub mod native_realm;
pub mod native_users_store;
pub mod reserved_realm;
