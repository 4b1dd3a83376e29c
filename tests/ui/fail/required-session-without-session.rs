use serde::Deserialize;
use top_api::top_api;

#[derive(Deserialize)]
pub struct TimeGetResponse {}

#[top_api(method = "taobao.baodian.deposit.get", response = TimeGetResponse, session = "required")]
pub struct DepositGet;

fn main() {
    let client = top_api::Client::builder("12345678", "secret").build().unwrap();
    let _ = client.execute(&DepositGet);
}
