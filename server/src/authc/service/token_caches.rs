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

/// The sources whose caches Elasticsearch's cache `name` means: `service` is
/// both, `file_service_account_token` and `index_service_account_token` one.
pub fn sources_named(name: &str) -> Result<&'static [TokenSource], UnknownCache> {
    match name {
        BOTH_CACHES => Ok(&TokenSource::ALL),
        _ if name == TokenSource::File.cache_name() => Ok(&[TokenSource::File]),
        _ if name == TokenSource::Index.cache_name() => Ok(&[TokenSource::Index]),
        _ => Err(UnknownCache(name.to_string())),
    }
}

/// The cache name of `sources`, the inverse of [`sources_named`].
pub fn cache_name(sources: &[TokenSource]) -> &'static str {
    match sources {
        [source] => source.cache_name(),
        _ => BOTH_CACHES,
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
    /// `tokens` (`token1` never touches `token1xyz`) from the caches of
    /// `sources`, counting the removals as `cause`.
    pub fn invalidate(&self, sources: &[TokenSource], accounts: &[String], tokens: &[TokenKey], cause: EvictionCause) {
        for source in sources {
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
        assert_eq!(sources_named("service").unwrap(), TokenSource::ALL);
        assert_eq!(sources_named("index_service_account_token").unwrap(), [TokenSource::Index]);
        assert_eq!(sources_named("file_service_account_token").unwrap(), [TokenSource::File]);
        assert_eq!(sources_named("realm").unwrap_err().to_string(), "No cache named [realm] is found");
        for sources in [&TokenSource::ALL[..], &[TokenSource::File], &[TokenSource::Index]] {
            assert_eq!(sources_named(cache_name(sources)).unwrap(), sources);
        }
    }
}
