//! The built-in service accounts of Elasticsearch 9.x and their role
//! descriptors, transcribed from `ElasticServiceAccounts` (see
//! `server/resources/service_accounts/SOURCES.md` for provenance).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use es_tokens_types::RoleDescriptor;

use crate::authz::privileges::ClusterPrivilege;

/// The only namespace with service accounts.
pub const ELASTIC_NAMESPACE: &str = "elastic";

/// A built-in service account.
pub struct ServiceAccount {
    /// `namespace/service`.
    pub principal: &'static str,
    /// What it may do.
    pub role_descriptor: RoleDescriptor,
    /// The descriptor's cluster privileges, resolved.
    cluster: Vec<ClusterPrivilege>,
}

impl ServiceAccount {
    /// The account's namespace and service.
    pub fn namespace_and_service(&self) -> (&'static str, &'static str) {
        self.principal.split_once('/').expect("principals are namespace/service")
    }

    /// The descriptor's cluster privileges, resolved.
    pub fn cluster_privileges(&self) -> &[ClusterPrivilege] {
        &self.cluster
    }

    /// Whether the account may perform `action`.
    pub fn grants(&self, action: &str) -> bool {
        self.cluster.iter().any(|privilege| privilege.grants(action))
    }
}

/// Each account's role descriptor as Elasticsearch renders it.
const DESCRIPTORS: [(&str, &str); 4] = [
    ("elastic/auto-ops", include_str!("../../../resources/service_accounts/elastic_auto-ops.json")),
    ("elastic/fleet-server", include_str!("../../../resources/service_accounts/elastic_fleet-server.json")),
    (
        "elastic/fleet-server-remote",
        include_str!("../../../resources/service_accounts/elastic_fleet-server-remote.json"),
    ),
    ("elastic/kibana", include_str!("../../../resources/service_accounts/elastic_kibana.json")),
];

static ACCOUNTS: LazyLock<BTreeMap<&'static str, ServiceAccount>> = LazyLock::new(|| {
    DESCRIPTORS
        .into_iter()
        .map(|(principal, json)| {
            let role_descriptor: RoleDescriptor =
                serde_json::from_str(json).expect("the built-in role descriptors are valid");
            let cluster = role_descriptor
                .cluster
                .iter()
                .map(|name| ClusterPrivilege::resolve(name).expect("the built-in cluster privileges are known"))
                .collect();
            (principal, ServiceAccount { principal, role_descriptor, cluster })
        })
        .collect()
});

/// The account `principal` (`namespace/service`), if it is built in.
pub fn get(principal: &str) -> Option<&'static ServiceAccount> {
    ACCOUNTS.get(principal)
}

/// Every principal, sorted (for messages that list them).
pub fn principals() -> impl Iterator<Item = &'static str> {
    ACCOUNTS.keys().copied()
}

/// Every account, by principal.
pub fn all() -> impl Iterator<Item = &'static ServiceAccount> {
    ACCOUNTS.values()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_accounts_of_9x() {
        assert_eq!(
            principals().collect::<Vec<_>>(),
            ["elastic/auto-ops", "elastic/fleet-server", "elastic/fleet-server-remote", "elastic/kibana"]
        );
        for principal in principals() {
            let cluster = &get(principal).unwrap().role_descriptor.cluster;
            assert!(
                !cluster.iter().any(|p| p == "manage_security" || p == "all"),
                "{principal} must not manage security"
            );
        }
    }

    /// Every field of every file is read, and written back in the file's
    /// order: nothing is lost or reordered on the way to the API.
    #[test]
    fn every_descriptor_renders_back_to_its_file() {
        for (principal, file) in DESCRIPTORS {
            let rendered = serde_json::to_string_pretty(&get(principal).unwrap().role_descriptor).unwrap();
            assert_eq!(rendered, file.trim_end(), "{principal}");
        }
    }

    #[test]
    fn descriptors_render_back_to_their_files() {
        let fleet = &get("elastic/fleet-server").unwrap().role_descriptor;
        let rendered = serde_json::to_string(fleet).unwrap();
        assert!(
            rendered.starts_with(r#"{"cluster":["monitor","manage_own_api_key","read_fleet_secrets","#),
            "{rendered}"
        );
        assert!(
            rendered.ends_with(r#""run_as":[],"metadata":{},"transient_metadata":{"enabled":true}}"#),
            "{rendered}"
        );
    }
}
