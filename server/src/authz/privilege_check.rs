//! Checking a caller's privileges against a list it names
//! (`RBACEngine#checkPrivileges`), for `_has_privileges`.
//!
//! The answer's maps come in the order Elasticsearch writes them: cluster
//! privileges, each index's privileges and the applications in the iteration
//! order of a Java `HashMap` filled in request order; indices and resources
//! sorted by name.

use std::collections::BTreeMap;

use es_tokens_types::HasPrivilegesResponse;
use indexmap::IndexMap;

use crate::authz::index_privileges::{self, IndexGroup, IndexPrivilege};
use crate::authz::privileges::{self, ClusterPrivilege};
use crate::error::ServiceError;

/// What a caller holds.
#[derive(Clone, Debug, Default)]
pub struct Permissions {
    /// Cluster privileges.
    pub cluster: Vec<ClusterPrivilege>,
    /// Index privileges.
    pub indices: Vec<IndexGroup>,
    /// Whether it holds every application privilege.
    pub all_applications: bool,
}

/// Index privileges to check on some names.
pub struct IndexCheck {
    /// Names or patterns.
    pub names: Vec<String>,
    /// Privilege names, as asked.
    pub privileges: Vec<String>,
    /// Whether restricted indices may be covered.
    pub allow_restricted_indices: bool,
}

/// Application privileges to check on some resources.
pub struct ApplicationCheck {
    /// The application.
    pub application: String,
    /// Privilege names, as asked.
    pub privileges: Vec<String>,
    /// Resources.
    pub resources: Vec<String>,
}

/// The privileges to check.
pub struct PrivilegesToCheck {
    /// Cluster privilege names or patterns, as asked.
    pub cluster: Vec<String>,
    /// Index checks.
    pub index: Vec<IndexCheck>,
    /// Application checks.
    pub application: Vec<ApplicationCheck>,
}

/// Privileges as asked, each with whether it is held, in the order asked.
type Privileges = Vec<(String, bool)>;

/// Which of `check` `permissions` holds, for `username`.
pub fn check(
    username: &str,
    permissions: &Permissions,
    check: &PrivilegesToCheck,
) -> Result<HasPrivilegesResponse, ServiceError> {
    let mut all = true;
    let mut cluster = Vec::new();
    for name in &check.cluster {
        let requested = ClusterPrivilege::resolve(name)
            .ok_or_else(|| ServiceError::InvalidParameter(unknown_cluster_privilege(name)))?;
        let held = permissions.cluster.iter().any(|privilege| privilege.implies(&requested));
        all &= held;
        cluster.push((name.clone(), held));
    }
    // Per index, per privilege; an index in several checks must be granted
    // in each (`ResourcePrivileges.Builder#addPrivilege`).
    let mut index: BTreeMap<String, Privileges> = BTreeMap::new();
    for entry in &check.index {
        for privilege_name in &entry.privileges {
            let requested = IndexPrivilege::resolve(privilege_name)
                .ok_or_else(|| ServiceError::InvalidParameter(unknown_index_privilege(privilege_name)))?;
            for name in &entry.names {
                // A pattern asked with `allow_restricted_indices` covers
                // restricted indices too, so only such groups grant it.
                let needs_restricted = entry.allow_restricted_indices && name.contains('*');
                let held = permissions.indices.iter().any(|group| {
                    (!needs_restricted || group.allow_restricted_indices) && group.grants(name, &requested)
                });
                all &= held;
                let privileges = index.entry(name.clone()).or_default();
                match privileges.iter_mut().find(|(asked, _)| asked == privilege_name) {
                    Some((_, granted)) => *granted &= held,
                    None => privileges.push((privilege_name.clone(), held)),
                }
            }
        }
    }
    let mut application: Vec<(String, BTreeMap<String, Privileges>)> = Vec::new();
    for entry in &check.application {
        let held = permissions.all_applications;
        all &= held;
        let resources = match application.iter_mut().find(|(name, _)| *name == entry.application) {
            Some((_, resources)) => resources,
            None => {
                application.push((entry.application.clone(), Default::default()));
                &mut application.last_mut().expect("just pushed").1
            }
        };
        for resource in &entry.resources {
            let privileges = resources.entry(resource.clone()).or_default();
            for privilege in &entry.privileges {
                if !privileges.iter().any(|(asked, _)| asked == privilege) {
                    privileges.push((privilege.clone(), held));
                }
            }
        }
    }
    Ok(HasPrivilegesResponse {
        username: username.to_string(),
        has_all_requested: all,
        cluster: java_hash_map(dedup(cluster)),
        index: index.into_iter().map(|(name, privileges)| (name, java_hash_map(privileges))).collect(),
        application: java_hash_map(
            application
                .into_iter()
                .map(|(name, resources)| {
                    let resources = resources
                        .into_iter()
                        .map(|(resource, privileges)| (resource, java_hash_map(privileges)))
                        .collect();
                    (name, resources)
                })
                .collect(),
        ),
    })
}

