//! Clear-cache latency through clusters of 1, 3 and 5 nodes, next to the
//! fan-out floor.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::bail;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;

use es_tokens_node_process::NodeProcess;

use super::load::{Span, connect, elastic, micros, percentiles, request, send_sequentially, start_node};
use super::relay;

/// The benchmark clusters' transport secret.
const SECRET: &str = "bench-secret";

/// p50 and p99 of one series of latencies.
#[derive(Clone, Copy)]
pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
}

/// What the latency benchmark measured.
pub struct ClusterLatencies {
    /// Per cluster size, in [`CLUSTER_SIZES`] order.
    pub by_size: Vec<(usize, Latency)>,
    /// The fan-out floor to the other two nodes of the 3.
    pub floor: Latency,
    /// The lean relay to the other two nodes of the 3.
    pub relay: Latency,
}

impl ClusterLatencies {
    /// The p50 of a cluster of `size`.
    pub fn p50(&self, size: usize) -> Duration {
        self.by_size.iter().find(|(s, _)| *s == size).map(|(_, latency)| latency.p50).unwrap_or_default()
    }
}

/// Kept-alive connections to some members of a cluster, as lean as we
/// know (one hyper connection per member, no pool), and the bare
/// node-to-node clear the floor and the relay send them.
pub struct Members {
    senders: Vec<(SocketAddr, SendRequest<Full<Bytes>>)>,
    body: Bytes,
    authorization: String,
}

impl Members {
    /// Connects to every one of `members`, which take `secret`.
    pub async fn connect(members: &[SocketAddr], secret: &str) -> anyhow::Result<Self> {
        let body = Bytes::from(serde_json::to_vec(&serde_json::json!({
            "cache": "service",
            "keys": ["elastic/fleet-server/bench"],
        }))?);
        let mut senders = Vec::new();
        for member in members {
            senders.push((*member, connect::<Full<Bytes>>(*member).await?));
        }
        Ok(Members { senders, body, authorization: format!("Bearer {secret}") })
    }

    /// Sends the clear to every member at once; done when each answered
    /// 200.
    pub async fn clear(&mut self) -> anyhow::Result<()> {
        let (body, authorization) = (&self.body, &self.authorization);
        let calls = self.senders.iter_mut().map(|(member, sender)| {
            let request = http::Request::post("/_transport/security/cache/clear")
                .header("host", member.to_string())
                .header("content-type", "application/json")
                .header("authorization", authorization)
                .body(Full::new(body.clone()))
                .expect("a valid request");
            async move {
                sender.ready().await?;
                let response = sender.send_request(request).await?;
                let status = response.status().as_u16();
                response.into_body().collect().await?;
                anyhow::ensure!(status == 200, "the node-to-node clear answered {status}");
                anyhow::Ok(())
            }
        });
        futures::future::try_join_all(calls).await.map(drop)
    }
}

/// Sends the node-to-node clear to every one of `members` at once, one round
/// at a time, from the load generator (a current-thread runtime): an
/// estimate of the least a fan-out to those members costs on this machine.
/// The latencies of the measured rounds.
async fn fan_out_floor(
    members: &[SocketAddr],
    secret: &str,
    warm_up: usize,
    measured: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut members = Members::connect(members, secret).await?;
    let mut latencies = Vec::new();
    for round in 0..warm_up + measured {
        let sent = Instant::now();
        members.clear().await?;
        if round >= warm_up {
            latencies.push(sent.elapsed());
        }
    }
    Ok(latencies)
}

/// The cluster sizes the latency benchmark compares.
const CLUSTER_SIZES: [usize; 3] = [1, 3, 5];
/// How many blocks each cluster's requests are sent in, the clusters taking
/// turns, so that a change in the machine's state during the run (which
/// CPUs the scheduler puts the processes on, above all) reaches every
/// cluster alike instead of one.
const ROUNDS: usize = 10;

