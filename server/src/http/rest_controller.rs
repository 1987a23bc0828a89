//! What Elasticsearch's `RestController` and `DefaultRestChannel` do around
//! the handlers, for every request of the HTTP API: the answers to requests
//! no handler takes (no route: 400; a method the route lacks: 405 with
//! `Allow`; `OPTIONS`: 200 with `Allow`), to bad percent-encoding and to
//! bodies over `http.max_content_length`, and `X-Opaque-Id` echoed on every
//! answer. It runs as dropshot middleware (the patch in `vendor/dropshot`),
//! so it also sees the answers dropshot makes before a handler runs.
//!
//! Every body is read whole before a handler runs, as Netty's aggregator
//! reads it in front of Elasticsearch's REST layer: a handler sees what was
//! sent (a chunked body counts by its length), a malformed body is refused,
//! and a body the handler has no use for never leaves the connection in a
//! state that forces it closed.
//!
//! Authentication comes first, as Elasticsearch authenticates a request
//! before routing it: a refusal made here is sent only to an authenticated
//! caller, others get the 401. `OPTIONS` is not authenticated (CORS
//! preflights carry no credentials), nor is a body over the limit, which
//! Netty's aggregator refuses in front of Elasticsearch's REST layer.

use std::sync::Arc;

use dropshot::{Body, HttpError, Middleware, Next};
use es_tokens_api::{EsError, ResponseFormat, X_ELASTIC_PRODUCT, error_response};
use futures::future::BoxFuture;
use http::header::{ALLOW, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, TRANSFER_ENCODING};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;

use crate::error::ServiceError;
use crate::http::routes::Routes;
use crate::node::NodeContext;

/// The header a client names its request with; echoed on the answer.
const X_OPAQUE_ID: HeaderName = HeaderName::from_static("x-opaque-id");

/// Dropshot's request id, which Elasticsearch does not send.
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The methods Elasticsearch knows (`RestRequest.Method`), in its order.
pub const METHODS: [&str; 9] = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"];

/// The HTTP API's middleware.
pub struct RestController {
    routes: &'static Routes,
    max_content_length: u64,
    max_initial_line_length: u64,
    body_timeout: Option<std::time::Duration>,
}

impl RestController {
    /// Over the API's `routes`, refusing bodies over `max_content_length`
    /// bytes, request lines over `max_initial_line_length`, and bodies
    /// silent for `body_timeout`.
    pub fn new(
        routes: &'static Routes,
        max_content_length: u64,
        max_initial_line_length: u64,
        body_timeout: Option<std::time::Duration>,
    ) -> Self {
        RestController { routes, max_content_length, max_initial_line_length, body_timeout }
    }
}

/// What a refusal made after authentication needs of its request.
struct RequestHead {
    method: Method,
    uri: http::Uri,
    authorization: HeaderMap,
}

impl Middleware<Arc<NodeContext>> for RestController {
    fn handle<'a>(
        &'a self,
        node: &'a Arc<NodeContext>,
        request: Request<Body>,
        next: Next<'a, Arc<NodeContext>>,
    ) -> BoxFuture<'a, Response<Body>> {
        Box::pin(async move {
            let opaque_id = request.headers().get(X_OPAQUE_ID).cloned();
            let mut response = self.dispatch(node, request, next).await;
            let headers = response.headers_mut();
            headers.remove(X_REQUEST_ID);
            if let Some(opaque_id) = opaque_id {
                headers.insert(X_OPAQUE_ID, opaque_id);
            }
            response
        })
    }
}

impl RestController {
    async fn dispatch(
        &self,
        node: &Arc<NodeContext>,
        request: Request<Body>,
        next: Next<'_, Arc<NodeContext>>,
    ) -> Response<Body> {
        let method = request.method().clone();
        let uri = request.uri().clone();
        let raw_path = uri.path();
        // `METHOD URI HTTP/1.1`, as Netty's decoder measures it: it refuses
        // a longer line before the headers are read, so before anyone is
        // authenticated.
        let target = uri.scheme_str().map_or(0, |scheme| scheme.len() + "://".len())
            + uri.authority().map_or(0, |authority| authority.as_str().len())
            + uri_text(&uri).len();
        let line_length = method.as_str().len() + 1 + target + " HTTP/1.1".len();
        if line_length as u64 > self.max_initial_line_length {
            return render(EsError::from(ServiceError::LineTooLong(self.max_initial_line_length)));
        }
        if method == Method::OPTIONS {
            return self.options(raw_path);
        }
        if declared_length(request.headers()).is_some_and(|length| length > self.max_content_length) {
            return too_large();
        }
        let mut authorization = HeaderMap::new();
        if let Some(value) = request.headers().get(AUTHORIZATION) {
            authorization.insert(AUTHORIZATION, value.clone());
        }
        let unknown_method = !METHODS.contains(&method.as_str());
        let head = RequestHead { method, uri, authorization };
        if unknown_method {
            let message = format!("Unexpected http method: {}", head.method);
            return self.refuse(node, &head, Refusal::MethodNotAllowed(message)).await;
        }
        if let Some(error) = header_error(request.headers()).or_else(|| encoding_error(&head.uri)) {
            return self.refuse(node, &head, Refusal::Error(EsError::from(error))).await;
        }
        let request = match self.aggregate(request).await {
            Ok(request) => request,
            Err(refusal) => return self.refuse(node, &head, refusal).await,
        };
        match next.run(request).await {
            Ok(response) => response,
            Err(error) => self.refuse(node, &head, self.refusal_of(&head, error)).await,
        }
    }

