//! Who a request is from, once authenticated.

use es_tokens_types::{AuthenticateResponse, AuthenticateToken, RealmInfo};

use crate::authc::service::TokenSource;

/// A user, as a realm knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    /// The user name.
    pub username: String,
    /// Assigned roles, in the order the realm lists them.
    pub roles: Vec<String>,
    /// Full name.
    pub full_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Metadata, e.g. `{"_reserved":true}` for reserved users.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// A realm: its name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Realm {
    /// E.g. `default_file`.
    pub name: String,
    /// E.g. `file`.
    pub kind: String,
}

/// What a realm says about credentials.
#[derive(Clone, Debug, PartialEq)]
pub enum RealmOutcome {
    /// The credentials are a user of this realm.
    Authenticated(User),
    /// The user is this realm's, the password is not.
    Failed,
    /// Not this realm's user: ask the next realm.
    NotHandled,
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq)]
pub enum Authentication {
    /// A user, authenticated by a realm (Basic authentication).
    User {
        /// The user.
        user: User,
        /// The realm that authenticated it.
        realm: Realm,
    },
    /// A service account, authenticated by one of its tokens.
    ServiceAccount {
        /// `namespace/service`.
        principal: String,
        /// The token's name.
        token_name: String,
        /// Where the token is stored.
        source: TokenSource,
    },
}

/// The realm Elasticsearch reports service accounts under.
const SERVICE_ACCOUNT_REALM: &str = "_service_account";

impl Authentication {
    /// The caller's principal: a user's name, or `namespace/service`.
    pub fn principal(&self) -> &str {
        match self {
            Authentication::User { user, .. } => &user.username,
            Authentication::ServiceAccount { principal, .. } => principal,
        }
    }

    /// The body of `GET /_security/_authenticate`.
    pub fn to_response(&self) -> AuthenticateResponse {
        match self {
            Authentication::User { user, realm } => {
                let realm = RealmInfo { name: realm.name.clone(), kind: realm.kind.clone() };
                AuthenticateResponse {
                    username: user.username.clone(),
                    roles: user.roles.clone(),
                    full_name: user.full_name.clone(),
                    email: user.email.clone(),
                    token: None,
                    metadata: user.metadata.clone(),
                    enabled: true,
                    authentication_realm: realm.clone(),
                    lookup_realm: realm,
                    authentication_type: "realm".to_string(),
                }
            }
            Authentication::ServiceAccount { principal, token_name, source } => {
                let realm =
                    RealmInfo { name: SERVICE_ACCOUNT_REALM.to_string(), kind: SERVICE_ACCOUNT_REALM.to_string() };
                let mut metadata = serde_json::Map::new();
                metadata.insert("_elastic_service_account".to_string(), true.into());
                AuthenticateResponse {
                    username: principal.clone(),
                    roles: Vec::new(),
                    full_name: Some(format!("Service account - {principal}")),
                    email: None,
                    token: Some(AuthenticateToken {
                        name: token_name.clone(),
                        kind: format!("{SERVICE_ACCOUNT_REALM}_{}", source.label()),
                    }),
                    metadata,
                    enabled: true,
                    authentication_realm: realm.clone(),
                    lookup_realm: realm,
                    authentication_type: "token".to_string(),
                }
            }
        }
    }
}
