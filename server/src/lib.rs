//! A node serving Elasticsearch's service-account token APIs.
//!
//! The modules follow Elasticsearch's security packages. A request arrives
//! at `http` (the handlers, request parsing, and the one conversion of
//! errors into Elasticsearch's body), is authenticated by `authc` and
//! authorized by `authz` through `security`, and runs an action of
//! `actions`, which reaches the other nodes through `cluster` and works on
//! the token stores and caches of `authc::service`. `node` starts it all
//! from the settings of `config`; `security_index` is the database behind
//! the `.security` index; `observability` watches the node; `common` holds
//! what they all build on.
//!
//! The surface is what the binaries, benchmarks and tests use; test hooks
//! live in [`testing`].

mod actions;
mod authc;
mod authz;
mod cluster;
mod common;
mod config;
mod error;
mod http;
mod node;
mod observability;
mod security;
mod security_index;

#[doc(hidden)]
pub mod testing;

pub use authc::service::cli as service_tokens_cli;
pub use config::{Settings, SettingsError, conf_dir_from_env};
pub use node::{Node, NodeError};
pub use observability::logging::init as init_logging;
pub use security::SecureSettings;

/// `--help`'s list of every setting a node accepts, with its default.
pub fn settings_help() -> String {
    config::registry::help()
}
