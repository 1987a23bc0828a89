//! The node-to-node API a node serves on its transport port: the trait
//! `TransportApi` implemented over the node's state, every call checked
//! against the cluster's shared secret first.

use std::sync::Arc;

use dropshot::{Path, RequestContext, TypedBody};
use es_tokens_api::{EsError, EsReply, ResponseFormat, ServiceAccountPath};
use es_tokens_transport_api::TransportApi;
use es_tokens_types::{
    ClearSecurityCacheNodeRequest, HandshakeRequest, HandshakeResponse, NodeAcknowledgement, NodeServiceCredentials,
};
use subtle::ConstantTimeEq;

use crate::context::NodeContext;
use crate::error::ServiceError;

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
        Ok(reply(check_secret(&rqctx).and_then(|()| rqctx.context().clear_local_caches(&body.into_inner()))))
    }

    async fn node_service_credentials(
        rqctx: Ctx,
        path: Path<ServiceAccountPath>,
    ) -> Result<EsReply<NodeServiceCredentials>, EsError> {
        let node = rqctx.context();
        Ok(reply(check_secret(&rqctx).map(|()| {
            let path = path.into_inner();
            node.local_service_credentials(&path.namespace, &path.service)
        })))
    }
}
