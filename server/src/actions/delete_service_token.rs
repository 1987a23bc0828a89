//! Deleting a service-account token from the security index
//! (`TransportDeleteServiceAccountTokenAction`), and from every node's
//! index-token cache before the delete is acknowledged.

use crate::actions::clear_security_cache::{self, ClearSecurityCache};
use crate::authc::service::TokenKey;
use crate::authc::service::service_accounts;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/service_account/token/delete";

/// Deletes token `name` (a valid name: the handler checks it before
/// authorizing, as Elasticsearch does) of `namespace/service`; whether it
/// existed.
pub async fn execute(node: &NodeContext, namespace: &str, service: &str, name: &str) -> Result<bool, ServiceError> {
    if service_accounts::get(&format!("{namespace}/{service}")).is_none() {
        return Ok(false);
    }
    let found =
        node.security.index_tokens().delete(namespace, service, name).await.map_err(ServiceError::IndexUnavailable)?;
    // Every node forgets the token before the delete is acknowledged. Nodes
    // that cannot be reached are logged, as Elasticsearch does; the delete
    // stands.
    let key = TokenKey::new(namespace, service, name);
    let outcome = clear_security_cache::execute(node, ClearSecurityCache::deleted_token(key.clone())).await;
    for failure in &outcome.failures {
        tracing::warn!(
            node_id = failure.metadata.get("node_id").and_then(|id| id.as_str()).unwrap_or_default(),
            "clearing the cache for service token [{key}] failed on a node: {}",
            failure.caused_by.as_ref().and_then(|cause| cause.reason.as_deref()).unwrap_or_default()
        );
    }
    Ok(found)
}
