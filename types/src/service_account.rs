//! Service accounts and their role descriptors
//! (`GET /_security/service[/{namespace}[/{service}]]`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Service accounts by principal (`namespace/service`), sorted.
pub type GetServiceAccountsResponse = BTreeMap<String, ServiceAccountInfo>;

/// One service account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceAccountInfo {
    /// The privileges the account has.
    pub role_descriptor: RoleDescriptor,
}

/// A role: cluster, index and application privileges. Fields are declared in
/// the order Elasticsearch writes them (`RoleDescriptor#toXContent`); the
/// optional ones are left out when empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoleDescriptor {
    /// Cluster privileges and cluster action patterns.
    pub cluster: Vec<String>,
    /// Configurable cluster privileges, e.g. application management.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub global: Option<serde_json::Map<String, serde_json::Value>>,
    /// Index privileges.
    pub indices: Vec<IndicesPrivileges>,
    /// Application privileges.
    pub applications: Vec<ApplicationPrivileges>,
    /// Users this role may run as.
    pub run_as: Vec<String>,
    /// Arbitrary metadata; keys starting with `_` are reserved.
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Metadata Elasticsearch maintains, e.g. `{"enabled":true}`.
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub transient_metadata: serde_json::Map<String, serde_json::Value>,
    /// Index privileges on remote clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<RemoteIndicesPrivileges>")]
    pub remote_indices: Option<Vec<RemoteIndicesPrivileges>>,
    /// Cluster privileges on remote clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<RemoteClusterPrivileges>")]
    pub remote_cluster: Option<Vec<RemoteClusterPrivileges>>,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub description: Option<String>,
}

/// Privileges on a set of indices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IndicesPrivileges {
    // Documented by `IndexNames`; always a list in answers, one name or a
    // list in requests.
    #[serde(deserialize_with = "crate::has_privileges::one_or_many")]
    #[schemars(with = "crate::IndexNames")]
    pub names: Vec<String>,
    /// Index privileges.
    pub privileges: Vec<String>,
    /// Field-level security.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "FieldSecurity")]
    pub field_security: Option<FieldSecurity>,
    /// Document-level security query: a string of JSON in answers; a
    /// string, an object or null (no query) in requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "QuerySource")]
    pub query: Option<String>,
    /// Whether the patterns also cover restricted indices such as
    /// `.security` (default `false`; always shown in answers).
    #[serde(default)]
    pub allow_restricted_indices: bool,
}

/// A document-level security query as a role takes it. A schema only.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum QuerySource {
    /// The query as a string of JSON, or null in a request for no query.
    // Null is here, not on the field: OpenAPI 3.0 makes only a schema
    // with a type nullable.
    Text(Option<String>),
    /// The query itself.
    Object(BTreeMap<String, serde_json::Value>),
}

/// Privileges on a set of indices of remote clusters: an index privilege
/// entry and the clusters it applies to, written after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RemoteIndicesPrivileges {
    /// The index privileges.
    #[serde(flatten)]
    pub indices: IndicesPrivileges,
    /// Remote cluster aliases or patterns.
    pub clusters: Vec<String>,
}

/// Cluster privileges on remote clusters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RemoteClusterPrivileges {
    /// Remote cluster privileges.
    pub privileges: Vec<String>,
    /// Remote cluster aliases or patterns.
    pub clusters: Vec<String>,
}

/// Field-level security.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FieldSecurity {
    /// Fields granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<String>")]
    pub grant: Option<Vec<String>>,
    /// Fields excepted from the grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<String>")]
    pub except: Option<Vec<String>>,
}

/// Privileges in an application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationPrivileges {
    /// The application name or pattern.
    pub application: String,
    /// Application privileges.
    pub privileges: Vec<String>,
    /// Resources the privileges apply to.
    pub resources: Vec<String>,
}
