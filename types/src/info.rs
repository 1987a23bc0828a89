//! Response of `GET /`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Basic information about the node and its cluster; clients ping with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InfoResponse {
    /// The node's name.
    pub name: String,
    /// The cluster's name.
    pub cluster_name: String,
    /// The cluster's identity.
    pub cluster_uuid: String,
    /// The version this node reports.
    pub version: ElasticsearchVersionInfo,
    /// Always `You Know, for Search`.
    pub tagline: String,
}

/// The Elasticsearch version a node reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ElasticsearchVersionInfo {
    /// The version, e.g. `9.2.0`.
    pub number: String,
    /// The build flavor, always `default`.
    pub build_flavor: String,
    /// The packaging, e.g. `tar`.
    pub build_type: String,
    /// The commit the node was built from.
    pub build_hash: String,
    /// When the node was built (ISO 8601).
    pub build_date: String,
    /// Whether this is a snapshot build.
    pub build_snapshot: bool,
    /// The Lucene version bundled with that Elasticsearch version.
    pub lucene_version: String,
    /// The oldest version this node talks to over the transport protocol.
    pub minimum_wire_compatibility_version: String,
    /// The oldest index version this node reads.
    pub minimum_index_compatibility_version: String,
}
