//! An expansion inside a crate that denies warnings and undocumented items.
#![deny(warnings, missing_docs, unused_qualifications)]

use serde::Deserialize;
use top_api::top_api;

/// The answer.
#[derive(Deserialize)]
pub struct TimeGetResponse {
    /// The server time.
    pub time: String,
}

/// Gets the server time.
#[top_api(method = "taobao.time.get", response = TimeGetResponse, session = "optional")]
pub struct TimeGet {
    /// A zone.
    pub zone: Option<String>,
    /// A filter.
    #[top(json)]
    pub filter: Vec<String>,
}

/// Needs a session.
#[top_api(method = "taobao.baodian.deposit.get", response = TimeGetResponse, session = "required")]
pub struct DepositGet;

fn main() {
    let _ = (TimeGet { zone: None, filter: Vec::new() }, DepositGet);
}
