//! Authenticating service-account tokens (`ServiceAccountService`): the
//! account checks, then the file store, then the index store, each behind its
//! cache.

use std::sync::Arc;

use crate::authc::authentication::Authentication;
use crate::authc::service::caching_token_store::CachingTokenStore;
use crate::authc::service::file_token_store::FileTokenStore;
use crate::authc::service::index_token_store::IndexTokenStore;
use crate::authc::service::service_account_token::ServiceAccountToken;
use crate::authc::service::service_accounts::{self, ELASTIC_NAMESPACE};
use crate::authc::service::token_store::TokenSource;
use crate::error::ServiceError;
use crate::security_index::StoreError;

/// Secrets shorter than this fail without a store lookup.
const MIN_SECRET_LENGTH: usize = 10;

/// Checks service-account tokens.
pub struct ServiceAccountService {
    /// The `service_tokens` file, behind the file-token cache.
    pub file: CachingTokenStore<Arc<FileTokenStore>>,
    /// The `.security` index, behind the index-token cache.
    pub index: CachingTokenStore<Arc<IndexTokenStore>>,
}

impl ServiceAccountService {
    /// Authenticates `token`. Every failure is the same 401, so a caller
    /// learns nothing about which check failed; the log says (at debug, and
    /// never the secret).
    pub async fn authenticate(&self, token: &ServiceAccountToken) -> Result<Authentication, ServiceError> {
        tracing::trace!("attempt to authenticate service account token [{}]", token.key());
        let failed = || ServiceError::ServiceAccountAuthentication {
            principal: token.principal().to_string(),
            token_name: token.name().to_string(),
        };
        if token.namespace() != ELASTIC_NAMESPACE {
            tracing::debug!(
                "only [{ELASTIC_NAMESPACE}] service accounts are supported, but received [{}]",
                token.principal()
            );
            return Err(failed());
        }
        if service_accounts::get(token.principal()).is_none() {
            tracing::debug!("the [{}] service account does not exist", token.principal());
            return Err(failed());
        }
        if token.secret().chars().count() < MIN_SECRET_LENGTH {
            tracing::debug!(
                "failing authentication for service account token [{}], the provided credential has length [{}] but \
                 a token's secret value must be at least [{MIN_SECRET_LENGTH}] characters",
                token.key(),
                token.secret().chars().count()
            );
            return Err(failed());
        }
        // The file store first, then the index; the first success wins, and a
        // store that cannot answer ends the search.
        let unavailable = |error: StoreError| {
            tracing::debug!(%error, "authentication of service token [{}] failed", token.key());
            ServiceError::AuthenticationUnavailable(error)
        };
        let source = if self.file.authenticate(token).await.map_err(unavailable)? {
            Some(TokenSource::File)
        } else if self.index.authenticate(token).await.map_err(unavailable)? {
            Some(TokenSource::Index)
        } else {
            None
        };
        match source {
            Some(source) => Ok(Authentication::ServiceAccount {
                principal: token.principal().to_string(),
                token_name: token.name().to_string(),
                source,
            }),
            None => {
                tracing::debug!(
                    "failed to authenticate service account [{}] with token name [{}]",
                    token.principal(),
                    token.name()
                );
                Err(failed())
            }
        }
    }
}
