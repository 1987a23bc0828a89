//! Developer commands, run as `cargo xtask <command>`.

mod bench;
mod cluster;
mod node_process;
mod openapi;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Developer commands for this workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Keep the checked-in OpenAPI documents in step with the API traits.
    Openapi {
        #[command(subcommand)]
        command: openapi::Command,
    },
    /// Measure start-up, memory, latency and throughput of release nodes on
    /// loopback, and report the targets met and missed.
    Bench {
        /// Seconds per scenario.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Keep-alive connections per scenario.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Sequential clear-cache requests per cluster size.
        #[arg(long, default_value_t = 2000)]
        cluster_requests: usize,
        /// Also write the figures to this file, as JSON.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
        /// Run only this part (repeatable); every part by default.
        #[arg(long, value_enum)]
        only: Vec<bench::Part>,
    },
    /// The bench's lean relay (a process of the bench, not for use alone).
    #[command(hide = true)]
    BenchRelay {
        /// A node-to-node address to relay to (repeatable).
        #[arg(long)]
        member: Vec<std::net::SocketAddr>,
        /// The file holding the cluster's shared secret.
        #[arg(long)]
        secret_file: std::path::PathBuf,
    },
    /// Run a local cluster.
    Cluster {
        #[command(subcommand)]
        command: cluster::Command,
    },
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    match Cli::parse().command {
        Command::Openapi { command } => openapi::run(command),
        Command::Bench { seconds, connections, cluster_requests, json, only } => {
            bench::run(bench::Options { seconds, connections, cluster_requests, json, only })
        }
        Command::BenchRelay { member, secret_file } => {
            bench::relay::serve(member, &secret_file).map(|()| std::process::ExitCode::SUCCESS)
        }
        Command::Cluster { command } => cluster::run(command),
    }
}
