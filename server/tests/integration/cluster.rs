//! A real cluster of three node processes on loopback: the clear-cache
//! fan-out and its failures, one token index for all, deletes that reach
//! every node's cache, and a transport port closed to strangers.

use std::time::{Duration, Instant};

use crate::common::cluster::{
    ProcessCluster, authenticate, clear, create_token, elastic_http, metric, wait_for_members,
};
use crate::common::{FILE_TOKEN_BEARER, FILE_TOKEN_LINE, eventually};

fn node_ids(body: &serde_json::Value) -> Vec<String> {
    body["nodes"].as_object().unwrap().keys().cloned().collect()
}

/// The cache lease of the test clusters: a clear that some node did not
/// acknowledge waits this long (see `cache_lease`).
const LEASE: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fan_out_counts_every_node_and_reports_a_dead_one() {
    let mut cluster = ProcessCluster::start(3, &[]);
    cluster.wait_formed().await;
    let token = create_token(&cluster.nodes[0], "elastic/fleet-server", "fan-out").await;
    for node in &cluster.nodes {
        assert_eq!(authenticate(node, &token).await.0, 200);
        assert_eq!(metric(node, "service_token_cache_entries{cache=\"index\"}").await, 1);
    }
    let body = clear(&cluster.nodes[0], "fan-out").await;
    assert_eq!(body["_nodes"], serde_json::json!({"total": 3, "successful": 3, "failed": 0}));
    assert_eq!(body["cluster_name"], "test-cluster");
    let mut expected: Vec<String> = cluster.nodes.iter().map(|n| n.id.clone()).collect();
    expected.sort();
    assert_eq!(node_ids(&body), expected);
    for node in &cluster.nodes {
        assert_eq!(body["nodes"][&node.id]["name"], node.name.as_str());
        // Every node cleared its own cache.
        assert_eq!(metric(node, "service_token_cache_entries{cache=\"index\"}").await, 0, "{}", node.name);
    }

    // Every node-to-node call so far went over the nodes' channels, none
    // through the reqwest fallback.
    let fallback = "the channel could not carry a node-to-node call";
    for node in &cluster.nodes {
        assert!(!node.logged(fallback), "{} fell back to reqwest", node.name);
    }

    // Kill node 3: it fails at once, the other two still clear. The call
    // answers once node 3's cache lease has surely run out, since nobody can
    // tell a dead node from one cut off.
    for node in &cluster.nodes[..2] {
        assert_eq!(authenticate(node, &token).await.0, 200);
    }
    cluster.nodes[2].kill();
    let dead = cluster.nodes[2].id.clone();
    let started = Instant::now();
    let body = clear(&cluster.nodes[0], "fan-out").await;
    let took = started.elapsed();
    assert!(took >= LEASE && took < LEASE + Duration::from_secs(3), "took {took:?}: {body}");
    assert_eq!(body["_nodes"]["total"], 3);
    assert_eq!(body["_nodes"]["successful"], 2);
    assert_eq!(body["_nodes"]["failed"], 1);
    let failure = &body["_nodes"]["failures"][0];
    let keys: Vec<&String> = failure.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["type", "reason", "node_id", "caused_by"]);
    assert_eq!(failure["type"], "failed_node_exception");
    assert_eq!(failure["reason"], format!("Failed node [{dead}]"));
    assert_eq!(failure["node_id"], dead.as_str());
    assert_eq!(failure["caused_by"]["type"], "connect_transport_exception");
    assert_eq!(failure["caused_by"]["reason"], format!("[node-3][{}] connect_exception", cluster.nodes[2].transport));
    assert!(!node_ids(&body).contains(&dead));
    for node in &cluster.nodes[..2] {
        assert_eq!(metric(node, "service_token_cache_entries{cache=\"index\"}").await, 0);
    }
    // The channel could not reach node 3; reqwest said why.
    assert!(cluster.nodes[0].logged(fallback));
    // Node 3 is still fenced: the next clear does not wait again.
    let started = Instant::now();
    let body = clear(&cluster.nodes[0], "fan-out").await;
    assert!(started.elapsed() < Duration::from_secs(1), "waited again: {body}");
}

