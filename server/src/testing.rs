//! Hooks for this crate's own tests and benchmarks, as omicron's
//! `test_interfaces`: not part of the node's API, and not stable.

pub use crate::authc::esnative::reserved_realm::ELASTIC;
pub use crate::authc::service::{CacheObserver, EvictionCause, ServiceAccountToken, TokenCache, TokenKey, TokenSource};
pub use crate::authc::support::hasher::{Hasher, verify_hash};
pub use crate::observability::metrics::Metrics;

use std::sync::Arc;

use crate::authc::service::caching_token_store::CachedToken;
use crate::node::Node;

/// What tests may ask of a running node beyond its APIs.
pub trait TestInterfaces {
    /// The node's id.
    fn node_id(&self) -> String;

    /// Caches `names` of `account` (`namespace/service`) in both token
    /// caches, as successful authentications would.
    fn remember_tokens(&self, account: &str, names: &[&str]);

    /// Whether `name` of `account` is in the cache of `source`, without
    /// counting a hit or a miss.
    fn is_token_cached(&self, source: TokenSource, account: &str, name: &str) -> bool;
}

fn key(account: &str, name: &str) -> TokenKey {
    let (namespace, service) = account.split_once('/').expect("an account is namespace/service");
    TokenKey::new(namespace, service, name)
}

impl TestInterfaces for Node {
    fn node_id(&self) -> String {
        self.context().identity.node_id.clone()
    }

    fn remember_tokens(&self, account: &str, names: &[&str]) {
        let security = &self.context().security;
        for name in names {
            for source in TokenSource::ALL {
                let entry = CachedToken::completed(security.token_cache_hasher(), "some-secret", true);
                security.token_caches().of(source).insert(key(account, name), Arc::new(entry));
            }
        }
    }

    fn is_token_cached(&self, source: TokenSource, account: &str, name: &str) -> bool {
        self.context().security.token_caches().of(source).contains(&key(account, name))
    }
}

/// A metrics observer for a cache of `source`, for benchmarks that build a
/// cache of their own.
pub fn cache_observer(
    metrics: &Metrics,
    source: TokenSource,
) -> std::sync::Arc<dyn crate::authc::service::CacheObserver> {
    std::sync::Arc::new(metrics.cache(source))
}
