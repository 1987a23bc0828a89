//! The `service_tokens` file of a running node: reloaded on every kind of
//! change, the file cache cleared when its parsed content changes, the node
//! never down.

use std::time::Duration;

use crate::common::*;
use es_tokens_server::service_tokens_cli;

/// Whether the token authenticates: `true` on a 200, `false` on a 401;
/// any other answer fails the test.
async fn authenticates(node: &TestNode, bearer_token: &str) -> bool {
    let status = node
        .http()
        .get(format!("{}/_security/_authenticate", node.url))
        .header("authorization", bearer(bearer_token))
        .send()
        .await
        .unwrap()
        .status();
    match status.as_u16() {
        200 => true,
        401 => false,
        other => panic!("authenticate answered {other}"),
    }
}

const RELOADS: &str = "security_config_reloads_total{file=\"service_tokens\"}";

/// Creates a file token with the CLI (an atomic rename); its bearer.
fn cli_create(node: &TestNode, name: &str) -> String {
    let args = ["create".to_string(), "elastic/fleet-server".to_string(), name.to_string()];
    let output = service_tokens_cli::run(&node.conf_dir, &args).unwrap();
    output.trim().rsplit(" = ").next().unwrap().to_string()
}

#[tokio::test]
async fn a_change_reloads_the_file_and_clears_the_file_cache() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    assert!(authenticates(&node, FILE_TOKEN_BEARER).await);
    assert_eq!(node.metric("service_token_cache_entries{cache=\"file\"}").await, 1);
    // Replaced by rename.
    let token2 = cli_create(&node, "token2");
    eventually("token2 authenticates", || authenticates(&node, &token2)).await;
    assert_eq!(node.metric("service_token_cache_evictions_total{cache=\"file\",cause=\"file_change\"}").await, 1);
    assert!(authenticates(&node, FILE_TOKEN_BEARER).await);
    // A change that leaves the parsed content alone does not clear the cache.
    let path = node.conf_dir.join("service_tokens");
    let content = std::fs::read_to_string(&path).unwrap();
    let reloads = node.metric(RELOADS).await;
    std::fs::write(&path, format!("# a comment\n{content}")).unwrap();
    eventually("the commented file is reloaded", || async { node.metric(RELOADS).await > reloads }).await;
    assert_eq!(node.metric("service_token_cache_evictions_total{cache=\"file\",cause=\"file_change\"}").await, 1);
    assert_eq!(node.metric("service_token_cache_entries{cache=\"file\"}").await, 2);
}

#[tokio::test]
async fn reading_the_file_does_not_reload_it() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    assert_eq!(node.metric(RELOADS).await, 0);
    let path = node.conf_dir.join("service_tokens");
    std::fs::write(&path, format!("{FILE_TOKEN_LINE}\n# changed\n")).unwrap();
    eventually("the changed file is reloaded", || async { node.metric(RELOADS).await > 0 }).await;
    // The reload's own read, and anyone else's, must not count as a change:
    // a watcher that took them for one would reload every settle period
    // (150 ms) from now on.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let settled = node.metric(RELOADS).await;
    for _ in 0..3 {
        std::fs::read_to_string(&path).unwrap();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(node.metric(RELOADS).await, settled);
}

