//! `cargo xtask cluster up --nodes 3`: a local cluster to try things on.
//!
//! Release nodes `node-1`..`node-N` under `target/cluster/`, each with its
//! own config and data directory, sharing one SQLite security index and a
//! transport secret; HTTP on 9200.., transport on 9300... The `elastic`
//! password is `ELASTIC_PASSWORD`, or generated. Ctrl-C stops them all.

use std::process::ExitCode;

use anyhow::bail;
use clap::Subcommand;

use es_tokens_node_process::{Launch, NodeProcess};

use crate::node_process::{build_release, workspace};

#[derive(Subcommand)]
pub enum Command {
    /// Start a cluster and keep it running until Ctrl-C.
    Up {
        /// How many nodes.
        #[arg(long, default_value_t = 3)]
        nodes: usize,
        /// The first node's HTTP port; the others follow.
        #[arg(long, default_value_t = 9200)]
        http_port: u16,
        /// The first node's transport port; the others follow.
        #[arg(long, default_value_t = 9300)]
        transport_port: u16,
    },
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let Command::Up { nodes: count, http_port, transport_port } = command;
    if count == 0 {
        bail!("a cluster needs at least one node");
    }
    let binary = build_release()?;
    let dir = workspace().join("target/cluster");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let secret_file = dir.join("transport_secret");
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&secret_file)?;
        file.write_all(random_string(32).as_bytes())?;
    }
    let password = std::env::var("ELASTIC_PASSWORD").unwrap_or_else(|_| random_string(20));
    let index = format!("sqlite://{}", dir.join("security.db").display());
    let transport = |i: usize| format!("127.0.0.1:{}", transport_port as usize + i);
    let mut nodes: Vec<(String, NodeProcess)> = Vec::new();
    for i in 0..count {
        let name = format!("node-{}", i + 1);
        let node_dir = dir.join(&name);
        let seeds: Vec<String> = (0..count).filter(|&j| j != i).map(transport).collect();
        let settings: Vec<(&str, String)> = vec![
            ("cluster.name", "local-cluster".to_string()),
            ("node.name", name.clone()),
            ("path.data", node_dir.join("data").display().to_string()),
            ("http.port", (http_port as usize + i).to_string()),
            ("transport.port", (transport_port as usize + i).to_string()),
            ("discovery.seed_hosts", seeds.join(",")),
            ("transport.shared_secret_file", secret_file.display().to_string()),
            ("security.index.url", index.clone()),
        ];
        let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let node = NodeProcess::start(&Launch {
            binary: &binary,
            conf_dir: &node_dir.join("config"),
            password: &password,
            rust_log: "info",
            settings: &settings,
            log: &node_dir.join("log.txt"),
        })?;
        nodes.push((name, node));
    }
    println!("\nA cluster of {count} node(s) is up (cluster.name: local-cluster):\n");
    println!("  {:<8} {:<24} {:<18} {:>8}  log", "node", "HTTP", "transport", "pid");
    for (name, node) in &nodes {
        println!(
            "  {name:<8} {:<24} {:<18} {:>8}  {}",
            format!("http://{}", node.http),
            node.transport,
            node.pid(),
            node.log.display()
        );
    }
    let first = &nodes[0].1;
    let last = &nodes[nodes.len() - 1].1;
    println!("\n  elastic password: {password}\n");
    println!("Try it:");
    println!(
        "  curl -s -u elastic:{password} -XPOST http://{}/_security/service/elastic/fleet-server/credential/token/demo",
        first.http
    );
    println!("  curl -s -H \"Authorization: Bearer <value>\" http://{}/_security/_authenticate", last.http);
    println!("  kill {}    # stop the last node", last.pid());
    println!(
        "  curl -s -u elastic:{password} -XPOST 'http://{}/_security/service/elastic/fleet-server/credential/token/demo/_clear_cache?pretty'",
        first.http
    );
    println!("\nCtrl-C stops the cluster.");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(tokio::signal::ctrl_c())?;
    drop(nodes);
    Ok(ExitCode::SUCCESS)
}

fn random_string(length: usize) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), length)
}
