//! The cluster's health (`TransportClusterHealthAction`): its status and
//! nodes, and the waits harnesses start with (`wait_for_status=yellow`).
//!
//! The cluster holds no indices, so every shard count is 0 and the shard
//! conditions hold at once. The status is green while every member answers,
//! yellow while one that stopped answering is not removed yet, and red when
//! the request names an index (none exists), as Elasticsearch answers for a
//! missing index.

use std::time::{Duration, Instant};

use es_tokens_api::ClusterHealthQuery;
use es_tokens_types::{ClusterHealthResponse, HealthStatus};

use crate::config::time_value::parse_time_value;
use crate::error::ServiceError;
use crate::http::rest_request::{RestRequest, parse_bool};
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:monitor/health";

/// The query parameters the endpoint takes besides the global ones.
pub const PARAMS: &[&str] = &[
    "expand_wildcards",
    "ignore_unavailable",
    "allow_no_indices",
    "ignore_throttled",
    "local",
    "master_timeout",
    "timeout",
    "wait_for_status",
    "wait_for_no_relocating_shards",
    "wait_for_no_initializing_shards",
    "wait_for_active_shards",
    "wait_for_nodes",
    "wait_for_events",
    "level",
];

/// How often a waiting request looks at the cluster again.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// A health request, parsed as `RestClusterHealthAction.fromRequest` does.
#[derive(Debug)]
pub struct HealthRequest {
    /// Index names from the path; patterns dropped (they match nothing).
    named_indices: bool,
    timeout: Duration,
    wait_for_status: Option<HealthStatus>,
    /// Active shards to wait for; 0 for none, `None` for all.
    wait_for_active_shards: Option<u32>,
    wait_for_nodes: String,
    level_indices: bool,
    human: bool,
}

/// Which level of detail the answer has (`ClusterStatsLevel`).
fn parse_level(value: &str) -> Result<bool, ServiceError> {
    match value.to_lowercase().as_str() {
        "cluster" => Ok(false),
        "indices" | "shards" => Ok(true),
        _ => Err(ServiceError::InvalidParameter(format!(
            "level parameter must be one of [cluster] or [indices] or [shards] but was [{value}]"
        ))),
    }
}

fn parse_time(name: &str, value: Option<&str>, default: Duration) -> Result<Duration, ServiceError> {
    match value {
        None => Ok(default),
        Some(value) => parse_time_value(name, value)
            .map(|time| time.unwrap_or(Duration::MAX))
            .map_err(|error| ServiceError::InvalidParameter(error.to_string())),
    }
}

impl HealthRequest {
    /// Reads `query` (and the path's `index`, if any) as Elasticsearch does,
    /// in its order, so that the first bad value is the one reported.
    pub fn parse(index: Option<&str>, query: &ClusterHealthQuery, request: &RestRequest) -> Result<Self, ServiceError> {
        let named_indices = index
            .into_iter()
            .flat_map(|list| list.split(','))
            .any(|name| !name.is_empty() && name != "_all" && !name.contains('*'));
        if let Some(value) = &query.expand_wildcards {
            for wildcard in value.split(',') {
                if !["open", "closed", "hidden", "none", "all"].contains(&wildcard.to_lowercase().as_str()) {
                    return Err(ServiceError::InvalidParameter(format!("No valid expand wildcard value [{wildcard}]")));
                }
            }
        }
        for value in [&query.ignore_unavailable, &query.allow_no_indices, &query.ignore_throttled, &query.local]
            .into_iter()
            .flatten()
        {
            parse_bool(value)?;
        }
        parse_time("master_timeout", query.master_timeout.as_deref(), Duration::from_secs(30))?;
        let timeout = parse_time("timeout", query.timeout.as_deref(), Duration::from_secs(30))?;
        let wait_for_status = match &query.wait_for_status {
            None => None,
            Some(value) => Some(match value.to_uppercase().as_str() {
                "GREEN" => HealthStatus::Green,
                "YELLOW" => HealthStatus::Yellow,
                "RED" => HealthStatus::Red,
                other => {
                    return Err(ServiceError::InvalidParameter(format!(
                        "No enum constant org.elasticsearch.cluster.health.ClusterHealthStatus.{other}"
                    )));
                }
            }),
        };
        for value in
            [&query.wait_for_no_relocating_shards, &query.wait_for_no_initializing_shards].into_iter().flatten()
        {
            parse_bool(value)?;
        }
        if request.param("wait_for_relocating_shards").is_some() {
            return Err(ServiceError::InvalidParameter(
                "wait_for_relocating_shards has been removed, use wait_for_no_relocating_shards [true/false] instead"
                    .to_string(),
            ));
        }
        // `ActiveShardCount.parseString`: `all` in lower case, or a number.
        let wait_for_active_shards = match query.wait_for_active_shards.as_deref() {
            None => Some(0),
            Some("all") => None,
            Some(value) => match value.parse::<i32>() {
                Ok(count) if count < 0 => {
                    return Err(ServiceError::InvalidParameter("shard count cannot be a negative value".to_string()));
                }
                Ok(count) => Some(count as u32),
                Err(_) => return Err(ServiceError::ActiveShardCount(value.to_string())),
            },
        };
        if let Some(value) = &query.wait_for_events {
            let priorities = ["IMMEDIATE", "URGENT", "HIGH", "NORMAL", "LOW", "LANGUID"];
            if !priorities.contains(&value.to_uppercase().as_str()) {
                return Err(ServiceError::InvalidParameter(format!(
                    "No enum constant org.elasticsearch.common.Priority.{}",
                    value.to_uppercase()
                )));
            }
        }
        let level_indices = match &query.level {
            Some(level) => parse_level(level)?,
            None => false,
        };
        Ok(HealthRequest {
            named_indices,
            timeout,
            wait_for_status,
            wait_for_active_shards,
            wait_for_nodes: query.wait_for_nodes.clone().unwrap_or_default(),
            level_indices,
            human: request.human(),
        })
    }

