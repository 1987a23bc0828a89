//! Watching the security index's state, as Elasticsearch does with its
//! security-index state listeners: when the index becomes available after
//! being unavailable, or turns out to be another index (a new identity), the
//! node's index-token cache and reserved-user cache are cleared (eviction
//! cause `index_change`). The file-token cache ignores these events.

use std::sync::Arc;
use std::time::Duration;

use crate::security_index::{IndexState, SecurityIndex};

/// How often the index is looked at.
const INTERVAL: Duration = Duration::from_secs(1);

/// What a state change asks of the node.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// Clear what was cached from the index.
    ClearCaches,
    /// Clear, and set up the new index (it is another database).
    NewIndex,
}

/// Whether going from `before` to `after` is a change Elasticsearch reacts
/// to: back from unavailable, or a different index.
pub fn change(before: &IndexState, after: &IndexState) -> Option<Change> {
    match (before, after) {
        (IndexState::Available { index_uuid: old }, IndexState::Available { index_uuid: new }) if old != new => {
            Some(Change::NewIndex)
        }
        (IndexState::Unavailable, IndexState::Available { .. }) => Some(Change::ClearCaches),
        _ => None,
    }
}

/// Looks at `index` every second from `initial` on and calls `on_change` for
/// every change; runs until aborted.
pub fn start(
    index: Arc<SecurityIndex>,
    initial: IndexState,
    on_change: impl Fn(Change) -> futures::future::BoxFuture<'static, ()> + Send + Sync + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = initial;
        loop {
            tokio::time::sleep(INTERVAL).await;
            let now = index.check().await;
            if now != last {
                tracing::info!(before = ?last, after = ?now, "security index state changed");
                if let Some(change) = change(&last, &now) {
                    on_change(change).await;
                }
                last = now;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn available(uuid: &str) -> IndexState {
        IndexState::Available { index_uuid: uuid.to_string() }
    }

    #[test]
    fn changes_elasticsearch_reacts_to() {
        assert_eq!(change(&available("a"), &available("a")), None);
        assert_eq!(change(&available("a"), &IndexState::Unavailable), None);
        assert_eq!(change(&IndexState::Unavailable, &available("a")), Some(Change::ClearCaches));
        assert_eq!(change(&available("a"), &available("b")), Some(Change::NewIndex));
    }
}
