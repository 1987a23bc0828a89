//! Whether the cluster's nodes have a REST route
//! (`TransportNodesCapabilitiesAction`), both halves: the coordinating
//! node asks every member (or only itself, `local_only`) and each answers
//! from its own routes, as `RestController#checkSupported` does.

use std::time::Duration;

use es_tokens_api::CapabilitiesQuery;
use es_tokens_types::CapabilitiesResponse;
use es_tokens_types::transport::{NodeCapabilities, NodeCapabilitiesRequest};

use crate::config::time_value::parse_time_value;
use crate::error::ServiceError;
use crate::http::rest_controller::METHODS;
use crate::http::rest_request::parse_bool;
use crate::http::routes;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:monitor/nodes/capabilities";

/// The query parameters the endpoint takes (its `supportedQueryParameters`).
pub const PARAMS: &[&str] = &["timeout", "method", "path", "parameters", "capabilities", "local_only"];

/// A capabilities request, parsed.
pub struct CapabilitiesRequest {
    node: NodeCapabilitiesRequest,
    local_only: bool,
    timeout: Option<Duration>,
}

/// Decodes a value as `java.net.URLDecoder` does: `+` is a space, `%XX` a
/// byte, with its errors.
fn url_decode(value: &str) -> Result<String, ServiceError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let Some(hex) = value.get(i + 1..i + 3) else {
                    return Err(ServiceError::InvalidParameter(
                        "URLDecoder: Incomplete trailing escape (%) pattern".to_string(),
                    ));
                };
                let byte = u8::from_str_radix(hex, 16).map_err(|_| {
                    ServiceError::InvalidParameter(format!(
                        "URLDecoder: Illegal hex characters in escape (%) pattern - For input string: \"{hex}\" under radix 16"
                    ))
                })?;
                out.push(byte);
                i += 3;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn list(value: Option<&str>) -> Vec<String> {
    value.into_iter().flat_map(|value| value.split(',')).filter(|item| !item.is_empty()).map(str::to_string).collect()
}

impl CapabilitiesRequest {
    /// Reads `query` as `RestNodesCapabilitiesAction` does.
    pub fn parse(query: &CapabilitiesQuery) -> Result<Self, ServiceError> {
        let local_only = match &query.local_only {
            Some(value) => parse_bool(value)?,
            None => false,
        };
        // `-1` waits for every node however long it takes, as a nodes
        // request's `TimeValue.MINUS_ONE` does; absent, `transport.node_timeout`.
        let timeout = match &query.timeout {
            Some(value) => Some(
                parse_time_value("timeout", value)
                    .map_err(|error| ServiceError::InvalidParameter(error.to_string()))?
                    .unwrap_or(Duration::MAX),
            ),
            None => None,
        };
        let method = query.method.clone().unwrap_or_else(|| "GET".to_string());
        if !METHODS.contains(&method.as_str()) {
            return Err(ServiceError::InvalidParameter(format!(
                "No enum constant org.elasticsearch.rest.RestRequest.Method.{method}"
            )));
        }
        // Elasticsearch decodes the parameter without checking it is there,
        // and fails with a NullPointerException (500); bad input gets a 400
        // here.
        let path =
            query.path.as_deref().ok_or_else(|| ServiceError::ValidationFailed(vec!["path is missing".to_string()]))?;
        let node = NodeCapabilitiesRequest {
            method,
            path: url_decode(path)?,
            parameters: list(query.parameters.as_deref()),
            capabilities: list(query.capabilities.as_deref()),
        };
        Ok(CapabilitiesRequest { node, local_only, timeout })
    }
}

/// The node half: whether this node has the route.
pub fn node_operation(node: &NodeContext, request: &NodeCapabilitiesRequest) -> NodeCapabilities {
    let routes = routes::elasticsearch();
    let supported = routes.operation_of(&request.method, &request.path).is_some_and(|operation| {
        // Only this endpoint says which parameters it takes; the others take
        // any (`supportedQueryParameters` is null). None has capabilities.
        let parameters_taken = operation != "capabilities"
            || request.parameters.iter().all(|parameter| PARAMS.contains(&parameter.as_str()));
        parameters_taken && request.capabilities.is_empty()
    });
    NodeCapabilities { node_id: node.identity.node_id.clone(), supported }
}

/// The coordinating half: every member's answer, `supported` only if all of
/// them answered and support it.
pub async fn execute(node: &NodeContext, request: CapabilitiesRequest) -> CapabilitiesResponse {
    let local = node_operation(node, &request.node);
    let outcome = if request.local_only {
        crate::cluster::fan_out::NodesOutcome { answers: vec![local], failures: Vec::new(), refused: Vec::new() }
    } else {
        let body = &request.node;
        node.cluster
            .fan_out_within(NAME, request.timeout, Ok(local), |client| async move {
                client.node_capabilities(body).await.map(|answer| answer.into_inner())
            })
            .await
    };
    // The answers hold this node's own at least.
    let supported = outcome.failures.is_empty().then(|| outcome.answers.iter().all(|answer| answer.supported));
    CapabilitiesResponse { nodes: outcome.header(), cluster_name: node.identity.cluster_name.clone(), supported }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_of_minus_one_waits_for_every_node() {
        let query = |timeout: &str| -> CapabilitiesQuery {
            serde_json::from_value(serde_json::json!({"path": "/", "timeout": timeout})).unwrap()
        };
        assert_eq!(CapabilitiesRequest::parse(&query("-1")).unwrap().timeout, Some(Duration::MAX));
        assert_eq!(CapabilitiesRequest::parse(&query("2s")).unwrap().timeout, Some(Duration::from_secs(2)));
    }

    #[test]
    fn url_decoding_as_java_does() {
        assert_eq!(url_decode("/_cluster/health%2Fx+y").unwrap(), "/_cluster/health/x y");
        assert_eq!(url_decode("%").unwrap_err().to_string(), "URLDecoder: Incomplete trailing escape (%) pattern");
        assert!(url_decode("%zz").unwrap_err().to_string().starts_with("URLDecoder: Illegal hex characters"));
    }
}
