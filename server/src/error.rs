//! Everything a request can fail with, as types; converted into
//! Elasticsearch's error body in exactly one place, `From<ServiceError> for
//! EsError`.

use std::collections::BTreeMap;

use dropshot::ErrorStatusCode;
use es_tokens_api::EsError;
use es_tokens_types::ErrorCause;

use crate::token_name::InvalidTokenName;
use crate::token_store::StoreError;

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
    UnknownCache(#[from] crate::token_caches::UnknownCache),
    /// A bug: something that cannot happen did.
    #[error("{0}")]
    Internal(String),
    /// The security index could not be read or written.
    #[error("at least one primary shard for the index [{SECURITY_INDEX}] is unavailable")]
    IndexUnavailable(StoreError),
}

/// The concrete index behind the `.security` alias, as error bodies name it.
pub const SECURITY_INDEX: &str = ".security-7";

/// The `WWW-Authenticate` challenges of every 401, in Elasticsearch's order.
const WWW_AUTHENTICATE: [&str; 3] =
    ["Basic realm=\"security\" charset=\"UTF-8\"", "Bearer realm=\"security\"", "ApiKey"];

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
                format!("[{param}] -> did you mean {}?", crate::suggestions::render(&names))
            }
        })
        .collect();
    rendered.join(", ")
}

impl From<ServiceError> for EsError {
    fn from(error: ServiceError) -> Self {
        match &error {
            ServiceError::CompatibleVersion { header, version, value } => {
                let mut cause = ErrorCause::new("media_type_header_exception", error.to_string());
                cause.caused_by = Some(Box::new(ErrorCause::new(
                    "status_exception",
                    format!("{header} version must be either version 9 or 8, but found {version}. {header}={value}"),
                )));
                EsError::new(ErrorStatusCode::BAD_REQUEST, cause)
            }
            ServiceError::MissingCredentials { .. }
            | ServiceError::UserAuthentication { .. }
            | ServiceError::ServiceAccountAuthentication { .. }
            | ServiceError::UnknownCredentials
            | ServiceError::InvalidBasicHeader(_) => EsError::new(ErrorStatusCode::UNAUTHORIZED, challenge(&error)),
            ServiceError::AuthenticationUnavailable(store_error) => {
                tracing::warn!(error = %store_error, "authentication could not reach a token store");
                let mut cause = challenge(&error);
                cause.caused_by = Some(Box::new(unavailable_shards()));
                // Both are Elasticsearch exceptions: the root cause is the
                // inner one.
                EsError::with_root_cause(ErrorStatusCode::UNAUTHORIZED, cause)
            }
            ServiceError::Unauthorized { .. } => {
                EsError::new(ErrorStatusCode::FORBIDDEN, ErrorCause::new("security_exception", error.to_string()))
            }
            ServiceError::ValidationFailed(_) => EsError::new(
                ErrorStatusCode::BAD_REQUEST,
                ErrorCause::new("action_request_validation_exception", error.to_string()),
            ),
            ServiceError::DuplicateToken { index_uuid, .. } => {
                let mut cause = ErrorCause::new("version_conflict_engine_exception", error.to_string());
                cause.metadata.insert("index_uuid".to_string(), index_uuid.as_str().into());
                cause.metadata.insert("shard".to_string(), "0".into());
                cause.metadata.insert("index".to_string(), SECURITY_INDEX.into());
                EsError::new(ErrorStatusCode::CONFLICT, cause)
            }
            ServiceError::TransportUnauthenticated => {
                EsError::new(ErrorStatusCode::UNAUTHORIZED, ErrorCause::new("security_exception", error.to_string()))
            }
            ServiceError::TransportForbidden => {
                EsError::new(ErrorStatusCode::FORBIDDEN, ErrorCause::new("security_exception", error.to_string()))
            }
            ServiceError::ClusterMismatch { .. } => EsError::new(
                ErrorStatusCode::BAD_REQUEST,
                ErrorCause::new("connect_transport_exception", error.to_string()),
            ),
            ServiceError::Internal(message) => {
                EsError::new(ErrorStatusCode::INTERNAL_SERVER_ERROR, ErrorCause::new("exception", message.clone()))
            }
            ServiceError::IndexUnavailable(store_error) => {
                tracing::warn!(error = %store_error, "the security index is unavailable");
                EsError::new(ErrorStatusCode::SERVICE_UNAVAILABLE, unavailable_shards())
            }
            ServiceError::InvalidTokenName(_)
            | ServiceError::InvalidBoolean(_)
            | ServiceError::UnrecognizedParameters { .. }
            | ServiceError::BodyNotSupported { .. }
            | ServiceError::Unsupported(_)
            | ServiceError::UnknownServiceAccount(_)
            | ServiceError::UnknownCache(_)
            | ServiceError::InvalidRefresh(_) => EsError::illegal_argument(error.to_string()),
        }
    }
}

/// A 401 cause: a `security_exception` carrying the challenges.
fn challenge(error: &ServiceError) -> ErrorCause {
    let mut cause = ErrorCause::new("security_exception", error.to_string());
    let values = WWW_AUTHENTICATE.iter().map(|v| v.to_string()).collect();
    cause.header = Some(BTreeMap::from([("WWW-Authenticate".to_string(), values)]));
    cause
}

fn unavailable_shards() -> ErrorCause {
    ErrorCause::new(
        "unavailable_shards_exception",
        format!("at least one primary shard for the index [{SECURITY_INDEX}] is unavailable"),
    )
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

    #[test]
    fn compatible_version_has_a_status_exception_cause() {
        let error: EsError = ServiceError::CompatibleVersion {
            header: "Accept",
            version: "7".into(),
            value: "application/vnd.elasticsearch+json; compatible-with=7".into(),
        }
        .into();
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"error":{"root_cause":[{"type":"media_type_header_exception","reason":"Invalid media-type value on headers [Accept, Content-Type]"}],"type":"media_type_header_exception","reason":"Invalid media-type value on headers [Accept, Content-Type]","caused_by":{"type":"status_exception","reason":"Accept version must be either version 9 or 8, but found 7. Accept=application/vnd.elasticsearch+json; compatible-with=7"}},"status":400}"#
        );
    }
}
