use serde::Deserialize;
use top_api::top_api;

#[derive(Deserialize)]
pub struct TimeGetResponse {}

#[top_api(method = "taobao.time.get", response = TimeGetResponse)]
pub struct TimeGet {
    #[top(max_len = 10)]
    pub all: bool,
}

fn main() {}
