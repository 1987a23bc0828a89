//! A realm's cache of authenticated users (`CachingUsernamePasswordRealm`):
//! the password is kept as a salted hash, so a request with the same
//! credentials does not pay the realm's slow hash again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::authentication::{RealmOutcome, User};
use crate::hasher::{Hasher, verify_hash_blocking};

/// `cache.ttl`'s default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(20 * 60);
/// `cache.max_users`' default.
pub const DEFAULT_MAX_USERS: u64 = 100_000;

struct CachedUser {
    user: User,
    password_hash: String,
}

/// Users a realm authenticated recently.
pub struct UserCache {
    /// `None` when the cache is disabled (`cache.ttl` 0).
    users: Option<moka::sync::Cache<String, Arc<CachedUser>>>,
    hasher: Hasher,
    /// Bumped by every invalidation, so that a lookup that started before a
    /// reload does not cache what the reload made stale.
    epoch: AtomicU64,
}

impl UserCache {
    /// A cache whose entries expire `ttl` after they were written.
    pub fn new(ttl: Duration, max_users: u64, hasher: Hasher) -> Self {
        let users =
            (!ttl.is_zero()).then(|| moka::sync::Cache::builder().max_capacity(max_users).time_to_live(ttl).build());
        UserCache { users, hasher, epoch: AtomicU64::new(0) }
    }

    /// A cache with a realm's default settings.
    pub fn with_defaults() -> Self {
        UserCache::new(DEFAULT_TTL, DEFAULT_MAX_USERS, Hasher::Ssha256)
    }

    /// Checks `username`/`password` for a realm, from the cache when they
    /// authenticated recently. Otherwise `lookup` gives the realm's user and
    /// its password hash (or `None`, answered with `unknown`), the password
    /// is verified off the async workers, and a success is cached unless the
    /// cache was invalidated meanwhile.
    pub async fn authenticate<E>(
        &self,
        username: &str,
        password: &str,
        unknown: RealmOutcome,
        lookup: impl Future<Output = Result<Option<(User, String)>, E>>,
    ) -> Result<RealmOutcome, E> {
        if let Some(user) = self.get(username, password) {
            return Ok(RealmOutcome::Authenticated(user));
        }
        let started = self.epoch.load(Ordering::SeqCst);
        let Some((user, hash)) = lookup.await? else {
            return Ok(unknown);
        };
        if !verify_hash_blocking(password, hash).await {
            tracing::debug!("Password authentication failed for {username}");
            return Ok(RealmOutcome::Failed);
        }
        self.insert(&user, password, started);
        Ok(RealmOutcome::Authenticated(user))
    }

    /// The user, if it authenticated recently with this password. A
    /// different password is not a failure: the realm decides (the password
    /// may have changed).
    fn get(&self, username: &str, password: &str) -> Option<User> {
        let cached = self.users.as_ref()?.get(username)?;
        self.hasher.verify(password, &cached.password_hash).then(|| cached.user.clone())
    }

    /// Remembers a successful authentication, unless the cache was
    /// invalidated since the lookup `started` (a clear during a lookup wins).
    fn insert(&self, user: &User, password: &str, started: u64) {
        let Some(users) = &self.users else { return };
        let cached = CachedUser { user: user.clone(), password_hash: self.hasher.hash(password) };
        users.insert(user.username.clone(), Arc::new(cached));
        // Checked after the insert: an invalidation that bumped the epoch
        // before this point may have emptied the cache before the insert, so
        // the entry is taken back; one that bumps it later empties the cache
        // after the insert.
        if self.epoch.load(Ordering::SeqCst) != started {
            users.invalidate(&user.username);
        }
    }

    /// Forgets everyone, when the realm's data changes.
    pub fn invalidate_all(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if let Some(users) = &self.users {
            users.invalidate_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

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
}
