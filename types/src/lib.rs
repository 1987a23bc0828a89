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
mod roles;
mod security;
mod service_account;
pub mod transport;
mod users;

pub use clear_cache::ClearCachedServiceTokensResponse;
pub use cluster::{CapabilitiesResponse, ClusterHealthError, ClusterHealthResponse, HealthStatus, RestMethod};
pub use error::{ErrorCause, ErrorResponse, SimpleErrorResponse};
pub use has_privileges::{
    ApplicationPrivilegesCheck, HasPrivilegesError, HasPrivilegesRequest, HasPrivilegesResponse, IndexNames,
    IndexPrivilegesCheck,
};
pub use info::{ElasticsearchVersionInfo, InfoResponse};
pub use nodes::{ClusterNode, NodeStatistics};
pub use params::{InvalidParameter, NativeName, RefreshPolicy, TokenName, TokenNameList, TokenSelection};
pub use roles::{GetRolesError, GetRolesResponse, PutRoleError, PutRoleRequest, PutRoleResponse, RoleCreated};
pub use security::{
    AuthenticateResponse, AuthenticateToken, CreateServiceTokenResponse, DeleteServiceTokenError,
    DeleteServiceTokenResponse, FileTokenInfo, GetServiceCredentialsResponse, NodesCredentials, RealmInfo,
    ServiceToken, TokenInfo,
};
pub use service_account::{
    ApplicationPrivileges, FieldSecurity, GetServiceAccountsResponse, IndicesPrivileges, RemoteClusterPrivileges,
    RemoteIndicesPrivileges, RoleDescriptor, ServiceAccountInfo,
};
pub use users::{
    BodyError, ChangePasswordRequest, EmptyError, EmptyResponse, FoundError, FoundResponse, GetUsersError,
    GetUsersResponse, PutUserError, PutUserRequest, PutUserResponse, UserInfo,
};

/// A JSON schema, under its own name, for a newtype over a map of `$value`
/// by name, so that documents refer to it as to any other body.
#[macro_export]
#[doc(hidden)]
macro_rules! named_map_schema {
    ($name:ident, $value:ty, $description:literal) => {
        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_string()
            }

            fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
                let mut schema = generator.subschema_for::<std::collections::BTreeMap<String, $value>>().into_object();
                schema.metadata().description = Some($description.to_string());
                schema.into()
            }
        }
    };
}
