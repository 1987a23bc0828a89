//! The file realm (`FileRealm`): users from `$ES_PATH_CONF/users` with their
//! roles from `users_roles`, both reloaded when they change, behind the
//! realm's cache.

use std::collections::HashMap;
use std::path::PathBuf;

use parking_lot::RwLock;

use crate::authc::authentication::{Realm, RealmOutcome, User};
use crate::authc::file::user_files::{USERS_FILE, USERS_ROLES_FILE, parse_user_roles, parse_users};
use crate::authc::support::realm_settings::ENABLED_SETTING;
use crate::authc::support::user_cache::UserCache;
use crate::config::Settings;
use crate::config::config_file::{Reload, replace_if_changed};

/// The realm type.
pub const FILE_REALM_TYPE: &str = "file";
/// The realm's name when none is configured.
const DEFAULT_NAME: &str = "default_file";

/// The file realm.
pub struct FileRealm {
    realm: Realm,
    enabled: bool,
    users_path: PathBuf,
    roles_path: PathBuf,
    users: RwLock<HashMap<String, String>>,
    user_roles: RwLock<HashMap<String, Vec<String>>>,
    cache: UserCache,
    /// The files that could not be read at start, for the watcher to retry.
    unread_at_start: Vec<&'static str>,
}

impl FileRealm {
    /// Loads both files from the config directory, configured by the file
    /// realm's settings; bad lines are skipped with an error in the log.
    pub fn load(settings: &Settings) -> FileRealm {
        let id = settings.internal_realm(FILE_REALM_TYPE, DEFAULT_NAME);
        let users_path = settings.path_conf().join(USERS_FILE);
        let roles_path = settings.path_conf().join(USERS_ROLES_FILE);
        // Unreadable at start: no entries until a reload can read it.
        let users = parse_users(&users_path);
        let user_roles = parse_user_roles(&roles_path);
        let unread_at_start = [(USERS_FILE, users.is_none()), (USERS_ROLES_FILE, user_roles.is_none())]
            .into_iter()
            .filter_map(|(file, unread)| unread.then_some(file))
            .collect();
        FileRealm {
            realm: Realm { name: id.name.clone(), kind: FILE_REALM_TYPE.to_string() },
            enabled: ENABLED_SETTING.get(settings, &id),
            users: RwLock::new(users.unwrap_or_default()),
            user_roles: RwLock::new(user_roles.unwrap_or_default()),
            users_path,
            roles_path,
            cache: UserCache::for_realm(settings, &id),
            unread_at_start,
        }
    }

    /// The realm's files that could not be read at start.
    pub fn unread_at_start(&self) -> &[&'static str] {
        &self.unread_at_start
    }

    /// Re-reads `users`; a change empties the realm's cache. An unreadable
    /// file keeps the users last read.
    pub fn reload_users(&self) -> Reload {
        let Some(users) = parse_users(&self.users_path) else { return Reload::ReadFailed };
        if replace_if_changed(&self.users, users) {
            tracing::info!("users file [{}] changed. updating users...", self.users_path.display());
            self.cache.invalidate_all();
        }
        Reload::Read
    }

    /// Re-reads `users_roles`; a change empties the realm's cache. An
    /// unreadable file keeps the roles last read.
    pub fn reload_user_roles(&self) -> Reload {
        let Some(user_roles) = parse_user_roles(&self.roles_path) else { return Reload::ReadFailed };
        if replace_if_changed(&self.user_roles, user_roles) {
            tracing::info!("users roles file [{}] changed. updating users roles...", self.roles_path.display());
            self.cache.invalidate_all();
        }
        Reload::Read
    }

    /// Checks `username`/`password`.
    pub async fn authenticate(&self, username: &str, password: &str) -> RealmOutcome {
        if !self.enabled {
            return RealmOutcome::NotHandled;
        }
        let lookup = async {
            let Some(hash) = self.users.read().get(username).cloned() else {
                return Ok::<_, std::convert::Infallible>(None);
            };
            let roles = self.user_roles.read().get(username).cloned().unwrap_or_default();
            let user = User {
                username: username.to_string(),
                roles,
                full_name: None,
                email: None,
                metadata: serde_json::Map::new(),
            };
            Ok(Some((user, hash)))
        };
        let Ok(outcome) = self.cache.authenticate(username, password, RealmOutcome::NotHandled, lookup).await;
        outcome
    }

    /// Whether the `users` file has `username`.
    pub fn has_user(&self, username: &str) -> bool {
        self.enabled && self.users.read().contains_key(username)
    }

    /// Forgets `usernames` (everyone when none is named) from the cache.
    pub fn clear_cache(&self, usernames: &[String]) {
        self.cache.clear(usernames);
    }

    /// The realm's name and type.
    pub fn realm(&self) -> &Realm {
        &self.realm
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authc::support::hasher::Hasher;

    #[tokio::test]
    async fn users_and_their_roles() {
        let dir = tempfile::tempdir().unwrap();
        let hash = Hasher::Pbkdf2 { iterations: 1000 }.hash("s3cret-pw");
        std::fs::write(
            dir.path().join(USERS_FILE),
            format!("# admins\nalice:{hash}\nbob:{hash}\nelastic:{hash}\nbroken\n:x\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join(USERS_ROLES_FILE), "admin:alice\nviewer: alice , bob\nempty:\n").unwrap();
        let realm = FileRealm::load(&Settings::from_map(dir.path(), Default::default()).unwrap());
        match realm.authenticate("alice", "s3cret-pw").await {
            RealmOutcome::Authenticated(user) => assert_eq!(user.roles, ["admin", "viewer"]),
            other => panic!("{other:?}"),
        }
        assert_eq!(realm.authenticate("alice", "wrong").await, RealmOutcome::Failed);
        assert_eq!(realm.authenticate("carol", "s3cret-pw").await, RealmOutcome::NotHandled);
        assert_eq!(
            realm.authenticate("elastic", "s3cret-pw").await,
            RealmOutcome::NotHandled,
            "reserved names are refused"
        );
        // A change of the users file empties the cache: alice, just cached,
        // is gone at once.
        std::fs::write(dir.path().join(USERS_FILE), format!("bob:{hash}\n")).unwrap();
        realm.reload_users();
        assert_eq!(realm.authenticate("alice", "s3cret-pw").await, RealmOutcome::NotHandled);
        assert!(matches!(realm.authenticate("bob", "s3cret-pw").await, RealmOutcome::Authenticated(_)));
    }
}
