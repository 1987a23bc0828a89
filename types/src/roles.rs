//! Native roles: the bodies of the role APIs (`/_security/role`).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::RoleDescriptor;

/// Response of putting a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PutRoleResponse {
    /// What happened to the role.
    pub role: RoleCreated,
}

/// Whether a put created its role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoleCreated {
    /// `true` if the role is new, `false` if an existing one was replaced.
    pub created: bool,
}

/// Roles by name: the built-in ones first, then the native ones by name.
/// Roles of `roles.yml` are not shown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetRolesResponse(pub IndexMap<String, RoleDescriptor>);

crate::named_map_schema!(
    GetRolesResponse,
    RoleDescriptor,
    "Roles by name: the built-in ones first, then the native ones by name. Roles of `roles.yml` are not shown."
);

/// What getting roles answers when it answers no role: 404 with `{}`, or
/// an Elasticsearch error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum GetRolesError {
    /// An exception.
    Error(crate::ErrorResponse),
    /// 404: none of the names exists.
    NoneFound(crate::EmptyResponse),
}

/// The errors of putting a role (see [`crate::BodyError`]).
pub type PutRoleError = crate::BodyError;

/// The body of putting a role: every field may be left out (an empty role
/// grants nothing).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PutRoleRequest {
    /// Cluster privileges and cluster action patterns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<crate::privileges::ClusterPrivilegeName>")]
    pub cluster: Option<Vec<String>>,
    /// Configurable cluster privileges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub global: Option<serde_json::Map<String, serde_json::Value>>,
    /// Index privileges (also accepted as `index`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<crate::IndicesPrivileges>")]
    pub indices: Option<Vec<crate::IndicesPrivileges>>,
    /// Application privileges (also accepted as `application`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<crate::ApplicationPrivileges>")]
    pub applications: Option<Vec<crate::ApplicationPrivileges>>,
    /// Users this role may run as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<String>")]
    pub run_as: Option<Vec<String>>,
    /// Arbitrary metadata; keys starting with `_` are reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Elasticsearch's own; read and dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub transient_metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Index privileges on remote clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<crate::RemoteIndicesPrivileges>")]
    pub remote_indices: Option<Vec<crate::RemoteIndicesPrivileges>>,
    /// Cluster privileges on remote clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<crate::RemoteClusterPrivileges>")]
    pub remote_cluster: Option<Vec<crate::RemoteClusterPrivileges>>,
    /// What the role is for, at most 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub description: Option<String>,
}
