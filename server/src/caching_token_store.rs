//! A token store behind a token cache, with Elasticsearch's caching rules
//! (`CachingServiceAccountTokenStore`):
//!
//! - a miss makes one store lookup per key at a time: the first request puts
//!   a pending entry in the cache and asks the store; concurrent requests for
//!   the same key wait for its answer;
//! - a success is kept as a salted hash of the secret, never the secret; a
//!   failure (or a store error) is removed from the cache, while the requests
//!   already waiting still get the answer;
//! - a hit on a success compares hashes: the same secret succeeds and a
//!   different one fails, without the store;
//! - a clear that lands while a lookup runs removes the pending entry, so the
//!   lookup's answer reaches its waiters but is not cached.

use std::sync::Arc;

use tokio::sync::watch;

use crate::cache::TokenCache;
use crate::hasher::Hasher;
use crate::service_account_token::ServiceAccountToken;
use crate::token_store::{StoreError, TokenSource, TokenStore};

/// The outcome of a store lookup, as a cache keeps it.
#[derive(Clone)]
struct CachedResult {
    success: bool,
    /// A salted hash of the secret that was looked up.
    hash: String,
}

type Outcome = Option<Result<CachedResult, StoreError>>;

/// A cache entry: the outcome of one store lookup, pending until the lookup
/// answers.
pub struct CachedToken {
    outcome: watch::Sender<Outcome>,
}

impl CachedToken {
    fn pending() -> Self {
        CachedToken { outcome: watch::Sender::new(None) }
    }

    /// An entry for a lookup that already answered; for tests and benchmarks
    /// that fill a cache directly.
    pub fn completed(hasher: Hasher, secret: &str, success: bool) -> Self {
        let entry = CachedToken::pending();
        entry.outcome.send_replace(Some(Ok(CachedResult { success, hash: hasher.hash(secret) })));
        entry
    }

    async fn wait(&self) -> Result<CachedResult, StoreError> {
        let mut receiver = self.outcome.subscribe();
        let outcome = receiver.wait_for(Option::is_some).await;
        match outcome {
            Ok(outcome) => outcome.clone().expect("waited for Some"),
            Err(_) => Err(StoreError("the token lookup was abandoned".to_string())),
        }
    }
}

/// Completes a pending entry even if the lookup is dropped half-way, so that
/// no waiter waits forever.
struct Completion<'a> {
    entry: &'a CachedToken,
}

impl Completion<'_> {
    fn complete(self, outcome: Result<CachedResult, StoreError>) {
        self.entry.outcome.send_replace(Some(outcome));
        std::mem::forget(self);
    }
}

impl Drop for Completion<'_> {
    fn drop(&mut self) {
        self.entry.outcome.send_replace(Some(Err(StoreError("the token lookup was abandoned".to_string()))));
    }
}

/// A token store and the cache in front of it.
pub struct CachingTokenStore<S> {
    store: S,
    cache: Arc<TokenCache<Arc<CachedToken>>>,
    hasher: Hasher,
}

impl<S: TokenStore> CachingTokenStore<S> {
    /// `store` behind `cache`, keeping secrets as `hasher` hashes.
    pub fn new(store: S, cache: Arc<TokenCache<Arc<CachedToken>>>, hasher: Hasher) -> Self {
        CachingTokenStore { store, cache, hasher }
    }

    /// The store itself.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Which store this is.
    pub fn source(&self) -> TokenSource {
        self.store.source()
    }

    /// Whether the store holds `token` with this secret, answered from the
    /// cache when it can be.
    pub async fn authenticate(&self, token: &ServiceAccountToken) -> Result<bool, StoreError> {
        // An index token is looked for in the file store first: without this
        // shortcut every one of its authentications would put a pending entry
        // in the file cache only to remove it again. A change of the file
        // clears the file cache, so skipping it cannot serve a stale answer.
        if !self.store.may_hold(token) {
            return Ok(false);
        }
        let key = token.key();
        loop {
            let Some((entry, fresh)) = self.cache.get_or_insert_with(key, || Arc::new(CachedToken::pending())) else {
                // Caching is disabled: every authentication asks the store.
                return self.store.authenticate(token).await;
            };
            if fresh {
                return self.look_up(token, &entry).await;
            }
            match entry.wait().await {
                Err(error) => return Err(error),
                Ok(cached) if cached.success => return Ok(self.hasher.verify(token.secret(), &cached.hash)),
                // A waiter that sent the same wrong secret fails too.
                Ok(cached) if self.hasher.verify(token.secret(), &cached.hash) => return Ok(false),
                // A failure for another secret says nothing about this one:
                // drop it (if it is still there) and ask again.
                Ok(_) => {
                    self.cache.remove_if(key, |current| Arc::ptr_eq(current, &entry));
                }
            }
        }
    }

