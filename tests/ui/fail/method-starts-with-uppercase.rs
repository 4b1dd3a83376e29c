use serde::Deserialize;
use top_api::top_api;

#[derive(Deserialize)]
pub struct TimeGetResponse {}

#[top_api(method = "Taobao.time.get", response = TimeGetResponse)]
pub struct TimeGet;

fn main() {}
