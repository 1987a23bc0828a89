//! Responses as Elasticsearch sends them.

use dropshot::{ApiEndpointResponse, Body, HttpError, HttpResponse, HttpResponseHeaders, HttpResponseOk};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Response, StatusCode};
use schemars::JsonSchema;
use schemars::schema::Schema;
use serde::Serialize;

use crate::EsError;
use crate::pretty::to_vec_pretty;

/// The header every Elasticsearch response carries. The official clients
/// refuse a 2xx response without it; its value is case-sensitive.
pub const X_ELASTIC_PRODUCT: &str = "x-elastic-product";
const ELASTICSEARCH: &str = "Elasticsearch";
const APPLICATION_JSON: &str = "application/json";

/// The answer of an endpoint: a body of type `T` with status 200, or an
/// Elasticsearch error.
///
/// Why errors travel in here rather than in the handler's `Err` arm: dropshot
/// renders a handler's error type from its body alone, with no way to add
/// response headers, but Elasticsearch sends `X-Elastic-Product` on every
/// response and `WWW-Authenticate` on every 401. So handlers answer
/// `Ok(EsReply)` for every outcome they produce themselves, and the `Err` arm
/// carries only what dropshot produces before a handler runs (extractor
/// failures); it also gives the document its 4XX/5XX error schema.
pub struct EsReply<T> {
    outcome: Result<T, EsError>,
    format: ResponseFormat,
    /// The status of a body reply: 200, except where Elasticsearch answers a
    /// body with another status (`{"found":false}` with 404).
    status: StatusCode,
}

/// How a response is rendered, as negotiated from the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseFormat {
    /// Pretty-print as Elasticsearch does (`?pretty`).
    pub pretty: bool,
    /// The `Content-Type` to answer with: `application/json`, or the
    /// compatible-with media type the client asked for.
    pub content_type: String,
}

impl Default for ResponseFormat {
    fn default() -> Self {
        ResponseFormat { pretty: false, content_type: APPLICATION_JSON.to_string() }
    }
}

impl<T> EsReply<T> {
    /// Renders `outcome` in `format`.
    pub fn new<E: Into<EsError>>(outcome: Result<T, E>, format: ResponseFormat) -> Self {
        EsReply { outcome: outcome.map_err(Into::into), format, status: StatusCode::OK }
    }

    /// Sends a body with `status` instead of 200; errors keep their own.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

/// The answer to a `HEAD` request: the status and headers of the matching
/// `GET`, including its `Content-Length`, and no body, as Elasticsearch
/// answers it.
pub struct Head {
    outcome: Result<usize, EsError>,
    format: ResponseFormat,
}

impl Head {
    /// The head of the response the matching `GET` would give, rendered in
    /// `format`.
    pub fn new<T: Serialize, E: Into<EsError>>(outcome: Result<T, E>, format: ResponseFormat) -> Self {
        let outcome = match outcome {
            Ok(body) => json_bytes(&body, format.pretty).map(|bytes| bytes.len()).map_err(EsError::from),
            Err(error) => Err(error.into()),
        };
        Head { outcome, format }
    }
}

/// The headers every response documents.
#[derive(Serialize, JsonSchema)]
struct ElasticHeaders {
    /// Always `Elasticsearch`; the official clients refuse a response without
    /// it.
    #[serde(rename = "X-Elastic-Product")]
    x_elastic_product: String,
}

/// The schema of "no content": dropshot documents a `false` schema as a
/// response without a body.
#[derive(Serialize)]
struct NoContent;

impl JsonSchema for NoContent {
    fn schema_name() -> String {
        "NoContent".to_string()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> Schema {
        Schema::Bool(false)
    }
}

/// 200, or the error's status.
fn status_of<T>(outcome: &Result<T, EsError>) -> StatusCode {
    match outcome {
        Ok(_) => StatusCode::OK,
        Err(error) => error.status().as_status(),
    }
}

fn json_bytes<T: Serialize>(value: &T, pretty: bool) -> Result<Vec<u8>, HttpError> {
    let bytes = if pretty { to_vec_pretty(value) } else { serde_json::to_vec(value) };
    bytes.map_err(|e| HttpError::for_internal_error(format!("cannot serialize the response: {e}")))
}

fn es_response(status: StatusCode, format: &ResponseFormat) -> http::response::Builder {
    let builder = Response::builder().status(status).header(CONTENT_TYPE, format.content_type.as_str());
    // Elasticsearch removes the product header from 401 and 403 responses
    // (`RestResponse#filterHeaders`), so as not to tell unauthenticated
    // callers what they talk to.
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        builder
    } else {
        builder.header(X_ELASTIC_PRODUCT, ELASTICSEARCH)
    }
}

/// `error` as Elasticsearch sends it, in `format`: its status, body and
/// headers (`WWW-Authenticate` on a 401; `X-Elastic-Product` but on 401 and
/// 403). For answers made outside an endpoint, such as the server's own
/// refusals of requests no endpoint takes.
pub fn error_response(error: EsError, format: &ResponseFormat) -> Result<Response<Body>, HttpError> {
    let mut builder = es_response(error.status().as_status(), format);
    if let Some(headers) = error.body().and_then(|body| body.error.header.as_ref()) {
        for (name, values) in headers {
            let name = HeaderName::try_from(name.as_str())
                .map_err(|e| HttpError::for_internal_error(format!("bad error header name {name:?}: {e}")))?;
            for value in values {
                let value = HeaderValue::try_from(value.as_str())
                    .map_err(|e| HttpError::for_internal_error(format!("bad value for error header {name}: {e}")))?;
                builder = builder.header(&name, value);
            }
        }
    }
    Ok(builder.body(json_bytes(&error, format.pretty)?.into())?)
}

impl<T: Serialize + JsonSchema + Send + Sync + 'static> HttpResponse for EsReply<T> {
    fn to_result(self) -> Result<Response<Body>, HttpError> {
        match self.outcome {
            Ok(body) => Ok(es_response(self.status, &self.format).body(json_bytes(&body, self.format.pretty)?.into())?),
            Err(error) => error_response(error, &self.format),
        }
    }

