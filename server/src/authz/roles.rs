//! Roles: the built-in `superuser` and those of `$ES_PATH_CONF/roles.yml`.
//! Cluster privileges decide this node's actions; index privileges are read
//! for `_has_privileges`; the rest of a role definition is accepted as
//! Elasticsearch accepts it and otherwise ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parking_lot::RwLock;

use crate::authz::index_privileges::IndexGroup;
use crate::authz::privileges::{self, ClusterPrivilege};
use crate::config::config_file::{Reload, read_for_load, replace_if_changed};

/// The file's name in the config directory.
pub const ROLES_FILE: &str = "roles.yml";

/// Role names Elasticsearch reserves (`ReservedRolesStore`); neither
/// `roles.yml` nor the role API can define them.
const RESERVED_ROLES: &[&str] = &[
    "superuser",
    "transport_client",
    "kibana_admin",
    "kibana_user",
    "monitoring_user",
    "remote_monitoring_agent",
    "remote_monitoring_collector",
    "ingest_admin",
    "reporting_user",
    "kibana_system",
    "logstash_system",
    "beats_admin",
    "beats_system",
    "apm_system",
    "apm_user",
    "machine_learning_user",
    "machine_learning_admin",
    "watcher_user",
    "watcher_admin",
    "logstash_admin",
    "rollup_user",
    "rollup_admin",
    "snapshot_user",
    "enrich_user",
    "transform_user",
    "transform_admin",
    "data_frame_transforms_user",
    "data_frame_transforms_admin",
    "viewer",
    "editor",
    "inference_admin",
    "inference_user",
];

/// Whether Elasticsearch reserves the role name `name`.
pub fn is_reserved_role(name: &str) -> bool {
    RESERVED_ROLES.contains(&name)
}

/// Fields a role definition may have.
const ROLE_FIELDS: &[&str] = &[
    "cluster",
    "global",
    "indices",
    "applications",
    "run_as",
    "metadata",
    "transient_metadata",
    "remote_indices",
    "remote_cluster",
    "restriction",
    "description",
];

/// What a role holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Role {
    /// Its cluster privileges.
    pub cluster: Vec<ClusterPrivilege>,
    /// Its index privileges.
    pub indices: Vec<IndexGroup>,
    /// Whether it holds every application privilege (only `superuser`:
    /// roles files' application privileges name none this node stores).
    pub all_applications: bool,
}

/// Roles by name.
type Roles = BTreeMap<String, Role>;

/// The built-in `superuser`: everything, restricted indices included.
fn superuser() -> Role {
    Role {
        cluster: vec![ClusterPrivilege::Named(&privileges::ALL)],
        indices: vec![IndexGroup::new(vec!["*".to_string()], &["all".to_string()], true).expect("all is known")],
        all_applications: true,
    }
}

/// The roles a node knows.
pub struct RoleStore {
    path: PathBuf,
    file_roles: RwLock<Roles>,
    /// Whether `roles.yml` could not be read at start.
    unread_at_start: bool,
}

impl RoleStore {
    /// Loads `roles.yml` from `conf_dir`; invalid roles are skipped with an
    /// error in the log, a missing file defines none.
    pub fn load(conf_dir: &Path) -> RoleStore {
        let path = conf_dir.join(ROLES_FILE);
        // Unreadable at start: no roles until a reload can read it.
        let roles = parse_file(&path);
        let unread_at_start = roles.is_none();
        RoleStore { path, file_roles: RwLock::new(roles.unwrap_or_default()), unread_at_start }
    }

    /// Whether `roles.yml` could not be read at start.
    pub fn unread_at_start(&self) -> bool {
        self.unread_at_start
    }

    /// Reads the file again; an unreadable file keeps the roles last read.
    pub fn reload(&self) -> Reload {
        let Some(roles) = parse_file(&self.path) else { return Reload::ReadFailed };
        if replace_if_changed(&self.file_roles, roles) {
            tracing::info!("roles file [{}] changed. updating roles...", self.path.display());
        }
        Reload::Read
    }

    /// Whether `role` grants `action`; `None` if there is no such role.
    pub fn grants(&self, role: &str, action: &str) -> Option<bool> {
        if role == "superuser" {
            return Some(privileges::ALL.grants(action));
        }
        self.file_roles.read().get(role).map(|role| role.cluster.iter().any(|privilege| privilege.grants(action)))
    }

    /// What `role` holds; `None` if there is no such role.
    pub fn role(&self, role: &str) -> Option<Role> {
        if role == "superuser" {
            return Some(superuser());
        }
        self.file_roles.read().get(role).cloned()
    }
}

/// The roles of the file; `None` if it could not be read.
fn parse_file(path: &Path) -> Option<Roles> {
    Some(match read_for_load(path, "roles")? {
        Some(text) => parse(path, &text),
        None => Roles::new(),
    })
}

