//! The HTTP API (Elasticsearch's `rest` layer): the server, the handlers,
//! how a request is read, and the one place errors become Elasticsearch's
//! error bodies.

pub mod error;
pub mod handlers;
pub mod rest_controller;
pub mod rest_request;
pub mod routes;
pub mod to_completion;

use std::sync::Arc;

use std::time::Duration;

use dropshot::{HttpServer, PathSegments};
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
    "9200-9300",
    values::port_range,
    "port of the HTTP API, or a range (9200-9300) to take the first free one; 0 picks any free port",
);

/// How long a connection may be silent before the node closes it
/// (`HttpTransportSettings.SETTING_HTTP_READ_TIMEOUT`); 0, the default, for
/// never, so idle keep-alive connections stay open as Elasticsearch keeps
/// them. The node measures it while it waits for a request's head.
pub const HTTP_READ_TIMEOUT_SETTING: Setting<Duration> = Setting::new(
    "http.read_timeout",
    "0s",
    values::non_negative_time,
    "how long a connection may wait to send a request before the node closes it; 0 for no limit",
);

/// The longest request line the HTTP API reads
/// (`HttpTransportSettings.SETTING_HTTP_MAX_INITIAL_LINE_LENGTH`): it also
/// bounds the work one request's path can ask for (a clear of thousands of
/// token names).
pub const HTTP_MAX_INITIAL_LINE_LENGTH_SETTING: Setting<u64> = Setting::new(
    "http.max_initial_line_length",
    "4kb",
    values::byte_size,
    "the longest request line (method, URI and version) the HTTP API reads; a longer one is refused with 400",
);

/// The largest request body the HTTP API reads
/// (`HttpTransportSettings.SETTING_HTTP_MAX_CONTENT_LENGTH`).
pub const HTTP_MAX_CONTENT_LENGTH_SETTING: Setting<u64> = Setting::new(
    "http.max_content_length",
    "100mb",
    values::byte_size,
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
    let read_timeout = Some(HTTP_READ_TIMEOUT_SETTING.get(settings)).filter(|timeout| !timeout.is_zero());
    let controller = Arc::new(rest_controller::RestController::new(
        routes::elasticsearch(),
        HTTP_MAX_CONTENT_LENGTH_SETTING.get(settings),
        HTTP_MAX_INITIAL_LINE_LENGTH_SETTING.get(settings),
    ));
    serve(
        bind,
        context,
        || elasticsearch_api_mod::api_description::<handlers::NodeApi>().expect("the API trait describes a valid API"),
        |builder| {
            builder
                .middleware(controller.clone())
                .path_segments(PathSegments::Elasticsearch)
                .http1_header_read_timeout(read_timeout)
        },
    )
}
