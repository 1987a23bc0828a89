//! Small pieces the rest of the node builds on, as Elasticsearch's `common`
//! package: ids, atomic file writes, owned tasks, "did you mean"
//! suggestions, binding a dropshot server to the first free port, and
//! reading request bodies as Elasticsearch's parser does.

pub mod atomic_file;
pub mod background_task;
pub mod server;
pub mod suggestions;
pub mod uuids;
pub mod xcontent;
