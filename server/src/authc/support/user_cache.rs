//! A realm's cache of authenticated users (`CachingUsernamePasswordRealm`):
//! the password is kept as a salted hash, so a request with the same
//! credentials does not pay the realm's slow hash again.
//!
//! While the cache is enabled, one request per user asks the realm at a time,
//! as in Elasticsearch: requests for that user that arrive meanwhile wait
//! for its verdict and take it if they sent the same password (so a burst of
//! first logins costs one slow hash, not one each). A request the verdict
//! does not answer (another password, or no verdict because the realm
//! failed or the request went away) asks the realm itself, without making
//! others wait for it, so it waits for at most one other check (where
//! Elasticsearch hands a realm error to the waiting requests, they ask for
//! themselves here: the realms' error types are their own, and an error
//! path may pay one more lookup). An invalidation also stops later requests
//! from waiting for a check that started before it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::authc::authentication::{RealmOutcome, User};
use crate::authc::service::cache_lease::CacheLease;
use crate::authc::support::hasher::{Hasher, verify_hash_blocking};
use crate::config::{RealmId, RealmSetting, Settings, values};

/// How long the realm remembers an authenticated user
/// (`CachingUsernamePasswordRealmSettings.CACHE_TTL_SETTING`).
pub const CACHE_TTL_SETTING: RealmSetting<Duration> = RealmSetting::new(
    "cache.ttl",
    "20m",
    values::time_or_zero,
    "how long the realm remembers an authenticated user; 0 disables its cache",
);

/// How many users the realm's cache holds.
pub const CACHE_MAX_USERS_SETTING: RealmSetting<u64> =
    RealmSetting::new("cache.max_users", "100000", values::non_negative_int, "most users the realm's cache holds");

/// How the realm's cache hashes the passwords it remembers.
pub const CACHE_HASH_ALGO_SETTING: RealmSetting<Hasher> = RealmSetting::new(
    "cache.hash_algo",
    "ssha256",
    Hasher::parse_setting,
    "how the realm's cache hashes the passwords it remembers",
);

/// A point in the cache's invalidations (see [`UserCache::epoch`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Epoch(u64);

struct CachedUser {
    user: User,
    password_hash: String,
}

/// Where the realm check of a user's running authentication stands.
#[derive(Clone)]
enum Verdict {
    /// The realm has not answered yet.
    Pending,
    /// The realm's outcome for a password, kept as a salted hash of it.
    Answered { outcome: RealmOutcome, password_hash: String },
    /// No outcome (the realm failed, or the request went away): ask again.
    Retry,
}

/// Users a realm authenticated recently.
pub struct UserCache {
    /// `None` when the cache is disabled (`cache.ttl` 0).
    users: Option<moka::sync::Cache<String, Arc<CachedUser>>>,
    /// The authentications asking the realm now, one per user.
    in_flight: parking_lot::Mutex<HashMap<String, watch::Receiver<Verdict>>>,
    hasher: Hasher,
    /// Bumped by every invalidation, so that a lookup that started before a
    /// reload does not cache what the reload made stale.
    epoch: AtomicU64,
    /// For a realm whose users change through the cluster (the native
    /// realm): the node's cache lease, without which the cache is not used.
    lease: Option<Arc<CacheLease>>,
}

/// The authentication of a user that asks the realm: it tells the waiting
/// ones what the realm said, or, if it ends without an answer, to ask again.
struct InFlight<'a> {
    cache: &'a UserCache,
    username: &'a str,
    verdict: watch::Sender<Verdict>,
}

impl InFlight<'_> {
    fn finish(&self, verdict: Verdict) {
        let mut in_flight = self.cache.in_flight.lock();
        // After an invalidation the entry may be a newer check's.
        if in_flight.get(self.username).is_some_and(|current| current.same_channel(&self.verdict.subscribe())) {
            in_flight.remove(self.username);
        }
        drop(in_flight);
        self.verdict.send_replace(verdict);
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let pending = matches!(*self.verdict.borrow(), Verdict::Pending);
        if pending {
            self.finish(Verdict::Retry);
        }
    }
}

impl UserCache {
    /// A cache whose entries expire `ttl` after they were written.
    pub fn new(ttl: Duration, max_users: u64, hasher: Hasher) -> Self {
        let users =
            (!ttl.is_zero()).then(|| moka::sync::Cache::builder().max_capacity(max_users).time_to_live(ttl).build());
        UserCache {
            users,
            in_flight: parking_lot::Mutex::new(HashMap::new()),
            hasher,
            epoch: AtomicU64::new(0),
            lease: None,
        }
    }

