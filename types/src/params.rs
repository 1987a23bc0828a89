//! The constrained path and query parameters: the rules the node enforces,
//! as types a client can check before it sends a request, and as the
//! schemas the OpenAPI document shows.
//!
//! The server reads these parameters as plain strings and checks them
//! itself, so that a bad value gets Elasticsearch's own error; these types
//! give the document and the client the same rules.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Metadata, Schema, SchemaObject, StringValidation};
use serde::{Deserialize, Serialize};

/// A service-account token name: 1 to 256 characters, alphanumeric, `-` or
/// `_`, not starting with `_`, as Elasticsearch's
/// `Validation.ServiceAccountTokens` requires.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenName(String);

/// A value that breaks a parameter's rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidParameter {
    /// Which rule: `token name`, `token name list`.
    pub what: &'static str,
    /// The offending part of the value.
    pub value: String,
}

impl fmt::Display for InvalidParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} [{}]", self.what, self.value)
    }
}

impl std::error::Error for InvalidParameter {}

impl TokenName {
    /// The rule as a regular expression.
    pub const PATTERN: &str = "^[a-zA-Z0-9-][a-zA-Z0-9_-]{0,255}$";

    /// Whether `name` is a valid token name.
    pub fn is_valid(name: &str) -> bool {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        // Every allowed character is one byte, so byte length is character count.
        (1..=256).contains(&name.len()) && !name.starts_with('_') && name.bytes().all(allowed)
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TokenName {
    type Error = InvalidParameter;

    fn try_from(name: String) -> Result<Self, InvalidParameter> {
        if TokenName::is_valid(&name) {
            Ok(TokenName(name))
        } else {
            Err(InvalidParameter { what: "token name", value: name })
        }
    }
}

impl TryFrom<&str> for TokenName {
    type Error = InvalidParameter;

    fn try_from(name: &str) -> Result<Self, InvalidParameter> {
        TokenName::try_from(name.to_string())
    }
}

impl FromStr for TokenName {
    type Err = InvalidParameter;

    fn from_str(name: &str) -> Result<Self, InvalidParameter> {
        TokenName::try_from(name)
    }
}

impl From<TokenName> for String {
    fn from(name: TokenName) -> String {
        name.0
    }
}

impl fmt::Display for TokenName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for TokenName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl JsonSchema for TokenName {
    fn schema_name() -> String {
        "TokenName".to_string()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema(
            "A service account token name: 1 to 256 characters, alphanumeric, `-` or `_`, not starting with `_`.",
            TokenName::PATTERN,
            Some((1, 256)),
        )
    }
}

/// Which tokens of one account a clear-cache call means, as Elasticsearch
/// reads its `name` parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSelection {
    /// Every token of the account (`*`, `_all`, or no name at all).
    All,
    /// These names, de-duplicated and sorted.
    Names(std::collections::BTreeSet<String>),
}

/// The `name` parameter of the clear-cache API: a comma-separated list of
/// token names, or `*` or `_all` (or nothing) for every token of the
/// account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenNameList(String);

impl TokenNameList {
    /// The rule as a regular expression: what [`TokenNameList::parse`]
    /// accepts.
    pub const PATTERN: &str = "^((\\*|_all)?|[a-zA-Z0-9-][a-zA-Z0-9_-]{0,255}(,[a-zA-Z0-9-][a-zA-Z0-9_-]{0,255})*),*$";

    /// Every token of the account: `*`.
    pub fn all() -> Self {
        TokenNameList("*".to_string())
    }

    /// The list of `names`.
    pub fn of<'a>(names: impl IntoIterator<Item = &'a TokenName>) -> Self {
        TokenNameList(names.into_iter().map(TokenName::as_str).collect::<Vec<_>>().join(","))
    }

    /// The list as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a `name` parameter as `RestRequest#paramAsStringArrayOrEmptyIfAll`
    /// and `RestClearServiceAccountTokenStoreCacheAction` do: split on `,`
    /// with Java `String#split` semantics (trailing empty pieces dropped,
    /// leading and inner ones kept), then `*`, `_all` or nothing means all
    /// tokens, and otherwise every piece must be a valid token name; the
    /// first that is not is the error.
    pub fn parse(param: &str) -> Result<TokenSelection, InvalidParameter> {
        let mut pieces: Vec<&str> = if param.is_empty() { Vec::new() } else { param.split(',').collect() };
        while pieces.last() == Some(&"") {
            pieces.pop();
        }
        match pieces.as_slice() {
            [] | ["*"] | ["_all"] => Ok(TokenSelection::All),
            names => {
                let mut set = std::collections::BTreeSet::new();
                for name in names {
                    if !TokenName::is_valid(name) {
                        return Err(InvalidParameter { what: "token name", value: name.to_string() });
                    }
                    set.insert(name.to_string());
                }
                Ok(TokenSelection::Names(set))
            }
        }
    }
}

