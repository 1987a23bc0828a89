//! Ids as Elasticsearch makes them (`UUIDs`).

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A random id (`UUIDs.randomBase64UUID`): 16 random bytes with the UUID v4
/// version and variant bits set, URL-safe base64 without padding, 22
/// characters. Node ids and generated token secrets look like this.
pub fn random_base64_uuid() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A time-based id (`UUIDs.base64UUID`): 15 bytes of sequence number,
/// millisecond timestamp and a per-process random "address", URL-safe base64
/// without padding, 20 characters. Ids made later sort later in their
/// timestamp bytes, which is what Elasticsearch wants them for.
pub fn time_based_base64_uuid() -> String {
    static SEQUENCE: LazyLock<AtomicU32> = LazyLock::new(|| AtomicU32::new(rand::random()));
    static ADDRESS: LazyLock<[u8; 6]> = LazyLock::new(rand::random);
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed) & 0x00ff_ffff;
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let mut bytes = [0u8; 15];
    bytes[0..6].copy_from_slice(&millis.to_be_bytes()[2..8]);
    bytes[6..9].copy_from_slice(&sequence.to_be_bytes()[1..4]);
    bytes[9..15].copy_from_slice(&*ADDRESS);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let id = random_base64_uuid();
        assert_eq!(id.len(), 22);
        assert!("QRST".contains(id.chars().nth(8).unwrap()), "{id}");
        let a = time_based_base64_uuid();
        let b = time_based_base64_uuid();
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        assert!(a.bytes().chain(b.bytes()).all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
