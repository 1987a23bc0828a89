//! The node's integration tests, one binary (as omicron's `test_all.rs`):
//! real nodes on `127.0.0.1:0`, in-process or as processes, driven through
//! the generated client, an official client and raw HTTP. A module per
//! area; `common` holds the nodes, clusters and helpers they share.

mod authentication;
mod clear_cache;
mod cli;
mod cluster;
mod cluster_postgres;
mod common;
mod contract_fuzz;
mod examples;
mod file_tokens;
mod harness_apis;
mod http_edge;
mod info;
mod native_realm;
mod python_client;
mod rest_controller;
mod revocation;
mod service_tokens;
mod startup;
