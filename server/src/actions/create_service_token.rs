//! Creating a service-account token in the security index
//! (`TransportCreateServiceAccountTokenAction`).

use es_tokens_types::{CreateServiceTokenResponse, ServiceToken};

use crate::authc::authentication::Authentication;
use crate::authc::service::ServiceAccountToken;
use crate::authc::service::index_token_store::{CreateTokenError, Creator};
use crate::authc::service::service_accounts;
use crate::common::uuids::time_based_base64_uuid;
use crate::error::ServiceError;
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/service_account/token/create";

/// Creates token `name` (or `token_<id>`) of `namespace/service` in the
/// security index, created by `caller`.
pub async fn execute(
    node: &NodeContext,
    caller: &Authentication,
    namespace: &str,
    service: &str,
    name: Option<&str>,
) -> Result<CreateServiceTokenResponse, ServiceError> {
    let name = match name {
        Some(name) => name.to_string(),
        None => format!("token_{}", time_based_base64_uuid()),
    };
    let principal = format!("{namespace}/{service}");
    if service_accounts::get(&principal).is_none() {
        return Err(ServiceError::UnknownServiceAccount(principal));
    }
    let store = node.security.index_tokens();
    let token = ServiceAccountToken::generate(namespace, service, &name);
    match store.create(&token, &Creator::of(caller)).await {
        Ok(()) => Ok(CreateServiceTokenResponse {
            created: true,
            token: ServiceToken { name, value: token.to_bearer_string() },
        }),
        Err(CreateTokenError::Duplicate(qualified)) => Err(ServiceError::DuplicateToken {
            qualified,
            index_uuid: store.index().index_uuid().await.unwrap_or_else(|_| "_na_".to_string()),
        }),
        Err(CreateTokenError::Store(error)) => Err(ServiceError::IndexUnavailable(error)),
        Err(error @ CreateTokenError::Hashing(_)) => {
            tracing::error!(%error, "creating a token failed");
            Err(ServiceError::Internal(error.to_string()))
        }
    }
}
