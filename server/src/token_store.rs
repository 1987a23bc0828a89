//! What the two token stores (the `service_tokens` file and the `.security`
//! index) have in common.

use crate::service_account_token::ServiceAccountToken;

/// Where a token is stored; shown as `_service_account_<source>` by
/// `_authenticate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// The `service_tokens` file of the node.
    File,
    /// The cluster's `.security` index.
    Index,
}

impl TokenSource {
    /// `file` or `index`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSource::File => "file",
            TokenSource::Index => "index",
        }
    }
}

/// A store that could not answer (as opposed to answering "no").
#[derive(Clone, Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

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
