//! `cargo xtask bench`: latency and requests per second of release nodes on
//! loopback, every figure from one run so that they can be compared as
//! ratios.
//!
//! First, clear-cache latency through clusters of 1, 3 and 5 nodes, one
//! request at a time, the clusters taking turns, next to the fan-out floor
//! (an estimate of the cheapest parallel call to two nodes on this
//! machine). Then
//! throughput scenarios, each on a fresh keep-alive connection per worker:
//! - `GET /` as `elastic` (Basic, realm cache warm): the cheapest request;
//! - `GET /_security/_authenticate` with a bearer service token, token cache
//!   warm;
//! - the same with the token cache disabled (`cache.ttl: 0`), so every
//!   request verifies the token's PBKDF2 hash;
//! - `POST .../_clear_cache` as `elastic`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::bail;
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::rt::TokioIo;

use es_tokens_node_process::{Launch, NodeProcess};

use crate::node_process::{build_release, workspace};

const PASSWORD: &str = "bench-password";
/// The benchmark clusters' transport secret.
const SECRET: &str = "bench-secret";

/// How long each scenario runs, and with how many connections.
pub struct Load {
    pub duration: Duration,
    pub connections: usize,
}

/// Starts a release node with `settings` in its own directories.
fn start_node(binary: &Path, dir: &Path, name: &str, settings: &[(&str, &str)]) -> anyhow::Result<NodeProcess> {
    let node_dir = dir.join(name);
    std::fs::create_dir_all(&node_dir)?;
    let data = node_dir.join("data").display().to_string();
    let mut all = vec![("node.name", name), ("path.data", &data), ("http.port", "0"), ("transport.port", "0")];
    all.extend_from_slice(settings);
    NodeProcess::start(&Launch {
        binary,
        conf_dir: &node_dir.join("config"),
        password: PASSWORD,
        rust_log: "warn,es_tokens_server::node=info",
        settings: &all,
        log: &node_dir.join("log.txt"),
    })
}

/// `Authorization` for `elastic`.
pub fn elastic() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("elastic:{PASSWORD}")))
}

/// One request, on a new connection: status and body.
pub async fn request(addr: SocketAddr, method: &str, path: &str, authorization: &str) -> anyhow::Result<(u16, String)> {
    let mut sender = connect(addr).await?;
    let response = sender.send_request(build(addr, method, path, authorization)).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

async fn connect<B>(addr: SocketAddr) -> anyhow::Result<hyper::client::conn::http1::SendRequest<B>>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

fn build(addr: SocketAddr, method: &str, path: &str, authorization: &str) -> http::Request<Empty<Bytes>> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("authorization", authorization)
        .body(Empty::new())
        .expect("a valid request")
}

