//! The HTTP API of a node: the `ElasticsearchApi` trait implemented over the
//! node's state. Each handler parses the request (`RestRequest`), does its
//! work, and renders the outcome in the negotiated format; the work itself
//! lives in the modules named after it.

use std::sync::Arc;

use dropshot::{Path, RequestContext, RequestInfo};
use es_tokens_api::{ElasticsearchApi, EsError, EsReply, Head, PrometheusText, ResponseFormat, ServiceTokensPath};
use es_tokens_types::{ClearCachedServiceTokensResponse, InfoResponse};

use crate::clear_cache::clear_cached_service_tokens;
use crate::context::NodeContext;
use crate::error::ServiceError;
use crate::rest_request::RestRequest;
use crate::token_name::TokenSelection;

/// The node's implementation of [`ElasticsearchApi`].
pub enum NodeApi {}

/// Runs `endpoint` on the parsed request and pairs its outcome with the
/// negotiated format. A request that cannot be parsed is answered in plain
/// JSON, as Elasticsearch answers it.
async fn handle<T>(
    request: &RequestInfo,
    pretty_by_default: bool,
    endpoint: impl AsyncFnOnce(&RestRequest) -> Result<T, ServiceError>,
) -> (Result<T, ServiceError>, ResponseFormat) {
    match RestRequest::parse(request, pretty_by_default) {
        Ok(rest) => (endpoint(&rest).await, rest.format()),
        Err(error) => (Err(error), ResponseFormat::default()),
    }
}

impl ElasticsearchApi for NodeApi {
    type Context = Arc<NodeContext>;

    async fn info(rqctx: RequestContext<Self::Context>) -> Result<EsReply<InfoResponse>, EsError> {
        let node = rqctx.context();
        let (outcome, format) = handle(&rqctx.request, true, async |request| {
            request.finish(&[])?;
            Ok(node.info())
        })
        .await;
        Ok(EsReply::new(outcome, format))
    }

    async fn ping(rqctx: RequestContext<Self::Context>) -> Result<Head, EsError> {
        let node = rqctx.context();
        let (outcome, format) = handle(&rqctx.request, true, async |request| {
            request.finish(&[])?;
            Ok(node.info())
        })
        .await;
        Ok(Head::new(outcome, format))
    }

    async fn security_clear_cached_service_tokens(
        rqctx: RequestContext<Self::Context>,
        path: Path<ServiceTokensPath>,
    ) -> Result<EsReply<ClearCachedServiceTokensResponse>, EsError> {
        let node = rqctx.context();
        let path = path.into_inner();
        let (outcome, format) = handle(&rqctx.request, false, async |request| {
            // Elasticsearch's order: authenticate (401), then validate the
            // names (400), then authorize (403). Authentication and
            // authorization arrive with the credentials work; this is where
            // they go.
            let selection = TokenSelection::parse(&path.name)?;
            request.finish(&[])?;
            Ok(clear_cached_service_tokens(node, &path.namespace, &path.service, &selection).await)
        })
        .await;
        Ok(EsReply::new(outcome, format))
    }

    async fn metrics(rqctx: RequestContext<Self::Context>) -> Result<PrometheusText, EsError> {
        let node = rqctx.context();
        let (outcome, format) = handle(&rqctx.request, false, async |request| {
            request.finish(&[])?;
            Ok(node.render_metrics())
        })
        .await;
        Ok(PrometheusText::new(outcome, format))
    }
}
