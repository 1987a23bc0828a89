//! Listing a service account's tokens
//! (`TransportGetServiceAccountCredentialsAction`): the index tokens, read
//! once, and the file tokens every node reports of its own `service_tokens`
//! file (the node half, `TransportGetServiceAccountNodesCredentialsAction`).

use std::collections::BTreeMap;

use es_tokens_types::transport::NodeServiceCredentials;
use es_tokens_types::{FileTokenInfo, GetServiceCredentialsResponse, NodesCredentials, TokenInfo};

use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/service_account/credential/get";

/// The index tokens and the file tokens of `namespace/service`. The account
/// is not checked, as in Elasticsearch.
pub async fn execute(
    node: &NodeContext,
    namespace: &str,
    service: &str,
) -> Result<GetServiceCredentialsResponse, ServiceError> {
    let index_tokens =
        node.security.index_tokens().token_names(namespace, service).await.map_err(ServiceError::IndexUnavailable)?;
    let local = node_operation(node, namespace, service);
    let outcome = node
        .cluster
        .fan_out(NAME, local, |client| async move {
            client.get_node_service_credentials(namespace, service).await.map(|answer| answer.into_inner())
        })
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

/// The node half: this node's file tokens of `namespace/service`.
pub fn node_operation(node: &NodeContext, namespace: &str, service: &str) -> NodeServiceCredentials {
    NodeServiceCredentials {
        node_id: node.identity.node_id.clone(),
        node_name: node.identity.node_name.clone(),
        file_tokens: node.security.file_tokens().token_names(&format!("{namespace}/{service}")),
    }
}
