//! What realms and token stores share (Elasticsearch's `authc.support`):
//! hashing, the realm settings, and the cache in front of a realm.

pub mod hasher;
pub mod realm_settings;
pub mod user_cache;
