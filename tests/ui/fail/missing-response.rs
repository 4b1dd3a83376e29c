use top_api::top_api;

#[top_api(method = "taobao.time.get")]
pub struct TimeGet;

fn main() {}
