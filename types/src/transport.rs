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
    /// `service` (both token caches), `file_service_account_token`,
    /// `index_service_account_token`, `realm` (realm caches) or `role` (the
    /// role cache).
    #[schemars(with = "SecurityCacheName")]
    pub cache: String,
    /// For the token caches, qualified token names, where one ending in
    /// `/` is an account prefix; for `realm`, `<realm>/<username>`, where
    /// the realm `*` is every realm and an empty username everyone; for
    /// `role`, role names, where `*` is every role.
    pub keys: Vec<String>,
    /// Why the keys are cleared; the node counts their evictions under it.
    /// Every node sends it; one that finds it missing (a node before 0.2 of
    /// this API) takes `index_change` for `index_service_account_token` and
    /// `clear_api` otherwise, as those nodes did.
    /// Absent and null differ: no node sends null, so it is refused.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[schemars(with = "ClearCause")]
    pub cause: Option<ClearCause>,
}

/// Reads a field that may be missing (then `default` gives `None`) but is
/// never null when present.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// The security caches a node knows, by Elasticsearch's names
/// (`CacheInvalidatorRegistry`): `service` (both service-token caches),
/// `file_service_account_token` (the `service_tokens` file's tokens),
/// `index_service_account_token` (the security index's); and the realm
/// caches (`realm`) and the role cache (`role`), which Elasticsearch clears
/// with actions of their own. A schema only: the node answers any other
/// name with Elasticsearch's "No cache named [..] is found".
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum SecurityCacheName {
    Service,
    FileServiceAccountToken,
    IndexServiceAccountToken,
    Realm,
    Role,
}

/// Why a node is asked to clear cached keys: `clear_api` (the clear-cache
/// API was called) or `index_change` (what the keys name changed in the
/// security index: a token was deleted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClearCause {
    #[allow(missing_docs)]
    ClearApi,
    #[allow(missing_docs)]
    IndexChange,
}

/// Whether a node has a REST route
/// (`cluster:monitor/nodes/capabilities[n]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NodeCapabilitiesRequest {
    /// The REST method, upper case.
    pub method: String,
    /// The REST path; `{name}` segments match any value.
    pub path: String,
    /// Query parameters the route must take.
    pub parameters: Vec<String>,
    /// Capabilities the route must have.
    pub capabilities: Vec<String>,
}

/// A node's answer to [`NodeCapabilitiesRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NodeCapabilities {
    /// The node's persistent id.
    pub node_id: String,
    /// Whether it has such a route.
    pub supported: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &str) -> Result<ClearSecurityCacheNodeRequest, serde_json::Error> {
        serde_json::from_str(body)
    }

    #[test]
    fn a_clear_may_omit_its_cause_but_not_send_null() {
        let old = read(r#"{"cache":"service","keys":["elastic/fleet-server/t"]}"#).unwrap();
        assert_eq!(old.cause, None);
        let new = read(r#"{"cache":"service","keys":[],"cause":"index_change"}"#).unwrap();
        assert_eq!(new.cause, Some(ClearCause::IndexChange));
        assert!(read(r#"{"cache":"service","keys":[],"cause":null}"#).is_err());
    }
}
