//! The reserved realm: Elasticsearch's built-in users. Only `elastic`, the
//! superuser, can log in here; its password hash lives in the security index.
//! On first start it comes from `ELASTIC_PASSWORD`, or is generated and
//! printed once, as Elasticsearch does. While the index holds none,
//! `ELASTIC_PASSWORD` is the password, as `bootstrap.password` is in
//! Elasticsearch.

use std::sync::Arc;

use crate::authc::authentication::{Realm, RealmOutcome, User};
use crate::authc::esnative::bootstrap_password_record::BootstrapPasswordRecord;
use crate::authc::support::hasher::{Hasher, verify_hash_blocking};
use crate::authc::support::user_cache::UserCache;
use crate::config::{Setting, SettingsError};
use crate::security_index::{SecurityIndex, StoreError, store_error};

/// How passwords are hashed in the security index
/// (`XPackSettings.PASSWORD_HASHING_ALGORITHM`).
pub const PASSWORD_HASHING_SETTING: Setting<Hasher> = Setting::new(
    "xpack.security.authc.password_hashing.algorithm",
    "bcrypt",
    parse_password_hasher,
    "how the elastic user's password is hashed in the security index (bcrypt* or pbkdf2*)",
);

/// A hasher of the bcrypt or PBKDF2 family: the only ones Elasticsearch
/// stores passwords with.
fn parse_password_hasher(key: &str, value: &str) -> Result<Hasher, SettingsError> {
    let hasher = Hasher::parse_setting(key, value)?;
    if !matches!(hasher, Hasher::Bcrypt { .. } | Hasher::Pbkdf2 { .. } | Hasher::Pbkdf2Stretch { .. }) {
        return Err(SettingsError::Invalid {
            key: key.to_string(),
            value: value.to_string(),
            detail: ": only pbkdf2 or bcrypt family algorithms can be used for password hashing".to_string(),
        });
    }
    Ok(hasher)
}

/// The superuser.
pub const ELASTIC: &str = "elastic";

/// User names the reserved realm owns.
const RESERVED_USERNAMES: &[&str] =
    &["elastic", "kibana", "kibana_system", "logstash_system", "beats_system", "apm_system", "remote_monitoring_user"];

/// Whether `username` belongs to the reserved realm.
pub fn is_reserved_username(username: &str) -> bool {
    RESERVED_USERNAMES.contains(&username)
}

/// The reserved realm.
pub struct ReservedRealm {
    index: Arc<SecurityIndex>,
    cache: UserCache,
    /// `ELASTIC_PASSWORD`, if set: `elastic`'s password while the index
    /// holds none, e.g. in the moment between a new index appearing and the
    /// node setting it up.
    bootstrap: Option<BootstrapPassword>,
    /// How a password `elastic` gets is hashed.
    password_hasher: Hasher,
    /// Whether `ELASTIC_PASSWORD` matched the stored hash on an earlier
    /// start.
    record: BootstrapPasswordRecord,
    /// The set-up's background part, while it runs.
    setup: parking_lot::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// The bootstrap password, and its hash once needed (hashing is slow, and a
/// node whose index holds a password never needs it). Not `Debug`: it is a
/// secret.
struct BootstrapPassword {
    password: String,
    hash: tokio::sync::OnceCell<String>,
}

/// How `elastic` got its password on this start.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// It already had one.
    Existing,
    /// From `ELASTIC_PASSWORD`.
    FromEnvironment,
    /// Generated; shown to the operator once.
    Generated(String),
}

impl ReservedRealm {
    /// The realm over `index`, with `ELASTIC_PASSWORD` if set; passwords are
    /// hashed with `password_hasher`; `record` tells whether
    /// `ELASTIC_PASSWORD` matched on an earlier start.
    pub fn new(
        index: Arc<SecurityIndex>,
        cache: UserCache,
        bootstrap_password: Option<&str>,
        password_hasher: Hasher,
        record: BootstrapPasswordRecord,
    ) -> Self {
        let bootstrap = bootstrap_password
            .map(|password| BootstrapPassword { password: password.to_string(), hash: tokio::sync::OnceCell::new() });
        ReservedRealm { index, cache, bootstrap, password_hasher, record, setup: parking_lot::Mutex::new(None) }
    }

