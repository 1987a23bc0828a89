//! Password and secret hashes, made and checked exactly as Elasticsearch's `Hasher` does.
//!
//! Service-account token files and caches hold hashes written by Elasticsearch (or by its
//! `elasticsearch-service-tokens` tool), so every format here has to be byte-compatible with
//! x-pack's `org.elasticsearch.xpack.core.security.authc.support.Hasher`:
//!
//! | algorithm        | stored form                                                        |
//! |------------------|--------------------------------------------------------------------|
//! | bcrypt           | `$2a$NN$` + 22 salt + 31 hash characters (`$2b$`, `$2y$` verified) |
//! | PBKDF2           | `{PBKDF2}<iterations>$<base64 salt>$<base64 key>`                  |
//! | PBKDF2, stretched| `{PBKDF2_STRETCH}` + the same, over hex(SHA-512(secret))           |
//! | SHA-1            | `{SHA}` + base64(SHA-1(secret))                                    |
//! | MD5              | `{MD5}` + base64(MD5(secret))                                      |
//! | salted SHA-256   | `{SSHA256}` + base64(8 salt bytes) + base64(SHA-256(secret, salt)) |
//! | no-op            | the secret itself                                                  |
//!
//! Where Elasticsearch throws on a malformed or unsupported hash, this module answers "no match":
//! a stored hash can never make verification panic.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq as _;

const BCRYPT_DEFAULT_COST: u32 = 10;
/// The bcrypt costs Elasticsearch has a hasher for (`bcrypt4` .. `bcrypt14`).
const BCRYPT_NAMED_COSTS: std::ops::RangeInclusive<u32> = 4..=14;
/// Elasticsearch's `BCrypt` refuses anything outside these, even when the hash names it.
const BCRYPT_VALID_COSTS: std::ops::RangeInclusive<u32> = 4..=30;

const PBKDF2_PREFIX: &str = "{PBKDF2}";
const PBKDF2_STRETCH_PREFIX: &str = "{PBKDF2_STRETCH}";
const PBKDF2_DEFAULT_COST: u32 = 10_000;
/// The iteration counts Elasticsearch has a hasher for (`pbkdf2_1000` .. `pbkdf2_1000000`).
const PBKDF2_NAMED_COSTS: [u32; 6] = [1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000];
const PBKDF2_SALT_BYTES: usize = 32;
const PBKDF2_KEY_BYTES: usize = 32;
/// Shorter salts in user-supplied hashes are refused rather than verified.
const PBKDF2_MIN_SALT_BYTES: usize = 8;

const SHA1_PREFIX: &str = "{SHA}";
const MD5_PREFIX: &str = "{MD5}";
const SSHA256_PREFIX: &str = "{SSHA256}";
const SSHA256_SALT_BYTES: usize = 8;
/// Base64 of the 8 salt bytes, padding included.
const SSHA256_ENCODED_SALT_CHARS: usize = 12;

/// Decodes as Java's `Base64.getDecoder()` does, which is how Elasticsearch reads stored salts:
/// padding may be left off and unused low bits are ignored, where the `STANDARD` engine would refuse.
const JAVA_BASE64_DECODER: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A hashing algorithm as Elasticsearch names and recognizes them.
///
/// The cost is part of the value because Elasticsearch treats `bcrypt12` and `bcrypt` as different
/// hashers when hashing, while a stored hash carries its own cost when it is verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hasher {
    /// bcrypt with log2 rounds `cost`; new hashes use the `$2a$` prefix, as Elasticsearch's do.
    Bcrypt {
        /// log2 of the rounds; Elasticsearch names 4 to 14.
        cost: u32,
    },
    /// PBKDF2-HMAC-SHA512 over the secret itself.
    Pbkdf2 {
        /// PBKDF2 iterations; Elasticsearch names 1000, 10000, 50000, 100000, 500000 and 1000000.
        iterations: u32,
    },
    /// PBKDF2-HMAC-SHA512 over the hex SHA-512 of the secret, so that PBKDF2's password is always
    /// 128 characters long whatever the secret (FIPS providers refuse short PBKDF2 passwords).
    /// Elasticsearch's choice for service-account tokens.
    Pbkdf2Stretch {
        /// PBKDF2 iterations; the same counts as [`Hasher::Pbkdf2`].
        iterations: u32,
    },
    /// Unsalted SHA-1: offered for caches and old user files, too fast for stored passwords.
    Sha1,
    /// Unsalted MD5: offered for caches and old user files, too fast for stored passwords.
    Md5,
    /// Salted SHA-256: Elasticsearch's default for in-memory caches of already verified secrets.
    Ssha256,
    /// No hashing: the "hash" is the secret, as when a cache stores clear text.
    Noop,
}

/// A hash algorithm name Elasticsearch's settings would reject.
///
/// The message matches Elasticsearch's so that settings errors read the same.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown hash function [{0}]")]
pub struct UnknownHashFunction(pub String);

impl Hasher {
    /// A hasher setting's value, with Elasticsearch's error for an unknown
    /// name.
    pub fn parse_setting(key: &str, value: &str) -> Result<Hasher, crate::config::SettingsError> {
        Hasher::resolve(value).map_err(|error| crate::config::SettingsError::Invalid {
            key: key.to_string(),
            value: value.to_string(),
            detail: format!(": {error}"),
        })
    }

    /// By Elasticsearch setting name (`xpack.security.authc.password_hashing.algorithm`,
    /// `service_token_hashing.algorithm`, cache `hash_algo`), ignoring case as Elasticsearch does.
    ///
    /// The bare names take the default costs: `bcrypt` is `bcrypt10`, `pbkdf2` is `pbkdf2_10000`.
    /// `noop` and `clear_text` both mean no hashing.
    ///
    /// # Errors
    ///
    /// [`UnknownHashFunction`] for any other name, including costs Elasticsearch does not offer.
    pub fn resolve(name: &str) -> Result<Hasher, UnknownHashFunction> {
        let lower = name.to_lowercase();
        let hasher = match lower.as_str() {
            "bcrypt" => Some(Hasher::Bcrypt { cost: BCRYPT_DEFAULT_COST }),
            "pbkdf2" => Some(Hasher::Pbkdf2 { iterations: PBKDF2_DEFAULT_COST }),
            "pbkdf2_stretch" => Some(Hasher::Pbkdf2Stretch { iterations: PBKDF2_DEFAULT_COST }),
            "sha1" => Some(Hasher::Sha1),
            "md5" => Some(Hasher::Md5),
            "ssha256" => Some(Hasher::Ssha256),
            "noop" | "clear_text" => Some(Hasher::Noop),
            other => {
                // Checked before `pbkdf2_`, which it also starts with.
                if let Some(count) = other.strip_prefix("pbkdf2_stretch_") {
                    named_cost(count, PBKDF2_NAMED_COSTS).map(|iterations| Hasher::Pbkdf2Stretch { iterations })
                } else if let Some(count) = other.strip_prefix("pbkdf2_") {
                    named_cost(count, PBKDF2_NAMED_COSTS).map(|iterations| Hasher::Pbkdf2 { iterations })
                } else if let Some(cost) = other.strip_prefix("bcrypt") {
                    named_cost(cost, BCRYPT_NAMED_COSTS).map(|cost| Hasher::Bcrypt { cost })
                } else {
                    None
                }
            }
        };
        hasher.ok_or_else(|| UnknownHashFunction(name.to_owned()))
    }

