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
//!   lookup's answer reaches its waiters but is not cached;
//! - an answer comes from the cache only while this node holds its
//!   [`CacheLease`]; without it, the store is asked and nothing is cached.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::authc::service::cache_lease::CacheLease;
use crate::authc::service::service_account_token::ServiceAccountToken;
use crate::authc::service::token_cache::TokenCache;
use crate::authc::service::token_key::TokenKey;
use crate::authc::service::token_store::TokenStore;
use crate::authc::support::hasher::Hasher;
use crate::config::{Setting, values};
use crate::security_index::StoreError;

/// How long a token stays cached (`CACHE_TTL_SETTING`).
pub const CACHE_TTL_SETTING: Setting<Duration> = Setting::new(
    "xpack.security.authc.service_token.cache.ttl",
    "20m",
    values::non_negative_time,
    "how long a token stays cached after it was written; 0 disables both token caches",
);

/// How many tokens each cache holds (`CACHE_MAX_TOKENS_SETTING`).
pub const CACHE_MAX_TOKENS_SETTING: Setting<u64> = Setting::new(
    "xpack.security.authc.service_token.cache.max_tokens",
    "100000",
    values::non_negative_int,
    "most tokens each of the two token caches holds",
);

/// How the caches hash the secrets they keep (`CACHE_HASH_ALGO_SETTING`).
pub const CACHE_HASH_ALGO_SETTING: Setting<Hasher> = Setting::new(
    "xpack.security.authc.service_token.cache.hash_algo",
    "ssha256",
    Hasher::parse_setting,
    "how the token caches hash the secrets they remember; computed on every cache hit, on the request's thread, \
     so a slow algorithm (bcrypt, pbkdf2) costs every request its hash",
);

/// The outcome of a store lookup, as a cache keeps it.
#[derive(Clone)]
struct CachedResult {
    success: bool,
    /// A salted hash of the secret that was looked up.
    hash: String,
}

/// Where the store lookup of a cache entry stands.
#[derive(Clone)]
enum Lookup {
    /// The store has not answered yet.
    Pending,
    /// The store answered.
    Answered(Result<CachedResult, StoreError>),
    /// The lookup's task died before the store answered: ask again.
    Abandoned,
}

/// A cache entry: the outcome of one store lookup, pending until the lookup
/// answers.
pub struct CachedToken {
    lookup: watch::Sender<Lookup>,
}

impl CachedToken {
    fn pending() -> Self {
        CachedToken { lookup: watch::Sender::new(Lookup::Pending) }
    }

    /// An entry for a lookup that already answered; for tests and benchmarks
    /// that fill a cache directly.
    pub fn completed(hasher: Hasher, secret: &str, success: bool) -> Self {
        CachedToken {
            lookup: watch::Sender::new(Lookup::Answered(Ok(CachedResult { success, hash: hasher.hash(secret) }))),
        }
    }

    /// The store's answer, or `None` if the lookup was abandoned.
    async fn wait(&self) -> Option<Result<CachedResult, StoreError>> {
        let mut receiver = self.lookup.subscribe();
        let lookup = receiver
            .wait_for(|lookup| !matches!(lookup, Lookup::Pending))
            .await
            .expect("the entry, which owns the sender, outlives its waiters");
        match &*lookup {
            Lookup::Answered(outcome) => Some(outcome.clone()),
            Lookup::Abandoned => None,
            Lookup::Pending => unreachable!("waited for an answer"),
        }
    }
}

/// A store lookup that completes its entry whatever happens: if its task
/// dies before answering, the entry is removed (so that the next request asks
/// again) and the waiters are told to ask again.
struct Completion {
    entry: Arc<CachedToken>,
    cache: Arc<TokenCache<Arc<CachedToken>>>,
    key: TokenKey,
    answered: bool,
}

impl Completion {
    fn complete(mut self, outcome: Result<CachedResult, StoreError>) {
        self.entry.lookup.send_replace(Lookup::Answered(outcome));
        self.answered = true;
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        self.cache.remove_if(&self.key, |current| Arc::ptr_eq(current, &self.entry));
        self.entry.lookup.send_replace(Lookup::Abandoned);
    }
}