/// What a scenario measured.
pub struct Measured {
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// How long a connection keeps sending.
#[derive(Clone, Copy)]
enum Span {
    For(Duration),
    Requests(usize),
}

/// Sends `method path` one request at a time on one keep-alive connection,
/// first for `warm_up` (not measured), then for `measured`; every answer
/// must be 200. The latencies of the measured requests.
async fn send_sequentially(
    addr: SocketAddr,
    method: &str,
    path: &str,
    authorization: &str,
    warm_up: Span,
    measured: Span,
) -> anyhow::Result<Vec<Duration>> {
    let mut sender = connect(addr).await?;
    let mut latencies = Vec::new();
    for (span, keep) in [(warm_up, false), (measured, true)] {
        let start = Instant::now();
        let mut sent_count = 0;
        while match span {
            Span::For(duration) => start.elapsed() < duration,
            Span::Requests(count) => sent_count < count,
        } {
            let sent = Instant::now();
            sender.ready().await?;
            let response = sender.send_request(build(addr, method, path, authorization)).await?;
            let status = response.status().as_u16();
            response.into_body().collect().await?;
            if status != 200 {
                bail!("{method} {path} answered {status}");
            }
            if keep {
                latencies.push(sent.elapsed());
            }
            sent_count += 1;
        }
    }
    Ok(latencies)
}

/// p50 and p99 of `latencies` (zero if there are none).
fn percentiles(mut latencies: Vec<Duration>) -> (Duration, Duration) {
    latencies.sort();
    let quantile = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    (quantile(0.50), quantile(0.99))
}

fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

/// Sends `method path` on `load.connections` keep-alive connections for
/// `load.duration` (after a short warm-up); every answer must be 200.
pub async fn measure(
    addr: SocketAddr,
    method: &str,
    path: &str,
    authorization: &str,
    load: &Load,
) -> anyhow::Result<Measured> {
    let warm_up = Span::For(Duration::from_millis(500));
    let workers: Vec<_> = (0..load.connections)
        .map(|_| {
            let (method, path, authorization) = (method.to_string(), path.to_string(), authorization.to_string());
            let measured = Span::For(load.duration);
            tokio::spawn(
                async move { send_sequentially(addr, &method, &path, &authorization, warm_up, measured).await },
            )
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let per_second = latencies.len() as f64 / load.duration.as_secs_f64();
    let (p50, p99) = percentiles(latencies);
    Ok(Measured { per_second, p50, p99 })
}

/// Runs the benchmark in a release build of this tool: the load generator
/// shares the machine with the node, so it must be as lean as the node.
pub fn in_release(args: &[String]) -> anyhow::Result<ExitCode> {
    let status = Command::new(env!("CARGO"))
        .args(["run", "--release", "--quiet", "-p", "xtask", "--"])
        .args(args)
        .current_dir(workspace())
        .status()?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The `bench` command.
pub fn run(seconds: u64, connections: usize, cluster_requests: usize) -> anyhow::Result<ExitCode> {
    if seconds == 0 || connections == 0 || cluster_requests == 0 {
        bail!("--seconds, --connections and --cluster-requests must be at least 1");
    }
    if cfg!(debug_assertions) {
        let args: Vec<String> = std::env::args().skip(1).collect();
        return in_release(&args);
    }
    let binary = build_release()?;
    let load = Load { duration: Duration::from_secs(seconds), connections };
    let dir = tempfile::tempdir()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        // Latency first, so that it does not depend on what the throughput
        // runs leave behind.
        let three_vs_one = cluster_latencies(&binary, dir.path(), cluster_requests).await?;
        println!("\nclear-cache p50, 3 nodes / 1 node: {three_vs_one:.2}x (target <= 2x)\n");
        let cached = start_node(&binary, dir.path(), "cached", &[])?;
        let uncached =
            start_node(&binary, dir.path(), "uncached", &[("xpack.security.authc.service_token.cache.ttl", "0")])?;
        let token_path = "/_security/service/elastic/fleet-server/credential/token/bench";
        let mut bearers = Vec::new();
        for node in [&cached, &uncached] {
            let (status, body) = request(node.http, "POST", token_path, &elastic()).await?;
            if status != 200 {
                bail!("creating the benchmark token answered {status}: {body}");
            }
            let body: serde_json::Value = serde_json::from_str(&body)?;
            bearers.push(format!("Bearer {}", body["token"]["value"].as_str().unwrap_or_default()));
        }
        let clear = "/_security/service/elastic/fleet-server/credential/token/bench/_clear_cache";
        println!("throughput: {} s per scenario, {} keep-alive connections, release build\n", seconds, connections);
        let scenarios: [(&str, SocketAddr, &str, &str, String); 4] = [
            ("GET / (elastic, realm cache warm)", cached.http, "GET", "/", elastic()),
            ("bearer authentication, cache warm", cached.http, "GET", "/_security/_authenticate", bearers[0].clone()),
            ("bearer authentication, cache off", uncached.http, "GET", "/_security/_authenticate", bearers[1].clone()),
            ("clear-cache call (elastic)", cached.http, "POST", clear, elastic()),
        ];
        let mut rates = Vec::new();
        println!("{:<38} {:>10} {:>10} {:>10}", "scenario", "req/s", "p50", "p99");
        for (name, addr, method, path, authorization) in &scenarios {
            let measured = measure(*addr, method, path, authorization, &load).await?;
            println!(
                "{name:<38} {:>10.0} {:>10} {:>10}",
                measured.per_second,
                micros(measured.p50),
                micros(measured.p99)
            );
            rates.push(measured.per_second);
        }
        let warm_vs_cold = rates[1] / rates[2];
        let warm_vs_get = rates[1] / rates[0];
        println!("\nwarm / cold authentication: {warm_vs_cold:.0}x (target >= 100x)");
        println!("warm authentication / GET /: {warm_vs_get:.2}x (target >= 0.8x)");
        drop((cached, uncached));
        let met = warm_vs_cold >= 100.0 && warm_vs_get >= 0.8 && three_vs_one <= 2.0;
        Ok(if met { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    })
}

/// Sends the node-to-node clear of `keys` to every one of `members` at once,
/// one round at a time on a keep-alive connection per member, with as lean a
/// client as we know (one hyper connection per member, no pool, a
/// current-thread runtime): an estimate of the least a fan-out to those
/// members costs on this machine. The latencies of the measured rounds.
async fn fan_out_floor(
    members: &[SocketAddr],
    secret: &str,
    warm_up: usize,
    measured: usize,
) -> anyhow::Result<Vec<Duration>> {
    let body = Bytes::from(serde_json::to_vec(&serde_json::json!({
        "cache": "service",
        "keys": ["elastic/fleet-server/bench"],
    }))?);
    let mut senders = Vec::new();
    for member in members {
        senders.push((*member, connect::<Full<Bytes>>(*member).await?));
    }
    let mut latencies = Vec::new();
    for round in 0..warm_up + measured {
        let sent = Instant::now();
        let calls = senders.iter_mut().map(|(member, sender)| {
            let request = http::Request::post("/_transport/security/cache/clear")
                .header("host", member.to_string())
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {secret}"))
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
        for outcome in futures::future::join_all(calls).await {
            outcome?;
        }
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
/// one request at a time, the clusters taking turns; the p50 ratio of 3
/// nodes to 1.
///
/// It also measures the fan-out floor (see [`fan_out_floor`]) to the other
/// two nodes of the 3: a clear through 3 nodes costs about what it costs
/// through 1 plus that floor, at the least. An estimate, not a bound: p50s
/// do not add up exactly, and the floor's calls come from the load
/// generator rather than from a node.
async fn cluster_latencies(binary: &Path, dir: &Path, requests: usize) -> anyhow::Result<f64> {
    let secret = dir.join("transport_secret");
    std::fs::write(&secret, SECRET)?;
    let mut clusters = Vec::new();
    for size in CLUSTER_SIZES {
        clusters.push(start_cluster(binary, dir, size, &secret).await?);
    }
    let per_round = requests.div_ceil(ROUNDS);
    let warm_up = Span::Requests(per_round / 10);
    let mut latencies = vec![Vec::new(); clusters.len()];
    let mut floor = Vec::new();
    let others: Vec<SocketAddr> = clusters[1][1..].iter().map(|node| node.transport).collect();
    // Each round starts one turn later, so that no cluster always follows
    // the same one.
    for round in 0..ROUNDS {
        for turn in 0..=clusters.len() {
            match (round + turn) % (clusters.len() + 1) {
                size if size < clusters.len() => {
                    let (coordinator, measured) = (clusters[size][0].http, Span::Requests(per_round));
                    let sent = send_sequentially(coordinator, "POST", CLEAR, &elastic(), warm_up, measured).await?;
                    latencies[size].extend(sent);
                }
                _ => floor.extend(fan_out_floor(&others, SECRET, per_round / 10, per_round).await?),
            }
        }
    }
    println!(
        "\nclear-cache latency through one node, {} sequential requests per cluster size \
         ({ROUNDS} rounds, the clusters taking turns)",
        per_round * ROUNDS
    );
    println!("{:<10} {:>10} {:>10}", "nodes", "p50", "p99");
    let mut p50s = Vec::new();
    for (size, latencies) in CLUSTER_SIZES.iter().zip(latencies) {
        let (p50, p99) = percentiles(latencies);
        println!("{size:<10} {:>10} {:>10}", micros(p50), micros(p99));
        p50s.push(p50.as_secs_f64());
    }
    let (floor_p50, floor_p99) = percentiles(floor);
    println!("{:<10} {:>10} {:>10}", "floor", micros(floor_p50), micros(floor_p99));
    println!(
        "\nfloor: a bare node-to-node clear sent to the other 2 nodes of the 3 at once by a lean client;\n\
         (1 node + floor) / 1 node = {:.2}x, an estimate of the least the 3-node / 1-node ratio can be here",
        (p50s[0] + floor_p50.as_secs_f64()) / p50s[0]
    );
    Ok(p50s[1] / p50s[0])
}

/// The clear-cache call the latency benchmark sends.
const CLEAR: &str = "/_security/service/elastic/fleet-server/credential/token/bench/_clear_cache";

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
