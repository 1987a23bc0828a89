//! The cluster APIs harnesses call around the security APIs: the cluster's
//! health and which REST capabilities its nodes have.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::NodeStatistics;

/// A health status: `green`, `yellow` or `red`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// Every member answers.
    Green,
    /// Some member stopped answering and is not removed yet.
    Yellow,
    /// An index the request named does not exist.
    Red,
}

/// The health of the cluster, as `GET /_cluster/health` answers it. This
/// cluster holds no indices, so every shard count is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClusterHealthResponse {
    /// The cluster's name.
    pub cluster_name: String,
    /// The cluster's status.
    pub status: HealthStatus,
    /// Whether the wait the request asked for ran out (then the status is
    /// 408).
    pub timed_out: bool,
    /// Nodes in the cluster, those that stopped answering but are not
    /// removed yet included.
    pub number_of_nodes: u32,
    /// Nodes that hold data; every node holds the security index.
    pub number_of_data_nodes: u32,
    /// Always 0.
    pub active_primary_shards: u32,
    /// Always 0.
    pub active_shards: u32,
    /// Always 0.
    pub relocating_shards: u32,
    /// Always 0.
    pub initializing_shards: u32,
    /// Always 0.
    pub unassigned_shards: u32,
    /// Always 0.
    pub unassigned_primary_shards: u32,
    /// Always 0.
    pub delayed_unassigned_shards: u32,
    /// Always 0.
    pub number_of_pending_tasks: u32,
    /// Always 0.
    pub number_of_in_flight_fetch: u32,
    /// `task_max_waiting_in_queue_millis` for people (`0s`), with
    /// `human=true` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_max_waiting_in_queue: Option<String>,
    /// Always 0.
    pub task_max_waiting_in_queue_millis: u64,
    /// `active_shards_percent_as_number` for people (`100.0%`), with
    /// `human=true` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_shards_percent: Option<String>,
    /// Always 100.0: no shard is inactive.
    pub active_shards_percent_as_number: f64,
    /// The health of each index, with `level=indices` or `level=shards`
    /// only: always empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indices: Option<IndexMap<String, serde_json::Value>>,
}

/// The methods Elasticsearch knows (`RestRequest.Method`), by their exact
/// names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(clippy::upper_case_acronyms, missing_docs)]
pub enum RestMethod {
    GET,
    POST,
    PUT,
    DELETE,
    OPTIONS,
    HEAD,
    PATCH,
    TRACE,
    CONNECT,
}

/// Whether the cluster's nodes have a REST API, as
/// `GET /_capabilities` answers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CapabilitiesResponse {
    /// The nodes asked: each answers for itself.
    #[serde(rename = "_nodes")]
    pub nodes: NodeStatistics,
    /// The cluster's name.
    pub cluster_name: String,
    /// Whether every node supports the method, path, parameters and
    /// capabilities asked about; null when a node failed to answer.
    pub supported: Option<bool>,
}

/// The error answers of a health request, as the generated client decodes
/// them: the 408 of a wait that ran out carries the health itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ClusterHealthError {
    /// 408: the wait ran out; `timed_out` is true.
    TimedOut(ClusterHealthResponse),
    /// Any other error.
    Error(crate::ErrorResponse),
}