/// A token store and the cache in front of it.
pub struct CachingTokenStore<S> {
    store: S,
    cache: Arc<TokenCache<Arc<CachedToken>>>,
    hasher: Hasher,
    /// `None` only in unit tests, which run without a security index.
    lease: Option<Arc<CacheLease>>,
}

impl<S: TokenStore + Clone> CachingTokenStore<S> {
    /// `store` behind `cache`, keeping secrets as `hasher` hashes, answering
    /// from the cache under `lease`.
    pub fn new(store: S, cache: Arc<TokenCache<Arc<CachedToken>>>, hasher: Hasher, lease: Arc<CacheLease>) -> Self {
        CachingTokenStore { store, cache, hasher, lease: Some(lease) }
    }

    /// Whether the lease holds now; renewed when it does not.
    async fn lease_holds(&self) -> bool {
        match &self.lease {
            Some(lease) => lease.holds() || lease.renew().await,
            None => true,
        }
    }

    /// Whether the lease still holds, without renewing it.
    fn lease_still_holds(&self) -> bool {
        self.lease.as_ref().is_none_or(|lease| lease.holds())
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
            if self.cache.is_enabled() && !self.lease_holds().await {
                // This node cannot tell whether it missed a clear: ask the
                // store, and cache nothing.
                return self.store.authenticate(token).await;
            }
            let Some((entry, fresh)) = self.cache.get_or_insert_with(key, || Arc::new(CachedToken::pending())) else {
                // Caching is disabled: every authentication asks the store.
                return self.store.authenticate(token).await;
            };
            if fresh {
                self.look_up(token, Arc::clone(&entry));
            }
            let Some(outcome) = entry.wait().await else { continue };
            // An answer this request did not ask the store for stands only if
            // the lease held after it was read: the node may have been paused
            // between the two.
            if !fresh && !self.lease_still_holds() {
                continue;
            }
            match outcome {
                Err(error) => return Err(error),
                // The request that started the lookup gets the store's
                // answer as is.
                Ok(cached) if fresh => return Ok(cached.success),
                Ok(cached) => {
                    let same_secret = self.hasher.verify_off_loop(token.secret(), &cached.hash).await;
                    if cached.success || same_secret {
                        // A waiter that sent the same wrong secret fails too.
                        return Ok(cached.success && same_secret);
                    }
                    // A failure for another secret says nothing about this
                    // one: drop it (if it is still there) and ask again.
                    self.cache.remove_if(key, |current| Arc::ptr_eq(current, &entry));
                }
            }
        }
    }

    /// Asks the store in a task of its own, so that a request that goes away
    /// does not leave a pending entry behind for its waiters.
    fn look_up(&self, token: &ServiceAccountToken, entry: Arc<CachedToken>) {
        let completion =
            Completion { entry, cache: Arc::clone(&self.cache), key: token.key().clone(), answered: false };
        let (store, hasher, token) = (self.store.clone(), self.hasher, token.clone());
        tokio::spawn(async move {
            let result = store.authenticate(&token).await;
            if !matches!(result, Ok(true)) {
                // Failures and errors are not cached.
                completion.cache.remove_if(token.key(), |current| Arc::ptr_eq(current, &completion.entry));
            } else {
                tracing::trace!("cache service token [{}] authentication result", token.key());
            }
            let result = match result {
                Ok(success) => Ok(CachedResult { success, hash: hasher.hash_off_loop(token.secret()).await }),
                Err(error) => Err(error),
            };
            completion.complete(result);
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::authc::service::{EvictionCause, TokenSource};
    use crate::observability::metrics::{CacheMetrics, Metrics};

    /// A store that knows one secret per key and counts its lookups.
    struct CountingStore {
        secret: &'static str,
        lookups: AtomicUsize,
        delay: Duration,
    }

    impl TokenStore for CountingStore {
        async fn authenticate(&self, token: &ServiceAccountToken) -> Result<bool, StoreError> {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            Ok(token.secret() == self.secret)
        }
    }

    /// A caching store over a counting store, and the counters of its cache.
    fn caching(delay: Duration, ttl: Duration) -> (CachingTokenStore<Arc<CountingStore>>, CacheMetrics) {
        let metrics = Metrics::new().cache(TokenSource::Index);
        let cache = Arc::new(TokenCache::new(ttl, 100, Arc::new(metrics.clone())));
        let store = CachingTokenStore {
            store: Arc::new(CountingStore { secret: "right-secret", lookups: AtomicUsize::new(0), delay }),
            cache,
            hasher: Hasher::Ssha256,
            lease: None,
        };
        (store, metrics)
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
        let (store, _) = caching(Duration::ZERO, HOUR);
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert!(!store.authenticate(&token("wrong-secret")).await.unwrap());
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failure_is_not_cached() {
        let (store, _) = caching(Duration::ZERO, HOUR);
        assert!(!store.authenticate(&token("wrong-secret")).await.unwrap());
        assert!(!store.authenticate(&token("wrong-secret")).await.unwrap());
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 3);
        assert_eq!(store.cache.entry_count(), 1);
        assert_lookups_released(&store).await;
    }

    /// Every finished lookup let go of what it held: only the store itself
    /// still refers to its cache.
    async fn assert_lookups_released(store: &CachingTokenStore<Arc<CountingStore>>) {
        for _ in 0..10 {
            if Arc::strong_count(&store.cache) == 1 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(Arc::strong_count(&store.cache), 1, "a finished lookup still holds the cache");
    }

    #[tokio::test]
    async fn concurrent_misses_make_one_lookup() {
        let (store, metrics) = caching(Duration::from_millis(100), HOUR);
        let store = Arc::new(store);
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
        assert_eq!(metrics.hits_and_misses(), (7, 1));
    }

    #[tokio::test]
    async fn waiters_with_another_secret_after_a_failure_ask_again() {
        let (store, metrics) = caching(Duration::from_millis(100), HOUR);
        let store = Arc::new(store);
        let wrong = {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.authenticate(&token("wrong-secret")).await.unwrap() })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!wrong.is_finished(), "the first lookup must still be running");
        let right = store.authenticate(&token("right-secret")).await.unwrap();
        assert!(!wrong.await.unwrap());
        assert!(right);
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 2);
        // The second request joined the pending entry (a hit), heard the
        // failure, and asked again (a second miss).
        assert_eq!(metrics.hits_and_misses(), (1, 2));
    }

    #[tokio::test]
    async fn a_clear_during_a_lookup_keeps_its_answer_out_of_the_cache() {
        let store = Arc::new(caching(Duration::from_millis(100), HOUR).0);
        let lookup = {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.authenticate(&token("right-secret")).await.unwrap() })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!lookup.is_finished(), "the clear must land while the lookup runs");
        store.cache.invalidate_account("elastic/fleet-server", EvictionCause::ClearApi);
        assert!(lookup.await.unwrap());
        assert_eq!(store.cache.entry_count(), 0);
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 2);
    }

    /// A request that goes away while its lookup runs leaves nothing
    /// behind: the lookup finishes on its own and the next request succeeds.
    #[tokio::test]
    async fn a_cancelled_first_lookup_does_not_lock_the_token_out() {
        let store = Arc::new(caching(Duration::from_millis(100), HOUR).0);
        let first = {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.authenticate(&token("right-secret")).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!first.is_finished(), "the request must go away while its lookup runs");
        first.abort();
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 1, "the abandoned lookup's answer was used");
        assert!(store.authenticate(&token("right-secret")).await.unwrap());
        assert_lookups_released(&store).await;
    }

    #[tokio::test]
    async fn without_a_cache_every_authentication_asks_the_store() {
        let (store, _) = caching(Duration::ZERO, Duration::ZERO);
        for _ in 0..3 {
            assert!(store.authenticate(&token("right-secret")).await.unwrap());
        }
        assert_eq!(store.store.lookups.load(Ordering::SeqCst), 3);
    }
}
