//! The lean relay: the least a coordinating node can do, as the machine's
//! floor for a clear-cache call through a cluster.
//!
//! It takes a request on a port of its own, sends the bare node-to-node
//! clear to every member at once (as [`Members`] does for the fan-out
//! floor) and answers 200 once each member answered. It parses, checks and
//! renders nothing: what separates a node's clear through a cluster from
//! the relay's is the node's own work, what separates the relay from the
//! 1-node call plus the fan-out floor is the machine (one more process in
//! the chain of wake-ups). It runs on a thread and a current-thread runtime
//! of its own, beside the load generator, as a coordinating node would be a
//! process of its own.

use std::cell::RefCell;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::rc::Rc;
use std::thread::JoinHandle;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use super::cluster::Members;

/// A running relay, stopped when dropped.
pub struct Relay {
    /// Where it takes requests.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts a relay to `members`, which take `secret`.
pub fn start(members: Vec<SocketAddr>, secret: &str) -> anyhow::Result<Relay> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let secret = secret.to_string();
    let (stop, mut stopped) = oneshot::channel();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let thread = std::thread::Builder::new()
        .name("bench-relay".to_string())
        .spawn(move || {
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("a listener");
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let _ = stream.set_nodelay(true);
                            let (members, secret) = (members.clone(), secret.clone());
                            tokio::task::spawn_local(async move {
                                if let Err(error) = relay_connection(stream, &members, &secret).await {
                                    eprintln!("the bench relay failed: {error:#}");
                                }
                            });
                        }
                    }
                }
            })
        })
        .context("starting the relay's thread")?;
    Ok(Relay { addr, stop: Some(stop), thread: Some(thread) })
}

/// Serves one client connection, with connections of its own to the
/// members: its requests come one at a time.
async fn relay_connection(stream: tokio::net::TcpStream, members: &[SocketAddr], secret: &str) -> anyhow::Result<()> {
    let members = Rc::new(RefCell::new(Some(Members::connect(members, secret).await?)));
    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let members = Rc::clone(&members);
        async move {
            // Read whole, as a node reads a request before it answers.
            let _ = request.into_body().collect().await;
            let taken = members.borrow_mut().take();
            let (status, body) = match taken {
                Some(mut connected) => {
                    let outcome = connected.clear().await;
                    *members.borrow_mut() = Some(connected);
                    match outcome {
                        Ok(()) => (200, "{}".to_string()),
                        Err(error) => (500, format!("{error:#}")),
                    }
                }
                None => (500, "a request while another is under way".to_string()),
            };
            let response = hyper::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body)))
                .expect("a valid response");
            Ok::<_, Infallible>(response)
        }
    });
    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await?;
    Ok(())
}
