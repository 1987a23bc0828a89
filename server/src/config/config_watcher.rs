//! Reloading the security files of the config directory (`service_tokens`,
//! `users`, `users_roles`, `roles.yml`) when they change.
//!
//! The directory is watched with `notify`, so that a file replaced by rename,
//! deleted and recreated, or written in several steps is noticed however it
//! changes; events for one file are coalesced for a moment so that a
//! multi-step write is usually read once, when complete. A poll every five
//! seconds (Elasticsearch's own watch interval) compares size, modification
//! time and inode, so a change the notifier misses (or a config directory that
//! did not exist at start) is still picked up. Reloading is the callback's
//! business; a spurious call must be harmless.
//!
//! A reload that could not read its file (`Reload::ReadFailed`: out of file
//! descriptors, an I/O error) is tried again at every poll until it can,
//! whether or not the file changes again meanwhile.
//!
//! Reading a file is an event too (inotify reports opens): only events that
//! can change a file count, or every reload would trigger the next one.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::common::background_task::BackgroundTask;
use crate::config::config_file::Reload;
use crate::observability::metrics::ReloadCounter;

/// What to do when a file changed: reload it, and say whether it could be
/// read.
pub type OnChange = Arc<dyn Fn() -> Reload + Send + Sync>;

/// How long events for one file are collected before it is reloaded.
const SETTLE: Duration = Duration::from_millis(150);
/// The fallback poll interval.
const POLL: Duration = Duration::from_secs(5);

/// Watches some files of one directory until dropped.
pub struct ConfigWatcher {
    _notifier: Option<notify::RecommendedWatcher>,
    _task: BackgroundTask,
}

/// What the poll compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

/// Whether an event may mean that a file's content changed: any but a read
/// (an open, a close after reading, an access).
fn may_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(access) => *access == AccessKind::Close(AccessMode::Write),
        _ => true,
    }
}

fn fingerprint(path: &Path) -> Option<Fingerprint> {
    let metadata = std::fs::metadata(path).ok()?;
    Some(Fingerprint { len: metadata.len(), modified: metadata.modified().ok(), inode: metadata.ino() })
}

impl ConfigWatcher {
    /// Starts watching `files` (file name → callback) in `dir`, counting
    /// each reload in `reloads`; the files in `unread` could not be read
    /// when they were loaded, and are reloaded at the first poll. Must be
    /// called within a tokio runtime.
    pub fn start(
        dir: &Path,
        files: Vec<(&'static str, OnChange)>,
        unread: Vec<&'static str>,
        reloads: ReloadCounter,
    ) -> ConfigWatcher {
        let (sender, mut receiver) = mpsc::unbounded_channel::<&'static str>();
        let names: Vec<&'static str> = files.iter().map(|(name, _)| *name).collect();
        let notifier = {
            let names = names.clone();
            let sender = sender.clone();
            let handler = move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else { return };
                if !may_change(&event.kind) {
                    return;
                }
                for path in &event.paths {
                    let file = path.file_name().and_then(|n| n.to_str());
                    if let Some(name) = names.iter().find(|name| Some(**name) == file) {
                        let _ = sender.send(name);
                    }
                }
            };
            match notify::recommended_watcher(handler)
                .and_then(|mut watcher| watcher.watch(dir, RecursiveMode::NonRecursive).map(|()| watcher))
            {
                Ok(watcher) => Some(watcher),
                Err(error) => {
                    tracing::debug!(dir = %dir.display(), %error, "cannot watch the config directory; polling only");
                    None
                }
            }
        };
        let callbacks: HashMap<&'static str, OnChange> = files.into_iter().collect();
        let paths: Vec<(&'static str, PathBuf)> = names.iter().map(|name| (*name, dir.join(name))).collect();
        for name in &names {
            reloads.register(name);
        }
        let task = BackgroundTask::spawn(async move {
            let mut seen: HashMap<&'static str, Option<Fingerprint>> =
                paths.iter().map(|(name, path)| (*name, fingerprint(path))).collect();
            // Files whose last read failed.
            let mut unread = unread;
            let mut poll = tokio::time::interval(POLL);
            poll.tick().await;
            loop {
                let mut changed: Vec<&'static str> = Vec::new();
                tokio::select! {
                    Some(name) = receiver.recv() => {
                        changed.push(name);
                        // Let a multi-step write finish, then take every
                        // event that arrived meanwhile.
                        tokio::time::sleep(SETTLE).await;
                        while let Ok(name) = receiver.try_recv() {
                            changed.push(name);
                        }
                    }
                    _ = poll.tick() => {
                        changed.append(&mut unread);
                        for (name, path) in &paths {
                            let now = fingerprint(path);
                            if seen.get(name) != Some(&now) {
                                changed.push(name);
                            }
                        }
                    }
                }
                changed.sort_unstable();
                changed.dedup();
                for name in changed {
                    if let Some((_, path)) = paths.iter().find(|(n, _)| *n == name) {
                        seen.insert(name, fingerprint(path));
                    }
                    let callback = Arc::clone(&callbacks[name]);
                    // Reloading reads files and parses them: keep it off the
                    // async workers.
                    match tokio::task::spawn_blocking(move || callback()).await {
                        Ok(Reload::Read) => unread.retain(|other| *other != name),
                        Ok(Reload::ReadFailed) => unread.push(name),
                        Err(error) => tracing::error!(file = name, %error, "reloading a config file failed"),
                    }
                    // Counted once done, so that whoever sees the count sees
                    // what the reload did.
                    reloads.reloaded(name);
                }
            }
        });
        ConfigWatcher { _notifier: notifier, _task: task }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::observability::metrics::Metrics;

    /// A file unread at load, and unreadable once more, is read again at
    /// each poll until a read succeeds, and then left alone.
    #[tokio::test(start_paused = true)]
    async fn an_unread_file_is_retried_at_each_poll_until_it_reads() {
        let dir = tempfile::tempdir().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let reload: OnChange =
            Arc::new(
                move || {
                    if counted.fetch_add(1, Ordering::SeqCst) == 0 { Reload::ReadFailed } else { Reload::Read }
                },
            );
        let _watcher = ConfigWatcher::start(dir.path(), vec![("f", reload)], vec!["f"], Metrics::new().reloads());
        let polled = |polls: u32| tokio::time::sleep(POLL * polls + Duration::from_millis(500));
        polled(1).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1, "retried at the first poll");
        polled(1).await;
        assert_eq!(calls.load(Ordering::SeqCst), 2, "and at the next, where it reads");
        polled(3).await;
        assert_eq!(calls.load(Ordering::SeqCst), 2, "then left alone");
    }
}
