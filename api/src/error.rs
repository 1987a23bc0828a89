//! The Elasticsearch error response.

use std::fmt;

use dropshot::{ErrorStatusCode, HttpError, HttpResponseError};
use es_tokens_types::{ErrorCause, ErrorResponse, SimpleErrorResponse};
use schemars::JsonSchema;
use serde::Serialize;

/// An error response as Elasticsearch sends it: a 4xx or 5xx status and the
/// body `{"error":{"root_cause":[...],"type":...,"reason":...},"status":N}`.
///
/// The headers of `error.header` (e.g. `WWW-Authenticate`) are sent as HTTP
/// headers too, as Elasticsearch does.
#[derive(Clone, Debug, PartialEq)]
pub struct EsError {
    status: ErrorStatusCode,
    body: Body,
}

/// The two shapes of Elasticsearch's error bodies.
#[derive(Clone, Debug, PartialEq)]
enum Body {
    /// An exception: `{"error":{...},"status":N}`.
    Exception(ErrorResponse),
    /// A message of the REST layer: `{"error":"...","status":N}`.
    Simple(SimpleErrorResponse),
}

impl EsError {
    /// An error with the given status whose top-level cause is `cause`, and
    /// its own root cause.
    ///
    /// Elasticsearch's root cause is the innermost *Elasticsearch* exception
    /// of the chain, found by descending only while the current exception is
    /// one. The errors this node raises are either alone or, like
    /// `media_type_header_exception`, not Elasticsearch exceptions at the top,
    /// so their root cause is the top-level cause, without its `caused_by`.
    pub fn new(status: ErrorStatusCode, mut cause: ErrorCause) -> Self {
        let root = ErrorCause { root_cause: None, caused_by: None, ..cause.clone() };
        cause.root_cause = Some(vec![root]);
        EsError { status, body: Body::Exception(ErrorResponse { error: cause, status: status.as_u16() }) }
    }

    /// An error of the REST layer itself, whose body is only its message
    /// and status (`RestResponse.createSimpleErrorResponse`).
    pub fn simple(status: ErrorStatusCode, message: impl Into<String>) -> Self {
        EsError { status, body: Body::Simple(SimpleErrorResponse { error: message.into(), status: status.as_u16() }) }
    }

    /// An error whose chain consists of Elasticsearch exceptions only, so
    /// that its root cause is the innermost one (without its own cause).
    pub fn with_root_cause(status: ErrorStatusCode, mut cause: ErrorCause) -> Self {
        let mut root = &cause;
        while let Some(inner) = &root.caused_by {
            root = inner;
        }
        let root = ErrorCause { root_cause: None, caused_by: None, ..root.clone() };
        cause.root_cause = Some(vec![root]);
        EsError { status, body: Body::Exception(ErrorResponse { error: cause, status: status.as_u16() }) }
    }

    /// A 400 `illegal_argument_exception`, Elasticsearch's answer to most bad
    /// input.
    pub fn illegal_argument(reason: impl Into<String>) -> Self {
        EsError::new(ErrorStatusCode::BAD_REQUEST, ErrorCause::new("illegal_argument_exception", reason))
    }

    /// The response status.
    pub fn status(&self) -> ErrorStatusCode {
        self.status
    }

    /// The exception's body; `None` for a simple error.
    pub fn body(&self) -> Option<&ErrorResponse> {
        match &self.body {
            Body::Exception(body) => Some(body),
            Body::Simple(_) => None,
        }
    }
}

impl fmt::Display for EsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = match &self.body {
            Body::Exception(body) => &body.error,
            Body::Simple(body) => return write!(f, "{} {}", self.status.as_u16(), body.error),
        };
        write!(f, "{} {}", self.status.as_u16(), error.kind)?;
        if let Some(reason) = &error.reason {
            write!(f, ": {reason}")?;
        }
        Ok(())
    }
}

impl std::error::Error for EsError {}

/// dropshot reports its own failures (an extractor that cannot parse the
/// request, a body that cannot be serialized) as [`HttpError`]s; they reach
/// the client in Elasticsearch's shape too.
impl From<HttpError> for EsError {
    fn from(error: HttpError) -> Self {
        let kind = if error.status_code.is_client_error() { "illegal_argument_exception" } else { "exception" };
        // dropshot answers a body over its limit with 400; it is a 413.
        let status = if error.external_message.starts_with("request body exceeded maximum size") {
            ErrorStatusCode::PAYLOAD_TOO_LARGE
        } else {
            error.status_code
        };
        EsError::new(status, ErrorCause::new(kind, error.external_message))
    }
}

impl HttpResponseError for EsError {
    fn status_code(&self) -> ErrorStatusCode {
        self.status
    }
}

impl Serialize for EsError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.body {
            Body::Exception(body) => body.serialize(serializer),
            Body::Simple(body) => body.serialize(serializer),
        }
    }
}

impl JsonSchema for EsError {
    fn schema_name() -> String {
        ErrorResponse::schema_name()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        ErrorResponse::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_cause_is_the_top_cause_without_its_cause() {
        let mut outer = ErrorCause::new("media_type_header_exception", "outer");
        outer.caused_by = Some(Box::new(ErrorCause::new("status_exception", "inner")));
        let error = EsError::new(ErrorStatusCode::BAD_REQUEST, outer);
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(
            json,
            r#"{"error":{"root_cause":[{"type":"media_type_header_exception","reason":"outer"}],"type":"media_type_header_exception","reason":"outer","caused_by":{"type":"status_exception","reason":"inner"}},"status":400}"#
        );
    }

    #[test]
    fn a_simple_error_is_its_own_root_cause() {
        let error = EsError::illegal_argument("bad");
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"bad"}],"type":"illegal_argument_exception","reason":"bad"},"status":400}"#
        );
        assert_eq!(error.to_string(), "400 illegal_argument_exception: bad");
    }
}
