//! The cluster (Elasticsearch's `cluster` and `discovery`): which nodes
//! belong to it, running an action on all of them at once, and the
//! node-to-node API each serves.

pub mod fan_out;
pub mod membership;
pub mod transport;

use crate::config::{Setting, values};

/// The cluster's name (`ClusterName.CLUSTER_NAME_SETTING`).
pub const CLUSTER_NAME_SETTING: Setting<String> =
    Setting::new("cluster.name", "elasticsearch", values::non_blank, "name of the cluster this node belongs to");
