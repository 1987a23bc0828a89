//! Path parameters.

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
    pub name: String,
}