    fn response_metadata() -> ApiEndpointResponse {
        // dropshot does not export the pieces to describe a response from
        // scratch; its own typed response describes exactly what we send.
        <HttpResponseHeaders<HttpResponseOk<T>, ElasticHeaders> as HttpResponse>::response_metadata()
    }

    fn status_code(&self) -> StatusCode {
        match &self.outcome {
            Ok(_) => self.status,
            Err(error) => error.status().as_status(),
        }
    }
}

impl HttpResponse for Head {
    fn to_result(self) -> Result<Response<Body>, HttpError> {
        match self.outcome {
            Ok(length) => {
                Ok(es_response(StatusCode::OK, &self.format).header(CONTENT_LENGTH, length).body(Body::empty())?)
            }
            Err(error) => {
                let length = json_bytes(&error, self.format.pretty)?.len();
                let mut response = error_response(error, &self.format)?;
                response.headers_mut().insert(CONTENT_LENGTH, length.into());
                *response.body_mut() = Body::empty();
                Ok(response)
            }
        }
    }

    fn response_metadata() -> ApiEndpointResponse {
        <HttpResponseHeaders<HttpResponseOk<NoContent>, ElasticHeaders> as HttpResponse>::response_metadata()
    }

    fn status_code(&self) -> StatusCode {
        status_of(&self.outcome)
    }
}

/// Metrics in the Prometheus text exposition format, version 0.0.4, or an
/// Elasticsearch error.
pub struct PrometheusText {
    outcome: Result<String, EsError>,
    format: ResponseFormat,
}

impl PrometheusText {
    /// The exposition `outcome`; errors are rendered in `format`.
    pub fn new<E: Into<EsError>>(outcome: Result<String, E>, format: ResponseFormat) -> Self {
        PrometheusText { outcome: outcome.map_err(Into::into), format }
    }
}

impl HttpResponse for PrometheusText {
    fn to_result(self) -> Result<Response<Body>, HttpError> {
        match self.outcome {
            Ok(text) => Ok(Response::builder()
                .status(StatusCode::OK)
                .header(X_ELASTIC_PRODUCT, ELASTICSEARCH)
                .header(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .body(text.into())?),
            Err(error) => error_response(error, &self.format),
        }
    }

    fn response_metadata() -> ApiEndpointResponse {
        // No schema: dropshot documents the response as free-form (`*/*`),
        // which is what a text exposition is to an OpenAPI client.
        ApiEndpointResponse {
            description: Some("Prometheus text exposition format 0.0.4".to_string()),
            ..Default::default()
        }
    }

    fn status_code(&self) -> StatusCode {
        status_of(&self.outcome)
    }
}
