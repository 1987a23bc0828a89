//! Enabling or disabling a user (`TransportSetEnabledAction`): a native
//! user, or a reserved one. Every node forgets the user before the answer,
//! so a disabled user is refused everywhere at once.

use crate::actions::put_user::forget_user;
use crate::authc::authentication::Authentication;
use crate::authc::esnative::reserved_realm::is_reserved_username;
use crate::authc::support::validation::{self, MAX_NATIVE_NAME_LENGTH, NameKind};
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/user/set_enabled";

/// The request's own validation: the user name's rules.
pub fn validate(username: &str) -> Result<(), ServiceError> {
    validation::validate_name(NameKind::User, username, MAX_NATIVE_NAME_LENGTH)
        .map_err(|message| ServiceError::ValidationFailed(vec![message]))
}

/// Enables or disables `username`; no caller may do it to itself.
pub async fn execute(
    node: &NodeContext,
    caller: &Authentication,
    username: &str,
    enabled: bool,
) -> Result<(), ServiceError> {
    if matches!(caller, Authentication::User { user, .. } if user.username == username) {
        return Err(ServiceError::InvalidParameter(
            "users may not update the enabled status of their own account".to_string(),
        ));
    }
    if is_reserved_username(username) {
        node.security.reserved_realm().set_enabled(username, enabled).await.map_err(ServiceError::IndexUnavailable)?;
        forget_user(node, "reserved", username).await;
        return Ok(());
    }
    let realm = node.security.native_realm();
    if !realm.store().set_enabled(username, enabled).await.map_err(ServiceError::IndexUnavailable)? {
        let verb = if enabled { "enabled" } else { "disabled" };
        return Err(ServiceError::Validation(vec![format!("only existing users can be {verb}")]));
    }
    forget_user(node, &realm.realm().name, username).await;
    Ok(())
}
