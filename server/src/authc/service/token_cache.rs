//! One service-token cache: bounded, expiring, and clearable by exact key or
//! by account without scanning the whole cache.
//!
//! Entries live in a moka cache (expire-after-write, LRU size bound). Beside
//! it, an index from account (`namespace/service`) to its cached keys makes
//! clearing one account cost what that account holds, not what the cache
//! holds.
//!
//! Keeping the two consistent: every write to the cache (insert, clear)
//! happens under the index lock, so a clear and an insert never interleave.
//! moka reports the removals it makes on its own (expiry, size) through an
//! eviction listener; the listener must not take the index lock (it runs
//! inside moka calls made under that lock), so it queues the removal and the
//! next holder of the lock applies it. Each entry carries a generation so that
//! a queued removal of an old entry never drops the record of a newer one with
//! the same key.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::notification::RemovalCause;
use moka::policy::EvictionPolicy;
use parking_lot::Mutex;

use crate::authc::service::token_key::TokenKey;

/// Why entries left a cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvictionCause {
    /// The clear-cache API.
    ClearApi,
    /// The `service_tokens` file changed.
    FileChange,
    /// The security index changed: a token was deleted, or the index changed
    /// state.
    IndexChange,
    /// The entry outlived the cache's TTL.
    Expired,
    /// The cache was full.
    Size,
    /// This node missed a cluster-wide clear (see `cache_lease`).
    MissedClear,
}

impl EvictionCause {
    /// Every cause.
    pub const ALL: [EvictionCause; 6] = [
        EvictionCause::ClearApi,
        EvictionCause::FileChange,
        EvictionCause::IndexChange,
        EvictionCause::Expired,
        EvictionCause::Size,
        EvictionCause::MissedClear,
    ];

    /// How metrics and logs name it.
    pub fn label(self) -> &'static str {
        match self {
            EvictionCause::ClearApi => "clear_api",
            EvictionCause::FileChange => "file_change",
            EvictionCause::IndexChange => "index_change",
            EvictionCause::Expired => "expired",
            EvictionCause::Size => "size",
            EvictionCause::MissedClear => "missed_clear",
        }
    }
}

/// Whoever watches a cache (the node's metrics): told of every hit, miss and
/// eviction.
pub trait CacheObserver: Send + Sync {
    /// A lookup answered from the cache.
    fn hit(&self);
    /// A lookup the cache could not answer.
    fn miss(&self);
    /// `count` entries removed for `cause`.
    fn evicted(&self, cause: EvictionCause, count: u64);
}

/// A service-token cache holding values of type `V` (cheap to clone).
pub struct TokenCache<V> {
    /// `None` when caching is disabled (`ttl` 0): every lookup misses
    /// silently and nothing is stored, as in Elasticsearch.
    inner: Option<Inner<V>>,
    observer: Arc<dyn CacheObserver>,
}

struct Inner<V> {
    entries: moka::sync::Cache<TokenKey, Entry<V>>,
    index: Mutex<AccountIndex>,
    evicted: Arc<Mutex<Vec<(TokenKey, u64)>>>,
    generations: AtomicU64,
}

#[derive(Clone)]
struct Entry<V> {
    generation: u64,
    value: V,
}

/// Account (`namespace/service`) → cached key → generation of its entry.
#[derive(Default)]
struct AccountIndex {
    accounts: HashMap<Arc<str>, HashMap<TokenKey, u64>>,
}

impl AccountIndex {
    fn record(&mut self, key: &TokenKey, generation: u64) {
        match self.accounts.get_mut(key.account()) {
            Some(keys) => {
                keys.insert(key.clone(), generation);
            }
            None => {
                self.accounts.insert(key.account().into(), HashMap::from([(key.clone(), generation)]));
            }
        }
    }

    /// Whether `key` is recorded: every cached key is (its entry was
    /// written under the index lock), so one that is not is not cached.
    fn holds(&self, key: &TokenKey) -> bool {
        self.accounts.get(key.account()).is_some_and(|keys| keys.contains_key(key))
    }

