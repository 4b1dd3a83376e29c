//! The library behind the `top` command: reading TOP documentation pages and generating
//! annotated Rust from them.
#![forbid(unsafe_code)]

pub mod gen;
pub mod page;
