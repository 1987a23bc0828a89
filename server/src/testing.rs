//! Hooks for this crate's own tests and benchmarks, as omicron's
//! `test_interfaces`: not part of the node's API, and not stable.

pub use crate::authc::esnative::reserved_realm::ELASTIC;
pub use crate::authc::service::{EvictionCause, ServiceAccountToken, TokenCache, TokenKey, TokenSource};
pub use crate::authc::support::hasher::{Hasher, verify_hash};
pub use crate::observability::metrics::Metrics;

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
        for name in names {
            for source in TokenSource::ALL {
                self.context().security.remember_service_token(source, key(account, name), "some-secret");
            }
        }
    }

    fn is_token_cached(&self, source: TokenSource, account: &str, name: &str) -> bool {
        self.context().security.is_service_token_cached(source, &key(account, name))
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
