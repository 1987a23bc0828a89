//! Native users: the bodies of the user APIs (`/_security/user`).

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The body of putting a user. A new user needs `password` or
/// `password_hash`; an existing one keeps its password without either.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PutUserRequest {
    /// The user's name again, which must be the path's (not in the
    /// schema: it says nothing the path does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub username: Option<String>,
    /// The password, at least 6 characters; stored as a hash by
    /// `xpack.security.authc.password_hashing.algorithm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", length(min = 6))]
    pub password: Option<String>,
    /// The password as a bcrypt or PBKDF2 hash, in place of `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(
            pattern = r"^(\$2[aby]\$(0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}|\{PBKDF2(_STRETCH)?\}(1000|10000|50000|100000|500000|1000000)\$.+)$"
        )
    )]
    pub password_hash: Option<String>,
    /// The roles of the user (required): names of built-in, file or native
    /// roles, as a list or one comma-separated string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<crate::NativeName>", required)]
    pub roles: Option<Vec<String>>,
    /// The user's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub full_name: Option<String>,
    /// The user's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub email: Option<String>,
    /// Arbitrary metadata; keys starting with `_` are reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Whether the user can log in (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub enabled: Option<bool>,
}

/// Response of putting a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PutUserResponse {
    /// Whether the user was created (`false`: an existing one was updated).
    pub created: bool,
}

/// A user as the user APIs show it; never its password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UserInfo {
    /// The user's name.
    pub username: String,
    /// Its roles.
    pub roles: Vec<String>,
    /// Its full name, `null` when unset.
    pub full_name: Option<String>,
    /// Its email, `null` when unset.
    pub email: Option<String>,
    /// Its metadata; `{"_reserved":true}` for the built-in users.
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Whether it can log in.
    pub enabled: bool,
}

/// Users by name: the built-in ones first, then the native ones by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GetUsersResponse(pub IndexMap<String, UserInfo>);

crate::named_map_schema!(
    GetUsersResponse,
    UserInfo,
    "Users by name: the built-in ones first, then the native ones by name."
);

/// What getting users answers when it answers no user: 404 with `{}` (none
/// of the users named exists), or an Elasticsearch error. The generated
/// client decodes every error status of the get into this.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum GetUsersError {
    /// An exception.
    Error(crate::ErrorResponse),
    /// 404: none of the names exists.
    NoneFound(EmptyResponse),
}

/// Response of deleting a user or a role: `{"found":true}` with 200, or
/// exactly `{"found":false}` with 404.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FoundResponse {
    /// Whether it existed.
    pub found: bool,
}

/// What deleting a user or role answers when it deletes nothing: 404 with
/// exactly `{"found":false}`, or an Elasticsearch error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FoundError {
    /// 404: no such user or role.
    NotFound(FoundResponse),
    /// Any other error.
    Error(crate::ErrorResponse),
}

/// The errors of an operation that reads a body: an Elasticsearch error,
/// or the simple error of a 406 (a `Content-Type` it does not read).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum BodyError {
    /// An exception.
    Error(crate::ErrorResponse),
    /// 406: a `Content-Type` Elasticsearch does not read.
    Simple(crate::SimpleErrorResponse),
}

/// The errors of putting a user (see [`BodyError`]).
pub type PutUserError = BodyError;
/// The errors of changing a password, enabling or disabling a user (see
/// [`BodyError`]).
pub type EmptyError = BodyError;

/// The body of changing a password: one of `password` and `password_hash`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The new password, at least 6 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", length(min = 6))]
    pub password: Option<String>,
    /// The new password as a bcrypt or PBKDF2 hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        with = "String",
        regex(
            pattern = r"^(\$2[aby]\$(0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}|\{PBKDF2(_STRETCH)?\}(1000|10000|50000|100000|500000|1000000)\$.+)$"
        )
    )]
    pub password_hash: Option<String>,
}

/// The empty object some security APIs answer with (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyResponse {}
