//! Watching a node: its Prometheus metrics and its logs.

pub mod logging;
pub mod metrics;