    /// The request with its whole body read, and declared by its length.
    /// A body over the limit is refused as Netty's aggregator refuses it
    /// (413, before authentication), a malformed one with a 400, and one
    /// that stops arriving for `http.request_head_timeout` with a 408 and
    /// the connection closed.
    async fn aggregate(&self, request: Request<Body>) -> Result<Request<Body>, Refusal> {
        use http_body::Body as _;
        if request.body().is_end_stream() {
            return Ok(request);
        }
        let (mut parts, mut body) = request.into_parts();
        let limit = usize::try_from(self.max_content_length).unwrap_or(usize::MAX);
        let declared = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX);
        // Grown as it arrives: a declared length is only a claim.
        let mut bytes = bytes::BytesMut::with_capacity(declared.min(64 * 1024));
        loop {
            let frame = match self.body_timeout {
                Some(timeout) => tokio::time::timeout(timeout, body.frame()).await.map_err(|_| Refusal::Silent)?,
                None => body.frame().await,
            };
            match frame {
                None => break,
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if bytes.len() + data.len() > limit {
                            return Err(Refusal::TooLarge);
                        }
                        bytes.extend_from_slice(&data);
                    }
                }
                Some(Err(error)) => {
                    return Err(Refusal::Error(EsError::from(ServiceError::RefusedInput {
                        status: 400,
                        message: format!("the request body could not be read: {}", crate::error::innermost(&*error)),
                    })));
                }
            }
        }
        parts.headers.remove(TRANSFER_ENCODING);
        parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        Ok(Request::from_parts(parts, Body::from(bytes.freeze())))
    }

    /// What dropshot's own error means to Elasticsearch's client.
    fn refusal_of(&self, head: &RequestHead, error: HttpError) -> Refusal {
        match error.status_code.as_status() {
            StatusCode::NOT_FOUND => Refusal::NoHandler,
            StatusCode::METHOD_NOT_ALLOWED => Refusal::MethodNotAllowed(format!(
                "Incorrect HTTP method for uri [{}] and method [{}]",
                uri_text(&head.uri),
                head.method
            )),
            // dropshot's limit on bodies it reads (chunked ones have no
            // length to check beforehand).
            _ if error.external_message.starts_with("request body exceeded maximum size") => Refusal::TooLarge,
            status if status.is_client_error() => Refusal::Error(EsError::from(ServiceError::RefusedInput {
                status: status.as_u16(),
                message: error.external_message,
            })),
            _ => {
                tracing::error!(error = %error.internal_message, "the HTTP server failed a request");
                Refusal::Error(EsError::from(error))
            }
        }
    }

    /// `refusal`, sent once the caller authenticated; the 401 otherwise.
    async fn refuse(&self, node: &NodeContext, head: &RequestHead, refusal: Refusal) -> Response<Body> {
        match refusal {
            Refusal::TooLarge => return too_large(),
            Refusal::Silent => return silent_body(),
            _ => {}
        }
        if let Err(error) = node.security.authenticate(&head.authorization, &head.uri).await {
            return render(EsError::from(error));
        }
        match refusal {
            Refusal::NoHandler => simple_error(
                StatusCode::BAD_REQUEST,
                json!({"error": format!("no handler found for uri [{}] and method [{}]", uri_text(&head.uri), head.method)}),
            ),
            Refusal::MethodNotAllowed(message) => self.method_not_allowed(head.uri.path(), message),
            Refusal::Error(error) => render(error),
            Refusal::TooLarge => too_large(),
            Refusal::Silent => silent_body(),
        }
    }

    /// A 405 with `message`, and the methods the path takes if it is known.
    fn method_not_allowed(&self, raw_path: &str, mut message: String) -> Response<Body> {
        let allowed = self.routes.methods_of(raw_path);
        if !allowed.is_empty() {
            message.push_str(&format!(", allowed: [{}]", allowed.join(", ")));
        }
        let mut response = simple_error(StatusCode::METHOD_NOT_ALLOWED, json!({"error": message, "status": 405}));
        if !allowed.is_empty() {
            response.headers_mut().insert(ALLOW, header_value(&allowed.join(",")));
        }
        response
    }

    /// `OPTIONS`: 200 without a body, with `Allow` if the path is known.
    fn options(&self, raw_path: &str) -> Response<Body> {
        let allowed = self.routes.methods_of(raw_path);
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header(CONTENT_TYPE, "text/plain; charset=UTF-8")
            .header(X_ELASTIC_PRODUCT, "Elasticsearch")
            .body(Body::empty())
            .expect("a valid response");
        if !allowed.is_empty() {
            response.headers_mut().insert(ALLOW, header_value(&allowed.join(",")));
        }
        response
    }
}

