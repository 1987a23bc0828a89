//! The service-token operations behind the create, delete and credentials
//! endpoints.

use std::collections::BTreeMap;

use es_tokens_types::{
    CreateServiceTokenResponse, FileTokenInfo, GetServiceCredentialsResponse, NodesCredentials, ServiceToken, TokenInfo,
};

use crate::authentication::Authentication;
use crate::clear_cache::clear_everywhere;
use crate::context::NodeContext;
use crate::error::ServiceError;
use crate::index_token_store::CreateTokenError;
use crate::privileges::actions;
use crate::service_account_token::ServiceAccountToken;
use crate::service_accounts;
use crate::token_caches::INDEX_CACHE;
use crate::token_key::TokenKey;
use crate::token_name::{InvalidTokenName, is_valid_token_name};
use crate::uuids::time_based_base64_uuid;

/// Validates `refresh` as `WriteRequest.RefreshPolicy.parse` does. Changes
/// are visible at once here whatever its value.
pub fn parse_refresh(refresh: Option<&str>) -> Result<(), ServiceError> {
    match refresh {
        None | Some("" | "true" | "false" | "wait_for") => Ok(()),
        Some(other) => Err(ServiceError::InvalidRefresh(other.to_string())),
    }
}

/// Validates a token name as the create and delete requests do
/// (`CreateServiceAccountTokenRequest#validate`): in Elasticsearch this runs
/// before the security filter, so a bad name is a 400 even for a caller
/// without the privilege.
pub fn validate_name(name: &str) -> Result<(), ServiceError> {
    if is_valid_token_name(name) {
        Ok(())
    } else {
        Err(ServiceError::ValidationFailed(vec![InvalidTokenName(name.to_string()).to_string()]))
    }
}

/// Creates token `name` (or `token_<id>`) of `namespace/service` in the
/// security index, created by `caller`.
pub async fn create_token(
    node: &NodeContext,
    caller: &Authentication,
    namespace: &str,
    service: &str,
    name: Option<&str>,
) -> Result<CreateServiceTokenResponse, ServiceError> {
    let name = match name {
        Some(name) => name.to_string(),
        None => format!("token_{}", time_based_base64_uuid()),
    };
    let principal = format!("{namespace}/{service}");
    if service_accounts::get(&principal).is_none() {
        return Err(ServiceError::UnknownServiceAccount(principal));
    }
    let security = &node.security;
    let token = ServiceAccountToken::generate(namespace, service, &name);
    let hash = security
        .token_hasher
        .hash_blocking(token.secret())
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing the new token failed: {e}")))?;
    match security.index_tokens.create(&token, &hash, &caller.creator()).await {
        Ok(()) => Ok(CreateServiceTokenResponse {
            created: true,
            token: ServiceToken { name, value: token.to_bearer_string() },
        }),
        Err(CreateTokenError::Duplicate(qualified)) => Err(ServiceError::DuplicateToken {
            qualified,
            index_uuid: security.index_tokens.index().index_uuid().await.unwrap_or_else(|_| "_na_".to_string()),
        }),
        Err(CreateTokenError::Store(error)) => Err(ServiceError::IndexUnavailable(error)),
    }
}

/// Deletes token `name` (a valid name: the handler checks it before
/// authorizing, as Elasticsearch does) of `namespace/service`; whether it
/// existed. Its index-cache entry is cleared before this returns.
pub async fn delete_token(
    node: &NodeContext,
    namespace: &str,
    service: &str,
    name: &str,
) -> Result<bool, ServiceError> {
    if service_accounts::get(&format!("{namespace}/{service}")).is_none() {
        return Ok(false);
    }
    let found =
        node.security.index_tokens.delete(namespace, service, name).await.map_err(ServiceError::IndexUnavailable)?;
    // Every node forgets the token before the delete is acknowledged. Nodes
    // that cannot be reached are logged, as Elasticsearch does; the delete
    // stands.
    let qualified = TokenKey::new(namespace, service, name).qualified().to_string();
    let outcome = clear_everywhere(node, INDEX_CACHE, vec![qualified.clone()]).await;
    for failure in &outcome.failures {
        tracing::warn!(
            node_id = failure.metadata.get("node_id").and_then(|id| id.as_str()).unwrap_or_default(),
            "clearing the cache for service token [{qualified}] failed on a node: {}",
            failure.caused_by.as_ref().and_then(|cause| cause.reason.as_deref()).unwrap_or_default()
        );
    }
    Ok(found)
}

/// The index tokens and the file tokens of `namespace/service`. The account
/// is not checked, as in Elasticsearch.
pub async fn get_credentials(
    node: &NodeContext,
    namespace: &str,
    service: &str,
) -> Result<GetServiceCredentialsResponse, ServiceError> {
    let index_tokens =
        node.security.index_tokens.token_names(namespace, service).await.map_err(ServiceError::IndexUnavailable)?;
    let outcome = node
        .cluster
        .fan_out(
            actions::GET_SERVICE_CREDENTIALS,
            || node.local_service_credentials(namespace, service),
            |client| async move {
                client.get_node_service_credentials(namespace, service).await.map(|answer| answer.into_inner())
            },
        )
        .await;
    // A file token present on several nodes is one token, listed with the
    // names of the nodes that have it.
    let mut file_tokens: BTreeMap<String, FileTokenInfo> = BTreeMap::new();
    for answer in &outcome.answers {
        for name in &answer.file_tokens {
            file_tokens
                .entry(name.clone())
                .or_insert_with(|| FileTokenInfo { nodes: Vec::new() })
                .nodes
                .push(answer.node_name.clone());
        }
    }
    for info in file_tokens.values_mut() {
        info.nodes.sort();
    }
    let count = (index_tokens.len() + file_tokens.len()) as u32;
    Ok(GetServiceCredentialsResponse {
        service_account: format!("{namespace}/{service}"),
        count,
        tokens: index_tokens.into_iter().map(|name| (name, TokenInfo {})).collect(),
        nodes_credentials: NodesCredentials { node_stats: outcome.header(), file_tokens },
    })
}
