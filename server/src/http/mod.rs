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

use dropshot::{ConnectionLimits, HttpServer, PathSegments};
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

/// How long a client may take to send a request's head, counted from when
/// it connects or from its request's first byte, so that connections that
/// send nothing or half a head cannot pile up; a body that stops arriving
/// for as long is answered 408 and its connection closed. Idle keep-alive
/// connections between requests are not limited by it (see
/// `http.read_timeout`).
/// Elasticsearch has no such setting; Netty holds such connections forever.
pub const HTTP_REQUEST_HEAD_TIMEOUT_SETTING: Setting<Duration> = Setting::new(
    "http.request_head_timeout",
    "30s",
    values::non_negative_time,
    "how long a client may take to send a request's head (from connecting or its first byte), or stay silent in a body; 0 for no limit",
);

/// How many HTTP connections may be open at once; one more is closed as
/// soon as it is accepted, so that clients cannot use up the descriptors
/// the node needs for its files and its index.
pub const HTTP_MAX_OPEN_CONNECTIONS_SETTING: Setting<MaxOpenConnections> = Setting::new(
    "http.max_open_connections",
    "auto",
    MaxOpenConnections::parse,
    "how many HTTP connections may be open at once: a number, -1 for no limit, or auto (3/4 of the open-file limit)",
);

/// `http.max_open_connections`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxOpenConnections {
    /// Three quarters of the process's open-file limit, leaving the rest
    /// for files, the index and node-to-node connections.
    Auto,
    /// No limit.
    Unlimited,
    /// At most this many.
    At(usize),
}

impl MaxOpenConnections {
    fn parse(key: &str, value: &str) -> Result<Self, crate::config::SettingsError> {
        match value.trim() {
            "auto" => Ok(MaxOpenConnections::Auto),
            "-1" => Ok(MaxOpenConnections::Unlimited),
            _ => {
                let count = values::int_at_least(key, value, 1)?;
                Ok(MaxOpenConnections::At(usize::try_from(count).unwrap_or(usize::MAX)))
            }
        }
    }

    /// The limit in connections, if any.
    fn resolve(self) -> Option<usize> {
        match self {
            MaxOpenConnections::Auto => open_file_limit().map(|limit| limit / 4 * 3),
            MaxOpenConnections::Unlimited => None,
            MaxOpenConnections::At(count) => Some(count),
        }
    }
}

/// The soft limit on open files (`/proc/self/limits`), if there is one.
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

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
    let request_head_timeout =
        Some(HTTP_REQUEST_HEAD_TIMEOUT_SETTING.get(settings)).filter(|timeout| !timeout.is_zero());
    let controller = Arc::new(rest_controller::RestController::new(
        routes::elasticsearch(),
        HTTP_MAX_CONTENT_LENGTH_SETTING.get(settings),
        HTTP_MAX_INITIAL_LINE_LENGTH_SETTING.get(settings),
        request_head_timeout,
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
                .connection_limits(ConnectionLimits {
                    max_open: HTTP_MAX_OPEN_CONNECTIONS_SETTING.get(settings).resolve(),
                    request_head_timeout,
                })
        },
    )
}
