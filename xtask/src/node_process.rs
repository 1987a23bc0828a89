//! Starting release nodes as processes, for `bench` and `cluster`.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

/// A node process, killed on drop.
pub struct NodeProcess {
    child: Child,
    /// Its HTTP API.
    pub http: SocketAddr,
    /// Its node-to-node API.
    pub transport: SocketAddr,
    /// Its process id.
    pub pid: u32,
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

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Starts `binary` with config directory `conf` and `settings`, the
/// `elastic` password `password`, its output copied to `log`; waits until it
/// serves.
pub fn start(
    binary: &Path,
    conf: &Path,
    password: &str,
    settings: &[(String, String)],
    log: &Path,
    rust_log: &str,
) -> anyhow::Result<NodeProcess> {
    std::fs::create_dir_all(conf)?;
    let mut command = Command::new(binary);
    command
        .env("ES_PATH_CONF", conf)
        .env("ELASTIC_PASSWORD", password)
        .env("RUST_LOG", rust_log)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in settings {
        command.arg("-E").arg(format!("{key}={value}"));
    }
    let mut child = command.spawn().context("starting a node")?;
    let pid = child.id();
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut log_file = std::fs::File::create(log)?;
    let started = loop {
        let Some(line) = lines.next() else { bail!("the node exited before it started; see {}", log.display()) };
        let line = line?;
        writeln!(log_file, "{line}")?;
        if line.contains("node started") {
            break line;
        }
    };
    // Keep copying the node's output so it never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = writeln!(log_file, "{line}");
        }
    });
    let field = |key: &str| -> anyhow::Result<SocketAddr> {
        let value = started
            .split_whitespace()
            .find_map(|word| word.strip_prefix(&format!("{key}=")))
            .with_context(|| format!("no {key} in {started}"))?;
        Ok(value.parse()?)
    };
    Ok(NodeProcess { http: field("http_address")?, transport: field("transport_address")?, pid, child })
}
