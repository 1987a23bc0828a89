//! Changing a user's password (`TransportChangePasswordAction`): of a native
//! user, or of a reserved one. Every node forgets the user before the
//! answer, so the old password fails everywhere at once.

use serde_json::Value;

use crate::actions::put_user::{NewPassword, forget_user, read_password};
use crate::authc::authentication::Authentication;
use crate::authc::esnative::native_realm::NATIVE_REALM_TYPE;
use crate::authc::esnative::reserved_realm::is_reserved_username;
use crate::common::xcontent;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/user/change_password";

/// Reads the body: `password` or `password_hash`, and nothing else.
pub fn parse(body: &Value) -> Result<NewPassword, ServiceError> {
    let fields = xcontent::fields(body, "change password request")?;
    let mut password = None;
    for (field, value) in fields {
        match field.as_str() {
            "password" | "password_hash" => read_password(field, value, &mut password)?,
            other => {
                return Err(ServiceError::Parse(format!(
                    "failed to parse change password request. unexpected field [{other}]"
                )));
            }
        }
    }
    password.ok_or_else(|| ServiceError::ValidationFailed(vec!["password is missing".to_string()]))
}

/// Whether `caller` changes its own password as Elasticsearch lets users do
/// without the privilege: a user of the native or the reserved realm.
pub fn is_own_password(caller: &Authentication, username: &str) -> bool {
    match caller {
        Authentication::User { user, realm } => {
            user.username == username && (realm.kind == NATIVE_REALM_TYPE || realm.kind == "reserved")
        }
        Authentication::ServiceAccount { .. } => false,
    }
}

/// Sets `username`'s password.
pub async fn execute(node: &NodeContext, username: &str, password: NewPassword) -> Result<(), ServiceError> {
    let hash = password.into_hash(node.security.password_hasher()).await?;
    if is_reserved_username(username) {
        node.security
            .reserved_realm()
            .set_password_hash(username, &hash)
            .await
            .map_err(ServiceError::IndexUnavailable)?;
        forget_user(node, "reserved", username).await;
        return Ok(());
    }
    let realm = node.security.native_realm();
    if !realm.store().set_password_hash(username, &hash).await.map_err(ServiceError::IndexUnavailable)? {
        let message = if node.security.file_realm_has(username) {
            format!("user [{username}] does not belong to the native realm and cannot be managed via this API.")
        } else {
            "user must exist in order to change password".to_string()
        };
        return Err(ServiceError::Validation(vec![message]));
    }
    forget_user(node, &realm.realm().name, username).await;
    Ok(())
}
