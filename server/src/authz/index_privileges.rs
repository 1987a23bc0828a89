//! Index privileges and the groups of a role that hold them, as
//! Elasticsearch's `IndexPrivilege` and `IndicesPermission` define them, for
//! `_has_privileges`: this node has no indices to act on, but it answers
//! whether a role's index privileges cover some names.
//!
//! A privilege is the set of index action patterns it grants; one privilege
//! covers another when each pattern of the other is matched by one of its
//! own, compared as patterns (`indices:data/write/*` covers
//! `indices:data/write/index*`).

use crate::authz::privileges::glob_match;

/// Elasticsearch's named index privileges and the action patterns each
/// grants (`IndexPrivilege`), sorted by name.
const NAMED: &[(&str, &[&str])] = &[
    ("all", &["indices:*", "internal:transport/proxy/indices:*"]),
    (
        "auto_configure",
        &["indices:admin/auto_create", "indices:admin/mapping/auto_put", "indices:admin/data_stream/create"],
    ),
    (
        "create",
        &[
            "indices:data/write/index*",
            "indices:data/write/bulk*",
            "indices:data/write/simulate/bulk*",
            "indices:admin/mapping/auto_put",
        ],
    ),
    (
        "create_doc",
        &[
            "indices:data/write/index",
            "indices:data/write/index[*",
            "indices:data/write/index:op_type/create",
            "indices:data/write/bulk*",
            "indices:data/write/simulate/bulk*",
            "indices:admin/mapping/auto_put",
        ],
    ),
    ("create_index", &["indices:admin/create", "indices:admin/auto_create", "indices:admin/data_stream/create"]),
    (
        "cross_cluster_replication",
        &[
            "indices:data/read/xpack/ccr/shard_changes*",
            "indices:monitor/stats*",
            "indices:admin/seq_no/add_retention_lease*",
            "indices:admin/seq_no/remove_retention_lease*",
            "indices:admin/seq_no/renew_retention_lease*",
        ],
    ),
    (
        "cross_cluster_replication_internal",
        &[
            "indices:internal/admin/ccr/restore/session/*",
            "indices:internal/admin/ccr/restore/file_chunk/get",
            "indices:data/read/xpack/ccr/shard_changes*",
            "indices:monitor/stats*",
        ],
    ),
    ("delete", &["indices:data/write/delete*", "indices:data/write/bulk*", "indices:data/write/simulate/bulk*"]),
    ("delete_index", &["indices:admin/delete", "indices:admin/data_stream/delete"]),
    (
        "index",
        &[
            "indices:data/write/index*",
            "indices:data/write/update*",
            "indices:data/write/bulk*",
            "indices:data/write/simulate/bulk*",
            "indices:admin/mapping/auto_put",
        ],
    ),
    (
        "maintenance",
        &["indices:admin/refresh*", "indices:admin/flush*", "indices:admin/synced_flush", "indices:admin/forcemerge*"],
    ),
    (
        "manage",
        &[
            "indices:monitor/*",
            "indices:admin/*",
            "indices:data/read/field_caps*",
            "indices:data/read/xpack/rollup/get/index/caps*",
        ],
    ),
    ("manage_data_stream_lifecycle", &["indices:admin/data_stream/lifecycle/*"]),
    ("manage_failure_store", &["indices:admin/failure_store/*"]),
    (
        "manage_follow_index",
        &[
            "indices:admin/xpack/ccr/put_follow",
            "indices:admin/xpack/ccr/unfollow",
            "indices:admin/close*",
            "indices:admin/data_stream/promote",
            "indices:admin/rollover",
        ],
    ),
    ("manage_ilm", &["indices:admin/ilm/*"]),
    ("manage_leader_index", &["indices:admin/xpack/ccr/forget_follower*"]),
    ("monitor", &["indices:monitor/*"]),
    ("none", &[]),
    ("read", &["indices:data/read/*", "indices:admin/resolve/index", "indices:admin/resolve/cluster"]),
    (
        "read_cross_cluster",
        &[
            "internal:transport/proxy/indices:data/read/*",
            "indices:admin/shards/search_shards",
            "indices:admin/search/search_shards",
            "indices:admin/resolve/cluster",
            "indices:data/read/esql",
            "indices:data/read/esql/compute",
        ],
    ),
    ("read_failure_store", &["indices:data/read/*", "indices:admin/resolve/index"]),
    (
        "view_index_metadata",
        &[
            "indices:admin/aliases/get",
            "indices:admin/get",
            "indices:admin/mapping/get",
            "indices:admin/mappings/fields/get*",
            "indices:monitor/settings/get",
            "indices:admin/data_stream/get",
            "indices:admin/resolve/index",
            "indices:admin/resolve/cluster",
            "indices:admin/ilm/explain",
            "indices:data/read/field_caps*",
            "indices:admin/validate/query*",
        ],
    ),
    ("write", &["indices:data/write/*", "indices:admin/mapping/auto_put"]),
];