    /// How many conditions the request waits for.
    fn wait_count(&self) -> usize {
        [
            self.wait_for_status.is_some(),
            self.wait_for_active_shards != Some(0),
            !self.wait_for_nodes.is_empty(),
            self.named_indices,
        ]
        .into_iter()
        .filter(|&waits| waits)
        .count()
    }
}

/// Whether a cluster of `nodes` nodes meets `expression`
/// (`TransportClusterHealthAction.prepareResponse`).
fn nodes_meet(expression: &str, nodes: u32) -> Result<bool, ServiceError> {
    // `Integer.parseInt`: a 32-bit number.
    let number =
        |text: &str| text.parse::<i32>().map(i64::from).map_err(|_| ServiceError::NumberFormat(text.to_string()));
    let nodes = i64::from(nodes);
    // `ge(N)` and the like drop the last character, whatever it is.
    let inner = |expression: &str| expression.get(3..expression.len().saturating_sub(1)).unwrap_or("").to_string();
    Ok(if let Some(rest) = expression.strip_prefix(">=") {
        nodes >= number(rest)?
    } else if expression.starts_with("ge(") {
        nodes >= number(&inner(expression))?
    } else if let Some(rest) = expression.strip_prefix("<=") {
        nodes <= number(rest)?
    } else if expression.starts_with("le(") {
        nodes <= number(&inner(expression))?
    } else if let Some(rest) = expression.strip_prefix('>') {
        nodes > number(rest)?
    } else if expression.starts_with("gt(") {
        nodes > number(&inner(expression))?
    } else if let Some(rest) = expression.strip_prefix('<') {
        nodes < number(rest)?
    } else if expression.starts_with("lt(") {
        nodes < number(&inner(expression))?
    } else {
        nodes == number(expression)?
    })
}

/// The health now, and how many of the request's conditions it meets.
fn current(node: &NodeContext, request: &HealthRequest) -> Result<(ClusterHealthResponse, usize), ServiceError> {
    let (nodes, failing) = node.cluster.node_counts();
    let mut status = if failing == 0 { HealthStatus::Green } else { HealthStatus::Yellow };
    let mut met = 0;
    if request.wait_for_status.is_some_and(|wanted| status <= wanted) {
        met += 1;
    }
    // No shards: `all` of none are active; no positive count is.
    if request.wait_for_active_shards.is_none() {
        met += 1;
    }
    if !request.wait_for_nodes.is_empty() && nodes_meet(&request.wait_for_nodes, nodes)? {
        met += 1;
    }
    // A named index does not exist: the answer is red and the condition is
    // never met.
    if request.named_indices {
        status = HealthStatus::Red;
    }
    let health = ClusterHealthResponse {
        cluster_name: node.identity.cluster_name.clone(),
        status,
        timed_out: false,
        number_of_nodes: nodes,
        number_of_data_nodes: nodes,
        active_primary_shards: 0,
        active_shards: 0,
        relocating_shards: 0,
        initializing_shards: 0,
        unassigned_shards: 0,
        unassigned_primary_shards: 0,
        delayed_unassigned_shards: 0,
        number_of_pending_tasks: 0,
        number_of_in_flight_fetch: 0,
        task_max_waiting_in_queue: request.human.then(|| "0s".to_string()),
        task_max_waiting_in_queue_millis: 0,
        active_shards_percent: request.human.then(|| "100.0%".to_string()),
        active_shards_percent_as_number: 100.0,
        indices: request.level_indices.then(Default::default),
    };
    Ok((health, met))
}

/// The health once `request`'s conditions hold, or as it is when its
/// timeout runs out (`timed_out`, answered with 408).
pub async fn execute(node: &NodeContext, request: &HealthRequest) -> Result<ClusterHealthResponse, ServiceError> {
    let wanted = request.wait_count();
    let deadline = Instant::now().checked_add(request.timeout);
    loop {
        let (mut health, met) = current(node, request)?;
        if met == wanted {
            return Ok(health);
        }
        if request.timeout.is_zero() || deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            health.timed_out = true;
            return Ok(health);
        }
        let pause = match deadline {
            Some(deadline) => POLL_INTERVAL.min(deadline.saturating_duration_since(Instant::now())),
            None => POLL_INTERVAL,
        };
        tokio::time::sleep(pause).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_expressions_as_elasticsearch_reads_them() {
        for (expression, nodes, meets) in [
            ("3", 3, true),
            (">=3", 2, false),
            ("ge(2)", 2, true),
            ("<=1", 2, false),
            ("le(2)", 2, true),
            (">1", 2, true),
            ("gt(2)", 2, false),
            ("<3", 2, true),
            ("lt(2)", 2, false),
        ] {
            assert_eq!(nodes_meet(expression, nodes).unwrap(), meets, "{expression} with {nodes}");
        }
        assert!(matches!(nodes_meet(">=x", 1), Err(ServiceError::NumberFormat(n)) if n == "x"));
    }

    #[test]
    fn levels() {
        assert!(!parse_level("CLUSTER").unwrap());
        assert!(parse_level("shards").unwrap());
        assert_eq!(
            parse_level("nodes").unwrap_err().to_string(),
            "level parameter must be one of [cluster] or [indices] or [shards] but was [nodes]"
        );
    }
}