    /// Drops the record of `key`, only if it is the given generation when one
    /// is given.
    fn forget(&mut self, key: &TokenKey, generation: Option<u64>) {
        let Some(keys) = self.accounts.get_mut(key.account()) else { return };
        if generation.is_none() || keys.get(key) == generation.as_ref() {
            keys.remove(key);
            if keys.is_empty() {
                self.accounts.remove(key.account());
            }
        }
    }
}

impl<V: Clone + Send + Sync + 'static> TokenCache<V> {
    /// A cache whose entries expire `ttl` after they were written and that
    /// holds at most `max_tokens`; a zero `ttl` disables it.
    pub fn new(ttl: Duration, max_tokens: u64, observer: Arc<dyn CacheObserver>) -> Self {
        if ttl.is_zero() {
            return TokenCache { inner: None, observer };
        }
        let evicted: Arc<Mutex<Vec<(TokenKey, u64)>>> = Arc::default();
        let listener = {
            let evicted = Arc::clone(&evicted);
            let observer = Arc::clone(&observer);
            move |key: Arc<TokenKey>, entry: Entry<V>, cause: RemovalCause| {
                let cause = match cause {
                    // A newer entry took this one's place: its record stays.
                    // Or we removed it ourselves, under the index lock, and
                    // dropped its record and counted it there.
                    RemovalCause::Replaced | RemovalCause::Explicit => return,
                    RemovalCause::Expired => EvictionCause::Expired,
                    RemovalCause::Size => EvictionCause::Size,
                };
                observer.evicted(cause, 1);
                evicted.lock().push((TokenKey::clone(&key), entry.generation));
            }
        };
        let entries = moka::sync::Cache::builder()
            .max_capacity(max_tokens)
            .time_to_live(ttl)
            .eviction_policy(EvictionPolicy::lru())
            .eviction_listener(listener)
            .build();
        let inner = Inner { entries, index: Mutex::default(), evicted, generations: AtomicU64::new(0) };
        TokenCache { inner: Some(inner), observer }
    }

    /// The cached value of `key`, counting a hit or a miss.
    pub fn get(&self, key: &TokenKey) -> Option<V> {
        let inner = self.inner.as_ref()?;
        let found = inner.entries.get(key).map(|entry| entry.value);
        match found {
            Some(_) => self.observer.hit(),
            None => self.observer.miss(),
        }
        found
    }

    /// Whether the cache keeps anything (its TTL is not zero).
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// Whether `key` is cached, without counting a hit or a miss (for tests
    /// that look at a cache while others count its lookups).
    pub fn contains(&self, key: &TokenKey) -> bool {
        self.inner.as_ref().is_some_and(|inner| inner.entries.contains_key(key))
    }

    /// Caches `value` under `key`, replacing any earlier value.
    pub fn insert(&self, key: TokenKey, value: V) {
        let Some(inner) = &self.inner else { return };
        let mut index = inner.lock_index();
        let generation = inner.generations.fetch_add(1, Ordering::Relaxed);
        inner.entries.insert(key.clone(), Entry { generation, value });
        index.record(&key, generation);
    }

    /// The cached value of `key`, or `init()` cached and returned with `true`
    /// when there was none. Concurrent callers for one key get the same
    /// value; exactly one of them gets `true`.
    pub fn get_or_insert_with(&self, key: &TokenKey, init: impl FnOnce() -> V) -> Option<(V, bool)> {
        let inner = self.inner.as_ref()?;
        if let Some(entry) = inner.entries.get(key) {
            self.observer.hit();
            return Some((entry.value, false));
        }
        let mut index = inner.lock_index();
        // Another caller may have inserted while we waited for the lock.
        if let Some(entry) = inner.entries.get(key) {
            self.observer.hit();
            return Some((entry.value, false));
        }
        self.observer.miss();
        let generation = inner.generations.fetch_add(1, Ordering::Relaxed);
        let value = init();
        inner.entries.insert(key.clone(), Entry { generation, value: value.clone() });
        index.record(key, generation);
        Some((value, true))
    }

    /// Removes `key` if `matches` its cached value; whether it did.
    pub fn remove_if(&self, key: &TokenKey, matches: impl FnOnce(&V) -> bool) -> bool {
        let Some(inner) = &self.inner else { return false };
        let mut index = inner.lock_index();
        match inner.entries.get(key) {
            Some(entry) if matches(&entry.value) => {
                inner.entries.remove(key);
                index.forget(key, None);
                true
            }
            _ => false,
        }
    }

    /// Removes exactly these keys (`token1` does not touch `token1xyz`);
    /// returns how many were cached.
    pub fn invalidate<'a>(&self, keys: impl IntoIterator<Item = &'a TokenKey>, cause: EvictionCause) -> u64 {
        let Some(inner) = &self.inner else { return 0 };
        let mut index = inner.lock_index();
        let mut removed = 0;
        // Only what the index records can be cached: a key it does not
        // hold costs no lookup in the cache.
        for key in keys {
            if !index.holds(key) {
                continue;
            }
            if inner.entries.remove(key).is_some() {
                removed += 1;
            }
            index.forget(key, None);
        }
        self.observer.evicted(cause, removed);
        removed
    }

    /// Removes every token of `account` (`namespace/service`), visiting only
    /// that account's entries; returns how many were cached.
    pub fn invalidate_account(&self, account: &str, cause: EvictionCause) -> u64 {
        let Some(inner) = &self.inner else { return 0 };
        let mut index = inner.lock_index();
        let Some(keys) = index.accounts.remove(account) else { return 0 };
        let removed = keys.keys().filter(|key| inner.entries.remove(*key).is_some()).count() as u64;
        self.observer.evicted(cause, removed);
        removed
    }

    /// Empties the cache; returns how many entries it held.
    pub fn invalidate_all(&self, cause: EvictionCause) -> u64 {
        let Some(inner) = &self.inner else { return 0 };
        let mut index = inner.lock_index();
        let accounts = std::mem::take(&mut index.accounts);
        let removed =
            accounts.values().flat_map(HashMap::keys).filter(|key| inner.entries.remove(*key).is_some()).count() as u64;
        self.observer.evicted(cause, removed);
        removed
    }

    /// The number of entries now, after applying pending expirations.
    pub fn entry_count(&self) -> u64 {
        let Some(inner) = &self.inner else { return 0 };
        let _index = inner.lock_index();
        inner.entries.run_pending_tasks();
        inner.entries.entry_count()
    }
}

