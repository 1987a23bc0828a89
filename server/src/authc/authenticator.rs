//! Authenticating a request from its `Authorization` header, as
//! Elasticsearch's authenticator chain does: `Basic` goes to the realms
//! (reserved, file, then native), a `Bearer` that parses as a service-account token
//! goes to the service accounts (`ServiceAccountService`), and anything else
//! fails with the generic 401.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use http::header::AUTHORIZATION;

use crate::authc::authentication::{Authentication, RealmOutcome};
use crate::authc::esnative::native_realm::NativeRealm;
use crate::authc::esnative::reserved_realm::ReservedRealm;
use crate::authc::file::file_realm::FileRealm;
use crate::authc::service::ServiceAccountToken;
use crate::authc::service::service_account_service::ServiceAccountService;
use crate::error::ServiceError;

/// Authenticates requests.
pub struct Authenticator {
    /// Service-account tokens.
    pub service_accounts: ServiceAccountService,
    /// The built-in users.
    pub reserved_realm: std::sync::Arc<ReservedRealm>,
    /// Users from the `users` file.
    pub file_realm: std::sync::Arc<FileRealm>,
    /// Users of the security index.
    pub native_realm: std::sync::Arc<NativeRealm>,
}

impl Authenticator {
    /// Who sent a request to `uri` with `headers`, or the 401 Elasticsearch
    /// would answer.
    pub async fn authenticate(&self, headers: &HeaderMap, uri: &http::Uri) -> Result<Authentication, ServiceError> {
        let Some(header) = headers.get(AUTHORIZATION) else {
            return Err(ServiceError::MissingCredentials { uri: uri.to_string() });
        };
        let header = header.to_str().map_err(|_| ServiceError::UnknownCredentials)?;
        let (scheme, credentials) = header.split_once(' ').unwrap_or((header, ""));
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let (username, password) = parse_basic(credentials)?;
            return self.authenticate_user(&username, &password, uri).await;
        }
        if scheme.eq_ignore_ascii_case("bearer")
            && let Some(token) = ServiceAccountToken::parse(credentials)
        {
            return self.service_accounts.authenticate(&token).await;
        }
        // A bearer that is not a service token (an OAuth token, say) or
        // another scheme: this node has no authenticator for it.
        Err(ServiceError::UnknownCredentials)
    }

    async fn authenticate_user(
        &self,
        username: &str,
        password: &str,
        uri: &http::Uri,
    ) -> Result<Authentication, ServiceError> {
        let failed = || ServiceError::UserAuthentication { username: username.to_string(), uri: uri.to_string() };
        match self
            .reserved_realm
            .authenticate(username, password)
            .await
            .map_err(ServiceError::AuthenticationUnavailable)?
        {
            RealmOutcome::Authenticated(user) => {
                return Ok(Authentication::User { user, realm: self.reserved_realm.realm() });
            }
            RealmOutcome::Failed => return Err(failed()),
            RealmOutcome::NotHandled => {}
        }
        // A file user with a wrong password may still be a native one, as
        // Elasticsearch's realm chain goes on after an unsuccessful realm.
        if let RealmOutcome::Authenticated(user) = self.file_realm.authenticate(username, password).await {
            return Ok(Authentication::User { user, realm: self.file_realm.realm().clone() });
        }
        match self
            .native_realm
            .authenticate(username, password)
            .await
            .map_err(ServiceError::AuthenticationUnavailable)?
        {
            RealmOutcome::Authenticated(user) => {
                Ok(Authentication::User { user, realm: self.native_realm.realm().clone() })
            }
            RealmOutcome::Failed | RealmOutcome::NotHandled => Err(failed()),
        }
    }
}

/// `base64(user:password)`, split at the first `:`.
fn parse_basic(credentials: &str) -> Result<(String, String), ServiceError> {
    let decoded = STANDARD
        .decode(credentials)
        .map_err(|_| ServiceError::InvalidBasicHeader("invalid basic authentication header encoding"))?;
    let decoded = String::from_utf8(decoded)
        .map_err(|_| ServiceError::InvalidBasicHeader("invalid basic authentication header encoding"))?;
    let (username, password) =
        decoded.split_once(':').ok_or(ServiceError::InvalidBasicHeader("invalid basic authentication header value"))?;
    Ok((username.to_string(), password.to_string()))
}