/// A request refused before any handler took it.
enum Refusal {
    /// No route has the path.
    NoHandler,
    /// The path's routes lack the method; the message's start.
    MethodNotAllowed(String),
    /// An Elasticsearch error.
    Error(EsError),
    /// A body over the limit.
    TooLarge,
    /// A body that stopped arriving.
    Silent,
}

/// The URI as Elasticsearch's messages show it: raw, with the query string.
fn uri_text(uri: &http::Uri) -> &str {
    uri.path_and_query().map_or("/", |path| path.as_str())
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::try_from(text).expect("method names are valid header values")
}

/// The `Content-Length` a request declares.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// A request body larger than `http.max_content_length`: 413 without a
/// body, as Netty's aggregator answers it in front of Elasticsearch's REST
/// layer.
fn too_large() -> Response<Body> {
    Response::builder()
        .status(StatusCode::PAYLOAD_TOO_LARGE)
        .header(CONTENT_LENGTH, 0)
        .body(Body::empty())
        .expect("a valid response")
}

/// A body that stopped arriving: 408, and the connection closed (what is
/// left of the body cannot be told from a next request).
fn silent_body() -> Response<Body> {
    Response::builder()
        .status(StatusCode::REQUEST_TIMEOUT)
        .header(CONTENT_LENGTH, 0)
        .header(http::header::CONNECTION, "close")
        .header(X_ELASTIC_PRODUCT, "Elasticsearch")
        .body(Body::empty())
        .expect("a valid response")
}

/// Headers Elasticsearch takes once per request, sent with different values
/// (`ActionModule`'s single-valued request headers).
fn header_error(headers: &HeaderMap) -> Option<ServiceError> {
    let mut values = headers.get_all(X_OPAQUE_ID).iter();
    let first = values.next()?;
    values
        .any(|other| other != first)
        .then(|| ServiceError::InvalidParameter("multiple values for single-valued header [X-Opaque-Id].".to_string()))
}

/// Elasticsearch's error for a percent-escape it cannot decode: in the query
/// string a `bad_parameter_exception`, in the path an
/// `illegal_argument_exception` (`RestUtils.decodeComponent`).
fn encoding_error(uri: &http::Uri) -> Option<ServiceError> {
    // Each name and value is decoded on its own (`RestUtils.decodeQueryString`).
    let components =
        uri.query().into_iter().flat_map(|query| query.split('&')).flat_map(|pair| match pair.split_once('=') {
            Some((name, value)) => [name, value],
            None => [pair, ""],
        });
    if let Some(message) = components.map(check_escapes).find_map(Result::err) {
        return Some(ServiceError::BadParameter(message));
    }
    check_escapes(uri.path()).err().map(ServiceError::InvalidParameter)
}

/// Whether every `%` of `text` starts a valid escape, with
/// `RestUtils.decodeComponent`'s message for the first that does not.
pub fn check_escapes(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'%', &bytes[i..]) {
        let at = i + offset;
        match (bytes.get(at + 1), bytes.get(at + 2)) {
            // `%%` is a literal `%`.
            (Some(b'%'), _) => i = at + 2,
            (None, _) => return Err(format!("unterminated escape sequence at end of string: {text}")),
            (Some(_), None) => return Err(format!("partial escape sequence at end of string: {text}")),
            (Some(&high), Some(&low)) if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => i = at + 3,
            (Some(&high), Some(&low)) => {
                let escape = format!("%{}{}", high as char, low as char);
                return Err(format!("invalid escape sequence `{escape}' at index {at} of: {text}"));
            }
        }
    }
    Ok(())
}

/// An answer of the `{"error": "...", ["status": N]}` shape Elasticsearch
/// gives requests no handler took.
fn simple_error(status: StatusCode, body: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .header(X_ELASTIC_PRODUCT, "Elasticsearch")
        .body(Body::from(body.to_string()))
        .expect("a valid response")
}

fn render(error: EsError) -> Response<Body> {
    error_response(error, &ResponseFormat::default()).unwrap_or_else(|error| {
        tracing::error!(error = %error.internal_message, "cannot render an error");
        Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body(Body::empty()).expect("a valid response")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_elasticsearch_decodes_them() {
        assert_eq!(check_escapes("/a%20b%%c"), Ok(()));
        assert_eq!(check_escapes("%"), Err("unterminated escape sequence at end of string: %".to_string()));
        assert_eq!(check_escapes("a=%4"), Err("partial escape sequence at end of string: a=%4".to_string()));
        assert_eq!(check_escapes("/%zz"), Err("invalid escape sequence `%zz' at index 1 of: /%zz".to_string()));
    }

    #[test]
    fn distinct_opaque_ids_are_refused_and_repeats_are_not() {
        let mut headers = HeaderMap::new();
        headers.append(X_OPAQUE_ID, HeaderValue::from_static("a"));
        headers.append(X_OPAQUE_ID, HeaderValue::from_static("a"));
        assert!(header_error(&headers).is_none());
        headers.append(X_OPAQUE_ID, HeaderValue::from_static("b"));
        assert!(header_error(&headers).is_some());
    }
}
