//! The node's metrics (ours: a monitoring action like Elasticsearch's node
//! stats).

use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:monitor/prometheus/metrics";

/// The Prometheus exposition, with the cache entry counts taken now.
pub fn execute(node: &NodeContext) -> String {
    node.metrics.render(&node.security.token_caches().entry_counts())
}
