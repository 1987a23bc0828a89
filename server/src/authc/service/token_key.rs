//! The key of a cached token: its qualified name `namespace/service/name`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A token's qualified name, `namespace/service/name`, cheap to clone.
///
/// Equality and hashing look at the qualified string only, as Elasticsearch's
/// string-keyed caches do.
#[derive(Clone)]
pub struct TokenKey {
    qualified: Arc<str>,
    account_len: usize,
}

impl TokenKey {
    /// The key of token `name` of account `namespace/service`.
    pub fn new(namespace: &str, service: &str, name: &str) -> Self {
        // Joined in one allocation: `format!` costs more than the clear
        // it keys.
        let qualified: Arc<str> = [namespace, "/", service, "/", name].concat().into();
        TokenKey { qualified, account_len: namespace.len() + 1 + service.len() }
    }

    /// The key of a qualified name as the clear-cache API and the
    /// node-to-node API carry it; the account is everything before the last
    /// `/`.
    pub fn from_qualified(qualified: &str) -> Self {
        let account_len = qualified.rfind('/').unwrap_or(qualified.len());
        TokenKey { qualified: qualified.into(), account_len }
    }

    /// `namespace/service/name`.
    pub fn qualified(&self) -> &str {
        &self.qualified
    }

    /// `namespace/service`, the account the token belongs to.
    pub fn account(&self) -> &str {
        &self.qualified[..self.account_len]
    }

    /// The token's name.
    pub fn name(&self) -> &str {
        self.qualified.get(self.account_len + 1..).unwrap_or_default()
    }
}

impl PartialEq for TokenKey {
    fn eq(&self, other: &Self) -> bool {
        self.qualified == other.qualified
    }
}

impl Eq for TokenKey {}

impl Hash for TokenKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.qualified.hash(state);
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.qualified)
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenKey({})", self.qualified)
    }
}

#[cfg(test)]
mod tests {
    use super::TokenKey;

    #[test]
    fn from_qualified_names() {
        let key = TokenKey::from_qualified("elastic/fleet-server/token1");
        assert_eq!((key.account(), key.name()), ("elastic/fleet-server", "token1"));
        assert_eq!(key, TokenKey::new("elastic", "fleet-server", "token1"));
        let odd = TokenKey::from_qualified("no-slash");
        assert_eq!((odd.qualified(), odd.account(), odd.name()), ("no-slash", "no-slash", ""));
    }

    #[test]
    fn parts() {
        let key = TokenKey::new("elastic", "fleet-server", "token1");
        assert_eq!(key.qualified(), "elastic/fleet-server/token1");
        assert_eq!(key.account(), "elastic/fleet-server");
        assert_eq!(key.name(), "token1");
    }
}
