//! The project fuzzes its own contract: schemathesis (from PyPI) drives both
//! OpenAPI documents against a node, `elasticsearch.json` on its HTTP port
//! and `transport.json` on its transport port with the shared secret, in
//! every phase (examples, coverage, fuzzing, stateful) with every check.
//! Any failure, and any "schema validation mismatch", fails the test.
//!
//! Bounded for CI: `ES_TOKENS_FUZZ_MAX_EXAMPLES` (default 10) cases per
//! operation and phase, seed `ES_TOKENS_FUZZ_SEED` (default 42), and each run
//! killed after `ES_TOKENS_FUZZ_TIMEOUT` seconds (default 600).
//! `cargo xtask openapi fuzz --max-examples 200 --seed 7` runs it deeper.

use std::path::Path;
use std::time::Duration;

use crate::common::python::{PythonTool, output_within, venv_bin};
use crate::common::*;

const SCHEMATHESIS: PythonTool = PythonTool {
    venv: "schemathesis-venv",
    requirement: "schemathesis>=4,<5",
    check: "import schemathesis, sys; v = schemathesis.__version__; print(v); sys.exit(0 if v.startswith('4.') else 1)",
};

const SECRET: &str = "fuzz-shared-secret";

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// Runs schemathesis on `document` against `url`, sending `authorization`;
/// panics with its report unless it found nothing.
async fn fuzz(schemathesis: &Path, document: &str, config: &str, url: &str, authorization: &str) {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let report = workspace.join("target/schemathesis").join(document);
    let timeout = Duration::from_secs(setting("ES_TOKENS_FUZZ_TIMEOUT", "600").parse().unwrap());
    // Schemathesis keeps its example database under the working directory;
    // it belongs in target/, not in the source tree.
    std::fs::create_dir_all(&report).unwrap();
    let mut command = tokio::process::Command::new(schemathesis);
    command
        .arg("--config-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/schemathesis").join(config))
        .arg("run")
        .arg(workspace.join("openapi").join(document))
        .args(["--url", url, "--header", &format!("Authorization: {authorization}")])
        .args(["--max-examples", &setting("ES_TOKENS_FUZZ_MAX_EXAMPLES", "10")])
        .args(["--seed", &setting("ES_TOKENS_FUZZ_SEED", "42")])
        // A health check of hypothesis, not of the node: it fires at some
        // seeds on operations without any constraint.
        .args(["--suppress-health-check", "filter_too_much"])
        .args(["--report", "junit", "--report-dir"])
        .arg(&report)
        .arg("--no-color")
        .current_dir(&report);
    let output = output_within(command, timeout, &format!("schemathesis on {document}")).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("No issues found"),
        "schemathesis found issues in {document} ({}; JUnit report in {}):\n{stdout}\n{stderr}",
        output.status,
        report.display(),
    );
    // A phase that did not apply (stateful without links) is not a pass.
    for phase in ["Examples", "Coverage", "Fuzzing", "Stateful"] {
        assert!(
            stdout.lines().any(|line| line.trim() == format!("✅ {phase}")),
            "schemathesis did not pass its {phase} phase on {document}:\n{stdout}"
        );
    }
    let summary = stdout.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or_default();
    println!("{document}: {summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_documents_hold_under_schemathesis() {
    let (venv, version) = tokio::task::spawn_blocking(|| SCHEMATHESIS.ensure()).await.unwrap();
    println!("schemathesis {version}");
    let schemathesis = venv_bin(&venv, "schemathesis");
    let node = TestNode::start_with(Setup {
        // The cluster name `transport.toml` gives half the handshakes.
        settings: vec![("cluster.name", "elasticsearch")],
        service_tokens: Some(FILE_TOKEN_LINE),
        shared_secret: Some(SECRET),
    })
    .await;
    // Not as elastic: the fuzzer changes passwords and disables users, and
    // a file-realm user is one it cannot change.
    let superuser = basic(FILE_SUPERUSER.0, FILE_SUPERUSER.1);
    fuzz(&schemathesis, "elasticsearch.json", "elasticsearch.toml", &node.url, &superuser).await;
    let transport = format!("http://{}", node.node.transport_address());
    fuzz(&schemathesis, "transport.json", "transport.toml", &transport, &bearer(SECRET)).await;
}