    /// The hash of the bootstrap password, if there is one. Made at a low
    /// priority: it is for storing, and a login with the bootstrap password
    /// is answered from the cache meanwhile.
    async fn bootstrap_hash(&self) -> Result<Option<String>, StoreError> {
        let Some(bootstrap) = &self.bootstrap else { return Ok(None) };
        let hash = bootstrap
            .hash
            .get_or_try_init(|| self.password_hasher.hash_at_low_priority(&bootstrap.password))
            .await
            .map_err(StoreError)?;
        Ok(Some(hash.clone()))
    }

    /// Makes sure `elastic` has a password, on a new security index. An
    /// existing password wins over `ELASTIC_PASSWORD`, as the security index
    /// wins over `bootstrap.password` in Elasticsearch.
    ///
    /// Slow hashing stays off the start path: `ELASTIC_PASSWORD` on a new
    /// index is `elastic`'s password already (the index holds none), so the
    /// realm's cache is told so and its bcrypt hash is stored in the
    /// background ([`ReservedRealm::setup_done`] waits for it). Against a
    /// stored password it is known right if this node's record shows it
    /// matched before (see `bootstrap_password_record`); otherwise it is
    /// checked in the background, as a login, for the warning when it is
    /// ignored and, when it matches, for the cache and the record. A
    /// generated password is hashed and stored before this returns: it is
    /// shown once, and must work.
    pub async fn ensure_elastic_password(self: &Arc<Self>) -> Result<Bootstrap, StoreError> {
        let checked = self.cache.epoch();
        // A row without a hash (elastic only disabled or enabled through the
        // API) holds no password; a disabled elastic is refused whatever its
        // password.
        let (stored, enabled) = match self.stored(ELASTIC).await? {
            Some(row) => ((!row.password_hash.is_empty()).then_some(row.password_hash), row.enabled),
            None => (None, true),
        };
        match (stored, &self.bootstrap) {
            (Some(stored), Some(bootstrap)) => {
                if self.record.shows_match(&stored, &bootstrap.password) {
                    if enabled {
                        self.cache.remember(&reserved_user(ELASTIC), &bootstrap.password, checked);
                    }
                    return Ok(Bootstrap::Existing);
                }
                // A record of another password or hash goes at once: one
                // exists only while the node is started with its password.
                self.record.remove();
                // Checked as a login is: a login that arrives meanwhile with
                // the same password waits for this check instead of paying
                // its own, and a match is cached.
                let realm = Arc::clone(self);
                self.in_background(async move {
                    let Some(bootstrap) = &realm.bootstrap else { return };
                    match realm.authenticate(ELASTIC, &bootstrap.password).await {
                        // Recorded once checked against the hash read above
                        // itself: the login may have been checked against a
                        // hash stored since.
                        Ok(RealmOutcome::Authenticated(_)) => {
                            if verify_hash_blocking(&bootstrap.password, stored.clone()).await {
                                realm.record.record(&stored, &bootstrap.password).await
                            }
                        }
                        Ok(RealmOutcome::Failed) if enabled => tracing::warn!(
                            "ELASTIC_PASSWORD is ignored: the [elastic] user already has a password in the security \
                             index"
                        ),
                        Ok(_) | Err(_) => {}
                    }
                });
                Ok(Bootstrap::Existing)
            }
            (Some(_), None) => {
                self.record.remove();
                Ok(Bootstrap::Existing)
            }
            (None, Some(bootstrap)) => {
                if enabled {
                    self.cache.remember(&reserved_user(ELASTIC), &bootstrap.password, checked);
                }
                let realm = Arc::clone(self);
                self.in_background(async move {
                    let Some(bootstrap) = &realm.bootstrap else { return };
                    let hash = match realm.bootstrap_hash().await {
                        Ok(Some(hash)) => hash,
                        Ok(None) => return,
                        Err(error) => return tracing::warn!(%error, "could not hash the [elastic] user's password"),
                    };
                    match realm.insert_password_hash(ELASTIC, &hash).await {
                        Ok(true) => {
                            // Recorded first: a node stopped once it logged
                            // this starts fast the next time.
                            realm.record.record(&hash, &bootstrap.password).await;
                            tracing::info!("stored the [elastic] user's password in the security index")
                        }
                        // Another node of the cluster set one first: it may
                        // not be this one.
                        Ok(false) => realm.cache.invalidate_all(),
                        // The index holds none still, so ELASTIC_PASSWORD
                        // stays elastic's; a new index sets it up again.
                        Err(error) => tracing::warn!(%error, "could not store the [elastic] user's password"),
                    }
                });
                Ok(Bootstrap::FromEnvironment)
            }
            (None, None) => {
                self.record.remove();
                let password = generate_password();
                let hash =
                    self.password_hasher.hash_blocking(&password).await.map_err(|e| StoreError(e.to_string()))?;
                if self.insert_password_hash(ELASTIC, &hash).await? {
                    Ok(Bootstrap::Generated(password))
                } else {
                    // Another node of the cluster set it first.
                    Ok(Bootstrap::Existing)
                }
            }
        }
    }

