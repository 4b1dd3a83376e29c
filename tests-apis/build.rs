//! Picks the slot of APIs the round-trip test compiles (see `tests/every_api.rs`): the one
//! `TOP_API_SLOT` names, else one by the day, so that successive days cover every API.

use std::time::{SystemTime, UNIX_EPOCH};

/// As many as `cargo xtask codegen` deals the APIs into.
const SLOTS: u64 = 16;

fn main() {
    println!("cargo::rerun-if-env-changed=TOP_API_SLOT");
    let values: Vec<String> = (0..SLOTS).map(|slot| format!("\"{slot}\"")).collect();
    println!("cargo::rustc-check-cfg=cfg(top_api_slot, values({}))", values.join(", "));
    let slot = match std::env::var("TOP_API_SLOT") {
        Ok(slot) => match slot.parse::<u64>() {
            Ok(slot) if slot < SLOTS => slot,
            _ => panic!("TOP_API_SLOT is `{slot}`: expected a slot from 0 to {}", SLOTS - 1),
        },
        Err(_) => SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs() / 86_400) % SLOTS,
    };
    println!("cargo::rustc-cfg=top_api_slot=\"{slot}\"");
    println!("cargo::rustc-env=TOP_API_SLOT_BUILT={slot}");
}
