//! The security index in PostgreSQL, shared by nodes as nodes on several
//! hosts share it: one index for the cluster, the store going away and
//! coming back, and a store replaced by another database.
//!
//! Needs `ES_TOKENS_TEST_POSTGRES_URL` (an account that may create
//! databases; `.ci/run` sets it). Without it the tests are ignored (the
//! build script sees the variable), and they run, and fail, under
//! `CI=true`. Each test works in a database of its own, dropped when it
//! ends.

use std::io::Write;

use crate::common::cluster::{
    ProcessCluster, authenticate, create_token, delete_token, elastic_http, free_port, metric,
};
use crate::common::proxy::TcpProxy;
use crate::common::{FILE_TOKEN_BEARER, FILE_TOKEN_LINE, eventually};
use sqlx::Connection;

/// Why the tests are ignored when they are.
const NEEDS_POSTGRES: &str = "needs ES_TOKENS_TEST_POSTGRES_URL, a PostgreSQL account that may create databases";

/// The admin URL; the tests run without one only under `CI=true`, where its
/// absence is a failure.
fn admin_url() -> String {
    std::env::var("ES_TOKENS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| panic!("{NEEDS_POSTGRES}; under CI=true, .ci/run must start PostgreSQL"))
}

/// A database of the test's own, dropped with this.
struct Database {
    admin: String,
    name: String,
}

impl Database {
    async fn create(admin: &str) -> Database {
        let name = format!("estokens_{}_{}", std::process::id(), rand_suffix());
        let mut connection = sqlx::PgConnection::connect(admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await.unwrap();
        Database { admin: admin.to_string(), name }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // Drop runs outside any async context it could use (possibly while
        // a test panics): a thread with a runtime of its own.
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
                let mut connection = sqlx::PgConnection::connect(&admin).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut connection).await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) {
            let _ = writeln!(std::io::stderr(), "could not drop the test database {}", self.name);
        }
    }
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

/// The database's password in `admin`, a secret the nodes must not log.
/// It must not occur in what they may log innocently: the user name, the
/// test databases' names (`estokens_<digits>_<digits>`).
fn password(admin: &str) -> String {
    let userinfo = admin.split_once("://").unwrap().1.rsplit_once('@').map(|(userinfo, _)| userinfo).unwrap_or("");
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    assert!(
        !password.is_empty()
            && !user.contains(password)
            && !"estokens_".contains(password)
            && !password.chars().all(|c| c.is_ascii_digit() || c == '_'),
        "ES_TOKENS_TEST_POSTGRES_URL must name a password that is not part of the user or database names (the logs \
         are checked for it)"
    );
    password.to_string()
}

/// How long the nodes of these tests answer from their caches while they
/// cannot reach the index.
const LEASE: &str = "6s";

/// Two formed nodes whose security index is a fresh database, reached
/// through a proxy that can cut them off from it.
async fn postgres_cluster(admin: &str) -> (Database, TcpProxy, ProcessCluster) {
    let database = Database::create(admin).await;
    let proxy = TcpProxy::start(server_addr(admin)).await;
    let settings = [("xpack.security.authc.service_token.cache.lease", LEASE)];
    let cluster = ProcessCluster::start_on(Some(url_via(admin, proxy.addr, &database.name)), 2, &settings);
    cluster.wait_formed().await;
    (database, proxy, cluster)
}

/// Waits until every node has noticed that the index went away.
async fn wait_unavailable(cluster: &ProcessCluster) {
    for node in &cluster.nodes {
        eventually("the index's absence is noticed", || async { node.logged("the security index became unavailable") })
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs ES_TOKENS_TEST_POSTGRES_URL, a PostgreSQL account that may create databases"
)]
async fn nodes_share_one_postgres_index_which_may_go_away_and_come_back() {
    let admin = admin_url();
    let (_database, proxy, mut cluster) = postgres_cluster(&admin).await;
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
    wait_unavailable(&cluster).await;
    for node in [first, second] {
        assert_eq!(authenticate(node, &cached).await.0, 200, "{} serves cached tokens", node.name);
    }
    let (status, body) = authenticate(second, &uncached).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["reason"], "error attempting to authenticate request");
    assert_eq!(body["error"]["caused_by"]["type"], "unavailable_shards_exception");
    assert_eq!(body["error"]["root_cause"][0]["type"], "unavailable_shards_exception");
    // Until their cache leases run out: a node that cannot reach the index
    // cannot tell whether it missed a delete.
    for node in [first, second] {
        eventually("the cache lease runs out", || async { authenticate(node, &cached).await.0 == 401 }).await;
    }
    assert_eq!(authenticate(first, FILE_TOKEN_BEARER).await.0, 200, "file tokens are checked against the file");

    // It comes back: every node clears its index cache, which held the one
    // token both nodes had authenticated.
    proxy.restore().await;
    for node in [first, second] {
        let evictions = "service_token_cache_evictions_total{cache=\"index\",cause=\"index_change\"}";
        eventually("the index cache is cleared on recovery", || async { metric(node, evictions).await >= 1 }).await;
        assert_eq!(metric(node, evictions).await, 1);
        assert_eq!(metric(node, "service_token_cache_entries{cache=\"index\"}").await, 0);
        assert_eq!(metric(node, "service_token_cache_entries{cache=\"file\"}").await, 1, "the file cache is kept");
    }
    assert_eq!(authenticate(second, &uncached).await.0, 200);
    assert_eq!(authenticate(first, &cached).await.0, 200);
    let password = password(&admin);
    cluster.assert_no_secret_in_logs(&[&password, &cached, &uncached]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs ES_TOKENS_TEST_POSTGRES_URL, a PostgreSQL account that may create databases"
)]
async fn a_database_replaced_during_an_outage_is_a_new_index() {
    let admin = admin_url();
    let (database, proxy, mut cluster) = postgres_cluster(&admin).await;
    let token = create_token(&cluster.nodes[0], "elastic/kibana", "old").await;
    for node in &cluster.nodes {
        assert_eq!(authenticate(node, &token).await.0, 200);
    }
    // Replaced while the nodes cannot see it: they find out on its return.
    proxy.cut();
    wait_unavailable(&cluster).await;
    recreate_database(&admin, &database.name).await;
    proxy.restore().await;
    for node in &cluster.nodes {
        let evictions = "service_token_cache_evictions_total{cache=\"index\",cause=\"index_change\"}";
        eventually("the new index is noticed", || async { metric(node, evictions).await >= 1 }).await;
        assert_eq!(metric(node, evictions).await, 1, "the one cached token");
        // The old token is gone with the old index, even though it was cached.
        assert_eq!(authenticate(node, &token).await.0, 401, "{}", node.name);
    }
    // The new index was set up: elastic logs in with ELASTIC_PASSWORD, tokens
    // can be created again.
    let response =
        elastic_http().get(format!("{}/_security/_authenticate", cluster.nodes[1].url())).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let fresh = create_token(&cluster.nodes[1], "elastic/kibana", "new").await;
    assert_eq!(authenticate(&cluster.nodes[0], &fresh).await.0, 200);
    let password = password(&admin);
    cluster.assert_no_secret_in_logs(&[&password, &token, &fresh]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs ES_TOKENS_TEST_POSTGRES_URL, a PostgreSQL account that may create databases"
)]
async fn a_node_cut_off_from_the_index_and_the_others_refuses_what_they_deleted() {
    let admin = admin_url();
    let database = Database::create(&admin).await;
    // Node 1 reaches the index directly; node 2 through a proxy, and the
    // others reach node 2 through another: cut both, and node 2 can neither
    // hear of the delete nor see its fence.
    let direct = url_via(&admin, server_addr(&admin), &database.name);
    let mut cluster = ProcessCluster::start_on(Some(direct), 1, &[]);
    let index_proxy = TcpProxy::start(server_addr(&admin)).await;
    let port = free_port();
    let transport_proxy = TcpProxy::start(format!("127.0.0.1:{port}").parse().unwrap()).await;
    let (port, published) = (port.to_string(), transport_proxy.addr.port().to_string());
    let through_proxy = url_via(&admin, index_proxy.addr, &database.name);
    let settings = [
        ("security.index.url", through_proxy.as_str()),
        ("transport.port", port.as_str()),
        ("transport.publish_port", published.as_str()),
    ];
    let seeds = cluster.nodes[0].transport.to_string();
    let node = cluster.spawn("node-2", "test-cluster", &seeds, &settings);
    cluster.nodes.push(node);
    cluster.wait_formed().await;
    let token = create_token(&cluster.nodes[0], "elastic/kibana", "cut-off").await;
    assert_eq!(authenticate(&cluster.nodes[1], &token).await.0, 200);
    index_proxy.cut();
    transport_proxy.cut();
    assert_eq!(delete_token(&cluster.nodes[0], "elastic/kibana", "cut-off").await.0, 200);
    // Its lease ran out before the delete was acknowledged: the cache is not
    // used, and the index cannot be asked.
    let (status, body) = authenticate(&cluster.nodes[1], &token).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["caused_by"]["type"], "unavailable_shards_exception");
    index_proxy.restore().await;
    transport_proxy.restore().await;
    eventually("node 2 serves again", || async {
        let (status, body) = authenticate(&cluster.nodes[1], &token).await;
        status == 401
            && body["error"]["reason"]
                == "failed to authenticate service account [elastic/kibana] with token name [cut-off]"
    })
    .await;
    let password = password(&admin);
    cluster.assert_no_secret_in_logs(&[&password, &token]);
}