/// A clear of many names reaches every node: the node-to-node request is
/// larger than a small default body limit would take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clear_of_many_names_reaches_every_node() {
    // More names than Elasticsearch's 4kb request line holds: the
    // node-to-node request must carry whatever a node lets in.
    let cluster = ProcessCluster::start(2, &[("http.max_initial_line_length", "128kb")]);
    cluster.wait_formed().await;
    let names: Vec<String> = (0..2_000).map(|i| format!("a-rather-long-token-name-{i:05}")).collect();
    let started = Instant::now();
    let body = clear(&cluster.nodes[0], &names.join(",")).await;
    assert_eq!(body["_nodes"], serde_json::json!({"total": 2, "successful": 2, "failed": 0}), "{body}");
    assert!(started.elapsed() < LEASE, "no node was fenced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_node_fails_after_the_node_timeout() {
    let cluster = ProcessCluster::start(3, &[("transport.node_timeout", "2s")]);
    cluster.wait_formed().await;
    cluster.nodes[1].freeze();
    let started = Instant::now();
    let body = clear(&cluster.nodes[0], "*").await;
    let took = started.elapsed();
    cluster.nodes[1].thaw();
    // The timeout, then the lease of the node that did not answer.
    let least = Duration::from_secs(2) + LEASE;
    assert!(took >= least && took < least + Duration::from_secs(5), "took {took:?}: {body}");
    assert_eq!(body["_nodes"]["total"], 3);
    assert_eq!(body["_nodes"]["failed"], 1);
    let failure = &body["_nodes"]["failures"][0];
    assert_eq!(failure["node_id"], cluster.nodes[1].id.as_str());
    assert_eq!(failure["caused_by"]["type"], "receive_timeout_transport_exception");
    let reason = failure["caused_by"]["reason"].as_str().unwrap();
    let prefix =
        format!("[node-2][{}][cluster:admin/xpack/security/cache/clear[n]] request_id [", cluster.nodes[1].transport);
    assert!(reason.starts_with(&prefix) && reason.ends_with("] timed out after [2000ms]"), "{reason}");
    // Thawed, it answers again.
    wait_for_members(&cluster.nodes[0], 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_index_for_the_cluster() {
    let cluster = ProcessCluster::start(3, &[]);
    cluster.wait_formed().await;
    // Created on node 1, it works on node 3 at once.
    let token = create_token(&cluster.nodes[0], "elastic/fleet-server", "shared").await;
    assert_eq!(authenticate(&cluster.nodes[2], &token).await.0, 200);
    for node in &cluster.nodes {
        assert_eq!(authenticate(node, &token).await.0, 200);
        assert_eq!(metric(node, "service_token_cache_entries{cache=\"index\"}").await, 1);
    }
    // Deleted on node 2, refused by all three at once, though cached.
    let url = format!("{}/_security/service/elastic/fleet-server/credential/token/shared", cluster.nodes[1].url());
    let response = elastic_http().delete(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), r#"{"found":true}"#);
    for node in &cluster.nodes {
        assert_eq!(
            metric(node, "service_token_cache_evictions_total{cache=\"index\",cause=\"index_change\"}").await,
            1
        );
        assert_eq!(authenticate(node, &token).await.0, 401, "{}", node.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_list_file_tokens_with_the_nodes_that_have_them() {
    let cluster = ProcessCluster::start(3, &[]);
    cluster.wait_formed().await;
    // Every node has token1; node 2 also has its own.
    for (i, node) in cluster.nodes.iter().enumerate() {
        let mut content = format!("{FILE_TOKEN_LINE}\n");
        if i == 1 {
            content.push_str(&FILE_TOKEN_LINE.replace("token1", "only-on-2"));
            content.push('\n');
        }
        std::fs::write(node.conf_dir.join("service_tokens"), content).unwrap();
    }
    create_token(&cluster.nodes[0], "elastic/fleet-server", "in-index").await;
    let url = format!("{}/_security/service/elastic/fleet-server/credential", cluster.nodes[2].url());
    let credentials =
        || async { elastic_http().get(&url).send().await.unwrap().json::<serde_json::Value>().await.unwrap() };
    eventually("every node reloaded its service_tokens", || async { credentials().await["count"] == 3 }).await;
    let body = credentials().await;
    assert_eq!(
        body,
        serde_json::json!({
            "service_account": "elastic/fleet-server",
            "count": 3,
            "tokens": {"in-index": {}},
            "nodes_credentials": {
                "_nodes": {"total": 3, "successful": 3, "failed": 0},
                "file_tokens": {
                    "only-on-2": {"nodes": ["node-2"]},
                    "token1": {"nodes": ["node-1", "node-2", "node-3"]},
                },
            },
        })
    );
    // And the file token works on every node.
    for node in &cluster.nodes {
        assert_eq!(authenticate(node, FILE_TOKEN_BEARER).await.0, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transport_port_refuses_strangers_and_other_clusters() {
    let cluster = ProcessCluster::start(2, &[]);
    cluster.wait_formed().await;
    let token = create_token(&cluster.nodes[0], "elastic/fleet-server", "kept").await;
    assert_eq!(authenticate(&cluster.nodes[1], &token).await.0, 200);
    let target = &cluster.nodes[1];
    let clear_url = format!("http://{}/_transport/security/cache/clear", target.transport);
    let body = serde_json::json!({"cache": "service", "keys": ["elastic/fleet-server/"], "cause": "clear_api"});
    let http = reqwest::Client::new();
    let missing = http.post(&clear_url).json(&body).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let wrong =
        http.post(&clear_url).header("authorization", "Bearer not-the-secret").json(&body).send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    let error: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(error["error"]["type"], "security_exception");
    let secret = std::fs::read_to_string(&cluster.secret_file).unwrap();
    let secret = format!("Bearer {}", secret.trim());
    let unknown = http
        .post(&clear_url)
        .header("authorization", &secret)
        .json(&serde_json::json!({"cache": "nope", "keys": ["elastic/fleet-server/"], "cause": "clear_api"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let error: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(error["error"]["type"], "illegal_argument_exception");
    assert_eq!(error["error"]["reason"], "No cache named [nope] is found");
    // Nothing was touched.
    assert_eq!(metric(target, "service_token_cache_entries{cache=\"index\"}").await, 1);
    // A node before 0.2 of the node-to-node API sends no cause: its delete
    // still clears, and counts as an index change.
    let old = http
        .post(&clear_url)
        .header("authorization", &secret)
        .json(&serde_json::json!({"cache": "index_service_account_token", "keys": ["elastic/fleet-server/kept"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 200);
    assert_eq!(metric(target, "service_token_cache_entries{cache=\"index\"}").await, 0);
    let evictions = "service_token_cache_evictions_total{cache=\"index\",cause=\"index_change\"}";
    assert_eq!(metric(target, evictions).await, 1);

    // A node of another cluster, with the right secret, is refused.
    let seeds = cluster.nodes[0].transport.to_string();
    let stranger = cluster.spawn("stranger", "other-cluster", &seeds, &[]);
    eventually("the stranger's handshake is refused", || async {
        cluster.nodes[0].logged("handshake with [stranger]")
    })
    .await;
    assert_eq!(clear(&stranger, "x").await["_nodes"]["total"], 1);
    for node in &cluster.nodes {
        assert_eq!(clear(node, "x").await["_nodes"]["total"], 2, "{}", node.name);
    }
    let handshake = http
        .post(format!("http://{}/_transport/handshake", target.transport))
        .header("authorization", &secret)
        .json(&serde_json::json!({
            "cluster_name": "other-cluster",
            "node": {"node_id": "x", "node_name": "x", "transport_address": "127.0.0.1:1"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(handshake.status(), 400);
    let error: serde_json::Value = handshake.json().await.unwrap();
    assert_eq!(
        error["error"]["reason"],
        "handshake failed: remote cluster name [other-cluster] does not match local cluster name [test-cluster]"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_while_a_node_is_down_stands() {
    let mut cluster = ProcessCluster::start(3, &[]);
    cluster.wait_formed().await;
    let token = create_token(&cluster.nodes[0], "elastic/fleet-server", "going").await;
    for node in &cluster.nodes[..2] {
        assert_eq!(authenticate(node, &token).await.0, 200);
    }
    cluster.nodes[2].kill();
    let url = format!("{}/_security/service/elastic/fleet-server/credential/token/going", cluster.nodes[0].url());
    let response = elastic_http().delete(&url).send().await.unwrap();
    assert_eq!(response.status(), 200, "Elasticsearch acknowledges the delete whatever the cache clear's failures");
    assert_eq!(response.text().await.unwrap(), r#"{"found":true}"#);
    for node in &cluster.nodes[..2] {
        assert_eq!(authenticate(node, &token).await.0, 401, "{}", node.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_token_survives_a_crash_and_no_secret_reaches_the_log() {
    let mut cluster = ProcessCluster::start(2, &[]);
    cluster.wait_formed().await;
    let token = create_token(&cluster.nodes[0], "elastic/fleet-server", "durable").await;
    assert_eq!(authenticate(&cluster.nodes[0], &token).await.0, 200);
    let wrong = token.replace(&token[token.len() - 4..], "AAAA");
    assert_eq!(authenticate(&cluster.nodes[0], &wrong).await.0, 401);
    // Crash (SIGKILL) and start again on the same directories.
    cluster.nodes[0].kill();
    let seeds = cluster.nodes[1].transport.to_string();
    cluster.nodes[0] = cluster.spawn("node-1", "test-cluster", &seeds, &[]);
    assert_eq!(authenticate(&cluster.nodes[0], &token).await.0, 200);
    // Node-to-node calls both ways, so that the transport secret was sent.
    cluster.wait_formed().await;

    // Logged at trace level, yet no bearer token, secret, password or
    // transport secret is in either node's log.
    let parsed = es_tokens_server::testing::ServiceAccountToken::parse(&token).unwrap();
    cluster.assert_no_secret_in_logs(&[token.as_str(), wrong.as_str(), parsed.secret()]);
}

/// A node that comes back at the same transport address is reached again at
/// once, although the connections kept alive to its old process broke.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_back_at_its_address_is_reached_at_once() {
    let mut cluster = ProcessCluster::start(2, &[]);
    cluster.wait_formed().await;
    // Leaves a kept-alive connection from node 1 to node 2.
    assert_eq!(clear(&cluster.nodes[0], "*").await["_nodes"]["successful"], 2);
    let port = cluster.nodes[1].transport.port().to_string();
    let seeds = cluster.nodes[0].transport.to_string();
    cluster.nodes[1].kill();
    cluster.nodes[1] = cluster.spawn("node-2", "test-cluster", &seeds, &[("transport.port", &port)]);
    for _ in 0..3 {
        let body = clear(&cluster.nodes[0], "*").await;
        assert_eq!(body["_nodes"], serde_json::json!({"total": 2, "successful": 2, "failed": 0}));
    }
}
