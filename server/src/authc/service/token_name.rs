//! Service-account token names and the `name` parameter of the clear-cache
//! API.

pub use es_tokens_types::TokenSelection;
use es_tokens_types::{TokenName, TokenNameList};

/// The sentence Elasticsearch appends to every invalid-name error
/// (`Validation.INVALID_SERVICE_ACCOUNT_TOKEN_NAME_MESSAGE`).
pub const INVALID_TOKEN_NAME_MESSAGE: &str = "service account token name must have at least 1 character and at most 256 \
     characters that are alphanumeric (A-Z, a-z, 0-9) or hyphen (-) or underscore (_). It must not begin with an \
     underscore (_).";

/// A name that is not a valid token name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid service token name [{0}]. {INVALID_TOKEN_NAME_MESSAGE}")]
pub struct InvalidTokenName(pub String);

/// Whether `name` matches `^[a-zA-Z0-9-][a-zA-Z0-9_-]{0,255}$`, Elasticsearch's
/// token-name pattern.
pub fn is_valid_token_name(name: &str) -> bool {
    TokenName::is_valid(name)
}

/// Validates a token name as the create and delete requests do
/// (`CreateServiceAccountTokenRequest#validate`): in Elasticsearch this runs
/// before the security filter, so a bad name is a 400 even for a caller
/// without the privilege.
pub fn validate_name(name: &str) -> Result<(), crate::error::ServiceError> {
    if is_valid_token_name(name) {
        Ok(())
    } else {
        Err(crate::error::ServiceError::ValidationFailed(vec![InvalidTokenName(name.to_string()).to_string()]))
    }
}

/// Parses the `name` path parameter of the clear-cache API (see
/// [`TokenNameList::parse`]); the first invalid name is the error.
pub fn parse_selection(param: &str) -> Result<TokenSelection, InvalidTokenName> {
    TokenNameList::parse(param).map_err(|invalid| InvalidTokenName(invalid.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_name_is_the_error() {
        assert_eq!(parse_selection("a,*,_b"), Err(InvalidTokenName("*".to_string())));
        assert_eq!(parse_selection("_all"), Ok(TokenSelection::All));
    }

    #[test]
    fn message() {
        assert_eq!(
            InvalidTokenName("_x".into()).to_string(),
            "invalid service token name [_x]. service account token name must have at least 1 character and at most \
             256 characters that are alphanumeric (A-Z, a-z, 0-9) or hyphen (-) or underscore (_). It must not begin \
             with an underscore (_)."
        );
    }
}
