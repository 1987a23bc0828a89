//! The lean relay: the least a coordinating node can do, as the machine's
//! floor for a clear-cache call through a cluster.
//!
//! It takes a request on a port of its own, sends the bare node-to-node
//! clear to every member at once (as [`Members`] does for the fan-out
//! floor) and answers 200 once each member answered. It parses, checks and
//! renders nothing: what separates a node's clear through a cluster from
//! the relay's is the node's own work, what separates the relay from the
//! 1-node call plus the fan-out floor is the machine (one more process in
//! the chain of wake-ups). It is a process of its own (this tool, run as
//! `cargo xtask bench-relay`), on a current-thread runtime, as a
//! coordinating node is.

use std::cell::RefCell;
use std::convert::Infallible;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use super::cluster::Members;

/// A running relay process, stopped when dropped.
pub struct Relay {
    /// Where it takes requests.
    pub addr: SocketAddr,
    process: Child,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Starts a relay process to `members`, which take the secret in
/// `secret_file`.
pub fn spawn(members: &[SocketAddr], secret_file: &Path) -> anyhow::Result<Relay> {
    let mut command = Command::new(std::env::current_exe()?);
    command.arg("bench-relay").arg("--secret-file").arg(secret_file);
    for member in members {
        command.arg("--member").arg(member.to_string());
    }
    let process = command.stdout(Stdio::piped()).spawn().context("starting the relay")?;
    // Stopped when dropped, also if it does not say where it listens.
    let mut relay = Relay { addr: SocketAddr::from(([127, 0, 0, 1], 0)), process };
    let mut line = String::new();
    let stdout = relay.process.stdout.take().context("the relay's output")?;
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    relay.addr = line.trim().parse().with_context(|| format!("the relay's address, not {line:?}"))?;
    Ok(relay)
}

/// The relay process: prints where it listens, then serves until killed.
pub fn serve(members: Vec<SocketAddr>, secret_file: &Path) -> anyhow::Result<()> {
    let secret = std::fs::read_to_string(secret_file)?.trim().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let (members, secret) = (members.clone(), secret.clone());
            tokio::task::spawn_local(async move {
                if let Err(error) = relay_connection(stream, &members, &secret).await {
                    eprintln!("the bench relay failed: {error:#}");
                }
            });
        }
    })
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
