//! A realm's cache of authenticated users (`CachingUsernamePasswordRealm`):
//! the password is kept as a salted hash, so a request with the same
//! credentials does not pay the realm's slow hash again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::authentication::User;
use crate::hasher::Hasher;

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

/// When a lookup started, for [`UserCache::insert`].
#[derive(Clone, Copy)]
pub struct Epoch(u64);

impl UserCache {
    /// A cache whose entries expire `ttl` after they were written.
    pub fn new(ttl: Duration, max_users: u64, hasher: Hasher) -> Self {
        let users =
            (!ttl.is_zero()).then(|| moka::sync::Cache::builder().max_capacity(max_users).time_to_live(ttl).build());
        UserCache { users, hasher, epoch: AtomicU64::new(0) }
    }

    /// The user, if it authenticated recently with this password. A
    /// different password is not a failure: the realm decides (the password
    /// may have changed).
    pub fn get(&self, username: &str, password: &str) -> Option<User> {
        let cached = self.users.as_ref()?.get(username)?;
        self.hasher.verify(password, &cached.password_hash).then(|| cached.user.clone())
    }

    /// Where invalidations stand; take it before reading the realm's data.
    pub fn epoch(&self) -> Epoch {
        Epoch(self.epoch.load(Ordering::SeqCst))
    }

    /// Remembers a successful authentication, unless the cache was
    /// invalidated since `started` (a clear during a lookup wins).
    pub fn insert(&self, user: &User, password: &str, started: Epoch) {
        if let Some(users) = &self.users {
            if self.epoch.load(Ordering::SeqCst) != started.0 {
                return;
            }
            let cached = CachedUser { user: user.clone(), password_hash: self.hasher.hash(password) };
            users.insert(user.username.clone(), Arc::new(cached));
        }
    }

    /// Forgets everyone, when the realm's files change.
    pub fn invalidate_all(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if let Some(users) = &self.users {
            users.invalidate_all();
        }
    }
}
