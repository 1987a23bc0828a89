//! A running node: settings in, the HTTP API and the node-to-node API out.

pub mod context;
pub mod data_path;

use std::net::SocketAddr;
use std::sync::Arc;

use dropshot::HttpServer;
use es_tokens_types::transport::NodeInfo;

pub use context::{NodeContext, NodeIdentity};

use crate::cluster::CLUSTER_NAME_SETTING;
use crate::cluster::membership::{Cluster, SEED_HOSTS_SETTING};
use crate::cluster::transport::{self, SecretError};
use crate::common::background_task::BackgroundTask;
use crate::common::server::BindError;
use crate::config::environment::PATH_DATA_SETTING;
use crate::config::{Setting, Settings, values};
use crate::http;
use crate::node::data_path::{DataPath, DataPathError};
use crate::observability::metrics::Metrics;
use crate::security::{SecureSettings, Security, SecurityError};

/// The node's name (`Node.NODE_NAME_SETTING`).
pub const NODE_NAME_SETTING: Setting<String> = Setting::derived(
    "node.name",
    "<host name>",
    |_| default_node_name(),
    values::non_blank,
    "name of this node, shown in responses",
);

fn default_node_name() -> String {
    hostname::get().map(|name| name.to_string_lossy().into_owned()).unwrap_or_else(|_| "localhost".to_string())
}

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// `path.data` cannot be used.
    #[error(transparent)]
    DataPath(#[from] DataPathError),
    /// Security could not start.
    #[error(transparent)]
    Security(#[from] SecurityError),
    /// A server could not bind its address.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// `transport.shared_secret_file` cannot be read.
    #[error(transparent)]
    Secret(#[from] SecretError),
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
    pub async fn start(settings: Settings, secure: SecureSettings) -> Result<Node, NodeError> {
        let data_path = DataPath::lock(&PATH_DATA_SETTING.get(&settings))?;
        let metadata = data_path.node_metadata()?;
        let transport_secret = transport::read_secret(&settings)?;
        let metrics = Metrics::new();
        let security = Security::start(&settings, secure, &metrics, &metadata.node_id).await?;
        let identity = NodeIdentity {
            node_id: metadata.node_id,
            node_name: NODE_NAME_SETTING.get(&settings),
            cluster_name: CLUSTER_NAME_SETTING.get(&settings),
        };
        if !SEED_HOSTS_SETTING.get(&settings).is_empty() && transport_secret.is_none() {
            tracing::warn!(
                "[discovery.seed_hosts] is set but [transport.shared_secret_file] is not: no node will accept this one"
            );
        }
        let local = NodeInfo {
            node_id: identity.node_id.clone(),
            node_name: identity.node_name.clone(),
            transport_address: String::new(),
        };
        let cluster = Arc::new(Cluster::new(&settings, local, transport_secret.as_deref()));
        let context =
            Arc::new(NodeContext { identity, security, metrics, cluster: Arc::clone(&cluster), transport_secret });
        let (transport_server, published) = transport::start_server(&settings, &context)?;
        cluster.set_transport_address(published);
        let http = http::start_server(&settings, &context)?;
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

    /// Where the node-to-node API listens.
    pub fn transport_address(&self) -> SocketAddr {
        self.transport.local_addr()
    }

    /// The node's state, for the test hooks.
    pub(crate) fn context(&self) -> &NodeContext {
        &self.context
    }

    /// Stops serving, letting requests in flight finish.
    pub async fn stop(self) {
        let Node { http, transport, context, _discovery, .. } = self;
        drop(_discovery);
        for server in [http, transport] {
            if let Err(message) = server.close().await {
                tracing::warn!(%message, "a server did not stop cleanly");
            }
        }
        context.security.stop().await;
        tracing::info!("node stopped");
    }
}
