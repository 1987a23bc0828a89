//! The HTTP API (Elasticsearch's `rest` layer): the server, the handlers,
//! how a request is read, and the one place errors become Elasticsearch's
//! error bodies.

pub mod error;
pub mod handlers;
pub mod rest_request;

use std::sync::Arc;

use dropshot::HttpServer;
use es_tokens_api::elasticsearch_api_mod;

use crate::common::server::{Bind, BindError, serve};
use crate::config::{PortRange, Setting, Settings, values};
use crate::node::NodeContext;

/// The address the HTTP API binds to.
pub const HTTP_HOST_SETTING: Setting<String> =
    Setting::new("http.host", "127.0.0.1", values::non_blank, "address the HTTP API binds to");

/// The port, or ports, of the HTTP API.
pub const HTTP_PORT_SETTING: Setting<PortRange> = Setting::new(
    "http.port",
    "9200",
    values::port_range,
    "port of the HTTP API, or a range (9200-9300) to take the first free one; 0 picks any free port",
);

/// The largest request body the HTTP API reads
/// (`HttpTransportSettings.SETTING_HTTP_MAX_CONTENT_LENGTH`).
pub const HTTP_MAX_CONTENT_LENGTH_SETTING: Setting<u64> = Setting::new(
    "http.max_content_length",
    "104857600",
    values::non_negative_int,
    "the largest request body the HTTP API reads, in bytes; a larger one is refused with 413",
);

/// Serves the HTTP API on `http.host`:`http.port`.
pub fn start_server(
    settings: &Settings,
    context: &Arc<NodeContext>,
) -> Result<HttpServer<Arc<NodeContext>>, BindError> {
    let host = HTTP_HOST_SETTING.get(settings);
    let max_body_bytes = usize::try_from(HTTP_MAX_CONTENT_LENGTH_SETTING.get(settings)).unwrap_or(usize::MAX);
    let bind = Bind { what: "HTTP", host: &host, ports: HTTP_PORT_SETTING.get(settings), max_body_bytes };
    serve(bind, context, || {
        elasticsearch_api_mod::api_description::<handlers::NodeApi>().expect("the API trait describes a valid API")
    })
}