    /// The algorithm a stored hash was made with, read from its prefix (`Hasher.resolveFromHash`).
    ///
    /// Anything without a known prefix is taken for clear text, because caches may hold secrets
    /// unhashed. bcrypt and PBKDF2 hashes carry their cost, which is used; where Elasticsearch would
    /// throw because the cost is unreadable, the default cost is returned and [`Hasher::verify`]
    /// then refuses the hash.
    pub fn resolve_from_hash(hash: &str) -> Hasher {
        if is_bcrypt_prefix(hash) {
            Hasher::Bcrypt { cost: bcrypt_cost(hash).unwrap_or(BCRYPT_DEFAULT_COST) }
        } else if let Some(rest) = hash.strip_prefix(PBKDF2_STRETCH_PREFIX) {
            // Upstream's order; the brace after `{PBKDF2` keeps the two prefixes from both matching.
            Hasher::Pbkdf2Stretch { iterations: pbkdf2_iterations(rest).unwrap_or(PBKDF2_DEFAULT_COST) }
        } else if let Some(rest) = hash.strip_prefix(PBKDF2_PREFIX) {
            Hasher::Pbkdf2 { iterations: pbkdf2_iterations(rest).unwrap_or(PBKDF2_DEFAULT_COST) }
        } else if hash.starts_with(SHA1_PREFIX) {
            Hasher::Sha1
        } else if hash.starts_with(MD5_PREFIX) {
            Hasher::Md5
        } else if hash.starts_with(SSHA256_PREFIX) {
            Hasher::Ssha256
        } else {
            Hasher::Noop
        }
    }

    /// A new hash of `secret`, with fresh random salt, in Elasticsearch's format, so that
    /// Elasticsearch (and this crate) can verify it later.
    ///
    /// # Panics
    ///
    /// Where Elasticsearch throws for a configuration it cannot hash with, which [`Hasher::resolve`]
    /// never returns: a bcrypt cost outside 4..=30 or zero PBKDF2 iterations. Also if the operating
    /// system cannot supply bcrypt's random salt.
    pub fn hash(&self, secret: &str) -> String {
        match *self {
            Hasher::Bcrypt { cost } => {
                assert!(BCRYPT_VALID_COSTS.contains(&cost), "bcrypt cost {cost} is outside {BCRYPT_VALID_COSTS:?}");
                let parts = bcrypt::hash_with_result(secret, cost).expect("bcrypt salt from the operating system");
                parts.format_for_version(bcrypt::Version::TwoA)
            }
            Hasher::Pbkdf2 { iterations } => pbkdf2_hash(secret.as_bytes(), iterations, PBKDF2_PREFIX),
            Hasher::Pbkdf2Stretch { iterations } => {
                pbkdf2_hash(stretch(secret).as_bytes(), iterations, PBKDF2_STRETCH_PREFIX)
            }
            Hasher::Sha1 => format!("{SHA1_PREFIX}{}", STANDARD.encode(Sha1::digest(secret))),
            Hasher::Md5 => format!("{MD5_PREFIX}{}", STANDARD.encode(Md5::digest(secret))),
            Hasher::Ssha256 => {
                // Salt from the thread-local CSPRNG, as Elasticsearch's `SecureRandom`.
                let salt: [u8; SSHA256_SALT_BYTES] = rand::random();
                let digest = Sha256::new().chain_update(secret).chain_update(salt).finalize();
                format!("{SSHA256_PREFIX}{}{}", STANDARD.encode(salt), STANDARD.encode(digest))
            }
            Hasher::Noop => secret.to_owned(),
        }
    }

    /// [`Hasher::hash`] on tokio's blocking pool, where a slow hash does not
    /// stall an async worker; an error if the hashing task panicked.
    pub async fn hash_blocking(self, secret: &str) -> Result<String, tokio::task::JoinError> {
        let secret = secret.to_string();
        tokio::task::spawn_blocking(move || self.hash(&secret)).await
    }

    /// Whether hashing with it takes long enough (bcrypt, PBKDF2) to stall
    /// the node's event loop if done on it.
    pub fn is_slow(&self) -> bool {
        matches!(self, Hasher::Bcrypt { .. } | Hasher::Pbkdf2 { .. } | Hasher::Pbkdf2Stretch { .. })
    }

    /// [`Hasher::hash`] where it does not stall the event loop: in place for
    /// a fast algorithm, on tokio's blocking pool for a slow one (a cache's
    /// `hash_algo` may be set to one). A slow hash that could not run (its
    /// task panicked) is an empty hash, which nothing matches.
    pub async fn hash_off_loop(self, secret: &str) -> String {
        if !self.is_slow() {
            return self.hash(secret);
        }
        self.hash_blocking(secret).await.unwrap_or_default()
    }

    /// [`Hasher::verify`] where it does not stall the event loop (see
    /// [`Hasher::hash_off_loop`]); a verification that could not run matches
    /// nothing.
    pub async fn verify_off_loop(self, secret: &str, hash: &str) -> bool {
        if !self.is_slow() {
            return self.verify(secret, hash);
        }
        let (secret, hash) = (secret.to_string(), hash.to_string());
        tokio::task::spawn_blocking(move || self.verify(&secret, &hash)).await.unwrap_or(false)
    }

    /// [`Hasher::hash`] on a thread of its own at a lower CPU priority, for a
    /// hash that no request needs yet (storing a password already in effect):
    /// on a busy machine it yields to the requests, while on an idle one it
    /// runs at full speed. An error if the hashing thread could not start or
    /// panicked.
    pub async fn hash_at_low_priority(self, secret: &str) -> Result<String, String> {
        let (done, hashed) = tokio::sync::oneshot::channel();
        let secret = secret.to_string();
        std::thread::Builder::new()
            .name("low-priority-hash".to_string())
            .spawn(move || {
                lower_this_threads_priority();
                let _ = done.send(self.hash(&secret));
            })
            .map_err(|error| error.to_string())?;
        hashed.await.map_err(|_| "the hashing thread panicked".to_string())
    }

    /// Whether `secret` matches `hash` made by this algorithm; derived values are compared in
    /// constant time so that response timing does not reveal how much of a guess was right.
    ///
    /// As in Elasticsearch, a bcrypt hash is checked at the cost it names, while a PBKDF2 hash is
    /// checked at this hasher's iteration count and so only matches a hash that names that count.
    /// Malformed hashes never match.
    #[must_use = "an unchecked verification authenticates nobody"]
    pub fn verify(&self, secret: &str, hash: &str) -> bool {
        match *self {
            Hasher::Bcrypt { .. } => verify_bcrypt(secret, hash),
            Hasher::Pbkdf2 { iterations } => verify_pbkdf2(secret.as_bytes(), hash, iterations, PBKDF2_PREFIX),
            Hasher::Pbkdf2Stretch { iterations } => {
                verify_pbkdf2(stretch(secret).as_bytes(), hash, iterations, PBKDF2_STRETCH_PREFIX)
            }
            Hasher::Sha1 => verify_digest::<Sha1>(secret, hash, SHA1_PREFIX),
            Hasher::Md5 => verify_digest::<Md5>(secret, hash, MD5_PREFIX),
            Hasher::Ssha256 => verify_ssha256(secret, hash),
            Hasher::Noop => constant_time_eq(secret.as_bytes(), hash.as_bytes()),
        }
    }