    /// Runs the part of the set-up that waits for a slow hash.
    fn in_background(&self, work: impl Future<Output = ()> + Send + 'static) {
        let task = tokio::spawn(work);
        if let Some(previous) = self.setup.lock().replace(task) {
            // A later set-up (a new index) supersedes it.
            previous.abort();
        }
    }

    /// Waits until the background part of the last set-up is done.
    pub async fn setup_done(&self) {
        let task = self.setup.lock().take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// Checks `username`/`password` if `username` is reserved. A disabled
    /// reserved user fails.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<RealmOutcome, StoreError> {
        if !is_reserved_username(username) {
            return Ok(RealmOutcome::NotHandled);
        }
        let lookup = async {
            let (hash, enabled) = match self.stored(username).await? {
                Some(stored) => (Some(stored.password_hash).filter(|hash| !hash.is_empty()), stored.enabled),
                None => (None, true),
            };
            if !enabled {
                return Ok(None);
            }
            let hash = match hash {
                None if username == ELASTIC => self.bootstrap_hash().await?,
                stored => stored,
            };
            Ok(hash.map(|hash| (reserved_user(username), hash)))
        };
        // Reserved users without a password (all but `elastic` here, until
        // one is set through the API) cannot log in, and the realm does not
        // let another realm try them.
        self.cache.authenticate(username, password, RealmOutcome::Failed, lookup).await
    }

    /// Every reserved user, in Elasticsearch's order, with whether it is
    /// enabled.
    pub async fn users(&self) -> Result<Vec<(User, bool)>, StoreError> {
        // One read for all of them; a user without a row is enabled.
        let disabled: Vec<String> = sqlx::query_scalar("SELECT username FROM reserved_users WHERE NOT enabled")
            .fetch_all(&self.index.pool())
            .await
            .map_err(store_error)?;
        Ok(RESERVED_USERNAMES
            .iter()
            .map(|username| (reserved_user(username), !disabled.iter().any(|name| name == username)))
            .collect())
    }

