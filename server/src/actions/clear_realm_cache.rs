//! Clearing realm caches (`TransportClearRealmCacheAction`), through the one
//! cluster-wide clear action (`clear_security_cache`).

use es_tokens_types::ClearCachedServiceTokensResponse;

use crate::actions::clear_security_cache::{self, ClearSecurityCache};
use crate::node::NodeContext;

/// The action's name, which its privilege is checked against.
pub const NAME: &str = "cluster:admin/xpack/security/realm/cache/clear";

/// A comma-separated list as `paramAsStringArrayOrEmptyIfAll` reads it:
/// empty, `*` or `_all` is every one (the empty list).
pub fn names_or_all(list: &str) -> Vec<String> {
    let names: Vec<String> = list.split(',').filter(|name| !name.is_empty()).map(str::to_string).collect();
    if names.is_empty() || (names.len() == 1 && (names[0] == "*" || names[0] == "_all")) {
        return Vec::new();
    }
    names
}

/// Forgets `usernames` (everyone when empty) in `realms` (every realm when
/// empty), on every node. A node without one of the realms fails, and says
/// so in `_nodes.failures`.
pub async fn execute(
    node: &NodeContext,
    realms: Vec<String>,
    usernames: Vec<String>,
) -> ClearCachedServiceTokensResponse {
    clear_security_cache::clear_and_report(node, ClearSecurityCache::realms(realms, usernames)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_one_is_the_empty_list() {
        for all in ["", "*", "_all", ","] {
            assert!(names_or_all(all).is_empty(), "{all}");
        }
        assert_eq!(names_or_all("default_file,default_native"), ["default_file", "default_native"]);
    }
}
