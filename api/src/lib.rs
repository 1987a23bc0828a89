//! The Elasticsearch service-account token API, as a dropshot API trait.
//!
//! The trait is the contract: `cargo xtask openapi generate` renders it into
//! `openapi/elasticsearch.json`, the client is generated from that document,
//! and the server implements the trait. Endpoint doc comments become the
//! document's summaries and descriptions; they follow Elasticsearch's own API
//! specification (`elastic/elasticsearch-specification`) wherever a client
//! can tell.
//!
//! Every endpoint answers with an [`EsReply`]: see its documentation for why
//! Elasticsearch errors travel inside it rather than in the `Err` arm.

pub mod contract;
mod error;
mod paths;
mod pretty;
mod reply;

use dropshot::{Path, Query, RequestContext, UntypedBody};
use es_tokens_types::{
    AuthenticateResponse, CapabilitiesResponse, ChangePasswordRequest, ClearCachedServiceTokensResponse,
    ClusterHealthResponse, CreateServiceTokenResponse, DeleteServiceTokenResponse, EmptyResponse, FoundResponse,
    GetRolesResponse, GetServiceAccountsResponse, GetServiceCredentialsResponse, GetUsersResponse,
    HasPrivilegesRequest, HasPrivilegesResponse, InfoResponse, PutRoleRequest, PutRoleResponse, PutUserRequest,
    PutUserResponse,
};
use schemars::JsonSchema;

use contract::{CREATED_TOKEN, Contract, ErrorStatus, Operation, ProductHeader, Security};
pub use error::EsError;
pub use paths::{
    CapabilitiesQuery, ClearRealmsQuery, ClusterHealthQuery, GetUsersQuery, HealthIndexPath, NamespacePath, RealmsPath,
    RefreshQuery, RolePath, RolesPath, ServiceAccountPath, ServiceTokenPath, ServiceTokensPath, UsernamePath,
    UsernamesPath,
};
pub use reply::{EsReply, Head, PrometheusText, ResponseFormat, X_ELASTIC_PRODUCT, error_response};

/// The title of the OpenAPI document.
pub const API_TITLE: &str = "Elasticsearch service account token API";
/// The version of the OpenAPI document; bump it when the contract changes.
pub const API_VERSION: &str = "0.1.0";

/// The HTTP API a node serves on `http.port`.
#[dropshot::api_description]
pub trait ElasticsearchApi {
    /// Everything the handlers need: the node's caches, settings and cluster.
    type Context;

