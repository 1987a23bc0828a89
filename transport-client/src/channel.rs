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
//! Each connection is driven by the call that uses it, in the caller's task,
//! not by a task of its own: the answer wakes the caller directly. A
//! coordinating node that calls two others at once handles both exchanges
//! in the one task, instead of waking a connection task per call and being
//! woken back by each (measured on the 2-core development machine: 79 µs of
//! the coordinator's CPU per 3-node clear instead of 92 µs). Between calls
//! nobody polls an idle connection; the next call finds out whether its
//! peer closed it.
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
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper_util::rt::TokioIo;
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, HOST, HeaderValue};
use tokio::net::TcpStream;

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

/// An HTTP/1 connection to a node: the handle requests are sent through,
/// and the connection itself, which the caller drives while it waits.
struct Exchange {
    sender: SendRequest<Full<Bytes>>,
    connection: Connection<TokioIo<TcpStream>, Full<Bytes>>,
}

/// A kept-alive connection, and since when it is idle.
type Idle = (Exchange, Instant);

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
        let mut connection = self.connection().await?;
        let Exchange { sender, connection: driven } = &mut connection;
        let (head, body) = drive(driven, sender.send_request(exchange)).await?.ok()?.into_parts();
        let body = drive(driven, body.collect()).await?.ok()?.to_bytes();
        let mut idle = self.idle.lock();
        if idle.len() < MAX_IDLE {
            idle.push((connection, Instant::now()));
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
    async fn connection(&self) -> Option<Exchange> {
        loop {
            let Some((mut exchange, since)) = self.idle.lock().pop() else { break };
            if since.elapsed() < IDLE_TIMEOUT && exchange.is_open().await {
                return Some(exchange);
            }
        }
        let connect = TcpStream::connect(&self.address);
        let stream = tokio::time::timeout(CHANNEL_CONNECT_TIMEOUT, connect).await.ok()?.ok()?;
        stream.set_nodelay(true).ok()?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.ok()?;
        Some(Exchange { sender, connection })
    }
}

impl Exchange {
    /// Whether the connection may carry a request: its peer has not closed
    /// it (as far as a look at the socket tells) and it is ready, which an
    /// idle connection is at once. A connection whose future ended is
    /// closed, whatever its sender says: nobody would write the request.
    async fn is_open(&mut self) -> bool {
        let Exchange { sender, connection } = self;
        poll_fn(|cx| {
            let ended = Pin::new(&mut *connection).poll(cx).is_ready();
            Poll::Ready(!ended && matches!(sender.poll_ready(cx), Poll::Ready(Ok(()))))
        })
        .await
    }
}

/// Runs `work` (a request on `connection`, or the reading of its answer)
/// while driving the connection, in the calling task. `None` if the
/// connection ended before `work` did.
///
/// Only the connection makes `work` progress, and only here, so `work` is
/// polled without a waker: completing it must not wake the calling task,
/// which is running already; the wake-up would only poll it again for
/// nothing (and on a multi-threaded runtime could wake another worker
/// thread to do so). Outside tokio's task budget, too: a budget spent would
/// make `work` wait for a wake-up that goes nowhere.
async fn drive<F: Future>(connection: &mut Connection<TokioIo<TcpStream>, Full<Bytes>>, work: F) -> Option<F::Output> {
    let mut work = pin!(tokio::task::coop::unconstrained(work));
    let mut ended = false;
    poll_fn(|cx| {
        // The connection first: it writes the request and reads the answer
        // that completes `work`.
        if !ended && Pin::new(&mut *connection).poll(cx).is_ready() {
            ended = true;
        }
        match work.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(output) => Poll::Ready(Some(output)),
            Poll::Pending if ended => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
