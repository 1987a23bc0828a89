//! Once a delete (or a clear) is acknowledged, no node answers from a cache
//! that still holds what it removed: not a node that was frozen during it,
//! cut off from the others, or restarted (see `cache_lease` in the server).
//! Each scenario runs several rounds, to catch the races it is about.

use std::time::{Duration, Instant};

use crate::common::cluster::{
    ProcessCluster, authenticate, clear, create_token, delete_token, free_port, metric, wait_for_members,
};
use crate::common::eventually;
use crate::common::proxy::TcpProxy;

/// What every cluster here runs with: a short node timeout, and checks that
/// remove a silent member within a few seconds.
const SETTINGS: &[(&str, &str)] = &[
    ("transport.node_timeout", "1s"),
    ("cluster.fault_detection.follower_check.timeout", "1s"),
    ("cluster.fault_detection.follower_check.retry_count", "2"),
];

const ACCOUNT: &str = "elastic/fleet-server";

/// Creates `count` tokens named `<prefix>-<i>` through node 1 and
/// authenticates each on node 2, which caches them.
async fn cached_tokens(cluster: &ProcessCluster, prefix: &str, count: usize) -> Vec<(String, String)> {
    let mut tokens = Vec::new();
    for i in 0..count {
        let name = format!("{prefix}-{i}");
        let bearer = create_token(&cluster.nodes[0], ACCOUNT, &name).await;
        assert_eq!(authenticate(&cluster.nodes[1], &bearer).await.0, 200);
        tokens.push((name, bearer));
    }
    tokens
}

