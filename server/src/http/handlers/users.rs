//! The user endpoints, and the realm cache clear: the same steps as every
//! endpoint (see the parent module), with the body read where there is one.

use std::sync::Arc;

use dropshot::UntypedBody;
use es_tokens_api::{ClearRealmsQuery, EsError, EsReply, GetUsersQuery, RefreshQuery};
use es_tokens_types::{
    ClearCachedServiceTokensResponse, EmptyResponse, FoundResponse, GetUsersResponse, PutUserResponse,
};
use http::StatusCode;

use super::{Ctx, handle};
use crate::actions::clear_realm_cache::{self, names_or_all};
use crate::actions::put_user::{self, PutUser};
use crate::actions::{change_password, delete_user, get_users, set_enabled};
use crate::error::ServiceError;
use crate::http::rest_request::{RestRequest, parse_bool, parse_refresh};
use crate::http::to_completion::to_completion;

/// The parameters an endpoint takes besides those its body came from.
fn with_source(params: &[&'static str], source: &[&'static str]) -> Vec<&'static str> {
    params.iter().chain(source).copied().collect()
}

/// The JSON body, and the parameters it may have come from.
fn body(
    rqctx: &Ctx,
    request: &RestRequest,
    body: &UntypedBody,
) -> Result<(serde_json::Value, &'static [&'static str]), ServiceError> {
    request.json_body(rqctx.request.headers(), body.as_bytes())
}

/// `PUT|POST /_security/user/{username}`.
pub async fn put_user(
    rqctx: &Ctx,
    username: String,
    query: RefreshQuery,
    body_bytes: UntypedBody,
) -> Result<EsReply<PutUserResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        parse_refresh(query.refresh.as_deref())?;
        let (body, source) = body(rqctx, request, &body_bytes)?;
        let put = PutUser::parse(&username, &body)?;
        request.finish_params(&with_source(&["refresh"], source))?;
        put.validate()?;
        node.security.authorize(&caller, put_user::NAME).await?;
        let node = Arc::clone(node);
        to_completion(async move { put_user::execute(&node, put).await }).await
    })
    .await;
    Ok(EsReply::new(outcome, format))
}

/// `GET /_security/user[/{username}]`: 404 with `{}` when names were given
/// and none exists.
pub async fn get_users(
    rqctx: &Ctx,
    names: Option<String>,
    query: GetUsersQuery,
) -> Result<EsReply<GetUsersResponse>, EsError> {
    let node = rqctx.context();
    let names: Vec<String> =
        names.iter().flat_map(|names| names.split(',')).filter(|n| !n.is_empty()).map(str::to_string).collect();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        if let Some(value) = &query.with_profile_uid {
            parse_bool(value)?;
        }
        request.finish(&["with_profile_uid"])?;
        node.security.authorize(&caller, get_users::NAME).await?;
        get_users::execute(node, &names).await
    })
    .await;
    let status = match &outcome {
        Ok(users) if users.0.is_empty() && !names.is_empty() => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    Ok(EsReply::new(outcome, format).with_status(status))
}

/// `DELETE /_security/user/{username}`: 404 with `{"found":false}` when
/// there is no such user.
pub async fn delete_user(
    rqctx: &Ctx,
    username: String,
    query: RefreshQuery,
) -> Result<EsReply<FoundResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        parse_refresh(query.refresh.as_deref())?;
        request.finish(&["refresh"])?;
        node.security.authorize(&caller, delete_user::NAME).await?;
        let node = Arc::clone(node);
        let found = to_completion(async move { delete_user::execute(&node, &username).await }).await?;
        Ok(FoundResponse { found })
    })
    .await;
    Ok(found_reply(outcome, format))
}

/// A delete's answer: `{"found":false}` comes with 404, as is.
pub fn found_reply(
    outcome: Result<FoundResponse, ServiceError>,
    format: es_tokens_api::ResponseFormat,
) -> EsReply<FoundResponse> {
    let status = match &outcome {
        Ok(FoundResponse { found: false }) => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    EsReply::new(outcome, format).with_status(status)
}

/// `PUT|POST /_security/user[/{username}]/_password`: the caller's own
/// password when no user is named.
pub async fn change_password(
    rqctx: &Ctx,
    username: Option<String>,
    query: RefreshQuery,
    body_bytes: UntypedBody,
) -> Result<EsReply<EmptyResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        parse_refresh(query.refresh.as_deref())?;
        let (body, source) = body(rqctx, request, &body_bytes)?;
        let password = change_password::parse(&body)?;
        request.finish_params(&with_source(&["refresh"], source))?;
        let username = username.clone().unwrap_or_else(|| caller.principal().to_string());
        if !change_password::is_own_password(&caller, &username) {
            node.security.authorize(&caller, change_password::NAME).await?;
        }
        let node = Arc::clone(node);
        to_completion(async move { change_password::execute(&node, &username, password).await }).await?;
        Ok(EmptyResponse {})
    })
    .await;
    Ok(EsReply::new(outcome, format))
}

/// `PUT|POST /_security/user/{username}/_enable|_disable`.
pub async fn set_enabled(
    rqctx: &Ctx,
    username: String,
    enabled: bool,
    query: RefreshQuery,
) -> Result<EsReply<EmptyResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        parse_refresh(query.refresh.as_deref())?;
        request.finish(&["refresh"])?;
        set_enabled::validate(&username)?;
        node.security.authorize(&caller, set_enabled::NAME).await?;
        let node = Arc::clone(node);
        to_completion(async move { set_enabled::execute(&node, &caller, &username, enabled).await }).await?;
        Ok(EmptyResponse {})
    })
    .await;
    Ok(EsReply::new(outcome, format))
}

/// `POST /_security/realm/{realms}/_clear_cache`.
pub async fn clear_cached_realms(
    rqctx: &Ctx,
    realms: String,
    query: ClearRealmsQuery,
) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError> {
    let node = rqctx.context();
    let (outcome, format) = handle(rqctx, false, async |request, caller| {
        request.finish(&["usernames"])?;
        node.security.authorize(&caller, clear_realm_cache::NAME).await?;
        let realms = names_or_all(&realms);
        let usernames = names_or_all(query.usernames.as_deref().unwrap_or_default());
        let node = Arc::clone(node);
        to_completion(async move { Ok(clear_realm_cache::execute(&node, realms, usernames).await) }).await
    })
    .await;
    Ok(EsReply::new(outcome, format))
}
