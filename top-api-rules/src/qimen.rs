//! Qimen (奇门), the router between ERPs and WMS/OMS: which APIs go through it, and the
//! names its XML takes.

/// The one request param of a Qimen API: the whole request, sent as the XML body.
pub const QIMEN_BODY_PARAM: &str = "request";

/// The per-call system param of a Qimen call: the customer (owner) code the router routes
/// by, sent in the query string beside the usual system params.
pub const QIMEN_CUSTOMER_PARAM: &str = "customerId";

/// The root element of a Qimen answer, which holds `flag`, `code`, `message` and the
/// payload's fields.
pub const QIMEN_ANSWER_ROOT: &str = "response";

/// Whether the API `method`, whose own params are named `params`, is a Qimen API, sent as
/// an XML body to the Qimen router rather than as a form to the REST gateway: a
/// `taobao.qimen.*` method whose only param is one object named `request`. The other
/// `taobao.qimen.*` APIs (flat params) are REST APIs.
///
/// # Examples
///
/// ```
/// use top_api_rules::is_qimen;
///
/// assert!(is_qimen("taobao.qimen.entryorder.create", &["request"], true));
/// assert!(!is_qimen("taobao.qimen.events.produce", &["messages"], true));
/// assert!(!is_qimen("taobao.trade.get", &["request"], true));
/// // `request` must be an object: a text param of that name is a REST param.
/// assert!(!is_qimen("taobao.qimen.x.get", &["request"], false));
/// ```
pub fn is_qimen(method: &str, params: &[&str], request_is_object: bool) -> bool {
    method.starts_with("taobao.qimen.") && params == [QIMEN_BODY_PARAM] && request_is_object
}

/// The element each item of a list is written as inside its wrapper, in a Qimen body:
/// the item type's name in lowerCamelCase (`OrderLine` → `orderLine`, as in
/// `<orderLines><orderLine>…</orderLine></orderLines>`); a scalar item is `string`,
/// `number` or `boolean`, as the platform's XML writes them.
///
/// # Examples
///
/// ```
/// assert_eq!(top_api_rules::qimen_item_name("OrderLine"), "orderLine");
/// assert_eq!(top_api_rules::qimen_item_name("SKU"), "sKU");
/// ```
pub fn qimen_item_name(type_name: &str) -> String {
    let mut chars = type_name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_names() {
        assert_eq!(qimen_item_name("OrderLine"), "orderLine");
        assert_eq!(qimen_item_name("item"), "item");
        assert_eq!(qimen_item_name(""), "");
    }

    #[test]
    fn only_the_one_request_object_of_a_qimen_method() {
        assert!(is_qimen("taobao.qimen.deliveryorder.confirm", &["request"], true));
        assert!(!is_qimen("taobao.qimen.deliveryorder.confirm", &["request", "extra"], true));
        assert!(!is_qimen("taobao.qimen.deliveryorder.confirm", &[], true));
        assert!(!is_qimen("alibaba.qimen.x", &["request"], true));
    }
}
