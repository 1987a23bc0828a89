//! Watching the security index's state, as Elasticsearch does with its
//! security-index state listeners: when the index becomes available after
//! being unavailable, or turns out to be another index (a new identity, even
//! one noticed only after an outage), the node's index-token cache and
//! reserved-user cache are cleared (eviction cause `index_change`). The
//! file-token cache ignores these events.

use std::sync::Arc;
use std::time::Duration;

use crate::common::background_task::BackgroundTask;
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

/// What the monitor remembers between looks: reachability, and the identity
/// last seen, kept across outages.
#[derive(Debug)]
pub struct Tracker {
    available: bool,
    known_uuid: Option<String>,
}

impl Tracker {
    /// The tracker after a first look.
    pub fn new(initial: &IndexState) -> Self {
        let mut tracker = Tracker { available: false, known_uuid: None };
        tracker.observe(initial);
        tracker
    }

    /// Records a look; the change Elasticsearch reacts to, if any: back from
    /// unavailable, or a different index.
    pub fn observe(&mut self, state: &IndexState) -> Option<Change> {
        match state {
            IndexState::Unavailable => {
                self.available = false;
                None
            }
            IndexState::Available { index_uuid } => {
                let change = match &self.known_uuid {
                    Some(known) if known != index_uuid => Some(Change::NewIndex),
                    Some(_) if !self.available => Some(Change::ClearCaches),
                    _ => None,
                };
                self.available = true;
                self.known_uuid = Some(index_uuid.clone());
                change
            }
        }
    }
}

/// Looks at `index` every second and calls `on_change` for every change;
/// runs until aborted.
pub fn start(
    index: Arc<SecurityIndex>,
    mut tracker: Tracker,
    on_change: impl Fn(Change) -> futures::future::BoxFuture<'static, ()> + Send + Sync + 'static,
) -> BackgroundTask {
    BackgroundTask::spawn(async move {
        loop {
            tokio::time::sleep(INTERVAL).await;
            let state = index.check().await;
            let was_available = tracker.available;
            let change = tracker.observe(&state);
            if was_available && state == IndexState::Unavailable {
                tracing::warn!("the security index became unavailable");
            }
            if let Some(change) = change {
                tracing::info!(?change, ?state, "security index state changed");
                on_change(change).await;
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
        let mut tracker = Tracker::new(&available("a"));
        assert_eq!(tracker.observe(&available("a")), None);
        assert_eq!(tracker.observe(&IndexState::Unavailable), None);
        assert_eq!(tracker.observe(&available("a")), Some(Change::ClearCaches));
        assert_eq!(tracker.observe(&available("b")), Some(Change::NewIndex));
    }

    #[test]
    fn a_new_index_behind_an_outage_is_still_a_new_index() {
        let mut tracker = Tracker::new(&available("a"));
        assert_eq!(tracker.observe(&IndexState::Unavailable), None);
        assert_eq!(tracker.observe(&available("b")), Some(Change::NewIndex));
    }

    #[test]
    fn starting_without_the_index() {
        let mut tracker = Tracker::new(&IndexState::Unavailable);
        assert_eq!(tracker.observe(&available("a")), None, "nothing was cached from an index never seen");
    }
}
