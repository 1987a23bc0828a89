//! What realms and token stores share (Elasticsearch's `authc.support`):
//! hashing, the realm settings, the cache in front of a realm, and the rules
//! for names and passwords.

pub mod hasher;
pub mod realm_settings;
pub mod user_cache;
pub mod validation;