fn parse(path: &Path, text: &str) -> Roles {
    use serde_yaml_ng::Value;
    let document: Value = match serde_yaml_ng::from_str(text) {
        Ok(document) => document,
        Err(error) => {
            tracing::error!(%error, "failed to parse roles file [{}]. skipping all roles...", path.display());
            return Roles::new();
        }
    };
    let Value::Mapping(map) = document else {
        if !document.is_null() {
            tracing::error!("failed to parse roles file [{}]: it must be a map of roles", path.display());
        }
        return Roles::new();
    };
    let mut roles = Roles::new();
    for (name, definition) in map {
        let Some(name) = name.as_str().map(str::to_string) else { continue };
        if is_reserved_role(&name) {
            tracing::warn!(
                "role [{name}] is reserved. the relevant role definition in the mapping file will be ignored"
            );
            continue;
        }
        match parse_role(&definition) {
            Ok(role) => {
                roles.insert(name, role);
            }
            Err(reason) => {
                tracing::error!("failed to parse role [{name}] from [{}]: {reason}. skipping role...", path.display())
            }
        }
    }
    tracing::debug!("parsed [{}] roles from file [{}]", roles.len(), path.display());
    roles
}

fn parse_role(definition: &serde_yaml_ng::Value) -> Result<Role, String> {
    let serde_yaml_ng::Value::Mapping(fields) = definition else {
        return Err("a role must be a map".to_string());
    };
    let mut role = Role::default();
    for (field, value) in fields {
        let field = field.as_str().unwrap_or_default();
        if !ROLE_FIELDS.contains(&field) {
            return Err(format!("unexpected field [{field}]"));
        }
        match field {
            "cluster" => {
                for name in strings(value, "cluster")? {
                    let privilege = ClusterPrivilege::resolve(&name).ok_or_else(|| {
                        format!(
                            "unknown cluster privilege [{}]. a privilege must be either one of the predefined cluster \
                             privilege names or a pattern over one of the available cluster actions",
                            name.to_lowercase()
                        )
                    })?;
                    role.cluster.push(privilege);
                }
            }
            "indices" => {
                let groups = value.as_sequence().ok_or("[indices] must be a list")?;
                for group in groups {
                    role.indices.push(parse_index_group(group)?);
                }
            }
            _ => {}
        }
    }
    Ok(role)
}

/// One entry of a role's `indices`.
fn parse_index_group(group: &serde_yaml_ng::Value) -> Result<IndexGroup, String> {
    let names = match group.get("names") {
        Some(serde_yaml_ng::Value::String(name)) => vec![name.clone()],
        Some(names) => strings(names, "names")?,
        None => return Err("[indices] entries need [names]".to_string()),
    };
    let privileges = strings(group.get("privileges").ok_or("[indices] entries need [privileges]")?, "privileges")?;
    let restricted = match group.get("allow_restricted_indices") {
        None => false,
        Some(value) => value.as_bool().ok_or("[allow_restricted_indices] must be a boolean")?,
    };
    IndexGroup::new(names, &privileges, restricted).map_err(|name| {
        format!(
            "unknown index privilege [{name}]. a privilege must be either one of the predefined fixed indices \
             privileges or a pattern over one of the available index actions"
        )
    })
}

/// A list of strings.
fn strings(value: &serde_yaml_ng::Value, field: &str) -> Result<Vec<String>, String> {
    let items = value.as_sequence().ok_or_else(|| format!("[{field}] must be a list"))?;
    items
        .iter()
        .map(|item| item.as_str().map(str::to_string).ok_or_else(|| format!("[{field}] must be a list of strings")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_yml() {
        let text = "admin:\n  cluster: [manage_security]\n  indices:\n    - names: ['*']\n      privileges: [read]\n\
                    bad:\n  cluster: [manage_everything]\n\
                    typo:\n  clustr: [all]\n\
                    superuser:\n  cluster: [none]\n\
                    pattern:\n  cluster: ['cluster:admin/xpack/security/*']\n\
                    empty: {}\n";
        let roles = parse(Path::new("roles.yml"), text);
        assert_eq!(roles.keys().collect::<Vec<_>>(), ["admin", "empty", "pattern"]);
        assert_eq!(roles["admin"].cluster, [ClusterPrivilege::resolve("manage_security").unwrap()]);
        assert_eq!(roles["admin"].indices.len(), 1);
        assert_eq!(roles["empty"], Role::default());
    }

    #[test]
    fn superuser_is_built_in() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(ROLES_FILE), "reader:\n  cluster: [READ_SECURITY]\n").unwrap();
        let store = RoleStore::load(dir.path());
        use crate::actions::{clear_security_cache, get_service_accounts};
        assert_eq!(store.grants("superuser", clear_security_cache::NAME), Some(true));
        assert_eq!(store.grants("reader", clear_security_cache::NAME), Some(false));
        assert_eq!(store.grants("reader", get_service_accounts::NAME), Some(true));
        assert_eq!(store.grants("nope", get_service_accounts::NAME), None);
    }
}
