//! Everything a request can fail with, as types; converted into
//! Elasticsearch's error body in exactly one place, `From<ServiceError> for
//! EsError`.

use dropshot::ErrorStatusCode;
use es_tokens_api::EsError;
use es_tokens_types::ErrorCause;

use crate::token_name::InvalidTokenName;

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
            ServiceError::InvalidTokenName(_)
            | ServiceError::InvalidBoolean(_)
            | ServiceError::UnrecognizedParameters { .. }
            | ServiceError::BodyNotSupported { .. }
            | ServiceError::Unsupported(_) => EsError::illegal_argument(error.to_string()),
        }
    }
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
