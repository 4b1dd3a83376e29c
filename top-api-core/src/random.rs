//! Random bits for what needs no cryptography (retry jitter, multipart boundaries), from
//! the standard library's per-process random hash keys.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// 64 random bits.
pub(crate) fn bits() -> u64 {
    RandomState::new().build_hasher().finish()
}

/// A number in [0, 1).
pub(crate) fn fraction() -> f64 {
    (bits() >> 11) as f64 / (1u64 << 53) as f64
}

/// `wait` jittered by up to a quarter either way, so that many clients that failed together
/// do not come back together.
#[cfg_attr(not(feature = "messages"), allow(dead_code))]
pub(crate) fn jitter(wait: std::time::Duration) -> std::time::Duration {
    wait.mul_f64(0.75 + 0.5 * fraction())
}