impl TryFrom<String> for TokenNameList {
    type Error = InvalidParameter;

    fn try_from(list: String) -> Result<Self, InvalidParameter> {
        TokenNameList::parse(&list)?;
        Ok(TokenNameList(list))
    }
}

impl TryFrom<&str> for TokenNameList {
    type Error = InvalidParameter;

    fn try_from(list: &str) -> Result<Self, InvalidParameter> {
        TokenNameList::try_from(list.to_string())
    }
}

impl FromStr for TokenNameList {
    type Err = InvalidParameter;

    fn from_str(list: &str) -> Result<Self, InvalidParameter> {
        TokenNameList::try_from(list)
    }
}

impl From<TokenNameList> for String {
    fn from(list: TokenNameList) -> String {
        list.0
    }
}

impl fmt::Display for TokenNameList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for TokenNameList {
    fn schema_name() -> String {
        "TokenNameList".to_string()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema(
            "A comma-separated list of token names, or `*` or `_all` for every token of the account. `*` and `_all` \
             stand alone: in a list they are invalid names.",
            TokenNameList::PATTERN,
            None,
        )
    }
}

/// The `refresh` parameter of the writes, as Elasticsearch's
/// `WriteRequest.RefreshPolicy` reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefreshPolicy {
    /// Make the change visible to search at once.
    #[serde(rename = "true")]
    True,
    /// Do not wait for it to be visible.
    #[serde(rename = "false")]
    False,
    /// Wait until it is visible.
    #[serde(rename = "wait_for")]
    WaitFor,
    /// The same as `true`.
    #[serde(rename = "")]
    Empty,
}

impl JsonSchema for RefreshPolicy {
    fn schema_name() -> String {
        "RefreshPolicy".to_string()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::Object(SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "`true` (or empty) to make a change visible to search at once, `wait_for` to wait until it is, \
                     `false` to do neither."
                        .to_string(),
                ),
                ..Default::default()
            })),
            instance_type: Some(InstanceType::String.into()),
            enum_values: Some(["true", "false", "wait_for", ""].map(serde_json::Value::from).to_vec()),
            ..Default::default()
        })
    }
}

