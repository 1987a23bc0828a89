//! Everything a request can fail with, as types; converted into
//! Elasticsearch's error body in exactly one place, at the HTTP edge
//! (`http::error`).

use crate::authc::service::token_caches::UnknownCache;
use crate::authc::service::token_name::InvalidTokenName;
use crate::security_index::StoreError;

/// A request failure, worded as Elasticsearch words it.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A token name in the path is not a valid token name.
    #[error(transparent)]
    InvalidTokenName(#[from] InvalidTokenName),
    /// A boolean query parameter that is neither `true` nor `false`.
    #[error("Failed to parse value [{0}] as only [true] or [false] are allowed.")]
    InvalidBoolean(String),
    /// Query parameters the endpoint does not take.
    #[error("request [{path}] contains unrecognized parameter{}: {}", plural(.unrecognized), render_unrecognized(.unrecognized))]
    UnrecognizedParameters {
        /// The decoded request path.
        path: String,
        /// Each unrecognized parameter with its suggestions.
        unrecognized: Vec<(String, Vec<String>)>,
    },
    /// A body sent to an endpoint that takes none.
    #[error("request [{method} {path}] does not support having a body")]
    BodyNotSupported { method: String, path: String },
    /// An `Accept` header asking for an API compatibility version this node
    /// does not speak.
    #[error("Invalid media-type value on headers [Accept, Content-Type]")]
    CompatibleVersion {
        /// The header that asked for it.
        header: &'static str,
        /// The version asked for.
        version: String,
        /// The raw header value.
        value: String,
    },
    /// A request feature Elasticsearch has and this node does not implement.
    #[error("{0} is not supported by this node")]
    Unsupported(String),
    /// No `Authorization` header.
    #[error("missing authentication credentials for REST request [{uri}]")]
    MissingCredentials { uri: String },
    /// Basic credentials no realm accepts.
    #[error("unable to authenticate user [{username}] for REST request [{uri}]")]
    UserAuthentication { username: String, uri: String },
    /// A service-account token that fails; the same words whatever failed.
    #[error("failed to authenticate service account [{principal}] with token name [{token_name}]")]
    ServiceAccountAuthentication { principal: String, token_name: String },
    /// Credentials of a kind no authenticator of this node takes.
    #[error("unable to authenticate with provided credentials and anonymous access is not allowed for this request")]
    UnknownCredentials,
    /// A `Basic` header that does not decode.
    #[error("{0}")]
    InvalidBasicHeader(&'static str),
    /// A store could not answer during authentication.
    #[error("error attempting to authenticate request")]
    AuthenticationUnavailable(StoreError),
    /// The caller lacks the privilege.
    #[error(
        "action [{action}] is unauthorized for {who}, this action is granted by the cluster privileges [{}]",
        privileges.join(",")
    )]
    Unauthorized { action: String, who: String, privileges: Vec<&'static str> },
    /// Creating a token for an account that does not exist.
    #[error("service account [{0}] does not exist")]
    UnknownServiceAccount(String),
    /// A request that fails Elasticsearch's request validation.
    #[error("Validation Failed: {}", render_validation(.0))]
    ValidationFailed(Vec<String>),
    /// A request Elasticsearch refuses with a `ValidationException` (not
    /// its request validation: the REST layer's, or the store's).
    #[error("Validation Failed: {}", render_validation(.0))]
    Validation(Vec<String>),
    /// A `refresh` parameter that is not `true`, `false`, `wait_for` or empty.
    #[error("Unknown value for refresh: [{0}].")]
    InvalidRefresh(String),
    /// Creating a token that exists.
    #[error("[service_account_token-{qualified}]: version conflict, document already exists (current version [1])")]
    DuplicateToken { qualified: String, index_uuid: String },
    /// A handshake from a node of another cluster.
    #[error("handshake failed: remote cluster name [{remote}] does not match local cluster name [{local}]")]
    ClusterMismatch { remote: String, local: String },
    /// A node-to-node call without the shared secret.
    #[error("missing authentication credentials for transport request")]
    TransportUnauthenticated,
    /// A node-to-node call with a wrong secret.
    #[error("invalid credentials for transport request")]
    TransportForbidden,
    /// A cache name no node knows.
    #[error(transparent)]
    UnknownCache(#[from] UnknownCache),
    /// A parameter value Elasticsearch's parser refuses with an
    /// `IllegalArgumentException`.
    #[error("{0}")]
    InvalidParameter(String),
    /// A `wait_for_active_shards` that is neither `all` nor a number.
    #[error("cannot parse ActiveShardCount[{0}]")]
    ActiveShardCount(String),
    /// A query string Elasticsearch cannot decode (`BadParameterException`
    /// around the decoder's message).
    #[error("java.lang.IllegalArgumentException: {0}")]
    BadParameter(String),
    /// Input the HTTP server refused before any handler read it (an
    /// extractor of dropshot's), with its status and words.
    #[error("{message}")]
    RefusedInput { status: u16, message: String },
    /// A number that does not parse (Java's `NumberFormatException`).
    #[error("For input string: \"{0}\"")]
    NumberFormat(String),
    /// A request body that does not parse (`ElasticsearchParseException`).
    #[error("{0}")]
    Parse(String),
    /// A request body that is not well-formed JSON.
    #[error("{0}")]
    XContentParse(String),
    /// A state Elasticsearch's code asserts does not hold
    /// (`IllegalStateException`).
    #[error("{0}")]
    IllegalState(String),
    /// A request body without `Content-Type`, or of a type no parser reads:
    /// the REST layer's 406.
    #[error("{0}")]
    ContentType(String),
    /// A request line longer than `http.max_initial_line_length` (Netty's
    /// `TooLongHttpLineException`).
    #[error("An HTTP line is larger than {0} bytes.")]
    LineTooLong(u64),
    /// A bug: something that cannot happen did.
    #[error("{0}")]
    Internal(String),
    /// The security index could not be read or written.
    #[error("at least one primary shard for the index [{SECURITY_INDEX}] is unavailable")]
    IndexUnavailable(StoreError),
}

/// The concrete index behind the `.security` alias, as error bodies name it.
pub const SECURITY_INDEX: &str = ".security-7";

fn render_validation(errors: &[String]) -> String {
    errors.iter().enumerate().map(|(i, error)| format!("{}: {error};", i + 1)).collect()
}

fn plural<T>(items: &[T]) -> &'static str {
    if items.len() > 1 { "s" } else { "" }
}

