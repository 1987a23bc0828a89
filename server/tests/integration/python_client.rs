//! The official Python client, `elasticsearch` 9.x from PyPI, unchanged,
//! drives the whole service-token lifecycle against a node
//! (`tests/integration/python/lifecycle.py`), and native users and roles
//! across a cluster of processes (`tests/integration/python/native_users.py`).
//!
//! The client is installed once into `<workspace>/target/python-venv` and
//! reused while it still imports (`common::python`).

use std::path::Path;
use std::time::Duration;

use crate::common::cluster::ProcessCluster;
use crate::common::python::{PythonTool, output_within, venv_bin};
use crate::common::*;

/// The official client, from PyPI.
const CLIENT: PythonTool = PythonTool {
    venv: "python-venv",
    requirement: "elasticsearch>=9,<10",
    check: "import elasticsearch, sys; v = elasticsearch.__versionstr__; print(v); sys.exit(0 if v.startswith('9.') else 1)",
};

/// How long the script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// Runs `python/<script>` with the official client and `env`, and fails
/// with its output unless it succeeds.
async fn run_script(script: &str, env: &[(&str, String)]) {
    let (venv, version) = tokio::task::spawn_blocking(|| CLIENT.ensure()).await.unwrap();
    let python = venv_bin(&venv, "python");
    println!("elasticsearch-py {version} in {}", python.display());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/python").join(script);
    let mut command = tokio::process::Command::new(&python);
    command.arg(&script).envs(env.iter().map(|(key, value)| (key, value))).env("PYTHONUNBUFFERED", "1");
    command.env_remove("PYTHONPATH").env_remove("PYTHONHOME");
    let output = output_within(command, SCRIPT_TIMEOUT, &script.display().to_string()).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({}) with elasticsearch-py {version}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        script.display(),
        output.status,
    );
    println!("{stdout}");
    if !stderr.trim().is_empty() {
        println!("--- stderr\n{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_drives_the_token_lifecycle() {
    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let env = [
        ("ES_URL", node.url.clone()),
        ("ES_ELASTIC_PASSWORD", ELASTIC_PASSWORD.to_string()),
        ("ES_NOBODY_USER", NOBODY.0.to_string()),
        ("ES_NOBODY_PASSWORD", NOBODY.1.to_string()),
        ("ES_FILE_TOKEN", FILE_TOKEN_BEARER.to_string()),
    ];
    run_script("lifecycle.py", &env).await;
}

/// jacknich's passwords: the first, the one `elastic` sets, the one it sets
/// itself. None may reach a node's log.
const JACKNICH_PASSWORDS: [&str; 3] = ["jacknich-password-1", "jacknich-password-2", "jacknich-password-3"];

/// A user or role change made through one node applies on the others at
/// once, as the official client sees it: it drives three nodes, each a
/// process, with no sleep between a change and its check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_sees_native_users_and_roles_cluster_wide() {
    let mut cluster = ProcessCluster::start(3, &[]);
    cluster.wait_formed().await;
    let urls: Vec<String> = cluster.nodes.iter().map(|node| node.url()).collect();
    let env = [
        ("ES_URLS", urls.join(",")),
        ("ES_CLUSTER_NAME", "test-cluster".to_string()),
        ("ES_ELASTIC_PASSWORD", ELASTIC_PASSWORD.to_string()),
        ("ES_USER_PASSWORD", JACKNICH_PASSWORDS[0].to_string()),
        ("ES_USER_PASSWORD_2", JACKNICH_PASSWORDS[1].to_string()),
        ("ES_USER_PASSWORD_3", JACKNICH_PASSWORDS[2].to_string()),
    ];
    run_script("native_users.py", &env).await;

    // The passwords went in request bodies and in Basic headers.
    let encoded: Vec<String> = JACKNICH_PASSWORDS
        .iter()
        .map(|password| basic("jacknich", password).trim_start_matches("Basic ").to_string())
        .collect();
    let mut secrets: Vec<&str> = JACKNICH_PASSWORDS.to_vec();
    secrets.extend(encoded.iter().map(String::as_str));
    cluster.assert_no_secret_in_logs(&secrets);
}
