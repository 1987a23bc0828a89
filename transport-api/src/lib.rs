//! The node-to-node API: what a coordinating node asks the other nodes of
//! its cluster, on their transport port.
//!
//! Elasticsearch runs these as transport actions over its binary protocol;
//! here they are HTTP calls with a contract of their own
//! (`openapi/transport.json`, checked like the public one) and a generated
//! client (`transport-client/`). Every call presents the cluster's shared
//! secret as `Authorization: Bearer <secret>`: none is a 401, a wrong one a
//! 403, and either touches nothing.
//!
//! Every call must be idempotent: a coordinating node may send one twice
//! when a connection breaks under it (see `transport-client`'s channel).

use dropshot::{Path, RequestContext, TypedBody};
use es_tokens_api::contract::{Contract, ErrorStatus, NODE_FILE_TOKENS, Operation, ProductHeader, Security};
use es_tokens_api::{EsError, EsReply, ServiceAccountPath};
use es_tokens_types::transport::{
    ClearSecurityCacheNodeRequest, HandshakeRequest, HandshakeResponse, NodeAcknowledgement, NodeCapabilities,
    NodeCapabilitiesRequest, NodeServiceCredentials,
};

/// The title of the OpenAPI document.
pub const API_TITLE: &str = "es-tokens node-to-node API";
/// The version of the OpenAPI document; bump it when the contract changes.
pub const API_VERSION: &str = "0.4.0";

/// The API a node serves on `transport.port`.
#[dropshot::api_description]
pub trait TransportApi {
    /// The node's state.
    type Context;

    /// Introduce a node
    ///
    /// The caller says who it is and which cluster it belongs to; a node of
    /// the same `cluster.name` becomes a member, any other is refused with a
    /// 400. The answer says who answered and which members it knows.
    #[endpoint {
        method = POST,
        path = "/_transport/handshake",
        operation_id = "handshake",
    }]
    async fn handshake(
        rqctx: RequestContext<Self::Context>,
        body: TypedBody<HandshakeRequest>,
    ) -> Result<EsReply<HandshakeResponse>, EsError>;

    /// Clear security caches on this node
    ///
    /// Removes the given keys from the named caches of this node: the
    /// service-token caches (a key ending in `/` is an account prefix), the
    /// realm caches (`<realm>/<username>`) or the role cache (role names).
    /// A realm this node does not have is a 400, once the realms named
    /// before it are cleared.
    #[endpoint {
        method = POST,
        path = "/_transport/security/cache/clear",
        operation_id = "clear-security-cache",
    }]
    async fn clear_security_cache(
        rqctx: RequestContext<Self::Context>,
        body: TypedBody<ClearSecurityCacheNodeRequest>,
    ) -> Result<EsReply<NodeAcknowledgement>, EsError>;

    /// Get this node's file tokens of a service account
    ///
    /// The names of the account's tokens in this node's `service_tokens` file.
    #[endpoint {
        method = GET,
        path = "/_transport/service/{namespace}/{service}/credential",
        operation_id = "get-node-service-credentials",
    }]
    async fn node_service_credentials(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceAccountPath>,
    ) -> Result<EsReply<NodeServiceCredentials>, EsError>;

    /// Check this node's REST capabilities
    ///
    /// Whether this node has a REST route for the method and path that takes
    /// the parameters and has the capabilities named.
    #[endpoint {
        method = POST,
        path = "/_transport/capabilities",
        operation_id = "node-capabilities",
    }]
    async fn node_capabilities(
        rqctx: RequestContext<Self::Context>,
        body: TypedBody<NodeCapabilitiesRequest>,
    ) -> Result<EsReply<NodeCapabilities>, EsError>;
}

/// Renders the OpenAPI document of [`TransportApi`], exactly as it is checked
/// in under `openapi/`.
pub fn openapi_document() -> String {
    let description = transport_api_mod::stub_api_description().expect("the API trait describes a valid API");
    es_tokens_api::render_document(
        &description,
        API_TITLE,
        API_VERSION,
        "Calls between the nodes of one cluster: membership, and the per-node halves of the cluster-wide security \
         actions. Every call needs the cluster's shared secret as a bearer token.",
        &CONTRACT,
    )
}

/// The routes of [`TransportApi`] (see [`es_tokens_api::routes`]).
pub fn transport_routes() -> Vec<(String, String, String)> {
    es_tokens_api::routes(&transport_api_mod::stub_api_description().expect("the API trait describes a valid API"))
}

/// What the document says beyond what dropshot renders.
pub const CONTRACT: Contract = {
    use ErrorStatus::*;
    const WITH_BODY: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden, PayloadTooLarge];
    Contract {
        operations: &[
            Operation {
                id: "handshake",
                errors: WITH_BODY,
                examples: include_str!("../examples/handshake.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "clear-security-cache",
                errors: WITH_BODY,
                examples: include_str!("../examples/clear-security-cache.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "get-node-service-credentials",
                errors: &[Unauthorized, Forbidden],
                examples: include_str!("../examples/get-node-service-credentials.json"),
                links: NODE_FILE_TOKENS,
                text: None,
                request_body: None,
            },
            Operation {
                id: "node-capabilities",
                errors: WITH_BODY,
                examples: include_str!("../examples/node-capabilities.json"),
                links: &[],
                text: None,
                request_body: None,
            },
        ],
        security: Security::SharedSecret,
        error_product_header: ProductHeader::FromHandlers,
        tags: &[],
        echoes_opaque_id: false,
    }
};
