//! Everything a request handler reaches: the node's identity, caches and
//! metrics.

use std::sync::Arc;

use es_tokens_types::{
    ClearSecurityCacheNodeRequest, ElasticsearchVersionInfo, InfoResponse, NodeAcknowledgement, NodeServiceCredentials,
};

use crate::cluster::Cluster;
use crate::error::ServiceError;
use crate::metrics::Metrics;
use crate::security::Security;

/// The Elasticsearch version this node answers as.
pub const ES_VERSION: &str = "9.2.0";
/// The Lucene version Elasticsearch 9.2.0 bundles.
const LUCENE_VERSION: &str = "10.3.1";

/// Who this node is.
#[derive(Clone, Debug)]
pub struct NodeIdentity {
    /// Random, persisted under `path.data`.
    pub node_id: String,
    /// `node.name`.
    pub node_name: String,
    /// `cluster.name`.
    pub cluster_name: String,
}

/// The state behind the HTTP API of one node.
pub struct NodeContext {
    /// Who this node is.
    pub identity: NodeIdentity,
    /// Authentication, authorization, token stores and caches.
    pub security: Security,
    /// The metrics registry.
    pub metrics: Metrics,
    /// The cluster's members.
    pub cluster: Arc<Cluster>,
    /// The secret node-to-node calls must present; `None` refuses them all.
    pub transport_secret: Option<String>,
}

impl NodeContext {
    /// The body of `GET /`.
    pub fn info(&self) -> InfoResponse {
        InfoResponse {
            name: self.identity.node_name.clone(),
            cluster_name: self.identity.cluster_name.clone(),
            cluster_uuid: self.security.cluster_uuid(),
            version: ElasticsearchVersionInfo {
                number: ES_VERSION.to_string(),
                build_flavor: "default".to_string(),
                build_type: "tar".to_string(),
                // Not an Elasticsearch build: say which build of ours answers.
                build_hash: concat!("es-tokens-", env!("CARGO_PKG_VERSION")).to_string(),
                build_date: "2025-10-21T00:00:00.000Z".to_string(),
                build_snapshot: false,
                lucene_version: LUCENE_VERSION.to_string(),
                minimum_wire_compatibility_version: "8.19.0".to_string(),
                minimum_index_compatibility_version: "8.0.0".to_string(),
            },
            tagline: "You Know, for Search".to_string(),
        }
    }

    /// Removes `request.keys` from this node's named cache(s), as the
    /// cluster-wide clear asks of every node; the node's acknowledgement.
    pub fn clear_local_caches(
        &self,
        request: &ClearSecurityCacheNodeRequest,
    ) -> Result<NodeAcknowledgement, ServiceError> {
        self.security.caches.clear_keys(&request.cache, &request.keys)?;
        Ok(NodeAcknowledgement { node_id: self.identity.node_id.clone(), node_name: self.identity.node_name.clone() })
    }

    /// This node's file tokens of `namespace/service`.
    pub fn local_service_credentials(&self, namespace: &str, service: &str) -> NodeServiceCredentials {
        NodeServiceCredentials {
            node_id: self.identity.node_id.clone(),
            node_name: self.identity.node_name.clone(),
            file_tokens: self.security.file_tokens.token_names(&format!("{namespace}/{service}")),
        }
    }

    /// The metrics exposition, with entry counts taken now.
    pub fn render_metrics(&self) -> String {
        self.metrics.render(&self.security.caches.entry_counts())
    }
}
