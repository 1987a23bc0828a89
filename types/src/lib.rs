//! Wire types of the Elasticsearch service-account token APIs.
//!
//! These types are shared, unchanged, by the API trait (which renders them
//! into the OpenAPI document), the server (which serializes them) and the
//! generated client (which uses them in place of generated types, see
//! `client/src/lib.rs`). Field order is part of the contract: Elasticsearch
//! clients never depend on it, but people diffing responses do, so every
//! struct declares its fields in the order Elasticsearch writes them.
//!
//! This crate must stay free of server dependencies: the client depends on it.
//!
//! The bodies of the node-to-node API are in [`transport`], apart from the
//! public API's.

mod clear_cache;
mod cluster;
mod error;
mod has_privileges;
mod info;
mod nodes;
mod params;
pub mod privileges;
mod security;
mod service_account;
pub mod transport;

pub use clear_cache::ClearCachedServiceTokensResponse;
pub use cluster::{CapabilitiesResponse, ClusterHealthError, ClusterHealthResponse, HealthStatus, RestMethod};
pub use error::{ErrorCause, ErrorResponse, SimpleErrorResponse};
pub use has_privileges::{
    ApplicationPrivilegesCheck, HasPrivilegesError, HasPrivilegesRequest, HasPrivilegesResponse, IndexNames,
    IndexPrivilegesCheck,
};
pub use info::{ElasticsearchVersionInfo, InfoResponse};
pub use nodes::{ClusterNode, NodeStatistics};
pub use params::{InvalidParameter, RefreshPolicy, TokenName, TokenNameList, TokenSelection};
pub use security::{
    AuthenticateResponse, AuthenticateToken, CreateServiceTokenResponse, DeleteServiceTokenError,
    DeleteServiceTokenResponse, FileTokenInfo, GetServiceCredentialsResponse, NodesCredentials, RealmInfo,
    ServiceToken, TokenInfo,
};
pub use service_account::{
    ApplicationPrivileges, FieldSecurity, GetServiceAccountsResponse, IndicesPrivileges, RemoteClusterPrivileges,
    RemoteIndicesPrivileges, RoleDescriptor, ServiceAccountInfo,
};
