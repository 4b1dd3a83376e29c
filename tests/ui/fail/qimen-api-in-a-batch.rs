use top_api::{top_api, Object};

#[derive(Debug, Default, Object)]
pub struct Answer {
    pub flag: Option<String>,
}

#[derive(Debug, Default, Object)]
pub struct Order {
    pub code: Option<String>,
}

// A Qimen call goes to the Qimen router on its own: a batch cannot carry it.
#[top_api(method = "taobao.qimen.order.cancel", response = Answer, qimen = true)]
#[derive(Default)]
pub struct OrderCancel {
    #[top(rename = "customerId")]
    pub customer_id: String,
    #[top(object)]
    pub request: Option<Order>,
}

fn main() {
    let client = top_api::Client::builder("1", "secret").build().unwrap();
    let mut batch = client.batch();
    let _ = batch.add(&OrderCancel::default());
}
