//! The actions behind the endpoints, one file each, named after
//! Elasticsearch's transport action. An action runs once the caller is
//! authorized; a cluster-wide one holds both halves, as Elasticsearch's
//! `TransportNodesAction`s do: the coordinating node's, which asks every
//! member, and the node half each member runs.

pub mod authenticate;
pub mod change_password;
pub mod clear_realm_cache;
pub mod clear_roles_cache;
pub mod clear_security_cache;
pub mod cluster_health;
pub mod create_service_token;
pub mod delete_role;
pub mod delete_service_token;
pub mod delete_user;
pub mod get_roles;
pub mod get_service_accounts;
pub mod get_service_credentials;
pub mod get_users;
pub mod has_privileges;
pub mod info;
pub mod metrics;
pub mod nodes_capabilities;
pub mod put_role;
pub mod put_user;
pub mod set_enabled;
