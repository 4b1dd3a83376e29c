//! Picks the slot of APIs the round-trip test compiles (see `tests/every_api.rs`): the one
//! `TOP_API_SLOT` names, else the commit's, so that a commit always tests the same APIs and
//! successive commits cover every one. Outside a git checkout, slot 0.

use std::path::{Path, PathBuf};
use std::process::Command;

use top_api_rules::{slot_of, SLOTS};

fn main() {
    println!("cargo::rerun-if-env-changed=TOP_API_SLOT");
    let values: Vec<String> = (0..SLOTS).map(|slot| format!("\"{slot}\"")).collect();
    println!("cargo::rustc-check-cfg=cfg(top_api_slot, values({}))", values.join(", "));
    let slot = match std::env::var("TOP_API_SLOT") {
        Ok(slot) => match slot.parse::<u64>() {
            Ok(slot) if slot < SLOTS => slot,
            _ => panic!("TOP_API_SLOT is `{slot}`: expected a slot from 0 to {}", SLOTS - 1),
        },
        Err(_) => commit().map_or(0, |commit| slot_of(&commit)),
    };
    println!("cargo::rustc-cfg=top_api_slot=\"{slot}\"");
    println!("cargo::rustc-env=TOP_API_SLOT_BUILT={slot}");
}

/// The commit checked out, and a rerun of this script whenever it moves.
fn commit() -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let git_dir = PathBuf::from(git(&["rev-parse", "--absolute-git-dir"])?);
    // HEAD names the branch; the branch's ref (loose or packed) names the commit.
    rerun_if_changed(&git_dir.join("HEAD"));
    rerun_if_changed(&git_dir.join("packed-refs"));
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        rerun_if_changed(&git_dir.join(branch));
    }
    git(&["rev-parse", "HEAD"])
}

fn rerun_if_changed(path: &Path) {
    if path.exists() {
        println!("cargo::rerun-if-changed={}", path.display());
    }
}
