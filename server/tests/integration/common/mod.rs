//! A real node on 127.0.0.1:0 for integration tests, with users of every
//! privilege level.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use es_tokens_server::testing::{Hasher, TestInterfaces, TokenSource};
use es_tokens_server::{Node, SecureSettings, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The `elastic` superuser's password on test nodes.
pub const ELASTIC_PASSWORD: &str = "elastic-test-password";

/// What Elasticsearch says after `invalid service token name [<name>]. `.
pub const INVALID_TOKEN_NAME: &str = "service account token name must have at least 1 character and at most 256 \
                                      characters that are alphanumeric (A-Z, a-z, 0-9) or hyphen (-) or underscore \
                                      (_). It must not begin with an underscore (_).";

/// File-realm users: name, password, roles.
pub const SECURITY_ADMIN: (&str, &str) = ("sec_admin", "sec-admin-password");
pub const TOKEN_MANAGER: (&str, &str) = ("token_manager", "token-manager-password");
pub const READER: (&str, &str) = ("reader", "reader-password");
pub const MONITOR: (&str, &str) = ("monitor_user", "monitor-password");
pub const NOBODY: (&str, &str) = ("nobody", "nobody-password");
/// A file-realm superuser: no API can change its password or disable it, so
/// a fuzzer may run as it while it changes every other user.
pub const FILE_SUPERUSER: (&str, &str) = ("file_admin", "file-admin-password");

/// `service_tokens` line for `elastic/fleet-server/token1` (Elasticsearch's
/// own test vector) and its bearer.
pub const FILE_TOKEN_LINE: &str = "elastic/fleet-server/token1:{PBKDF2_STRETCH}10000$8QN+eThJEaCd18sCP0nfzxJq2D9yhmSZgI20TDooYcE=$+0ELfqW4D2+/SlHvm/885dzv67qO2SMJg32Mv/9epXk=";
pub const FILE_TOKEN_BEARER: &str = "AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMTpyNXdkYmRib1FTZTl2R09Ld2FKR0F3";
pub const FILE_TOKEN_WRONG_SECRET: &str = "AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMTozYUpDTGFRV1JOMnNYbE9kdHhBMFNR";

/// A node with its own config and data directories.
pub struct TestNode {
    pub node: Node,
    pub url: String,
    pub conf_dir: PathBuf,
    _dirs: tempfile::TempDir,
}

/// What a test node is started with.
#[derive(Default)]
pub struct Setup<'a> {
    /// Extra settings.
    pub settings: Vec<(&'a str, &'a str)>,
    /// Content of `service_tokens`.
    pub service_tokens: Option<&'a str>,
    /// The cluster's shared secret, written to a file of the config
    /// directory that `transport.shared_secret_file` names.
    pub shared_secret: Option<&'a str>,
}

impl TestNode {
    /// Starts a node with default settings plus `settings` (`key`, `value`).
    pub async fn start(settings: &[(&str, &str)]) -> TestNode {
        TestNode::start_with(Setup { settings: settings.to_vec(), ..Setup::default() }).await
    }

    /// Starts a node as `setup` says.
    pub async fn start_with(setup: Setup<'_>) -> TestNode {
        let dirs = tempfile::tempdir().unwrap();
        let conf_dir = dirs.path().join("config");
        write_security_files(&conf_dir, setup.service_tokens);
        let mut settings = setup.settings.clone();
        if let Some(secret) = setup.shared_secret {
            std::fs::write(conf_dir.join("transport_secret"), secret).unwrap();
            settings.push(("transport.shared_secret_file", "transport_secret"));
        }
        let mut raw: BTreeMap<String, String> = BTreeMap::from([
            ("http.port".to_string(), "0".to_string()),
            ("transport.port".to_string(), "0".to_string()),
            ("node.name".to_string(), "test-node".to_string()),
            ("cluster.name".to_string(), "test-cluster".to_string()),
            ("path.data".to_string(), dirs.path().join("data").display().to_string()),
            // Fast enough for debug builds; the algorithm is the same.
            ("xpack.security.authc.password_hashing.algorithm".to_string(), "pbkdf2_1000".to_string()),
        ]);
        for (key, value) in settings {
            raw.insert(key.to_string(), value.to_string());
        }
        let settings = Settings::from_map(&conf_dir, raw).unwrap();
        let secure = SecureSettings::with_bootstrap_password(ELASTIC_PASSWORD);
        let node = Node::start(settings, secure).await.unwrap();
        let url = format!("http://{}", node.http_address());
        TestNode { node, url, conf_dir, _dirs: dirs }
    }

    /// The generated client, as `elastic`.
    pub fn client(&self) -> es_tokens_client::Client {
        self.client_with(&basic("elastic", ELASTIC_PASSWORD))
    }

    /// The generated client sending `authorization`.
    pub fn client_with(&self, authorization: &str) -> es_tokens_client::Client {
        es_tokens_client::Client::new_with_client(&self.url, http_client(Some(authorization)))
    }

    /// An HTTP client that authenticates as `elastic`.
    pub fn http(&self) -> reqwest::Client {
        http_client(Some(&basic("elastic", ELASTIC_PASSWORD)))
    }

