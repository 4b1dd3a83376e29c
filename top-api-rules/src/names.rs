//! Names the platform derives from other names.

/// The key that wraps a list of objects of the platform type `type_name` in a JSON answer,
/// and the element that repeats in an XML one: an `_` before every capital but the first,
/// all lowercase (`NTbkItem` → `n_tbk_item`, `ServiceFeeDTO` → `service_fee_d_t_o`).
///
/// # Examples
///
/// ```
/// assert_eq!(top_api_rules::list_key("NTbkItem"), "n_tbk_item");
/// ```
pub fn list_key(type_name: &str) -> String {
    let mut out = String::with_capacity(type_name.len() + 4);
    for (i, c) in type_name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_keys() {
        assert_eq!(list_key("NTbkItem"), "n_tbk_item");
        assert_eq!(list_key("ServiceFeeDTO"), "service_fee_d_t_o");
        assert_eq!(list_key("item"), "item");
        assert_eq!(list_key("Sku2"), "sku2");
        assert_eq!(list_key(""), "");
    }
}
