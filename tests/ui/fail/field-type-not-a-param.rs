use serde::Deserialize;
use top_api::top_api;

#[derive(Deserialize)]
pub struct TimeGetResponse {}

pub struct Zone;

#[top_api(method = "taobao.time.get", response = TimeGetResponse)]
pub struct TimeGet {
    pub user: String,
    pub zone: Zone,
}

fn main() {}
