//! Service-account token names and the `name` parameter of the clear-cache
//! API.

use std::collections::BTreeSet;

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
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    // Every allowed character is one byte, so byte length is character count.
    (1..=256).contains(&name.len()) && !name.starts_with('_') && name.bytes().all(allowed)
}

/// Which tokens of one account a clear-cache call means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSelection {
    /// Every token of the account (`*`, `_all`, or an empty list).
    All,
    /// These names, de-duplicated.
    Names(BTreeSet<String>),
}

impl TokenSelection {
    /// Parses the `name` path parameter as
    /// `RestRequest#paramAsStringArrayOrEmptyIfAll` and
    /// `RestClearServiceAccountTokenStoreCacheAction` do: split on `,` with
    /// Java `String#split` semantics (trailing empty pieces dropped, leading
    /// and inner ones kept), then `*`, `_all` or nothing means all tokens, and
    /// otherwise every piece must be a valid token name; the first that is not
    /// is the error.
    pub fn parse(param: &str) -> Result<TokenSelection, InvalidTokenName> {
        let mut pieces: Vec<&str> = if param.is_empty() { Vec::new() } else { param.split(',').collect() };
        while pieces.last() == Some(&"") {
            pieces.pop();
        }
        match pieces.as_slice() {
            [] | ["*"] | ["_all"] => Ok(TokenSelection::All),
            names => {
                let mut set = BTreeSet::new();
                for name in names {
                    if !is_valid_token_name(name) {
                        return Err(InvalidTokenName(name.to_string()));
                    }
                    set.insert(name.to_string());
                }
                Ok(TokenSelection::Names(set))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> TokenSelection {
        TokenSelection::Names(list.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn wildcards() {
        for param in ["*", "_all", "", ",", ",,", "*,", "_all,,"] {
            assert_eq!(TokenSelection::parse(param), Ok(TokenSelection::All), "{param:?}");
        }
    }

    #[test]
    fn lists_split_like_java() {
        assert_eq!(TokenSelection::parse("a"), Ok(names(&["a"])));
        assert_eq!(TokenSelection::parse("a,"), Ok(names(&["a"])));
        assert_eq!(TokenSelection::parse("a,b,a"), Ok(names(&["a", "b"])));
        assert_eq!(TokenSelection::parse("b,a,,"), Ok(names(&["a", "b"])));
    }

    #[test]
    fn the_first_bad_name_is_reported() {
        for (param, bad) in [
            ("a,*", "*"),
            ("a,_all", "_all"),
            ("a,,b", ""),
            (",a", ""),
            ("_x", "_x"),
            ("ok,b@d,_x", "b@d"),
            ("*,*", "*"),
        ] {
            assert_eq!(TokenSelection::parse(param), Err(InvalidTokenName(bad.to_string())), "{param:?}");
        }
    }

    #[test]
    fn name_pattern() {
        assert!(is_valid_token_name("token1"));
        assert!(is_valid_token_name("-a_b-"));
        assert!(is_valid_token_name(&"a".repeat(256)));
        assert!(!is_valid_token_name(&"a".repeat(257)));
        assert!(!is_valid_token_name("_a"));
        assert!(!is_valid_token_name("a/b"));
        assert!(!is_valid_token_name("é"));
        assert!(!is_valid_token_name("a b"));
        assert!(!is_valid_token_name(""));
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
