//! The security index in PostgreSQL, shared by nodes as nodes on several
//! hosts share it: one index for the cluster, the store going away and
//! coming back, and a store replaced by another database.
//!
//! Needs `ES_TOKENS_TEST_POSTGRES_URL` (an account that may create
//! databases; `.ci/run` sets it). Without it the tests fail under `CI=true`
//! and are skipped, saying so, elsewhere.

mod common;

use std::time::Duration;

use common::cluster::{ProcessCluster, authenticate, create_token, metric};
use common::proxy::TcpProxy;
use common::{ELASTIC_PASSWORD, FILE_TOKEN_BEARER, FILE_TOKEN_LINE, basic, eventually};
use sqlx::Connection;

/// The admin URL, or `None` (outside CI) when PostgreSQL is not there.
fn admin_url() -> Option<String> {
    match std::env::var("ES_TOKENS_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but ES_TOKENS_TEST_POSTGRES_URL is not set: .ci/run must start PostgreSQL")
        }
        Err(_) => {
            eprintln!("skipping: ES_TOKENS_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// A fresh database; its name.
async fn create_database(admin: &str) -> String {
    let name = format!("estokens_{}", std::process::id()) + &format!("_{}", rand_suffix());
    let mut connection = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await.unwrap();
    name
}

async fn recreate_database(admin: &str, name: &str) {
    let mut connection = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut connection).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await.unwrap();
}

fn rand_suffix() -> String {
    use std::time::SystemTime;
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{nanos}")
}

/// `admin` with another host:port and database.
fn url_via(admin: &str, host: std::net::SocketAddr, database: &str) -> String {
    let (scheme, rest) = admin.split_once("://").unwrap();
    let (userinfo, rest) = rest.rsplit_once('@').map(|(u, r)| (format!("{u}@"), r)).unwrap_or((String::new(), rest));
    let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    format!("{scheme}://{userinfo}{host}/{database}{query}")
}

fn server_addr(admin: &str) -> std::net::SocketAddr {
    let rest = admin.split_once("://").unwrap().1;
    let host = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
    let host = host.split(['/', '?']).next().unwrap();
    let host = if host.contains(':') { host.to_string() } else { format!("{host}:5432") };
    std::net::ToSocketAddrs::to_socket_addrs(&host.replace("localhost", "127.0.0.1")).unwrap().next().unwrap()
}

/// Two nodes whose security index is `database`, reached through `proxy`.
fn two_nodes(admin: &str, proxy: &TcpProxy, database: &str) -> ProcessCluster {
    let index_url = url_via(admin, proxy.addr, database);
    let mut cluster = ProcessCluster::start(0, &[]);
    cluster.index_url = index_url;
    for i in 1..=2 {
        let seeds = cluster.nodes.first().map(|first| first.transport.to_string()).unwrap_or_default();
        let node = cluster.spawn(&format!("node-{i}"), "test-cluster", &seeds, &[]);
        cluster.nodes.push(node);
    }
    cluster
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_share_one_postgres_index_which_may_go_away_and_come_back() {
    let Some(admin) = admin_url() else { return };
    let database = create_database(&admin).await;
    let proxy = TcpProxy::start(server_addr(&admin)).await;
    let cluster = two_nodes(&admin, &proxy, &database);
    cluster.wait_formed().await;
    let (first, second) = (&cluster.nodes[0], &cluster.nodes[1]);

    // A file token on each node, to show that the file cache ignores the
    // index's state.
    for node in [first, second] {
        std::fs::write(node.conf_dir.join("service_tokens"), format!("{FILE_TOKEN_LINE}\n")).unwrap();
        eventually("the file token works", || async { authenticate(node, FILE_TOKEN_BEARER).await.0 == 200 }).await;
    }

    // Created on one node, usable on the other at once.
    let cached = create_token(first, "elastic/kibana", "cached").await;
    let uncached = create_token(second, "elastic/kibana", "uncached").await;
    for node in [first, second] {
        assert_eq!(authenticate(node, &cached).await.0, 200);
    }

    // The store goes away: cached tokens still work, the others fail with
    // the store's unavailability as the cause.
    proxy.cut();
    // Long enough for each node's monitor to see it (every second, giving up
    // after two).
    tokio::time::sleep(Duration::from_secs(4)).await;
    for node in [first, second] {
        assert_eq!(authenticate(node, &cached).await.0, 200, "{} serves cached tokens", node.name);
    }
    let (status, body) = authenticate(second, &uncached).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["reason"], "error attempting to authenticate request");
    assert_eq!(body["error"]["caused_by"]["type"], "unavailable_shards_exception");
    assert_eq!(body["error"]["root_cause"][0]["type"], "unavailable_shards_exception");

    // It comes back: every node clears its index cache.
    proxy.restore().await;
    for node in [first, second] {
        eventually("the index cache is cleared on recovery", || async {
            metric(node, "service_token_cache_evictions_total{cache=\"index\",cause=\"index_change\"}").await >= 1
        })
        .await;
        assert_eq!(metric(node, "service_token_cache_entries{cache=\"index\"}").await, 0);
        assert_eq!(metric(node, "service_token_cache_entries{cache=\"file\"}").await, 1, "the file cache is kept");
    }
    assert_eq!(authenticate(second, &uncached).await.0, 200);
    assert_eq!(authenticate(first, &cached).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_replaced_during_an_outage_is_a_new_index() {
    let Some(admin) = admin_url() else { return };
    let database = create_database(&admin).await;
    let proxy = TcpProxy::start(server_addr(&admin)).await;
    let cluster = two_nodes(&admin, &proxy, &database);
    cluster.wait_formed().await;
    let token = create_token(&cluster.nodes[0], "elastic/kibana", "old").await;
    for node in &cluster.nodes {
        assert_eq!(authenticate(node, &token).await.0, 200);
    }
    // Replaced while the nodes cannot see it: they find out on its return.
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(3)).await;
    recreate_database(&admin, &database).await;
    proxy.restore().await;
    for node in &cluster.nodes {
        eventually("the new index is noticed", || async {
            metric(node, "service_token_cache_evictions_total{cache=\"index\",cause=\"index_change\"}").await >= 1
        })
        .await;
        // The old token is gone with the old index, even though it was cached.
        assert_eq!(authenticate(node, &token).await.0, 401, "{}", node.name);
    }
    // The new index was set up: elastic logs in with ELASTIC_PASSWORD, tokens
    // can be created again.
    let response = reqwest::Client::new()
        .get(format!("{}/_security/_authenticate", cluster.nodes[1].url()))
        .header("authorization", basic("elastic", ELASTIC_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let fresh = create_token(&cluster.nodes[1], "elastic/kibana", "new").await;
    assert_eq!(authenticate(&cluster.nodes[0], &fresh).await.0, 200);
}
