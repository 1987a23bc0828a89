//! The native realm (`NativeRealm`): users kept in the security index, put
//! and changed through the user APIs, behind the realm's cache.

use std::sync::Arc;

use crate::authc::authentication::{Realm, RealmOutcome};
use crate::authc::esnative::native_users_store::NativeUsersStore;
use crate::authc::service::cache_lease::CacheLease;
use crate::authc::support::user_cache::UserCache;
use crate::config::{RealmId, Settings};
use crate::security_index::StoreError;

/// The realm type.
pub const NATIVE_REALM_TYPE: &str = "native";
/// The realm's name when none is configured.
const DEFAULT_NAME: &str = "default_native";

/// The native realm.
pub struct NativeRealm {
    realm: Realm,
    store: Arc<NativeUsersStore>,
    cache: UserCache,
}

impl NativeRealm {
    /// The realm over `store`, configured by the native realm's settings.
    /// Its cache is used only while the node holds its cache `lease`: a
    /// node that missed a change of a user may not answer from it.
    pub fn new(settings: &Settings, store: Arc<NativeUsersStore>, lease: Arc<CacheLease>) -> Self {
        let id = Self::id(settings);
        NativeRealm {
            realm: Realm { name: id.name.clone(), kind: NATIVE_REALM_TYPE.to_string() },
            store,
            cache: UserCache::for_realm(settings, &id).with_lease(lease),
        }
    }

    /// The realm as configured: its type and name.
    pub fn id(settings: &Settings) -> RealmId {
        settings.internal_realm(NATIVE_REALM_TYPE, DEFAULT_NAME)
    }

    /// Checks `username`/`password`. An unknown or disabled user is not
    /// this realm's to answer.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<RealmOutcome, StoreError> {
        let lookup = async {
            let stored = self.store.get(username).await?;
            Ok(stored.filter(|stored| stored.enabled).map(|stored| (stored.user, stored.password_hash)))
        };
        self.cache.authenticate(username, password, RealmOutcome::NotHandled, lookup).await
    }

    /// The realm's name and type.
    pub fn realm(&self) -> &Realm {
        &self.realm
    }

    /// The users the realm keeps.
    pub fn store(&self) -> &NativeUsersStore {
        &self.store
    }

    /// Forgets `usernames` (everyone when none is named) from the cache.
    pub fn clear_cache(&self, usernames: &[String]) {
        self.cache.clear(usernames);
    }
}
