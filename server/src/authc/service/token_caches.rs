//! The node's two service-token caches, one per [`TokenSource`], under the
//! names Elasticsearch's `CacheInvalidatorRegistry` knows them by.

use std::sync::Arc;

use crate::authc::service::caching_token_store::{CACHE_MAX_TOKENS_SETTING, CACHE_TTL_SETTING, CachedToken};
use crate::authc::service::token_cache::{EvictionCause, TokenCache};
use crate::authc::service::token_key::TokenKey;
use crate::authc::service::token_store::TokenSource;
use crate::config::Settings;
use crate::observability::metrics::Metrics;

/// Elasticsearch's name for both service-token caches at once.
pub const BOTH_CACHES: &str = "service";

/// A cache name no node knows (worded as `CacheInvalidatorRegistry`).
#[derive(Debug, thiserror::Error)]
#[error("No cache named [{0}] is found")]
pub struct UnknownCache(pub String);

/// Which of the two caches: both, or one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caches {
    /// Both, as Elasticsearch's `service` names them.
    Both,
    /// The cache of one source.
    Only(TokenSource),
}

impl Caches {
    /// The caches Elasticsearch's cache `name` means: `service` is both,
    /// `file_service_account_token` and `index_service_account_token` one.
    pub fn named(name: &str) -> Result<Caches, UnknownCache> {
        match name {
            BOTH_CACHES => Ok(Caches::Both),
            _ => TokenSource::ALL
                .into_iter()
                .find(|source| source.cache_name() == name)
                .map(Caches::Only)
                .ok_or_else(|| UnknownCache(name.to_string())),
        }
    }

    /// Elasticsearch's name for them, the inverse of [`Caches::named`].
    pub fn name(self) -> &'static str {
        match self {
            Caches::Both => BOTH_CACHES,
            Caches::Only(source) => source.cache_name(),
        }
    }

    /// The sources whose caches these are.
    pub fn sources(self) -> &'static [TokenSource] {
        match self {
            Caches::Both => &TokenSource::ALL,
            Caches::Only(TokenSource::File) => &[TokenSource::File],
            Caches::Only(TokenSource::Index) => &[TokenSource::Index],
        }
    }
}

/// One service-token cache.
pub type ServiceTokenCache = Arc<TokenCache<Arc<CachedToken>>>;

/// The file-token cache and the index-token cache of one node.
pub struct TokenCaches {
    file: ServiceTokenCache,
    index: ServiceTokenCache,
}

impl TokenCaches {
    /// Both caches, configured alike by the `service_token.cache` settings,
    /// counting into `metrics`.
    pub fn new(settings: &Settings, metrics: &Metrics) -> Self {
        let (ttl, max_tokens) = (CACHE_TTL_SETTING.get(settings), CACHE_MAX_TOKENS_SETTING.get(settings));
        let cache = |source| Arc::new(TokenCache::new(ttl, max_tokens, Arc::new(metrics.cache(source))));
        TokenCaches { file: cache(TokenSource::File), index: cache(TokenSource::Index) }
    }

    /// The cache of `source`.
    pub fn of(&self, source: TokenSource) -> &ServiceTokenCache {
        match source {
            TokenSource::File => &self.file,
            TokenSource::Index => &self.index,
        }
    }

    /// Removes every token of `accounts` (`namespace/service`) and exactly
    /// `tokens` (`token1` never touches `token1xyz`) from `caches`, counting
    /// the removals as `cause`.
    pub fn invalidate(&self, caches: Caches, accounts: &[String], tokens: &[TokenKey], cause: EvictionCause) {
        for source in caches.sources() {
            let cache = self.of(*source);
            for account in accounts {
                cache.invalidate_account(account, cause);
            }
            cache.invalidate(tokens, cause);
        }
    }

    /// Empties both caches; how many entries they held.
    pub fn invalidate_all(&self, cause: EvictionCause) -> u64 {
        TokenSource::ALL.iter().map(|source| self.of(*source).invalidate_all(cause)).sum()
    }

    /// Entries in each cache, for the metrics.
    pub fn entry_counts(&self) -> [(TokenSource, u64); 2] {
        TokenSource::ALL.map(|source| (source, self.of(source).entry_count()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_elasticsearch_has_them() {
        assert_eq!(Caches::named("service").unwrap(), Caches::Both);
        assert_eq!(Caches::named("index_service_account_token").unwrap(), Caches::Only(TokenSource::Index));
        assert_eq!(Caches::named("file_service_account_token").unwrap(), Caches::Only(TokenSource::File));
        assert_eq!(Caches::named("realm").unwrap_err().to_string(), "No cache named [realm] is found");
        for caches in [Caches::Both, Caches::Only(TokenSource::File), Caches::Only(TokenSource::Index)] {
            assert_eq!(Caches::named(caches.name()).unwrap(), caches);
        }
    }
}
