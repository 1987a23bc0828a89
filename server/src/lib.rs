//! A node serving Elasticsearch's service-account token APIs.
//!
//! Where a request goes: `http_api` (the API trait's implementation) parses
//! it with `rest_request`, runs the operation named after the endpoint
//! (`clear_cache`), which works on the node's `token_caches` (two `cache`s of
//! `cached_token`s keyed by `token_key`), and answers through `error` types
//! converted once into Elasticsearch's body. `node` starts all of it from
//! `settings`, with its identity from `data_path`; `metrics` and `logging`
//! watch it.

pub mod cache;
pub mod cached_token;
pub mod clear_cache;
pub mod context;
pub mod data_path;
pub mod error;
pub mod http_api;
pub mod logging;
pub mod metrics;
pub mod node;
pub mod rest_request;
pub mod settings;
pub mod suggestions;
pub mod time_value;
pub mod token_caches;
pub mod token_key;
pub mod token_name;

pub use node::{Node, NodeError};
pub use settings::Settings;