    /// The cache, used only while `lease` holds: a node that may have missed
    /// a cluster-wide clear asks the realm instead.
    pub fn with_lease(self, lease: Arc<CacheLease>) -> Self {
        UserCache { lease: Some(lease), ..self }
    }

    /// Whether the cache may be used now; the lease is renewed if needed.
    async fn usable(&self) -> bool {
        match &self.lease {
            Some(lease) => lease.holds() || lease.renew().await,
            None => true,
        }
    }

    /// The cache of `realm`, as its `cache.*` settings say.
    pub fn for_realm(settings: &Settings, realm: &RealmId) -> Self {
        UserCache::new(
            CACHE_TTL_SETTING.get(settings, realm),
            CACHE_MAX_USERS_SETTING.get(settings, realm),
            CACHE_HASH_ALGO_SETTING.get(settings, realm),
        )
    }

    /// A cache with a realm's default settings.
    #[cfg(test)]
    pub fn with_defaults() -> Self {
        let settings = Settings::from_map(std::path::Path::new("."), Default::default()).expect("no settings is valid");
        UserCache::for_realm(&settings, &RealmId { kind: "file", name: "default_file".to_string() })
    }

    /// Checks `username`/`password` for a realm, from the cache when they
    /// authenticated recently, or from the verdict of the request for the
    /// same user and password that is asking the realm now. Otherwise
    /// `lookup` gives the realm's user and its password hash (or `None`,
    /// answered with `unknown`), the password is verified off the async
    /// workers, and a success is cached unless the cache was invalidated
    /// meanwhile.
    pub async fn authenticate<E>(
        &self,
        username: &str,
        password: &str,
        unknown: RealmOutcome,
        lookup: impl Future<Output = Result<Option<(User, String)>, E>>,
    ) -> Result<RealmOutcome, E> {
        if self.users.is_none() || !self.usable().await {
            // Caching is disabled (or may not be trusted now), and with it
            // the sharing of verdicts.
            return self.ask_realm(password, None, unknown, lookup).await;
        }
        if let Some(user) = self.get(username, password).await {
            return Ok(RealmOutcome::Authenticated(user));
        }
        // Either this request checks the user (and gets the sender of its
        // verdict), or it waits for the one that does.
        let checking = {
            let mut in_flight = self.in_flight.lock();
            match in_flight.get(username) {
                Some(verdict) => Err(verdict.clone()),
                None => {
                    let (verdict, receiver) = watch::channel(Verdict::Pending);
                    in_flight.insert(username.to_string(), receiver);
                    Ok(verdict)
                }
            }
        };
        let mut waiting = match checking {
            Ok(verdict) => {
                let in_flight = InFlight { cache: self, username, verdict };
                let password_hash = self.hasher.hash_off_loop(password).await;
                let result = self.ask_realm(password, Some(&password_hash), unknown, lookup).await;
                in_flight.finish(match &result {
                    Ok(outcome) => Verdict::Answered { outcome: outcome.clone(), password_hash },
                    Err(_) => Verdict::Retry,
                });
                return result;
            }
            Err(waiting) => waiting,
        };
        let verdict = waiting.wait_for(|verdict| !matches!(verdict, Verdict::Pending)).await.map(|v| v.clone());
        if let Ok(Verdict::Answered { outcome, password_hash }) = verdict
            && self.hasher.verify_off_loop(password, &password_hash).await
        {
            return Ok(outcome);
        }
        // Not this request's verdict: the check may have cached this very
        // user, else ask the realm without making anyone wait.
        if let Some(user) = self.get(username, password).await {
            return Ok(RealmOutcome::Authenticated(user));
        }
        let password_hash = self.hasher.hash_off_loop(password).await;
        self.ask_realm(password, Some(&password_hash), unknown, lookup).await
    }

    /// Asks the realm (`lookup`) and verifies the password against the hash
    /// it gives; a success is cached (the password as `password_hash`) if
    /// the cache is enabled.
    async fn ask_realm<E>(
        &self,
        password: &str,
        password_hash: Option<&str>,
        unknown: RealmOutcome,
        lookup: impl Future<Output = Result<Option<(User, String)>, E>>,
    ) -> Result<RealmOutcome, E> {
        let started = self.epoch.load(Ordering::SeqCst);
        let Some((user, hash)) = lookup.await? else {
            return Ok(unknown);
        };
        if !verify_hash_blocking(password, hash).await {
            tracing::debug!("Password authentication failed for {}", user.username);
            return Ok(RealmOutcome::Failed);
        }
        if let Some(password_hash) = password_hash {
            self.insert(&user, password_hash, started);
        }
        Ok(RealmOutcome::Authenticated(user))
    }

