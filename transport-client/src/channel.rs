//! How a node reaches one other node: its address, the cluster's secret, and
//! a few keep-alive HTTP/1 connections that the generated client's calls
//! are exchanged over.
//!
//! The generated client still builds every request and decodes every answer;
//! only the exchange itself goes over these connections, not through
//! reqwest's pool. A cluster-wide clear waits for a call to every other node,
//! and on that path reqwest's general-purpose machinery (a pool keyed by
//! URL, a task per connection fed through channels, timers, header merging)
//! cost about 30 µs of CPU per call on the development machine, as much as
//! the exchange itself. A call this path cannot
//! carry (no connection can be made, or one breaks) is sent again through
//! reqwest, so that failures keep reqwest's error types and wording. The
//! node-to-node calls are idempotent, so sending one twice is harmless.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use reqwest::header::{AUTHORIZATION, HOST, HeaderValue};

/// How long a new connection may take, on this path and through reqwest.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Idle connections kept per node; more are closed after use.
const MAX_IDLE: usize = 8;

/// The way to one node of the cluster.
pub struct Channel {
    /// `host:port` of the node's transport API.
    address: String,
    /// `Bearer <secret>`, if the cluster has a secret.
    authorization: Option<HeaderValue>,
    idle: parking_lot::Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret.
        f.debug_struct("Channel").field("address", &self.address).finish_non_exhaustive()
    }
}

impl Channel {
    /// The way to the node at `address` (`host:port`), presenting `secret`
    /// on every call.
    pub fn new(address: &str, secret: Option<&str>) -> Self {
        let authorization = secret.map(|secret| {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {secret}")).expect("the secret is a valid header value");
            value.set_sensitive(true);
            value
        });
        Channel { address: address.to_string(), authorization, idle: parking_lot::Mutex::new(Vec::new()) }
    }

    /// The base URL of the node's transport API.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Adds the cluster's secret to a call, whichever path carries it.
    pub(crate) fn authorize(&self, request: &mut reqwest::Request) {
        if let Some(authorization) = &self.authorization {
            request.headers_mut().insert(AUTHORIZATION, authorization.clone());
        }
    }

    /// Exchanges `request` over a kept-alive connection, or a new one. `None`
    /// when that is not possible; the caller then sends it through reqwest.
    pub(crate) async fn send(&self, request: &reqwest::Request) -> Option<reqwest::Response> {
        // Only whole bodies: every call of the node-to-node API has one.
        let body = match request.body() {
            Some(body) => Bytes::copy_from_slice(body.as_bytes()?),
            None => Bytes::new(),
        };
        let url = request.url();
        let target = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        let mut exchange =
            http::Request::builder().method(request.method().clone()).uri(target).body(Full::new(body)).ok()?;
        *exchange.headers_mut() = request.headers().clone();
        exchange.headers_mut().insert(HOST, HeaderValue::from_str(&self.address).ok()?);
        let mut sender = self.connection().await?;
        let (head, body) = sender.send_request(exchange).await.ok()?.into_parts();
        let body = body.collect().await.ok()?.to_bytes();
        let mut idle = self.idle.lock();
        if idle.len() < MAX_IDLE {
            idle.push(sender);
        }
        drop(idle);
        Some(reqwest::Response::from(http::Response::from_parts(head, body)))
    }

    /// An idle connection that is still open, or a new one.
    async fn connection(&self) -> Option<SendRequest<Full<Bytes>>> {
        loop {
            let Some(mut sender) = self.idle.lock().pop() else { break };
            if sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
        let stream =
            tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&self.address)).await.ok()?.ok()?;
        stream.set_nodelay(true).ok()?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.ok()?;
        // The connection ends when either side closes it; a call on it then
        // fails and is sent through reqwest.
        tokio::spawn(connection);
        Some(sender)
    }
}
