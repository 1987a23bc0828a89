//! The node header shared by every cluster-wide ("nodes") response.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ErrorCause;

/// Contains statistics about the number of nodes selected by the request.
///
/// Rendered as the `_nodes` object of a nodes response. `total` is always
/// `successful + failed`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NodeStatistics {
    /// Total number of nodes selected by the request.
    pub total: u32,
    /// Number of nodes that responded successfully to the request.
    pub successful: u32,
    /// Number of nodes that rejected the request or failed to respond. If
    /// this value is not 0, a reason for the rejection or failure is included
    /// in `failures`.
    pub failed: u32,
    /// One entry per failed node; absent when no node failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<ErrorCause>")]
    pub failures: Option<Vec<ErrorCause>>,
}

/// A node that answered a nodes request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClusterNode {
    /// The node's name (`node.name`).
    pub name: String,
}
