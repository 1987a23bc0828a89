//! The file realm: users from `$ES_PATH_CONF/users` (`user:hash`, bcrypt or
//! any Elasticsearch hash) with roles from `users_roles` (`role:user1,user2`),
//! both reloaded when they change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use parking_lot::RwLock;

use crate::authentication::{Realm, RealmOutcome, User};
use crate::config_file::{entries, read_optional, replace_if_changed};
use crate::reserved_realm::is_reserved_username;
use crate::settings::FileRealmSettings;
use crate::user_cache::UserCache;

/// The users file's name.
pub const USERS_FILE: &str = "users";
/// The user-to-role mapping file's name.
pub const USERS_ROLES_FILE: &str = "users_roles";

/// The file realm.
pub struct FileRealm {
    realm: Realm,
    enabled: bool,
    users_path: PathBuf,
    roles_path: PathBuf,
    users: RwLock<HashMap<String, String>>,
    user_roles: RwLock<HashMap<String, Vec<String>>>,
    cache: UserCache,
}

impl FileRealm {
    /// Loads both files from `conf_dir`; bad lines are skipped with an error
    /// in the log.
    pub fn load(conf_dir: &Path, settings: &FileRealmSettings) -> FileRealm {
        let users_path = conf_dir.join(USERS_FILE);
        let roles_path = conf_dir.join(USERS_ROLES_FILE);
        FileRealm {
            realm: Realm { name: settings.name.clone(), kind: "file".to_string() },
            enabled: settings.enabled,
            users: RwLock::new(parse_users(&users_path)),
            user_roles: RwLock::new(parse_user_roles(&roles_path)),
            users_path,
            roles_path,
            cache: UserCache::new(settings.cache_ttl, settings.cache_max_users, settings.cache_hasher),
        }
    }

    /// Re-reads `users`; a change empties the realm's cache.
    pub fn reload_users(&self) {
        if replace_if_changed(&self.users, parse_users(&self.users_path)) {
            tracing::info!("users file [{}] changed. updating users...", self.users_path.display());
            self.cache.invalidate_all();
        }
    }

    /// Re-reads `users_roles`; a change empties the realm's cache.
    pub fn reload_user_roles(&self) {
        if replace_if_changed(&self.user_roles, parse_user_roles(&self.roles_path)) {
            tracing::info!("users roles file [{}] changed. updating users roles...", self.roles_path.display());
            self.cache.invalidate_all();
        }
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

    /// The realm's name and type.
    pub fn realm(&self) -> &Realm {
        &self.realm
    }
}

/// A realm file's text; an unreadable file is empty (logged), a missing one
/// too.
fn read_realm_file(path: &Path, kind: &str) -> String {
    read_optional(path).unwrap_or_else(|error| {
        tracing::error!(%error, "failed to parse {kind} file [{}]. skipping/removing all entries...", path.display());
        None
    })
    .unwrap_or_default()
}

/// `name:value` split at the first `:`, neither side empty.
fn split_entry(line: &str) -> Option<(&str, &str)> {
    line.split_once(':').filter(|(name, value)| !name.is_empty() && !value.is_empty())
}

fn parse_users(path: &Path) -> HashMap<String, String> {
    let mut users = HashMap::new();
    let text = read_realm_file(path, "users");
    for (line_number, line) in entries(&text) {
        let Some((username, hash)) = split_entry(line) else {
            tracing::error!("invalid entry in users file [{}], line [{line_number}]. skipping...", path.display());
            continue;
        };
        if let Err(reason) = validate_username(username) {
            tracing::error!("invalid username [{username}] in users file [{}], skipping... ({reason})", path.display());
            continue;
        }
        users.insert(username.to_string(), hash.to_string());
    }
    tracing::debug!("parsed [{}] users from file [{}]", users.len(), path.display());
    users
}

fn parse_user_roles(path: &Path) -> HashMap<String, Vec<String>> {
    let mut user_roles: HashMap<String, Vec<String>> = HashMap::new();
    let text = read_realm_file(path, "users_roles");
    for (line_number, line) in entries(&text) {
        let Some((role, users)) = split_entry(line) else {
            tracing::error!(
                "invalid entry in users_roles file [{}], line [{line_number}]. skipping...",
                path.display()
            );
            continue;
        };
        let role = role.trim();
        let users: Vec<&str> = users.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
        if users.is_empty() {
            tracing::error!(
                "invalid entry for role [{role}] in users_roles file [{}], line [{line_number}]. no users found. skipping...",
                path.display()
            );
            continue;
        }
        for user in users {
            user_roles.entry(user.to_string()).or_default().push(role.to_string());
        }
    }
    user_roles
}

/// Elasticsearch's user-name rules (`Validation.Users.validateUsername`).
fn validate_username(username: &str) -> Result<(), String> {
    if is_reserved_username(username) {
        return Err(format!("Username [{username}] is reserved and may not be used."));
    }
    let printable = username.chars().all(|c| (' '..='~').contains(&c));
    if username.is_empty() || username.len() > 1024 || !printable || username.trim() != username {
        return Err("User names must be at least 1 and no more than 1024 characters. They can contain alphanumeric \
                    characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) \
                    block. Leading or trailing whitespace is not allowed."
            .to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::hasher::Hasher;

    fn settings() -> FileRealmSettings {
        FileRealmSettings {
            name: "default_file".into(),
            enabled: true,
            cache_ttl: Duration::from_secs(60),
            cache_max_users: 10,
            cache_hasher: Hasher::Ssha256,
        }
    }

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
        let realm = FileRealm::load(dir.path(), &settings());
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
