//! The slots the generated APIs' round-trip test deals the APIs into.

/// How many slots the generated APIs are dealt into for the round-trip test through the
/// sandbox: a build compiles one slot (all of them at once need more rustc memory than a
/// machine has) and the fixed set of APIs that covers every type mapping.
pub const SLOTS: u64 = 16;

/// The slot a commit tests: the same commit always tests the same APIs, and successive
/// commits spread over every slot. `commit` is its hexadecimal hash (a prefix does too);
/// text that is not one picks slot 0.
///
/// # Examples
///
/// ```
/// use top_api_rules::{slot_of, SLOTS};
///
/// let slot = slot_of("f5c7374a1e0b9c2d");
/// assert!(slot < SLOTS);
/// assert_eq!(slot, slot_of("f5c7374a1e0b9c2d"));
/// ```
pub fn slot_of(commit: &str) -> u64 {
    let digits = commit.trim().get(..12).unwrap_or(commit.trim());
    u64::from_str_radix(digits, 16).map_or(0, |value| value % SLOTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_spread_over_the_slots() {
        assert_eq!(slot_of("000000000000ffff"), 0);
        assert_eq!(slot_of("00000000000f"), 15);
        assert_eq!(slot_of("not hex"), 0);
        assert_eq!(slot_of(""), 0);
        let slots: std::collections::BTreeSet<u64> =
            (0..64_u64).map(|n| slot_of(&format!("{:012x}", n * 0x1_0001))).collect();
        assert_eq!(slots.len(), usize::try_from(SLOTS).unwrap());
    }
}
