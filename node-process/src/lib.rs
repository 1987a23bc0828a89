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
use std::thread::JoinHandle;

use anyhow::{Context, bail};

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

impl NodeProcess {
    /// Starts a node and waits until it serves.
    pub fn start(launch: &Launch) -> anyhow::Result<NodeProcess> {
        std::fs::create_dir_all(launch.conf_dir)?;
        let mut command = Command::new(launch.binary);
        command
            .env("ES_PATH_CONF", launch.conf_dir)
            .env("ELASTIC_PASSWORD", launch.password)
            .env("RUST_LOG", launch.rust_log)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (key, value) in launch.settings {
            command.arg("-E").arg(format!("{key}={value}"));
        }
        let mut child = command.spawn().with_context(|| format!("starting {}", launch.binary.display()))?;
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let mut log = std::fs::OpenOptions::new().create(true).append(true).open(launch.log)?;
        let started = loop {
            let Some(line) = lines.next() else {
                let _ = child.wait();
                bail!("the node exited before it started; see {}", launch.log.display());
            };
            let line = line?;
            writeln!(log, "{line}")?;
            if line.contains("node started") {
                break line;
            }
        };
        // Keep copying, so that the node never blocks on a full pipe.
        let log_copier = std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = writeln!(log, "{line}");
            }
        });
        let field = |key: &str| {
            started
                .split_whitespace()
                .find_map(|word| word.strip_prefix(key)?.strip_prefix('='))
                .with_context(|| format!("no {key} in {started}"))
        };
        let node = NodeProcess {
            node_id: field("node_id")?.to_string(),
            http: field("http_address")?.parse()?,
            transport: field("transport_address")?.parse()?,
            log: launch.log.to_path_buf(),
            child,
            log_copier: Some(log_copier),
        };
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