    /// Sets a reserved user's password hash.
    pub async fn set_password_hash(&self, username: &str, hash: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO reserved_users (username, password_hash, enabled) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
        )
        .bind(username)
        .bind(hash)
        .bind(true)
        .execute(&self.index.pool())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    /// Enables or disables a reserved user (one without a password stays
    /// without).
    pub async fn set_enabled(&self, username: &str, enabled: bool) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO reserved_users (username, password_hash, enabled) VALUES ($1, '', $2) \
             ON CONFLICT (username) DO UPDATE SET enabled = excluded.enabled",
        )
        .bind(username)
        .bind(enabled)
        .execute(&self.index.pool())
        .await
        .map_err(store_error)?;
        Ok(())
    }

    /// The realm's name and type: `reserved`.
    pub fn realm(&self) -> Realm {
        Realm { name: "reserved".to_string(), kind: "reserved".to_string() }
    }

    /// Forgets cached users, e.g. when the security index changed.
    pub fn invalidate_cache(&self) {
        self.cache.invalidate_all();
    }

    /// Forgets `usernames` (everyone when none is named) from the cache.
    pub fn clear_cache(&self, usernames: &[String]) {
        self.cache.clear(usernames);
    }

    /// The stored password hash of `username`, if it has one.
    #[cfg(test)]
    async fn password_hash(&self, username: &str) -> Result<Option<String>, StoreError> {
        Ok(self.stored(username).await?.map(|stored| stored.password_hash).filter(|hash| !hash.is_empty()))
    }

    /// What the index holds of `username`.
    async fn stored(&self, username: &str) -> Result<Option<StoredReservedUser>, StoreError> {
        // `enabled` as a number: sqlx's `Any` driver cannot read SQLite booleans.
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT password_hash, CAST(CASE WHEN enabled THEN 1 ELSE 0 END AS BIGINT) FROM reserved_users WHERE username = $1",
        )
                .bind(username)
                .fetch_optional(&self.index.pool())
                .await
                .map_err(store_error)?;
        Ok(row.map(|(password_hash, enabled)| StoredReservedUser { password_hash, enabled: enabled != 0 }))
    }

    /// Stores a password hash unless one exists; whether it did.
    async fn insert_password_hash(&self, username: &str, hash: &str) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO reserved_users (username, password_hash, enabled) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .bind(hash)
        .bind(true)
        .execute(&self.index.pool())
        .await
        .map_err(store_error)?;
        Ok(result.rows_affected() > 0)
    }
}

/// A reserved user's row: its hash (empty: none) and whether it is enabled.
struct StoredReservedUser {
    password_hash: String,
    enabled: bool,
}

/// A reserved user with its roles and metadata, as Elasticsearch defines it.
fn reserved_user(username: &str) -> User {
    let mut metadata = serde_json::Map::new();
    metadata.insert("_reserved".to_string(), true.into());
    let roles: &[&str] = match username {
        ELASTIC => &["superuser"],
        "kibana" => {
            metadata.insert("_deprecated".to_string(), true.into());
            metadata.insert("_deprecated_reason".to_string(), "Please use the [kibana_system] user instead.".into());
            &["kibana_system"]
        }
        "remote_monitoring_user" => &["remote_monitoring_collector", "remote_monitoring_agent"],
        other => std::slice::from_ref(RESERVED_USERNAMES.iter().find(|name| **name == other).unwrap_or(&"")),
    };
    let roles = roles.iter().filter(|role| !role.is_empty()).map(|role| role.to_string()).collect();
    User { username: username.to_string(), roles, full_name: None, email: None, metadata }
}

