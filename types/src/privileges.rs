//! The names of Elasticsearch's privileges, for the schemas of the requests
//! that name them; the server resolves them (`authz`) and checks that it
//! knows exactly these.

use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject, SubschemaValidation};

/// Elasticsearch's predefined cluster privileges, sorted.
pub const CLUSTER_PRIVILEGE_NAMES: &[&str] = &[
    "all",
    "cancel_task",
    "create_snapshot",
    "cross_cluster_replication",
    "cross_cluster_search",
    "delegate_pki",
    "grant_api_key",
    "manage",
    "manage_api_key",
    "manage_autoscaling",
    "manage_behavioral_analytics",
    "manage_ccr",
    "manage_connector",
    "manage_data_frame_transforms",
    "manage_data_stream_global_retention",
    "manage_enrich",
    "manage_ilm",
    "manage_index_templates",
    "manage_inference",
    "manage_ingest_pipelines",
    "manage_logstash_pipelines",
    "manage_ml",
    "manage_oidc",
    "manage_own_api_key",
    "manage_pipeline",
    "manage_rollup",
    "manage_saml",
    "manage_search_application",
    "manage_search_query_rules",
    "manage_search_synonyms",
    "manage_security",
    "manage_service_account",
    "manage_slm",
    "manage_token",
    "manage_transform",
    "manage_user_profile",
    "manage_watcher",
    "monitor",
    "monitor_connector",
    "monitor_data_frame_transforms",
    "monitor_data_stream_global_retention",
    "monitor_enrich",
    "monitor_inference",
    "monitor_ml",
    "monitor_rollup",
    "monitor_snapshot",
    "monitor_stats",
    "monitor_text_structure",
    "monitor_transform",
    "monitor_watcher",
    "none",
    "post_behavioral_analytics_event",
    "read_ccr",
    "read_connector_secrets",
    "read_fleet_secrets",
    "read_ilm",
    "read_pipeline",
    "read_security",
    "read_slm",
    "transport_client",
    "write_connector_secrets",
    "write_fleet_secrets",
];

/// Elasticsearch's predefined index privileges, sorted.
pub const INDEX_PRIVILEGE_NAMES: &[&str] = &[
    "all",
    "auto_configure",
    "create",
    "create_doc",
    "create_index",
    "cross_cluster_replication",
    "cross_cluster_replication_internal",
    "delete",
    "delete_index",
    "index",
    "maintenance",
    "manage",
    "manage_data_stream_lifecycle",
    "manage_failure_store",
    "manage_follow_index",
    "manage_ilm",
    "manage_leader_index",
    "monitor",
    "none",
    "read",
    "read_cross_cluster",
    "read_failure_store",
    "view_index_metadata",
    "write",
];

/// A string schema: one of `names`, or matching `pattern`.
fn names_or_pattern(description: &str, names: &[&str], pattern: &str) -> Schema {
    let names = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        enum_values: Some(names.iter().map(|name| (*name).into()).collect()),
        ..Default::default()
    };
    let mut patterned = SchemaObject { instance_type: Some(InstanceType::String.into()), ..Default::default() };
    patterned.string().pattern = Some(pattern.to_string());
    let mut schema = SchemaObject {
        subschemas: Some(Box::new(SubschemaValidation {
            any_of: Some(vec![names.into(), patterned.into()]),
            ..Default::default()
        })),
        ..Default::default()
    };
    schema.metadata().description = Some(description.to_string());
    schema.into()
}

/// A cluster privilege: a predefined name (any case), or a pattern over
/// cluster actions. A schema only: requests carry it as a string.
pub struct ClusterPrivilegeName;

impl JsonSchema for ClusterPrivilegeName {
    fn schema_name() -> String {
        "ClusterPrivilegeName".to_string()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        names_or_pattern(
            "A predefined cluster privilege (any case), or a pattern over cluster actions.",
            CLUSTER_PRIVILEGE_NAMES,
            "^([cC][lL][uU][sS][tT][eE][rR]:|indices:admin/(index_)?template/)",
        )
    }
}

/// An index privilege: a predefined name (any case), or a pattern over
/// index actions. A schema only: requests carry it as a string.
pub struct IndexPrivilegeName;

impl JsonSchema for IndexPrivilegeName {
    fn schema_name() -> String {
        "IndexPrivilegeName".to_string()
    }

    fn is_referenceable() -> bool {
        false
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        names_or_pattern(
            "A predefined index privilege (any case), or a pattern over index actions.",
            INDEX_PRIVILEGE_NAMES,
            "^([iI][nN][dD][iI][cC][eE][sS]:|internal:transport/proxy/indices:)",
        )
    }
}