    /// Whether Elasticsearch has a hasher for this configuration; `resolveFromHash` throws for
    /// hashes naming any other cost, so such hashes must not verify here either.
    fn is_named_by_elasticsearch(self) -> bool {
        match self {
            Hasher::Bcrypt { cost } => BCRYPT_NAMED_COSTS.contains(&cost),
            Hasher::Pbkdf2 { iterations } | Hasher::Pbkdf2Stretch { iterations } => {
                PBKDF2_NAMED_COSTS.contains(&iterations)
            }
            Hasher::Sha1 | Hasher::Md5 | Hasher::Ssha256 | Hasher::Noop => true,
        }
    }
}

/// Whether `hash` may be stored as a password hash as given (`password_hash` of the user APIs): a
/// bcrypt or PBKDF2 hash Elasticsearch has a hasher for. Anything else is refused with
/// [`UNSUPPORTED_PASSWORD_HASH`].
pub fn is_stored_password_hash(hash: &str) -> bool {
    let hasher = Hasher::resolve_from_hash(hash);
    let readable = match hasher {
        Hasher::Bcrypt { .. } => bcrypt_cost(hash).is_some(),
        Hasher::Pbkdf2 { .. } | Hasher::Pbkdf2Stretch { .. } => true,
        _ => false,
    };
    readable && hasher.is_named_by_elasticsearch()
}

/// Elasticsearch's words for a `password_hash` it cannot store.
pub const UNSUPPORTED_PASSWORD_HASH: &str = "The provided password hash is not a hash or it could not be resolved to a \
    supported hash algorithm. The supported password hash algorithms are [bcrypt, bcrypt4, bcrypt5, bcrypt6, bcrypt7, \
    bcrypt8, bcrypt9, bcrypt10, bcrypt11, bcrypt12, bcrypt13, bcrypt14, pbkdf2, pbkdf2_1000, pbkdf2_10000, \
    pbkdf2_50000, pbkdf2_100000, pbkdf2_500000, pbkdf2_1000000, pbkdf2_stretch, pbkdf2_stretch_1000, \
    pbkdf2_stretch_10000, pbkdf2_stretch_50000, pbkdf2_stretch_100000, pbkdf2_stretch_500000, pbkdf2_stretch_1000000]";

/// Verifies `secret` against `hash` with the algorithm the hash names (`Hasher.verifyHash`), for
/// stores whose entries may have been written with any algorithm.
///
/// A hash without a known prefix is compared with the secret as plaintext (in constant time).
/// Hashes naming a bcrypt cost or PBKDF2 iteration count Elasticsearch has no hasher for never
/// match, because Elasticsearch fails such verifications rather than running them.
#[must_use = "an unchecked verification authenticates nobody"]
pub fn verify_hash(secret: &str, hash: &str) -> bool {
    let hasher = Hasher::resolve_from_hash(hash);
    hasher.is_named_by_elasticsearch() && hasher.verify(secret, hash)
}

/// The nice value of [`Hasher::hash_at_low_priority`]'s thread: low enough
/// to leave a contended CPU to the requests, not so low (19) that a login
/// waiting for it starves under load.
const LOW_PRIORITY_NICE: libc::c_int = 10;

/// Lowers the calling thread's priority (on Linux a thread has a nice value
/// of its own); where that fails the hash runs at the normal priority.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread; no memory is shared.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, LOW_PRIORITY_NICE);
    }
}

/// [`verify_hash`] on tokio's blocking pool, where a slow hash (bcrypt,
/// PBKDF2) does not stall an async worker. A verification that could not run
/// (its task panicked) matches nothing.
pub async fn verify_hash_blocking(secret: &str, hash: String) -> bool {
    let secret = secret.to_string();
    tokio::task::spawn_blocking(move || verify_hash(&secret, &hash)).await.unwrap_or_else(|error| {
        tracing::error!(%error, "verifying a hash failed");
        false
    })
}

/// The cost in a setting name's suffix, if it is spelled exactly as one Elasticsearch names
/// (so `bcrypt08` or `pbkdf2_+1000` are unknown, as upstream).
fn named_cost(suffix: &str, named: impl IntoIterator<Item = u32>) -> Option<u32> {
    named.into_iter().find(|cost| cost.to_string() == suffix)
}

/// `$2` + a bcrypt minor Elasticsearch accepts + `$`; `$2x$` (the `crypt_blowfish` bug marker) and
/// the minor-less `$2$` are not bcrypt to Elasticsearch.
fn is_bcrypt_prefix(hash: &str) -> bool {
    matches!(hash.as_bytes(), [b'$', b'2', b'a' | b'b' | b'y', b'$', ..])
}

/// The cost as Elasticsearch reads it: whatever lies between the prefix and the last 54
/// characters (`$` + 22 salt + 31 hash characters).
fn bcrypt_cost(hash: &str) -> Option<u32> {
    hash.get(4..hash.len().checked_sub(54)?)?.parse().ok()
}

/// The iteration count before the first `$`, parsed like Java's `Integer.parseInt`.
fn pbkdf2_iterations(after_prefix: &str) -> Option<u32> {
    after_prefix.split_once('$')?.0.parse().ok()
}

/// Elasticsearch's `BCrypt.checkpw` recomputes the whole hash string and compares it, so only the
/// canonical 60-character form with a two-digit cost can match; the `bcrypt` crate alone would
/// also accept other spellings of the cost, and costs Elasticsearch refuses to run.
fn verify_bcrypt(secret: &str, hash: &str) -> bool {
    let bytes = hash.as_bytes();
    let canonical = is_bcrypt_prefix(hash)
        && bytes.len() == 60
        && bytes[4].is_ascii_digit()
        && bytes[5].is_ascii_digit()
        && bytes[6] == b'$';
    if !canonical {
        return false;
    }
    let cost = u32::from(bytes[4] - b'0') * 10 + u32::from(bytes[5] - b'0');
    BCRYPT_VALID_COSTS.contains(&cost) && bcrypt::verify(secret, hash).unwrap_or(false)
}

/// The stretched PBKDF2 password: lowercase hex of SHA-512 of the secret's UTF-8 bytes.
fn stretch(secret: &str) -> String {
    hex::encode(Sha512::digest(secret))
}

/// `prefix` + iterations + `$` + base64(32 random salt bytes) + `$` + base64(32-byte key).
fn pbkdf2_hash(password: &[u8], iterations: u32, prefix: &str) -> String {
    assert!(iterations > 0, "PBKDF2 needs at least one iteration");
    let salt: [u8; PBKDF2_SALT_BYTES] = rand::random();
    let mut key = [0u8; PBKDF2_KEY_BYTES];
    pbkdf2::pbkdf2_hmac::<Sha512>(password, &salt, iterations, &mut key);
    format!("{prefix}{iterations}${}${}", STANDARD.encode(salt), STANDARD.encode(key))
}

