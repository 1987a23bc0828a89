//! A node serving Elasticsearch's service-account token APIs.
//!
//! Where a request goes: `http_api` (the API trait's implementation) parses
//! it with `rest_request`, authenticates and authorizes it through
//! `security`, runs the operation named after the endpoint (`clear_cache`,
//! `service_tokens`, `service_accounts`), which fans out to the `cluster`'s
//! nodes (their `transport` API) and works on the node's `token_caches`, and
//! answers through `error` types converted once into Elasticsearch's body.
//! `node` starts all of it from `settings`; the README maps every module.

pub mod atomic_file;
pub mod authentication;
pub mod authenticator;
pub mod authorization;
pub mod background_task;
pub mod cache;
pub mod caching_token_store;
pub mod clear_cache;
pub mod cluster;
pub mod config_file;
pub mod config_watcher;
pub mod context;
pub mod data_path;
pub mod error;
pub mod file_realm;
pub mod file_token_store;
pub mod hasher;
pub mod http_api;
pub mod index_token_store;
pub mod logging;
pub mod metrics;
pub mod node;
pub mod privileges;
pub mod reserved_realm;
pub mod rest_request;
pub mod roles;
pub mod security;
pub mod security_index;
pub mod security_index_monitor;
pub mod service_account_authenticator;
pub mod service_account_token;
pub mod service_accounts;
pub mod service_tokens;
pub mod service_tokens_cli;
pub mod settings;
pub mod suggestions;
pub mod time_value;
pub mod token_caches;
pub mod token_key;
pub mod token_name;
pub mod token_store;
pub mod transport;
pub mod user_cache;
pub mod uuids;

pub use node::{Node, NodeError};
pub use settings::Settings;
