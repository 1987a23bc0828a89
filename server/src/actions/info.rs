//! The node and its cluster, as `GET /` shows them (`TransportMainAction`).

use es_tokens_types::{ElasticsearchVersionInfo, InfoResponse};

use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:monitor/main";

/// The Elasticsearch version this node answers as.
pub const ES_VERSION: &str = "9.2.0";
/// The Lucene version Elasticsearch 9.2.0 bundles.
const LUCENE_VERSION: &str = "10.3.1";

/// The body of `GET /`.
pub fn execute(node: &NodeContext) -> InfoResponse {
    InfoResponse {
        name: node.identity.node_name.clone(),
        cluster_name: node.identity.cluster_name.clone(),
        cluster_uuid: node.security.cluster_uuid(),
        version: ElasticsearchVersionInfo {
            number: ES_VERSION.to_string(),
            build_flavor: "default".to_string(),
            build_type: "tar".to_string(),
            // Not an Elasticsearch build: say which build of ours answers.
            build_hash: concat!("es-tokens-", env!("CARGO_PKG_VERSION")).to_string(),
            build_date: "2025-10-21T00:00:00.000Z".to_string(),
            build_snapshot: false,
            lucene_version: LUCENE_VERSION.to_string(),
            minimum_wire_compatibility_version: "8.19.0".to_string(),
            minimum_index_compatibility_version: "8.0.0".to_string(),
        },
        tagline: "You Know, for Search".to_string(),
    }
}
