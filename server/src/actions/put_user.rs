//! Creating or updating a native user (`TransportPutUserAction`), with the
//! body read as `PutUserRequestBuilder` reads it and Elasticsearch's checks
//! in its order: the body's, the request's, then (once the caller is
//! authorized) the action's.

use es_tokens_types::PutUserResponse;
use serde_json::{Map, Value};

use crate::actions::clear_security_cache::{self, ClearSecurityCache};
use crate::authc::authentication::User;
use crate::authc::esnative::native_users_store::{PutUserError, UserUpdate};
use crate::authc::esnative::reserved_realm::is_reserved_username;
use crate::authc::support::hasher::{Hasher, UNSUPPORTED_PASSWORD_HASH, is_stored_password_hash};
use crate::authc::support::validation::{self, MAX_NATIVE_NAME_LENGTH, NameKind};
use crate::common::xcontent;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/user/put";

/// A new password as a request gives it. Not `Debug`: it may be a secret.
pub enum NewPassword {
    /// In clear, to hash with the node's password hasher.
    Clear(String),
    /// Already hashed.
    Hash(String),
}

impl NewPassword {
    /// The hash to store, made with `hasher` off the async workers if the
    /// password came in clear.
    pub async fn into_hash(self, hasher: Hasher) -> Result<String, ServiceError> {
        match self {
            NewPassword::Hash(hash) => Ok(hash),
            NewPassword::Clear(password) => {
                hasher.hash_blocking(&password).await.map_err(|error| ServiceError::Internal(error.to_string()))
            }
        }
    }
}

/// Reads a `password` or `password_hash` field into `current`, with the
/// builders' checks: a password of 6 characters or more, a hash of an
/// algorithm Elasticsearch stores passwords with, and only one of the two.
pub fn read_password(field: &str, value: &Value, current: &mut Option<NewPassword>) -> Result<(), ServiceError> {
    let text = xcontent::string(field, value)?;
    let password = if field == "password" {
        validation::validate_password(&text).map_err(|message| ServiceError::Validation(vec![message]))?;
        NewPassword::Clear(text)
    } else {
        if !is_stored_password_hash(&text) {
            return Err(ServiceError::InvalidParameter(UNSUPPORTED_PASSWORD_HASH.to_string()));
        }
        NewPassword::Hash(text)
    };
    if current.is_some() {
        return Err(ServiceError::Validation(vec!["password_hash has already been set".to_string()]));
    }
    *current = Some(password);
    Ok(())
}

/// A put-user request.
pub struct PutUser {
    /// The user's name, from the path.
    pub username: String,
    /// The new password, if any.
    pub password: Option<NewPassword>,
    /// The roles, if the body has them.
    pub roles: Option<Vec<String>>,
    /// The full name.
    pub full_name: Option<String>,
    /// The email.
    pub email: Option<String>,
    /// The metadata.
    pub metadata: Map<String, Value>,
    /// Whether the user may log in.
    pub enabled: bool,
}

impl PutUser {
    /// Reads the body of a put of `username`.
    pub fn parse(username: &str, body: &Value) -> Result<PutUser, ServiceError> {
        let fields = xcontent::fields(body, "add user request")?;
        let mut request = PutUser {
            username: username.to_string(),
            password: None,
            roles: None,
            full_name: None,
            email: None,
            metadata: Map::new(),
            enabled: true,
        };
        for (field, value) in fields {
            match field.as_str() {
                "password" | "password_hash" => read_password(field, value, &mut request.password)?,
                "roles" => request.roles = Some(xcontent::string_list(field, value)?),
                "full_name" => request.full_name = xcontent::optional_string(field, value)?,
                "email" => request.email = xcontent::optional_string(field, value)?,
                "metadata" => request.metadata = xcontent::object(field, value)?,
                "enabled" => request.enabled = xcontent::boolean(field, value)?,
                "username" => {
                    if xcontent::string(field, value)? != username {
                        return Err(ServiceError::InvalidParameter(format!(
                            "[username] in source does not match the username provided [{username}]"
                        )));
                    }
                }
                other => {
                    return Err(ServiceError::Parse(format!(
                        "failed to parse add user request. unexpected field [{other}]"
                    )));
                }
            }
        }
        Ok(request)
    }

