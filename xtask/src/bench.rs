//! `cargo xtask bench`: requests per second of a release node on loopback,
//! every figure from one run so that they can be compared as ratios.
//!
//! Scenarios, each on a fresh keep-alive connection per worker:
//! - `GET /` as `elastic` (Basic, realm cache warm): the cheapest request;
//! - `GET /_security/_authenticate` with a bearer service token, token cache
//!   warm;
//! - the same with the token cache disabled (`cache.ttl: 0`), so every
//!   request verifies the token's PBKDF2 hash;
//! - `POST .../_clear_cache` as `elastic`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;

const PASSWORD: &str = "bench-password";

/// How long each scenario runs, and with how many connections.
pub struct Load {
    pub duration: Duration,
    pub connections: usize,
}

/// A node process, killed on drop.
pub struct NodeProcess {
    child: Child,
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds the release node binary; its path.
pub fn build_release() -> anyhow::Result<PathBuf> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "-p", "es-tokens-server", "--bin", "es-tokens"])
        .current_dir(workspace())
        .status()?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    Ok(workspace().join("target/release/es-tokens"))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Starts a node with `settings` in its own directories; waits until it
/// serves.
pub fn start_node(binary: &Path, settings: &[(&str, &str)]) -> anyhow::Result<NodeProcess> {
    let dir = tempfile::tempdir()?;
    let conf = dir.path().join("config");
    std::fs::create_dir_all(&conf)?;
    let mut command = Command::new(binary);
    command
        .env("ES_PATH_CONF", &conf)
        .env("ELASTIC_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn,es_tokens_server::node=info")
        .arg("-E")
        .arg(format!("path.data={}", dir.path().join("data").display()))
        .args(["-E", "http.port=0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in settings {
        command.arg("-E").arg(format!("{key}={value}"));
    }
    let mut child = command.spawn().context("starting the node")?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let Some(line) = lines.next() else { bail!("the node exited before it started") };
        let line = line?;
        if let Some(rest) = line.split("address=").nth(1) {
            break rest.split_whitespace().next().unwrap_or_default().parse()?;
        }
    };
    // Keep draining the node's output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(NodeProcess { child, addr, _dir: dir })
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

async fn connect(addr: SocketAddr) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Empty<Bytes>>> {
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

/// Sends `method path` on `load.connections` keep-alive connections for
/// `load.duration` (after a short warm-up); every answer must be 200.
pub async fn measure(
    addr: SocketAddr,
    method: &str,
    path: &str,
    authorization: &str,
    load: &Load,
) -> anyhow::Result<Measured> {
    let warm_up = Duration::from_millis(500);
    let mut workers = Vec::new();
    for _ in 0..load.connections {
        let (method, path, authorization) = (method.to_string(), path.to_string(), authorization.to_string());
        let duration = load.duration;
        workers.push(tokio::spawn(async move {
            let mut sender = connect(addr).await?;
            let start = Instant::now();
            let mut latencies = Vec::new();
            loop {
                let elapsed = start.elapsed();
                if elapsed >= warm_up + duration {
                    break;
                }
                let sent = Instant::now();
                sender.ready().await?;
                let response = sender.send_request(build(addr, &method, &path, &authorization)).await?;
                let status = response.status().as_u16();
                response.into_body().collect().await?;
                if status != 200 {
                    bail!("{method} {path} answered {status}");
                }
                if elapsed >= warm_up {
                    latencies.push(sent.elapsed());
                }
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    latencies.sort();
    let quantile = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Measured {
        per_second: latencies.len() as f64 / load.duration.as_secs_f64(),
        p50: quantile(0.50),
        p99: quantile(0.99),
    })
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
pub fn run(seconds: u64, connections: usize) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        let args: Vec<String> = std::env::args().skip(1).collect();
        return in_release(&args);
    }
    let binary = build_release()?;
    let load = Load { duration: Duration::from_secs(seconds), connections };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let cached = start_node(&binary, &[])?;
        let uncached = start_node(&binary, &[("xpack.security.authc.service_token.cache.ttl", "0")])?;
        let token_path = "/_security/service/elastic/fleet-server/credential/token/bench";
        let mut bearers = Vec::new();
        for node in [&cached, &uncached] {
            let (status, body) = request(node.addr, "POST", token_path, &elastic()).await?;
            if status != 200 {
                bail!("creating the benchmark token answered {status}: {body}");
            }
            let body: serde_json::Value = serde_json::from_str(&body)?;
            bearers.push(format!("Bearer {}", body["token"]["value"].as_str().unwrap_or_default()));
        }
        let clear = "/_security/service/elastic/fleet-server/credential/token/bench/_clear_cache";
        println!("{} s per scenario, {} keep-alive connections, release build\n", seconds, connections);
        let scenarios: [(&str, SocketAddr, &str, &str, String); 4] = [
            ("GET / (elastic, realm cache warm)", cached.addr, "GET", "/", elastic()),
            ("bearer authentication, cache warm", cached.addr, "GET", "/_security/_authenticate", bearers[0].clone()),
            ("bearer authentication, cache off", uncached.addr, "GET", "/_security/_authenticate", bearers[1].clone()),
            ("clear-cache call (elastic)", cached.addr, "POST", clear, elastic()),
        ];
        let mut rates = Vec::new();
        println!("{:<38} {:>10} {:>10} {:>10}", "scenario", "req/s", "p50", "p99");
        for (name, addr, method, path, authorization) in &scenarios {
            let measured = measure(*addr, method, path, authorization, &load).await?;
            println!(
                "{name:<38} {:>10.0} {:>10} {:>10}",
                measured.per_second,
                format!("{:.0} µs", measured.p50.as_secs_f64() * 1e6),
                format!("{:.0} µs", measured.p99.as_secs_f64() * 1e6),
            );
            rates.push(measured.per_second);
        }
        let warm_vs_cold = rates[1] / rates[2];
        let warm_vs_get = rates[1] / rates[0];
        println!("\nwarm / cold authentication: {warm_vs_cold:.0}x (target >= 100x)");
        println!("warm authentication / GET /: {warm_vs_get:.2}x (target >= 0.8x)");
        Ok(if warm_vs_cold >= 100.0 && warm_vs_get >= 0.8 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    })
}