/// Elasticsearch's 400 for a privilege name it does not know.
fn unknown_message(kind: &str, name: &str, list: &str, names: &[&str], actions: &str) -> String {
    format!(
        "unknown {kind} [{}]. a privilege must be either one of the predefined {list} [{}] or a pattern over one of \
         the available {actions} actions",
        name.to_lowercase(),
        names.join(",")
    )
}

/// Elasticsearch's words for a cluster privilege it does not know.
pub fn unknown_cluster_privilege(name: &str) -> String {
    unknown_message("cluster privilege", name, "cluster privilege names", privileges::predefined_names(), "cluster")
}

/// Elasticsearch's words for an index privilege it does not know.
pub fn unknown_index_privilege(name: &str) -> String {
    unknown_message("index privilege", name, "fixed indices privileges", index_privileges::predefined_names(), "index")
}

/// Each key once, where it first stands, as `Map#put` keeps it (a later
/// entry of a key has the same answer, so which value stays does not
/// matter).
fn dedup(mut entries: Vec<(String, bool)>) -> Vec<(String, bool)> {
    let mut seen = std::collections::HashSet::new();
    entries.retain(|(key, _)| seen.insert(key.clone()));
    entries
}

/// Java's `String#hashCode`, over UTF-16 code units.
fn java_string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |hash, unit| hash.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

/// `entries` (distinct keys, in insertion order) in the iteration order of a
/// `java.util.HashMap` they were put into one by one: by bucket of the
/// spread hash in the table's final size (16, doubled whenever the map holds
/// more than three quarters of it), and in insertion order within a bucket.
fn java_hash_map<V>(entries: Vec<(String, V)>) -> IndexMap<String, V> {
    let mut capacity = 16usize;
    while entries.len() > capacity * 3 / 4 {
        capacity *= 2;
    }
    let bucket = |key: &str| {
        let hash = java_string_hash(key) as u32;
        ((hash ^ (hash >> 16)) as usize) & (capacity - 1)
    };
    let mut ordered: Vec<(usize, usize, String, V)> =
        entries.into_iter().enumerate().map(|(position, (key, value))| (bucket(&key), position, key, value)).collect();
    ordered.sort_by_key(|(bucket, position, _, _)| (*bucket, *position));
    ordered.into_iter().map(|(_, _, key, value)| (key, value)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hashes() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("monitor"), 1_236_319_578);
        assert_eq!(java_string_hash("manage"), -1_081_434_779);
    }

    /// Orders printed by `jshell` (OpenJDK 17) for `HashMap`s filled with
    /// these keys in this order.
    #[test]
    fn keys_in_a_java_hash_maps_order() {
        let cases: [(&[&str], &str); 2] = [
            (&["monitor", "manage", "all", "manage_security"], "all,monitor,manage_security,manage"),
            (
                &[
                    "read",
                    "write",
                    "index",
                    "delete",
                    "create",
                    "manage",
                    "all",
                    "monitor",
                    "view_index_metadata",
                    "create_index",
                    "delete_index",
                    "maintenance",
                    "auto_configure",
                    "create_doc",
                ],
                "all,read,create_index,index,monitor,delete,manage,delete_index,auto_configure,create_doc,\
                 view_index_metadata,create,write,maintenance",
            ),
        ];
        for (keys, java) in cases {
            let ordered: Vec<String> =
                java_hash_map(keys.iter().map(|key| (key.to_string(), ())).collect()).into_keys().collect();
            assert_eq!(ordered.join(","), java);
        }
    }
}