/// A 20-character password from letters, digits and `*-_=+`, like the ones
/// Elasticsearch generates.
fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-_=+";
    (0..20).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::security_index::default_url;

    #[test]
    fn only_password_hashers() {
        assert_eq!(parse_password_hasher("k", "bcrypt12").unwrap(), Hasher::Bcrypt { cost: 12 });
        assert_eq!(
            parse_password_hasher("k", "ssha256").unwrap_err().to_string(),
            "Failed to parse value [ssha256] for setting [k]: only pbkdf2 or bcrypt family algorithms can be used for \
             password hashing"
        );
    }

    fn cache() -> UserCache {
        UserCache::new(Duration::from_secs(60), 10, Hasher::Ssha256)
    }

    const HASHER: Hasher = Hasher::Pbkdf2 { iterations: 1000 };

    /// A new security index in `dir`.
    async fn open_index(dir: &tempfile::TempDir) -> Arc<SecurityIndex> {
        Arc::new(SecurityIndex::open(&default_url(dir.path())).await.unwrap())
    }

    /// The bootstrap password's record of a node whose data path is `dir`.
    fn record(dir: &tempfile::TempDir) -> BootstrapPasswordRecord {
        BootstrapPasswordRecord::in_data_path(dir.path())
    }

    #[tokio::test]
    async fn a_bootstrap_password_seen_to_match_is_known_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let index = open_index(&dir).await;
        let start = |password: Option<&str>| {
            Arc::new(ReservedRealm::new(Arc::clone(&index), cache(), password, HASHER, record(&dir)))
        };
        let first = start(Some("the-password"));
        assert_eq!(first.ensure_elastic_password().await.unwrap(), Bootstrap::FromEnvironment);
        first.setup_done().await;
        let stored = first.password_hash(ELASTIC).await.unwrap().unwrap();
        assert!(record(&dir).shows_match(&stored, "the-password"));

        // Known at once, with nothing left to check: a login is answered
        // from the cache even once the index holds another hash.
        let second = start(Some("the-password"));
        assert_eq!(second.ensure_elastic_password().await.unwrap(), Bootstrap::Existing);
        assert!(second.setup.lock().is_none());
        second.set_password_hash(ELASTIC, &HASHER.hash("changed")).await.unwrap();
        assert!(matches!(second.authenticate(ELASTIC, "the-password").await.unwrap(), RealmOutcome::Authenticated(_)));
        assert_eq!(second.authenticate(ELASTIC, "wrong").await.unwrap(), RealmOutcome::Failed);

        // Another hash in the index: the record does not apply, and a
        // password the index does not take removes it.
        let third = start(Some("the-password"));
        third.ensure_elastic_password().await.unwrap();
        third.setup_done().await;
        assert_eq!(third.authenticate(ELASTIC, "the-password").await.unwrap(), RealmOutcome::Failed);
        assert!(!dir.path().join("bootstrap_password_record.json").exists());

        // Recorded again once checked; not used for a disabled elastic.
        second.set_password_hash(ELASTIC, &stored).await.unwrap();
        let fourth = start(Some("the-password"));
        fourth.ensure_elastic_password().await.unwrap();
        fourth.setup_done().await;
        assert!(record(&dir).shows_match(&stored, "the-password"));
        fourth.set_enabled(ELASTIC, false).await.unwrap();
        let fifth = start(Some("the-password"));
        fifth.ensure_elastic_password().await.unwrap();
        fifth.setup_done().await;
        assert_eq!(fifth.authenticate(ELASTIC, "the-password").await.unwrap(), RealmOutcome::Failed);
        fifth.set_enabled(ELASTIC, true).await.unwrap();

        // A start without ELASTIC_PASSWORD removes it.
        start(None).ensure_elastic_password().await.unwrap();
        assert!(!dir.path().join("bootstrap_password_record.json").exists());
    }

    #[tokio::test]
    async fn elastic_gets_a_password_once() {
        let dir = tempfile::tempdir().unwrap();
        let index = open_index(&dir).await;
        let realm =
            Arc::new(ReservedRealm::new(Arc::clone(&index), cache(), Some("first-password"), HASHER, record(&dir)));
        let bootstrap = realm.ensure_elastic_password().await.unwrap();
        assert_eq!(bootstrap, Bootstrap::FromEnvironment);
        // Known right before its hash is stored.
        assert!(matches!(
            realm.authenticate("elastic", "first-password").await.unwrap(),
            RealmOutcome::Authenticated(_)
        ));
        realm.setup_done().await;
        assert!(realm.password_hash(ELASTIC).await.unwrap().is_some_and(|hash| hash.starts_with("{PBKDF2}")));
        realm.invalidate_cache();
        assert!(
            matches!(realm.authenticate("elastic", "first-password").await.unwrap(), RealmOutcome::Authenticated(u) if u.roles == ["superuser"])
        );
        assert_eq!(realm.authenticate("elastic", "nope").await.unwrap(), RealmOutcome::Failed);
        assert_eq!(realm.authenticate("kibana_system", "x").await.unwrap(), RealmOutcome::Failed);
        assert_eq!(realm.authenticate("alice", "x").await.unwrap(), RealmOutcome::NotHandled);
        let again =
            Arc::new(ReservedRealm::new(Arc::clone(&index), cache(), Some("other-password"), HASHER, record(&dir)));
        let bootstrap = again.ensure_elastic_password().await.unwrap();
        assert_eq!(bootstrap, Bootstrap::Existing);
        again.setup_done().await;
        assert_eq!(again.authenticate("elastic", "other-password").await.unwrap(), RealmOutcome::Failed);
        // The same password again: checked once in the background, then
        // answered from the cache.
        let same =
            Arc::new(ReservedRealm::new(Arc::clone(&index), cache(), Some("first-password"), HASHER, record(&dir)));
        same.ensure_elastic_password().await.unwrap();
        same.setup_done().await;
        let since = same.cache.epoch();
        assert!(matches!(
            same.authenticate("elastic", "first-password").await.unwrap(),
            RealmOutcome::Authenticated(_)
        ));
        assert_eq!(same.cache.epoch(), since);

        let dir = tempfile::tempdir().unwrap();
        let realm = Arc::new(ReservedRealm::new(open_index(&dir).await, cache(), None, HASHER, record(&dir)));
        let bootstrap = realm.ensure_elastic_password().await.unwrap();
        let Bootstrap::Generated(password) = bootstrap else { panic!("expected a generated password") };
        assert_eq!(password.len(), 20);
        assert!(matches!(realm.authenticate("elastic", &password).await.unwrap(), RealmOutcome::Authenticated(_)));
    }

    #[tokio::test]
    async fn a_disabled_elastic_without_a_password_is_refused_its_bootstrap_password() {
        let dir = tempfile::tempdir().unwrap();
        let index = open_index(&dir).await;
        let start =
            || Arc::new(ReservedRealm::new(Arc::clone(&index), cache(), Some("bootstrap"), HASHER, record(&dir)));
        // Disabled through the API before it had a password: a row without a hash.
        start().set_enabled(ELASTIC, false).await.unwrap();
        let realm = start();
        realm.ensure_elastic_password().await.unwrap();
        assert_eq!(realm.authenticate(ELASTIC, "bootstrap").await.unwrap(), RealmOutcome::Failed);
        realm.setup_done().await;
        assert_eq!(realm.authenticate(ELASTIC, "bootstrap").await.unwrap(), RealmOutcome::Failed);
    }

    #[tokio::test]
    async fn without_a_stored_password_elastic_has_the_bootstrap_one() {
        let dir = tempfile::tempdir().unwrap();
        let realm =
            ReservedRealm::new(open_index(&dir).await, cache(), Some("bootstrap-password"), HASHER, record(&dir));
        assert!(matches!(
            realm.authenticate("elastic", "bootstrap-password").await.unwrap(),
            RealmOutcome::Authenticated(_)
        ));
        // Only elastic's, and only until the index holds a password.
        assert_eq!(realm.authenticate("kibana_system", "bootstrap-password").await.unwrap(), RealmOutcome::Failed);
        realm.insert_password_hash(ELASTIC, &HASHER.hash_blocking("stored-password").await.unwrap()).await.unwrap();
        realm.invalidate_cache();
        assert_eq!(realm.authenticate("elastic", "bootstrap-password").await.unwrap(), RealmOutcome::Failed);
        assert!(matches!(
            realm.authenticate("elastic", "stored-password").await.unwrap(),
            RealmOutcome::Authenticated(_)
        ));
    }
}
