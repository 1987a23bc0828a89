//! The official Python client, `elasticsearch` 9.x from PyPI, unchanged,
//! drives the whole service-token lifecycle against a node
//! (`tests/integration/python/lifecycle.py`).
//!
//! The client is installed once into `<workspace>/target/python-venv` and
//! reused while it still imports. Without Python or PyPI the test fails: it
//! does not skip.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::*;

/// What pip installs into the virtual environment.
const REQUIREMENT: &str = "elasticsearch>=9,<10";

/// Succeeds when the venv's client is usable; prints its version.
const CHECK_CLIENT: &str = "import elasticsearch, sys; v = elasticsearch.__versionstr__; \
                            print(v); sys.exit(0 if v.startswith('9.') else 1)";

/// How long the script may run.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) { venv.join("Scripts").join("python.exe") } else { venv.join("bin").join("python") }
}

/// Runs `command`, panicking with its output unless it succeeds.
fn run(mut command: Command, what: &str) -> Output {
    let output = command.output().unwrap_or_else(|error| panic!("{what}: cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed ({}): {command:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    output
}

/// The installed client's version, if the venv at `venv` works.
fn client_version(venv: &Path) -> Option<String> {
    let output = Command::new(venv_python(venv)).args(["-c", CHECK_CLIENT]).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Creates the venv with the client, or reuses a working one; returns its
/// Python and the client version. Test processes running at once serialize
/// on a lock file next to the venv.
fn ensure_venv() -> (PathBuf, String) {
    let target = workspace_root().join("target");
    let venv = target.join("python-venv");
    if let Some(version) = client_version(&venv) {
        return (venv_python(&venv), version);
    }
    std::fs::create_dir_all(&target).unwrap();
    let lock = File::create(target.join("python-venv.lock")).unwrap();
    lock.lock().unwrap();
    // Another process may have built it while this one waited.
    if let Some(version) = client_version(&venv) {
        return (venv_python(&venv), version);
    }
    let mut create = Command::new("python3");
    create.args(["-m", "venv", "--clear"]).arg(&venv);
    run(create, "creating the Python virtual environment (is python3 with venv installed?)");
    let mut install = Command::new(venv_python(&venv));
    install.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", REQUIREMENT]);
    run(install, &format!("installing {REQUIREMENT} from PyPI with pip"));
    let version = client_version(&venv).expect("the freshly installed elasticsearch client does not import");
    drop(lock);
    (venv_python(&venv), version)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_drives_the_token_lifecycle() {
    let (python, version) = tokio::task::spawn_blocking(ensure_venv).await.unwrap();
    println!("elasticsearch-py {version} in {}", python.display());

    let node = TestNode::start_with(Setup { service_tokens: Some(FILE_TOKEN_LINE), ..Setup::default() }).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/python/lifecycle.py");
    let child = tokio::process::Command::new(&python)
        .arg(&script)
        .env("ES_URL", &node.url)
        .env("ES_ELASTIC_PASSWORD", ELASTIC_PASSWORD)
        .env("ES_NOBODY_USER", NOBODY.0)
        .env("ES_NOBODY_PASSWORD", NOBODY.1)
        .env("ES_FILE_TOKEN", FILE_TOKEN_BEARER)
        .env("PYTHONUNBUFFERED", "1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", python.display()));
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{} did not finish within {SCRIPT_TIMEOUT:?}", script.display()))
        .unwrap();
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
