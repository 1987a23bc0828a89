//! Authorization (Elasticsearch's `authz`): whether an authenticated caller
//! may run an action, by the cluster privileges of its roles, and which
//! privileges it holds (`_has_privileges`).

pub mod authorizer;
pub mod index_privileges;
pub mod privilege_check;
pub mod privileges;
pub mod roles;
