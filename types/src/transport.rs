//! Bodies of the node-to-node API (the transport port). Not Elasticsearch's
//! wire protocol: the HTTP form of the few transport actions this node needs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A node as the cluster knows it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct NodeInfo {
    /// The node's persistent id.
    pub node_id: String,
    /// `node.name`.
    pub node_name: String,
    /// Where its node-to-node API listens, `host:port`.
    pub transport_address: String,
}

/// A node introducing itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HandshakeRequest {
    /// The caller's `cluster.name`; a node of another cluster is refused.
    pub cluster_name: String,
    /// The caller.
    pub node: NodeInfo,
}

/// The answer to a handshake: who answered and whom it knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HandshakeResponse {
    /// The answering node's `cluster.name`.
    pub cluster_name: String,
    /// The answering node.
    pub node: NodeInfo,
    /// The other members it knows, so that the cluster converges even when
    /// seed lists name only some nodes.
    pub members: Vec<NodeInfo>,
}

/// Clear some keys of some security caches on one node
/// (`cluster:admin/xpack/security/cache/clear[n]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClearSecurityCacheNodeRequest {
    /// `service` (both token caches), `file_service_account_token` or
    /// `index_service_account_token`.
    #[schemars(with = "SecurityCacheName")]
    pub cache: String,
    /// Qualified token names; one ending in `/` is an account prefix.
    pub keys: Vec<String>,
    /// Why the keys are cleared; the node counts their evictions under it.
    /// Every node sends it; one that finds it missing (a node before 0.2 of
    /// this API) takes `index_change` for `index_service_account_token` and
    /// `clear_api` otherwise, as those nodes did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<ClearCause>,
}

/// The security caches a node knows, by Elasticsearch's names
/// (`CacheInvalidatorRegistry`); a schema only: the node answers any other
/// name with Elasticsearch's "No cache named [..] is found".
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum SecurityCacheName {
    /// Both service-token caches.
    Service,
    /// The cache of the `service_tokens` file's tokens.
    FileServiceAccountToken,
    /// The cache of the security index's tokens.
    IndexServiceAccountToken,
}

/// Why a node is asked to clear cached keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClearCause {
    /// The clear-cache API was called.
    ClearApi,
    /// What the keys name changed in the security index (a token was
    /// deleted).
    IndexChange,
}

/// A node that did what it was asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NodeAcknowledgement {
    /// Its id.
    pub node_id: String,
    /// Its name.
    pub node_name: String,
}

/// The file tokens one node has for an account
/// (`cluster:admin/xpack/security/service_account/credential/get[n]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NodeServiceCredentials {
    /// The node's id.
    pub node_id: String,
    /// The node's name.
    pub node_name: String,
    /// Names of the account's tokens in the node's `service_tokens` file.
    pub file_tokens: Vec<String>,
}
