//! Cluster privileges and the actions they grant, as Elasticsearch's
//! `ClusterPrivilegeResolver` defines them for the actions this node serves.

/// A named cluster privilege: the action patterns it grants, minus the ones
/// it excludes.
#[derive(Debug, PartialEq, Eq)]
pub struct NamedPrivilege {
    name: &'static str,
    includes: &'static [&'static str],
    excludes: &'static [&'static str],
}

impl NamedPrivilege {
    /// Whether the privilege grants `action`.
    pub fn grants(&self, action: &str) -> bool {
        self.includes.iter().any(|pattern| glob_match(pattern, action))
            && !self.excludes.iter().any(|pattern| glob_match(pattern, action))
    }
}

/// `all`, which the built-in `superuser` role holds.
pub const ALL: NamedPrivilege = NamedPrivilege { name: "all", includes: ALL_CLUSTER, excludes: &[] };

const ALL_CLUSTER: &[&str] = &["cluster:*", "indices:admin/template/*", "indices:admin/index_template/*"];
const ALL_SECURITY: &[&str] = &["cluster:admin/xpack/security/*"];

/// The privileges that grant any action of this node, in Elasticsearch's
/// access-level order (fewest implied privileges first, then by name), which
/// is the order a 403 lists them in.
const NAMED: &[NamedPrivilege] = &[
    NamedPrivilege {
        name: "manage_service_account",
        includes: &["cluster:admin/xpack/security/service_account/*"],
        excludes: &[],
    },
    NamedPrivilege {
        name: "read_security",
        includes: &[
            "cluster:admin/xpack/security/api_key/get",
            "cluster:admin/xpack/security/api_key/query",
            "cluster:admin/xpack/security/privilege/builtin/get",
            "cluster:admin/xpack/security/privilege/get",
            "cluster:admin/xpack/security/profile/get",
            "cluster:admin/xpack/security/profile/has_privileges",
            "cluster:admin/xpack/security/profile/suggest",
            "cluster:admin/xpack/security/role/get",
            "cluster:admin/xpack/security/role/query",
            "cluster:admin/xpack/security/role_mapping/get",
            "cluster:admin/xpack/security/service_account/get",
            "cluster:admin/xpack/security/service_account/credential/get*",
            "cluster:admin/xpack/security/user/get",
            "cluster:admin/xpack/security/user/query",
            "cluster:admin/xpack/security/user/list_privileges",
            "cluster:admin/xpack/security/user/has_privileges",
            "cluster:admin/xpack/security/settings/get",
        ],
        excludes: &[],
    },
    NamedPrivilege {
        name: "monitor",
        includes: &[
            "cluster:monitor/*",
            "indices:admin/template/get",
            "indices:admin/index_template/get",
            "cluster:admin/component_template/get",
        ],
        excludes: &[],
    },
    NamedPrivilege {
        name: "manage_security",
        includes: ALL_SECURITY,
        excludes: &["cluster:admin/xpack/security/delegate_pki"],
    },
    NamedPrivilege { name: "manage", includes: ALL_CLUSTER, excludes: ALL_SECURITY },
    ALL,
];