/// Native users and roles in PostgreSQL: put through one node, in force on
/// the other at once, with the user's flags and lists as they were given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs ES_TOKENS_TEST_POSTGRES_URL, a PostgreSQL account that may create databases"
)]
async fn native_users_and_roles_live_in_postgres() {
    let admin = admin_url();
    let (_database, _proxy, mut cluster) = postgres_cluster(&admin).await;
    let (first, second) = (&cluster.nodes[0], &cluster.nodes[1]);
    let http = elastic_http();
    let role = http
        .put(format!("{}/_security/role/ops", first.url()))
        .json(&serde_json::json!({"cluster": ["read_security"], "run_as": ["other"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(role.status(), 200);
    let body = serde_json::json!({"password": "pg-user-p@ssw0rd", "roles": ["ops"], "metadata": {"team": "a"}});
    let put = http.put(format!("{}/_security/user/jack", first.url())).json(&body).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let jack = reqwest::Client::new();
    let users = jack
        .get(format!("{}/_security/user/jack", second.url()))
        .basic_auth("jack", Some("pg-user-p@ssw0rd"))
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 200, "the role read on the other node grants read_security");
    let users: serde_json::Value = users.json().await.unwrap();
    assert_eq!(
        users["jack"],
        serde_json::json!({"username": "jack", "roles": ["ops"], "full_name": null, "email": null,
                           "metadata": {"team": "a"}, "enabled": true})
    );
    let disabled = http.put(format!("{}/_security/user/jack/_disable", second.url())).send().await.unwrap();
    assert_eq!(disabled.status(), 200);
    for node in [first, second] {
        let refused = jack
            .get(format!("{}/_security/_authenticate", node.url()))
            .basic_auth("jack", Some("pg-user-p@ssw0rd"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401, "{} refuses the disabled user at once", node.name);
    }
    let roles: serde_json::Value =
        http.get(format!("{}/_security/role/ops", second.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(roles["ops"]["run_as"], serde_json::json!(["other"]));
    cluster.assert_no_secret_in_logs(&[&password(&admin), "pg-user-p@ssw0rd"]);
}
