//! Who the caller is (`TransportAuthenticateAction`).

use es_tokens_types::AuthenticateResponse;

use crate::authc::authentication::Authentication;

/// The action's name; every authenticated caller may run it.
pub const NAME: &str = "cluster:admin/xpack/security/user/authenticate";

/// The body of `GET /_security/_authenticate`.
pub fn execute(caller: &Authentication) -> AuthenticateResponse {
    caller.to_response()
}
