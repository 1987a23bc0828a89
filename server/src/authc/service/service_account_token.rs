//! Service-account tokens as they travel in `Authorization: Bearer`:
//! `00 01 00 01` + `namespace/service/name` + `:` + secret, standard base64
//! without padding (so every token starts `AAEAA`).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use crate::authc::service::token_key::TokenKey;
use crate::authc::service::token_name::is_valid_token_name;
use crate::common::uuids::random_base64_uuid;

/// The four bytes every service-account token starts with: magic, type,
/// reserved, format version.
const PREFIX: [u8; 4] = [0, 1, 0, 1];

/// A parsed service-account token. The secret is never printed: `Debug`
/// shows the qualified name only.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceAccountToken {
    key: TokenKey,
    namespace_len: usize,
    secret: String,
}

impl ServiceAccountToken {
    /// A new token for `namespace/service/name` with a random secret (22
    /// characters of URL-safe base64, as `UUIDs.randomBase64UUIDSecureString`).
    pub fn generate(namespace: &str, service: &str, name: &str) -> Self {
        ServiceAccountToken {
            key: TokenKey::new(namespace, service, name),
            namespace_len: namespace.len(),
            secret: random_base64_uuid(),
        }
    }

    /// Parses a bearer string; `None` when it is not a service-account token
    /// (wrong prefix, no `:`, not exactly three `/`-separated parts, a blank
    /// namespace or service, an invalid token name), so that the caller can
    /// try other kinds of bearer token.
    pub fn parse(bearer: &str) -> Option<Self> {
        // Java's wrapping decoder accepts padding but does not require it.
        let bytes = STANDARD_NO_PAD.decode(bearer.trim_end_matches('=')).ok()?;
        let content = bytes.strip_prefix(&PREFIX)?;
        let content = std::str::from_utf8(content).ok()?;
        let (qualified, secret) = content.split_once(':')?;
        let mut parts = qualified.split('/');
        let (namespace, service, name) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || namespace.trim().is_empty()
            || service.trim().is_empty()
            || !is_valid_token_name(name)
        {
            return None;
        }
        Some(ServiceAccountToken {
            key: TokenKey::new(namespace, service, name),
            namespace_len: namespace.len(),
            secret: secret.to_string(),
        })
    }

    /// The bearer string a client sends.
    pub fn to_bearer_string(&self) -> String {
        let mut bytes = Vec::with_capacity(4 + self.key.qualified().len() + 1 + self.secret.len());
        bytes.extend_from_slice(&PREFIX);
        bytes.extend_from_slice(self.key.qualified().as_bytes());
        bytes.push(b':');
        bytes.extend_from_slice(self.secret.as_bytes());
        STANDARD_NO_PAD.encode(bytes)
    }

    /// `namespace/service/name`, the cache key.
    pub fn key(&self) -> &TokenKey {
        &self.key
    }

    /// The namespace, e.g. `elastic`.
    pub fn namespace(&self) -> &str {
        &self.key.account()[..self.namespace_len]
    }

    /// The service, e.g. `fleet-server`.
    pub fn service(&self) -> &str {
        &self.key.account()[self.namespace_len + 1..]
    }

    /// `namespace/service`.
    pub fn principal(&self) -> &str {
        self.key.account()
    }

    /// The token's name.
    pub fn name(&self) -> &str {
        self.key.name()
    }

    /// The secret.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for ServiceAccountToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceAccountToken({})", self.key.qualified())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_vectors() {
        let token =
            ServiceAccountToken::parse("AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMTpyNXdkYmRib1FTZTl2R09Ld2FKR0F3")
                .unwrap();
        assert_eq!(token.key().qualified(), "elastic/fleet-server/token1");
        assert_eq!(token.secret(), "r5wdbdboQSe9vGOKwaJGAw");
        let token = ServiceAccountToken::parse("AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMTpzdXBlcnNlY3JldA").unwrap();
        assert_eq!(
            (token.namespace(), token.service(), token.name(), token.secret()),
            ("elastic", "fleet-server", "token1", "supersecret")
        );
        assert_eq!(token.to_bearer_string(), "AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMTpzdXBlcnNlY3JldA");
    }

    #[test]
    fn not_service_tokens() {
        for bearer in [
            "AQEAAWVsYXN0aWMvZmxlZXQvdG9rZW4xOnN1cGVyc2VjcmV0",
            "AAEAAWVsYXN0aWMvZmxlZXQvdG9rZW4xX3N1cGVyc2VjcmV0",
            "AAEAAWVsYXN0aWMvZmxlZXRfdG9rZW4xOnN1cGVyc2VjcmV0",
            "AAEAAWVsYXN0aWMvZmxlZXQvdG9rZW4hOnN1cGVyc2VjcmV0",
            "not base64 at all!",
            "",
        ] {
            assert_eq!(ServiceAccountToken::parse(bearer), None, "{bearer}");
        }
    }

    #[test]
    fn generated_tokens_round_trip_and_keep_their_secret_out_of_debug() {
        let token = ServiceAccountToken::generate("elastic", "fleet-server", "t");
        let bearer = token.to_bearer_string();
        assert!(bearer.starts_with("AAEAA"));
        assert_eq!(ServiceAccountToken::parse(&bearer), Some(token.clone()));
        assert_eq!(token.secret().len(), 22);
        assert!(!format!("{token:?}").contains(token.secret()));
    }
}
