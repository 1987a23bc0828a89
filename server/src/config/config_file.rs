//! What the security config files (`service_tokens`, `users`,
//! `users_roles`, `roles.yml`) have in common: a missing file is an empty
//! one, line files follow Elasticsearch's `FileLineParser`, and a reload
//! swaps the parsed content in only when it changed.

use std::path::Path;

use parking_lot::RwLock;

/// What reloading a file did. A file that could not be read is not
/// content: what was loaded stays, and the watcher tries again at its next
/// poll until a read succeeds. (A file that was read and does not parse is
/// content, and is handled as Elasticsearch handles it.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reload {
    /// The file was read (and what it holds applies, changed or not).
    Read,
    /// The file could not be read; nothing changed.
    ReadFailed,
}

/// The file's text; `None` if there is no such file. Bytes that are not
/// UTF-8 are content, not a failure to read: the text is then empty (logged),
/// as Elasticsearch's lenient parsers drop every entry of a file they cannot
/// decode.
pub fn read_optional(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8(bytes).unwrap_or_else(|_| {
            tracing::error!("file [{}] is not valid UTF-8; skipping/removing all its entries...", path.display());
            String::new()
        }))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// [`read_optional`] for a load or reload: `None` if the file could not be
/// read (logged, naming it as a `kind` file), so that the caller keeps what
/// it has.
pub fn read_for_load(path: &Path, kind: &str) -> Option<Option<String>> {
    read_optional(path)
        .inspect_err(|error| tracing::error!(%error, "failed to read {kind} file [{}]", path.display()))
        .ok()
}

/// The entries of a line file, trimmed, with their 1-based line numbers.
/// As in `FileLineParser`, a comment is a line that starts with `#` (so
/// `  # x` is a broken entry, not a comment), and blank lines are skipped.
pub fn entries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(index, line)| (index + 1, line.trim()))
}

/// Puts `new` in `slot` if it differs from what is there; whether it did.
/// Readers are not held up while the two are compared.
pub fn replace_if_changed<T: PartialEq>(slot: &RwLock<T>, new: T) -> bool {
    if *slot.read() == new {
        return false;
    }
    *slot.write() = new;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_start_the_line() {
        let text = "# comment\n\n  \na:1\n  b:2  \n  # not a comment\n";
        assert_eq!(entries(text).collect::<Vec<_>>(), [(4, "a:1"), (5, "b:2"), (6, "# not a comment")]);
    }

    #[test]
    fn only_a_change_is_swapped_in() {
        let slot = RwLock::new(vec![1]);
        assert!(!replace_if_changed(&slot, vec![1]));
        assert!(replace_if_changed(&slot, vec![2]));
        assert_eq!(*slot.read(), [2]);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_empty_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"a:1\n\xff\n").unwrap();
        assert_eq!(read_optional(&path).unwrap(), Some(String::new()));
    }

    #[test]
    fn a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_optional(&dir.path().join("nope")).unwrap(), None);
        assert!(read_optional(dir.path()).is_err(), "a directory cannot be read");
    }
}