/// Clear-cache latency through one node of clusters of 1, 3 and 5 nodes,
/// one request at a time, the clusters taking turns.
///
/// It also measures the fan-out floor (see [`fan_out_floor`]) to the other
/// two nodes of the 3: a clear through 3 nodes costs about what it costs
/// through 1 plus that floor, at the least. An estimate, not a bound: p50s
/// do not add up exactly, and the floor's calls come from the load
/// generator rather than from a node. And the lean relay (see [`relay`]) to
/// the same two nodes, which has the 3-node call's chain of processes with
/// none of a node's work: how close to that sum this machine lets a
/// coordinator come.
pub async fn cluster_latencies(binary: &Path, dir: &Path, requests: usize) -> anyhow::Result<ClusterLatencies> {
    let secret = dir.join("transport_secret");
    std::fs::write(&secret, SECRET)?;
    let mut clusters = Vec::new();
    for size in CLUSTER_SIZES {
        clusters.push(start_cluster(binary, dir, size, &secret).await?);
    }
    let per_round = requests.div_ceil(ROUNDS);
    let warm_up = Span::Requests(per_round / 10);
    let mut latencies = vec![Vec::new(); clusters.len()];
    let (mut floor, mut relayed) = (Vec::new(), Vec::new());
    let others: Vec<SocketAddr> = clusters[1][1..].iter().map(|node| node.transport).collect();
    let relay = relay::spawn(&others, &secret)?;
    // Each round starts one turn later, so that no series always follows
    // the same one.
    let turns = clusters.len() + 2;
    for round in 0..ROUNDS {
        for turn in 0..turns {
            match (round + turn) % turns {
                size if size < clusters.len() => {
                    let (coordinator, measured) = (clusters[size][0].http, Span::Requests(per_round));
                    let sent = send_sequentially(coordinator, "POST", CLEAR, &elastic(), warm_up, measured).await?;
                    latencies[size].extend(sent);
                }
                size if size == clusters.len() => {
                    floor.extend(fan_out_floor(&others, SECRET, per_round / 10, per_round).await?)
                }
                _ => {
                    let measured = Span::Requests(per_round);
                    relayed.extend(send_sequentially(relay.addr, "POST", CLEAR, "", warm_up, measured).await?)
                }
            }
        }
    }
    drop(relay);
    println!(
        "\nclear-cache latency through one node, {} sequential requests per cluster size \
         ({ROUNDS} rounds, the clusters taking turns)",
        per_round * ROUNDS
    );
    println!("{:<10} {:>10} {:>10}", "nodes", "p50", "p99");
    let mut by_size = Vec::new();
    for (size, latencies) in CLUSTER_SIZES.iter().zip(latencies) {
        let (p50, p99) = percentiles(latencies);
        println!("{size:<10} {:>10} {:>10}", micros(p50), micros(p99));
        by_size.push((*size, Latency { p50, p99 }));
    }
    let (p50, p99) = percentiles(floor);
    println!("{:<10} {:>10} {:>10}", "floor", micros(p50), micros(p99));
    let floor = Latency { p50, p99 };
    let (p50, p99) = percentiles(relayed);
    println!("{:<10} {:>10} {:>10}", "relay", micros(p50), micros(p99));
    println!("floor: a bare node-to-node clear sent to the other 2 nodes of the 3 at once by a lean client");
    println!("relay: the same, sent by a lean relay the client calls, in place of the 3-node cluster's coordinator");
    Ok(ClusterLatencies { by_size, floor, relay: Latency { p50, p99 } })
}

/// The clear-cache call the latency benchmark sends.
pub const CLEAR: &str = "/_security/service/elastic/fleet-server/credential/token/bench/_clear_cache";

/// Starts a cluster of `size` nodes sharing one SQLite index, and waits until
/// the first node, which coordinates the benchmark's calls, sees them all.
async fn start_cluster(binary: &Path, dir: &Path, size: usize, secret: &Path) -> anyhow::Result<Vec<NodeProcess>> {
    let cluster_dir = dir.join(format!("cluster-{size}"));
    let index = format!("sqlite://{}", cluster_dir.join("security.db").display());
    std::fs::create_dir_all(&cluster_dir)?;
    let mut nodes: Vec<NodeProcess> = Vec::new();
    for i in 1..=size {
        let seeds = nodes.first().map(|n| n.transport.to_string()).unwrap_or_default();
        let settings = [
            ("cluster.name", format!("bench-{size}")),
            ("discovery.seed_hosts", seeds),
            ("transport.shared_secret_file", secret.display().to_string()),
            ("security.index.url", index.clone()),
        ];
        let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        nodes.push(start_node(binary, &cluster_dir, &format!("node-{i}"), &settings)?);
    }
    let started = Instant::now();
    loop {
        let (_, body) = request(nodes[0].http, "POST", CLEAR, &elastic()).await?;
        let body: serde_json::Value = serde_json::from_str(&body)?;
        if body["_nodes"]["successful"] == size as u64 {
            return Ok(nodes);
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("a cluster of {size} did not form");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
