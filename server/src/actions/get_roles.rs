//! Getting roles (`TransportGetRolesAction`): the built-in `superuser` and
//! the native roles. Roles of `roles.yml` are not shown, as in
//! Elasticsearch; of its other built-in roles this node defines none.

use es_tokens_types::{
    ApplicationPrivileges, GetRolesResponse, IndicesPrivileges, RemoteClusterPrivileges, RemoteIndicesPrivileges,
    RoleDescriptor,
};
use serde_json::Map;

use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/role/get";

/// The roles named (every role when none is): `superuser` first, then the
/// native ones by name.
pub async fn execute(node: &NodeContext, names: &[String]) -> Result<GetRolesResponse, ServiceError> {
    let mut roles = GetRolesResponse::default();
    if names.is_empty() || names.iter().any(|name| name == "superuser") {
        roles.0.insert("superuser".to_string(), superuser());
    }
    let native = node.security.roles().native();
    let stored = if names.is_empty() {
        native.all().await
    } else {
        let wanted: Vec<String> = names.iter().filter(|name| *name != "superuser").cloned().collect();
        native.get(&wanted).await
    }
    .map_err(ServiceError::IndexUnavailable)?;
    roles.0.extend(stored);
    Ok(roles)
}

/// `superuser` as Elasticsearch defines it (`ReservedRolesStore`).
fn superuser() -> RoleDescriptor {
    let group = |privileges: &[&str], allow_restricted_indices| IndicesPrivileges {
        names: vec!["*".to_string()],
        privileges: privileges.iter().map(|p| p.to_string()).collect(),
        field_security: None,
        query: None,
        allow_restricted_indices,
    };
    let read = ["monitor", "read", "view_index_metadata", "read_cross_cluster"];
    let indices = vec![group(&["all"], false), group(&read, true)];
    let remote_indices = indices
        .iter()
        .map(|indices| RemoteIndicesPrivileges { indices: indices.clone(), clusters: vec!["*".to_string()] })
        .collect();
    RoleDescriptor {
        cluster: vec!["all".to_string()],
        global: None,
        indices,
        applications: vec![ApplicationPrivileges {
            application: "*".to_string(),
            privileges: vec!["*".to_string()],
            resources: vec!["*".to_string()],
        }],
        run_as: vec!["*".to_string()],
        metadata: Map::from_iter([("_reserved".to_string(), true.into())]),
        transient_metadata: Map::new(),
        remote_indices: Some(remote_indices),
        remote_cluster: Some(vec![RemoteClusterPrivileges {
            privileges: vec!["monitor_enrich".to_string(), "monitor_stats".to_string()],
            clusters: vec!["*".to_string()],
        }]),
        description: Some(
            "Grants full access to cluster management and data indices. This role also grants direct read-only \
             access to restricted indices like .security. A user with this role can impersonate any other user in \
             the system, manage security and create roles with unlimited privileges. Take extra care when assigning \
             it to a user."
                .to_string(),
        ),
    }
}
