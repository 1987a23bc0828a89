//! `cargo xtask bench`: start-up, memory, latency and requests per second of
//! release nodes on loopback, every figure from one run so that they can be
//! compared as ratios.
//!
//! In order:
//! - start-up, spawn → first authenticated clear-cache 200, on fresh and
//!   existing data directories (see [`startup`]), and an idle node's memory;
//! - clear-cache latency through clusters of 1, 3 and 5 nodes, one request
//!   at a time, the clusters taking turns, next to the fan-out floor (an
//!   estimate of the cheapest parallel call to two nodes on this machine);
//! - throughput scenarios, each on fresh keep-alive connections:
//!   `GET /` as `elastic` (Basic, realm cache warm), the cheapest request;
//!   `GET /_security/_authenticate` with a bearer service token, token
//!   cache warm; the same with the token cache off (`cache.ttl: 0`), so that
//!   every request verifies the token's PBKDF2 hash; and
//!   `POST .../_clear_cache` as `elastic`.
//!
//! Then the targets, each met or MISSED. A missed target is a finding, not
//! a failure of the command: its exit status says only whether it ran.
//! `--only <part>` runs some of the parts (while working on one); the
//! targets of the others are then not judged.

mod cluster;
mod load;
pub mod relay;
mod startup;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::bail;

use crate::node_process::{build_release, workspace};
use load::{Load, Measured, elastic, micros, start_node};

/// How many turns each throughput scenario gets.
const THROUGHPUT_ROUNDS: usize = 5;

/// What `cargo xtask bench` is asked to do.
pub struct Options {
    /// Seconds per throughput scenario.
    pub seconds: u64,
    /// Keep-alive connections per throughput scenario.
    pub connections: usize,
    /// Sequential clear-cache requests per cluster size.
    pub cluster_requests: usize,
    /// Where to write the figures as JSON, if anywhere.
    pub json: Option<PathBuf>,
    /// The parts to run; every part when empty.
    pub only: Vec<Part>,
}

/// A target and how the run did against it.
struct Target {
    name: &'static str,
    /// The measured ratio or figure, in `unit`.
    value: f64,
    /// The bound it must stay within.
    bound: f64,
    /// Whether `value` must be at most (`true`) or at least the bound.
    at_most: bool,
    unit: &'static str,
}

impl Target {
    fn met(&self) -> bool {
        if self.at_most { self.value <= self.bound } else { self.value >= self.bound }
    }
}

/// Runs the benchmark in a release build of this tool: the load generator
/// shares the machine with the node, so it must be as lean as the node.
fn in_release(args: &[String]) -> anyhow::Result<ExitCode> {
    let status = Command::new(env!("CARGO"))
        .args(["run", "--release", "--quiet", "-p", "xtask", "--"])
        .args(args)
        .current_dir(workspace())
        .status()?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// A part of the benchmark, which `--only` can pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// Start-up on fresh and existing data directories.
    Startup,
    /// An idle node's resident memory.
    Memory,
    /// Clear-cache latency through clusters, next to the fan-out floor.
    Cluster,
    /// Requests per second of the throughput scenarios.
    Throughput,
}

/// What a run measured: the targets it can judge, and the figures for
/// `--json`.
#[derive(Default)]
struct Report {
    targets: Vec<Target>,
    figures: serde_json::Map<String, serde_json::Value>,
}

