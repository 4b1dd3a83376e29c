//! The library behind the `top` command: reading TOP documentation pages and the platform
//! catalog into one model of an API, and writing annotated Rust from it.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod embedded;
pub mod emit;
pub mod gen;
pub mod model;
pub mod names;
pub mod page;
pub mod sample;
pub mod serve;
pub mod share;
