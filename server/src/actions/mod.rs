//! The actions behind the endpoints, one file each, named after
//! Elasticsearch's transport action. An action runs once the caller is
//! authorized; a cluster-wide one holds both halves, as Elasticsearch's
//! `TransportNodesAction`s do: the coordinating node's, which asks every
//! member, and the node half each member runs.

pub mod authenticate;
pub mod clear_security_cache;
pub mod cluster_health;
pub mod create_service_token;
pub mod delete_service_token;
pub mod get_service_accounts;
pub mod get_service_credentials;
pub mod has_privileges;
pub mod info;
pub mod metrics;
pub mod nodes_capabilities;
