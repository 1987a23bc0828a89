//! Running an action on every member at once, as Elasticsearch's
//! `TransportNodesAction` does, and Elasticsearch's words for the members
//! that fail it.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use es_tokens_transport_client::Client as TransportClient;
use es_tokens_types::transport::NodeInfo;
use es_tokens_types::{ErrorCause, ErrorResponse, NodeStatistics};

use crate::cluster::membership::Cluster;
use crate::config::{Setting, Settings, values};
use crate::error::innermost;

/// How long a cluster-wide call waits for one node before reporting it as
/// failed.
pub const NODE_TIMEOUT_SETTING: Setting<Duration> = Setting::new(
    "transport.node_timeout",
    "30s",
    values::time_or_forever,
    "how long a cluster-wide call waits for one node before reporting it as failed",
);

/// What every node answered, or why it did not.
pub struct NodesOutcome<T> {
    /// The answers of the nodes that answered; each names its node.
    pub answers: Vec<T>,
    /// One `failed_node_exception` per node that did not.
    pub failures: Vec<ErrorCause>,
    /// The ids of the failed nodes that refused the request as a bad one
    /// (this node's own failure included): they read it, unlike those that
    /// could not be reached or did not let it in.
    pub refused: Vec<String>,
}

impl<T> NodesOutcome<T> {
    /// The `_nodes` header of a nodes response.
    pub fn header(&self) -> NodeStatistics {
        NodeStatistics {
            total: (self.answers.len() + self.failures.len()) as u32,
            successful: self.answers.len() as u32,
            failed: self.failures.len() as u32,
            failures: (!self.failures.is_empty()).then(|| self.failures.clone()),
        }
    }
}

/// Why a remote node did not answer an action.
pub type RemoteError = es_tokens_transport_client::Error<ErrorResponse>;

/// How cluster-wide calls are run: each node's time to answer, and the
/// numbers of the node requests, for their messages.
pub struct FanOut {
    node_timeout: Duration,
    request_ids: AtomicU64,
}

impl FanOut {
    /// As `transport.node_timeout` says.
    pub fn new(settings: &Settings) -> Self {
        FanOut { node_timeout: NODE_TIMEOUT_SETTING.get(settings), request_ids: AtomicU64::new(0) }
    }
}

impl Cluster {
    /// Runs an action on every other member at once (`remote`, a call of the
    /// node-to-node API), each given `transport.node_timeout` to answer, and
    /// reports their answers after `local`, this node's own. Nodes that are
    /// down fail at once, hung ones after the timeout; the others are
    /// unaffected.
    pub async fn fan_out<T, Fut>(
        &self,
        action: &str,
        local: T,
        remote: impl Fn(TransportClient) -> Fut,
    ) -> NodesOutcome<T>
    where
        Fut: Future<Output = Result<T, RemoteError>>,
    {
        self.fan_out_within(action, None, Ok(local), remote).await
    }

    /// [`Cluster::fan_out`] of an action this node may fail too: `local` is
    /// its answer, or why it failed (reported as this node's failure).
    pub async fn fan_out_fallible<T, Fut>(
        &self,
        action: &str,
        local: Result<T, ErrorCause>,
        remote: impl Fn(TransportClient) -> Fut,
    ) -> NodesOutcome<T>
    where
        Fut: Future<Output = Result<T, RemoteError>>,
    {
        self.fan_out_within(action, None, local, remote).await
    }

    /// [`Cluster::fan_out_fallible`], each node given `timeout` instead of
    /// `transport.node_timeout` when the request names one.
    pub async fn fan_out_within<T, Fut>(
        &self,
        action: &str,
        timeout: Option<Duration>,
        local: Result<T, ErrorCause>,
        remote: impl Fn(TransportClient) -> Fut,
    ) -> NodesOutcome<T>
    where
        Fut: Future<Output = Result<T, RemoteError>>,
    {
        let members = self.members();
        let (mut answers, mut failures, mut refused) = (Vec::with_capacity(members.len() + 1), Vec::new(), Vec::new());
        match local {
            Ok(answer) => answers.push(answer),
            Err(cause) => {
                let local = self.local();
                failures.push(failed_node(&local, cause));
                refused.push(local.node_id);
            }
        }
        if members.is_empty() {
            return NodesOutcome { answers, failures, refused };
        }
        let FanOut { node_timeout, request_ids } = &self.fan_out;
        let node_timeout = &timeout.unwrap_or(*node_timeout);
        let calls = members.into_iter().map(|member| {
            let call = remote(self.client(&member.transport_address));
            let request_id = request_ids.fetch_add(1, Ordering::Relaxed);
            async move {
                let outcome = match tokio::time::timeout(*node_timeout, call).await {
                    Ok(Ok(answer)) => Ok(answer),
                    Ok(Err(error)) => {
                        // Refused as a bad request: the node read the
                        // request and did what it could of it.
                        let answered = matches!(&error, es_tokens_transport_client::Error::ErrorResponse(response)
                            if response.status() == http::StatusCode::BAD_REQUEST);
                        Err((remote_cause(&member, &error), answered))
                    }
                    Err(_) => Err((
                        ErrorCause::new(
                            "receive_timeout_transport_exception",
                            format!(
                                "[{}][{}][{action}[n]] request_id [{request_id}] timed out after [{}ms]",
                                member.node_name,
                                member.transport_address,
                                node_timeout.as_millis()
                            ),
                        ),
                        false,
                    )),
                };
                (member, outcome)
            }
        });
        for (member, outcome) in futures::future::join_all(calls).await {
            match outcome {
                Ok(answer) => answers.push(answer),
                Err((cause, answered)) => {
                    failures.push(failed_node(&member, cause));
                    if answered {
                        refused.push(member.node_id.clone());
                    }
                }
            }
        }
        NodesOutcome { answers, failures, refused }
    }
}

/// Elasticsearch's entry for a node that failed a nodes action.
fn failed_node(node: &NodeInfo, cause: ErrorCause) -> ErrorCause {
    let mut failure = ErrorCause::new("failed_node_exception", format!("Failed node [{}]", node.node_id));
    failure.metadata.insert("node_id".to_string(), node.node_id.clone().into());
    failure.caused_by = Some(Box::new(cause));
    failure
}

/// Why a remote call failed, as Elasticsearch's transport layer words it.
fn remote_cause(node: &NodeInfo, error: &RemoteError) -> ErrorCause {
    match error {
        // The node answered with an error: Elasticsearch shows the remote
        // exception itself (its transport wrapper is unwrapped).
        es_tokens_transport_client::Error::ErrorResponse(response) => {
            let mut cause = response.error.clone();
            cause.root_cause = None;
            cause
        }
        es_tokens_transport_client::Error::CommunicationError(error) if error.is_connect() => {
            let mut cause = ErrorCause::new(
                "connect_transport_exception",
                format!("[{}][{}] connect_exception", node.node_name, node.transport_address),
            );
            cause.caused_by = Some(Box::new(ErrorCause::new("connect_exception", innermost(error))));
            cause
        }
        other => ErrorCause::new(
            "node_not_connected_exception",
            format!("[{}][{}] Node not connected: {other}", node.node_name, node.transport_address),
        ),
    }
}