/// The `bench` command.
pub fn run(options: Options) -> anyhow::Result<ExitCode> {
    let Options { seconds, connections, cluster_requests, json, only } = options;
    if seconds == 0 || connections == 0 || cluster_requests == 0 {
        bail!("--seconds, --connections and --cluster-requests must be at least 1");
    }
    if cfg!(debug_assertions) {
        let args: Vec<String> = std::env::args().skip(1).collect();
        return in_release(&args);
    }
    let runs = |part: Part| only.is_empty() || only.contains(&part);
    let binary = build_release()?;
    let dir = tempfile::tempdir()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut report = Report::default();
        // Start-up and latency first, so that they do not depend on what the
        // throughput runs leave behind.
        if runs(Part::Startup) {
            startup_part(&binary, dir.path(), &mut report).await?;
        }
        if runs(Part::Memory) {
            memory_part(&binary, dir.path(), &mut report).await?;
        }
        if runs(Part::Cluster) {
            cluster_part(&binary, dir.path(), cluster_requests, &mut report).await?;
        }
        if runs(Part::Throughput) {
            let load = Load { duration: Duration::from_secs(seconds), connections };
            throughput_part(&binary, dir.path(), load, &mut report).await?;
        }
        println!("\n{:<40} {:>10} {:>10}", "target", "measured", "bound");
        for target in &report.targets {
            let sign = if target.at_most { "<=" } else { ">=" };
            println!(
                "{:<40} {:>8.2}{:<4} {sign} {:.2}{}  {}",
                target.name,
                target.value,
                target.unit,
                target.bound,
                target.unit,
                if target.met() { "met" } else { "MISSED" }
            );
        }
        if let Some(path) = json {
            let mut figures = report.figures;
            figures.insert(
                "targets".to_string(),
                report
                    .targets
                    .iter()
                    .map(|target| {
                        serde_json::json!({
                            "name": target.name,
                            "value": target.value,
                            "bound": target.bound,
                            "at_most": target.at_most,
                            "met": target.met(),
                        })
                    })
                    .collect(),
            );
            std::fs::write(&path, serde_json::to_string_pretty(&figures)? + "\n")?;
            println!("\nfigures written to {}", path.display());
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Start-up medians, fresh and existing, and their targets.
async fn startup_part(binary: &Path, dir: &Path, report: &mut Report) -> anyhow::Result<()> {
    let startups = startup::startups(binary, dir).await?;
    println!("start-up, median of {} starts, ELASTIC_PASSWORD set", startup::STARTS);
    println!("{:<24} {:>14} {:>22}", "data directory", "first answer", "first clear-cache 200");
    let mut figures = serde_json::Map::new();
    for (name, run, target) in [
        ("fresh", startups.fresh, "start-up, fresh data directory"),
        ("existing", startups.existing, "start-up, existing data directory"),
    ] {
        println!("{name:<24} {:>11.1} ms {:>19.1} ms", millis(run.first_answer), millis(run.first_clear));
        figures.insert(
            name.to_string(),
            serde_json::json!({ "first_answer": millis(run.first_answer), "first_clear": millis(run.first_clear) }),
        );
        report.targets.push(Target {
            name: target,
            value: millis(run.first_clear),
            bound: 20.0,
            at_most: true,
            unit: " ms",
        });
    }
    report.figures.insert("startup_ms".to_string(), figures.into());
    Ok(())
}

/// An idle node's resident memory, and its target.
async fn memory_part(binary: &Path, dir: &Path, report: &mut Report) -> anyhow::Result<()> {
    let rss = startup::idle_rss(binary, dir).await?;
    let mib = rss as f64 / (1024.0 * 1024.0);
    println!("\nidle node: {mib:.1} MiB resident");
    report.figures.insert("idle_rss_bytes".to_string(), rss.into());
    report.targets.push(Target { name: "idle resident memory", value: mib, bound: 15.0, at_most: true, unit: " MiB" });
    Ok(())
}

/// Clear-cache latency through clusters next to the floor, and the target.
async fn cluster_part(binary: &Path, dir: &Path, requests: usize, report: &mut Report) -> anyhow::Result<()> {
    let latencies = cluster::cluster_latencies(binary, dir, requests).await?;
    let (one, three, floor, relay) = (latencies.p50(1), latencies.p50(3), latencies.floor.p50, latencies.relay.p50);
    let micros = |latency: Duration| latency.as_secs_f64() * 1e6;
    let series = latencies
        .by_size
        .iter()
        .map(|(size, latency)| (size.to_string(), latency))
        .chain([("floor".to_string(), &latencies.floor), ("relay".to_string(), &latencies.relay)])
        .map(|(name, latency)| (name, serde_json::json!({ "p50": micros(latency.p50), "p99": micros(latency.p99) })));
    report.figures.insert("cluster_latency_us".to_string(), series.collect::<serde_json::Map<_, _>>().into());
    let sum = (one + floor).as_secs_f64();
    // Not targets: where the machine puts the bound, and how far the node
    // is from the leanest coordinator.
    println!(
        "relay p50 / (1-node p50 + floor p50): {:.2}x; 3-node p50 / relay p50: {:.2}x",
        relay.as_secs_f64() / sum,
        three.as_secs_f64() / relay.as_secs_f64()
    );
    report.targets.push(Target {
        name: "3-node p50 / (1-node p50 + floor p50)",
        value: three.as_secs_f64() / sum,
        bound: 1.3,
        at_most: true,
        unit: "x",
    });
    Ok(())
}

/// The throughput scenarios, taking turns, and their targets.
async fn throughput_part(binary: &Path, dir: &Path, load: Load, report: &mut Report) -> anyhow::Result<()> {
    let cached = start_node(binary, dir, "cached", &[])?;
    let uncached = start_node(binary, dir, "uncached", &[("xpack.security.authc.service_token.cache.ttl", "0")])?;
    let bearers = [load::create_token(cached.http, "bench").await?, load::create_token(uncached.http, "bench").await?];
    println!(
        "\nthroughput: {} s per scenario in {THROUGHPUT_ROUNDS} turns, {} keep-alive connections, release build\n",
        load.duration.as_secs(),
        load.connections
    );
    let scenarios: [(&str, &str, SocketAddr, &str, &str, String); 4] = [
        ("get_root", "GET / (elastic, realm cache warm)", cached.http, "GET", "/", elastic()),
        (
            "bearer_warm",
            "bearer authentication, cache warm",
            cached.http,
            "GET",
            "/_security/_authenticate",
            bearers[0].clone(),
        ),
        (
            "bearer_cold",
            "bearer authentication, cache off",
            uncached.http,
            "GET",
            "/_security/_authenticate",
            bearers[1].clone(),
        ),
        ("clear_cache", "clear-cache call (elastic)", cached.http, "POST", cluster::CLEAR, elastic()),
    ];
    // In rounds, the scenarios taking turns (each round starting one
    // later), so that a change in the machine's state during the run
    // reaches every scenario alike: their ratios are the point.
    let slice = load.duration / THROUGHPUT_ROUNDS as u32;
    let mut samples = vec![Vec::new(); scenarios.len()];
    for round in 0..THROUGHPUT_ROUNDS {
        for turn in 0..scenarios.len() {
            let i = (round + turn) % scenarios.len();
            let (_, _, addr, method, path, authorization) = &scenarios[i];
            let warm_up = if round == 0 { Duration::from_millis(500) } else { Duration::from_millis(100) };
            let request = (*method, *path, authorization.as_str());
            samples[i].extend(load::measure(*addr, request, load.connections, warm_up, slice).await?);
        }
    }
    let mut throughput = serde_json::Map::new();
    let mut rates = Vec::new();
    println!("{:<38} {:>10} {:>10} {:>10}", "scenario", "req/s", "p50", "p99");
    for ((key, name, ..), latencies) in scenarios.iter().zip(samples) {
        let measured = Measured::of(latencies, slice * THROUGHPUT_ROUNDS as u32);
        println!("{name:<38} {:>10.0} {:>10} {:>10}", measured.per_second, micros(measured.p50), micros(measured.p99));
        throughput.insert(
            key.to_string(),
            serde_json::json!({
                "per_second": measured.per_second,
                "p50_us": measured.p50.as_secs_f64() * 1e6,
                "p99_us": measured.p99.as_secs_f64() * 1e6,
            }),
        );
        rates.push(measured.per_second);
    }
    report.figures.insert("throughput".to_string(), throughput.into());
    let ratio = |name, value, bound| Target { name, value, bound, at_most: false, unit: "x" };
    report.targets.extend([
        ratio("clear-cache / GET /", rates[3] / rates[0], 0.9),
        ratio("warm authentication / GET /", rates[1] / rates[0], 0.8),
        ratio("warm / cold authentication", rates[1] / rates[2], 100.0),
    ]);
    Ok(())
}
