//! The typed APIs of the Taobao Open Platform that ship with the crate.
