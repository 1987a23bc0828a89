//! Deleting a native user (`TransportDeleteUserAction`); every node forgets
//! it before the answer.

use crate::actions::put_user::forget_user;
use crate::authc::esnative::reserved_realm::is_reserved_username;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/user/delete";

/// Deletes `username`; whether it existed. Reserved users cannot be.
pub async fn execute(node: &NodeContext, username: &str) -> Result<bool, ServiceError> {
    if is_reserved_username(username) {
        return Err(ServiceError::InvalidParameter(format!("user [{username}] is reserved and cannot be deleted")));
    }
    let realm = node.security.native_realm();
    let found = realm.store().delete(username).await.map_err(ServiceError::IndexUnavailable)?;
    if found {
        forget_user(node, &realm.realm().name, username).await;
    }
    Ok(found)
}
