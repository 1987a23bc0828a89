//! A real node on 127.0.0.1:0 for integration tests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use es_tokens_server::{Node, Settings};

/// A node with its own config and data directories.
pub struct TestNode {
    pub node: Node,
    pub url: String,
    _dirs: tempfile::TempDir,
}

impl TestNode {
    /// Starts a node with default settings plus `settings` (`key`, `value`).
    pub async fn start(settings: &[(&str, &str)]) -> TestNode {
        let dirs = tempfile::tempdir().unwrap();
        let mut raw: BTreeMap<String, String> = BTreeMap::from([
            ("http.port".to_string(), "0".to_string()),
            ("node.name".to_string(), "test-node".to_string()),
            ("cluster.name".to_string(), "test-cluster".to_string()),
            ("path.data".to_string(), dirs.path().join("data").display().to_string()),
        ]);
        for (key, value) in settings {
            raw.insert(key.to_string(), value.to_string());
        }
        let settings = Settings::from_map(&dirs.path().join("config"), raw).unwrap();
        let node = Node::start(settings).await.unwrap();
        let url = format!("http://{}", node.http_address());
        TestNode { node, url, _dirs: dirs }
    }

    pub fn client(&self) -> es_tokens_client::Client {
        es_tokens_client::Client::new(&self.url)
    }

    pub fn addr(&self) -> SocketAddr {
        self.node.http_address()
    }

    pub fn node_id(&self) -> String {
        self.node.context().identity.node_id.clone()
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
