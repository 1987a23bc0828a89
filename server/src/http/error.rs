//! The HTTP edge of every failure: a [`ServiceError`] becomes
//! Elasticsearch's status, error body and headers here, and nowhere else.

use std::collections::BTreeMap;

use dropshot::ErrorStatusCode;
use es_tokens_api::EsError;
use es_tokens_types::ErrorCause;

use crate::error::{SECURITY_INDEX, ServiceError};

/// The challenge of a node-to-node call without the shared secret.
const TRANSPORT_CHALLENGE: &str = "Bearer realm=\"transport\"";

/// The `WWW-Authenticate` challenges of every 401, in Elasticsearch's order.
const WWW_AUTHENTICATE: [&str; 3] =
    ["Basic realm=\"security\" charset=\"UTF-8\"", "Bearer realm=\"security\"", "ApiKey"];

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
            ServiceError::AuthenticationUnavailable(_) => {
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
            ServiceError::Validation(_) => {
                EsError::new(ErrorStatusCode::BAD_REQUEST, ErrorCause::new("validation_exception", error.to_string()))
            }
            ServiceError::DuplicateToken { index_uuid, .. } => {
                let mut cause = ErrorCause::new("version_conflict_engine_exception", error.to_string());
                cause.metadata.insert("index_uuid".to_string(), index_uuid.as_str().into());
                cause.metadata.insert("shard".to_string(), "0".into());
                cause.metadata.insert("index".to_string(), SECURITY_INDEX.into());
                EsError::new(ErrorStatusCode::CONFLICT, cause)
            }
            ServiceError::TransportUnauthenticated => {
                let mut cause = ErrorCause::new("security_exception", error.to_string());
                let challenge = vec![TRANSPORT_CHALLENGE.to_string()];
                cause.header = Some(BTreeMap::from([("WWW-Authenticate".to_string(), challenge)]));
                EsError::new(ErrorStatusCode::UNAUTHORIZED, cause)
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
            ServiceError::IndexUnavailable(_) => {
                EsError::new(ErrorStatusCode::SERVICE_UNAVAILABLE, unavailable_shards())
            }
            ServiceError::NumberFormat(_) => EsError::new(
                ErrorStatusCode::BAD_REQUEST,
                ErrorCause::new("number_format_exception", error.to_string()),
            ),
            ServiceError::ActiveShardCount(value) => {
                let mut cause = ErrorCause::new("illegal_argument_exception", error.to_string());
                cause.caused_by = Some(Box::new(ErrorCause::new(
                    "number_format_exception",
                    format!("For input string: \"{value}\""),
                )));
                EsError::new(ErrorStatusCode::BAD_REQUEST, cause)
            }
            ServiceError::Parse(_) => {
                EsError::new(ErrorStatusCode::BAD_REQUEST, ErrorCause::new("parse_exception", error.to_string()))
            }
            ServiceError::BadParameter(message) => {
                let mut cause = ErrorCause::new("bad_parameter_exception", error.to_string());
                cause.caused_by = Some(Box::new(ErrorCause::new("illegal_argument_exception", message.clone())));
                EsError::new(ErrorStatusCode::BAD_REQUEST, cause)
            }
            ServiceError::RefusedInput { status, .. } => EsError::new(
                ErrorStatusCode::from_u16(*status).unwrap_or(ErrorStatusCode::BAD_REQUEST),
                ErrorCause::new("illegal_argument_exception", error.to_string()),
            ),
            ServiceError::XContentParse(_) => EsError::new(
                ErrorStatusCode::BAD_REQUEST,
                ErrorCause::new("x_content_parse_exception", error.to_string()),
            ),
            ServiceError::IllegalState(_) => EsError::new(
                ErrorStatusCode::INTERNAL_SERVER_ERROR,
                ErrorCause::new("illegal_state_exception", error.to_string()),
            ),
            ServiceError::LineTooLong(_) => EsError::new(
                ErrorStatusCode::BAD_REQUEST,
                ErrorCause::new("too_long_http_line_exception", error.to_string()),
            ),
            ServiceError::ContentType(message) => EsError::simple(ErrorStatusCode::NOT_ACCEPTABLE, message.clone()),
            ServiceError::InvalidParameter(_)
            | ServiceError::InvalidTokenName(_)
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

/// A failure of this node's half of a nodes action, as the coordinating
/// node reports it (as a remote node's error answer: its cause without
/// `root_cause`).
pub fn node_failure(error: ServiceError) -> ErrorCause {
    let error = EsError::from(error);
    let mut cause = error
        .body()
        .map(|body| body.error.clone())
        .unwrap_or_else(|| ErrorCause::new("exception", "the node failed".to_string()));
    cause.root_cause = None;
    cause
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

#[cfg(test)]
mod tests {
    use super::*;

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