    /// An HTTP client that sends `authorization`, or nothing.
    pub fn http_with(&self, authorization: Option<&str>) -> reqwest::Client {
        http_client(authorization)
    }

    pub fn addr(&self) -> SocketAddr {
        self.node.http_address()
    }

    pub fn node_id(&self) -> String {
        self.node.node_id()
    }

    /// Caches `names` of `account` in both caches, as a successful
    /// authentication would.
    pub fn seed(&self, account: &str, names: &[&str]) {
        self.node.remember_tokens(account, names);
    }

    /// Whether `account/name` is in the file cache and the index cache.
    /// Looking counts neither a hit nor a miss.
    pub fn cached(&self, account: &str, name: &str) -> (bool, bool) {
        (
            self.node.is_token_cached(TokenSource::File, account, name),
            self.node.is_token_cached(TokenSource::Index, account, name),
        )
    }

    /// The Prometheus exposition, read as `elastic`.
    pub async fn metrics(&self) -> String {
        self.http().get(format!("{}/metrics", self.url)).send().await.unwrap().text().await.unwrap()
    }

    /// The value of one series of the exposition.
    pub async fn metric(&self, series: &str) -> u64 {
        series_value(&self.metrics().await, series)
    }
}

/// The value of `series` (name and labels) in a Prometheus exposition.
pub fn series_value(exposition: &str, series: &str) -> u64 {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no series {series} in\n{exposition}"))
        .parse()
        .unwrap()
}

/// Elasticsearch's error body for one exception that is its own root
/// cause: `{"error":{"root_cause":[<cause>],<cause>},"status":<status>}`,
/// where the cause is its `type`, its `reason` and, raw JSON, `extra` fields
/// (`""` for none, else `,"header":{...}` and the like).
pub fn es_error_body(kind: &str, reason: &str, extra: &str, status: u16) -> String {
    let cause = format!(r#""type":{},"reason":{}{extra}"#, json(kind), json(reason));
    format!(r#"{{"error":{{"root_cause":[{{{cause}}}],{cause}}},"status":{status}}}"#)
}

/// `value` as a JSON string.
fn json(value: &str) -> String {
    serde_json::to_string(value).unwrap()
}

/// `name` as the client's token name; a test's names are valid.
pub fn token_name(name: &str) -> es_tokens_types::TokenName {
    name.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// `list` as the client's `name` list of the clear-cache call.
pub fn token_names(list: &str) -> es_tokens_types::TokenNameList {
    list.parse().unwrap_or_else(|e| panic!("{e}"))
}

/// The `Authorization` value for Basic credentials.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// The `Authorization` value for a bearer token.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn http_client(authorization: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(value) = authorization {
        headers.insert(reqwest::header::AUTHORIZATION, value.parse().unwrap());
    }
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

fn write_security_files(conf_dir: &std::path::Path, service_tokens: Option<&str>) {
    std::fs::create_dir_all(conf_dir).unwrap();
    let hasher = Hasher::Pbkdf2 { iterations: 1000 };
    let users: String = [SECURITY_ADMIN, TOKEN_MANAGER, READER, MONITOR, NOBODY, FILE_SUPERUSER]
        .iter()
        .map(|(user, password)| format!("{user}:{}\n", hasher.hash(password)))
        .collect();
    std::fs::write(conf_dir.join("users"), users).unwrap();
    std::fs::write(
        conf_dir.join("users_roles"),
        format!(
            "security_admin:{}\ntoken_manager:{}\nsecurity_reader:{}\nmonitoring:{}\nghost_role:{}\nsuperuser:{}\n",
            SECURITY_ADMIN.0, TOKEN_MANAGER.0, READER.0, MONITOR.0, NOBODY.0, FILE_SUPERUSER.0
        ),
    )
    .unwrap();
    std::fs::write(
        conf_dir.join("roles.yml"),
        "security_admin:\n  cluster: [manage_security]\n\
         token_manager:\n  cluster: [manage_service_account]\n\
         security_reader:\n  cluster: [read_security]\n\
         monitoring:\n  cluster: [monitor]\n",
    )
    .unwrap();
    if let Some(content) = service_tokens {
        std::fs::write(conf_dir.join("service_tokens"), content).unwrap();
    }
}

/// A response read off the wire.
pub struct RawResponse {
    pub status: u16,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Sends `request` (a complete HTTP/1.1 request, `Connection: close`) and
/// reads the whole response. For what an HTTP client library would not send.
pub async fn raw_request(addr: SocketAddr, request: &str) -> RawResponse {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes)).await.unwrap().unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    RawResponse { status, headers, body: body.to_string() }
}

/// `Authorization: Basic` for `elastic`, as a raw header line.
pub fn elastic_header_line() -> String {
    format!("Authorization: {}\r\n", basic("elastic", ELASTIC_PASSWORD))
}

pub mod cluster;
pub mod proxy;
pub mod python;

/// Polls `check` until it holds, for up to 30 seconds.
pub async fn eventually<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// A user or role name, checked as the generated client checks it.
pub fn native_name(name: &str) -> es_tokens_types::NativeName {
    name.parse().unwrap()
}