    /// Get cluster info
    ///
    /// Get basic build, version, and cluster information.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `monitor`
    #[endpoint {
        method = GET,
        path = "/",
        operation_id = "info",
        tags = ["info"],
    }]
    async fn info(rqctx: RequestContext<Self::Context>) -> Result<EsReply<InfoResponse>, EsError>;

    /// Ping the cluster
    ///
    /// Answers 200 with the headers of `GET /` and no body when the node is
    /// up. Clients use it to check that they talk to Elasticsearch.
    #[endpoint {
        method = HEAD,
        path = "/",
        operation_id = "ping",
        tags = ["info"],
    }]
    async fn ping(rqctx: RequestContext<Self::Context>) -> Result<Head, EsError>;

    /// Clear service account token caches
    ///
    /// Evict a subset of all entries from the service account token caches.
    /// Two separate caches exist for service account tokens: one cache for
    /// tokens backed by the `service_tokens` file, and another for tokens
    /// backed by the `.security` index. This API clears matching entries from
    /// both caches, on every node of the cluster.
    ///
    /// The cache for service account tokens backed by the `.security` index is
    /// cleared automatically on state changes of the security index. The cache
    /// for tokens backed by the `service_tokens` file is cleared automatically
    /// on file changes.
    ///
    /// The namespace and service are not checked: clearing the caches of an
    /// unknown account, or of tokens that are not cached, succeeds. The call
    /// answers 200 even when some nodes fail; see `_nodes.failures`.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = POST,
        path = "/_security/service/{namespace}/{service}/credential/token/{name}/_clear_cache",
        operation_id = "security-clear-cached-service-tokens",
        tags = ["security"],
    }]
    async fn security_clear_cached_service_tokens(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceTokensPath>,
    ) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError>;

    /// Create a service account token
    ///
    /// Create a service account token for access without requiring basic
    /// authentication. The token is stored, as a hash of its secret only, in
    /// the cluster's `.security` index and works on every node at once. The
    /// response shows the token's value; it is not shown again.
    ///
    /// Token names must be 1 to 256 characters, alphanumeric, `-` or `_`, not
    /// starting with `_`, and unique within the service account. A duplicate
    /// is a 409 `version_conflict_engine_exception`; an unknown account a 400.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_service_account`
    #[endpoint {
        method = PUT,
        path = "/_security/service/{namespace}/{service}/credential/token/{name}",
        operation_id = "security-create-service-token",
        tags = ["security"],
    }]
    async fn security_create_service_token(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceTokenPath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<CreateServiceTokenResponse>, EsError>;

    /// Create a service account token
    ///
    /// The same as `PUT`: create a named service account token.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_service_account`
    #[endpoint {
        method = POST,
        path = "/_security/service/{namespace}/{service}/credential/token/{name}",
        operation_id = "security-create-service-token-1",
        tags = ["security"],
    }]
    async fn security_create_service_token_1(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceTokenPath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<CreateServiceTokenResponse>, EsError>;

    /// Create a service account token
    ///
    /// Create a service account token with a generated name, `token_`
    /// followed by a time-based id.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_service_account`
    #[endpoint {
        method = POST,
        path = "/_security/service/{namespace}/{service}/credential/token",
        operation_id = "security-create-service-token-2",
        tags = ["security"],
    }]
    async fn security_create_service_token_2(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceAccountPath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<CreateServiceTokenResponse>, EsError>;

    /// Delete service account tokens
    ///
    /// Delete a service account token from the `.security` index. Its entry
    /// in the index-token cache is cleared on every node before the call
    /// answers. Answers 200 `{"found":true}`, or 404 with exactly
    /// `{"found":false}` when the token (or the account) does not exist.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_service_account`
    #[endpoint {
        method = DELETE,
        path = "/_security/service/{namespace}/{service}/credential/token/{name}",
        operation_id = "security-delete-service-token",
        tags = ["security"],
    }]
    async fn security_delete_service_token(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceTokenPath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<DeleteServiceTokenResponse>, EsError>;

    /// Get service account credentials
    ///
    /// Get all service credentials for a service account: the tokens of the
    /// `.security` index, and the file tokens every node of the cluster
    /// reports (under `nodes_credentials`). The account is not checked.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `read_security`
    #[endpoint {
        method = GET,
        path = "/_security/service/{namespace}/{service}/credential",
        operation_id = "security-get-service-credentials",
        tags = ["security"],
    }]
    async fn security_get_service_credentials(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceAccountPath>,
    ) -> Result<EsReply<GetServiceCredentialsResponse>, EsError>;

    /// Get service accounts
    ///
    /// Get a service account and its role descriptor. No match is `{}` with
    /// 200.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_service_account`
    #[endpoint {
        method = GET,
        path = "/_security/service/{namespace}/{service}",
        operation_id = "security-get-service-accounts",
        tags = ["security"],
    }]
    async fn security_get_service_accounts(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceAccountPath>,
    ) -> Result<EsReply<GetServiceAccountsResponse>, EsError>;

    /// Get service accounts
    ///
    /// Get the service accounts of a namespace and their role descriptors.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_service_account`
    #[endpoint {
        method = GET,
        path = "/_security/service/{namespace}",
        operation_id = "security-get-service-accounts-1",
        tags = ["security"],
    }]
    async fn security_get_service_accounts_1(
        rqctx: RequestContext<Self::Context>,
        path: Path<NamespacePath>,
    ) -> Result<EsReply<GetServiceAccountsResponse>, EsError>;

    /// Get service accounts
    ///
    /// Get every built-in service account and its role descriptor.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_service_account`
    #[endpoint {
        method = GET,
        path = "/_security/service",
        operation_id = "security-get-service-accounts-2",
        tags = ["security"],
    }]
    async fn security_get_service_accounts_2(
        rqctx: RequestContext<Self::Context>,
    ) -> Result<EsReply<GetServiceAccountsResponse>, EsError>;

    /// Authenticate a user
    ///
    /// Answers who the credentials of the request belong to: a user of a
    /// realm (Basic authentication) or a service account (a bearer service
    /// token), or a 401.
    #[endpoint {
        method = GET,
        path = "/_security/_authenticate",
        operation_id = "security-authenticate",
        tags = ["security"],
    }]
    async fn security_authenticate(
        rqctx: RequestContext<Self::Context>,
    ) -> Result<EsReply<AuthenticateResponse>, EsError>;

    /// Get the cluster health status
    ///
    /// Get the health of the cluster: its status, its nodes and its shards
    /// (this cluster holds no indices, so every shard count is 0). The status
    /// is `green` while every member answers and `yellow` while one that
    /// stopped answering is not removed yet.
    ///
    /// The `wait_for_*` parameters make the call wait, up to `timeout`
    /// (30s), until the cluster meets them; when the time runs out the answer
    /// is 408 with the same body and `timed_out: true`.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `monitor`
    #[endpoint {
        method = GET,
        path = "/_cluster/health",
        operation_id = "cluster-health",
        tags = ["cluster"],
    }]
    async fn cluster_health(
        rqctx: RequestContext<Self::Context>,
        query: Query<ClusterHealthQuery>,
    ) -> Result<EsReply<ClusterHealthResponse>, EsError>;

    /// Get the cluster health status
    ///
    /// The health of the cluster as far as some indices are concerned. This
    /// cluster has no indices: a name is missing, which makes the status
    /// `red` and the call wait out its `timeout` (then 408), as
    /// Elasticsearch answers for a missing index; a pattern matches nothing
    /// and does not count.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `monitor`
    #[endpoint {
        method = GET,
        path = "/_cluster/health/{index}",
        operation_id = "cluster-health-1",
        tags = ["cluster"],
    }]
    async fn cluster_health_1(
        rqctx: RequestContext<Self::Context>,
        path: Path<HealthIndexPath>,
        query: Query<ClusterHealthQuery>,
    ) -> Result<EsReply<ClusterHealthResponse>, EsError>;

    /// Check supported capabilities
    ///
    /// Whether every node has a REST route for `method` and `path` that takes
    /// the query `parameters` and has the `capabilities` named. Test runners
    /// ask it before they run a test that needs a feature. `supported` is
    /// null when some node did not answer.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `monitor`
    #[endpoint {
        method = GET,
        path = "/_capabilities",
        operation_id = "capabilities",
        tags = ["cluster"],
    }]
    async fn capabilities(
        rqctx: RequestContext<Self::Context>,
        query: Query<CapabilitiesQuery>,
    ) -> Result<EsReply<CapabilitiesResponse>, EsError>;

    /// Check user privileges
    ///
    /// Whether the caller holds the cluster, index and application
    /// privileges the body names. Every authenticated caller may check its
    /// own privileges.
    #[endpoint {
        method = GET,
        path = "/_security/user/_has_privileges",
        operation_id = "security-has-privileges",
        tags = ["security"],
    }]
    async fn security_has_privileges(
        rqctx: RequestContext<Self::Context>,
        body: UntypedBody,
    ) -> Result<EsReply<HasPrivilegesResponse>, EsError>;

    /// Check user privileges
    ///
    /// `POST` form of the check: whether the caller holds the privileges the
    /// body names.
    #[endpoint {
        method = POST,
        path = "/_security/user/_has_privileges",
        operation_id = "security-has-privileges-1",
        tags = ["security"],
    }]
    async fn security_has_privileges_1(
        rqctx: RequestContext<Self::Context>,
        body: UntypedBody,
    ) -> Result<EsReply<HasPrivilegesResponse>, EsError>;

    /// Check user privileges
    ///
    /// The check, naming the user: it must be the caller (otherwise 400
    /// `users may only check the privileges of their own account`).
    #[endpoint {
        method = GET,
        path = "/_security/user/{username}/_has_privileges",
        operation_id = "security-has-privileges-2",
        tags = ["security"],
    }]
    async fn security_has_privileges_2(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        body: UntypedBody,
    ) -> Result<EsReply<HasPrivilegesResponse>, EsError>;

    /// Check user privileges
    ///
    /// `POST` form of the check naming the user, who must be the caller.
    #[endpoint {
        method = POST,
        path = "/_security/user/{username}/_has_privileges",
        operation_id = "security-has-privileges-3",
        tags = ["security"],
    }]
    async fn security_has_privileges_3(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        body: UntypedBody,
    ) -> Result<EsReply<HasPrivilegesResponse>, EsError>;

    /// Create or update users
    ///
    /// Add a user to the native realm or update one. A password is required
    /// for a new user (`password`, at least 6 characters, or `password_hash`,
    /// a bcrypt or PBKDF2 hash); an update without one keeps the password.
    /// Every other field is replaced, and `enabled` is `true` unless given.
    /// Every node forgets the user's cached authentication before the call
    /// answers. Reserved users (`elastic`, `kibana_system`, ...) are refused:
    /// only their passwords can change.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = PUT,
        path = "/_security/user/{username}",
        operation_id = "security-put-user",
        tags = ["users"],
    }]
    async fn security_put_user(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<PutUserResponse>, EsError>;

    /// Create or update users
    ///
    /// The same as `PUT`: add a user to the native realm or update one.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = POST,
        path = "/_security/user/{username}",
        operation_id = "security-put-user-1",
        tags = ["users"],
    }]
    async fn security_put_user_1(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<PutUserResponse>, EsError>;

    /// Get users
    ///
    /// Get information about some users: reserved ones and those of the
    /// native realm, never their passwords. When none of the named users
    /// exists, the answer is 404 with `{}`.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `read_security`
    #[endpoint {
        method = GET,
        path = "/_security/user/{username}",
        operation_id = "security-get-user",
        tags = ["users"],
    }]
    async fn security_get_user(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamesPath>,
        query: Query<GetUsersQuery>,
    ) -> Result<EsReply<GetUsersResponse>, EsError>;

    /// Get users
    ///
    /// Get every user: the reserved ones, then those of the native realm.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `read_security`
    #[endpoint {
        method = GET,
        path = "/_security/user",
        operation_id = "security-get-user-1",
        tags = ["users"],
    }]
    async fn security_get_user_1(
        rqctx: RequestContext<Self::Context>,
        query: Query<GetUsersQuery>,
    ) -> Result<EsReply<GetUsersResponse>, EsError>;

    /// Delete users
    ///
    /// Delete a user of the native realm; every node forgets its cached
    /// authentication before the call answers. Answers 200
    /// `{"found":true}`, or 404 with exactly `{"found":false}` when there is
    /// no such user. Reserved users cannot be deleted.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = DELETE,
        path = "/_security/user/{username}",
        operation_id = "security-delete-user",
        tags = ["users"],
    }]
    async fn security_delete_user(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<FoundResponse>, EsError>;

    /// Change passwords
    ///
    /// Change the password of a native or reserved user. The old password
    /// fails on every node once the call answers.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    ///
    /// A user of the native or reserved realm needs none to change its own
    /// password.
    #[endpoint {
        method = PUT,
        path = "/_security/user/{username}/_password",
        operation_id = "security-change-password",
        tags = ["users"],
    }]
    async fn security_change_password(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<EmptyResponse>, EsError>;

    /// Change passwords
    ///
    /// The same as `PUT`: change a user's password.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    ///
    /// A user of the native or reserved realm needs none to change its own
    /// password.
    #[endpoint {
        method = POST,
        path = "/_security/user/{username}/_password",
        operation_id = "security-change-password-1",
        tags = ["users"],
    }]
    async fn security_change_password_1(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<EmptyResponse>, EsError>;

    /// Change passwords
    ///
    /// Change the caller's own password.
    ///
    /// ## Required authorization
    ///
    /// * None, as a user of the native or reserved realm; otherwise cluster
    ///   privileges: `manage_security`
    #[endpoint {
        method = PUT,
        path = "/_security/user/_password",
        operation_id = "security-change-password-2",
        tags = ["users"],
    }]
    async fn security_change_password_2(
        rqctx: RequestContext<Self::Context>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<EmptyResponse>, EsError>;

    /// Change passwords
    ///
    /// The same as `PUT`: change the caller's own password.
    ///
    /// ## Required authorization
    ///
    /// * None, as a user of the native or reserved realm; otherwise cluster
    ///   privileges: `manage_security`
    #[endpoint {
        method = POST,
        path = "/_security/user/_password",
        operation_id = "security-change-password-3",
        tags = ["users"],
    }]
    async fn security_change_password_3(
        rqctx: RequestContext<Self::Context>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<EmptyResponse>, EsError>;

    /// Enable users
    ///
    /// Enable a native or reserved user; callers cannot enable themselves.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = PUT,
        path = "/_security/user/{username}/_enable",
        operation_id = "security-enable-user",
        tags = ["users"],
    }]
    async fn security_enable_user(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<EmptyResponse>, EsError>;

    /// Enable users
    ///
    /// The same as `PUT`: enable a user.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = POST,
        path = "/_security/user/{username}/_enable",
        operation_id = "security-enable-user-1",
        tags = ["users"],
    }]
    async fn security_enable_user_1(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<EmptyResponse>, EsError>;

    /// Disable users
    ///
    /// Disable a native or reserved user: its logins fail on every node once
    /// the call answers. Callers cannot disable themselves.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = PUT,
        path = "/_security/user/{username}/_disable",
        operation_id = "security-disable-user",
        tags = ["users"],
    }]
    async fn security_disable_user(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<EmptyResponse>, EsError>;

    /// Disable users
    ///
    /// The same as `PUT`: disable a user.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = POST,
        path = "/_security/user/{username}/_disable",
        operation_id = "security-disable-user-1",
        tags = ["users"],
    }]
    async fn security_disable_user_1(
        rqctx: RequestContext<Self::Context>,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<EmptyResponse>, EsError>;

    /// Create or update roles
    ///
    /// Create a native role or replace one. Cluster privileges decide this
    /// node's actions; index, application and remote privileges, `run_as`,
    /// `global` and `metadata` are stored and shown exactly. A role of
    /// `roles.yml` of the same name hides it when users are authorized, as
    /// in Elasticsearch. Every node forgets the role before the call answers.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = PUT,
        path = "/_security/role/{name}",
        operation_id = "security-put-role",
        tags = ["roles"],
    }]
    async fn security_put_role(
        rqctx: RequestContext<Self::Context>,
        path: Path<RolePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<PutRoleResponse>, EsError>;

    /// Create or update roles
    ///
    /// The same as `PUT`: create or replace a native role.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = POST,
        path = "/_security/role/{name}",
        operation_id = "security-put-role-1",
        tags = ["roles"],
    }]
    async fn security_put_role_1(
        rqctx: RequestContext<Self::Context>,
        path: Path<RolePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<PutRoleResponse>, EsError>;

    /// Get roles
    ///
    /// Get some roles: the built-in `superuser` and native roles (roles of
    /// `roles.yml` are not shown). When none of the named roles exists, the
    /// answer is 404 with `{}`.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `read_security`
    #[endpoint {
        method = GET,
        path = "/_security/role/{name}",
        operation_id = "security-get-role",
        tags = ["roles"],
    }]
    async fn security_get_role(
        rqctx: RequestContext<Self::Context>,
        path: Path<RolesPath>,
    ) -> Result<EsReply<GetRolesResponse>, EsError>;

    /// Get roles
    ///
    /// Get every role: `superuser`, then the native roles by name.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `read_security`
    #[endpoint {
        method = GET,
        path = "/_security/role",
        operation_id = "security-get-role-1",
        tags = ["roles"],
    }]
    async fn security_get_role_1(rqctx: RequestContext<Self::Context>) -> Result<EsReply<GetRolesResponse>, EsError>;

    /// Delete roles
    ///
    /// Delete a native role; every node forgets it before the call answers.
    /// Answers 200 `{"found":true}`, or 404 with exactly `{"found":false}`
    /// when there is no such native role. Reserved roles cannot be deleted.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = DELETE,
        path = "/_security/role/{name}",
        operation_id = "security-delete-role",
        tags = ["roles"],
    }]
    async fn security_delete_role(
        rqctx: RequestContext<Self::Context>,
        path: Path<RolePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<FoundResponse>, EsError>;

    /// Clear the roles cache
    ///
    /// Evict roles from the native role cache, on every node of the cluster.
    /// Names are not checked. Same family as the service token cache clear:
    /// the call answers 200 even when some nodes fail; see
    /// `_nodes.failures`.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = POST,
        path = "/_security/role/{name}/_clear_cache",
        operation_id = "security-clear-cached-roles",
        tags = ["roles"],
    }]
    async fn security_clear_cached_roles(
        rqctx: RequestContext<Self::Context>,
        path: Path<RolesPath>,
    ) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError>;

    /// Clear the user cache
    ///
    /// Evict users from the caches of some realms (`reserved`,
    /// `default_file`, `default_native`), on every node of the cluster. A
    /// realm a node does not have fails that node, which the answer lists
    /// under `_nodes.failures` (200, as every nodes answer).
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `manage_security`
    #[endpoint {
        method = POST,
        path = "/_security/realm/{realms}/_clear_cache",
        operation_id = "security-clear-cached-realms",
        tags = ["users"],
    }]
    async fn security_clear_cached_realms(
        rqctx: RequestContext<Self::Context>,
        path: Path<RealmsPath>,
        query: Query<ClearRealmsQuery>,
    ) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError>;

    /// Get node metrics
    ///
    /// The node's metrics in the Prometheus text exposition format (version
    /// 0.0.4): per token cache (`cache="file"|"index"`), the number of entries
    /// at scrape time and counters of hits, misses and evictions by cause.
    ///
    /// ## Required authorization
    ///
    /// * Cluster privileges: `monitor`
    #[endpoint {
        method = GET,
        path = "/metrics",
        operation_id = "metrics",
        tags = ["observability"],
    }]
    async fn metrics(rqctx: RequestContext<Self::Context>) -> Result<PrometheusText, EsError>;
}

