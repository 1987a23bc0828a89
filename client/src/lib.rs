//! Rust client for the Elasticsearch service-account token API.
//!
//! Generated at build time by progenitor from the checked-in contract,
//! `openapi/elasticsearch.json`; nothing here is written by hand but this
//! page. The wire types are not generated: they are the shared
//! [`es_tokens_types`], so the client and the server cannot disagree on them,
//! and so `_nodes` and `nodes` (which a generated struct would both name
//! `nodes`) keep their own fields.
//!
//! Every call needs credentials, passed as the `reqwest` client's
//! default `Authorization` header (Basic for users, `Bearer <token>` for
//! service accounts):
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut headers = reqwest::header::HeaderMap::new();
//! headers.insert("authorization", "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==".parse()?); // elastic:changeme
//! let http = reqwest::Client::builder().default_headers(headers).build()?;
//! let client = es_tokens_client::Client::new_with_client("http://127.0.0.1:9200", http);
//! let cleared = client
//!     .security_clear_cached_service_tokens("elastic", "fleet-server", "token1,token2")
//!     .await?
//!     .into_inner();
//! assert_eq!(cleared.node_stats.failed, 0);
//! println!("cleared on {} node(s) of {}", cleared.node_stats.successful, cleared.cluster_name);
//! # Ok(())
//! # }
//! ```
//!
//! Errors carry Elasticsearch's body:
//!
//! ```no_run
//! # async fn demo(client: es_tokens_client::Client) {
//! match client.security_clear_cached_service_tokens("elastic", "fleet-server", "_bad").await {
//!     Err(es_tokens_client::Error::ErrorResponse(response)) => {
//!         assert_eq!(response.status().as_u16(), 400);
//!         assert_eq!(response.error.kind, "illegal_argument_exception");
//!     }
//!     other => panic!("expected a 400, got {other:?}"),
//! }
//! # }
//! ```

/// The wire types the client speaks, re-exported so callers need not depend
/// on the crate themselves.
pub use es_tokens_types;

progenitor::generate_api!(
    spec = "../openapi/elasticsearch.json",
    interface = Positional,
    tags = Merged,
    replace = {
        ApplicationPrivileges = es_tokens_types::ApplicationPrivileges,
        AuthenticateResponse = es_tokens_types::AuthenticateResponse,
        AuthenticateToken = es_tokens_types::AuthenticateToken,
        ClearCachedServiceTokensResponse = es_tokens_types::ClearCachedServiceTokensResponse,
        ClusterNode = es_tokens_types::ClusterNode,
        CreateServiceTokenResponse = es_tokens_types::CreateServiceTokenResponse,
        DeleteServiceTokenResponse = es_tokens_types::DeleteServiceTokenResponse,
        ElasticsearchVersionInfo = es_tokens_types::ElasticsearchVersionInfo,
        ErrorCause = es_tokens_types::ErrorCause,
        ErrorResponse = es_tokens_types::ErrorResponse,
        FieldSecurity = es_tokens_types::FieldSecurity,
        FileTokenInfo = es_tokens_types::FileTokenInfo,
        GetServiceCredentialsResponse = es_tokens_types::GetServiceCredentialsResponse,
        IndicesPrivileges = es_tokens_types::IndicesPrivileges,
        InfoResponse = es_tokens_types::InfoResponse,
        NodeStatistics = es_tokens_types::NodeStatistics,
        NodesCredentials = es_tokens_types::NodesCredentials,
        RealmInfo = es_tokens_types::RealmInfo,
        RemoteClusterPrivileges = es_tokens_types::RemoteClusterPrivileges,
        RemoteIndicesPrivileges = es_tokens_types::RemoteIndicesPrivileges,
        RoleDescriptor = es_tokens_types::RoleDescriptor,
        ServiceAccountInfo = es_tokens_types::ServiceAccountInfo,
        ServiceToken = es_tokens_types::ServiceToken,
        TokenInfo = es_tokens_types::TokenInfo,
    },
);
