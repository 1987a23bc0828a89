//! The node's two service-token caches: one for tokens from the
//! `service_tokens` file, one for tokens from the `.security` index.

use std::sync::Arc;

use crate::cache::TokenCache;
use crate::caching_token_store::CachedToken;
use crate::metrics::{CacheKind, EvictionCause, Metrics};
use crate::settings::CacheSettings;
use crate::token_key::TokenKey;
use crate::token_name::TokenSelection;

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

    /// Clears the selected tokens of account `namespace/service` from both
    /// caches, for the clear-cache API.
    pub fn clear(&self, namespace: &str, service: &str, selection: &TokenSelection) {
        for cache in [&self.file, &self.index] {
            match selection {
                TokenSelection::All => {
                    cache.invalidate_account(&format!("{namespace}/{service}"), EvictionCause::ClearApi);
                }
                TokenSelection::Names(names) => {
                    let keys: Vec<TokenKey> =
                        names.iter().map(|name| TokenKey::new(namespace, service, name)).collect();
                    cache.invalidate(&keys, EvictionCause::ClearApi);
                }
            }
        }
    }

    /// Entries in each cache, for the metrics.
    pub fn entry_counts(&self) -> [(CacheKind, u64); 2] {
        [(CacheKind::File, self.file.entry_count()), (CacheKind::Index, self.index.entry_count())]
    }
}
