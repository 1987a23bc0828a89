//! What a token cache remembers about one token.

/// The outcome of authenticating a token against its store, kept so that the
/// next request with the same token skips the store (and its slow hash).
///
/// Filled by bearer authentication; until then the caches are only cleared.
#[derive(Debug)]
pub struct CachedToken {
    /// Whether the store accepted the secret.
    pub success: bool,
}
