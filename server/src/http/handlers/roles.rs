//! The role endpoints, and the role cache clear: the same steps as every
//! endpoint (see the parent module).

use std::sync::Arc;

use dropshot::UntypedBody;
use es_tokens_api::{EsError, EsReply, RefreshQuery};
use es_tokens_types::{ClearCachedServiceTokensResponse, FoundResponse, GetRolesResponse, PutRoleResponse};
use http::StatusCode;

use super::users::found_reply;
use super::{Ctx, handle, plain};
use crate::actions::clear_realm_cache::names_or_all;
use crate::actions::{clear_roles_cache, delete_role, get_roles, put_role};
use crate::authz::role_descriptor;
use crate::http::rest_request::parse_refresh;
use crate::http::to_completion::to_completion;

/// `PUT|POST /_security/role/{name}`.
pub async fn put_role(
    rqctx: &Ctx,
    name: String,
    query: RefreshQuery,
    body: UntypedBody,
) -> Result<EsReply<PutRoleResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        parse_refresh(query.refresh.as_deref())?;
        let (body, source) = request.json_body(rqctx.request.headers(), body.as_bytes())?;
        let role = role_descriptor::parse(&name, &body)?;
        let params: Vec<&str> = ["refresh"].iter().chain(source).copied().collect();
        request.finish_params(&params)?;
        role_descriptor::validate(&name, &role)?;
        node.security.authorize(&caller, put_role::NAME).await?;
        let node = Arc::clone(node);
        to_completion(async move { put_role::execute(&node, &name, &role).await }).await
    })
    .await;
    Ok(EsReply::new(outcome, format))
}

/// `GET /_security/role[/{name}]`: 404 with `{}` when names were given and
/// none exists.
pub async fn get_roles(rqctx: &Ctx, names: Option<String>) -> Result<EsReply<GetRolesResponse>, EsError> {
    let node = rqctx.context();
    let names: Vec<String> =
        names.iter().flat_map(|names| names.split(',')).filter(|n| !n.is_empty()).map(str::to_string).collect();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        plain(node, request, &caller, get_roles::NAME).await?;
        get_roles::execute(node, &names).await
    })
    .await;
    let status = match &outcome {
        Ok(roles) if roles.0.is_empty() && !names.is_empty() => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    Ok(EsReply::new(outcome, format).with_status(status))
}

/// `DELETE /_security/role/{name}`.
pub async fn delete_role(rqctx: &Ctx, name: String, query: RefreshQuery) -> Result<EsReply<FoundResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        parse_refresh(query.refresh.as_deref())?;
        request.finish(&["refresh"])?;
        node.security.authorize(&caller, delete_role::NAME).await?;
        let node = Arc::clone(node);
        let found = to_completion(async move { delete_role::execute(&node, &name).await }).await?;
        Ok(FoundResponse { found })
    })
    .await;
    Ok(found_reply(outcome, format))
}

/// `POST /_security/role/{name}/_clear_cache`.
pub async fn clear_cached_roles(
    rqctx: &Ctx,
    names: String,
) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        plain(node, request, &caller, clear_roles_cache::NAME).await?;
        let names = names_or_all(&names);
        let node = Arc::clone(node);
        to_completion(async move { Ok(clear_roles_cache::execute(&node, names).await) }).await
    })
    .await;
    Ok(EsReply::new(outcome, format))
}
