//! The file realm (Elasticsearch's `authc.file`): users and their roles from
//! the `users` and `users_roles` files of the config directory.

pub mod file_realm;
pub mod user_files;
