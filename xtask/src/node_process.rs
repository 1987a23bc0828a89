//! Building the release node the xtask starts (with
//! `es_tokens_node_process`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

/// Builds the release node binary; its path.
pub fn build_release() -> anyhow::Result<PathBuf> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "-p", "es-tokens-server", "--bin", "es-tokens"])
        .current_dir(workspace())
        .status()?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    Ok(workspace().join("target/release/es-tokens"))
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}