/// Salt and key length are taken from the stored hash because Elasticsearch accepts user-supplied
/// PBKDF2 hashes made by other tools. The key length follows Elasticsearch's formula, whole 16-byte
/// blocks of the stored base64's length, and the comparison is of base64 text, as upstream.
fn verify_pbkdf2(password: &[u8], hash: &str, iterations: u32, prefix: &str) -> bool {
    let Some(rest) = hash.strip_prefix(prefix) else { return false };
    let Some((count, rest)) = rest.split_once('$') else { return false };
    if iterations == 0 || count.parse::<u32>() != Ok(iterations) {
        return false;
    }
    let Some((salt, stored_key)) = rest.split_once('$') else { return false };
    let key_bytes = stored_key.len() * 3 / 64 * 16;
    if key_bytes == 0 {
        return false;
    }
    let Ok(salt) = JAVA_BASE64_DECODER.decode(salt) else { return false };
    if salt.len() < PBKDF2_MIN_SALT_BYTES {
        return false;
    }
    let mut key = vec![0u8; key_bytes];
    pbkdf2::pbkdf2_hmac::<Sha512>(password, &salt, iterations, &mut key);
    constant_time_eq(STANDARD.encode(key).as_bytes(), stored_key.as_bytes())
}

/// For the unsalted `{SHA}` and `{MD5}` forms, which differ only in digest and prefix.
fn verify_digest<D: Digest>(secret: &str, hash: &str, prefix: &str) -> bool {
    let Some(stored) = hash.strip_prefix(prefix) else { return false };
    constant_time_eq(STANDARD.encode(D::digest(secret)).as_bytes(), stored.as_bytes())
}

/// The salt is the first 12 characters after the prefix, decoded from base64 and hashed after the
/// secret; the rest is the base64 digest.
fn verify_ssha256(secret: &str, hash: &str) -> bool {
    let Some(rest) = hash.strip_prefix(SSHA256_PREFIX) else { return false };
    let (Some(salt), Some(stored)) = (rest.get(..SSHA256_ENCODED_SALT_CHARS), rest.get(SSHA256_ENCODED_SALT_CHARS..))
    else {
        return false;
    };
    let Ok(salt) = JAVA_BASE64_DECODER.decode(salt) else { return false };
    let digest = Sha256::new().chain_update(secret).chain_update(salt).finalize();
    constant_time_eq(STANDARD.encode(digest).as_bytes(), stored.as_bytes())
}

