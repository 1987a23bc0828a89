//! A running node: settings in, HTTP API out.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use dropshot::{BuildError, ConfigDropshot, HandlerTaskMode, HttpServer, ServerBuilder};
use es_tokens_api::elasticsearch_api_mod;

use crate::context::{NodeContext, NodeIdentity};
use crate::data_path::{DataPath, DataPathError};
use crate::http_api::NodeApi;
use crate::logging;
use crate::metrics::Metrics;
use crate::security::{Security, SecurityError};
use crate::settings::Settings;

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// `path.data` cannot be used.
    #[error(transparent)]
    DataPath(#[from] DataPathError),
    /// Security could not start.
    #[error(transparent)]
    Security(#[from] SecurityError),
    /// `http.host` does not name an address of this machine.
    #[error("failed to resolve host [{host}]: {message}")]
    Host { host: String, message: String },
    /// No port of `http.port` could be bound.
    #[error("failed to bind HTTP to [{host}:{ports}]: {message}")]
    Bind { host: String, ports: String, message: String },
}

/// A started node. Dropping it stops it (abruptly); [`Node::stop`] stops it
/// gracefully.
pub struct Node {
    server: HttpServer<Arc<NodeContext>>,
    context: Arc<NodeContext>,
    _data_path: DataPath,
}

impl Node {
    /// Starts a node: locks `path.data`, loads or creates its identity, and
    /// serves the HTTP API on `http.host`:`http.port`.
    pub async fn start(settings: Settings) -> Result<Node, NodeError> {
        let data_path = DataPath::lock(&settings.path_data)?;
        let metadata = data_path.node_metadata()?;
        let metrics = Metrics::new();
        let security = Security::start(&settings, &metrics).await?;
        let identity = NodeIdentity {
            node_id: metadata.node_id,
            node_name: settings.node_name.clone(),
            cluster_name: settings.cluster_name.clone(),
            cluster_uuid: metadata.cluster_uuid,
        };
        let context = Arc::new(NodeContext { identity, security, metrics });
        let server = serve_http(&settings, &context)?;
        let identity = &context.identity;
        tracing::info!(
            node_id = %identity.node_id,
            node_name = %identity.node_name,
            cluster_name = %identity.cluster_name,
            address = %server.local_addr(),
            "node started"
        );
        Ok(Node { server, context, _data_path: data_path })
    }

    /// Where the HTTP API listens.
    pub fn http_address(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// The node's state, for in-process inspection (tests, benchmarks).
    pub fn context(&self) -> &Arc<NodeContext> {
        &self.context
    }

    /// Stops serving, letting requests in flight finish.
    pub async fn stop(self) {
        if let Err(message) = self.server.close().await {
            tracing::warn!(%message, "HTTP server did not stop cleanly");
        }
        tracing::info!("node stopped");
    }
}

/// Binds the first free port of `http.port` and starts the HTTP server.
fn serve_http(settings: &Settings, context: &Arc<NodeContext>) -> Result<HttpServer<Arc<NodeContext>>, NodeError> {
    let ip = resolve_host(&settings.http_host)?;
    let mut last_error = String::from("empty port range");
    for port in settings.http_port.ports() {
        let config = ConfigDropshot {
            bind_address: SocketAddr::new(ip, port),
            // Handlers run in their connection's task (a third more requests
            // per second than a task per request); writes that must finish
            // spawn their own (`http_api::to_completion`).
            default_handler_task_mode: HandlerTaskMode::CancelOnDisconnect,
            ..ConfigDropshot::default()
        };
        let api = elasticsearch_api_mod::api_description::<NodeApi>().expect("the API trait describes a valid API");
        match ServerBuilder::new(api, Arc::clone(context), logging::dropshot_logger()).config(config).start() {
            Ok(server) => return Ok(server),
            Err(BuildError::BindError { error, .. }) if error.kind() == std::io::ErrorKind::AddrInUse => {
                last_error = error.to_string();
            }
            Err(error) => {
                return Err(NodeError::Bind {
                    host: settings.http_host.clone(),
                    ports: settings.http_port.to_string(),
                    message: error_chain(&error),
                });
            }
        }
    }
    Err(NodeError::Bind {
        host: settings.http_host.clone(),
        ports: settings.http_port.to_string(),
        message: last_error,
    })
}

/// `http.host` as an address: an IP, `localhost`/`_local_`, or a host name.
fn resolve_host(host: &str) -> Result<IpAddr, NodeError> {
    match host {
        "_local_" | "localhost" => return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        _ => {}
    }
    if let Ok(ip) = host.parse() {
        return Ok(ip);
    }
    let error = |message: String| NodeError::Host { host: host.to_string(), message };
    (host, 0)
        .to_socket_addrs()
        .map_err(|e| error(e.to_string()))?
        .next()
        .map(|addr| addr.ip())
        .ok_or_else(|| error("no address".to_string()))
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
