//! Creating or replacing a native role (`TransportPutRoleAction`); every
//! node forgets the role before the answer, so a changed role applies on
//! every node at its next request.

use es_tokens_types::{PutRoleResponse, RoleCreated, RoleDescriptor};

use crate::actions::clear_security_cache::{self, ClearSecurityCache};
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/role/put";

/// Stores `role` as `name` (a role of `roles.yml` of that name hides it).
pub async fn execute(node: &NodeContext, name: &str, role: &RoleDescriptor) -> Result<PutRoleResponse, ServiceError> {
    let created = node.security.roles().native().put(name, role).await.map_err(ServiceError::IndexUnavailable)?;
    forget_role(node, name).await;
    Ok(PutRoleResponse { role: RoleCreated { created } })
}

/// Has every node forget role `name`; the nodes that miss it are fenced.
pub async fn forget_role(node: &NodeContext, name: &str) {
    clear_security_cache::execute(node, ClearSecurityCache::changed_role(name)).await;
}
