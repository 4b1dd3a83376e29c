use serde::Deserialize;
use top_api::top_api;

#[derive(Deserialize)]
pub struct TimeGetResponse {}

#[top_api(method = "Taobao", response = TimeGetResponse, sesion = "required")]
pub struct TimeGet {
    pub sign: String,
    #[top(rename = "zone")]
    pub a: String,
    #[top(rename = "zone")]
    pub b: String,
}

fn main() {
    // The struct is still emitted: using it raises no further error.
    let _ = TimeGet { sign: String::new(), a: String::new(), b: String::new() };
}
