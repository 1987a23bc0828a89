//! Which nodes belong to the cluster, and fault detection.
//!
//! Members are found from `discovery.seed_hosts` and from each other: every
//! `follower_check.interval` a node checks each seed, member and candidate
//! with a handshake (`POST /_transport/handshake`), which introduces it and
//! tells it the members the other knows, so seed lists may name only some
//! nodes. A node becomes a member once this node's own handshake with it
//! succeeded; a node that introduced itself, or that a member named, is a
//! candidate until then (so a node this one cannot reach does not join, as
//! Elasticsearch's join validation refuses it). A node of another
//! `cluster.name` is refused on both sides.
//!
//! A member whose checks fail `follower_check.retry_count` times in a row
//! (each given `follower_check.timeout`) is removed, as Elasticsearch's
//! follower checker removes it: until then cluster-wide calls count it and
//! report it as failed, afterwards they leave it out. It joins again once a
//! check reaches it. Whether a removed node may still answer from its caches
//! is `authc::service::cache_lease`'s business, not membership's.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use es_tokens_transport_client::Client as TransportClient;
use es_tokens_transport_client::channel::{CONNECT_TIMEOUT, Channel};
use es_tokens_types::transport::{HandshakeRequest, HandshakeResponse, NodeInfo};
use parking_lot::{Mutex, RwLock};

use crate::cluster::CLUSTER_NAME_SETTING;
use crate::cluster::fan_out::FanOut;
use crate::common::background_task::BackgroundTask;
use crate::config::{Setting, Settings, values};
use crate::error::ServiceError;

/// Where to look for the other members
/// (`SettingsBasedSeedHostsProvider.DISCOVERY_SEED_HOSTS_SETTING`).
pub const SEED_HOSTS_SETTING: Setting<Vec<String>> = Setting::new(
    "discovery.seed_hosts",
    "",
    values::list,
    "transport addresses (host:port, comma-separated or a YAML list) of other nodes of the cluster",
);

/// How often each seed, member and candidate is checked
/// (`FollowersChecker.FOLLOWER_CHECK_INTERVAL_SETTING`).
pub const FOLLOWER_CHECK_INTERVAL_SETTING: Setting<Duration> = Setting::new(
    "cluster.fault_detection.follower_check.interval",
    "1s",
    |key, value| values::time_at_least(key, value, Duration::from_millis(100)),
    "how often a node checks each other node of the cluster (at least 100ms)",
);

/// How long one check may take (`FOLLOWER_CHECK_TIMEOUT_SETTING`).
pub const FOLLOWER_CHECK_TIMEOUT_SETTING: Setting<Duration> = Setting::new(
    "cluster.fault_detection.follower_check.timeout",
    "10s",
    values::non_negative_time,
    "how long a check of another node may take before it counts as failed",
);

/// How many checks in a row must fail to remove a member
/// (`FOLLOWER_CHECK_RETRY_COUNT_SETTING`).
pub const FOLLOWER_CHECK_RETRY_COUNT_SETTING: Setting<u64> = Setting::new(
    "cluster.fault_detection.follower_check.retry_count",
    "3",
    |key, value| values::int_at_least(key, value, 1),
    "how many checks of a member must fail in a row before it is removed from the cluster (at least 1)",
);

/// How members are checked.
#[derive(Clone, Copy, Debug)]
struct FollowerChecks {
    interval: Duration,
    timeout: Duration,
    retry_count: u64,
}

/// What one check of an address found.
type CheckOutcome = Result<HandshakeResponse, String>;

