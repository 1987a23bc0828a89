//! The HTTP API (Elasticsearch's `rest` layer): the server, the handlers,
//! how a request is read, and the one place errors become Elasticsearch's
//! error bodies.

pub mod error;
pub mod handlers;
pub mod rest_request;

use std::sync::Arc;

use dropshot::HttpServer;
use es_tokens_api::elasticsearch_api_mod;

use crate::common::server::{BindError, serve};
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

/// Serves the HTTP API on `http.host`:`http.port`.
pub fn start_server(
    settings: &Settings,
    context: &Arc<NodeContext>,
) -> Result<HttpServer<Arc<NodeContext>>, BindError> {
    serve("HTTP", &HTTP_HOST_SETTING.get(settings), HTTP_PORT_SETTING.get(settings), context, || {
        elasticsearch_api_mod::api_description::<handlers::NodeApi>().expect("the API trait describes a valid API")
    })
}