/// What the document says beyond what dropshot renders: the statuses,
/// examples and links of every operation.
pub const CONTRACT: Contract = {
    use ErrorStatus::*;
    const READ: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden];
    const CREATE: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden, Conflict, Internal, Unavailable];
    const HEALTH: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden, TimedOut];
    const HAS_PRIVILEGES: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden, NotAcceptable, PayloadTooLarge];
    const PUT_USER: &[ErrorStatus] =
        &[BadRequest, Unauthorized, Forbidden, NotAcceptable, PayloadTooLarge, Internal, Unavailable];
    const PASSWORD: &[ErrorStatus] = PUT_USER;
    const PUT_ROLE: &[ErrorStatus] = PUT_USER;
    const WRITE: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden, Internal, Unavailable];
    const GET: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden, NoneFound, Unavailable];
    const DELETE: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden, NotFound, Internal, Unavailable];
    const CLEAR: &[ErrorStatus] = &[BadRequest, Unauthorized, Forbidden];
    Contract {
        operations: &[
            Operation {
                id: "info",
                errors: READ,
                examples: include_str!("../examples/info.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "ping",
                errors: READ,
                examples: include_str!("../examples/ping.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-clear-cached-service-tokens",
                errors: &[BadRequest, Unauthorized, Forbidden, Internal],
                examples: include_str!("../examples/security-clear-cached-service-tokens.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-create-service-token",
                errors: CREATE,
                examples: include_str!("../examples/security-create-service-token.json"),
                links: CREATED_TOKEN,
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-create-service-token-1",
                errors: CREATE,
                examples: include_str!("../examples/security-create-service-token-1.json"),
                links: CREATED_TOKEN,
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-create-service-token-2",
                errors: CREATE,
                examples: include_str!("../examples/security-create-service-token-2.json"),
                links: CREATED_TOKEN,
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-delete-service-token",
                errors: &[BadRequest, Unauthorized, Forbidden, TokenNotFound, Internal, Unavailable],
                examples: include_str!("../examples/security-delete-service-token.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-get-service-credentials",
                errors: &[BadRequest, Unauthorized, Forbidden, Unavailable],
                examples: include_str!("../examples/security-get-service-credentials.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-get-service-accounts",
                errors: READ,
                examples: include_str!("../examples/security-get-service-accounts.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-get-service-accounts-1",
                errors: READ,
                examples: include_str!("../examples/security-get-service-accounts-1.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-get-service-accounts-2",
                errors: READ,
                examples: include_str!("../examples/security-get-service-accounts-2.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-authenticate",
                errors: &[BadRequest, Unauthorized],
                examples: include_str!("../examples/security-authenticate.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "cluster-health",
                errors: HEALTH,
                examples: include_str!("../examples/cluster-health.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "cluster-health-1",
                errors: HEALTH,
                examples: include_str!("../examples/cluster-health-1.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "capabilities",
                errors: READ,
                examples: include_str!("../examples/capabilities.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-has-privileges",
                errors: HAS_PRIVILEGES,
                examples: include_str!("../examples/security-has-privileges.json"),
                links: &[],
                text: None,
                request_body: Some(has_privileges_body),
            },
            Operation {
                id: "security-has-privileges-1",
                errors: HAS_PRIVILEGES,
                examples: include_str!("../examples/security-has-privileges-1.json"),
                links: &[],
                text: None,
                request_body: Some(has_privileges_body),
            },
            Operation {
                id: "security-has-privileges-2",
                errors: HAS_PRIVILEGES,
                examples: include_str!("../examples/security-has-privileges-2.json"),
                links: &[],
                text: None,
                request_body: Some(has_privileges_body),
            },
            Operation {
                id: "security-has-privileges-3",
                errors: HAS_PRIVILEGES,
                examples: include_str!("../examples/security-has-privileges-3.json"),
                links: &[],
                text: None,
                request_body: Some(has_privileges_body),
            },
            Operation {
                id: "security-put-user",
                errors: PUT_USER,
                examples: include_str!("../examples/security-put-user.json"),
                links: &[],
                text: None,
                request_body: Some(put_user_body),
            },
            Operation {
                id: "security-put-user-1",
                errors: PUT_USER,
                examples: include_str!("../examples/security-put-user-1.json"),
                links: &[],
                text: None,
                request_body: Some(put_user_body),
            },
            Operation {
                id: "security-get-user",
                errors: GET,
                examples: include_str!("../examples/security-get-user.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-get-user-1",
                errors: READ,
                examples: include_str!("../examples/security-get-user-1.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-delete-user",
                errors: DELETE,
                examples: include_str!("../examples/security-delete-user.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-change-password",
                errors: PASSWORD,
                examples: include_str!("../examples/security-change-password.json"),
                links: &[],
                text: None,
                request_body: Some(change_password_body),
            },
            Operation {
                id: "security-change-password-1",
                errors: PASSWORD,
                examples: include_str!("../examples/security-change-password-1.json"),
                links: &[],
                text: None,
                request_body: Some(change_password_body),
            },
            Operation {
                id: "security-change-password-2",
                errors: PASSWORD,
                examples: include_str!("../examples/security-change-password-2.json"),
                links: &[],
                text: None,
                request_body: Some(change_password_body),
            },
            Operation {
                id: "security-change-password-3",
                errors: PASSWORD,
                examples: include_str!("../examples/security-change-password-3.json"),
                links: &[],
                text: None,
                request_body: Some(change_password_body),
            },
            Operation {
                id: "security-enable-user",
                errors: WRITE,
                examples: include_str!("../examples/security-enable-user.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-enable-user-1",
                errors: WRITE,
                examples: include_str!("../examples/security-enable-user-1.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-disable-user",
                errors: WRITE,
                examples: include_str!("../examples/security-disable-user.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-disable-user-1",
                errors: WRITE,
                examples: include_str!("../examples/security-disable-user-1.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-put-role",
                errors: PUT_ROLE,
                examples: include_str!("../examples/security-put-role.json"),
                links: &[],
                text: None,
                request_body: Some(put_role_body),
            },
            Operation {
                id: "security-put-role-1",
                errors: PUT_ROLE,
                examples: include_str!("../examples/security-put-role-1.json"),
                links: &[],
                text: None,
                request_body: Some(put_role_body),
            },
            Operation {
                id: "security-get-role",
                errors: GET,
                examples: include_str!("../examples/security-get-role.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-get-role-1",
                errors: READ,
                examples: include_str!("../examples/security-get-role-1.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-delete-role",
                errors: DELETE,
                examples: include_str!("../examples/security-delete-role.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-clear-cached-roles",
                errors: CLEAR,
                examples: include_str!("../examples/security-clear-cached-roles.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "security-clear-cached-realms",
                errors: CLEAR,
                examples: include_str!("../examples/security-clear-cached-realms.json"),
                links: &[],
                text: None,
                request_body: None,
            },
            Operation {
                id: "metrics",
                errors: READ,
                examples: include_str!("../examples/metrics.json"),
                links: &[],
                text: Some("text/plain; version=0.0.4; charset=utf-8"),
                request_body: None,
            },
        ],
        security: Security::UsersAndServiceAccounts,
        error_product_header: ProductHeader::Always,
        tags: &[
            ("info", "The node and its cluster: Elasticsearch's root endpoint."),
            ("security", "Service accounts, their tokens and the token caches."),
            ("users", "Users of the native realm and the reserved users, and the realms' caches."),
            ("roles", "Native roles and the role cache."),
            ("cluster", "The cluster's health and its nodes' capabilities, which harnesses ask first."),
            ("observability", "The node's metrics."),
        ],
        echoes_opaque_id: true,
    }
};

/// The body of `_has_privileges`: at least one field (Elasticsearch refuses
/// `{}`, "All privilege fields [cluster,index,applications] are missing").
fn has_privileges_body(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
    let schema = generator.subschema_for::<HasPrivilegesRequest>();
    let name = HasPrivilegesRequest::schema_name();
    if let Some(schemars::schema::Schema::Object(definition)) = generator.definitions_mut().get_mut(&name) {
        definition.object().min_properties = Some(1);
    }
    schema
}

/// The body of putting a user: a password or its hash, not both.
fn put_user_body(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
    let schema = generator.subschema_for::<PutUserRequest>();
    let name = PutUserRequest::schema_name();
    if let Some(schemars::schema::Schema::Object(definition)) = generator.definitions_mut().get_mut(&name) {
        let both = schemars::schema::SchemaObject {
            object: Some(Box::new(schemars::schema::ObjectValidation {
                required: ["password", "password_hash"].map(str::to_string).into(),
                // Named here too, for the linters: a required property is
                // one the schema defines.
                properties: ["password", "password_hash"]
                    .map(|name| (name.to_string(), schemars::schema::SchemaObject::default().into()))
                    .into_iter()
                    .collect(),
                ..Default::default()
            })),
            ..Default::default()
        };
        definition.subschemas().not = Some(Box::new(both.into()));
    }
    schema
}

/// The body of changing a password: exactly one of its fields.
fn change_password_body(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
    let schema = generator.subschema_for::<ChangePasswordRequest>();
    let name = ChangePasswordRequest::schema_name();
    if let Some(schemars::schema::Schema::Object(definition)) = generator.definitions_mut().get_mut(&name) {
        definition.object().min_properties = Some(1);
        definition.object().max_properties = Some(1);
    }
    schema
}

/// The body of putting a role: a role descriptor.
fn put_role_body(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
    generator.subschema_for::<PutRoleRequest>()
}

/// Renders the OpenAPI document of [`ElasticsearchApi`], exactly as it is
/// checked in under `openapi/`.
pub fn openapi_document() -> String {
    let description = elasticsearch_api_mod::stub_api_description().expect("the API trait describes a valid API");
    render_document(
        &description,
        API_TITLE,
        API_VERSION,
        "The service account token APIs of Elasticsearch, centred on clearing the service account token caches. \
         Bodies, status codes and errors follow Elasticsearch.",
        &CONTRACT,
    )
}

/// The route of every operation of an API trait: operation id, method (upper
/// case) and path template, as dropshot registers them.
pub fn routes(api: &dropshot::ApiDescription<dropshot::StubContext>) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    api.openapi("routes", dropshot::semver::Version::new(0, 0, 0))
        .write(&mut out)
        .expect("writing to a Vec cannot fail");
    let document: serde_json::Value = serde_json::from_slice(&out).expect("dropshot writes JSON");
    let mut routes = Vec::new();
    for (path, item) in document["paths"].as_object().expect("a document has paths") {
        for (method, operation) in item.as_object().expect("a path item is an object") {
            let id = operation["operationId"].as_str().expect("every operation has an id");
            routes.push((id.to_string(), method.to_uppercase(), path.clone()));
        }
    }
    routes
}

/// The routes of [`ElasticsearchApi`].
pub fn elasticsearch_routes() -> Vec<(String, String, String)> {
    routes(&elasticsearch_api_mod::stub_api_description().expect("the API trait describes a valid API"))
}

/// Renders an API trait's description as a checked-in document: what
/// dropshot renders, completed by `contract`, with the project's license and
/// the given title, version and description, as pretty JSON with a trailing
/// newline. Shared by every API trait of the workspace.
pub fn render_document(
    api: &dropshot::ApiDescription<dropshot::StubContext>,
    title: &str,
    version: &str,
    description: &str,
    contract: &Contract,
) -> String {
    let mut out = Vec::new();
    api.openapi(title, version.parse::<dropshot::semver::Version>().expect("API versions are semver versions"))
        .description(description)
        .license("Apache-2.0", "https://www.apache.org/licenses/LICENSE-2.0")
        .write(&mut out)
        .expect("writing to a Vec cannot fail");
    let mut document: serde_json::Value = serde_json::from_slice(&out).expect("dropshot writes JSON");
    contract::complete(&mut document, contract);
    let mut text = serde_json::to_string_pretty(&document).expect("a document serializes");
    text.push('\n');
    text
}