    /// The request's own validation (`PutUserRequest#validate`).
    pub fn validate(&self) -> Result<(), ServiceError> {
        let mut errors = Vec::new();
        if self.roles.is_none() {
            errors.push("roles are missing".to_string());
        }
        errors.extend(metadata_error(&self.metadata, "metadata keys may not start with [_]"));
        if errors.is_empty() { Ok(()) } else { Err(ServiceError::ValidationFailed(errors)) }
    }
}

/// `message` if some key of `metadata` starts with `_`, which Elasticsearch
/// keeps for itself.
pub fn metadata_error(metadata: &Map<String, Value>, message: &str) -> Option<String> {
    metadata.keys().any(|key| key.starts_with('_')).then(|| message.to_string())
}

/// Puts the user, once the caller may: reserved users and bad names are
/// refused; every node forgets the user before the answer.
pub async fn execute(node: &NodeContext, request: PutUser) -> Result<PutUserResponse, ServiceError> {
    let mut errors = Vec::new();
    if is_reserved_username(&request.username) {
        errors.push(format!("user [{}] is reserved and only the password can be changed", request.username));
    } else if let Err(message) = validation::validate_name(NameKind::User, &request.username, MAX_NATIVE_NAME_LENGTH) {
        errors.push(message);
    }
    for role in request.roles.iter().flatten() {
        if let Err(message) = validation::validate_name(NameKind::Role, role, MAX_NATIVE_NAME_LENGTH) {
            errors.push(message);
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::ValidationFailed(errors));
    }
    let password_hash = match request.password {
        Some(password) => Some(password.into_hash(node.security.password_hasher()).await?),
        None => None,
    };
    let update = UserUpdate {
        user: User {
            username: request.username.clone(),
            roles: request.roles.unwrap_or_default(),
            full_name: request.full_name,
            email: request.email,
            metadata: request.metadata,
        },
        password_hash,
        enabled: request.enabled,
    };
    let realm = node.security.native_realm();
    let created = realm.store().put(&update).await.map_err(|error| match error {
        PutUserError::NoPassword => ServiceError::Validation(vec![
            "password must be specified unless you are updating an existing user".to_string(),
        ]),
        PutUserError::Store(error) => ServiceError::IndexUnavailable(error),
    })?;
    forget_user(node, &realm.realm().name, &request.username).await;
    Ok(PutUserResponse { created })
}

/// Has every node forget `username` of `realm` (a change of it must apply
/// everywhere before it is acknowledged); the nodes that miss it are fenced.
pub async fn forget_user(node: &NodeContext, realm: &str, username: &str) {
    clear_security_cache::execute(node, ClearSecurityCache::changed_user(realm, username)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error(body: Value) -> String {
        PutUser::parse("jacknich", &body).err().unwrap().to_string()
    }

    #[test]
    fn the_builders_checks() {
        assert_eq!(
            error(json!({"password": "short"})),
            "Validation Failed: 1: passwords must be at least [6] characters long;"
        );
        assert_eq!(
            error(
                json!({"password": "long-enough", "password_hash": "$2a$10$abcdefghijklmnopqrstuu5bZk1GlOFzQpVUnd3Ij0oi3QHR6XN4."})
            ),
            "Validation Failed: 1: password_hash has already been set;"
        );
        assert_eq!(error(json!({"password_hash": "plain"})), UNSUPPORTED_PASSWORD_HASH);
        assert_eq!(error(json!({"rolez": []})), "failed to parse add user request. unexpected field [rolez]");
        assert_eq!(
            error(json!({"full_name": ["x"]})),
            "expected field [full_name] to be of type string, but found [START_ARRAY] instead"
        );
        assert_eq!(
            error(json!({"username": "other"})),
            "[username] in source does not match the username provided [jacknich]"
        );
        let request =
            PutUser::parse("jacknich", &json!({"roles": "a, b", "full_name": null, "enabled": false})).unwrap();
        assert_eq!((request.roles.as_deref(), request.enabled), (Some(&["a".to_string(), "b".to_string()][..]), false));
        assert_eq!(
            PutUser::parse("u", &json!({"metadata": {"_x": 1}})).unwrap().validate().unwrap_err().to_string(),
            "Validation Failed: 1: roles are missing;2: metadata keys may not start with [_];"
        );
    }
}
