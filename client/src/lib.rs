//! Rust client for the Elasticsearch service-account token API.
//!
//! Generated at build time by progenitor from the checked-in contract,
//! `openapi/elasticsearch.json` (see `build.rs`); nothing here is written by
//! hand but this page. The wire types are not generated: they are the shared
//! [`es_tokens_types`], so the client and the server cannot disagree on them,
//! and so `_nodes` and `nodes` (which a generated struct would both name
//! `nodes`) keep their own fields. The node-to-node API's types are in
//! [`es_tokens_types::transport`], not at this crate's root: this client does
//! not speak it.
//!
//! # Calls
//!
//! One method per operation; the `_1`/`_2` names are Elasticsearch's own
//! operation ids (`security.create_service_token` has three routes).
//!
//! | method and path                                                          | client method                               |
//! |--------------------------------------------------------------------------|---------------------------------------------|
//! | `GET /`                                                                  | [`Client::info`]                            |
//! | `HEAD /`                                                                 | [`Client::ping`]                            |
//! | `POST /_security/service/{namespace}/{service}/credential/token/{name}/_clear_cache` | [`Client::security_clear_cached_service_tokens`] |
//! | `PUT /_security/service/{namespace}/{service}/credential/token/{name}`   | [`Client::security_create_service_token`]   |
//! | `POST /_security/service/{namespace}/{service}/credential/token/{name}`  | [`Client::security_create_service_token_1`] |
//! | `POST /_security/service/{namespace}/{service}/credential/token`         | [`Client::security_create_service_token_2`] |
//! | `DELETE /_security/service/{namespace}/{service}/credential/token/{name}` | [`Client::security_delete_service_token`]  |
//! | `GET /_security/service/{namespace}/{service}/credential`                | [`Client::security_get_service_credentials`] |
//! | `GET /_security/service/{namespace}/{service}`                           | [`Client::security_get_service_accounts`]   |
//! | `GET /_security/service/{namespace}`                                     | [`Client::security_get_service_accounts_1`] |
//! | `GET /_security/service`                                                 | [`Client::security_get_service_accounts_2`] |
//! | `GET /_security/_authenticate`                                           | [`Client::security_authenticate`]           |
//! | `GET /metrics`                                                           | [`Client::metrics`]                         |
//!
//! Token names are [`es_tokens_types::TokenName`]s and the clear-cache list a
//! [`es_tokens_types::TokenNameList`]: the node's rules, checked before a
//! request is sent.
//!
//! Every call needs credentials, passed as the `reqwest` client's default
//! `Authorization` header (Basic for users, `Bearer <token>` for service
//! accounts):
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut headers = reqwest::header::HeaderMap::new();
//! headers.insert("authorization", "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==".parse()?); // elastic:changeme
//! let http = reqwest::Client::builder().default_headers(headers).build()?;
//! let client = es_tokens_client::Client::new_with_client("http://127.0.0.1:9200", http);
//! # Ok(())
//! # }
//! ```
//!
//! Each call, in the examples below, on such a `client`:
//!
//! ```no_run
//! # async fn demo(client: es_tokens_client::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use es_tokens_types::{RefreshPolicy, TokenName, TokenNameList};
//!
//! // GET / and HEAD /
//! let info = client.info().await?.into_inner();
//! println!("{} of {}, answering as {}", info.name, info.cluster_name, info.version.number);
//! client.ping().await?;
//!
//! // Create a token, named or not; its value is shown once.
//! let token1: TokenName = "token1".parse()?;
//! let created = client.security_create_service_token("elastic", "fleet-server", &token1, None).await?.into_inner();
//! let bearer = created.token.value;
//! let token2: TokenName = "token2".parse()?;
//! client.security_create_service_token_1("elastic", "fleet-server", &token2, Some(&RefreshPolicy::WaitFor)).await?;
//! let generated = client.security_create_service_token_2("elastic", "fleet-server", None).await?.into_inner();
//! println!("created {}", generated.token.name);
//!
//! // The account's tokens, in the index and in every node's file.
//! let credentials = client.security_get_service_credentials("elastic", "fleet-server").await?.into_inner();
//! println!("{} token(s)", credentials.count);
//!
//! // Clear some tokens, or all of the account, from every node's caches.
//! let cleared = client
//!     .security_clear_cached_service_tokens("elastic", "fleet-server", &TokenNameList::of([&token1, &token2]))
//!     .await?
//!     .into_inner();
//! assert_eq!(cleared.node_stats.failed, 0);
//! client.security_clear_cached_service_tokens("elastic", "fleet-server", &TokenNameList::all()).await?;
//!
//! // Delete a token.
//! let deleted = client.security_delete_service_token("elastic", "fleet-server", &token1, None).await?.into_inner();
//! assert!(deleted.found);
//!
//! // The service accounts: one, a namespace's, all.
//! let fleet = client.security_get_service_accounts("elastic", "fleet-server").await?.into_inner();
//! println!("{:?}", fleet["elastic/fleet-server"].role_descriptor.cluster);
//! client.security_get_service_accounts_1("elastic").await?;
//! client.security_get_service_accounts_2().await?;
//!
//! // Who the credentials are, and the node's metrics (text).
//! let me = client.security_authenticate().await?.into_inner();
//! println!("{} by {}", me.username, me.authentication_type);
//! let metrics = client.metrics().await?;
//! # let _ = (bearer, metrics);
//! # Ok(())
//! # }
//! ```
//!
//! Errors carry Elasticsearch's body as a typed [`es_tokens_types::ErrorResponse`]
//! (type, reason, status); a delete of a token that does not exist is its
//! 404 `{"found":false}`, typed too ([`es_tokens_types::DeleteServiceTokenError`]):
//!
//! ```no_run
//! # async fn demo(client: es_tokens_client::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use es_tokens_client::Error;
//! use es_tokens_types::DeleteServiceTokenError;
//!
//! match client.security_create_service_token("elastic", "nope", &"t".parse()?, None).await {
//!     Err(Error::ErrorResponse(response)) => {
//!         assert_eq!(response.status().as_u16(), 400);
//!         assert_eq!(response.error.kind, "illegal_argument_exception");
//!         assert_eq!(response.error.reason.as_deref(), Some("service account [elastic/nope] does not exist"));
//!     }
//!     other => panic!("expected a 400, got {other:?}"),
//! }
//! match client.security_delete_service_token("elastic", "fleet-server", &"missing".parse()?, None).await {
//!     Err(Error::ErrorResponse(response)) => match response.into_inner() {
//!         DeleteServiceTokenError::NotFound(not_found) => assert!(!not_found.found),
//!         DeleteServiceTokenError::Error(error) => panic!("{}", error.status),
//!     },
//!     other => panic!("expected a 404, got {other:?}"),
//! }
//! # Ok(())
//! # }
//! ```

/// The wire types the client speaks, re-exported so callers need not depend
/// on the crate themselves.
pub use es_tokens_types;

include!(concat!(env!("OUT_DIR"), "/client.rs"));
