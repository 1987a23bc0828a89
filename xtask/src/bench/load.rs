//! The load generator: requests on kept-alive hyper connections, one at a
//! time per connection, and what they measured.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;

use es_tokens_node_process::{Launch, NodeProcess};

pub const PASSWORD: &str = "bench-password";
/// How long each scenario runs, and with how many connections.
pub struct Load {
    pub duration: Duration,
    pub connections: usize,
}

/// Starts a release node with `settings` in its own directories.
pub fn start_node(binary: &Path, dir: &Path, name: &str, settings: &[(&str, &str)]) -> anyhow::Result<NodeProcess> {
    let node_dir = dir.join(name);
    std::fs::create_dir_all(&node_dir)?;
    let data = node_dir.join("data").display().to_string();
    let mut all = vec![("node.name", name), ("path.data", &data), ("http.port", "0"), ("transport.port", "0")];
    all.extend_from_slice(settings);
    NodeProcess::start(&Launch {
        binary,
        conf_dir: &node_dir.join("config"),
        password: PASSWORD,
        rust_log: "warn,es_tokens_server::node=info,es_tokens_server::authc::esnative=info",
        settings: &all,
        log: &node_dir.join("log.txt"),
    })
}

/// `Authorization` for `elastic`.
pub fn elastic() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("elastic:{PASSWORD}")))
}

/// Creates token `name` of `elastic/fleet-server` as `elastic`; its
/// `Authorization` value.
pub async fn create_token(addr: SocketAddr, name: &str) -> anyhow::Result<String> {
    let path = format!("/_security/service/elastic/fleet-server/credential/token/{name}");
    let (status, body) = request(addr, "POST", &path, &elastic()).await?;
    if status != 200 {
        bail!("creating token {name} answered {status}: {body}");
    }
    let body: serde_json::Value = serde_json::from_str(&body)?;
    let value = body["token"]["value"].as_str().with_context(|| format!("no token value in {body}"))?;
    Ok(format!("Bearer {value}"))
}

/// One request, on a new connection: status and body.
pub async fn request(addr: SocketAddr, method: &str, path: &str, authorization: &str) -> anyhow::Result<(u16, String)> {
    let mut sender = connect(addr).await?;
    let response = sender.send_request(build(addr, method, path, authorization)).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

pub async fn connect<B>(addr: SocketAddr) -> anyhow::Result<hyper::client::conn::http1::SendRequest<B>>
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
pub enum Span {
    For(Duration),
    Requests(usize),
}

/// Sends `method path` one request at a time on one keep-alive connection,
/// first for `warm_up` (not measured), then for `measured`; every answer
/// must be 200. The latencies of the measured requests.
pub async fn send_sequentially(
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
pub fn percentiles(mut latencies: Vec<Duration>) -> (Duration, Duration) {
    latencies.sort();
    let quantile = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    (quantile(0.50), quantile(0.99))
}

pub fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

/// Sends `method path` on `connections` keep-alive connections for
/// `duration`, after `warm_up` (not measured); every answer must be 200.
/// The latencies of the measured requests.
pub async fn measure(
    addr: SocketAddr,
    (method, path, authorization): (&str, &str, &str),
    connections: usize,
    warm_up: Duration,
    duration: Duration,
) -> anyhow::Result<Vec<Duration>> {
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (method, path, authorization) = (method.to_string(), path.to_string(), authorization.to_string());
            let (warm_up, measured) = (Span::For(warm_up), Span::For(duration));
            tokio::spawn(
                async move { send_sequentially(addr, &method, &path, &authorization, warm_up, measured).await },
            )
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    Ok(latencies)
}

impl Measured {
    /// What `latencies`, measured over `duration` in all, say.
    pub fn of(latencies: Vec<Duration>, duration: Duration) -> Self {
        let per_second = latencies.len() as f64 / duration.as_secs_f64();
        let (p50, p99) = percentiles(latencies);
        Measured { per_second, p50, p99 }
    }
}
