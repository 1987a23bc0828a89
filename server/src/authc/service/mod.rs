//! Service accounts and their tokens (Elasticsearch's `authc.service`): the
//! built-in accounts, the bearer tokens, the two stores behind their caches,
//! and the `elasticsearch-service-tokens` tool.

pub mod cache_lease;
pub mod caching_token_store;
pub mod cli;
pub mod file_token_store;
pub mod index_token_store;
pub mod service_account_service;
pub mod service_account_token;
pub mod service_accounts;
pub mod token_cache;
pub mod token_caches;
pub mod token_key;
pub mod token_name;
pub mod token_store;

pub use service_account_token::ServiceAccountToken;
pub use token_cache::{CacheObserver, EvictionCause, TokenCache};
pub use token_key::TokenKey;
pub use token_store::TokenSource;

use crate::authc::support::hasher::Hasher;
use crate::config::Setting;

/// How new tokens' secrets are hashed, in the index and by the tool
/// (`XPackSettings.SERVICE_TOKEN_HASHING_ALGORITHM`).
pub const TOKEN_HASHING_SETTING: Setting<Hasher> = Setting::new(
    "xpack.security.authc.service_token_hashing.algorithm",
    "pbkdf2_stretch",
    Hasher::parse_setting,
    "how new service tokens' secrets are hashed in the security index and the service_tokens file",
);
