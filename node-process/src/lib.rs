//! Starting `es-tokens` nodes as processes, for the xtask (`bench`,
//! `cluster up`) and the multi-node tests.
//!
//! A node says it serves with one log line on stdout, `node started`, that
//! carries `node_id=`, `http_address=` and `transport_address=`
//! (`server/src/node.rs`); this crate is the one reader of that line.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, anyhow};

/// How long a node may take to say it serves.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How to start a node.
pub struct Launch<'a> {
    /// The `es-tokens` binary.
    pub binary: &'a Path,
    /// Its config directory (`ES_PATH_CONF`), created if missing.
    pub conf_dir: &'a Path,
    /// The `elastic` password (`ELASTIC_PASSWORD`).
    pub password: &'a str,
    /// `RUST_LOG`.
    pub rust_log: &'a str,
    /// `-E key=value` settings, in order.
    pub settings: &'a [(&'a str, &'a str)],
    /// Where everything the node prints goes (appended, so that a node
    /// restarted on the same directories keeps one log).
    pub log: &'a Path,
}

/// A running node, killed on drop.
pub struct NodeProcess {
    child: Child,
    /// Copies the node's output to its log until the node exits.
    log_copier: Option<JoinHandle<()>>,
    /// The node's id.
    pub node_id: String,
    /// Its HTTP API.
    pub http: SocketAddr,
    /// Its node-to-node API.
    pub transport: SocketAddr,
    /// Its log.
    pub log: PathBuf,
}

impl Launch<'_> {
    /// The command that starts the node: its environment and settings, its
    /// output not yet directed.
    pub fn command(&self) -> Command {
        let mut command = Command::new(self.binary);
        command
            .env("ES_PATH_CONF", self.conf_dir)
            .env("ELASTIC_PASSWORD", self.password)
            .env("RUST_LOG", self.rust_log);
        for (key, value) in self.settings {
            command.arg("-E").arg(format!("{key}={value}"));
        }
        command
    }
}

impl NodeProcess {
    /// Starts a node and waits until it serves. A node that exits or stays
    /// silent for a minute first is killed, and its log named in the error.
    pub fn start(launch: &Launch) -> anyhow::Result<NodeProcess> {
        std::fs::create_dir_all(launch.conf_dir)?;
        let mut log = std::fs::OpenOptions::new().create(true).append(true).open(launch.log)?;
        let mut child = launch
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", launch.binary.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        // Copies the node's output to its log for as long as it runs (so that
        // it never blocks on a full pipe), handing over the start line.
        let (started_tx, started_rx) = mpsc::channel();
        let log_copier = std::thread::spawn(move || {
            let mut started_tx = Some(started_tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = writeln!(log, "{line}");
                if line.contains("node started")
                    && let Some(tx) = started_tx.take()
                {
                    let _ = tx.send(line);
                }
            }
        });
        let mut node = NodeProcess {
            child,
            log_copier: Some(log_copier),
            node_id: String::new(),
            http: SocketAddr::from(([0, 0, 0, 0], 0)),
            transport: SocketAddr::from(([0, 0, 0, 0], 0)),
            log: launch.log.to_path_buf(),
        };
        // From here on, an error drops `node`, which kills the process.
        let started = started_rx.recv_timeout(START_TIMEOUT).map_err(|error| {
            let why = match error {
                mpsc::RecvTimeoutError::Timeout => "did not start within a minute",
                mpsc::RecvTimeoutError::Disconnected => "exited before it started",
            };
            anyhow!("the node {why}; see {}", launch.log.display())
        })?;
        let field = |key: &str| {
            started
                .split_whitespace()
                .find_map(|word| word.strip_prefix(key)?.strip_prefix('='))
                .with_context(|| format!("no {key} in {started}"))
        };
        node.node_id = field("node_id")?.to_string();
        node.http = field("http_address")?.parse()?;
        node.transport = field("transport_address")?.parse()?;
        Ok(node)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the node (SIGKILL) and waits until everything it printed is in
    /// its log.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(copier) = self.log_copier.take() {
            let _ = copier.join();
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
