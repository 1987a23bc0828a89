//! The native roles in the security index (`NativeRolesStore`): one row per
//! role, its descriptor as JSON in the form the role APIs show it.

use std::sync::Arc;

use es_tokens_types::RoleDescriptor;
use sqlx::Row;

use crate::security_index::{SecurityIndex, StoreError, placeholders, store_error};

/// The roles put through the role API.
pub struct NativeRolesStore {
    index: Arc<SecurityIndex>,
}

impl NativeRolesStore {
    /// The roles of `index`.
    pub fn new(index: Arc<SecurityIndex>) -> Self {
        NativeRolesStore { index }
    }

    /// The roles among `names` that exist, by name.
    pub async fn get(&self, names: &[String]) -> Result<Vec<(String, RoleDescriptor)>, StoreError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let query = format!(
            "SELECT name, descriptor FROM native_roles WHERE name IN ({}) ORDER BY name",
            placeholders(names.len())
        );
        let select = names.iter().fold(sqlx::query(&query), |select, name| select.bind(name));
        let rows = select.fetch_all(&self.index.pool()).await.map_err(store_error)?;
        rows.iter().map(read_row).collect()
    }

    /// Every role, by name.
    pub async fn all(&self) -> Result<Vec<(String, RoleDescriptor)>, StoreError> {
        let rows = sqlx::query("SELECT name, descriptor FROM native_roles ORDER BY name")
            .fetch_all(&self.index.pool())
            .await
            .map_err(store_error)?;
        rows.iter().map(read_row).collect()
    }

    /// Creates or replaces a role; whether it was created.
    pub async fn put(&self, name: &str, descriptor: &RoleDescriptor) -> Result<bool, StoreError> {
        let text = serde_json::to_string(descriptor).expect("a descriptor serializes");
        let pool = self.index.pool();
        let updated = sqlx::query("UPDATE native_roles SET descriptor = $2 WHERE name = $1")
            .bind(name)
            .bind(&text)
            .execute(&pool)
            .await
            .map_err(store_error)?;
        if updated.rows_affected() > 0 {
            return Ok(false);
        }
        let inserted = sqlx::query(
            "INSERT INTO native_roles (name, descriptor) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET descriptor = excluded.descriptor",
        )
        .bind(name)
        .bind(&text)
        .execute(&pool)
        .await
        .map_err(store_error)?;
        Ok(inserted.rows_affected() > 0)
    }

    /// Deletes a role; whether it existed.
    pub async fn delete(&self, name: &str) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM native_roles WHERE name = $1")
            .bind(name)
            .execute(&self.index.pool())
            .await
            .map_err(store_error)?;
        Ok(deleted.rows_affected() > 0)
    }
}

fn read_row(row: &sqlx::any::AnyRow) -> Result<(String, RoleDescriptor), StoreError> {
    let unreadable =
        |error: &dyn std::fmt::Display| StoreError(format!("unreadable role in the security index: {error}"));
    let name: String = row.try_get("name").map_err(|e| unreadable(&e))?;
    let text: String = row.try_get("descriptor").map_err(|e| unreadable(&e))?;
    let descriptor = serde_json::from_str(&text).map_err(|e| unreadable(&e))?;
    Ok((name, descriptor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_index::default_url;

    #[tokio::test]
    async fn roles_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let index = Arc::new(SecurityIndex::open(&default_url(dir.path())).await.unwrap());
        let store = NativeRolesStore::new(index);
        let descriptor: RoleDescriptor = serde_json::from_value(serde_json::json!({
            "cluster": ["monitor"], "indices": [], "applications": [], "run_as": [], "metadata": {},
            "transient_metadata": {"enabled": true}
        }))
        .unwrap();
        assert!(store.put("ops", &descriptor).await.unwrap());
        assert!(!store.put("ops", &descriptor).await.unwrap());
        assert!(store.put("dev", &descriptor).await.unwrap());
        let names = ["ops".to_string(), "missing".to_string()];
        assert_eq!(store.get(&names).await.unwrap(), vec![("ops".to_string(), descriptor.clone())]);
        assert_eq!(store.all().await.unwrap().len(), 2);
        assert!(store.delete("ops").await.unwrap());
        assert!(!store.delete("ops").await.unwrap());
    }
}
