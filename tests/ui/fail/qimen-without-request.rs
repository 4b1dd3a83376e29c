use top_api::{top_api, Object};

#[derive(Debug, Default, Object)]
pub struct Answer {
    pub flag: Option<String>,
}

#[derive(Debug, Default, Object)]
pub struct Order {
    pub code: Option<String>,
}

// A Qimen API sends its `request` as the XML body: it must have one.
#[top_api(method = "taobao.qimen.order.create", response = Answer, qimen = true)]
pub struct OrderCreate {
    #[top(rename = "customerId")]
    pub customer_id: String,
    #[top(object)]
    pub order: Option<Order>,
}

// Its `request` is an object, not text.
#[top_api(method = "taobao.qimen.order.update", response = Answer, qimen = true)]
pub struct OrderUpdate {
    #[top(rename = "customerId")]
    pub customer_id: String,
    pub request: String,
}

fn main() {}
