//! The attribute's compile errors and its hygiene, checked with trybuild.
//!
//! After a toolchain bump: `TRYBUILD=overwrite cargo test -p top-api-tests --test ui`,
//! then review every changed `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
