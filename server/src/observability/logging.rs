//! Structured logs through `tracing`, including dropshot's.
//!
//! dropshot logs through `slog`; [`SlogToTracing`] forwards its records as
//! tracing events so the node has one log stream in one format. dropshot's
//! "request completed" record is the one line per request (method, URI,
//! status, latency; never a header, so never a credential) and stays at INFO;
//! its other records (connections accepted, endpoints registered) go to DEBUG.

use std::fmt::Write as _;

use slog::{Drain, KV, Key, OwnedKVList, Record, Serializer};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: human-readable lines on stdout, filtered by
/// `RUST_LOG` (default `info`). Calling it twice is harmless.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(true).with_ansi(ansi).try_init();
}

/// The slog logger handed to dropshot.
pub fn dropshot_logger() -> slog::Logger {
    slog::Logger::root(SlogToTracing.fuse(), slog::o!())
}

/// A slog drain that re-emits records as tracing events.
pub struct SlogToTracing;

/// The fields of a dropshot record, collected from its key-value pairs.
#[derive(Default)]
struct Fields {
    method: Option<String>,
    uri: Option<String>,
    status: Option<String>,
    latency_us: Option<String>,
    remote_addr: Option<String>,
    request_id: Option<String>,
    error: Option<String>,
    other: String,
}

impl Serializer for Fields {
    fn emit_arguments(&mut self, key: Key, value: &std::fmt::Arguments<'_>) -> slog::Result {
        let value = value.to_string();
        // `Key` is `&'static str` or `String` depending on slog's features.
        let key: &str = key.as_ref();
        match key {
            "method" => self.method = Some(value),
            "uri" => self.uri = Some(value),
            "response_code" => self.status = Some(value),
            "latency_us" => self.latency_us = Some(value),
            "remote_addr" => self.remote_addr = Some(value),
            "req_id" => self.request_id = Some(value),
            "error_message_internal" => self.error = Some(value),
            // Repeats the internal message, or is empty for our own errors.
            "error_message_external" | "local_addr" => {}
            _ => {
                let _ = write!(self.other, " {key}={value}");
            }
        }
        Ok(())
    }
}

impl Drain for SlogToTracing {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &Record<'_>, values: &OwnedKVList) -> Result<(), slog::Never> {
        // Collecting the fields formats every value: skip it for records no
        // subscriber wants (the per-request line at `RUST_LOG=warn`, say).
        let request_line = record.msg().as_str() == Some("request completed");
        let wanted = if request_line {
            tracing::enabled!(target: "http", tracing::Level::INFO)
        } else {
            tracing::enabled!(target: "dropshot", tracing::Level::DEBUG)
                || record.level().is_at_least(slog::Level::Warning)
        };
        if !wanted {
            return Ok(());
        }
        let mut fields = Fields::default();
        let _ = values.serialize(record, &mut fields);
        let _ = record.kv().serialize(record, &mut fields);
        if request_line {
            fn field(value: &Option<String>) -> &str {
                value.as_deref().unwrap_or_default()
            }
            tracing::info!(
                target: "http",
                method = %field(&fields.method),
                uri = %field(&fields.uri),
                status = %field(&fields.status),
                latency_us = %field(&fields.latency_us),
                remote_addr = %field(&fields.remote_addr),
                request_id = %field(&fields.request_id),
                error = fields.error.as_deref(),
                "request completed"
            );
            return Ok(());
        }
        let message = record.msg();
        let rest = fields.other;
        match record.level() {
            slog::Level::Critical | slog::Level::Error => tracing::error!(target: "dropshot", "{message}{rest}"),
            slog::Level::Warning => tracing::warn!(target: "dropshot", "{message}{rest}"),
            slog::Level::Info | slog::Level::Debug => tracing::debug!(target: "dropshot", "{message}{rest}"),
            slog::Level::Trace => tracing::trace!(target: "dropshot", "{message}{rest}"),
        }
        Ok(())
    }
}
