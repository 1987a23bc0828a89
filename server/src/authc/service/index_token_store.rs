//! Tokens in the cluster's `.security` index
//! (`IndexServiceAccountTokenStore`).

use std::sync::Arc;

use serde::Serialize;

use crate::authc::authentication::Authentication;
use crate::authc::service::service_account_token::ServiceAccountToken;
use crate::authc::service::token_store::TokenStore;
use crate::authc::support::hasher::{Hasher, verify_hash_blocking};
use crate::security_index::{SecurityIndex, StoreError, store_error};

/// Who created a token, stored with it as Elasticsearch stores `creator`.
#[derive(Clone, Debug, Serialize)]
pub struct Creator {
    /// The creating user or service account.
    pub principal: String,
    /// Its full name.
    pub full_name: Option<String>,
    /// Its email.
    pub email: Option<String>,
    /// Its metadata.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The realm that authenticated it.
    pub realm: String,
    /// That realm's type.
    pub realm_type: String,
}

impl Creator {
    /// The creator record of a token `caller` creates: who `_authenticate`
    /// says it is.
    pub fn of(caller: &Authentication) -> Creator {
        let response = caller.to_response();
        Creator {
            principal: response.username,
            full_name: response.full_name,
            email: response.email,
            metadata: response.metadata,
            realm: response.authentication_realm.name,
            realm_type: response.authentication_realm.kind,
        }
    }
}

/// Why a token could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateTokenError {
    /// A token of that name exists.
    #[error("service account token [{0}] already exists")]
    Duplicate(String),
    /// The index could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The secret could not be hashed (the hashing task died).
    #[error("hashing the new token failed: {0}")]
    Hashing(String),
}

/// The token documents of the `.security` index.
pub struct IndexTokenStore {
    index: Arc<SecurityIndex>,
    /// How new tokens' secrets are hashed.
    hasher: Hasher,
}

impl IndexTokenStore {
    /// The token store of `index`, hashing new secrets with `hasher`.
    pub fn new(index: Arc<SecurityIndex>, hasher: Hasher) -> Self {
        IndexTokenStore { index, hasher }
    }

    /// The index behind the store.
    pub fn index(&self) -> &Arc<SecurityIndex> {
        &self.index
    }

    /// Stores `token` with the hash of its secret, created by `creator`.
    /// Durable once this returns.
    pub async fn create(&self, token: &ServiceAccountToken, creator: &Creator) -> Result<(), CreateTokenError> {
        let password_hash =
            self.hasher.hash_blocking(token.secret()).await.map_err(|e| CreateTokenError::Hashing(e.to_string()))?;
        let creation_time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let creator = serde_json::to_string(creator).expect("a creator serializes");
        let inserted = sqlx::query(
            "INSERT INTO service_account_tokens \
             (namespace, service, name, password_hash, creation_time, enabled, creator) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token.namespace())
        .bind(token.service())
        .bind(token.name())
        .bind(&password_hash)
        .bind(creation_time)
        .bind(true)
        .bind(creator)
        .execute(&self.index.pool())
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(CreateTokenError::Duplicate(token.key().qualified().to_string()))
            }
            Err(error) => Err(store_error(error).into()),
        }
    }

    /// Deletes token `name` of `namespace/service`; whether it existed.
    pub async fn delete(&self, namespace: &str, service: &str, name: &str) -> Result<bool, StoreError> {
        let result =
            sqlx::query("DELETE FROM service_account_tokens WHERE namespace = $1 AND service = $2 AND name = $3")
                .bind(namespace)
                .bind(service)
                .bind(name)
                .execute(&self.index.pool())
                .await
                .map_err(store_error)?;
        Ok(result.rows_affected() > 0)
    }

    /// The names of the tokens of `namespace/service`, sorted.
    pub async fn token_names(&self, namespace: &str, service: &str) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT name FROM service_account_tokens WHERE namespace = $1 AND service = $2 ORDER BY name",
        )
        .bind(namespace)
        .bind(service)
        .fetch_all(&self.index.pool())
        .await
        .map_err(store_error)
    }
}

impl TokenStore for IndexTokenStore {
    async fn authenticate(&self, token: &ServiceAccountToken) -> Result<bool, StoreError> {
        let hash: Option<String> = sqlx::query_scalar(
            "SELECT password_hash FROM service_account_tokens WHERE namespace = $1 AND service = $2 AND name = $3",
        )
        .bind(token.namespace())
        .bind(token.service())
        .bind(token.name())
        .fetch_optional(&self.index.pool())
        .await
        .map_err(store_error)?;
        let Some(hash) = hash else {
            tracing::trace!("service account token [{}] not found in index", token.key());
            return Ok(false);
        };
        Ok(verify_hash_blocking(token.secret(), hash).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_index::default_url;

    fn creator() -> Creator {
        Creator {
            principal: "elastic".into(),
            full_name: None,
            email: None,
            metadata: Default::default(),
            realm: "reserved".into(),
            realm_type: "reserved".into(),
        }
    }

    #[tokio::test]
    async fn create_authenticate_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let index = Arc::new(SecurityIndex::open(&default_url(dir.path())).await.unwrap());
        let store = IndexTokenStore::new(index, Hasher::Pbkdf2Stretch { iterations: 1000 });
        let token = ServiceAccountToken::generate("elastic", "fleet-server", "t1");
        store.create(&token, &creator()).await.unwrap();
        assert!(matches!(store.create(&token, &creator()).await, Err(CreateTokenError::Duplicate(_))));
        assert!(store.authenticate(&token).await.unwrap());
        let other = ServiceAccountToken::generate("elastic", "fleet-server", "t1");
        assert!(!store.authenticate(&other).await.unwrap());
        store.create(&ServiceAccountToken::generate("elastic", "fleet-server", "a0"), &creator()).await.unwrap();
        assert_eq!(store.token_names("elastic", "fleet-server").await.unwrap(), ["a0", "t1"]);
        assert!(store.delete("elastic", "fleet-server", "t1").await.unwrap());
        assert!(!store.delete("elastic", "fleet-server", "t1").await.unwrap());
        assert!(!store.authenticate(&token).await.unwrap());
    }
}