/// An index privilege, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexPrivilege {
    patterns: Vec<String>,
}

impl IndexPrivilege {
    /// The privilege `name` stands for (ignoring case): a named one, or a
    /// pattern over index actions. `None` if it is neither.
    pub fn resolve(name: &str) -> Option<IndexPrivilege> {
        let name = name.to_lowercase();
        if let Some((_, patterns)) = NAMED.iter().find(|(named, _)| *named == name) {
            return Some(IndexPrivilege { patterns: patterns.iter().map(|p| p.to_string()).collect() });
        }
        (name.starts_with("indices:") || name.starts_with("internal:transport/proxy/indices:"))
            .then(|| IndexPrivilege { patterns: vec![name] })
    }

    /// Whether holding this privilege means holding `requested`.
    pub fn covers(&self, requested: &IndexPrivilege) -> bool {
        requested.patterns.iter().all(|wanted| self.patterns.iter().any(|held| glob_match(held, wanted)))
    }
}

/// Every predefined index privilege name, for the message that refuses an
/// unknown one.
pub fn predefined_names() -> &'static [&'static str] {
    es_tokens_types::privileges::INDEX_PRIVILEGE_NAMES
}

/// Indices Elasticsearch restricts: only groups with
/// `allow_restricted_indices` cover them.
fn is_restricted(name: &str) -> bool {
    name == ".security" || name.starts_with(".security-") || name.starts_with(".security_")
}

/// Index privileges a role holds on some names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexGroup {
    /// Index names or patterns.
    pub names: Vec<String>,
    /// The privileges, resolved.
    pub privileges: Vec<IndexPrivilege>,
    /// Whether the patterns also cover restricted indices.
    pub allow_restricted_indices: bool,
}

impl IndexGroup {
    /// A group from a role definition's names and privilege names; `Err`
    /// names a privilege that does not resolve.
    pub fn new(names: Vec<String>, privileges: &[String], allow_restricted_indices: bool) -> Result<Self, String> {
        let privileges = privileges
            .iter()
            .map(|name| IndexPrivilege::resolve(name).ok_or_else(|| name.to_lowercase()))
            .collect::<Result<_, _>>()?;
        Ok(IndexGroup { names, privileges, allow_restricted_indices })
    }

    /// Whether the group grants `privilege` on every index `name` (a name or
    /// pattern) stands for.
    pub fn grants(&self, name: &str, privilege: &IndexPrivilege) -> bool {
        let named = self.names.iter().any(|pattern| glob_match(pattern, name));
        let allowed = self.allow_restricted_indices || !is_restricted(name);
        named && allowed && self.privileges.iter().any(|held| held.covers(privilege))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(names: &[&str], privileges: &[&str], restricted: bool) -> IndexGroup {
        let privileges: Vec<String> = privileges.iter().map(|p| p.to_string()).collect();
        IndexGroup::new(names.iter().map(|n| n.to_string()).collect(), &privileges, restricted).unwrap()
    }

    fn privilege(name: &str) -> IndexPrivilege {
        IndexPrivilege::resolve(name).unwrap()
    }

    #[test]
    fn privileges_cover_what_they_imply() {
        assert!(privilege("all").covers(&privilege("read")));
        assert!(privilege("write").covers(&privilege("index")));
        assert!(privilege("write").covers(&privilege("create_doc")));
        assert!(!privilege("index").covers(&privilege("write")));
        assert!(privilege("manage").covers(&privilege("monitor")));
        assert!(privilege("manage").covers(&privilege("delete_index")));
        assert!(!privilege("read").covers(&privilege("write")));
        assert!(privilege("read").covers(&privilege("indices:data/read/search")));
        assert!(IndexPrivilege::resolve("cluster:monitor/main").is_none());
        assert!(IndexPrivilege::resolve("fly").is_none());
    }

    /// The names the request schemas list are the ones resolved here.
    #[test]
    fn the_schemas_names_are_these() {
        let names: Vec<&str> = NAMED.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, predefined_names());
    }

    #[test]
    fn groups_grant_on_names_their_patterns_cover() {
        let logs = group(&["logs-*"], &["write"], false);
        assert!(logs.grants("logs-app", &privilege("index")));
        assert!(logs.grants("logs-*", &privilege("index")));
        assert!(!logs.grants("*", &privilege("index")));
        assert!(!logs.grants("metrics", &privilege("index")));
        let everything = group(&["*"], &["all"], false);
        assert!(!everything.grants(".security", &privilege("read")), "restricted");
        assert!(group(&["*"], &["all"], true).grants(".security-7", &privilege("read")));
    }
}
