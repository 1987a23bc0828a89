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
///
/// Read as Elasticsearch reads query strings: a parameter given twice is
/// the last value given, and other parameters are the handler's to refuse,
/// so that every bad query gets Elasticsearch's error (dropshot's own would
/// say "duplicate field").
#[derive(Debug, JsonSchema)]
pub struct RefreshQuery {
    /// `true` (or empty) to make the change visible to search at once,
    /// `wait_for` to wait until it is, `false` to do neither. Changes are
    /// visible at once on this node whatever the value; it is validated as
    /// Elasticsearch validates it.
    #[schemars(with = "Option<es_tokens_types::RefreshPolicy>")]
    pub refresh: Option<String>,
}

impl<'de> Deserialize<'de> for RefreshQuery {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LastValue;
        impl<'de> serde::de::Visitor<'de> for LastValue {
            type Value = RefreshQuery;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("query parameters")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RefreshQuery, A::Error> {
                let mut refresh = None;
                while let Some((key, value)) = map.next_entry::<String, String>()? {
                    if key == "refresh" {
                        refresh = Some(value);
                    }
                }
                Ok(RefreshQuery { refresh })
            }
        }
        deserializer.deserialize_map(LastValue)
    }
}
