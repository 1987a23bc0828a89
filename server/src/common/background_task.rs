//! A task that lives as long as its owner.

/// A spawned task, aborted when dropped: the node's watchers and loops end
/// with the node that started them.
pub struct BackgroundTask(tokio::task::JoinHandle<()>);

impl BackgroundTask {
    /// Spawns `work` on the current runtime.
    pub fn spawn(work: impl Future<Output = ()> + Send + 'static) -> Self {
        BackgroundTask(tokio::spawn(work))
    }
}

impl Drop for BackgroundTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}
