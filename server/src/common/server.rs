//! Serving a dropshot API on the first free port of a range, as
//! Elasticsearch binds `http.port` and `transport.port`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};

use dropshot::{ApiDescription, BuildError, ConfigDropshot, HandlerTaskMode, HttpServer, ServerBuilder, ServerContext};

use crate::config::PortRange;
use crate::observability::logging;

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// A host setting does not name an address of this machine.
    #[error("failed to resolve host [{host}]: {message}")]
    Host { host: String, message: String },
    /// No port of the range could be bound.
    #[error("failed to bind {what} to [{host}:{ports}]: {message}")]
    Bind { what: &'static str, host: String, ports: String, message: String },
}

/// How a server is bound.
pub struct Bind<'a> {
    /// Names the server in errors.
    pub what: &'static str,
    /// The host setting's value.
    pub host: &'a str,
    /// The ports to try, in order.
    pub ports: PortRange,
    /// The largest request body it reads.
    pub max_body_bytes: usize,
}

/// Binds the first free port of `bind.ports` on `bind.host` and serves
/// `api` there with `context`, the server as `configure` sets it up.
pub fn serve<C: ServerContext + Clone>(
    bind: Bind<'_>,
    context: &C,
    api: impl Fn() -> ApiDescription<C>,
    configure: impl Fn(ServerBuilder<C>) -> ServerBuilder<C>,
) -> Result<HttpServer<C>, BindError> {
    let Bind { what, host, ports, max_body_bytes } = bind;
    let ip = resolve_host(host)?;
    let bind_error =
        |message: String| BindError::Bind { what, host: host.to_string(), ports: ports.to_string(), message };
    let mut last_error = String::from("empty port range");
    for port in ports.ports() {
        let config = ConfigDropshot {
            bind_address: SocketAddr::new(ip, port),
            // Handlers run in their connection's task (a third more requests
            // per second than a task per request); writes that must finish
            // spawn their own (`http::handlers::to_completion`).
            default_handler_task_mode: HandlerTaskMode::CancelOnDisconnect,
            default_request_body_max_bytes: max_body_bytes,
            ..ConfigDropshot::default()
        };
        let builder = ServerBuilder::new(api(), context.clone(), logging::dropshot_logger()).config(config);
        match configure(builder).start() {
            Ok(server) => return Ok(server),
            Err(BuildError::BindError { error, .. }) if error.kind() == std::io::ErrorKind::AddrInUse => {
                last_error = error.to_string();
            }
            Err(error) => return Err(bind_error(crate::error::error_chain(&error))),
        }
    }
    Err(bind_error(last_error))
}

/// A host setting as an address: an IP, `localhost`/`_local_`, or a host
/// name.
pub fn resolve_host(host: &str) -> Result<IpAddr, BindError> {
    match host {
        "_local_" | "localhost" => return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        _ => {}
    }
    if let Ok(ip) = host.parse() {
        return Ok(ip);
    }
    let error = |message: String| BindError::Host { host: host.to_string(), message };
    (host, 0)
        .to_socket_addrs()
        .map_err(|e| error(e.to_string()))?
        .next()
        .map(|addr| addr.ip())
        .ok_or_else(|| error("no address".to_string()))
}
