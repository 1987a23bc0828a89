//! Running a write to the end even if its client goes away.
//!
//! Handlers are cancelled when their client disconnects (dropshot's
//! `CancelOnDisconnect`, which keeps the common path free of a task spawn
//! per request). A write that has started must not stop half-way, e.g. a
//! token deleted from the index but still in the caches, as Elasticsearch
//! lets an action finish whatever the channel does. So a write runs in the
//! handler's task while the client waits, and is handed to a task of its own
//! only if the handler is dropped before it finishes: the common case costs
//! no spawn and no cross-thread wake-up.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::FutureExt;

use crate::error::ServiceError;

/// Runs `work` to its end, here or, if the caller stops waiting, in the
/// background. A panic in it is an internal error, as it would be in a task.
pub async fn to_completion<T: Send + 'static>(
    work: impl Future<Output = Result<T, ServiceError>> + Send + 'static,
) -> Result<T, ServiceError> {
    let outcome = Completion { work: Some(Box::pin(AssertUnwindSafe(work).catch_unwind())) }.await;
    outcome.unwrap_or_else(|_| {
        tracing::error!("a write failed with a panic");
        Err(ServiceError::Internal("the operation failed; see the node's log".to_string()))
    })
}

type Work<T> = Pin<Box<dyn Future<Output = std::thread::Result<T>> + Send>>;

/// The work, until it is done.
struct Completion<T: Send + 'static> {
    work: Option<Work<T>>,
}

impl<T: Send + 'static> Future for Completion<T> {
    type Output = std::thread::Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let work = self.work.as_mut().expect("polled after it finished");
        let outcome = std::task::ready!(work.as_mut().poll(cx));
        self.work = None;
        Poll::Ready(outcome)
    }
}

impl<T: Send + 'static> Drop for Completion<T> {
    fn drop(&mut self) {
        if let Some(work) = self.work.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        if work.await.is_err() {
                            tracing::error!("a write its client had left failed with a panic");
                        }
                    });
                }
                // The runtime itself is going away: nothing runs any more.
                Err(_) => tracing::warn!("a write was stopped by the node shutting down"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn work_given_up_by_its_caller_still_finishes() {
        let finished = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&finished);
        let caller = tokio::spawn(to_completion(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            done.store(true, Ordering::SeqCst);
            Ok(())
        }));
        tokio::time::sleep(Duration::from_millis(10)).await;
        caller.abort();
        assert!(caller.await.unwrap_err().is_cancelled());
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(finished.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_panic_is_an_internal_error() {
        let outcome: Result<(), ServiceError> = to_completion(async { panic!("boom") }).await;
        assert!(matches!(outcome, Err(ServiceError::Internal(_))));
    }
}