fn render_unrecognized(unrecognized: &[(String, Vec<String>)]) -> String {
    let rendered: Vec<String> = unrecognized
        .iter()
        .map(|(param, suggestions)| {
            if suggestions.is_empty() {
                format!("[{param}]")
            } else {
                let names: Vec<&str> = suggestions.iter().map(String::as_str).collect();
                format!("[{param}] -> did you mean {}?", crate::common::suggestions::render(&names))
            }
        })
        .collect();
    rendered.join(", ")
}

/// An error and its sources, `: `-separated, for messages that must say what
/// really went wrong.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The innermost source of an error: for a failed connection, the operating
/// system's words.
pub fn innermost(error: &dyn std::error::Error) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrecognized_parameters_in_elasticsearch_words() {
        let one = ServiceError::UnrecognizedParameters {
            path: "/_security/x".into(),
            unrecognized: vec![("prety".into(), vec!["pretty".into()])],
        };
        assert_eq!(
            one.to_string(),
            "request [/_security/x] contains unrecognized parameter: [prety] -> did you mean [pretty]?"
        );
        let two = ServiceError::UnrecognizedParameters {
            path: "/".into(),
            unrecognized: vec![("a".into(), vec![]), ("fomat".into(), vec!["format".into(), "human".into()])],
        };
        assert_eq!(
            two.to_string(),
            "request [/] contains unrecognized parameters: [a], [fomat] -> did you mean any of [format, human]?"
        );
    }
}
