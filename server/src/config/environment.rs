//! Where a node keeps its state (Elasticsearch's `Environment`).

use std::path::PathBuf;

use crate::config::{Setting, values};

/// The node's data directory (`Environment.PATH_DATA_SETTING`).
pub const PATH_DATA_SETTING: Setting<PathBuf> = Setting::new(
    "path.data",
    "data",
    values::path,
    "directory of the node's persistent state (node id); relative to the working directory",
);
