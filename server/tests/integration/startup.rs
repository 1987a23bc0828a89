//! Start-up of a node process with `ELASTIC_PASSWORD`: the password works at
//! once, while its bcrypt hash is stored in the background; a restart with
//! it knows it right from the node's record; a later `ELASTIC_PASSWORD` is
//! ignored once the index holds one.

use std::path::Path;

use es_tokens_node_process::{Launch, NodeProcess};

use crate::common::basic;

const FIRST: &str = "first-bootstrap-password";
const LATER: &str = "later-bootstrap-password";
const CLEAR: &str = "/_security/service/elastic/fleet-server/credential/token/t1/_clear_cache";

/// A node on `dir` with the default (bcrypt) hashing.
fn start(dir: &Path, password: &str) -> NodeProcess {
    let data = dir.join("data").display().to_string();
    NodeProcess::start(&Launch {
        binary: Path::new(env!("CARGO_BIN_EXE_es-tokens")),
        conf_dir: &dir.join("config"),
        password,
        rust_log: "info",
        settings: &[("path.data", &data), ("http.port", "0"), ("transport.port", "0")],
        log: &dir.join("log.txt"),
    })
    .unwrap()
}

async fn clear_as(node: &NodeProcess, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("http://{}{CLEAR}", node.http))
        .header("Authorization", basic("elastic", password))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn stored_hash(dir: &Path) -> String {
    use sqlx::Connection;
    let url = format!("sqlite://{}", dir.join("data").join("security.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query_scalar("SELECT password_hash FROM reserved_users WHERE username = 'elastic'")
        .fetch_one(&mut db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_bootstrap_password_works_at_once_and_only_until_the_index_holds_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut node = start(dir.path(), FIRST);
    // Answered before (or while) the hash is stored.
    assert_eq!(clear_as(&node, FIRST).await, 200);
    assert_eq!(clear_as(&node, LATER).await, 401);
    crate::common::eventually("the password is stored", || async {
        std::fs::read_to_string(dir.path().join("log.txt"))
            .is_ok_and(|log| log.contains("stored the [elastic] user's password"))
    })
    .await;
    node.kill();
    let hash = stored_hash(dir.path()).await;
    assert!(hash.starts_with("$2a$10$"), "a bcrypt hash: {}", &hash[..7]);
    let record = dir.path().join("data/bootstrap_password_record.json");
    let recorded = std::fs::read_to_string(&record).unwrap();
    assert!(!recorded.contains(FIRST) && !recorded.contains(&hash), "{recorded}");

    // Restarted with it: known from the record, and nothing else is.
    let mut node = start(dir.path(), FIRST);
    assert_eq!(clear_as(&node, FIRST).await, 200);
    assert_eq!(clear_as(&node, LATER).await, 401);
    node.kill();

    // The index's password wins over a later ELASTIC_PASSWORD, which
    // removes the record.
    let node = start(dir.path(), LATER);
    assert_eq!(clear_as(&node, LATER).await, 401);
    assert_eq!(clear_as(&node, FIRST).await, 200);
    assert_eq!(clear_as(&node, FIRST).await, 200);
    crate::common::eventually("the ignored password is reported", || async {
        std::fs::read_to_string(dir.path().join("log.txt")).is_ok_and(|log| log.contains("ELASTIC_PASSWORD is ignored"))
    })
    .await;
    assert!(!record.exists());
}