#[tokio::test]
async fn deleted_recreated_broken_unreadable_and_multi_step_files() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let path = node.conf_dir.join("service_tokens");
    assert!(authenticates(&node, FILE_TOKEN_BEARER).await);

    std::fs::remove_file(&path).unwrap();
    eventually("the deleted file's token fails", || async { !authenticates(&node, FILE_TOKEN_BEARER).await }).await;

    std::fs::write(&path, format!("{FILE_TOKEN_LINE}\n")).unwrap();
    eventually("the recreated file's token works", || authenticates(&node, FILE_TOKEN_BEARER)).await;

    // A line without ':' fails the whole file: no file tokens at all.
    std::fs::write(&path, format!("{FILE_TOKEN_LINE}\nbroken line\n")).unwrap();
    eventually("a broken file leaves no tokens", || async { !authenticates(&node, FILE_TOKEN_BEARER).await }).await;

    // Written in several steps: the half-written state may be seen, the
    // final one wins.
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&path).unwrap();
        let (first, second) = FILE_TOKEN_LINE.split_at(30);
        file.write_all(first.as_bytes()).unwrap();
        file.flush().unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        file.write_all(second.as_bytes()).unwrap();
        file.write_all(b"\n").unwrap();
    }
    eventually("the completed file's token works", || authenticates(&node, FILE_TOKEN_BEARER)).await;

    // A file that cannot be read keeps the tokens: see
    // `an_unreadable_file_keeps_the_tokens_and_is_read_again`.
}

#[tokio::test]
async fn a_broken_file_at_startup_stops_the_node() {
    let dirs = tempfile::tempdir().unwrap();
    let conf_dir = dirs.path().join("config");
    std::fs::create_dir_all(&conf_dir).unwrap();
    std::fs::write(conf_dir.join("service_tokens"), "no colon here\n").unwrap();
    let raw = std::collections::BTreeMap::from([
        ("http.port".to_string(), "0".to_string()),
        ("transport.port".to_string(), "0".to_string()),
        ("path.data".to_string(), dirs.path().join("data").display().to_string()),
    ]);
    let settings = es_tokens_server::Settings::from_map(&conf_dir, raw).unwrap();
    let error = es_tokens_server::Node::start(settings, es_tokens_server::SecureSettings::default())
        .await
        .err()
        .expect("the node must not start");
    let path = std::path::absolute(conf_dir.join("service_tokens")).unwrap();
    assert_eq!(error.to_string(), format!("Failed to load service_tokens file [{}]", path.display()));
}

/// The node's soft limit on open descriptors.
fn descriptor_limit(pid: u32) -> String {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits.lines().find(|line| line.starts_with("Max open files")).unwrap();
    line.split_whitespace().nth(3).unwrap().to_string()
}

fn set_soft_descriptor_limit(pid: u32, limit: &str) {
    let status = std::process::Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--nofile={limit}:")])
        .status()
        .unwrap();
    assert!(status.success(), "prlimit");
}

/// An I/O error is not content: with the node out of file descriptors while
/// the file changes, the read fails, the tokens last read stay, and the
/// file is read again at the next poll once it can be.
#[tokio::test]
async fn an_unreadable_file_keeps_the_tokens_and_is_read_again() {
    let cluster = crate::common::cluster::ProcessCluster::start(1, &[]);
    let node = &cluster.nodes[0];
    let path = node.conf_dir.join("service_tokens");
    std::fs::write(&path, format!("{FILE_TOKEN_LINE}\n")).unwrap();
    eventually("the file token works", || async {
        crate::common::cluster::authenticate(node, FILE_TOKEN_BEARER).await.0 == 200
    })
    .await;

    // Below the descriptors it holds: no new one can be opened (a new
    // descriptor takes the lowest free number, above the limit).
    let limit = descriptor_limit(node.pid());
    set_soft_descriptor_limit(node.pid(), "3");
    // Changed while the node cannot open it.
    let args = ["create".to_string(), "elastic/fleet-server".to_string(), "token2".to_string()];
    let output = service_tokens_cli::run(&node.conf_dir, &args).unwrap();
    let token2 = output.trim().rsplit(" = ").next().unwrap().to_string();
    eventually("the node fails to read the file", || async { node.logged("keeping the service tokens last read") })
        .await;
    set_soft_descriptor_limit(node.pid(), &limit);

    assert_eq!(crate::common::cluster::authenticate(node, FILE_TOKEN_BEARER).await.0, 200, "the tokens stayed");
    eventually("the next poll reads the changed file", || async {
        crate::common::cluster::authenticate(node, &token2).await.0 == 200
    })
    .await;
}
