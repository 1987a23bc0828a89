//! The APIs harnesses call around the security APIs: cluster health and its
//! waits, capabilities, `_has_privileges`, and the default ports.

use std::time::{Duration, Instant};

use es_tokens_types::{HasPrivilegesRequest, HealthStatus, IndexPrivilegesCheck};
use serde_json::{Value, json};

use crate::common::cluster::{ProcessCluster, elastic_http, wait_for_members};
use crate::common::*;

const SETTINGS: &[(&str, &str)] = &[
    ("transport.node_timeout", "1s"),
    ("cluster.fault_detection.follower_check.timeout", "1s"),
    ("cluster.fault_detection.follower_check.retry_count", "2"),
];

async fn get(url: &str) -> (u16, Value) {
    let response = elastic_http().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn health_through_the_generated_client() {
    let node = TestNode::start(&[]).await;
    let client = node.client();
    let health = client
        .cluster_health(None, None, None, None, None, None, None, None, None, None, None, None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!((health.status, health.number_of_nodes, health.timed_out), (HealthStatus::Green, 1, false));
    // A wait that cannot be met times out with 408 and the health body.
    // Patterned parameters are types the client checks.
    let timeout = "0s".parse().unwrap();
    let nodes = ">=2".parse().unwrap();
    let timed_out = client
        // Parameters in alphabetical order: `timeout` is the 9th,
        // `wait_for_nodes` the 14th.
        .cluster_health(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(&timeout),
            None,
            None,
            None,
            None,
            Some(&nodes),
            None,
        )
        .await
        .unwrap_err();
    match timed_out {
        es_tokens_client::Error::ErrorResponse(response) => {
            assert_eq!(response.status(), 408);
            match response.into_inner() {
                es_tokens_types::ClusterHealthError::TimedOut(health) => assert!(health.timed_out),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn health_field_order_is_elasticsearchs() {
    let node = TestNode::start(&[]).await;
    let text =
        node.http().get(format!("{}/_cluster/health?human", node.url)).send().await.unwrap().text().await.unwrap();
    assert_eq!(
        text,
        r#"{"cluster_name":"test-cluster","status":"green","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1,"active_primary_shards":0,"active_shards":0,"relocating_shards":0,"initializing_shards":0,"unassigned_shards":0,"unassigned_primary_shards":0,"delayed_unassigned_shards":0,"number_of_pending_tasks":0,"number_of_in_flight_fetch":0,"task_max_waiting_in_queue":"0s","task_max_waiting_in_queue_millis":0,"active_shards_percent":"100.0%","active_shards_percent_as_number":100.0}"#
    );
    let missing = node.http().get(format!("{}/_cluster/health/logs?timeout=200ms", node.url)).send().await.unwrap();
    assert_eq!(missing.status(), 408);
    let body: Value = missing.json().await.unwrap();
    assert_eq!((body["status"].as_str(), body["timed_out"].as_bool()), (Some("red"), Some(true)));
    let unknown = node.http().get(format!("{}/_cluster/health?wait_for_nodes=x", node.url)).send().await.unwrap();
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        unknown.text().await.unwrap(),
        es_error_body("number_format_exception", "For input string: \"x\"", "", 400)
    );
}

/// A three-node cluster with one node down: `wait_for_nodes=3` waits until
/// it is back, and times out while it is not.
#[tokio::test]
async fn health_waits_for_a_node_to_come_back() {
    let mut cluster = ProcessCluster::start(3, SETTINGS);
    cluster.wait_formed().await;
    let url = format!("{}/_cluster/health", cluster.nodes[0].url());
    let (status, body) = get(&format!("{url}?wait_for_status=green&wait_for_nodes=3")).await;
    assert_eq!((status, body["number_of_nodes"].as_u64()), (200, Some(3)), "{body}");
    cluster.nodes[2].kill();
    // Once a check of it failed, and until it is removed, it counts and the
    // cluster is yellow.
    let mut seen = Vec::new();
    let started = Instant::now();
    loop {
        let (_, body) = get(&url).await;
        let state = (body["number_of_nodes"].as_u64().unwrap(), body["status"].as_str().unwrap().to_string());
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state.0 == 2 || started.elapsed() > Duration::from_secs(30) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen.contains(&(3, "yellow".to_string())), "{seen:?}");
    assert_eq!(seen.last(), Some(&(2, "green".to_string())), "{seen:?}");
    wait_for_members(&cluster.nodes[0], 2).await;
    let started = Instant::now();
    let (status, body) = get(&format!("{url}?wait_for_nodes=3&timeout=1s")).await;
    assert_eq!((status, body["timed_out"].as_bool(), body["number_of_nodes"].as_u64()), (408, Some(true), Some(2)));
    assert!(started.elapsed() >= Duration::from_secs(1), "answered before its timeout");
    let waiting = tokio::spawn(async move { get(&format!("{url}?wait_for_nodes=3&timeout=60s")).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.restart(2, SETTINGS);
    let (status, body) = waiting.await.unwrap();
    assert_eq!((status, body["timed_out"].as_bool(), body["number_of_nodes"].as_u64()), (200, Some(false), Some(3)));
}

#[tokio::test]
async fn capabilities_ask_every_node() {
    let mut cluster = ProcessCluster::start(2, SETTINGS);
    cluster.wait_formed().await;
    let base = cluster.nodes[0].url();
    let path = "/_security/service/{namespace}/{service}/credential/token/{name}/_clear_cache";
    let (status, body) = get(&format!("{base}/_capabilities?method=POST&path={}", urlencode(path))).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"_nodes": {"total": 2, "successful": 2, "failed": 0}, "cluster_name": "test-cluster", "supported": true})
    );
    let (_, body) = get(&format!("{base}/_capabilities?method=GET&path=/_cat/indices")).await;
    assert_eq!(body["supported"], false);
    cluster.nodes[1].kill();
    let (_, body) = get(&format!("{base}/_capabilities?path=/")).await;
    assert_eq!((body["_nodes"]["failed"].as_u64(), &body["supported"]), (Some(1), &Value::Null), "{body}");
    let (_, body) = get(&format!("{base}/_capabilities?path=/&local_only=true")).await;
    assert_eq!(
        body,
        json!({"_nodes": {"total": 1, "successful": 1, "failed": 0}, "cluster_name": "test-cluster", "supported": true})
    );
}

fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn has_privileges_for_users_and_service_accounts() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let request = HasPrivilegesRequest {
        cluster: Some(vec!["monitor".into(), "manage_service_account".into(), "cluster:monitor/health".into()]),
        index: Some(vec![IndexPrivilegesCheck {
            names: vec!["logs-app".into(), ".security-7".into()],
            privileges: vec!["write".into()],
            allow_restricted_indices: None,
        }]),
        application: None,
    };
    let elastic = node.client().security_has_privileges_1(&request).await.unwrap().into_inner();
    assert!(elastic.has_all_requested);
    let fleet =
        node.client_with(&bearer(FILE_TOKEN_BEARER)).security_has_privileges_1(&request).await.unwrap().into_inner();
    assert_eq!(fleet.username, "elastic/fleet-server");
    assert!(
        fleet.cluster["monitor"] && !fleet.cluster["manage_service_account"] && fleet.cluster["cluster:monitor/health"]
    );
    assert!(fleet.index["logs-app"]["write"], "fleet-server writes logs-*");
    assert!(!fleet.index[".security-7"]["write"]);
    assert!(!fleet.has_all_requested);
    // Naming oneself is allowed without any privilege; naming another user
    // needs one, and then fails.
    let monitor = node.client_with(&basic(MONITOR.0, MONITOR.1));
    monitor.security_has_privileges_3(&native_name(MONITOR.0), &request).await.unwrap();
    let other = monitor.security_has_privileges_3(&native_name("elastic"), &request).await.unwrap_err();
    assert_eq!(other.status().map(|status| status.as_u16()), Some(403));
    // With the privilege (elastic is a superuser), naming another is a 400,
    // as Elasticsearch's transport action refuses it.
    let named = node
        .http()
        .post(format!("{}/_security/user/{}/_has_privileges", node.url, MONITOR.0))
        .json(&serde_json::json!({"cluster": ["monitor"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), 400);
    assert_eq!(
        named.text().await.unwrap(),
        es_error_body(
            "illegal_argument_exception",
            "users may only check the privileges of their own account",
            "",
            400
        )
    );
    // Bodies Elasticsearch's REST layer refuses.
    let url = format!("{}/_security/user/_has_privileges", node.url);
    let missing = node.http().post(&url).send().await.unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(
        missing.text().await.unwrap(),
        es_error_body("parse_exception", "request body or source parameter is required", "", 400)
    );
    let text = node.http().post(&url).header("content-type", "text/plain").body("{}").send().await.unwrap();
    assert_eq!(text.status(), 406);
    assert_eq!(
        text.text().await.unwrap(),
        r#"{"error":"Content-Type header [text/plain] is not supported","status":406}"#
    );
    let source = node
        .http()
        .get(format!("{url}?source={}&source_content_type=application/json", urlencode(r#"{"cluster":["all"]}"#)))
        .send()
        .await
        .unwrap();
    assert_eq!(source.status(), 200);
}

#[tokio::test]
async fn two_nodes_with_the_default_port_ranges_both_start() {
    let ranges = [("http.port", "9200-9300"), ("transport.port", "9300-9400")];
    let first = TestNode::start(&ranges).await;
    let second = TestNode::start(&ranges).await;
    let (a, b) = (first.addr().port(), second.addr().port());
    assert_ne!(a, b);
    for port in [a, b] {
        assert!((9200..=9300).contains(&port), "{port}");
    }
    let transport = [first.node.transport_address().port(), second.node.transport_address().port()];
    assert_ne!(transport[0], transport[1]);
    for port in transport {
        assert!((9300..=9400).contains(&port), "{port}");
    }
}
