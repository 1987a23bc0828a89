//! The node-to-node API a node serves on its transport port: its settings,
//! the server, and the `TransportApi` trait implemented over the node's
//! state, every call checked against the cluster's shared secret first. Each
//! call hands its decoded request to the node half of its action.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use dropshot::{HttpServer, Path, RequestContext, TypedBody};
use es_tokens_api::{EsError, EsReply, ResponseFormat, ServiceAccountPath};
use es_tokens_transport_api::{TransportApi, transport_api_mod};
use es_tokens_types::transport::{
    ClearSecurityCacheNodeRequest, HandshakeRequest, HandshakeResponse, NodeAcknowledgement, NodeCapabilities,
    NodeCapabilitiesRequest, NodeServiceCredentials,
};
use subtle::ConstantTimeEq;

use crate::actions::{clear_security_cache, get_service_credentials, nodes_capabilities};
use crate::common::server::{Bind, BindError, resolve_host, serve};
use crate::config::{PortRange, Setting, Settings, SettingsError, values};
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The address the node-to-node API binds to.
pub const TRANSPORT_HOST_SETTING: Setting<String> =
    Setting::new("transport.host", "127.0.0.1", values::non_blank, "address the node-to-node API binds to");

/// The address other nodes reach this one at.
pub const TRANSPORT_PUBLISH_HOST_SETTING: Setting<String> = Setting::derived(
    "transport.publish_host",
    "<transport.host>",
    |settings: &Settings| TRANSPORT_HOST_SETTING.get(settings),
    values::non_blank,
    "address other nodes reach this one at; required when transport.host is a wildcard (0.0.0.0)",
);

/// The port, or ports, of the node-to-node API.
pub const TRANSPORT_PORT_SETTING: Setting<PortRange> = Setting::new(
    "transport.port",
    "9300-9400",
    values::port_range,
    "port of the node-to-node API, or a range (9300-9400) to take the first free one; 0 picks any free port",
);

/// The port other nodes reach this one at, when it is not the bound one
/// (behind a proxy or a port mapping).
pub const TRANSPORT_PUBLISH_PORT_SETTING: Setting<Option<u16>> = Setting::new(
    "transport.publish_port",
    "-1",
    parse_publish_port,
    "port other nodes reach this one at; -1 is the port the node-to-node API bound",
);

fn parse_publish_port(key: &str, value: &str) -> Result<Option<u16>, SettingsError> {
    match value.trim() {
        "-1" => Ok(None),
        port => port.parse().map(Some).map_err(|_| SettingsError::Invalid {
            key: key.to_string(),
            value: value.to_string(),
            detail: String::new(),
        }),
    }
}

const TRANSPORT_SECRET_FILE_SETTING_KEY: &str = "transport.shared_secret_file";

/// The file holding the cluster's shared secret, relative to the config
/// directory.
pub const TRANSPORT_SECRET_FILE_SETTING: Setting<Option<PathBuf>> = Setting::new(
    TRANSPORT_SECRET_FILE_SETTING_KEY,
    "",
    values::optional_path,
    "file holding the secret every node-to-node call must present; without it no node can call this one",
);

/// The largest node-to-node request a node reads: what Elasticsearch's
/// `http.max_content_length` allows by default, so that any clear the HTTP
/// API takes fits.
const MAX_REQUEST_BYTES: usize = 100 * 1024 * 1024;

/// Why the shared secret cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("failed to read [transport.shared_secret_file] [{path}]: {message}")]
pub struct SecretError {
    path: PathBuf,
    message: String,
}

/// Reads `transport.shared_secret_file`, relative to the config directory;
/// no setting, no secret. An empty setting is an error, not "no secret": it
/// is what a placeholder of an unset variable leaves.
pub fn read_secret(settings: &Settings) -> Result<Option<String>, SecretError> {
    let Some(path) = TRANSPORT_SECRET_FILE_SETTING.get(settings) else {
        if settings.raw(TRANSPORT_SECRET_FILE_SETTING_KEY).is_some() {
            return Err(SecretError { path: PathBuf::new(), message: "the setting is empty".to_string() });
        }
        return Ok(None);
    };
    let path = settings.path_conf().join(path);
    let error = |message: String| SecretError { path: path.clone(), message };
    let secret = std::fs::read_to_string(&path).map_err(|e| error(e.to_string()))?;
    let secret = secret.trim().to_string();
    if secret.is_empty() {
        return Err(error("the file is empty".to_string()));
    }
    if http::HeaderValue::from_str(&format!("Bearer {secret}")).is_err() {
        return Err(error("the secret must be printable ASCII".to_string()));
    }
    Ok(Some(secret))
}

