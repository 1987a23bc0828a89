//! Real multi-node clusters for tests: each node its own `es-tokens`
//! process (so that one can be killed or frozen), on loopback.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use es_tokens_node_process::{Launch, NodeProcess};

use super::{ELASTIC_PASSWORD, basic};

/// One node process.
pub struct ProcessNode {
    process: NodeProcess,
    /// `node.name`.
    pub name: String,
    /// The node's id.
    pub id: String,
    /// Its HTTP API.
    pub http: SocketAddr,
    /// Its node-to-node API.
    pub transport: SocketAddr,
    /// Its config directory.
    pub conf_dir: PathBuf,
    /// Its log (everything it printed).
    pub log: PathBuf,
    /// Whether it is stopped with SIGSTOP (and so must be thawed to die).
    frozen: std::cell::Cell<bool>,
}

impl ProcessNode {
    /// `http://host:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.http)
    }

    /// Whether the node has logged `text` so far.
    pub fn logged(&self, text: &str) -> bool {
        std::fs::read_to_string(&self.log).is_ok_and(|log| log.contains(text))
    }

    /// Kills the process (SIGKILL, which a frozen one takes too); its log is
    /// complete when this returns.
    pub fn kill(&mut self) {
        self.process.kill();
        self.frozen.set(false);
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Freezes the process (SIGSTOP): it accepts connections and never
    /// answers.
    pub fn freeze(&self) {
        signal(self.process.pid(), "STOP");
        self.frozen.set(true);
    }

    /// Thaws a frozen process (SIGCONT).
    pub fn thaw(&self) {
        signal(self.process.pid(), "CONT");
        self.frozen.set(false);
    }
}

impl Drop for ProcessNode {
    fn drop(&mut self) {
        // A frozen process must be thawed to die. Only a frozen one: the pid
        // of a process already reaped may belong to another test's node.
        if self.frozen.get() {
            self.thaw();
        }
        self.kill();
    }
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status().unwrap();
    assert!(status.success(), "kill -{name} {pid}");
}

/// The nodes of one cluster, sharing a security index and a transport
/// secret.
pub struct ProcessCluster {
    pub nodes: Vec<ProcessNode>,
    pub dir: tempfile::TempDir,
    pub secret_file: PathBuf,
    pub index_url: String,
}

impl ProcessCluster {
    /// Starts `count` nodes named `node-1`..: the first with no seeds, the
    /// others with the first as their seed (the rest they learn from it).
    /// `settings` go to every node.
    pub fn start(count: usize, settings: &[(&str, &str)]) -> ProcessCluster {
        ProcessCluster::start_on(None, count, settings)
    }

    /// As [`ProcessCluster::start`], on the security index at `index_url`
    /// (`None`: an SQLite file of the cluster's own).
    pub fn start_on(index_url: Option<String>, count: usize, settings: &[(&str, &str)]) -> ProcessCluster {
        let dir = tempfile::tempdir().unwrap();
        let secret_file = dir.path().join("transport_secret");
        // A secret of its own: tests run in parallel, and a port one test's
        // node gave up may be taken by another test's node, which must not
        // be able to join this cluster.
        let secret = format!("secret-{}", dir.path().file_name().unwrap().to_string_lossy());
        std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
        let index_url = index_url.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("security.db").display()));
        let mut cluster = ProcessCluster { nodes: Vec::new(), dir, secret_file, index_url };
        for i in 1..=count {
            let seeds = cluster.nodes.first().map(|first| first.transport.to_string()).unwrap_or_default();
            let node = cluster.spawn(&format!("node-{i}"), "test-cluster", &seeds, settings);
            cluster.nodes.push(node);
        }
        cluster
    }

    /// Starts one more node (of any cluster name) with this cluster's secret
    /// and index.
    pub fn spawn(&self, name: &str, cluster_name: &str, seeds: &str, settings: &[(&str, &str)]) -> ProcessNode {
        let node_dir = self.dir.path().join(name);
        let conf_dir = node_dir.join("config");
        std::fs::create_dir_all(&conf_dir).unwrap();
        spawn_node(
            name,
            &conf_dir,
            &[
                ("cluster.name", cluster_name),
                ("node.name", name),
                ("path.data", &node_dir.join("data").display().to_string()),
                ("http.port", "0"),
                ("transport.port", "0"),
                ("discovery.seed_hosts", seeds),
                ("transport.shared_secret_file", &self.secret_file.display().to_string()),
                ("security.index.url", &self.index_url),
                ("xpack.security.authc.password_hashing.algorithm", "pbkdf2_1000"),
                // The shortest lease: a clear some node misses waits this.
                ("xpack.security.authc.service_token.cache.lease", "2s"),
            ],
            settings,
        )
    }

    /// Kills node `index` and starts it again on the same directories, with
    /// `settings`, its seed the first other node.
    pub fn restart(&mut self, index: usize, settings: &[(&str, &str)]) {
        self.nodes[index].kill();
        let name = self.nodes[index].name.clone();
        let seed = self.nodes.iter().enumerate().find(|(i, _)| *i != index).map(|(_, n)| n.transport.to_string());
        self.nodes[index] = self.spawn(&name, "test-cluster", &seed.unwrap_or_default(), settings);
    }

    /// Stops every node and checks that its log, written at trace level,
    /// holds neither the cluster's transport secret nor `elastic`'s
    /// password (plain or Basic-encoded) nor any of `secrets`.
    pub fn assert_no_secret_in_logs(&mut self, secrets: &[&str]) {
        let transport_secret = std::fs::read_to_string(&self.secret_file).unwrap();
        let basic = basic("elastic", ELASTIC_PASSWORD);
        let mut all = vec![transport_secret.trim(), ELASTIC_PASSWORD, basic.trim_start_matches("Basic ")];
        all.extend_from_slice(secrets);
        for node in &mut self.nodes {
            node.kill();
            let log = std::fs::read_to_string(&node.log).unwrap();
            assert!(log.contains("request completed"), "{}'s log was written", node.name);
            for (i, secret) in all.iter().enumerate() {
                assert!(!secret.is_empty());
                assert!(!log.contains(secret), "secret #{i} reached {}'s log", node.name);
            }
        }
    }

    /// Waits until every node sees all of them.
    pub async fn wait_formed(&self) {
        let expected = self.nodes.len() as u64;
        for node in &self.nodes {
            wait_for_members(node, expected).await;
        }
    }
}

