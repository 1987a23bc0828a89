//! The HTTP API of a node: the `ElasticsearchApi` trait implemented over the
//! node's state.
//!
//! Every handler runs the same steps, in Elasticsearch's order: parse the
//! request and negotiate the response format (`RestRequest`), authenticate
//! (401), validate the endpoint's own input (400: the REST layer's checks,
//! unknown parameters and bodies, then the request's own validation), authorize
//! the action (403), then run the action, named after it in `actions/`.

mod roles;
mod users;

use std::sync::Arc;

use dropshot::{Path, Query, RequestContext, UntypedBody};
use es_tokens_api::{
    CapabilitiesQuery, ClearRealmsQuery, ClusterHealthQuery, ElasticsearchApi, EsError, EsReply, GetUsersQuery, Head,
    HealthIndexPath, NamespacePath, PrometheusText, RealmsPath, RefreshQuery, ResponseFormat, RolePath, RolesPath,
    ServiceAccountPath, ServiceTokenPath, ServiceTokensPath, UsernamePath, UsernamesPath,
};
use es_tokens_types::{
    AuthenticateResponse, CapabilitiesResponse, ClearCachedServiceTokensResponse, ClusterHealthResponse,
    CreateServiceTokenResponse, DeleteServiceTokenResponse, EmptyResponse, FoundResponse, GetRolesResponse,
    GetServiceAccountsResponse, GetServiceCredentialsResponse, GetUsersResponse, HasPrivilegesResponse, InfoResponse,
    PutRoleResponse, PutUserResponse,
};
use http::StatusCode;

use crate::actions::clear_security_cache::{self, ClearSecurityCache};
use crate::actions::cluster_health::{self, HealthRequest};
use crate::actions::nodes_capabilities::{self, CapabilitiesRequest};
use crate::actions::{
    authenticate, create_service_token, delete_service_token, get_service_accounts, get_service_credentials,
    has_privileges, info, metrics,
};
use crate::authc::authentication::Authentication;
use crate::authc::service::token_name::{parse_selection, validate_name};
use crate::error::ServiceError;
use crate::http::rest_request::{RestRequest, parse_refresh};
use crate::http::to_completion::to_completion;
use crate::node::NodeContext;

/// The node's implementation of [`ElasticsearchApi`].
pub enum NodeApi {}

type Ctx = RequestContext<Arc<NodeContext>>;

/// Parses the request, authenticates its caller and runs `endpoint`; pairs
/// the outcome with the negotiated format. A request that cannot be parsed is
/// answered in plain JSON, as Elasticsearch answers it.
async fn handle<T>(
    rqctx: &Ctx,
    pretty_by_default: bool,
    endpoint: impl AsyncFnOnce(&RestRequest, Authentication) -> Result<T, ServiceError>,
) -> (Result<T, ServiceError>, ResponseFormat) {
    let request = match RestRequest::parse(&rqctx.request, pretty_by_default) {
        Ok(request) => request,
        Err(error) => return (Err(error), ResponseFormat::default()),
    };
    let outcome = match rqctx.context().security.authenticate(rqctx.request.headers(), rqctx.request.uri()).await {
        Ok(caller) => endpoint(&request, caller).await,
        Err(error) => Err(error),
    };
    if let Err(error) = &outcome {
        log_failure(error);
    }
    let format = request.format(outcome.is_ok());
    (outcome, format)
}

/// Logs the failures that are the node's, not the caller's: the caller gets
/// Elasticsearch's words, the log says what really went wrong.
fn log_failure(error: &ServiceError) {
    match error {
        ServiceError::AuthenticationUnavailable(cause) => {
            tracing::warn!(error = %cause, "authentication could not reach a token store")
        }
        ServiceError::IndexUnavailable(cause) => tracing::warn!(error = %cause, "the security index is unavailable"),
        // Logged where they happen, with what the caller is not told.
        _ => {}
    }
}

/// The steps of an endpoint without input of its own: no parameters, then
/// the action's privilege.
async fn plain(
    node: &NodeContext,
    request: &RestRequest,
    caller: &Authentication,
    action: &str,
) -> Result<(), ServiceError> {
    request.finish(&[])?;
    node.security.authorize(caller, action).await
}

impl ElasticsearchApi for NodeApi {
    type Context = Arc<NodeContext>;

    async fn info(rqctx: Ctx) -> Result<EsReply<InfoResponse>, EsError> {
        let node = rqctx.context();
        let (outcome, format) = handle(&rqctx, true, async |request, caller| {
            plain(node, request, &caller, info::NAME).await?;
            Ok(info::execute(node))
        })
        .await;
        Ok(EsReply::new(outcome, format))
    }