/// A cluster privilege of a role, resolved once when the role is read, as
/// Elasticsearch's `ClusterPrivilegeResolver.resolve` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterPrivilege {
    /// A named privilege that grants some of this node's actions.
    Named(&'static NamedPrivilege),
    /// Another of Elasticsearch's named privileges, by name: none of this
    /// node's actions.
    Other(&'static str),
    /// A cluster action name or pattern, as the pattern it grants: the name
    /// with `*` appended, so that an action's name also grants the actions
    /// below it.
    Action(String),
}

impl ClusterPrivilege {
    /// The privilege `name` stands for, ignoring case; `None` if it is
    /// neither a privilege name Elasticsearch knows nor a pattern over
    /// cluster actions (those `all` grants).
    pub fn resolve(name: &str) -> Option<ClusterPrivilege> {
        let name = name.to_lowercase();
        if ALL_CLUSTER.iter().any(|pattern| glob_match(pattern, &name)) {
            return Some(ClusterPrivilege::Action(name + "*"));
        }
        if let Some(named) = NAMED.iter().find(|p| p.name == name) {
            return Some(ClusterPrivilege::Named(named));
        }
        // Elasticsearch's other cluster privileges: valid in a role, granting
        // none of this node's actions.
        predefined_names().iter().find(|other| **other == name).map(|other| ClusterPrivilege::Other(other))
    }

    /// Whether holding this privilege means holding `requested`: every action
    /// `requested` grants is one this grants (`Role#grants(ClusterPrivilege)`).
    /// Patterns are compared as patterns: `cluster:admin/*` covers
    /// `cluster:admin/xpack/*`. A named privilege outside this node's actions
    /// is covered by itself, `all`, and `manage` unless it is a security one
    /// (then `manage_security`); `none` by every privilege.
    pub fn implies(&self, requested: &ClusterPrivilege) -> bool {
        if self == requested {
            return true;
        }
        let covered = |pattern: &str| self.grants(pattern);
        match requested {
            ClusterPrivilege::Named(named) => {
                named.includes.iter().all(|pattern| covered(pattern))
                    && named.includes.iter().all(|pattern| !self.excludes_any_of(pattern))
            }
            ClusterPrivilege::Action(pattern) => covered(pattern) && !self.excludes_any_of(pattern),
            // `none` grants nothing, which every privilege covers.
            ClusterPrivilege::Other("none") => true,
            ClusterPrivilege::Other(name) => match self {
                ClusterPrivilege::Named(held) if held.name == "all" => true,
                ClusterPrivilege::Named(held) if held.name == "manage" => !SECURITY_OTHERS.contains(name),
                ClusterPrivilege::Named(held) if held.name == "manage_security" => {
                    SECURITY_OTHERS.contains(name) && *name != "delegate_pki"
                }
                _ => false,
            },
        }
    }

    /// Whether an exclusion of this privilege meets `pattern`.
    fn excludes_any_of(&self, pattern: &str) -> bool {
        match self {
            ClusterPrivilege::Named(named) => {
                named.excludes.iter().any(|excluded| glob_match(pattern, excluded) || glob_match(excluded, pattern))
            }
            _ => false,
        }
    }
}

/// Named privileges outside this node's actions that grant security
/// actions, which `manage` excludes and `manage_security` covers, but for
/// `delegate_pki`, which `manage_security` excludes too.
const SECURITY_OTHERS: &[&str] = &[
    "delegate_pki",
    "grant_api_key",
    "manage_api_key",
    "manage_own_api_key",
    "manage_token",
    "manage_oidc",
    "manage_saml",
    "manage_user_profile",
];

/// Every predefined cluster privilege name, for the message that refuses an
/// unknown one.
pub fn predefined_names() -> &'static [&'static str] {
    es_tokens_types::privileges::CLUSTER_PRIVILEGE_NAMES
}

impl ClusterPrivilege {
    /// Whether the privilege grants `action`.
    pub fn grants(&self, action: &str) -> bool {
        match self {
            ClusterPrivilege::Named(named) => named.grants(action),
            ClusterPrivilege::Other(_) => false,
            ClusterPrivilege::Action(pattern) => glob_match(pattern, action),
        }
    }
}

/// The named privileges that grant `action`, in the order a 403 lists them.
pub fn privileges_granting(action: &str) -> Vec<&'static str> {
    NAMED.iter().filter(|p| p.grants(action)).map(|p| p.name).collect()
}