/// Serves the node-to-node API on `transport.host`:`transport.port`;
/// returns the server and the address other nodes reach it at.
pub fn start_server(
    settings: &Settings,
    context: &Arc<NodeContext>,
) -> Result<(HttpServer<Arc<NodeContext>>, SocketAddr), BindError> {
    let host = TRANSPORT_HOST_SETTING.get(settings);
    // Room for a clear of as many names as the HTTP API can carry.
    let max_body_bytes = MAX_REQUEST_BYTES;
    let bind = Bind { what: "transport", host: &host, ports: TRANSPORT_PORT_SETTING.get(settings), max_body_bytes };
    let server = serve(
        bind,
        context,
        || transport_api_mod::api_description::<TransportNode>().expect("the transport API trait is valid"),
        |builder| builder,
    )?;
    let port = TRANSPORT_PUBLISH_PORT_SETTING.get(settings).unwrap_or(server.local_addr().port());
    let published = publish_address(&TRANSPORT_PUBLISH_HOST_SETTING.get(settings), port)?;
    Ok((server, published))
}

/// Where other nodes reach this one: `transport.publish_host` at `port`. A
/// wildcard is no address to reach.
fn publish_address(publish_host: &str, port: u16) -> Result<SocketAddr, BindError> {
    let ip = resolve_host(publish_host)?;
    if ip.is_unspecified() {
        return Err(BindError::Host {
            host: publish_host.to_string(),
            message: "a wildcard address cannot be published to other nodes; set [transport.publish_host]".to_string(),
        });
    }
    Ok(SocketAddr::new(ip, port))
}

/// The node's implementation of [`TransportApi`].
pub enum TransportNode {}

type Ctx = RequestContext<Arc<NodeContext>>;

/// Checks the caller's `Authorization: Bearer <secret>` in constant time.
/// Without a configured secret nobody is let in.
fn check_secret(rqctx: &Ctx) -> Result<(), ServiceError> {
    let presented = rqctx
        .request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ServiceError::TransportUnauthenticated)?;
    let expected = rqctx.context().transport_secret.as_deref().ok_or(ServiceError::TransportForbidden)?;
    if bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        tracing::warn!(remote_addr = %rqctx.request.remote_addr(), "a node-to-node call presented a wrong secret");
        Err(ServiceError::TransportForbidden)
    }
}

fn reply<T>(outcome: Result<T, ServiceError>) -> EsReply<T> {
    EsReply::new(outcome, ResponseFormat::default())
}

impl TransportApi for TransportNode {
    type Context = Arc<NodeContext>;

    async fn handshake(rqctx: Ctx, body: TypedBody<HandshakeRequest>) -> Result<EsReply<HandshakeResponse>, EsError> {
        Ok(reply(check_secret(&rqctx).and_then(|()| rqctx.context().cluster.accept_handshake(body.into_inner()))))
    }

    async fn clear_security_cache(
        rqctx: Ctx,
        body: TypedBody<ClearSecurityCacheNodeRequest>,
    ) -> Result<EsReply<NodeAcknowledgement>, EsError> {
        let outcome = check_secret(&rqctx)
            .and_then(|()| Ok(clear_security_cache::ClearSecurityCache::decode(body.into_inner())?))
            .and_then(|request| clear_security_cache::node_operation(rqctx.context(), &request));
        Ok(reply(outcome))
    }

    async fn node_service_credentials(
        rqctx: Ctx,
        path: Path<ServiceAccountPath>,
    ) -> Result<EsReply<NodeServiceCredentials>, EsError> {
        let outcome = check_secret(&rqctx).map(|()| {
            let path = path.into_inner();
            get_service_credentials::node_operation(rqctx.context(), &path.namespace, &path.service)
        });
        Ok(reply(outcome))
    }

    async fn node_capabilities(
        rqctx: Ctx,
        body: TypedBody<NodeCapabilitiesRequest>,
    ) -> Result<EsReply<NodeCapabilities>, EsError> {
        let outcome =
            check_secret(&rqctx).map(|()| nodes_capabilities::node_operation(rqctx.context(), &body.into_inner()));
        Ok(reply(outcome))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn settings(conf_dir: &std::path::Path, file: &str) -> Settings {
        let raw = BTreeMap::from([(TRANSPORT_SECRET_FILE_SETTING_KEY.to_string(), file.to_string())]);
        Settings::from_map(conf_dir, raw).unwrap()
    }

    #[test]
    fn the_secret_file_is_read_from_the_config_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret"), "  s3cret\n").unwrap();
        assert_eq!(read_secret(&settings(dir.path(), "secret")).unwrap(), Some("s3cret".to_string()));
        let none = Settings::from_map(dir.path(), BTreeMap::new()).unwrap();
        assert_eq!(read_secret(&none).unwrap(), None);
    }

    #[test]
    fn an_empty_secret_or_setting_stops_the_node() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("empty"), "\n").unwrap();
        let error = read_secret(&settings(dir.path(), "empty")).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "failed to read [transport.shared_secret_file] [{}]: the file is empty",
                dir.path().join("empty").display()
            )
        );
        let error = read_secret(&settings(dir.path(), "")).unwrap_err();
        assert_eq!(error.to_string(), "failed to read [transport.shared_secret_file] []: the setting is empty");
        assert!(read_secret(&settings(dir.path(), "missing")).is_err());
    }
}
