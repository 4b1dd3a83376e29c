use serde::Deserialize;
use top_api::top_api;

#[derive(Deserialize)]
pub struct TimeGetResponse {}

#[top_api(method = "taobao.time.get", response = TimeGetResponse)]
pub union TimeGet {
    pub now: u32,
}

fn main() {}
