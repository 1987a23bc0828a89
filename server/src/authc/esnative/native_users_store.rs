//! The native realm's users in the security index (`NativeUsersStore`):
//! one row per user, its password only as a hash.

use std::sync::Arc;

use serde_json::{Map, Value};
use sqlx::Row;

use crate::authc::authentication::User;
use crate::security_index::{SecurityIndex, StoreError, placeholders, store_error};

/// A user as the index holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredUser {
    /// Name, roles, full name, email and metadata.
    pub user: User,
    /// The password's hash (`xpack.security.authc.password_hashing.algorithm`).
    pub password_hash: String,
    /// Whether the user may log in.
    pub enabled: bool,
}

/// What a put changes of a user: every field but the password is replaced;
/// the password only when one is given.
pub struct UserUpdate {
    /// Name, roles, full name, email and metadata.
    pub user: User,
    /// The new hash, if the password changes.
    pub password_hash: Option<String>,
    /// Whether the user may log in.
    pub enabled: bool,
}

/// Why a put did nothing.
#[derive(Debug, thiserror::Error)]
pub enum PutUserError {
    /// A new user needs a password.
    #[error("the user does not exist and no password was given")]
    NoPassword,
    /// The index could not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The users of the native realm.
pub struct NativeUsersStore {
    index: Arc<SecurityIndex>,
}

/// The columns of a user; `enabled` as a number, which sqlx's `Any` driver
/// reads from SQLite and PostgreSQL alike (it cannot read SQLite booleans).
const COLUMNS: &str = "username, password_hash, roles, full_name, email, metadata, CAST(CASE WHEN enabled THEN 1 ELSE 0 END AS BIGINT) AS enabled";

/// Updates a user; a null `$2` keeps its password.
const UPDATE_USER: &str = "UPDATE native_users SET password_hash = COALESCE($2, password_hash), roles = $3, \
                           full_name = $4, email = $5, metadata = $6, enabled = $7 WHERE username = $1";
/// Creates a user unless one of that name exists.
const INSERT_USER: &str = "INSERT INTO native_users (username, password_hash, roles, full_name, email, metadata, \
                           enabled) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING";

impl NativeUsersStore {
    /// The users of `index`.
    pub fn new(index: Arc<SecurityIndex>) -> Self {
        NativeUsersStore { index }
    }

    /// One user, if it exists.
    pub async fn get(&self, username: &str) -> Result<Option<StoredUser>, StoreError> {
        Ok(self.get_many(&[username.to_string()]).await?.pop())
    }

    /// The users among `usernames` that exist, by name, in one read.
    pub async fn get_many(&self, usernames: &[String]) -> Result<Vec<StoredUser>, StoreError> {
        if usernames.is_empty() {
            return Ok(Vec::new());
        }
        let query = format!(
            "SELECT {COLUMNS} FROM native_users WHERE username IN ({}) ORDER BY username",
            placeholders(usernames.len())
        );
        let select = usernames.iter().fold(sqlx::query(&query), |select, username| select.bind(username));
        let rows = select.fetch_all(&self.index.pool()).await.map_err(store_error)?;
        rows.iter().map(read_row).collect()
    }

    /// Every user, by name.
    pub async fn all(&self) -> Result<Vec<StoredUser>, StoreError> {
        let query = format!("SELECT {COLUMNS} FROM native_users ORDER BY username");
        let rows = sqlx::query(&query).fetch_all(&self.index.pool()).await.map_err(store_error)?;
        rows.iter().map(read_row).collect()
    }

    /// Creates or replaces a user; whether it was created. A user that
    /// exists keeps its password unless the update has one.
    pub async fn put(&self, update: &UserUpdate) -> Result<bool, PutUserError> {
        // The update first: it is the only statement that keeps a password,
        // and "created" must say whether a row existed.
        if self.write(UPDATE_USER, update, update.password_hash.as_deref()).await? > 0 {
            return Ok(false);
        }
        let Some(password_hash) = &update.password_hash else { return Err(PutUserError::NoPassword) };
        if self.write(INSERT_USER, update, Some(password_hash)).await? > 0 {
            return Ok(true);
        }
        // Created by another request in between: this put replaces it.
        self.write(UPDATE_USER, update, Some(password_hash)).await?;
        Ok(false)
    }

