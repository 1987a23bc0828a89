//! The Elasticsearch error body.
//!
//! Optional fields are documented as optional, not nullable: Elasticsearch
//! leaves them out rather than writing `null` (`reason` is the exception).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The body of every error response:
/// `{"error":{"root_cause":[...],"type":...,"reason":...},"status":N}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorResponse {
    /// What went wrong.
    pub error: ErrorCause,
    /// The HTTP status code, repeated.
    pub status: u16,
}

/// The body of the errors Elasticsearch's REST layer answers without an
/// exception: `{"error":"<message>","status":N}` (`Content-Type` refusals,
/// 405s).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SimpleErrorResponse {
    /// What went wrong.
    pub error: String,
    /// The HTTP status code, repeated.
    pub status: u16,
}

/// Cause and details about a request failure.
///
/// Fields are declared in the order Elasticsearch writes them
/// (`ElasticsearchException#generateThrowableXContent`): the root causes come
/// first, then type and reason, then exception-specific metadata such as
/// `node_id`, then the cause and the response headers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorCause {
    /// The innermost causes; only present on the top-level cause of an
    /// error body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<ErrorCause>")]
    pub root_cause: Option<Vec<ErrorCause>>,
    /// The type of error, e.g. `illegal_argument_exception`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A human-readable explanation of the error, in English.
    ///
    /// Always written, `null` when the exception had no message.
    pub reason: Option<String>,
    /// Exception-specific fields such as `node_id`, in the order they are
    /// written.
    #[serde(flatten)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The error that caused this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ErrorCause")]
    pub caused_by: Option<Box<ErrorCause>>,
    /// Response headers that belong to the error, e.g. `WWW-Authenticate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    pub header: Option<BTreeMap<String, Vec<String>>>,
}

impl ErrorCause {
    /// A cause with a type and a reason and nothing else.
    pub fn new(kind: impl Into<String>, reason: impl Into<String>) -> Self {
        ErrorCause {
            root_cause: None,
            kind: kind.into(),
            reason: Some(reason.into()),
            metadata: serde_json::Map::new(),
            caused_by: None,
            header: None,
        }
    }
}
