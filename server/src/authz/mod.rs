//! Authorization (Elasticsearch's `authz`): whether an authenticated caller
//! may run an action, by the cluster privileges of its roles.

pub mod authorizer;
pub mod privileges;
pub mod roles;