    async fn look_up(&self, token: &ServiceAccountToken, entry: &Arc<CachedToken>) -> Result<bool, StoreError> {
        let completion = Completion { entry };
        let result = self.store.authenticate(token).await;
        if !matches!(result, Ok(true)) {
            // Failures and errors are not cached.
            self.cache.remove_if(token.key(), |current| Arc::ptr_eq(current, entry));
        } else {
            tracing::trace!("cache service token [{}] authentication result", token.key());
        }
        let outcome = result.clone().map(|success| CachedResult { success, hash: self.hasher.hash(token.secret()) });
        completion.complete(outcome);
        result
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::metrics::{CacheKind, EvictionCause, Metrics};

    /// A store that knows one secret per key and counts its lookups.
    struct CountingStore {
        secret: &'static str,
        lookups: AtomicUsize,
        delay: Duration,
    }

    impl TokenStore for CountingStore {
        fn source(&self) -> TokenSource {
            TokenSource::Index
        }

        async fn authenticate(&self, token: &ServiceAccountToken) -> Result<bool, StoreError> {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            Ok(token.secret() == self.secret)
        }
    }

    fn caching(delay: Duration, ttl: Duration) -> CachingTokenStore<CountingStore> {
        let cache = Arc::new(TokenCache::new(ttl, 100, Metrics::new().cache(CacheKind::Index)));
        CachingTokenStore::new(
            CountingStore { secret: "right-secret", lookups: AtomicUsize::new(0), delay },
            cache,
            Hasher::Ssha256,
        )
    }

    /// `elastic/fleet-server/t` with the given secret.
    fn token(secret: &str) -> ServiceAccountToken {
        use base64::Engine;
        let raw = format!("\0\u{1}\0\u{1}elastic/fleet-server/t:{secret}");
        ServiceAccountToken::parse(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(raw)).unwrap()
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn a_success_is_cached_and_other_secrets_fail_without_the_store() {
        let store = caching(Duration::ZERO, HOUR);
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert!(!store.authenticate(&token("wrong-secret")).await.unwrap());
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failure_is_not_cached() {
        let store = caching(Duration::ZERO, HOUR);
        assert!(!store.authenticate(&token("wrong-secret")).await.unwrap());
        assert!(!store.authenticate(&token("wrong-secret")).await.unwrap());
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 3);
        assert_eq!(store.cache.entry_count(), 1);
    }

    #[tokio::test]
    async fn concurrent_misses_make_one_lookup() {
        let store = Arc::new(caching(Duration::from_millis(100), HOUR));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = Arc::clone(&store);
                tokio::spawn(async move { store.authenticate(&token("right-secret")).await.unwrap() })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap());
        }
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn waiters_with_another_secret_after_a_failure_ask_again() {
        let store = Arc::new(caching(Duration::from_millis(100), HOUR));
        let wrong = {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.authenticate(&token("wrong-secret")).await.unwrap() })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let right = store.authenticate(&token("right-secret")).await.unwrap();
        assert!(!wrong.await.unwrap());
        assert!(right);
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_clear_during_a_lookup_keeps_its_answer_out_of_the_cache() {
        let store = Arc::new(caching(Duration::from_millis(100), HOUR));
        let lookup = {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.authenticate(&token("right-secret")).await.unwrap() })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        store.cache.invalidate_account("elastic/fleet-server", EvictionCause::ClearApi);
        assert!(lookup.await.unwrap());
        assert_eq!(store.cache.entry_count(), 0);
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn without_a_cache_every_authentication_asks_the_store() {
        let store = caching(Duration::ZERO, Duration::ZERO);
        for _ in 0..3 {
            assert!(store.authenticate(&token("right-secret")).await.unwrap());
        }
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 3);
    }
}