    /// The user, if it authenticated recently with this password. A
    /// different password is not a failure: the realm decides (the password
    /// may have changed).
    async fn get(&self, username: &str, password: &str) -> Option<User> {
        let cached = self.users.as_ref()?.get(username)?;
        self.hasher.verify_off_loop(password, &cached.password_hash).await.then(|| cached.user.clone())
    }

    /// Remembers a successful authentication (the password as
    /// `password_hash`), unless the cache was invalidated since the lookup
    /// `started` (a clear during a lookup wins).
    fn insert(&self, user: &User, password_hash: &str, started: u64) {
        let Some(users) = &self.users else { return };
        let cached = CachedUser { user: user.clone(), password_hash: password_hash.to_string() };
        users.insert(user.username.clone(), Arc::new(cached));
        // Checked after the insert: an invalidation that bumped the epoch
        // before this point may have emptied the cache before the insert, so
        // the entry is taken back; one that bumps it later empties the cache
        // after the insert.
        if self.epoch.load(Ordering::SeqCst) != started {
            users.invalidate(&user.username);
        }
    }

    /// Where the cache's invalidations stand: a check that starts now and
    /// ends with [`UserCache::remember`] is taken back by any invalidation
    /// in between.
    pub fn epoch(&self) -> Epoch {
        Epoch(self.epoch.load(Ordering::SeqCst))
    }

    /// Remembers that `user` authenticates with `password`, known right
    /// since `checked` (without asking the realm: e.g. the password the node
    /// was started with, while the realm holds none).
    pub fn remember(&self, user: &User, password: &str, checked: Epoch) {
        self.insert(user, &self.hasher.hash(password), checked.0);
    }

