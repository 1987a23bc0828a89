//! The nodes' registry and fences in the security index (`cache_leases`),
//! the shared record behind `authc::service::cache_lease`.

use sqlx::Row;

use crate::security_index::{SecurityIndex, StoreError, store_error};

/// A node's row as a fence left it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fenced {
    /// The fenced node.
    pub node_id: String,
    /// Its generation, this fence included.
    pub generation: i64,
    /// The generation it last caught up with: its fences after this one are
    /// outstanding.
    pub synced_generation: i64,
}

impl SecurityIndex {
    /// Registers `node_id` as caught up (a node starts with empty caches);
    /// its generation.
    pub async fn register_node(&self, node_id: &str) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO cache_leases (node_id, generation, synced_generation) VALUES ($1, 0, 0) \
             ON CONFLICT (node_id) DO UPDATE SET synced_generation = cache_leases.generation RETURNING generation",
        )
        .bind(node_id)
        .fetch_one(&self.pool())
        .await
        .map_err(store_error)
    }

    /// Removes `node_id` from the registry, when it stops.
    pub async fn deregister_node(&self, node_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM cache_leases WHERE node_id = $1")
            .bind(node_id)
            .execute(&self.pool())
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// The generation of `node_id`'s row; `None` if it is not registered.
    pub async fn node_generation(&self, node_id: &str) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT generation FROM cache_leases WHERE node_id = $1")
            .bind(node_id)
            .fetch_optional(&self.pool())
            .await
            .map_err(store_error)
    }

    /// Records that `node_id` emptied its caches for every fence up to
    /// `generation`.
    pub async fn node_synced(&self, node_id: &str, generation: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE cache_leases SET synced_generation = $2 WHERE node_id = $1")
            .bind(node_id)
            .bind(generation)
            .execute(&self.pool())
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Every registered node.
    pub async fn registered_nodes(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT node_id FROM cache_leases ORDER BY node_id")
            .fetch_all(&self.pool())
            .await
            .map_err(store_error)
    }

    /// Fences every node of `node_ids` that is registered; the rows it
    /// fenced.
    pub async fn fence_nodes(&self, node_ids: &[&str]) -> Result<Vec<Fenced>, StoreError> {
        if node_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=node_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "UPDATE cache_leases SET generation = generation + 1 WHERE node_id IN ({}) \
             RETURNING node_id, generation, synced_generation",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for node_id in node_ids {
            query = query.bind(*node_id);
        }
        let rows = query.fetch_all(&self.pool()).await.map_err(store_error)?;
        rows.iter()
            .map(|row| {
                Ok(Fenced {
                    node_id: row.try_get("node_id")?,
                    generation: row.try_get("generation")?,
                    synced_generation: row.try_get("synced_generation")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_index::default_url;

    #[tokio::test]
    async fn register_fence_catch_up() {
        let dir = tempfile::tempdir().unwrap();
        let index = SecurityIndex::open(&default_url(dir.path())).await.unwrap();
        index.register_node("a").await.unwrap();
        index.register_node("b").await.unwrap();
        assert_eq!(index.registered_nodes().await.unwrap(), ["a", "b"]);
        assert_eq!(index.node_generation("a").await.unwrap(), Some(0));
        assert_eq!(index.node_generation("nope").await.unwrap(), None);
        let fenced = index.fence_nodes(&["a", "gone"]).await.unwrap();
        assert_eq!(fenced, [Fenced { node_id: "a".into(), generation: 1, synced_generation: 0 }]);
        let fenced = index.fence_nodes(&["a"]).await.unwrap();
        assert_eq!(fenced, [Fenced { node_id: "a".into(), generation: 2, synced_generation: 0 }]);
        assert_eq!(index.node_generation("a").await.unwrap(), Some(2));
        index.node_synced("a", 2).await.unwrap();
        assert_eq!(index.fence_nodes(&["a"]).await.unwrap()[0].synced_generation, 2);
        // A node that starts again has empty caches: it is caught up.
        index.register_node("a").await.unwrap();
        assert_eq!(index.fence_nodes(&["a"]).await.unwrap()[0].synced_generation, 3);
        index.deregister_node("b").await.unwrap();
        assert_eq!(index.registered_nodes().await.unwrap(), ["a"]);
    }
}
