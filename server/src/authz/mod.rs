//! Authorization (Elasticsearch's `authz`): whether an authenticated caller
//! may run an action, by the cluster privileges of its roles, which
//! privileges it holds (`_has_privileges`), and where roles come from (the
//! built-in one, `roles.yml`, the native roles of the security index).

pub mod authorizer;
pub mod composite_roles_store;
pub mod index_privileges;
pub mod native_roles_store;
pub mod privilege_check;
pub mod privileges;
pub mod role_descriptor;
pub mod roles;
