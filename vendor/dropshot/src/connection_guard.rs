// Copyright 2026 the es-tokens authors. Apache-2.0, as dropshot.

//! [es-tokens patch] Bounds on what an HTTP connection may hold: how many
//! connections are open at once, and how long a connection may take to send
//! a request's head (counted from when it connects, or from the first byte
//! of a request after an answer). A connection idle between requests is not
//! bounded here: keep-alive connections stay open, as Elasticsearch keeps
//! them.
//!
//! Where a request head ends is read off the bytes (the blank line that
//! ends it), and where an answer begins off the bytes written (a status
//! line other than an informational `1xx`), so no part of hyper changes.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// [es-tokens patch] Limits on the connections of a server.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConnectionLimits {
    /// The most connections open at once; one more is closed as soon as it
    /// is accepted. `None`: no limit.
    pub max_open: Option<usize>,
    /// How long a connection may take to send a request's head, from when
    /// it connects or from its request's first byte. `None`: no limit.
    pub request_head_timeout: Option<Duration>,
}

/// Counts open connections against [`ConnectionLimits::max_open`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Gate {
    open: Arc<AtomicUsize>,
    max: Option<usize>,
}

/// One admitted connection; counted until dropped.
#[derive(Debug)]
pub(crate) struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    pub(crate) fn new(max: Option<usize>) -> Self {
        Gate { open: Arc::new(AtomicUsize::new(0)), max }
    }

    /// Admits one more connection, if the limit allows.
    pub(crate) fn admit(&self) -> Option<Admission> {
        let admitted = self
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                match self.max {
                    Some(max) if open >= max => None,
                    _ => Some(open + 1),
                }
            })
            .is_ok();
        admitted.then(|| Admission(Arc::clone(&self.open)))
    }
}

/// Where a connection is in its exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// A request head is expected or partly read: `started` once a byte
    /// other than a line end came (empty lines before a request line are
    /// skipped, as httparse skips them), then the last `newlines` line ends
    /// in a row.
    Head { started: bool, newlines: usize },
    /// The head is read; the body and the handler take what they take.
    Request,
    /// An answer went out: the connection idles until its next request.
    Idle,
}

/// A TCP connection under [`ConnectionLimits`].
pub(crate) struct GuardedStream {
    inner: TcpStream,
    phase: Phase,
    /// The head timeout, and its timer: allocated once per connection and
    /// reset for each head, armed while a head is expected.
    deadline: Option<(Duration, Pin<Box<Sleep>>)>,
    armed: bool,
    _admission: Admission,
}

impl GuardedStream {
    pub(crate) fn new(
        inner: TcpStream,
        limits: &ConnectionLimits,
        admission: Admission,
    ) -> Self {
        GuardedStream {
            inner,
            phase: Phase::Head { started: false, newlines: 0 },
            deadline: limits
                .request_head_timeout
                .map(|timeout| (timeout, Box::pin(tokio::time::sleep(timeout)))),
            armed: true,
            _admission: admission,
        }
    }

    /// Follows the bytes a read brought.
    fn read(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.phase == Phase::Idle {
            self.phase = Phase::Head { started: false, newlines: 0 };
            if let Some((timeout, sleep)) = self.deadline.as_mut() {
                sleep.as_mut().reset(tokio::time::Instant::now() + *timeout);
            }
            self.armed = true;
        }
        if let Phase::Head { mut started, mut newlines } = self.phase {
            // The head ends at an empty line: two line ends with nothing
            // but `\r` between them (`\r\n\r\n`, or `\n\n` as httparse
            // also takes). A line at a time: only whether a line holds
            // anything but `\r` matters, which its first bytes tell.
            let holds_text = |line: &[u8]| line.iter().any(|byte| *byte != b'\r');
            let mut rest = bytes;
            while let Some(end) = memchr::memchr(b'\n', rest) {
                if holds_text(&rest[..end]) {
                    started = true;
                    newlines = 0;
                }
                if started {
                    newlines += 1;
                }
                if newlines == 2 {
                    self.phase = Phase::Request;
                    self.armed = false;
                    return;
                }
                rest = &rest[end + 1..];
            }
            if holds_text(rest) {
                started = true;
                newlines = 0;
            }
            self.phase = Phase::Head { started, newlines };
        }
    }

    /// Follows the bytes a write sent: a final status line means hyper
    /// parsed a head and answers it, whatever the guard read (pipelined
    /// requests may have been read before), so the connection idles until
    /// its next request.
    fn wrote(&mut self, mut bytes: &[u8]) {
        // Informational answers (`100 Continue`) may lead the same write.
        while bytes.starts_with(b"HTTP/1.1 1") || bytes.starts_with(b"HTTP/1.0 1") {
            match bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(end) => bytes = &bytes[end + 4..],
                None => return,
            }
        }
        if bytes.starts_with(b"HTTP/") {
            self.phase = Phase::Idle;
            self.armed = false;
        }
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let this = &mut *self;
                this.read(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                let armed = self.armed;
                let expired = match self.deadline.as_mut() {
                    Some((_, sleep)) if armed => sleep.as_mut().poll(cx).is_ready(),
                    _ => false,
                };
                if expired {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client did not send a request head in time",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(count)) = written {
            if count > 0 {
                self.wrote(buf);
            }
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(count)) = written {
            if count > 0 {
                if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
                    self.wrote(first);
                }
            }
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
