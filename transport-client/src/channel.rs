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
//! the exchange itself.
//!
//! A call this path cannot carry (no connection can be made, or one breaks,
//! possibly after the request went out) is sent again through reqwest, so
//! that failures keep reqwest's error types and wording. Every call of the
//! node-to-node API is idempotent (the API trait requires it), so a call
//! that reaches a node twice does no harm. One visible difference: a node
//! that dies during a call is reported by the retry as unreachable
//! (`connect_transport_exception`), where Elasticsearch reports it as
//! disconnected.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, HOST, HeaderValue};

/// How long a new connection may take through reqwest, which decides
/// whether a node is reachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a new connection may take on this path before the call goes to
/// reqwest: short, so that a node that does not answer costs little more
/// than reqwest's own attempt.
const CHANNEL_CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// Idle connections kept per node; more are closed after use.
const MAX_IDLE: usize = 32;

/// How long a connection may stay idle before it is closed rather than
/// reused (reqwest's default), so that connections to nodes that went away
/// without closing them do not linger.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// A kept-alive connection, and since when it is idle.
type Idle = (SendRequest<Full<Bytes>>, Instant);

/// The way to one node of the cluster.
pub struct Channel {
    /// `host:port` of the node's transport API.
    address: String,
    /// `Bearer <secret>`, if the cluster has a secret.
    authorization: Option<HeaderValue>,
    idle: parking_lot::Mutex<Vec<Idle>>,
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

    /// `host:port` of the node's transport API.
    pub fn address(&self) -> &str {
        &self.address
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
            idle.push((sender, Instant::now()));
        }
        drop(idle);
        // With the URL the answer came from, which reqwest's errors show.
        let mut answer = http::Response::builder().status(head.status).version(head.version).url(request.url().clone());
        if let Some(headers) = answer.headers_mut() {
            *headers = head.headers;
        }
        Some(reqwest::Response::from(answer.body(body).ok()?))
    }

    /// An idle connection that is still open, or a new one.
    async fn connection(&self) -> Option<SendRequest<Full<Bytes>>> {
        loop {
            let Some((mut sender, since)) = self.idle.lock().pop() else { break };
            if since.elapsed() < IDLE_TIMEOUT && sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
        let connect = tokio::net::TcpStream::connect(&self.address);
        let stream = tokio::time::timeout(CHANNEL_CONNECT_TIMEOUT, connect).await.ok()?.ok()?;
        stream.set_nodelay(true).ok()?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.ok()?;
        // The connection ends when either side closes it; a call on it then
        // fails and is sent through reqwest.
        tokio::spawn(connection);
        Some(sender)
    }
}
