//! Which nodes belong to the cluster.
//!
//! Members are found from `discovery.seed_hosts` and from each other: every
//! second a node introduces itself to the seeds and to the members it knows
//! (`POST /_transport/handshake`), and learns the members they know, so seed
//! lists may name only some nodes. A node of another `cluster.name` is
//! refused on both sides. A node that joined stays a member while it is down,
//! so that cluster-wide calls report it as failed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use es_tokens_transport_client::Client as TransportClient;
use es_tokens_transport_client::channel::{CONNECT_TIMEOUT, Channel};
use es_tokens_types::{HandshakeRequest, HandshakeResponse, NodeInfo};
use parking_lot::{Mutex, RwLock};

use crate::cluster::CLUSTER_NAME_SETTING;
use crate::cluster::fan_out::NODE_TIMEOUT_SETTING;
use crate::common::background_task::BackgroundTask;
use crate::config::{Setting, Settings, values};
use crate::error::ServiceError;

/// Where to look for the other members
/// (`DiscoveryModule.DISCOVERY_SEED_HOSTS_SETTING`).
pub const SEED_HOSTS_SETTING: Setting<Vec<String>> = Setting::new(
    "discovery.seed_hosts",
    "",
    values::list,
    "transport addresses (host:port, comma-separated or a YAML list) of other nodes of the cluster",
);

/// How often a node introduces itself to the others.
const DISCOVERY_INTERVAL: Duration = Duration::from_secs(1);
/// How long a handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(3);

/// The nodes of this node's cluster.
pub struct Cluster {
    name: String,
    /// This node; its transport address is known once the port is bound.
    local: RwLock<NodeInfo>,
    seeds: Vec<String>,
    /// Other members by node id.
    pub(super) members: RwLock<BTreeMap<String, NodeInfo>>,
    /// The way to each seed and member's transport address, kept so that
    /// its connections are reused.
    channels: Mutex<HashMap<String, Arc<Channel>>>,
    /// The cluster's shared secret, presented on every call.
    secret: Option<String>,
    /// Carries the calls a channel cannot.
    http: reqwest::Client,
    /// How long a cluster-wide call waits for one node.
    pub(super) node_timeout: Duration,
    /// Numbers the node requests of cluster-wide calls, for their messages.
    pub(super) request_ids: AtomicU64,
}

impl Cluster {
    /// The cluster as this node starts it: only itself, plus the seeds its
    /// settings name. `secret` is presented on every call to another node.
    pub fn new(settings: &Settings, local: NodeInfo, secret: Option<&str>) -> Self {
        // No proxy: the channels never use one, and a call must not take the
        // secret anywhere but to the node.
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .http1_only()
            .tcp_nodelay(true)
            .build()
            .expect("a reqwest client builds");
        Cluster {
            name: CLUSTER_NAME_SETTING.get(settings),
            local: RwLock::new(local),
            seeds: SEED_HOSTS_SETTING.get(settings),
            members: RwLock::new(BTreeMap::new()),
            channels: Mutex::new(HashMap::new()),
            secret: secret.map(str::to_string),
            http,
            node_timeout: NODE_TIMEOUT_SETTING.get(settings),
            request_ids: AtomicU64::new(0),
        }
    }

    /// This node.
    pub fn local(&self) -> NodeInfo {
        self.local.read().clone()
    }

    /// Records where this node's transport API listens, once bound.
    pub fn set_transport_address(&self, address: std::net::SocketAddr) {
        self.local.write().transport_address = address.to_string();
    }

    /// Answers another node's handshake: a member of the same cluster is
    /// added, any other node refused.
    pub fn accept_handshake(&self, request: HandshakeRequest) -> Result<HandshakeResponse, ServiceError> {
        if request.cluster_name != self.name {
            tracing::warn!(
                "handshake with [{}][{}] failed: remote cluster name [{}] does not match local cluster name [{}]",
                request.node.node_name,
                request.node.transport_address,
                request.cluster_name,
                self.name
            );
            return Err(ServiceError::ClusterMismatch { remote: request.cluster_name, local: self.name.clone() });
        }
        self.add(request.node);
        Ok(HandshakeResponse {
            cluster_name: self.name.clone(),
            node: self.local(),
            members: self.members.read().values().cloned().collect(),
        })
    }

    /// Keeps introducing this node to the seeds and members, every second.
    pub fn start_discovery(self: &Arc<Self>) -> BackgroundTask {
        let cluster = Arc::clone(self);
        BackgroundTask::spawn(async move {
            loop {
                cluster.discover().await;
                tokio::time::sleep(DISCOVERY_INTERVAL).await;
            }
        })
    }

    /// One round of handshakes with every seed and known member.
    pub async fn discover(&self) {
        let mut addresses: Vec<String> = self.seeds.clone();
        addresses.extend(self.members.read().values().map(|m| m.transport_address.clone()));
        addresses.sort();
        addresses.dedup();
        let local = self.local();
        addresses.retain(|address| *address != local.transport_address);
        // Addresses no longer called (a member that came back elsewhere)
        // close their connections.
        self.channels.lock().retain(|address, _| addresses.binary_search(address).is_ok());
        let request = HandshakeRequest { cluster_name: self.name.clone(), node: local };
        let handshakes = addresses.iter().map(|address| {
            let client = self.client(address);
            let request = request.clone();
            async move { (address, tokio::time::timeout(HANDSHAKE_TIMEOUT, client.handshake(&request)).await) }
        });
        for (address, outcome) in futures::future::join_all(handshakes).await {
            match outcome {
                Ok(Ok(response)) => {
                    let response = response.into_inner();
                    if response.cluster_name != self.name {
                        tracing::warn!(
                            "handshake with [{address}] failed: remote cluster name [{}] does not match local \
                             cluster name [{}]",
                            response.cluster_name,
                            self.name
                        );
                        continue;
                    }
                    self.add(response.node);
                    for member in response.members {
                        self.add(member);
                    }
                }
                Ok(Err(error)) => tracing::debug!(%address, %error, "handshake failed"),
                Err(_) => tracing::debug!(%address, "handshake timed out"),
            }
        }
    }

    fn add(&self, node: NodeInfo) {
        // Not this node, under its id or under an old one at its address.
        let local = self.local();
        if node.node_id == local.node_id || node.transport_address == local.transport_address {
            return;
        }
        let mut members = self.members.write();
        if members.get(&node.node_id) == Some(&node) {
            return;
        }
        // One address hosts one node: a node that came back with a new
        // identity replaces the old one.
        members.retain(|id, member| *id == node.node_id || member.transport_address != node.transport_address);
        tracing::info!(node_id = %node.node_id, node_name = %node.node_name, address = %node.transport_address, "node joined");
        members.insert(node.node_id.clone(), node);
    }

    /// A client of the node-to-node API at `address`.
    pub fn client(&self, address: &str) -> TransportClient {
        let mut channels = self.channels.lock();
        let channel = match channels.get(address) {
            Some(channel) => Arc::clone(channel),
            None => {
                let channel = Arc::new(Channel::new(address, self.secret.as_deref()));
                channels.insert(address.to_string(), Arc::clone(&channel));
                channel
            }
        };
        drop(channels);
        TransportClient::over(channel, self.http.clone())
    }
}
