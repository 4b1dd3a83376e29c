use serde::Deserialize;
use top_api::top_api;

#[derive(Deserialize)]
pub struct TimeGetResponse {}

#[top_api(method = "taobao..get", response = TimeGetResponse)]
pub struct TimeGet;

fn main() {}