/// Equal lengths are compared without early exit; a length difference alone is not secret.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashing_off_the_loop_hashes_and_verifies_as_in_place() {
        for hasher in [Hasher::Ssha256, Hasher::Bcrypt { cost: 4 }, Hasher::Pbkdf2 { iterations: 1000 }] {
            let hash = hasher.hash_off_loop("secret").await;
            assert!(hasher.verify("secret", &hash), "{hasher:?}");
            assert!(hasher.verify_off_loop("secret", &hash).await, "{hasher:?}");
            assert!(!hasher.verify_off_loop("other", &hash).await, "{hasher:?}");
        }
        let slow: Vec<bool> =
            [Hasher::Bcrypt { cost: 4 }, Hasher::Pbkdf2Stretch { iterations: 1000 }, Hasher::Ssha256, Hasher::Noop]
                .iter()
                .map(Hasher::is_slow)
                .collect();
        assert_eq!(slow, [true, true, false, false]);
    }

    #[tokio::test]
    async fn a_low_priority_hash_is_a_hash_and_lowers_only_its_own_thread() {
        let hasher = Hasher::Bcrypt { cost: 4 };
        let hash = hasher.hash_at_low_priority("a-secret").await.unwrap();
        assert!(verify_hash("a-secret", &hash) && !verify_hash("another", &hash));
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let before = nice();
        let lowered = std::thread::spawn(move || {
            lower_this_threads_priority();
            nice()
        });
        assert_eq!(lowered.join().unwrap(), before.max(LOW_PRIORITY_NICE));
        assert_eq!(nice(), before);
    }

    /// Every setting name Elasticsearch's `Hasher.resolve` knows, with what it resolves to.
    const NAMES: [(&str, Hasher); 33] = [
        ("bcrypt", Hasher::Bcrypt { cost: 10 }),
        ("bcrypt4", Hasher::Bcrypt { cost: 4 }),
        ("bcrypt5", Hasher::Bcrypt { cost: 5 }),
        ("bcrypt6", Hasher::Bcrypt { cost: 6 }),
        ("bcrypt7", Hasher::Bcrypt { cost: 7 }),
        ("bcrypt8", Hasher::Bcrypt { cost: 8 }),
        ("bcrypt9", Hasher::Bcrypt { cost: 9 }),
        ("bcrypt10", Hasher::Bcrypt { cost: 10 }),
        ("bcrypt11", Hasher::Bcrypt { cost: 11 }),
        ("bcrypt12", Hasher::Bcrypt { cost: 12 }),
        ("bcrypt13", Hasher::Bcrypt { cost: 13 }),
        ("bcrypt14", Hasher::Bcrypt { cost: 14 }),
        ("pbkdf2", Hasher::Pbkdf2 { iterations: 10_000 }),
        ("pbkdf2_1000", Hasher::Pbkdf2 { iterations: 1_000 }),
        ("pbkdf2_10000", Hasher::Pbkdf2 { iterations: 10_000 }),
        ("pbkdf2_50000", Hasher::Pbkdf2 { iterations: 50_000 }),
        ("pbkdf2_100000", Hasher::Pbkdf2 { iterations: 100_000 }),
        ("pbkdf2_500000", Hasher::Pbkdf2 { iterations: 500_000 }),
        ("pbkdf2_1000000", Hasher::Pbkdf2 { iterations: 1_000_000 }),
        ("pbkdf2_stretch", Hasher::Pbkdf2Stretch { iterations: 10_000 }),
        ("pbkdf2_stretch_1000", Hasher::Pbkdf2Stretch { iterations: 1_000 }),
        ("pbkdf2_stretch_10000", Hasher::Pbkdf2Stretch { iterations: 10_000 }),
        ("pbkdf2_stretch_50000", Hasher::Pbkdf2Stretch { iterations: 50_000 }),
        ("pbkdf2_stretch_100000", Hasher::Pbkdf2Stretch { iterations: 100_000 }),
        ("pbkdf2_stretch_500000", Hasher::Pbkdf2Stretch { iterations: 500_000 }),
        ("pbkdf2_stretch_1000000", Hasher::Pbkdf2Stretch { iterations: 1_000_000 }),
        ("sha1", Hasher::Sha1),
        ("md5", Hasher::Md5),
        ("ssha256", Hasher::Ssha256),
        ("noop", Hasher::Noop),
        ("clear_text", Hasher::Noop),
        ("BCRYPT12", Hasher::Bcrypt { cost: 12 }),
        ("PBKDF2_Stretch_1000", Hasher::Pbkdf2Stretch { iterations: 1_000 }),
    ];

    /// Asserts `secret` verifies against `hash` and `wrong` does not, as `verify_hash` decides
    /// (which also runs the resolved hasher's `verify`).
    fn assert_known_answer(hash: &str, secret: &str, wrong: &str) {
        assert!(verify_hash(secret, hash), "{secret:?} should match {hash}");
        assert!(!verify_hash(wrong, hash), "{wrong:?} should not match {hash}");
    }

    /// Hashes with `hasher`, then checks the hash is recognized, verifies, and rejects another secret.
    fn assert_round_trip(hasher: Hasher, secret: &str) {
        let hash = hasher.hash(secret);
        assert_eq!(Hasher::resolve_from_hash(&hash), hasher, "{hash}");
        assert!(hasher.verify(secret, &hash), "{hasher:?} should accept its own hash {hash}");
        assert!(verify_hash(secret, &hash), "verify_hash should accept {hash}");
        assert!(!hasher.verify("3aJCLaQWRN2sXlOdtxA0SQ", &hash), "{hasher:?} accepted a wrong secret");
    }

    #[test]
    fn resolves_every_elasticsearch_name() {
        for (name, expected) in NAMES {
            assert_eq!(Hasher::resolve(name), Ok(expected), "{name}");
        }
    }

    #[test]
    fn refuses_unknown_names_with_elasticsearch_message() {
        for name in [
            "unknown_hasher",
            "",
            "bcrypt3",
            "bcrypt15",
            "bcrypt08",
            "pbkdf2_2000",
            "pbkdf2_+1000",
            "sha256",
            "pbkdf2_",
        ] {
            let err = Hasher::resolve(name).unwrap_err();
            assert_eq!(err, UnknownHashFunction(name.to_owned()));
            assert_eq!(err.to_string(), format!("unknown hash function [{name}]"));
        }
    }

    /// Hashes from Elasticsearch's `HasherTests.testResolveFromHash`.
    #[test]
    fn resolves_elasticsearch_hashes_by_prefix_and_cost() {
        let cases = [
            ("$2a$10$1oZj.8KmlwiCy4DWKvDH3OU0Ko4WRF4FknyvCh3j/ZtaRCNYA6Xzm", Hasher::Bcrypt { cost: 10 }),
            ("$2a$04$GwJtIQiGMHASEYphMiCpjeZh1cDyYC5U.DKfNKa4i/y0IbOvc2LiG", Hasher::Bcrypt { cost: 4 }),
            ("$2a$05$xLmwSB7Nw7PcqP.6hXdc4eUZbT.4.iAZ3CTPzSaUibrrYjC6Vwq1m", Hasher::Bcrypt { cost: 5 }),
            ("$2a$06$WQX1MALAjVOhR2YKmLcHYed2oROzBl3OZPtvq3FkVZYwm9X2LVKYm", Hasher::Bcrypt { cost: 6 }),
            ("$2a$07$Satxnu2fCvwYXpHIk8A2sO2uwROrsV7WrNiRJPq1oXEl5lc9FE.7S", Hasher::Bcrypt { cost: 7 }),
            ("$2a$08$LLfkTt2C9TUl5sDtgqmE3uRw9nHt748d3eMSGfbFYgQQQhjbXHFo2", Hasher::Bcrypt { cost: 8 }),
            ("$2a$09$.VCWA3yFVdd6gfI526TUrufb4TvxMuhW0jIuMfhd4/fy1Ak/zrSFe", Hasher::Bcrypt { cost: 9 }),
            ("$2a$11$Ya53LCozFlKABu05xsAbj.9xmrczyuAY/fTvxKkDiHOJc5GYcaNRy", Hasher::Bcrypt { cost: 11 }),
            ("$2a$12$oUW2hiWBHYwbJamWi6YDPeKS2NBCvD4GR50zh9QZCcgssNFcbpg/a", Hasher::Bcrypt { cost: 12 }),
            ("$2a$13$0PDx6mxKK4bLSgpc5H6eaeylWub7UFghjxV03lFYSz4WS4slDT30q", Hasher::Bcrypt { cost: 13 }),
            ("$2a$14$lFyXmX7p9/FHr7W4nxTnfuCkjAoBHv6awQlv8jlKZ/YCMI65i38e6", Hasher::Bcrypt { cost: 14 }),
            ("$2b$12$0313KXrdhWp6HLREsKxW/OWJQCxy2uYprv44b8MBk6dOj3PY6WSFG", Hasher::Bcrypt { cost: 12 }),
            ("$2y$10$flKBxak./o.7Hql0il/98ejdZyob67TmPhHbRy3qOnMtCBosAVSRy", Hasher::Bcrypt { cost: 10 }),
            (
                "{PBKDF2}1000$oNl3JWiDZhXqhrpk9Kl+T0tKpVNNV3UHNxENPePpo2M=$g9lERDX5op20eX534bHdQy7ySRwobxwtaxxsz3AYPIU=",
                Hasher::Pbkdf2 { iterations: 1_000 },
            ),
            (
                "{PBKDF2}10000$UrwrHBY4GA1na9KxRpoFkUiICTeZe+mMZCZOg6bRSLc=$1Wl32wRQ9Q3Sv1IFoNwgSrUa5YifLv0MoxAO6leyip8=",
                Hasher::Pbkdf2 { iterations: 10_000 },
            ),
            (
                "{PBKDF2}50000$mxa5m9AlgtKLUXKi/pE5+4w7ZexGSOtlUHD043NHVdc=$LE5Ncph672M8PtugfRgk2k3ue9qY2cKgiguuAd+e3I0=",
                Hasher::Pbkdf2 { iterations: 50_000 },
            ),
            (
                "{PBKDF2}100000$qFs8H0FjietnI7sgr/1Av4H+Z7d/9dehfZ2ptU474jk=$OFj40Ha0XcHWUXSspRx6EeXnTcuN0Nva2/i2c/hvnZE=",
                Hasher::Pbkdf2 { iterations: 100_000 },
            ),
            (
                "{PBKDF2}500000$wyttuDlppd5KYD35uDZN6vudB50Cjshm5efZhOxZZQI=$ADZpOHY6llJZsjupZCn6s4Eocg0dKKdBiNjDBYqhlzA=",
                Hasher::Pbkdf2 { iterations: 500_000 },
            ),
            (
                "{PBKDF2}1000000$UuyhtjDEzWmE2wyY80akZKPWWpy2r2X50so41YML82U=$WFasYLelqbjQwt3EqFlUcwHiC38EZC45Iu/Iz0xL1GQ=",
                Hasher::Pbkdf2 { iterations: 1_000_000 },
            ),
            (
                "{PBKDF2_STRETCH}1000$sTyix9e0zNINzq2aDZ+GD5+QlO94xVyf/bv4pWNhBxo=$4KuzGPy9HXnhY3ANHn8rcIRQuJHPB6cEtLwnOhDI5d4=",
                Hasher::Pbkdf2Stretch { iterations: 1_000 },
            ),
            (
                "{PBKDF2_STRETCH}10000$8M9+Ww0xkdY250CROEutsd8UP6CrJESw7ZAFu1NGORo=$ai0gxBPtHTfZU/nbNGwL5zjC+eo2/ANQM17L/tllVeo=",
                Hasher::Pbkdf2Stretch { iterations: 10_000 },
            ),
            (
                "{PBKDF2_STRETCH}50000$uupwXiq8W0+jrLtC3/aqzuvyZlRarlmx1+CQGEnomlk=$by8q/+oRPPWwDE6an7B9/ndz7UZ1UQpaGY4CGurtPTI=",
                Hasher::Pbkdf2Stretch { iterations: 50_000 },
            ),
            (
                "{PBKDF2_STRETCH}100000$E9VqtV76PcrQuCZ6wOMMNvs4CMPcANTpzRw8Wjd24PU=$j56uKUvwbvmgQgNFkbV7SRQVZ2QOarokAgBeA8xcFD8=",
                Hasher::Pbkdf2Stretch { iterations: 100_000 },
            ),
            (
                "{PBKDF2_STRETCH}500000$4dpTEbu4jfjhDOjWY6xdsnxuQs4dg4QbNzZJ0Z1Tm4s=$Us/yrlCxVaW7mz0go1qIygFqGgcfUMgCZfIl2AvI4I8=",
                Hasher::Pbkdf2Stretch { iterations: 500_000 },
            ),
            (
                "{PBKDF2_STRETCH}1000000$eKeQvMztiIcqBynTNDFBseOBww3GBpHDZI6EPPVHYUw=$4587yrxUa02RZ1jeW1WOaMjRn5qT9iQ5/DIHk0nW2bE=",
                Hasher::Pbkdf2Stretch { iterations: 1_000_000 },
            ),
            ("{SHA}cojt0Pw//L6ToM8G41aOKFIWh7w=", Hasher::Sha1),
            ("{MD5}zAPnR6avu8v4vnZorP6+5Q==", Hasher::Md5),
            ("{SSHA256}AQIDBAUGBwg=ZH2cU6+isJvNFU+s6CiamMesW+S81XTh5U9K+eV0hEE=", Hasher::Ssha256),
            ("notavalidhashformat", Hasher::Noop),
            ("{plain}x", Hasher::Noop),
            // `x` is not a minor Elasticsearch's BCrypt accepts, so this is not bcrypt to it.
            ("$2x$10$flKBxak./o.7Hql0il/98ejdZyob67TmPhHbRy3qOnMtCBosAVSRy", Hasher::Noop),
            ("$2$10$flKBxak./o.7Hql0il/98ejdZyob67TmPhHbRy3qOnMtCBosAVSRy", Hasher::Noop),
            ("$2a", Hasher::Noop),
            ("{sha}cojt0Pw//L6ToM8G41aOKFIWh7w=", Hasher::Noop),
            ("", Hasher::Noop),
            // Unreadable costs fall back to the defaults (Elasticsearch throws); `verify` refuses them.
            ("$2a$xx$", Hasher::Bcrypt { cost: 10 }),
            ("{PBKDF2}abc", Hasher::Pbkdf2 { iterations: 10_000 }),
            ("{PBKDF2_STRETCH}-5$salt$key", Hasher::Pbkdf2Stretch { iterations: 10_000 }),
            // A cost Elasticsearch has no hasher for is still what the hash was made with.
            ("{PBKDF2}2000$salt$key", Hasher::Pbkdf2 { iterations: 2_000 }),
        ];
        for (hash, expected) in cases {
            assert_eq!(Hasher::resolve_from_hash(hash), expected, "{hash}");
        }
    }

    /// Token `elastic/fleet/token1:r5wdbdboQSe9vGOKwaJGAw` from Elasticsearch's
    /// `ServiceAccountSingleNodeTests` (the bearer token decodes to it).
    #[test]
    fn verifies_elasticsearch_service_token_pbkdf2_stretch() {
        let hash = "{PBKDF2_STRETCH}10000$8QN+eThJEaCd18sCP0nfzxJq2D9yhmSZgI20TDooYcE=$+0ELfqW4D2+/SlHvm/885dzv67qO2SMJg32Mv/9epXk=";
        assert_eq!(Hasher::resolve_from_hash(hash), Hasher::Pbkdf2Stretch { iterations: 10_000 });
        assert_known_answer(hash, "r5wdbdboQSe9vGOKwaJGAw", "3aJCLaQWRN2sXlOdtxA0SQ");
        // The same key is not a plain PBKDF2 of the secret: the stretch really is applied.
        let unstretched = hash.replacen(PBKDF2_STRETCH_PREFIX, PBKDF2_PREFIX, 1);
        assert!(!verify_hash("r5wdbdboQSe9vGOKwaJGAw", &unstretched));
    }

    /// The `service_tokens` file of Elasticsearch's `FileServiceAccountTokenStoreTests`; the secrets
    /// are the last fields of that test's `TOKENS` (`elastic/fleet/<name>` tokens, base64-decoded).
    #[test]
    fn verifies_elasticsearch_service_tokens_file() {
        assert_known_answer(
            "$2a$10$uuCzGHRrEz/QMB/.bmL8qOKXHhPNt57dYBbWCH/Hbb3SjUyZ.Hf1i",
            "XE90eAaoT1iW1W-vJf34qw",
            "52ejXlazRBafLuzGM5hFcg",
        );
        assert_known_answer(
            "$2a$10$ML0BUUxdzs8ApPNf1ayAwuh61ZhfqlzN/1DgZWZn6vNiUhpu1GKTe",
            "52ejXlazRBafLuzGM5hFcg",
            "XE90eAaoT1iW1W-vJf34qw",
        );
        assert_known_answer(
            "{PBKDF2}10000$0N2h5/AsDS5uO0/A+B6y8AnTCJ3Tqo8nygbzu1gkgpo=$5aTcCtteHf2g2ye7Y3p6jSZBoGhNJ7l6F3tmUhPTwRo=",
            "5DjRC_XRSAql5Hlampyv7Q",
            "wn0Xfx5IRHy2lOKScvfwrg",
        );
        assert_known_answer(
            "{PBKDF2}50000$IMzlphNClmrP/du40yxGM3fNjklg8CuACds12+Ry0jM=$KEC1S9a0NOs3OJKM4gEeBboU18EP4+3m/pyIA4MBDGk=",
            "wn0Xfx5IRHy2lOKScvfwrg",
            "5DjRC_XRSAql5Hlampyv7Q",
        );
        assert_known_answer(
            "{PBKDF2_STRETCH}10000$Pa3oNkj8xTD8j2gTgjWnTvnE6jseKApWMFjcNCLxX1U=$84ECweHFZQ2DblHEjHTRWA+fG6h5bVMyTSJUmFvTo1o=",
            "aI_0QLRfRyGBP1U60Sby2w",
            "5DjRC_XRSAql5Hlampyv7Q",
        );
    }

    /// The file realm's `users` fixture of Elasticsearch's `FileUserPasswdStoreTests`, password `test123`.
    #[test]
    fn verifies_elasticsearch_users_file() {
        assert_known_answer("$2a$05$zxnP0vdREMxnEpkLCDI2OuSaSk/QEKA2.A42iOpI6U2u.RLLOWm1e", "test123", "test124");
        assert_known_answer("{SHA}cojt0Pw//L6ToM8G41aOKFIWh7w=", "test123", "test124");
        assert_known_answer(
            "{PBKDF2}10000$ekcItXk4jtK2bBjbVk0rZuWRjT0DoQqQJOIfyMeLIxg=$RA2/Nn1jRi8QskRS5IVotCV0FBO6M8DlNXC37GKa/8c=",
            "test123",
            "test124",
        );
        assert_known_answer(
            "{PBKDF2}1000$32yPZSShxuKYAl47ip0g6VwbFrD8tvFJuQCoRPGhXC8=$cXAE1BkBXRmkv7pQA7fw4TZ1+rFWS2/nZGeA3kL1Eu8=",
            "test123",
            "test124",
        );
        assert_known_answer(
            "{PBKDF2}50000$z1CLJt0MEFjkIK5iEfgvfnA6xq7lF25uasspsTKSo5Q=$XxCVLbaKDimOdyWgLCLJiyoiWpA/XDMe/xtVgn1r5Sg=",
            "test123",
            "test124",
        );
        assert!(verify_hash("{plain}test123", "{plain}test123"), "unknown prefixes are clear text");
        assert!(!verify_hash("test123", "{plain}test123"), "`{{plain}}` is not a prefix Elasticsearch strips");
    }

    /// `HasherTests.testBcryptFromExternalSources`: `$2b$` and `$2y$` hashes from other tools, with
    /// exactly the checks Elasticsearch makes (each costs up to 2^14 rounds, so none are added).
    #[test]
    fn verifies_elasticsearch_external_bcrypt_hashes() {
        let checks = [
            ("$2b$12$0313KXrdhWp6HLREsKxW/OWJQCxy2uYprv44b8MBk6dOj3PY6WSFG", "my-password", true),
            ("$2b$12$0313KXrdhWp6HLREsKxW/OWJQCxy2uYprv44b8MBk6dOj3PY6WSFG", "not-the-password", false),
            ("$2b$12$4bf6s1NIUhyA5FtLn1UrpuZTByjNCC7f0r5OFJP9ra8U2LtcpcK7C", "changeme", true),
            ("$2b$12$4bf6s1NIUhyA5FtLn1UrpuZTByjNCC7f0r5OFJP9ra8U2LtcpcK7C", "changed-it", false),
            (
                "$2b$09$OLrfKSXQJxohtFnkU.VZCO1gKywaTSFi4KPHqhuyY3qetAbI8v6/S",
                "NjJmOWRmMjJmODEyZmQ1NjFhNWVmZmIwOWMwNjk4MmMK",
                true,
            ),
            (
                "$2b$09$OLrfKSXQJxohtFnkU.VZCO1gKywaTSFi4KPHqhuyY3qetAbI8v6/S",
                "nJjMowrMmJjModeYzMq1nJfHnwvMzMiWowmWnJK4mMmk",
                false,
            ),
            ("$2b$14$azbTD0EotrQtoSsxFpbx/.HG8hCAojDFmN4hsD8khuevk/9j0yPlK", "python 3.9.6; bcrypt 3.2.0", true),
            ("$2a$06$aQVRp5ajsIn3fzx2MnXKy.KlhxFLHaCOh8jSElqCtmYFbRkmTy..C", "https://bcrypt-generator.com/", true),
            ("$2y$10$flKBxak./o.7Hql0il/98ejdZyob67TmPhHbRy3qOnMtCBosAVSRy", "php", true),
        ];
        for (hash, secret, matches) in checks {
            assert_eq!(verify_hash(secret, hash), matches, "{secret:?} against {hash}");
        }
    }

    /// No `{MD5}` or `{SSHA256}` hash with a known secret exists in Elasticsearch's tests (they only
    /// round-trip these, as `round_trips_every_algorithm` does). These vectors were computed outside
    /// this crate with Python's `hashlib` following `Hasher.java`: MD5 of `test123`, and SHA-256 of
    /// `test123` followed by the salt bytes 1..=8 (`AQIDBAUGBwg=`).
    #[test]
    fn verifies_independently_computed_md5_and_ssha256() {
        assert_known_answer("{MD5}zAPnR6avu8v4vnZorP6+5Q==", "test123", "test124");
        assert_known_answer("{SSHA256}AQIDBAUGBwg=ZH2cU6+isJvNFU+s6CiamMesW+S81XTh5U9K+eV0hEE=", "test123", "test124");
        // Non-ASCII secrets are hashed as UTF-8, like `CharArrays.toUtf8Bytes`.
        assert_known_answer("{SHA}9Rfd8dMqES/xrVXGbRsSyzjn6Pc=", "pässwörd", "passwort");
    }

    #[test]
    fn round_trips_every_algorithm() {
        // Cheap configurations with several secrets (empty, non-ASCII); the default costs once.
        for hasher in [
            Hasher::Bcrypt { cost: 4 },
            Hasher::Pbkdf2 { iterations: 1_000 },
            Hasher::Pbkdf2Stretch { iterations: 1_000 },
            Hasher::Sha1,
            Hasher::Md5,
            Hasher::Ssha256,
            Hasher::Noop,
        ] {
            for secret in ["r5wdbdboQSe9vGOKwaJGAw", "pässwörd ✓", ""] {
                assert_round_trip(hasher, secret);
            }
        }
        for name in ["bcrypt", "pbkdf2", "pbkdf2_stretch"] {
            assert_round_trip(Hasher::resolve(name).unwrap(), "r5wdbdboQSe9vGOKwaJGAw");
        }
    }

    #[test]
    fn new_hashes_have_elasticsearch_layout() {
        let bcrypt = Hasher::Bcrypt { cost: 4 }.hash("secret");
        assert!(bcrypt.starts_with("$2a$04$") && bcrypt.len() == 60, "{bcrypt}");

        for (hasher, prefix) in [
            (Hasher::Pbkdf2 { iterations: 1_000 }, "{PBKDF2}1000$"),
            (Hasher::Pbkdf2Stretch { iterations: 1_000 }, "{PBKDF2_STRETCH}1000$"),
        ] {
            let hash = hasher.hash("secret");
            let rest = hash.strip_prefix(prefix).unwrap_or_else(|| panic!("{hash}"));
            let (salt, key) = rest.split_once('$').unwrap();
            assert_eq!(STANDARD.decode(salt).unwrap().len(), 32, "{hash}");
            assert_eq!(STANDARD.decode(key).unwrap().len(), 32, "{hash}");
        }

        let ssha = Hasher::Ssha256.hash("secret");
        let rest = ssha.strip_prefix(SSHA256_PREFIX).unwrap();
        assert_eq!(STANDARD.decode(&rest[..12]).unwrap().len(), 8, "{ssha}");
        assert_eq!(STANDARD.decode(&rest[12..]).unwrap().len(), 32, "{ssha}");

        assert_eq!(Hasher::Sha1.hash("test123"), "{SHA}cojt0Pw//L6ToM8G41aOKFIWh7w=");
        assert_eq!(Hasher::Md5.hash("test123"), "{MD5}zAPnR6avu8v4vnZorP6+5Q==");
        assert_eq!(Hasher::Noop.hash("test123"), "test123");
        assert_ne!(Hasher::Ssha256.hash("x"), Hasher::Ssha256.hash("x"), "salt is fresh each time");
    }

    #[test]
    fn malformed_hashes_never_verify() {
        let valid_salt = "8QN+eThJEaCd18sCP0nfzxJq2D9yhmSZgI20TDooYcE=";
        let valid_key = "+0ELfqW4D2+/SlHvm/885dzv67qO2SMJg32Mv/9epXk=";
        let malformed = [
            "{PBKDF2}abc".to_owned(),
            "{PBKDF2}".to_owned(),
            "{PBKDF2}10000$short$".to_owned(),
            "{PBKDF2}10000$short".to_owned(),
            "{PBKDF2}10000$$".to_owned(),
            format!("{{PBKDF2}}10000${valid_salt}$"),
            format!("{{PBKDF2}}10000${valid_salt}"),
            format!("{{PBKDF2_STRETCH}}10000${}${valid_key}", &valid_salt[..10]),
            format!("{{PBKDF2_STRETCH}}10000${valid_salt}${}", &valid_key[..30]),
            format!("{{PBKDF2_STRETCH}}10000${valid_salt}${}", &valid_key[..5]),
            format!("{{PBKDF2_STRETCH}}10000$!!!!${valid_key}"),
            format!("{{PBKDF2_STRETCH}}10000$AAAAAA==${valid_key}"), // 4-byte salt, under the minimum of 8
            format!("{{PBKDF2_STRETCH}}0${valid_salt}${valid_key}"),
            format!("{{PBKDF2_STRETCH}}abcde${valid_salt}${valid_key}"),
            format!("{{PBKDF2_STRETCH}}99999999999${valid_salt}${valid_key}"),
            format!("{{PBKDF2_STRETCH}}10000${valid_salt}${valid_key}$"),
            format!("{{PBKDF2_STRETCH}}10000${valid_salt}${valid_key}é"),
            "{PBKDF2_STRETCH}".to_owned(),
            "{SSHA256}".to_owned(),
            "{SSHA256}short".to_owned(),
            "{SSHA256}!!!!!!!!!!!!ZH2cU6+isJvNFU+s6CiamMesW+S81XTh5U9K+eV0hEE=".to_owned(),
            "{SSHA256}AQIDBAUGBwé=ZH2cU6+isJvNFU+s6CiamMesW+S81XTh5U9K+eV0hEE=".to_owned(),
            "{SHA}".to_owned(),
            "{MD5}zAPnR6avu8v4vnZorP6+5Q".to_owned(),
            "$2a$10$short".to_owned(),
            "$2a$".to_owned(),
            "$2a$xx$flKBxak./o.7Hql0il/98ejdZyob67TmPhHbRy3qOnMtCBosAVSRy".to_owned(),
            "$2a$+6$aQVRp5ajsIn3fzx2MnXKy.KlhxFLHaCOh8jSElqCtmYFbRkmTy..C".to_owned(),
            "$2a$006$aQVRp5ajsIn3fzx2MnXKy.KlhxFLHaCOh8jSElqCtmYFbRkmTy..C".to_owned(),
            "$2a$06$aQVRp5ajsIn3fzx2MnXKy.KlhxFLHaCOh8jSElqCtmYFbRkmTy..".to_owned(),
            "$2a$06$aQVRp5ajsIn3fzx2MnXKy.KlhxFLHaCOh8jSElqCtmYFbRkmTy..C$".to_owned(),
            "$2a$03$aQVRp5ajsIn3fzx2MnXKy.KlhxFLHaCOh8jSElqCtmYFbRkmTy..C".to_owned(),
            "$2a$06$aQVRp5ajsIn3fzx2MnXKy.KlhxFLHaCOh8jSElqCtmYFbRkmTé.C".to_owned(),
        ];
        for hash in &malformed {
            let hasher = Hasher::resolve_from_hash(hash);
            for secret in ["r5wdbdboQSe9vGOKwaJGAw", ""] {
                assert!(!hasher.verify(secret, hash), "{hasher:?} accepted {hash}");
                assert!(!verify_hash(secret, hash), "verify_hash accepted {hash}");
            }
        }
    }

    /// Salts are read with Java's lenient decoder, while keys are compared as base64 text, as upstream.
    #[test]
    fn pbkdf2_salt_padding_is_optional_but_key_text_must_match() {
        let salt = "8QN+eThJEaCd18sCP0nfzxJq2D9yhmSZgI20TDooYcE";
        let key = "+0ELfqW4D2+/SlHvm/885dzv67qO2SMJg32Mv/9epXk";
        assert!(verify_hash("r5wdbdboQSe9vGOKwaJGAw", &format!("{{PBKDF2_STRETCH}}10000${salt}${key}=")));
        assert!(!verify_hash("r5wdbdboQSe9vGOKwaJGAw", &format!("{{PBKDF2_STRETCH}}10000${salt}=${key}")));
    }

    #[test]
    fn pbkdf2_hashes_verify_only_at_the_hashers_own_iteration_count() {
        let hash = Hasher::Pbkdf2 { iterations: 1_000 }.hash("secret");
        assert!(!Hasher::Pbkdf2 { iterations: 10_000 }.verify("secret", &hash));
        assert!(!Hasher::Pbkdf2Stretch { iterations: 1_000 }.verify("secret", &hash), "prefixes differ");
        assert!(Hasher::Pbkdf2 { iterations: 1_000 }.verify("secret", &hash));
        // Like Java's `Integer.parseInt`, a leading `+` or zeros still name the same count.
        let signed = hash.replacen("{PBKDF2}1000$", "{PBKDF2}+01000$", 1);
        assert!(verify_hash("secret", &signed));
    }

    #[test]
    fn costs_elasticsearch_has_no_hasher_for_never_verify() {
        let hasher = Hasher::Pbkdf2 { iterations: 2_000 };
        let hash = hasher.hash("secret");
        assert!(hasher.verify("secret", &hash), "the hash itself is sound");
        assert!(!verify_hash("secret", &hash), "but Elasticsearch has no pbkdf2_2000 to check it with");

        let stretched = Hasher::Pbkdf2Stretch { iterations: 1 }.hash("secret");
        assert!(!verify_hash("secret", &stretched));

        // Checked before any rounds are run, so this costs nothing although 2^15 rounds are named.
        let bcrypt15 = "$2a$15$aQVRp5ajsIn3fzx2MnXKy.KlhxFLHaCOh8jSElqCtmYFbRkmTy..C";
        assert_eq!(Hasher::resolve_from_hash(bcrypt15), Hasher::Bcrypt { cost: 15 });
        assert!(!verify_hash("https://bcrypt-generator.com/", bcrypt15));
    }

    #[test]
    fn noop_compares_plaintext() {
        assert!(verify_hash("clear", "clear"));
        assert!(!verify_hash("clear", "clearer"));
        assert!(!verify_hash("clear", "Clear"));
        assert!(verify_hash("", ""));
        assert!(Hasher::Noop.verify("{SHA}cojt0Pw//L6ToM8G41aOKFIWh7w=", "{SHA}cojt0Pw//L6ToM8G41aOKFIWh7w="));
    }

    #[test]
    #[should_panic(expected = "bcrypt cost 3")]
    fn hashing_with_a_cost_elasticsearch_cannot_run_panics() {
        Hasher::Bcrypt { cost: 3 }.hash("secret");
    }
}
