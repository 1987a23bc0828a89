//! Clearing service-token caches across the cluster: the work behind
//! `POST .../credential/token/{name}/_clear_cache`.

use std::collections::BTreeMap;

use es_tokens_types::{ClearCachedServiceTokensResponse, ClusterNode, NodeStatistics};

use crate::context::NodeContext;
use crate::token_name::TokenSelection;

/// Clears the selected tokens of `namespace/service` from both caches of
/// every node, and reports which nodes did.
///
/// This node is the whole cluster for now, so it always succeeds.
pub async fn clear_cached_service_tokens(
    node: &NodeContext,
    namespace: &str,
    service: &str,
    selection: &TokenSelection,
) -> ClearCachedServiceTokensResponse {
    node.security.caches.clear(namespace, service, selection);
    let identity = &node.identity;
    ClearCachedServiceTokensResponse {
        node_stats: NodeStatistics::all_successful(1),
        cluster_name: identity.cluster_name.clone(),
        nodes: BTreeMap::from([(identity.node_id.clone(), ClusterNode { name: identity.node_name.clone() })]),
    }
}
