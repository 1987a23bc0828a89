//! The two places service-account tokens are kept, and what their stores
//! have in common.

use crate::authc::service::service_account_token::ServiceAccountToken;
use crate::security_index::StoreError;

/// Where a token is kept: the one name for a token's store, its cache, the
/// cache's metrics label and Elasticsearch's names for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenSource {
    /// The `service_tokens` file of the node.
    File,
    /// The cluster's `.security` index.
    Index,
}

impl TokenSource {
    /// Both sources, file first: the order Elasticsearch asks them in.
    pub const ALL: [TokenSource; 2] = [TokenSource::File, TokenSource::Index];

    /// `file` or `index`: the metrics label, and the end of the token type
    /// `_authenticate` shows (`_service_account_file`).
    pub fn label(self) -> &'static str {
        match self {
            TokenSource::File => "file",
            TokenSource::Index => "index",
        }
    }

    /// The name of the source's cache in Elasticsearch's
    /// `CacheInvalidatorRegistry`.
    pub fn cache_name(self) -> &'static str {
        match self {
            TokenSource::File => "file_service_account_token",
            TokenSource::Index => "index_service_account_token",
        }
    }
}

/// A source of service-account tokens that can check a secret.
pub trait TokenStore: Send + Sync + 'static {
    /// Whether the store holds `token` with this secret. Slow on purpose (the
    /// stored hash is PBKDF2): callers cache the answer.
    fn authenticate(&self, token: &ServiceAccountToken) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// `false` when the store knows at no cost that it does not hold the
    /// token at all, so that its cache need not be consulted (the file store
    /// answers from memory; the index cannot tell without a query).
    fn may_hold(&self, _token: &ServiceAccountToken) -> bool {
        true
    }
}

impl<T: TokenStore> TokenStore for std::sync::Arc<T> {
    fn authenticate(&self, token: &ServiceAccountToken) -> impl Future<Output = Result<bool, StoreError>> + Send {
        (**self).authenticate(token)
    }

    fn may_hold(&self, token: &ServiceAccountToken) -> bool {
        (**self).may_hold(token)
    }
}
