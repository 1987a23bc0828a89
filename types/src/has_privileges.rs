//! `_has_privileges`: whether the caller holds the privileges it names.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The privileges to check. At least one list must name a privilege.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HasPrivilegesRequest {
    /// Application privileges (also accepted as `applications`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<ApplicationPrivilegesCheck>")]
    pub application: Option<Vec<ApplicationPrivilegesCheck>>,
    /// Cluster privileges: names (`monitor`, `manage_security`, ...) or
    /// patterns over cluster actions (`cluster:monitor/*`). An unknown name
    /// is a 400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<crate::privileges::ClusterPrivilegeName>")]
    pub cluster: Option<Vec<String>>,
    /// Index privileges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<IndexPrivilegesCheck>")]
    pub index: Option<Vec<IndexPrivilegesCheck>>,
}

/// Index privileges to check on some indices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexPrivilegesCheck {
    // Documented by `IndexNames`: a description next to its reference
    // would be a `$ref` sibling, which OpenAPI 3.0 ignores.
    #[serde(deserialize_with = "one_or_many")]
    #[schemars(with = "IndexNames")]
    pub names: Vec<String>,
    /// The privileges (`read`, `write`, `all`, ...).
    #[schemars(with = "Vec<crate::privileges::IndexPrivilegeName>")]
    pub privileges: Vec<String>,
    /// Whether the patterns may cover restricted indices (`.security`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub allow_restricted_indices: Option<bool>,
}

/// One index name or pattern, or a non-empty list of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum IndexNames {
    /// One name or pattern.
    One(String),
    /// Several.
    Many(#[schemars(length(min = 1))] Vec<String>),
}

pub(crate) fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(match IndexNames::deserialize(deserializer)? {
        IndexNames::One(name) => vec![name],
        IndexNames::Many(names) => names,
    })
}

/// Application privileges to check on some resources.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationPrivilegesCheck {
    /// The application's name.
    pub application: String,
    /// Privilege names or actions of the application.
    pub privileges: Vec<String>,
    /// The resources to check them on.
    pub resources: Vec<String>,
}

/// Which of the asked privileges the caller holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HasPrivilegesResponse {
    /// Who was checked.
    pub username: String,
    /// Whether the caller holds every privilege asked about.
    pub has_all_requested: bool,
    /// Each cluster privilege asked about, as asked, and whether it is held.
    /// Keys come in the order of a Java `HashMap`, as Elasticsearch writes
    /// them.
    pub cluster: IndexMap<String, bool>,
    /// Each index (sorted by name), then each privilege asked about.
    pub index: IndexMap<String, IndexMap<String, bool>>,
    /// Each application, then each resource (sorted), then each privilege.
    pub application: IndexMap<String, IndexMap<String, IndexMap<String, bool>>>,
}

/// The error answers of `_has_privileges`, as the generated client decodes
/// them: Elasticsearch's exceptions, and the REST layer's 406.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum HasPrivilegesError {
    /// An exception.
    Error(crate::ErrorResponse),
    /// 406: a `Content-Type` Elasticsearch does not read.
    Simple(crate::SimpleErrorResponse),
}
