//! Path and query parameters.

use schemars::JsonSchema;
use serde::Deserialize;

/// The path of an operation on some tokens of one service account.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ServiceTokensPath {
    /// The namespace, which is a top-level grouping of service accounts.
    pub namespace: String,
    /// The name of the service, which must be unique within its namespace.
    pub service: String,
    /// A comma-separated list of token names to evict from the service
    /// account token caches. Use a wildcard (`*`) to evict all tokens that
    /// belong to a service account. It does not support other wildcard
    /// patterns.
    #[schemars(with = "es_tokens_types::TokenNameList")]
    pub name: String,
}

/// The path of an operation on one token of one service account.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ServiceTokenPath {
    /// The namespace, which is a top-level grouping of service accounts.
    pub namespace: String,
    /// The name of the service, which must be unique within its namespace.
    pub service: String,
    /// The token name: 1 to 256 characters, alphanumeric, `-` or `_`, not
    /// starting with `_`. Unique within the service account.
    #[schemars(with = "es_tokens_types::TokenName")]
    pub name: String,
}

/// The path of an operation on one service account.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ServiceAccountPath {
    /// The namespace, which is a top-level grouping of service accounts.
    pub namespace: String,
    /// The name of the service, which must be unique within its namespace.
    pub service: String,
}

/// The path of an operation on the service accounts of one namespace.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NamespacePath {
    /// The namespace, which is a top-level grouping of service accounts.
    pub namespace: String,
}

/// The `refresh` parameter of operations that write the security index.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RefreshQuery {
    /// `true` (or empty) to make the change visible to search at once,
    /// `wait_for` to wait until it is, `false` to do neither. Changes are
    /// visible at once on this node whatever the value; it is validated as
    /// Elasticsearch validates it.
    #[schemars(with = "Option<es_tokens_types::RefreshPolicy>")]
    pub refresh: Option<String>,
}
