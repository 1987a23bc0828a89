//! Clearing the role cache (`TransportClearRolesCacheAction`), through the
//! one cluster-wide clear action (`clear_security_cache`).

use es_tokens_types::ClearCachedServiceTokensResponse;

use crate::actions::clear_security_cache::{self, ClearSecurityCache};
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/roles/cache/clear";

/// Forgets `names` (every role when empty) on every node. Names are not
/// checked: forgetting a role no node knows succeeds.
pub async fn execute(node: &NodeContext, names: Vec<String>) -> ClearCachedServiceTokensResponse {
    clear_security_cache::clear_and_report(node, ClearSecurityCache::roles(names)).await
}
