//! Bodies of the service-token, credentials and authenticate APIs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::NodeStatistics;

/// Response of creating a service-account token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CreateServiceTokenResponse {
    /// Always `true`.
    pub created: bool,
    /// The new token.
    pub token: ServiceToken,
}

/// A newly created token. Its value is shown once and never again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceToken {
    /// The token's name.
    pub name: String,
    /// The bearer string to send as `Authorization: Bearer <value>`.
    pub value: String,
}

/// Response of deleting a service-account token: `{"found":true}` with 200,
/// or exactly `{"found":false}` with 404.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeleteServiceTokenResponse {
    /// Whether the token existed.
    pub found: bool,
}

/// What deleting a token answers when it deletes nothing: 404 with exactly
/// `{"found":false}`, or an Elasticsearch error. The generated client
/// decodes every error status of the delete into this.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DeleteServiceTokenError {
    /// 404: no such token, or no such account.
    NotFound(DeleteServiceTokenResponse),
    /// Any other error.
    Error(crate::ErrorResponse),
}

impl DeleteServiceTokenError {
    /// The Elasticsearch error, if that is what it is.
    pub fn error(&self) -> Option<&crate::ErrorResponse> {
        match self {
            DeleteServiceTokenError::Error(error) => Some(error),
            DeleteServiceTokenError::NotFound(_) => None,
        }
    }

    /// Whether it is the 404 of a token that does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, DeleteServiceTokenError::NotFound(DeleteServiceTokenResponse { found: false }))
    }
}

/// The credentials of one service account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GetServiceCredentialsResponse {
    /// `namespace/service`.
    pub service_account: String,
    /// Index tokens plus distinct file tokens.
    pub count: u32,
    /// The index tokens, by name.
    pub tokens: BTreeMap<String, TokenInfo>,
    /// The file tokens, as the nodes reported them.
    pub nodes_credentials: NodesCredentials,
}

/// Nothing more is said about an index token than its name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TokenInfo {}

/// File tokens by name, with the nodes whose `service_tokens` file has them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NodesCredentials {
    /// How many nodes were asked, answered and failed.
    #[serde(rename = "_nodes")]
    pub node_stats: NodeStatistics,
    /// File tokens by name.
    pub file_tokens: BTreeMap<String, FileTokenInfo>,
}

/// Where a file token is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FileTokenInfo {
    /// Names of the nodes that have the token, sorted.
    pub nodes: Vec<String>,
}

/// Who the caller is: `GET /_security/_authenticate`. Fields in
/// Elasticsearch's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuthenticateResponse {
    /// The user name or service account principal.
    pub username: String,
    /// Assigned roles (none for a service account).
    pub roles: Vec<String>,
    /// Full name, `null` when unknown.
    pub full_name: Option<String>,
    /// Email, `null` when unknown.
    pub email: Option<String>,
    /// For a service account, the token it authenticated with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "AuthenticateToken")]
    pub token: Option<AuthenticateToken>,
    /// User metadata.
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Whether the user is enabled.
    pub enabled: bool,
    /// The realm that authenticated the caller.
    pub authentication_realm: RealmInfo,
    /// The realm the user was looked up in.
    pub lookup_realm: RealmInfo,
    /// `realm` for users, `token` for service accounts.
    pub authentication_type: String,
}

/// The token a service account authenticated with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuthenticateToken {
    /// The token's name.
    pub name: String,
    /// `_service_account_file` or `_service_account_index`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A realm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RealmInfo {
    /// Its name, e.g. `default_file`.
    pub name: String,
    /// Its type, e.g. `file`.
    #[serde(rename = "type")]
    pub kind: String,
}
