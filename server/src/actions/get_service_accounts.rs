//! Listing the built-in service accounts (`TransportGetServiceAccountAction`).

use es_tokens_types::{GetServiceAccountsResponse, ServiceAccountInfo};

use crate::authc::service::service_accounts;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/service_account/get";

/// The accounts `GET /_security/service[/{namespace}[/{service}]]` shows:
/// all, those of a namespace, or one; no match is an empty map.
pub fn execute(namespace: Option<&str>, service: Option<&str>) -> GetServiceAccountsResponse {
    service_accounts::all()
        .filter(|account| {
            let (ns, svc) = account.namespace_and_service();
            namespace.is_none_or(|n| n == ns) && service.is_none_or(|s| s == svc)
        })
        .map(|account| {
            (account.principal.to_string(), ServiceAccountInfo { role_descriptor: account.role_descriptor.clone() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_a_namespace_or_one() {
        assert_eq!(execute(None, None).len(), 4);
        assert_eq!(execute(Some("elastic"), Some("fleet-server")).len(), 1);
        assert_eq!(execute(Some("elastic"), None).len(), 4);
        assert!(execute(Some("elastic"), Some("nope")).is_empty());
        assert!(execute(Some("other"), None).is_empty());
    }
}
