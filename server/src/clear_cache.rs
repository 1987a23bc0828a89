//! Clearing service-token caches across the cluster: the work behind
//! `POST .../credential/token/{name}/_clear_cache`.

use es_tokens_types::{
    ClearCachedServiceTokensResponse, ClearSecurityCacheNodeRequest, ClusterNode, NodeAcknowledgement,
};

use crate::cluster::NodesOutcome;
use crate::context::NodeContext;
use crate::privileges::actions;
use crate::token_caches::{BOTH_CACHES, clear_cache_keys};
use crate::token_name::TokenSelection;

/// Clears the selected tokens of `namespace/service` from both caches of
/// every node of the cluster at once, and reports which nodes did: 200 even
/// when some failed, as Elasticsearch answers.
pub async fn clear_cached_service_tokens(
    node: &NodeContext,
    namespace: &str,
    service: &str,
    selection: &TokenSelection,
) -> ClearCachedServiceTokensResponse {
    let outcome = clear_everywhere(node, BOTH_CACHES, clear_cache_keys(namespace, service, selection)).await;
    ClearCachedServiceTokensResponse {
        node_stats: outcome.header(),
        cluster_name: node.identity.cluster_name.clone(),
        // Each node as it answered: a member that came back under a new id
        // at the same address (and has not been rediscovered yet) shows as
        // the node that actually cleared its caches.
        nodes: outcome
            .answers
            .into_iter()
            .map(|answer| (answer.node_id, ClusterNode { name: answer.node_name }))
            .collect(),
    }
}

/// Removes `keys` from the named cache(s) on every node of the cluster at
/// once (`cluster:admin/xpack/security/cache/clear`), this one included.
pub async fn clear_everywhere(node: &NodeContext, cache: &str, keys: Vec<String>) -> NodesOutcome<NodeAcknowledgement> {
    let request = &ClearSecurityCacheNodeRequest { cache: cache.to_string(), keys };
    node.cluster
        .fan_out(
            actions::CLEAR_SECURITY_CACHE,
            || node.clear_local_caches(request).expect("the caches a node asks for exist"),
            |client| async move { client.clear_security_cache(request).await.map(|answer| answer.into_inner()) },
        )
        .await
}
