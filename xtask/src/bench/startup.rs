//! Start-up time and idle memory of a release node.
//!
//! Start-up is what a test suite that starts a node per test waits for:
//! from spawning the process to the first answer, and to the first
//! authenticated clear-cache 200, with `ELASTIC_PASSWORD` set, on a fresh
//! data directory and on one whose security index already holds the
//! password. The two kinds take turns, so that both see the machine alike.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use es_tokens_node_process::Launch;

use super::cluster::CLEAR;
use super::load::{PASSWORD, create_token, elastic, request, start_node};

/// How many starts of each kind the medians are taken over.
pub const STARTS: usize = 9;

/// Median start-up of one kind of start.
#[derive(Clone, Copy)]
pub struct Startup {
    /// Spawn → the first HTTP answer, whatever it is.
    pub first_answer: Duration,
    /// Spawn → the first authenticated clear-cache 200.
    pub first_clear: Duration,
}

/// Start-up on a fresh data directory and on an existing one.
pub struct Startups {
    pub fresh: Startup,
    pub existing: Startup,
}

/// Measures [`STARTS`] starts of each kind.
pub async fn startups(binary: &Path, dir: &Path) -> anyhow::Result<Startups> {
    let existing = dir.join("existing");
    prepare_existing(binary, &existing).await?;
    let (mut fresh_runs, mut existing_runs) = (Vec::new(), Vec::new());
    for run in 0..STARTS {
        fresh_runs.push(start_once(binary, &dir.join(format!("fresh-{run}"))).await?);
        existing_runs.push(start_once(binary, &existing).await?);
    }
    Ok(Startups { fresh: median(fresh_runs), existing: median(existing_runs) })
}

/// Starts a node on `dir` once, and waits until the security index holds
/// `elastic`'s password.
async fn prepare_existing(binary: &Path, dir: &Path) -> anyhow::Result<()> {
    let node = start_node(binary, dir, "node", &[])?;
    let started = Instant::now();
    while !std::fs::read_to_string(&node.log)?.contains("stored the [elastic] user's password") {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the node did not store elastic's password; see {}", node.log.display());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// One start on `dir` (the layout [`start_node`] uses): spawns the node
/// and sends the clear-cache call as `elastic` until it answers 200.
async fn start_once(binary: &Path, dir: &Path) -> anyhow::Result<Startup> {
    let node_dir = dir.join("node");
    std::fs::create_dir_all(node_dir.join("config"))?;
    let (http, transport) = (free_port()?, free_port()?);
    let (data, http_port, transport_port) =
        (node_dir.join("data").display().to_string(), http.to_string(), transport.to_string());
    let launch = Launch {
        binary,
        conf_dir: &node_dir.join("config"),
        password: PASSWORD,
        rust_log: "warn",
        settings: &[("path.data", &data), ("http.port", &http_port), ("transport.port", &transport_port)],
        log: &node_dir.join("log.txt"),
    };
    let spawned = Instant::now();
    // Not through `NodeProcess::start`, which waits for the start line:
    // this measures what a client polling the port sees.
    let mut child = launch
        .command()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let addr = SocketAddr::from(([127, 0, 0, 1], http));
    let mut first_answer = None;
    let outcome = loop {
        if spawned.elapsed() > Duration::from_secs(30) {
            break Err(anyhow::anyhow!("the node did not answer 200 within 30 s"));
        }
        if let Some(status) = child.try_wait()? {
            break Err(anyhow::anyhow!("the node exited ({status})"));
        }
        // An error: not listening yet.
        if let Ok((status, _)) = request(addr, "POST", CLEAR, &elastic()).await {
            first_answer.get_or_insert_with(|| spawned.elapsed());
            if status == 200 {
                break Ok(spawned.elapsed());
            }
        }
        // Not a busy loop: it shares the CPUs with the start it measures.
        tokio::time::sleep(Duration::from_micros(200)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    let first_clear = outcome?;
    Ok(Startup { first_answer: first_answer.unwrap_or(first_clear), first_clear })
}

/// A port nothing listens on now.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn median(mut runs: Vec<Startup>) -> Startup {
    let middle = runs.len() / 2;
    runs.sort_by_key(|run| run.first_answer);
    let first_answer = runs[middle].first_answer;
    runs.sort_by_key(|run| run.first_clear);
    Startup { first_answer, first_clear: runs[middle].first_clear }
}

/// The resident memory of an idle node (`VmRSS`), in bytes: one that has
/// answered a clear-cache call, a token creation and a bearer
/// authentication, a second after the last.
pub async fn idle_rss(binary: &Path, dir: &Path) -> anyhow::Result<u64> {
    let node = start_node(binary, dir, "idle", &[])?;
    let bearer = create_token(node.http, "idle").await?;
    for (method, path, authorization) in [("POST", CLEAR, elastic()), ("GET", "/_security/_authenticate", bearer)] {
        let (status, _) = request(node.http, method, path, &authorization).await?;
        if status != 200 {
            bail!("{method} {path} answered {status}");
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", node.pid()))?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS in /proc/<pid>/status")?;
    Ok(kib * 1024)
}