    async fn ping(rqctx: Ctx) -> Result<Head, EsError> {
        let node = rqctx.context();
        let (outcome, format) = handle(&rqctx, true, async |request, caller| {
            plain(node, request, &caller, info::NAME).await?;
            Ok(info::execute(node))
        })
        .await;
        Ok(Head::new(outcome, format))
    }

    async fn security_clear_cached_service_tokens(
        rqctx: Ctx,
        path: Path<ServiceTokensPath>,
    ) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError> {
        let node = rqctx.context();
        let path = path.into_inner();
        let (outcome, format) = handle(&rqctx, false, async |request, caller| {
            let selection = parse_selection(&path.name)?;
            plain(node, request, &caller, clear_security_cache::NAME).await?;
            let clear = ClearSecurityCache::service_tokens(&path.namespace, &path.service, &selection);
            // Once started, the clear reaches every node even if the client
            // goes away.
            let node = Arc::clone(node);
            to_completion(async move { Ok(clear_security_cache::clear_and_report(&node, clear).await) }).await
        })
        .await;
        Ok(EsReply::new(outcome, format))
    }

    async fn security_create_service_token(
        rqctx: Ctx,
        path: Path<ServiceTokenPath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<CreateServiceTokenResponse>, EsError> {
        let path = path.into_inner();
        create_token(&rqctx, &path.namespace, &path.service, Some(&path.name), query.into_inner()).await
    }

    async fn security_create_service_token_1(
        rqctx: Ctx,
        path: Path<ServiceTokenPath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<CreateServiceTokenResponse>, EsError> {
        // POST is PUT under another operation id.
        Self::security_create_service_token(rqctx, path, query).await
    }

    async fn security_create_service_token_2(
        rqctx: Ctx,
        path: Path<ServiceAccountPath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<CreateServiceTokenResponse>, EsError> {
        let path = path.into_inner();
        create_token(&rqctx, &path.namespace, &path.service, None, query.into_inner()).await
    }

    async fn security_delete_service_token(
        rqctx: Ctx,
        path: Path<ServiceTokenPath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<DeleteServiceTokenResponse>, EsError> {
        let node = rqctx.context();
        let path = path.into_inner();
        let (outcome, format) = handle(&rqctx, false, async |request, caller| {
            parse_refresh(query.into_inner().refresh.as_deref())?;
            request.finish(&["refresh"])?;
            validate_name(&path.name)?;
            node.security.authorize(&caller, delete_service_token::NAME).await?;
            let node = Arc::clone(node);
            let ServiceTokenPath { namespace, service, name } = path;
            let found =
                to_completion(async move { delete_service_token::execute(&node, &namespace, &service, &name).await })
                    .await?;
            Ok(DeleteServiceTokenResponse { found })
        })
        .await;
        // `{"found":false}` is not an error body: it comes with 404 as is.
        let status = match &outcome {
            Ok(DeleteServiceTokenResponse { found: false }) => StatusCode::NOT_FOUND,
            _ => StatusCode::OK,
        };
        Ok(EsReply::new(outcome, format).with_status(status))
    }

    async fn security_get_service_credentials(
        rqctx: Ctx,
        path: Path<ServiceAccountPath>,
    ) -> Result<EsReply<GetServiceCredentialsResponse>, EsError> {
        let node = rqctx.context();
        let path = path.into_inner();
        let (outcome, format) = handle(&rqctx, false, async |request, caller| {
            plain(node, request, &caller, get_service_credentials::NAME).await?;
            get_service_credentials::execute(node, &path.namespace, &path.service).await
        })
        .await;
        Ok(EsReply::new(outcome, format))
    }

    async fn security_get_service_accounts(
        rqctx: Ctx,
        path: Path<ServiceAccountPath>,
    ) -> Result<EsReply<GetServiceAccountsResponse>, EsError> {
        let path = path.into_inner();
        get_service_accounts(&rqctx, Some(&path.namespace), Some(&path.service)).await
    }

    async fn security_get_service_accounts_1(
        rqctx: Ctx,
        path: Path<NamespacePath>,
    ) -> Result<EsReply<GetServiceAccountsResponse>, EsError> {
        get_service_accounts(&rqctx, Some(&path.into_inner().namespace), None).await
    }

    async fn security_get_service_accounts_2(rqctx: Ctx) -> Result<EsReply<GetServiceAccountsResponse>, EsError> {
        get_service_accounts(&rqctx, None, None).await
    }

    async fn security_authenticate(rqctx: Ctx) -> Result<EsReply<AuthenticateResponse>, EsError> {
        let node = rqctx.context();
        let (outcome, format) = handle(&rqctx, false, async |request, caller| {
            plain(node, request, &caller, authenticate::NAME).await?;
            Ok(authenticate::execute(&caller))
        })
        .await;
        Ok(EsReply::new(outcome, format))
    }

    async fn cluster_health(
        rqctx: Ctx,
        query: Query<ClusterHealthQuery>,
    ) -> Result<EsReply<ClusterHealthResponse>, EsError> {
        health(&rqctx, None, query.into_inner()).await
    }

    async fn cluster_health_1(
        rqctx: Ctx,
        path: Path<HealthIndexPath>,
        query: Query<ClusterHealthQuery>,
    ) -> Result<EsReply<ClusterHealthResponse>, EsError> {
        health(&rqctx, Some(&path.into_inner().index), query.into_inner()).await
    }

    async fn capabilities(
        rqctx: Ctx,
        query: Query<CapabilitiesQuery>,
    ) -> Result<EsReply<CapabilitiesResponse>, EsError> {
        let node = rqctx.context();
        let query = query.into_inner();
        let (outcome, format) = handle(&rqctx, false, async |request, caller| {
            let capabilities = CapabilitiesRequest::parse(&query)?;
            request.finish(nodes_capabilities::PARAMS)?;
            node.security.authorize(&caller, nodes_capabilities::NAME).await?;
            Ok(nodes_capabilities::execute(node, capabilities).await)
        })
        .await;
        Ok(EsReply::new(outcome, format))
    }

    async fn security_has_privileges(rqctx: Ctx, body: UntypedBody) -> Result<EsReply<HasPrivilegesResponse>, EsError> {
        check_privileges(&rqctx, None, body).await
    }

    async fn security_has_privileges_1(
        rqctx: Ctx,
        body: UntypedBody,
    ) -> Result<EsReply<HasPrivilegesResponse>, EsError> {
        check_privileges(&rqctx, None, body).await
    }

    async fn security_has_privileges_2(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        body: UntypedBody,
    ) -> Result<EsReply<HasPrivilegesResponse>, EsError> {
        check_privileges(&rqctx, Some(path.into_inner().username), body).await
    }

    async fn security_has_privileges_3(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        body: UntypedBody,
    ) -> Result<EsReply<HasPrivilegesResponse>, EsError> {
        check_privileges(&rqctx, Some(path.into_inner().username), body).await
    }

    async fn security_put_user(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<PutUserResponse>, EsError> {
        users::put_user(&rqctx, path.into_inner().username, query.into_inner(), body).await
    }

    async fn security_put_user_1(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<PutUserResponse>, EsError> {
        users::put_user(&rqctx, path.into_inner().username, query.into_inner(), body).await
    }

    async fn security_get_user(
        rqctx: Ctx,
        path: Path<UsernamesPath>,
        query: Query<GetUsersQuery>,
    ) -> Result<EsReply<GetUsersResponse>, EsError> {
        users::get_users(&rqctx, Some(path.into_inner().username), query.into_inner()).await
    }

    async fn security_get_user_1(
        rqctx: Ctx,
        query: Query<GetUsersQuery>,
    ) -> Result<EsReply<GetUsersResponse>, EsError> {
        users::get_users(&rqctx, None, query.into_inner()).await
    }

    async fn security_delete_user(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<FoundResponse>, EsError> {
        users::delete_user(&rqctx, path.into_inner().username, query.into_inner()).await
    }

    async fn security_change_password(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<EmptyResponse>, EsError> {
        users::change_password(&rqctx, Some(path.into_inner().username), query.into_inner(), body).await
    }

    async fn security_change_password_1(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<EmptyResponse>, EsError> {
        users::change_password(&rqctx, Some(path.into_inner().username), query.into_inner(), body).await
    }

    async fn security_change_password_2(
        rqctx: Ctx,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<EmptyResponse>, EsError> {
        users::change_password(&rqctx, None, query.into_inner(), body).await
    }

    async fn security_change_password_3(
        rqctx: Ctx,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<EmptyResponse>, EsError> {
        users::change_password(&rqctx, None, query.into_inner(), body).await
    }

    async fn security_enable_user(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<EmptyResponse>, EsError> {
        users::set_enabled(&rqctx, path.into_inner().username, true, query.into_inner()).await
    }

    async fn security_enable_user_1(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<EmptyResponse>, EsError> {
        users::set_enabled(&rqctx, path.into_inner().username, true, query.into_inner()).await
    }

    async fn security_disable_user(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<EmptyResponse>, EsError> {
        users::set_enabled(&rqctx, path.into_inner().username, false, query.into_inner()).await
    }

    async fn security_disable_user_1(
        rqctx: Ctx,
        path: Path<UsernamePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<EmptyResponse>, EsError> {
        users::set_enabled(&rqctx, path.into_inner().username, false, query.into_inner()).await
    }

    async fn security_put_role(
        rqctx: Ctx,
        path: Path<RolePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<PutRoleResponse>, EsError> {
        roles::put_role(&rqctx, path.into_inner().name, query.into_inner(), body).await
    }

    async fn security_put_role_1(
        rqctx: Ctx,
        path: Path<RolePath>,
        query: Query<RefreshQuery>,
        body: UntypedBody,
    ) -> Result<EsReply<PutRoleResponse>, EsError> {
        roles::put_role(&rqctx, path.into_inner().name, query.into_inner(), body).await
    }

    async fn security_get_role(rqctx: Ctx, path: Path<RolesPath>) -> Result<EsReply<GetRolesResponse>, EsError> {
        roles::get_roles(&rqctx, Some(path.into_inner().name)).await
    }

    async fn security_get_role_1(rqctx: Ctx) -> Result<EsReply<GetRolesResponse>, EsError> {
        roles::get_roles(&rqctx, None).await
    }

    async fn security_delete_role(
        rqctx: Ctx,
        path: Path<RolePath>,
        query: Query<RefreshQuery>,
    ) -> Result<EsReply<FoundResponse>, EsError> {
        roles::delete_role(&rqctx, path.into_inner().name, query.into_inner()).await
    }

    async fn security_clear_cached_roles(
        rqctx: Ctx,
        path: Path<RolesPath>,
    ) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError> {
        roles::clear_cached_roles(&rqctx, path.into_inner().name).await
    }

    async fn security_clear_cached_realms(
        rqctx: Ctx,
        path: Path<RealmsPath>,
        query: Query<ClearRealmsQuery>,
    ) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError> {
        users::clear_cached_realms(&rqctx, path.into_inner().realms, query.into_inner()).await
    }

    async fn metrics(rqctx: Ctx) -> Result<PrometheusText, EsError> {
        let node = rqctx.context();
        let (outcome, format) = handle(&rqctx, false, async |request, caller| {
            plain(node, request, &caller, metrics::NAME).await?;
            Ok(metrics::execute(node))
        })
        .await;
        Ok(PrometheusText::new(outcome, format))
    }
}

/// The three create-token endpoints.
async fn create_token(
    rqctx: &Ctx,
    namespace: &str,
    service: &str,
    name: Option<&str>,
    query: RefreshQuery,
) -> Result<EsReply<CreateServiceTokenResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        parse_refresh(query.refresh.as_deref())?;
        request.finish(&["refresh"])?;
        if let Some(name) = name {
            validate_name(name)?;
        }
        node.security.authorize(&caller, create_service_token::NAME).await?;
        let node = Arc::clone(node);
        let (namespace, service, name) = (namespace.to_string(), service.to_string(), name.map(str::to_string));
        to_completion(async move {
            create_service_token::execute(&node, &caller, &namespace, &service, name.as_deref()).await
        })
        .await
    })
    .await;
    Ok(EsReply::new(outcome, format))
}

/// The two cluster-health endpoints: 200, or 408 when the wait ran out.
async fn health(
    rqctx: &Ctx,
    index: Option<&str>,
    query: ClusterHealthQuery,
) -> Result<EsReply<ClusterHealthResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        let health = HealthRequest::parse(index, &query, request)?;
        request.finish(cluster_health::PARAMS)?;
        node.security.authorize(&caller, cluster_health::NAME).await?;
        cluster_health::execute(node, &health).await
    })
    .await;
    let status = match &outcome {
        Ok(health) if health.timed_out => StatusCode::REQUEST_TIMEOUT,
        _ => StatusCode::OK,
    };
    Ok(EsReply::new(outcome, format).with_status(status))
}

/// The four `_has_privileges` endpoints. Every caller may check itself;
/// naming another user needs the action's privilege, and then fails.
async fn check_privileges(
    rqctx: &Ctx,
    user: Option<String>,
    body: UntypedBody,
) -> Result<EsReply<HasPrivilegesResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        let (body, source_params) = request.json_body(rqctx.request.headers(), body.as_bytes())?;
        let username = user.as_deref().unwrap_or(caller.principal());
        let check = has_privileges::parse(username, &body)?;
        // Elasticsearch checks the parameters once the body is parsed.
        request.finish_params(source_params)?;
        if user.as_deref().is_some_and(|user| user != caller.principal()) {
            node.security.authorize(&caller, has_privileges::NAME).await?;
        }
        has_privileges::execute(node, &caller, user.as_deref(), &check).await
    })
    .await;
    Ok(EsReply::new(outcome, format))
}

/// The three get-service-accounts endpoints.
async fn get_service_accounts(
    rqctx: &Ctx,
    namespace: Option<&str>,
    service: Option<&str>,
) -> Result<EsReply<GetServiceAccountsResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        plain(node, request, &caller, get_service_accounts::NAME).await?;
        Ok(get_service_accounts::execute(namespace, service))
    })
    .await;
    Ok(EsReply::new(outcome, format))
}
