//! A running node: settings in, HTTP API and node-to-node API out.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;

use dropshot::{ApiDescription, BuildError, ConfigDropshot, HandlerTaskMode, HttpServer, ServerBuilder};
use es_tokens_api::elasticsearch_api_mod;
use es_tokens_transport_api::transport_api_mod;
use es_tokens_types::NodeInfo;

use crate::background_task::BackgroundTask;
use crate::cluster::Cluster;
use crate::context::{NodeContext, NodeIdentity};
use crate::data_path::{DataPath, DataPathError};
use crate::error::error_chain;
use crate::http_api::NodeApi;
use crate::logging;
use crate::metrics::Metrics;
use crate::security::{Security, SecurityError};
use crate::settings::{PortRange, Settings};
use crate::transport::TransportNode;

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// `path.data` cannot be used.
    #[error(transparent)]
    DataPath(#[from] DataPathError),
    /// Security could not start.
    #[error(transparent)]
    Security(#[from] SecurityError),
    /// `http.host` or `transport.host` does not name an address of this
    /// machine.
    #[error("failed to resolve host [{host}]: {message}")]
    Host { host: String, message: String },
    /// No port of the range could be bound.
    #[error("failed to bind {what} to [{host}:{ports}]: {message}")]
    Bind { what: &'static str, host: String, ports: String, message: String },
    /// `transport.shared_secret_file` cannot be read.
    #[error("failed to read [transport.shared_secret_file] [{path}]: {message}")]
    Secret { path: PathBuf, message: String },
}

/// A started node. Dropping it stops it (abruptly); [`Node::stop`] stops it
/// gracefully.
pub struct Node {
    http: HttpServer<Arc<NodeContext>>,
    transport: HttpServer<Arc<NodeContext>>,
    context: Arc<NodeContext>,
    _discovery: BackgroundTask,
    _data_path: DataPath,
}

impl Node {
    /// Starts a node: locks `path.data`, loads or creates its identity,
    /// starts security, serves the node-to-node API on
    /// `transport.host`:`transport.port` and the HTTP API on
    /// `http.host`:`http.port`, and starts looking for the other members.
    pub async fn start(settings: Settings) -> Result<Node, NodeError> {
        let data_path = DataPath::lock(&settings.path_data)?;
        let metadata = data_path.node_metadata()?;
        let transport_secret = read_secret(&settings)?;
        let metrics = Metrics::new();
        let security = Security::start(&settings, &metrics).await?;
        let identity = NodeIdentity {
            node_id: metadata.node_id,
            node_name: settings.node_name.clone(),
            cluster_name: settings.cluster_name.clone(),
        };
        let transport = &settings.transport;
        if !transport.seed_hosts.is_empty() && transport_secret.is_none() {
            tracing::warn!(
                "[discovery.seed_hosts] is set but [transport.shared_secret_file] is not: no node will accept this one"
            );
        }
        let cluster = Arc::new(Cluster::new(
            settings.cluster_name.clone(),
            NodeInfo {
                node_id: identity.node_id.clone(),
                node_name: identity.node_name.clone(),
                transport_address: String::new(),
            },
            transport.seed_hosts.clone(),
            transport_secret.as_deref(),
            transport.node_timeout,
        ));
        let context =
            Arc::new(NodeContext { identity, security, metrics, cluster: Arc::clone(&cluster), transport_secret });
        let transport_server = serve("transport", &transport.host, transport.port, &context, || {
            transport_api_mod::api_description::<TransportNode>().expect("the transport API trait is valid")
        })?;
        cluster.set_transport_address(publish_address(&transport.publish_host, transport_server.local_addr())?);
        let http = serve("HTTP", &settings.http_host, settings.http_port, &context, || {
            elasticsearch_api_mod::api_description::<NodeApi>().expect("the API trait describes a valid API")
        })?;
        let discovery = cluster.start_discovery();
        let identity = &context.identity;
        tracing::info!(
            node_id = %identity.node_id,
            node_name = %identity.node_name,
            cluster_name = %identity.cluster_name,
            http_address = %http.local_addr(),
            transport_address = %cluster.local().transport_address,
            "node started"
        );
        Ok(Node { http, transport: transport_server, context, _discovery: discovery, _data_path: data_path })
    }

    /// Where the HTTP API listens.
    pub fn http_address(&self) -> SocketAddr {
        self.http.local_addr()
    }

    /// The node's state, for in-process inspection (tests, benchmarks).
    pub fn context(&self) -> &Arc<NodeContext> {
        &self.context
    }

    /// Stops serving, letting requests in flight finish.
    pub async fn stop(self) {
        let Node { http, transport, _discovery, .. } = self;
        drop(_discovery);
        for server in [http, transport] {
            if let Err(message) = server.close().await {
                tracing::warn!(%message, "a server did not stop cleanly");
            }
        }
        tracing::info!("node stopped");
    }
}

/// Where other nodes reach this one: `transport.publish_host` at the bound
/// port. A wildcard is no address to reach.
fn publish_address(publish_host: &str, bound: SocketAddr) -> Result<SocketAddr, NodeError> {
    let ip = resolve_host(publish_host)?;
    if ip.is_unspecified() {
        return Err(NodeError::Host {
            host: publish_host.to_string(),
            message: "a wildcard address cannot be published to other nodes; set [transport.publish_host]".to_string(),
        });
    }
    Ok(SocketAddr::new(ip, bound.port()))
}

/// Reads `transport.shared_secret_file`; no file, no secret.
fn read_secret(settings: &Settings) -> Result<Option<String>, NodeError> {
    let Some(path) = &settings.transport.shared_secret_file else { return Ok(None) };
    let error = |message: String| NodeError::Secret { path: path.clone(), message };
    let secret = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let secret = secret.trim().to_string();
    if secret.is_empty() {
        return Err(error("the file is empty".to_string()));
    }
    if http::HeaderValue::from_str(&format!("Bearer {secret}")).is_err() {
        return Err(error("the secret must be printable ASCII".to_string()));
    }
    Ok(Some(secret))
}

/// Binds the first free port of `ports` on `host` and serves `api` there.
fn serve(
    what: &'static str,
    host: &str,
    ports: PortRange,
    context: &Arc<NodeContext>,
    api: impl Fn() -> ApiDescription<Arc<NodeContext>>,
) -> Result<HttpServer<Arc<NodeContext>>, NodeError> {
    let ip = resolve_host(host)?;
    let bind_error =
        |message: String| NodeError::Bind { what, host: host.to_string(), ports: ports.to_string(), message };
    let mut last_error = String::from("empty port range");
    for port in ports.ports() {
        let config = ConfigDropshot {
            bind_address: SocketAddr::new(ip, port),
            // Handlers run in their connection's task (a third more requests
            // per second than a task per request); writes that must finish
            // spawn their own (`http_api::to_completion`).
            default_handler_task_mode: HandlerTaskMode::CancelOnDisconnect,
            ..ConfigDropshot::default()
        };
        match ServerBuilder::new(api(), Arc::clone(context), logging::dropshot_logger()).config(config).start() {
            Ok(server) => return Ok(server),
            Err(BuildError::BindError { error, .. }) if error.kind() == std::io::ErrorKind::AddrInUse => {
                last_error = error.to_string();
            }
            Err(error) => return Err(bind_error(error_chain(&error))),
        }
    }
    Err(bind_error(last_error))
}

/// A host setting as an address: an IP, `localhost`/`_local_`, or a host
/// name.
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
