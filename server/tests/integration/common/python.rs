//! Python tools from PyPI for the tests that run them: each in a virtual
//! environment of its own under `target/`, made once and reused while it
//! still works. Without Python or PyPI such a test fails: it does not skip.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// A tool to install: what pip installs, and a Python snippet that prints
/// its version and exits 0 only if it is the one wanted.
pub struct PythonTool {
    /// The venv's directory name under `target/`.
    pub venv: &'static str,
    /// The pip requirement.
    pub requirement: &'static str,
    /// Prints the version; exits non-zero if it is not usable.
    pub check: &'static str,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The venv's Python, or one of its scripts.
pub fn venv_bin(venv: &Path, program: &str) -> PathBuf {
    venv.join("bin").join(program)
}

/// Runs `command`, panicking with its output unless it succeeds.
pub fn run(mut command: Command, what: &str) -> Output {
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

/// Runs `command` with its output captured, killing it unless it ends
/// within `timeout`; `what` names it in the panics.
pub async fn output_within(mut command: tokio::process::Command, timeout: Duration, what: &str) -> Output {
    let child = command
        .env("NO_PROXY", "127.0.0.1,localhost")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {timeout:?}"))
        .unwrap_or_else(|error| panic!("{what}: {error}"))
}

fn version(venv: &Path, check: &str) -> Option<String> {
    let output = Command::new(venv_bin(venv, "python")).args(["-c", check]).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

impl PythonTool {
    /// Makes the venv with the tool, or reuses a working one; its directory
    /// and the tool's version. Test processes running at once serialize on
    /// a lock file next to the venv.
    pub fn ensure(&self) -> (PathBuf, String) {
        let target = workspace_root().join("target");
        let venv = target.join(self.venv);
        if let Some(version) = version(&venv, self.check) {
            return (venv, version);
        }
        std::fs::create_dir_all(&target).unwrap();
        let lock = File::create(target.join(format!("{}.lock", self.venv))).unwrap();
        lock.lock().unwrap();
        // Another process may have made it while this one waited.
        if let Some(version) = version(&venv, self.check) {
            return (venv, version);
        }
        let mut create = Command::new("python3");
        create.args(["-m", "venv", "--clear"]).arg(&venv);
        run(create, "creating the Python virtual environment (is python3 with venv installed?)");
        let mut install = Command::new(venv_bin(&venv, "python"));
        install.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", self.requirement]);
        run(install, &format!("installing {} from PyPI with pip", self.requirement));
        let version = version(&venv, self.check)
            .unwrap_or_else(|| panic!("the freshly installed {} does not work", self.requirement));
        drop(lock);
        (venv, version)
    }
}
