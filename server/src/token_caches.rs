//! The node's two service-token caches: one for tokens from the
//! `service_tokens` file, one for tokens from the `.security` index.

use std::sync::Arc;

use crate::cache::TokenCache;
use crate::caching_token_store::CachedToken;
use crate::metrics::{CacheKind, EvictionCause, Metrics};
use crate::settings::CacheSettings;
use crate::token_key::TokenKey;
use crate::token_name::TokenSelection;

/// Elasticsearch's name for both service-token caches.
pub const BOTH_CACHES: &str = "service";
/// Elasticsearch's name for the file-token cache.
pub const FILE_CACHE: &str = "file_service_account_token";
/// Elasticsearch's name for the index-token cache.
pub const INDEX_CACHE: &str = "index_service_account_token";

/// A cache name no node knows (worded as `CacheInvalidatorRegistry`).
#[derive(Debug, thiserror::Error)]
#[error("No cache named [{0}] is found")]
pub struct UnknownCache(pub String);

/// The keys the clear-cache API sends for `selection` of account
/// `namespace/service`: the account prefix, or each qualified name.
pub fn clear_cache_keys(namespace: &str, service: &str, selection: &TokenSelection) -> Vec<String> {
    match selection {
        TokenSelection::All => vec![format!("{namespace}/{service}/")],
        TokenSelection::Names(names) => names.iter().map(|name| format!("{namespace}/{service}/{name}")).collect(),
    }
}

/// One service-token cache.
pub type ServiceTokenCache = Arc<TokenCache<Arc<CachedToken>>>;

/// The file-token cache and the index-token cache of one node.
pub struct TokenCaches {
    /// Tokens from the `service_tokens` file.
    pub file: ServiceTokenCache,
    /// Tokens from the `.security` index.
    pub index: ServiceTokenCache,
}

impl TokenCaches {
    /// Both caches, configured alike, counting into `metrics`.
    pub fn new(settings: &CacheSettings, metrics: &Metrics) -> Self {
        let cache = |kind| Arc::new(TokenCache::new(settings.ttl, settings.max_tokens, metrics.cache(kind)));
        TokenCaches { file: cache(CacheKind::File), index: cache(CacheKind::Index) }
    }

    /// The caches Elasticsearch's cache name means: `service` is both,
    /// `file_service_account_token` and `index_service_account_token` one.
    fn named(&self, cache: &str) -> Option<Vec<&ServiceTokenCache>> {
        match cache {
            BOTH_CACHES => Some(vec![&self.file, &self.index]),
            FILE_CACHE => Some(vec![&self.file]),
            INDEX_CACHE => Some(vec![&self.index]),
            _ => None,
        }
    }

    /// Removes `keys` from the named caches, as Elasticsearch's cache
    /// invalidation does: a key ending in `/` is a prefix and removes every
    /// token it starts (the API only makes `namespace/service/`, which names
    /// exactly one account, since cached keys have exactly two `/`), any other
    /// key is removed exactly.
    ///
    /// The clear-cache API names `service`; deleting a token names
    /// `index_service_account_token`, and its evictions count as an index
    /// change.
    pub fn clear_keys(&self, cache: &str, keys: &[String]) -> Result<(), UnknownCache> {
        let caches = self.named(cache).ok_or_else(|| UnknownCache(cache.to_string()))?;
        let cause = if cache == INDEX_CACHE { EvictionCause::IndexChange } else { EvictionCause::ClearApi };
        let (prefixes, exact): (Vec<&String>, Vec<&String>) = keys.iter().partition(|key| key.ends_with('/'));
        let exact: Vec<TokenKey> = exact.into_iter().map(|key| TokenKey::from_qualified(key)).collect();
        for cache in caches {
            for prefix in &prefixes {
                cache.invalidate_account(prefix.strip_suffix('/').unwrap_or(prefix), cause);
            }
            cache.invalidate(&exact, cause);
        }
        Ok(())
    }

    /// Entries in each cache, for the metrics.
    pub fn entry_counts(&self) -> [(CacheKind, u64); 2] {
        [(CacheKind::File, self.file.entry_count()), (CacheKind::Index, self.index.entry_count())]
    }
}
