//! Getting users (`TransportGetUsersAction`): the reserved users and those
//! of the native realm, never their passwords.

use es_tokens_types::{GetUsersResponse, UserInfo};

use crate::authc::authentication::User;
use crate::authc::esnative::reserved_realm::is_reserved_username;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/user/get";

/// The users named (every user when none is): the reserved ones first, in
/// Elasticsearch's order, then the native ones by name.
pub async fn execute(node: &NodeContext, names: &[String]) -> Result<GetUsersResponse, ServiceError> {
    let wanted = |username: &str| names.is_empty() || names.iter().any(|name| name == username);
    let mut users = GetUsersResponse::default();
    let reserved = node.security.reserved_realm().users().await.map_err(ServiceError::IndexUnavailable)?;
    for (user, enabled) in reserved.into_iter().filter(|(user, _)| wanted(&user.username)) {
        users.0.insert(user.username.clone(), info(user, enabled));
    }
    let store = node.security.native_realm().store();
    let native = if names.is_empty() {
        store.all().await
    } else {
        let native: Vec<String> = names.iter().filter(|name| !is_reserved_username(name)).cloned().collect();
        store.get_many(&native).await
    }
    .map_err(ServiceError::IndexUnavailable)?;
    for stored in native {
        users.0.insert(stored.user.username.clone(), info(stored.user, stored.enabled));
    }
    Ok(users)
}

fn info(user: User, enabled: bool) -> UserInfo {
    UserInfo {
        username: user.username,
        roles: user.roles,
        full_name: user.full_name,
        email: user.email,
        metadata: user.metadata,
        enabled,
    }
}
