//! What every handler and action reaches: the node's identity, security,
//! metrics and cluster.

use std::sync::Arc;

use es_tokens_types::transport::NodeAcknowledgement;

use crate::cluster::membership::Cluster;
use crate::observability::metrics::Metrics;
use crate::security::Security;

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

impl NodeIdentity {
    /// How this node answers a node request it carried out.
    pub fn acknowledgement(&self) -> NodeAcknowledgement {
        NodeAcknowledgement { node_id: self.node_id.clone(), node_name: self.node_name.clone() }
    }
}

/// The state behind both APIs of one node.
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