fn string_schema(description: &str, pattern: &str, length: Option<(u32, u32)>) -> Schema {
    Schema::Object(SchemaObject {
        metadata: Some(Box::new(Metadata { description: Some(description.to_string()), ..Default::default() })),
        instance_type: Some(InstanceType::String.into()),
        string: Some(Box::new(StringValidation {
            pattern: Some(pattern.to_string()),
            min_length: length.map(|(min, _)| min),
            max_length: length.map(|(_, max)| max),
        })),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> TokenSelection {
        TokenSelection::Names(list.iter().map(|s| s.to_string()).collect())
    }

    fn bad(value: &str) -> InvalidParameter {
        InvalidParameter { what: "token name", value: value.to_string() }
    }

    #[test]
    fn wildcards() {
        for param in ["*", "_all", "", ",", ",,", "*,", "_all,,"] {
            assert_eq!(TokenNameList::parse(param), Ok(TokenSelection::All), "{param:?}");
        }
    }

    #[test]
    fn lists_split_like_java() {
        assert_eq!(TokenNameList::parse("a"), Ok(names(&["a"])));
        assert_eq!(TokenNameList::parse("a,"), Ok(names(&["a"])));
        assert_eq!(TokenNameList::parse("a,b,a"), Ok(names(&["a", "b"])));
        assert_eq!(TokenNameList::parse("b,a,,"), Ok(names(&["a", "b"])));
    }

    #[test]
    fn the_first_bad_name_is_reported() {
        for (param, first_bad) in [
            ("a,*", "*"),
            ("a,_all", "_all"),
            ("a,,b", ""),
            (",a", ""),
            ("_x", "_x"),
            ("ok,b@d,_x", "b@d"),
            ("*,*", "*"),
        ] {
            assert_eq!(TokenNameList::parse(param), Err(bad(first_bad)), "{param:?}");
        }
    }

    #[test]
    fn name_rule() {
        for good in ["token1", "-a_b-", &"a".repeat(256)] {
            assert!(TokenName::is_valid(good), "{good}");
        }
        for bad in [&"a".repeat(257), "_a", "a/b", "é", "a b", ""] {
            assert!(!TokenName::is_valid(bad), "{bad}");
        }
        assert_eq!("tok".parse::<TokenName>().unwrap().as_str(), "tok");
        assert!("_tok".parse::<TokenName>().is_err());
        assert_eq!(serde_json::to_string(&TokenName::try_from("t").unwrap()).unwrap(), r#""t""#);
        assert!(serde_json::from_str::<TokenName>(r#""_t""#).is_err());
    }

    /// The patterns the document shows accept exactly what the rules do.
    #[test]
    fn the_patterns_say_what_the_rules_do() {
        let name = regress::Regex::new(TokenName::PATTERN).unwrap();
        let list = regress::Regex::new(TokenNameList::PATTERN).unwrap();
        let long = "b".repeat(256);
        let too_long = "b".repeat(257);
        let samples = [
            "", "*", "_all", ",", ",,", "*,", "*,,", "_all,", "a", "a,", "a,b", "a,b,,", "a,,b", ",a", "a,*", "*,a",
            "_x", "a,_all", "b@d", "é", "a b", "-", "-_", "a/b", "**", "_all_", "all", &long, &too_long,
        ];
        for sample in samples {
            assert_eq!(name.find(sample).is_some(), TokenName::is_valid(sample), "name {sample:?}");
            assert_eq!(list.find(sample).is_some(), TokenNameList::parse(sample).is_ok(), "list {sample:?}");
        }
        let with_long = format!("a,{long}");
        assert!(list.find(&with_long).is_some() && TokenNameList::parse(&with_long).is_ok());
    }

    #[test]
    fn refresh_values() {
        for (policy, wire) in [
            (RefreshPolicy::True, "true"),
            (RefreshPolicy::False, "false"),
            (RefreshPolicy::WaitFor, "wait_for"),
            (RefreshPolicy::Empty, ""),
        ] {
            assert_eq!(serde_json::to_value(policy).unwrap(), wire);
        }
    }
}

/// A user or role name as the native realm stores them: 1 to 507 printable
/// ASCII characters (space included), without a leading or trailing space
/// (`NativeRealmValidationUtil`). The node checks the rule itself and
/// answers a name that breaks it with Elasticsearch's 400; this type lets a
/// client check it before sending.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NativeName(String);

impl NativeName {
    /// The rule as a regular expression.
    pub const PATTERN: &str = "^[!-~]([ -~]{0,505}[!-~])?$";

    /// Whether `name` follows the rule.
    pub fn is_valid(name: &str) -> bool {
        let printable = |b: u8| (b' '..=b'~').contains(&b);
        (1..=507).contains(&name.len()) && name.bytes().all(printable) && !name.starts_with(' ') && !name.ends_with(' ')
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NativeName {
    type Error = InvalidParameter;

    fn try_from(name: String) -> Result<Self, InvalidParameter> {
        if NativeName::is_valid(&name) {
            Ok(NativeName(name))
        } else {
            Err(InvalidParameter { what: "user or role name", value: name })
        }
    }
}

impl TryFrom<&str> for NativeName {
    type Error = InvalidParameter;

    fn try_from(name: &str) -> Result<Self, InvalidParameter> {
        NativeName::try_from(name.to_string())
    }
}

impl FromStr for NativeName {
    type Err = InvalidParameter;

    fn from_str(name: &str) -> Result<Self, InvalidParameter> {
        NativeName::try_from(name)
    }
}

impl From<NativeName> for String {
    fn from(name: NativeName) -> String {
        name.0
    }
}

impl fmt::Display for NativeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for NativeName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl JsonSchema for NativeName {
    fn schema_name() -> String {
        "NativeName".to_string()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema(
            "A user or role name: 1 to 507 printable ASCII characters, without a leading or trailing space.",
            NativeName::PATTERN,
            Some((1, 507)),
        )
    }
}
