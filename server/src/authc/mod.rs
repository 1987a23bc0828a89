//! Authentication (Elasticsearch's `authc`): who sent a request, from its
//! `Authorization` header, through service-account tokens (`service/`), the
//! file realm (`file/`), the reserved realm (`esnative/`) and what realms
//! share (`support/`).

pub mod authentication;
pub mod authenticator;
pub mod esnative;
pub mod file;
pub mod service;
pub mod support;