    /// Runs `statement` (one of the two below) for `update`, with
    /// `password_hash`; how many rows it wrote.
    async fn write(
        &self,
        statement: &str,
        update: &UserUpdate,
        password_hash: Option<&str>,
    ) -> Result<u64, StoreError> {
        let user = &update.user;
        let written = sqlx::query(statement)
            .bind(&user.username)
            .bind(password_hash)
            .bind(serde_json::to_string(&user.roles).expect("strings serialize"))
            .bind(user.full_name.as_deref())
            .bind(user.email.as_deref())
            .bind(serde_json::to_string(&user.metadata).expect("JSON serializes"))
            .bind(update.enabled)
            .execute(&self.index.pool())
            .await
            .map_err(store_error)?;
        Ok(written.rows_affected())
    }

    /// Deletes a user; whether it existed.
    pub async fn delete(&self, username: &str) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM native_users WHERE username = $1")
            .bind(username)
            .execute(&self.index.pool())
            .await
            .map_err(store_error)?;
        Ok(deleted.rows_affected() > 0)
    }

    /// Sets a user's password hash; whether the user exists.
    pub async fn set_password_hash(&self, username: &str, password_hash: &str) -> Result<bool, StoreError> {
        let updated = sqlx::query("UPDATE native_users SET password_hash = $2 WHERE username = $1")
            .bind(username)
            .bind(password_hash)
            .execute(&self.index.pool())
            .await
            .map_err(store_error)?;
        Ok(updated.rows_affected() > 0)
    }

    /// Enables or disables a user; whether the user exists.
    pub async fn set_enabled(&self, username: &str, enabled: bool) -> Result<bool, StoreError> {
        let updated = sqlx::query("UPDATE native_users SET enabled = $2 WHERE username = $1")
            .bind(username)
            .bind(enabled)
            .execute(&self.index.pool())
            .await
            .map_err(store_error)?;
        Ok(updated.rows_affected() > 0)
    }
}

fn read_row(row: &sqlx::any::AnyRow) -> Result<StoredUser, StoreError> {
    let column = |error: sqlx::Error| StoreError(format!("unreadable user in the security index: {error}"));
    let json = |text: String| -> Result<Value, StoreError> {
        serde_json::from_str(&text)
            .map_err(|error| StoreError(format!("unreadable user in the security index: {error}")))
    };
    let roles = match json(row.try_get("roles").map_err(column)?)? {
        Value::Array(roles) => roles.into_iter().filter_map(|role| role.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    let metadata = match json(row.try_get("metadata").map_err(column)?)? {
        Value::Object(metadata) => metadata,
        _ => Map::new(),
    };
    Ok(StoredUser {
        user: User {
            username: row.try_get("username").map_err(column)?,
            roles,
            full_name: row.try_get("full_name").map_err(column)?,
            email: row.try_get("email").map_err(column)?,
            metadata,
        },
        password_hash: row.try_get("password_hash").map_err(column)?,
        enabled: row.try_get::<i64, _>("enabled").map_err(column)? != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_index::default_url;

    fn update(username: &str, password_hash: Option<&str>) -> UserUpdate {
        UserUpdate {
            user: User {
                username: username.to_string(),
                roles: vec!["b".into(), "a".into()],
                full_name: Some("Jack Nicholson".into()),
                email: None,
                metadata: serde_json::json!({"intelligence": 7}).as_object().unwrap().clone(),
            },
            password_hash: password_hash.map(str::to_string),
            enabled: true,
        }
    }

    #[tokio::test]
    async fn users_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let index = Arc::new(SecurityIndex::open(&default_url(dir.path())).await.unwrap());
        let store = NativeUsersStore::new(index);
        assert!(matches!(store.put(&update("jack", None)).await, Err(PutUserError::NoPassword)));
        assert!(store.put(&update("jack", Some("h1"))).await.unwrap());
        let stored = store.get("jack").await.unwrap().unwrap();
        assert_eq!(stored.user, update("jack", None).user);
        assert_eq!(stored.password_hash, "h1");
        // A put without a password keeps it.
        let mut changed = update("jack", None);
        changed.enabled = false;
        assert!(!store.put(&changed).await.unwrap());
        let stored = store.get("jack").await.unwrap().unwrap();
        assert_eq!((stored.password_hash.as_str(), stored.enabled), ("h1", false));
        assert!(store.set_password_hash("jack", "h2").await.unwrap());
        assert!(store.set_enabled("jack", true).await.unwrap());
        assert!(!store.set_enabled("nobody", true).await.unwrap());
        assert_eq!(store.all().await.unwrap().len(), 1);
        assert!(store.delete("jack").await.unwrap());
        assert!(!store.delete("jack").await.unwrap());
        assert_eq!(store.get("jack").await.unwrap(), None);
    }
}