/// The nodes of this node's cluster.
pub struct Cluster {
    name: String,
    /// This node; its transport address is known once the port is bound.
    local: RwLock<NodeInfo>,
    seeds: Vec<String>,
    /// Other members by node id.
    members: RwLock<BTreeMap<String, NodeInfo>>,
    /// Addresses of nodes that introduced themselves or that a member
    /// named, to be checked before they join.
    candidates: Mutex<BTreeSet<String>>,
    /// Failed checks in a row, by member id.
    failures: Mutex<HashMap<String, u64>>,
    checks: FollowerChecks,
    /// The way to each seed and member's transport address, kept so that
    /// its connections are reused.
    channels: Mutex<HashMap<String, Arc<Channel>>>,
    /// The cluster's shared secret, presented on every call.
    secret: Option<String>,
    /// Carries the calls a channel cannot.
    http: reqwest::Client,
    /// Runs the cluster-wide calls.
    pub(super) fan_out: FanOut,
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
            candidates: Mutex::new(BTreeSet::new()),
            failures: Mutex::new(HashMap::new()),
            checks: FollowerChecks {
                interval: FOLLOWER_CHECK_INTERVAL_SETTING.get(settings),
                timeout: FOLLOWER_CHECK_TIMEOUT_SETTING.get(settings),
                retry_count: FOLLOWER_CHECK_RETRY_COUNT_SETTING.get(settings),
            },
            channels: Mutex::new(HashMap::new()),
            secret: secret.map(str::to_string),
            http,
            fan_out: FanOut::new(settings),
        }
    }

    /// The other members now.
    pub fn members(&self) -> Vec<NodeInfo> {
        self.members.read().values().cloned().collect()
    }

    /// How many nodes the cluster has, this one included, and how many of
    /// the others failed their last check (members until they are removed).
    pub fn node_counts(&self) -> (u32, u32) {
        let members = self.members.read();
        let failures = self.failures.lock();
        let failing = members.keys().filter(|id| failures.get(*id).is_some_and(|count| *count > 0)).count();
        (members.len() as u32 + 1, failing as u32)
    }

    /// This node.
    pub fn local(&self) -> NodeInfo {
        self.local.read().clone()
    }

    /// Records where this node's transport API listens, once bound.
    pub fn set_transport_address(&self, address: std::net::SocketAddr) {
        self.local.write().transport_address = address.to_string();
    }

    /// Answers another node's handshake: a node of the same cluster is told
    /// the members, and becomes a candidate (a member once this node's own
    /// check reaches it); any other node is refused.
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
        if self.members.read().get(&request.node.node_id) != Some(&request.node) {
            self.nominate(&request.node);
        }
        Ok(HandshakeResponse { cluster_name: self.name.clone(), node: self.local(), members: self.members() })
    }

    /// Checks every seed, member and candidate every
    /// `follower_check.interval`, each at most once at a time, until dropped.
    pub fn start_discovery(self: &Arc<Self>) -> BackgroundTask {
        let cluster = Arc::clone(self);
        BackgroundTask::spawn(async move {
            let mut checks = FuturesUnordered::new();
            let mut in_flight: HashSet<String> = HashSet::new();
            let mut tick = tokio::time::interval(cluster.checks.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        for address in cluster.addresses_to_check() {
                            if in_flight.insert(address.clone()) {
                                checks.push(cluster.check(address));
                            }
                        }
                    }
                    Some((address, outcome)) = checks.next() => {
                        in_flight.remove(&address);
                        cluster.record(&address, outcome);
                    }
                }
            }
        })
    }

    /// The seeds, members and candidates, this node aside; the channels of
    /// other addresses (a member that came back elsewhere) are closed.
    fn addresses_to_check(&self) -> Vec<String> {
        let mut addresses: BTreeSet<String> = self.seeds.iter().cloned().collect();
        addresses.extend(self.members.read().values().map(|member| member.transport_address.clone()));
        addresses.extend(self.candidates.lock().iter().cloned());
        addresses.remove(&self.local().transport_address);
        self.channels.lock().retain(|address, _| addresses.contains(address));
        addresses.into_iter().collect()
    }

    /// One handshake with `address`, given `follower_check.timeout`.
    async fn check(&self, address: String) -> (String, CheckOutcome) {
        let request = HandshakeRequest { cluster_name: self.name.clone(), node: self.local() };
        let client = self.client(&address);
        let outcome = match tokio::time::timeout(self.checks.timeout, client.handshake(&request)).await {
            Ok(Ok(response)) => {
                let response = response.into_inner();
                if response.cluster_name == self.name {
                    Ok(response)
                } else {
                    tracing::warn!(
                        "handshake with [{address}] failed: remote cluster name [{}] does not match local cluster \
                         name [{}]",
                        response.cluster_name,
                        self.name
                    );
                    Err("another cluster".to_string())
                }
            }
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err(format!("timed out after [{}ms]", self.checks.timeout.as_millis())),
        };
        (address, outcome)
    }

    /// Records a check: a node reached joins (and the members it named
    /// become candidates); a member that failed too often in a row leaves.
    fn record(&self, address: &str, outcome: CheckOutcome) {
        match outcome {
            Ok(response) => {
                self.candidates.lock().remove(address);
                self.failures.lock().remove(&response.node.node_id);
                self.join(response.node);
                for member in &response.members {
                    if self.members.read().get(&member.node_id) != Some(member) {
                        self.nominate(member);
                    }
                }
            }
            Err(error) => {
                self.candidates.lock().remove(address);
                let failed: Vec<NodeInfo> = self
                    .members
                    .read()
                    .values()
                    .filter(|member| member.transport_address == address)
                    .cloned()
                    .collect();
                if failed.is_empty() {
                    tracing::debug!(%address, %error, "handshake failed");
                }
                for member in failed {
                    let failures = {
                        let mut failures = self.failures.lock();
                        let count = failures.entry(member.node_id.clone()).or_insert(0);
                        *count += 1;
                        *count
                    };
                    tracing::debug!(%address, %error, failures, "check of a member failed");
                    if failures >= self.checks.retry_count {
                        self.leave(&member, failures);
                    }
                }
            }
        }
    }

    /// Makes `node` a candidate, unless it is this node.
    fn nominate(&self, node: &NodeInfo) {
        let local = self.local();
        if node.node_id != local.node_id && node.transport_address != local.transport_address {
            self.candidates.lock().insert(node.transport_address.clone());
        }
    }

    /// Adds `node`, which a check reached, to the members.
    fn join(&self, node: NodeInfo) {
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

    /// Removes `member`, which failed `failures` checks in a row.
    fn leave(&self, member: &NodeInfo, failures: u64) {
        self.failures.lock().remove(&member.node_id);
        if self.members.write().remove(&member.node_id).is_some() {
            tracing::info!(
                node_id = %member.node_id,
                node_name = %member.node_name,
                address = %member.transport_address,
                "node left, reason: followers check retry count exceeded [failures={failures}]"
            );
        }
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