async fn delete_all(cluster: &ProcessCluster, tokens: &[(String, String)]) {
    for (name, _) in tokens {
        assert_eq!(delete_token(&cluster.nodes[0], ACCOUNT, name).await, (200, r#"{"found":true}"#.to_string()));
    }
}

/// Every token of `tokens` is refused by node `index`, the first request it
/// gets being the first of these.
async fn all_refused(cluster: &ProcessCluster, index: usize, tokens: &[(String, String)], round: usize) {
    for (name, bearer) in tokens {
        let (status, body) = authenticate(&cluster.nodes[index], bearer).await;
        assert_eq!(
            status, 401,
            "round {round}: deleted token {name} accepted by {}: {body}",
            cluster.nodes[index].name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_frozen_through_the_deletes_refuses_them_from_its_first_request() {
    let cluster = ProcessCluster::start(2, SETTINGS);
    cluster.wait_formed().await;
    let kept = create_token(&cluster.nodes[0], ACCOUNT, "kept").await;
    // The issue's scenario first: ten tokens, frozen for five seconds.
    for (round, count) in [10, 4, 4].into_iter().enumerate() {
        let tokens = cached_tokens(&cluster, &format!("frozen-{round}"), count).await;
        assert_eq!(authenticate(&cluster.nodes[1], &kept).await.0, 200);
        cluster.nodes[1].freeze();
        let frozen = Instant::now();
        delete_all(&cluster, &tokens).await;
        // Frozen for longer than the node timeout and the lease.
        tokio::time::sleep(Duration::from_secs(5).saturating_sub(frozen.elapsed())).await;
        cluster.nodes[1].thaw();
        all_refused(&cluster, 1, &tokens, round).await;
        assert_eq!(authenticate(&cluster.nodes[1], &kept).await.0, 200, "round {round}: the node still serves");
        wait_for_members(&cluster.nodes[0], 2).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_racing_a_freeze_is_refused_after_the_thaw() {
    let cluster = ProcessCluster::start(2, SETTINGS);
    cluster.wait_formed().await;
    let pid_freeze = |delay: Duration| {
        let node = &cluster.nodes[1];
        async move {
            tokio::time::sleep(delay).await;
            node.freeze();
        }
    };
    for round in 0..6 {
        let tokens = cached_tokens(&cluster, &format!("race-{round}"), 1).await;
        // The freeze lands before, during or after the delete's fan-out.
        let delay = Duration::from_millis(round as u64 * 7);
        let ((), ()) = tokio::join!(pid_freeze(delay), delete_all(&cluster, &tokens));
        tokio::time::sleep(Duration::from_millis(500)).await;
        cluster.nodes[1].thaw();
        all_refused(&cluster, 1, &tokens, round).await;
        wait_for_members(&cluster.nodes[0], 2).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_cut_off_from_the_others_refuses_what_they_deleted() {
    // Node 2's node-to-node API is reached through a proxy that can be cut:
    // node 1 cannot call it, while node 2 still serves its clients.
    let mut cluster = ProcessCluster::start(1, SETTINGS);
    let port = free_port();
    let proxy = TcpProxy::start(format!("127.0.0.1:{port}").parse().unwrap()).await;
    let (port, published) = (port.to_string(), proxy.addr.port().to_string());
    let mut settings = SETTINGS.to_vec();
    settings.extend([("transport.port", port.as_str()), ("transport.publish_port", published.as_str())]);
    let seeds = cluster.nodes[0].transport.to_string();
    let node = cluster.spawn("node-2", "test-cluster", &seeds, &settings);
    cluster.nodes.push(node);
    cluster.wait_formed().await;
    for round in 0..3 {
        let tokens = cached_tokens(&cluster, &format!("cut-{round}"), 2).await;
        proxy.cut();
        delete_all(&cluster, &tokens).await;
        all_refused(&cluster, 1, &tokens, round).await;
        proxy.restore().await;
        wait_for_members(&cluster.nodes[0], 2).await;
    }
    assert!(cluster.nodes[1].logged("this node missed a cluster-wide clear"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_restarted_after_missing_the_deletes_refuses_them() {
    let mut cluster = ProcessCluster::start(2, SETTINGS);
    cluster.wait_formed().await;
    for round in 0..2 {
        let tokens = cached_tokens(&cluster, &format!("restart-{round}"), 2).await;
        cluster.nodes[1].freeze();
        delete_all(&cluster, &tokens).await;
        cluster.restart(1, SETTINGS);
        all_refused(&cluster, 1, &tokens, round).await;
        wait_for_members(&cluster.nodes[0], 2).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_failed_a_clear_does_not_answer_from_what_it_cleared() {
    let cluster = ProcessCluster::start(2, SETTINGS);
    cluster.wait_formed().await;
    let bearer = create_token(&cluster.nodes[0], ACCOUNT, "cleared").await;
    let frozen = &cluster.nodes[1];
    assert_eq!(authenticate(frozen, &bearer).await.0, 200);
    let misses = "service_token_cache_misses_total{cache=\"index\"}";
    let before = metric(frozen, misses).await;
    frozen.freeze();
    let body = clear(&cluster.nodes[0], "cleared").await;
    frozen.thaw();
    assert_eq!(body["_nodes"]["failed"], 1, "{body}");
    assert_eq!(body["_nodes"]["failures"][0]["node_id"], frozen.id.as_str());
    // The token is valid: the node asks its store for it, not its cache.
    assert_eq!(authenticate(frozen, &bearer).await.0, 200);
    assert_eq!(metric(frozen, misses).await, before + 1);
    let missed = "service_token_cache_evictions_total{cache=\"index\",cause=\"missed_clear\"}";
    assert_eq!(metric(frozen, missed).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_member_is_removed_and_joins_again_when_it_answers() {
    let mut cluster = ProcessCluster::start(3, SETTINGS);
    cluster.wait_formed().await;
    // Dead: reported as failed, then removed, no longer counted.
    cluster.nodes[2].kill();
    let body = clear(&cluster.nodes[0], "x").await;
    assert_eq!((body["_nodes"]["total"].as_u64(), body["_nodes"]["failed"].as_u64()), (Some(3), Some(1)), "{body}");
    eventually("node 3 is removed", || async { cluster.nodes[0].logged("node left") }).await;
    let body = clear(&cluster.nodes[0], "x").await;
    assert_eq!(body["_nodes"], serde_json::json!({"total": 2, "successful": 2, "failed": 0}));
    // Back: it joins again.
    cluster.restart(2, SETTINGS);
    wait_for_members(&cluster.nodes[0], 3).await;
    // Frozen: removed too, and back once thawed.
    cluster.nodes[1].freeze();
    eventually("node 2 is removed", || async { clear(&cluster.nodes[0], "x").await["_nodes"]["total"] == 2 }).await;
    cluster.nodes[1].thaw();
    wait_for_members(&cluster.nodes[0], 3).await;
}
