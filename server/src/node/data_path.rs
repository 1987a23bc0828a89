//! The node's data directory (`path.data`): locked for one node at a time,
//! holding the node's persistent identity.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::common::atomic_file::write_atomically;
use crate::common::uuids::random_base64_uuid;

/// Why the data directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DataPathError {
    /// The directory cannot be created or written.
    #[error("failed to prepare data path [{path}]: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// Another node holds the lock.
    #[error(
        "failed to obtain node locks, tried [{0}]; maybe these locations are not writable or multiple nodes were \
         started on the same data path?"
    )]
    Locked(PathBuf),
    /// The metadata file is not ours.
    #[error("failed to read node metadata [{path}]: {message}")]
    Corrupt { path: PathBuf, message: String },
}

const LOCK_FILE: &str = "node.lock";
const METADATA_FILE: &str = "node.json";

/// What a node persists about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeMetadata {
    /// The node's id, stable across restarts.
    pub node_id: String,
}

/// A data directory this process holds the lock of, for as long as it lives.
pub struct DataPath {
    path: PathBuf,
    _lock: File,
}

impl DataPath {
    /// Creates the directory if needed and locks it, so that no second node
    /// shares it (and with it, the node id).
    pub fn lock(path: &Path) -> Result<DataPath, DataPathError> {
        let io = |source| DataPathError::Io { path: path.to_path_buf(), source };
        std::fs::create_dir_all(path).map_err(io)?;
        let lock = File::options().create(true).truncate(false).write(true).open(path.join(LOCK_FILE)).map_err(io)?;
        match lock.try_lock() {
            Ok(()) => Ok(DataPath { path: path.to_path_buf(), _lock: lock }),
            Err(std::fs::TryLockError::WouldBlock) => Err(DataPathError::Locked(path.to_path_buf())),
            Err(std::fs::TryLockError::Error(source)) => Err(io(source)),
        }
    }

    /// The node's metadata, created (with a new random node id) on first
    /// start.
    pub fn node_metadata(&self) -> Result<NodeMetadata, DataPathError> {
        let path = self.path.join(METADATA_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| DataPathError::Corrupt { path: path.clone(), message: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let metadata = NodeMetadata { node_id: random_base64_uuid() };
                let json = serde_json::to_vec_pretty(&metadata).expect("metadata serializes");
                write_atomically(&path, &json, 0o644).map_err(|source| DataPathError::Io { path, source })?;
                Ok(metadata)
            }
            Err(source) => Err(DataPathError::Io { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_id_survives_restarts_and_the_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let first = {
            let data = DataPath::lock(dir.path()).unwrap();
            assert!(matches!(DataPath::lock(dir.path()), Err(DataPathError::Locked(_))));
            data.node_metadata().unwrap()
        };
        let data = DataPath::lock(dir.path()).unwrap();
        assert_eq!(data.node_metadata().unwrap(), first);
    }
}
