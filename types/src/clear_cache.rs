//! Response of `POST /_security/service/{namespace}/{service}/credential/token/{name}/_clear_cache`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{ClusterNode, NodeStatistics};

/// The nodes that cleared their service account token caches.
///
/// The call answers 200 even when some nodes failed; those are counted in
/// `_nodes.failed` and described in `_nodes.failures`, and only the nodes that
/// succeeded appear in `nodes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClearCachedServiceTokensResponse {
    /// How many nodes were asked, answered and failed.
    #[serde(rename = "_nodes")]
    pub node_stats: NodeStatistics,
    /// The cluster's name (`cluster.name`).
    pub cluster_name: String,
    /// The nodes that cleared their caches, by node id.
    pub nodes: BTreeMap<String, ClusterNode>,
}