#[cfg(test)]
impl<V: Clone + Send + Sync + 'static> TokenCache<V> {
    /// How many keys the account index records, after applying pending
    /// removals: it must not outgrow the cache.
    pub(crate) fn indexed_keys(&self) -> usize {
        let Some(inner) = &self.inner else { return 0 };
        inner.entries.run_pending_tasks();
        inner.lock_index().accounts.values().map(HashMap::len).sum()
    }
}

impl<V: Clone + Send + Sync + 'static> Inner<V> {
    /// Locks the index, first applying the removals moka reported since.
    fn lock_index(&self) -> parking_lot::MutexGuard<'_, AccountIndex> {
        let mut index = self.index.lock();
        let evicted = std::mem::take(&mut *self.evicted.lock());
        for (key, generation) in &evicted {
            index.forget(key, Some(*generation));
        }
        index
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;

    use super::*;
    use crate::authc::service::TokenSource;
    use crate::observability::metrics::Metrics;

    fn cache(ttl: Duration, max: u64) -> TokenCache<u32> {
        TokenCache::new(ttl, max, Arc::new(Metrics::new().cache(TokenSource::File)))
    }

    fn key(account: &str, name: &str) -> TokenKey {
        let (namespace, service) = account.split_once('/').unwrap();
        TokenKey::new(namespace, service, name)
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn exact_eviction_touches_only_that_key() {
        let cache = cache(HOUR, 100);
        cache.insert(key("elastic/fleet-server", "token1"), 1);
        cache.insert(key("elastic/fleet-server", "token1xyz"), 2);
        assert_eq!(cache.invalidate([&key("elastic/fleet-server", "token1")], EvictionCause::ClearApi), 1);
        assert_eq!(cache.get(&key("elastic/fleet-server", "token1")), None);
        assert_eq!(cache.get(&key("elastic/fleet-server", "token1xyz")), Some(2));
        // Keys that are not cached are ignored.
        assert_eq!(cache.invalidate([&key("elastic/fleet-server", "nope")], EvictionCause::ClearApi), 0);
    }

    #[test]
    fn account_eviction_touches_only_that_account() {
        let cache = cache(HOUR, 100);
        cache.insert(key("elastic/fleet", "a"), 1);
        cache.insert(key("elastic/fleet", "b"), 2);
        cache.insert(key("elastic/fleet-server", "a"), 3);
        cache.insert(key("elastic/fleet-server-remote", "a"), 4);
        assert_eq!(cache.invalidate_account("elastic/fleet", EvictionCause::ClearApi), 2);
        assert_eq!(cache.get(&key("elastic/fleet", "a")), None);
        assert_eq!(cache.get(&key("elastic/fleet", "b")), None);
        assert_eq!(cache.get(&key("elastic/fleet-server", "a")), Some(3));
        assert_eq!(cache.get(&key("elastic/fleet-server-remote", "a")), Some(4));
        assert_eq!(cache.invalidate_account("elastic/fleet", EvictionCause::ClearApi), 0);
        assert_eq!(cache.entry_count(), 2);
    }

    #[test]
    fn entries_expire_after_write() {
        let cache = cache(Duration::from_millis(50), 100);
        cache.insert(key("elastic/kibana", "t"), 1);
        assert_eq!(cache.get(&key("elastic/kibana", "t")), Some(1));
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(cache.get(&key("elastic/kibana", "t")), None);
        assert_eq!(cache.entry_count(), 0);
        assert_eq!(cache.indexed_keys(), 0, "the expired entry's record is gone");
        // A new entry under the same key is cleared by account.
        cache.insert(key("elastic/kibana", "t"), 2);
        assert_eq!(cache.invalidate_account("elastic/kibana", EvictionCause::ClearApi), 1);
    }

    #[test]
    fn size_is_bounded() {
        let cache = cache(HOUR, 10);
        for i in 0..100 {
            cache.insert(key("elastic/fleet-server", &format!("t{i}")), i);
        }
        let cached = cache.entry_count();
        assert!(cached <= 10, "{cached}");
        // Least recently used entries went first.
        assert_eq!(cache.get(&key("elastic/fleet-server", "t99")), Some(99));
        assert_eq!(cache.get(&key("elastic/fleet-server", "t0")), None);
        // Size evictions drop index records as well: clearing the account
        // counts only what is still cached.
        assert_eq!(cache.invalidate_account("elastic/fleet-server", EvictionCause::ClearApi), cached);
        assert_eq!(cache.entry_count(), 0);
        assert_eq!(cache.indexed_keys(), 0);
    }

    #[test]
    fn disabled_cache_holds_nothing() {
        let cache = cache(Duration::ZERO, 100);
        cache.insert(key("elastic/fleet-server", "t"), 1);
        assert_eq!(cache.get(&key("elastic/fleet-server", "t")), None);
        assert_eq!(cache.get_or_insert_with(&key("elastic/fleet-server", "t"), || 1), None);
        assert_eq!(cache.entry_count(), 0);
    }

    #[test]
    fn invalidate_all_counts_what_it_removed() {
        let cache = cache(HOUR, 100);
        for i in 0..5 {
            cache.insert(key(&format!("elastic/s{i}"), "t"), i);
        }
        assert_eq!(cache.invalidate_all(EvictionCause::FileChange), 5);
        assert_eq!(cache.entry_count(), 0);
    }

    #[test]
    fn get_or_insert_with_inserts_once() {
        let cache = cache(HOUR, 100);
        let k = key("elastic/fleet-server", "t");
        assert_eq!(cache.get_or_insert_with(&k, || 7), Some((7, true)));
        assert_eq!(cache.get_or_insert_with(&k, || 8), Some((7, false)));
        assert!(!cache.remove_if(&k, |v| *v == 8));
        assert!(cache.remove_if(&k, |v| *v == 7));
        assert_eq!(cache.get(&k), None);
    }

    /// Clears racing inserts must never strand an entry that the index no
    /// longer knows: after the race, one account clear empties the account.
    #[test]
    fn concurrent_clears_during_inserts() {
        let cache = Arc::new(cache(HOUR, 1_000_000));
        let threads = 4;
        let barrier = Arc::new(Barrier::new(threads + 1));
        let mut handles = Vec::new();
        for t in 0..threads {
            let cache = Arc::clone(&cache);
            let barrier = Arc::clone(&barrier);
            handles.push(std::thread::spawn(move || {
                barrier.wait();
                for i in 0..5_000u32 {
                    cache.insert(key("elastic/fleet-server", &format!("t{}", i % 200)), t as u32);
                    if i % 7 == 0 {
                        cache.invalidate(
                            [&key("elastic/fleet-server", &format!("t{}", (i + 3) % 200))],
                            EvictionCause::ClearApi,
                        );
                    }
                    cache.insert(key("elastic/kibana", &format!("k{i}")), i);
                }
            }));
        }
        let clearer = {
            let cache = Arc::clone(&cache);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                for _ in 0..2_000 {
                    cache.invalidate_account("elastic/fleet-server", EvictionCause::ClearApi);
                }
            })
        };
        for handle in handles {
            handle.join().unwrap();
        }
        clearer.join().unwrap();
        cache.invalidate_account("elastic/fleet-server", EvictionCause::ClearApi);
        for i in 0..200 {
            assert_eq!(cache.get(&key("elastic/fleet-server", &format!("t{i}"))), None, "t{i} survived");
        }
        // Only the 5000 distinct kibana keys are left.
        assert_eq!(cache.entry_count(), 5_000);
        assert_eq!(cache.indexed_keys(), 5_000);
    }

    /// The same race with moka evicting on its own (size and expiry) while
    /// inserts and clears run: records follow the entries, and an account
    /// clear still empties the account.
    #[test]
    fn concurrent_clears_while_moka_evicts() {
        let cache = Arc::new(cache(Duration::from_millis(5), 50));
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let cache = Arc::clone(&cache);
                std::thread::spawn(move || {
                    for i in 0..3_000u32 {
                        cache.insert(key("elastic/fleet-server", &format!("t{}", i % 120)), t);
                        if i % 5 == 0 {
                            cache.invalidate_account("elastic/fleet-server", EvictionCause::ClearApi);
                        }
                        if i % 7 == 0 {
                            cache.invalidate(
                                [&key("elastic/fleet-server", &format!("t{}", i % 13))],
                                EvictionCause::ClearApi,
                            );
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert!(cache.indexed_keys() <= 120, "the index outgrew the keys ever used: {}", cache.indexed_keys());
        cache.insert(key("elastic/fleet-server", "last"), 9);
        cache.invalidate_account("elastic/fleet-server", EvictionCause::ClearApi);
        for i in 0..120 {
            assert_eq!(cache.get(&key("elastic/fleet-server", &format!("t{i}"))), None);
        }
        assert_eq!(cache.get(&key("elastic/fleet-server", "last")), None);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(cache.entry_count(), 0);
        assert_eq!(cache.indexed_keys(), 0);
    }
}