/// `*` matches any run of characters, `?` one character.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    // Most privilege patterns are a prefix and one trailing `*`
    // (`cluster:admin/xpack/security/*`): a comparison, not a walk.
    if let Some(prefix) = pattern.strip_suffix('*')
        && !prefix.contains(['*', '?'])
    {
        return text.starts_with(prefix);
    }
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::{
        clear_security_cache, create_service_token, delete_service_token, get_service_accounts,
        get_service_credentials, info, metrics,
    };

    const CLEAR_SECURITY_CACHE: &str = clear_security_cache::NAME;
    const CREATE_SERVICE_TOKEN: &str = create_service_token::NAME;
    const DELETE_SERVICE_TOKEN: &str = delete_service_token::NAME;
    const GET_SERVICE_ACCOUNT: &str = get_service_accounts::NAME;
    const GET_SERVICE_CREDENTIALS: &str = get_service_credentials::NAME;
    const MAIN: &str = info::NAME;
    const METRICS: &str = metrics::NAME;

    #[test]
    fn the_privileges_elasticsearch_names_in_its_403s() {
        assert_eq!(privileges_granting(CLEAR_SECURITY_CACHE), ["manage_security", "all"]);
        assert_eq!(privileges_granting(CREATE_SERVICE_TOKEN), ["manage_service_account", "manage_security", "all"]);
        assert_eq!(privileges_granting(DELETE_SERVICE_TOKEN), ["manage_service_account", "manage_security", "all"]);
        assert_eq!(
            privileges_granting(GET_SERVICE_ACCOUNT),
            ["manage_service_account", "read_security", "manage_security", "all"]
        );
        assert_eq!(
            privileges_granting(GET_SERVICE_CREDENTIALS),
            ["manage_service_account", "read_security", "manage_security", "all"]
        );
        assert_eq!(privileges_granting(MAIN), ["monitor", "manage", "all"]);
        assert_eq!(privileges_granting(METRICS), ["monitor", "manage", "all"]);
    }

    fn grants(privilege: &str, action: &str) -> bool {
        ClusterPrivilege::resolve(privilege).unwrap_or_else(|| panic!("{privilege} resolves")).grants(action)
    }

    #[test]
    fn action_patterns_and_unknown_names() {
        assert!(grants("cluster:admin/xpack/security/*", CLEAR_SECURITY_CACHE));
        assert!(!grants("cluster:admin/xpack/connector/*", CLEAR_SECURITY_CACHE));
        assert!(!grants("manage_own_api_key", CLEAR_SECURITY_CACHE));
        assert!(!grants("manage", CLEAR_SECURITY_CACHE));
        assert_eq!(ClusterPrivilege::resolve("read_ilm"), Some(ClusterPrivilege::Other("read_ilm")));
        assert_eq!(ClusterPrivilege::resolve("manage_everything"), None);
    }

    /// `ClusterPrivilegeResolver.resolve`: names ignore case, an action name
    /// grants the actions it prefixes, and only patterns over the actions
    /// `all` grants are cluster privileges.
    #[test]
    fn resolved_as_elasticsearch_resolves_them() {
        assert!(grants("MANAGE_SECURITY", CLEAR_SECURITY_CACHE));
        assert!(grants("Cluster:Admin/XPack/Security/Cache/Clear", CLEAR_SECURITY_CACHE));
        assert!(grants("cluster:admin/xpack/security/cache", CLEAR_SECURITY_CACHE));
        assert!(grants("cluster:admin/xpack/security/service_account/token", CREATE_SERVICE_TOKEN));
        assert!(!grants("cluster:admin/xpack/security/cache", CREATE_SERVICE_TOKEN));
        assert_eq!(
            ClusterPrivilege::resolve("indices:admin/template/put"),
            Some(ClusterPrivilege::Action("indices:admin/template/put*".into()))
        );
        assert_eq!(ClusterPrivilege::resolve("indices:data/read/*"), None);
        assert_eq!(ClusterPrivilege::resolve("internal:transport/*"), None);
    }

    fn implies(held: &str, requested: &str) -> bool {
        ClusterPrivilege::resolve(held).unwrap().implies(&ClusterPrivilege::resolve(requested).unwrap())
    }

    #[test]
    fn privileges_imply_the_ones_they_cover() {
        assert!(implies("all", "monitor"));
        assert!(implies("all", "manage_ilm"));
        assert!(implies("manage_security", "manage_service_account"));
        assert!(implies("manage_security", "read_security"));
        assert!(implies("manage", "monitor"));
        assert!(!implies("manage", "manage_security"));
        assert!(!implies("manage", "manage_api_key"));
        assert!(implies("manage", "manage_ilm"));
        assert!(!implies("monitor", "manage"));
        assert!(implies("monitor", "cluster:monitor/health"));
        assert!(!implies("cluster:monitor/health", "monitor"));
        assert!(implies("read_ilm", "read_ilm"));
        assert!(implies("monitor", "none"));
        assert!(!implies("manage", "delegate_pki"));
        assert!(!implies("manage_security", "delegate_pki"));
        assert!(implies("all", "delegate_pki"));
        assert!(!implies("read_ilm", "manage_ilm"));
    }

    /// The request schemas' names hold every privilege that grants one of
    /// this node's actions.
    #[test]
    fn the_schemas_names_hold_these() {
        for named in NAMED {
            assert!(predefined_names().contains(&named.name), "{}", named.name);
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "abbc"));
        assert!(glob_match("*", ""));
        assert!(glob_match("ab*", "ab") && glob_match("ab*", "abc/d") && !glob_match("ab*", "a"));
        assert!(glob_match("a?*", "ab") && !glob_match("a?*", "a"));
        assert!(!glob_match("a", "ab"));
    }
}