    /// Forgets `usernames`, when they changed. Checks running now are not
    /// cached (whichever user they are of), nor waited for by later requests
    /// of these users.
    pub fn invalidate(&self, usernames: &[String]) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let mut in_flight = self.in_flight.lock();
        for username in usernames {
            in_flight.remove(username);
        }
        drop(in_flight);
        if let Some(users) = &self.users {
            for username in usernames {
                users.invalidate(username);
            }
        }
    }

    /// Forgets `usernames`, or everyone when none is named: the realm cache
    /// clear API's request.
    pub fn clear(&self, usernames: &[String]) {
        if usernames.is_empty() { self.invalidate_all() } else { self.invalidate(usernames) }
    }

    /// Forgets everyone, when the realm's data changes. Checks running now
    /// still answer the requests already waiting for them, but no later
    /// request waits for them, nor is their success cached.
    pub fn invalidate_all(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.in_flight.lock().clear();
        if let Some(users) = &self.users {
            users.invalidate_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::sync::atomic::AtomicUsize;
    use std::sync::atomic::Ordering::SeqCst;

    use super::*;

    fn user() -> User {
        User {
            username: "alice".into(),
            roles: vec!["admin".into()],
            full_name: None,
            email: None,
            metadata: serde_json::Map::new(),
        }
    }

    async fn authenticate(cache: &UserCache, password: &str, lookup: Option<String>) -> RealmOutcome {
        let lookup = async { Ok::<_, Infallible>(lookup.map(|hash| (user(), hash))) };
        let Ok(outcome) = cache.authenticate("alice", password, RealmOutcome::NotHandled, lookup).await;
        outcome
    }

    #[tokio::test]
    async fn a_success_is_cached_and_a_failure_is_not() {
        let cache = UserCache::with_defaults();
        let hash = Hasher::Pbkdf2 { iterations: 1000 }.hash("right");
        assert_eq!(authenticate(&cache, "wrong", Some(hash.clone())).await, RealmOutcome::Failed);
        assert_eq!(authenticate(&cache, "right", Some(hash)).await, RealmOutcome::Authenticated(user()));
        // Cached: the realm is not asked (it no longer knows alice).
        assert_eq!(authenticate(&cache, "right", None).await, RealmOutcome::Authenticated(user()));
        // Another password is the realm's to decide.
        assert_eq!(authenticate(&cache, "wrong", None).await, RealmOutcome::NotHandled);
        cache.invalidate_all();
        assert_eq!(authenticate(&cache, "right", None).await, RealmOutcome::NotHandled);
    }

    #[tokio::test]
    async fn an_invalidation_during_a_lookup_keeps_its_user_out() {
        let cache = UserCache::with_defaults();
        let hash = Hasher::Ssha256.hash("right");
        let lookup = async {
            cache.invalidate_all();
            Ok::<_, Infallible>(Some((user(), hash)))
        };
        let Ok(outcome) = cache.authenticate("alice", "right", RealmOutcome::NotHandled, lookup).await;
        assert_eq!(outcome, RealmOutcome::Authenticated(user()), "the lookup's own answer stands");
        assert_eq!(authenticate(&cache, "right", None).await, RealmOutcome::NotHandled, "but it was not cached");
    }

    #[tokio::test]
    async fn a_zero_ttl_caches_nothing() {
        let cache = UserCache::new(Duration::ZERO, 10, Hasher::Ssha256);
        let hash = Hasher::Ssha256.hash("right");
        assert_eq!(authenticate(&cache, "right", Some(hash)).await, RealmOutcome::Authenticated(user()));
        assert_eq!(authenticate(&cache, "right", None).await, RealmOutcome::NotHandled);
    }

    /// alice's login with `password`, against a lookup that takes `delay`,
    /// answers with `hash`, and counts its calls in `calls`.
    async fn login(
        cache: &UserCache,
        password: &str,
        calls: &AtomicUsize,
        delay: Duration,
        hash: &str,
    ) -> Result<RealmOutcome, Infallible> {
        let lookup = async {
            calls.fetch_add(1, SeqCst);
            tokio::time::sleep(delay).await;
            Ok(Some((user(), hash.to_string())))
        };
        cache.authenticate("alice", password, RealmOutcome::NotHandled, lookup).await
    }

    /// `login`, `after` a while.
    async fn login_after(
        after: Duration,
        cache: &UserCache,
        password: &str,
        calls: &AtomicUsize,
        hash: &str,
    ) -> Result<RealmOutcome, Infallible> {
        tokio::time::sleep(after).await;
        login(cache, password, calls, Duration::from_millis(10), hash).await
    }

    #[tokio::test]
    async fn concurrent_logins_of_a_user_ask_the_realm_once() {
        let cache = UserCache::with_defaults();
        let hash = Hasher::Pbkdf2 { iterations: 1000 }.hash("right");
        let calls = AtomicUsize::new(0);
        let logins = (0..8).map(|_| login(&cache, "right", &calls, Duration::from_millis(100), &hash));
        for outcome in futures::future::join_all(logins).await {
            assert_eq!(outcome, Ok(RealmOutcome::Authenticated(user())));
        }
        assert_eq!(calls.into_inner(), 1);
        // A wrong password waiting on the same user's check is not given
        // its verdict, nor its failure given to the right one.
        let cache = UserCache::with_defaults();
        let calls = AtomicUsize::new(0);
        let (wrong, right) = tokio::join!(
            login(&cache, "wrong", &calls, Duration::from_millis(100), &hash),
            login_after(Duration::from_millis(20), &cache, "right", &calls, &hash),
        );
        assert_eq!(wrong, Ok(RealmOutcome::Failed));
        assert_eq!(right, Ok(RealmOutcome::Authenticated(user())));
        assert_eq!(calls.into_inner(), 2);
    }

    #[tokio::test]
    async fn a_login_that_goes_away_lets_the_waiting_ones_ask() {
        let cache = UserCache::with_defaults();
        let hash = Hasher::Pbkdf2 { iterations: 1000 }.hash("right");
        let calls = AtomicUsize::new(0);
        let leaving = login(&cache, "right", &calls, Duration::from_secs(60), &hash);
        let (left, waited) = tokio::join!(
            tokio::time::timeout(Duration::from_millis(50), leaving),
            login_after(Duration::from_millis(10), &cache, "right", &calls, &hash),
        );
        assert!(left.is_err(), "the first login timed out");
        assert_eq!(waited, Ok(RealmOutcome::Authenticated(user())));
        assert_eq!(calls.into_inner(), 2, "the waiting login asked the realm itself");
        assert!(cache.in_flight.lock().is_empty());
    }

    #[tokio::test]
    async fn a_login_after_an_invalidation_does_not_take_an_older_check() {
        let cache = UserCache::with_defaults();
        let hasher = Hasher::Pbkdf2 { iterations: 1000 };
        let (before, after) = (hasher.hash("right"), hasher.hash("changed"));
        let calls = AtomicUsize::new(0);
        let reload = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            cache.invalidate_all();
        };
        let (first, (), second) = tokio::join!(
            login(&cache, "right", &calls, Duration::from_millis(100), &before),
            reload,
            login_after(Duration::from_millis(30), &cache, "right", &calls, &after),
        );
        assert_eq!(first, Ok(RealmOutcome::Authenticated(user())), "a check's own answer stands");
        assert_eq!(second, Ok(RealmOutcome::Failed), "the later login asked the reloaded realm");
        assert_eq!(calls.into_inner(), 2);
        assert_eq!(
            login(&cache, "right", &AtomicUsize::new(0), Duration::ZERO, &after).await,
            Ok(RealmOutcome::Failed)
        );
    }
}
