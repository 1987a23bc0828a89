//! Deleting a native role (`TransportDeleteRoleAction`); every node forgets
//! it before the answer.

use crate::actions::put_role::forget_role;
use crate::authz::roles::is_reserved_role;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/role/delete";

/// Deletes role `name`; whether it existed. Reserved roles cannot be.
pub async fn execute(node: &NodeContext, name: &str) -> Result<bool, ServiceError> {
    if is_reserved_role(name) {
        return Err(ServiceError::InvalidParameter(format!("role [{name}] is reserved and cannot be deleted")));
    }
    let found = node.security.roles().native().delete(name).await.map_err(ServiceError::IndexUnavailable)?;
    if found {
        forget_role(node, name).await;
    }
    Ok(found)
}