/// Starts `es-tokens` with `base` and `extra` settings (an `extra` setting
/// replaces a `base` one of the same key); waits until it serves.
pub fn spawn_node(name: &str, conf_dir: &Path, base: &[(&str, &str)], extra: &[(&str, &str)]) -> ProcessNode {
    let settings: Vec<(&str, &str)> = base
        .iter()
        .filter(|(key, _)| !extra.iter().any(|(replaced, _)| replaced == key))
        .chain(extra)
        .copied()
        .collect();
    let log = conf_dir.join("..").join("log.txt");
    let process = NodeProcess::start(&Launch {
        binary: Path::new(env!("CARGO_BIN_EXE_es-tokens")),
        conf_dir,
        password: ELASTIC_PASSWORD,
        // Everything, down to trace: the tests read the logs for secrets.
        rust_log: "trace",
        settings: &settings,
        log: &log,
    })
    .unwrap_or_else(|e| panic!("{name}: {e:#}"));
    ProcessNode {
        name: name.to_string(),
        id: process.node_id.clone(),
        http: process.http,
        transport: process.transport,
        process,
        conf_dir: conf_dir.to_path_buf(),
        log,
        frozen: std::cell::Cell::new(false),
    }
}

/// An HTTP client that authenticates as `elastic`.
pub fn elastic_http() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, basic("elastic", ELASTIC_PASSWORD).parse().unwrap());
    reqwest::Client::builder().default_headers(headers).timeout(Duration::from_secs(60)).build().unwrap()
}

/// Clears `name` of `elastic/fleet-server` through `node`; the parsed body.
pub async fn clear(node: &ProcessNode, name: &str) -> serde_json::Value {
    let url = format!("{}/_security/service/elastic/fleet-server/credential/token/{name}/_clear_cache", node.url());
    let response = elastic_http().post(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Waits until a clear-cache call through `node` reaches `expected` nodes.
pub async fn wait_for_members(node: &ProcessNode, expected: u64) {
    for _ in 0..100 {
        let body = clear(node, "none").await;
        if body["_nodes"]["total"] == expected && body["_nodes"]["successful"] == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} never saw {expected} nodes", node.name);
}

/// Creates index token `name` of `account` through `node`; its bearer.
pub async fn create_token(node: &ProcessNode, account: &str, name: &str) -> String {
    let url = format!("{}/_security/service/{account}/credential/token/{name}", node.url());
    let response = elastic_http().put(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["token"]["value"].as_str().unwrap().to_string()
}

/// Deletes token `name` of `account` through `node`: the status and the
/// body.
pub async fn delete_token(node: &ProcessNode, account: &str, name: &str) -> (u16, String) {
    let url = format!("{}/_security/service/{account}/credential/token/{name}", node.url());
    let response = elastic_http().delete(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A loopback port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `GET /_security/_authenticate` on `node` with a bearer token: the status
/// and the body.
pub async fn authenticate(node: &ProcessNode, token: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{}/_security/_authenticate", node.url()))
        .header("authorization", super::bearer(token))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// One series of `node`'s metrics.
pub async fn metric(node: &ProcessNode, series: &str) -> u64 {
    let text = elastic_http().get(format!("{}/metrics", node.url())).send().await.unwrap().text().await.unwrap();
    super::series_value(&text, series)
}
