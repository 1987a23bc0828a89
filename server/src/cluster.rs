//! The cluster: which nodes belong to it, and running an action on all of
//! them at once.
//!
//! Members are found from `discovery.seed_hosts` and from each other: every
//! second a node introduces itself to the seeds and to the members it knows
//! (`POST /_transport/handshake`), and learns the members they know, so seed
//! lists may name only some nodes. A node of another `cluster.name` is
//! refused on both sides. A node that joined stays a member while it is down,
//! so that cluster-wide calls report it as failed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use es_tokens_transport_client::Client as TransportClient;
use es_tokens_transport_client::channel::{CONNECT_TIMEOUT, Channel};
use es_tokens_types::{ErrorCause, ErrorResponse, HandshakeRequest, HandshakeResponse, NodeInfo, NodeStatistics};
use parking_lot::{Mutex, RwLock};

use crate::background_task::BackgroundTask;
use crate::error::{ServiceError, innermost};

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
    members: RwLock<BTreeMap<String, NodeInfo>>,
    /// The way to each seed and member's transport address, kept so that
    /// its connections are reused.
    channels: Mutex<HashMap<String, Arc<Channel>>>,
    /// The cluster's shared secret, presented on every call.
    secret: Option<String>,
    /// Carries the calls a channel cannot.
    http: reqwest::Client,
    node_timeout: Duration,
    request_ids: AtomicU64,
}

/// What every node answered, or why it did not.
pub struct NodesOutcome<T> {
    /// The answers of the nodes that answered; each names its node.
    pub answers: Vec<T>,
    /// One `failed_node_exception` per node that did not.
    pub failures: Vec<ErrorCause>,
}

impl<T> NodesOutcome<T> {
    /// The `_nodes` header of a nodes response.
    pub fn header(&self) -> NodeStatistics {
        NodeStatistics {
            total: (self.answers.len() + self.failures.len()) as u32,
            successful: self.answers.len() as u32,
            failed: self.failures.len() as u32,
            failures: (!self.failures.is_empty()).then(|| self.failures.clone()),
        }
    }
}

/// Why a remote node did not answer an action.
pub type RemoteError = es_tokens_transport_client::Error<ErrorResponse>;

impl Cluster {
    /// The cluster as this node starts it: only itself, plus the seeds to ask.
    /// `secret` is presented on every call to another node.
    pub fn new(
        name: String,
        local: NodeInfo,
        seeds: Vec<String>,
        secret: Option<&str>,
        node_timeout: Duration,
    ) -> Self {
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
            name,
            local: RwLock::new(local),
            seeds,
            members: RwLock::new(BTreeMap::new()),
            channels: Mutex::new(HashMap::new()),
            secret: secret.map(str::to_string),
            http,
            node_timeout,
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

    /// Runs an action on every member at once: `local` on this node,
    /// `remote` (a call of the node-to-node API) on the others, each given
    /// `transport.node_timeout` to answer. Nodes that are down fail at once,
    /// hung ones after the timeout; the others are unaffected.
    pub async fn fan_out<T, Fut>(
        &self,
        action: &str,
        local: impl FnOnce() -> T,
        remote: impl Fn(TransportClient) -> Fut,
    ) -> NodesOutcome<T>
    where
        Fut: Future<Output = Result<T, RemoteError>>,
    {
        let members: Vec<NodeInfo> = self.members.read().values().cloned().collect();
        let calls = members.into_iter().map(|member| {
            let call = remote(self.client(&member.transport_address));
            let request_id = self.request_ids.fetch_add(1, Ordering::Relaxed);
            async move {
                let outcome = match tokio::time::timeout(self.node_timeout, call).await {
                    Ok(Ok(answer)) => Ok(answer),
                    Ok(Err(error)) => Err(remote_cause(&member, &error)),
                    Err(_) => Err(ErrorCause::new(
                        "receive_timeout_transport_exception",
                        format!(
                            "[{}][{}][{action}[n]] request_id [{request_id}] timed out after [{}ms]",
                            member.node_name,
                            member.transport_address,
                            self.node_timeout.as_millis()
                        ),
                    )),
                };
                (member, outcome)
            }
        });
        let mut answers = vec![local()];
        let mut failures = Vec::new();
        for (member, outcome) in futures::future::join_all(calls).await {
            match outcome {
                Ok(answer) => answers.push(answer),
                Err(cause) => failures.push(failed_node(&member, cause)),
            }
        }
        NodesOutcome { answers, failures }
    }
}

/// Elasticsearch's entry for a node that failed a nodes action.
fn failed_node(node: &NodeInfo, cause: ErrorCause) -> ErrorCause {
    let mut failure = ErrorCause::new("failed_node_exception", format!("Failed node [{}]", node.node_id));
    failure.metadata.insert("node_id".to_string(), node.node_id.clone().into());
    failure.caused_by = Some(Box::new(cause));
    failure
}

/// Why a remote call failed, as Elasticsearch's transport layer words it.
fn remote_cause(node: &NodeInfo, error: &RemoteError) -> ErrorCause {
    match error {
        // The node answered with an error: Elasticsearch shows the remote
        // exception itself (its transport wrapper is unwrapped).
        es_tokens_transport_client::Error::ErrorResponse(response) => {
            let mut cause = response.error.clone();
            cause.root_cause = None;
            cause
        }
        es_tokens_transport_client::Error::CommunicationError(error) if error.is_connect() => {
            let mut cause = ErrorCause::new(
                "connect_transport_exception",
                format!("[{}][{}] connect_exception", node.node_name, node.transport_address),
            );
            cause.caused_by = Some(Box::new(ErrorCause::new("connect_exception", innermost(error))));
            cause
        }
        other => ErrorCause::new(
            "node_not_connected_exception",
            format!("[{}][{}] Node not connected: {other}", node.node_name, node.transport_address),
        ),
    }
}
