//! The rules for user names, role names and passwords (`Validation`,
//! `NativeRealmValidationUtil`), with Elasticsearch's words.

/// The longest name the native realm stores: its document ids are
/// `user-<name>` and `role-<name>`, at most 512 bytes.
pub const MAX_NATIVE_NAME_LENGTH: usize = 507;
/// The longest role name a role body may have (`Validation.MAX_NAME_LENGTH`).
pub const MAX_NAME_LENGTH: usize = 1024;
/// The shortest password (`Validation.MIN_PASSWD_LENGTH`).
pub const MIN_PASSWORD_LENGTH: usize = 6;

/// What a name is: `User` or `Role`, as the message starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// A user name.
    User,
    /// A role name.
    Role,
}

/// Whether `name` is 1 to `max` printable Basic Latin characters without
/// leading or trailing space; the message if not.
pub fn validate_name(kind: NameKind, name: &str, max: usize) -> Result<(), String> {
    let printable = name.chars().all(|c| (' '..='~').contains(&c));
    let length = name.chars().count();
    if printable && (1..=max).contains(&length) && !name.starts_with(' ') && !name.ends_with(' ') {
        return Ok(());
    }
    let kind = match kind {
        NameKind::User => "User",
        NameKind::Role => "Role",
    };
    Err(format!(
        "{kind} names must be at least 1 and no more than {max} characters. They can contain alphanumeric characters \
         (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or \
         trailing whitespace is not allowed."
    ))
}

/// Whether `password` is long enough; the message if not.
pub fn validate_password(password: &str) -> Result<(), String> {
    if password.chars().count() >= MIN_PASSWORD_LENGTH {
        Ok(())
    } else {
        Err(format!("passwords must be at least [{MIN_PASSWORD_LENGTH}] characters long"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["jacknich", "a", "with space", "x!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"] {
            assert!(validate_name(NameKind::User, good, MAX_NATIVE_NAME_LENGTH).is_ok(), "{good}");
        }
        for bad in ["", " lead", "trail ", "tab\t", "é", &"a".repeat(508)] {
            assert!(validate_name(NameKind::User, bad, MAX_NATIVE_NAME_LENGTH).is_err(), "{bad}");
        }
        assert!(validate_name(NameKind::Role, &"a".repeat(1024), MAX_NAME_LENGTH).is_ok());
        assert_eq!(
            validate_name(NameKind::Role, "", MAX_NATIVE_NAME_LENGTH).unwrap_err(),
            "Role names must be at least 1 and no more than 507 characters. They can contain alphanumeric characters \
             (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or \
             trailing whitespace is not allowed."
        );
    }

    #[test]
    fn passwords() {
        assert!(validate_password("123456").is_ok());
        assert_eq!(validate_password("12345").unwrap_err(), "passwords must be at least [6] characters long");
    }
}
