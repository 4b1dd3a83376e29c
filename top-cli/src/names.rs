//! How the platform's names become Rust names: modules, types and fields.

/// Rust's keywords, strict and reserved, in every edition: a field named after one is
/// written as a raw identifier (`r#type`), or renamed where Rust allows no raw form.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that have no raw form: `r#self` is not an identifier.
const NO_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Type names a generated type may not take: the prelude's and the standard names a user's
/// code is likely to mean, and top-api's own. A generated type named so would shadow them
/// for whoever glob-imports the module.
pub const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "Box",
    "String",
    "ToString",
    "ToOwned",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Default",
    "Debug",
    "Display",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "Iterator",
    "IntoIterator",
    "Extend",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "AsRef",
    "AsMut",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "Self",
    "Date",
    "DateTime",
    "Decimal",
    "Json",
    "File",
    "Object",
    "Request",
    "Response",
    "Error",
    "Client",
    "Params",
    "Param",
    "Value",
    "Map",
];

/// Splits a name into words: at `.`, `_`, `-` and other separators, and where the case
/// turns (`userAuthCode` → user, Auth, Code; `HTTPServer` → HTTP, Server; `DTO2` → DTO2).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = current.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let turn = (c.is_ascii_uppercase() && (prev.is_ascii_lowercase() || prev.is_ascii_digit()))
                || (c.is_ascii_uppercase()
                    && prev.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if turn {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `userAuthCode` → `user_auth_code`; `push.aliyuncs.com.pushMsg.2015-03-18` →
/// `push_aliyuncs_com_push_msg_2015_03_18`. Not yet a valid identifier: see [`field`].
pub fn snake(name: &str) -> String {
    words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_")
}

/// `taobao.tbk.item.info.get` → `TaobaoTbkItemInfoGet`; `n_tbk_item` → `NTbkItem`. A
/// name that would start with a digit gets a leading `N`.
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, 'N');
    }
    out
}

/// A field's Rust name for a wire name: snake case, a raw identifier for a keyword
/// (`r#type`), a trailing `_` where no raw form exists (`self_`), a leading `_` before a
/// digit (`_3rd_party`).
pub fn field(wire: &str) -> String {
    let mut name = snake(wire);
    if name.is_empty() {
        name.push_str("field");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if NO_RAW.contains(&name.as_str()) {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// A module's Rust name for a method: snake case, `_` before a leading digit, a trailing
/// `_` for a keyword.
pub fn module(method: &str) -> String {
    let mut name = snake(method);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) || NO_RAW.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The identifier as written, without a raw prefix: what the attribute sends a field as
/// when no `rename` says otherwise.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_become_modules_and_types() {
        let cases = [
            ("taobao.tbk.item.info.get", "taobao_tbk_item_info_get", "TaobaoTbkItemInfoGet"),
            ("taobao.miniapp.userInfo.get", "taobao_miniapp_user_info_get", "TaobaoMiniappUserInfoGet"),
            (
                "push.aliyuncs.com.pushMsg.2015-03-18",
                "push_aliyuncs_com_push_msg_2015_03_18",
                "PushAliyuncsComPushMsg20150318",
            ),
            (
                "account.aliyuncs.com.CreateAliyunAccount.2013-07-01",
                "account_aliyuncs_com_create_aliyun_account_2013_07_01",
                "AccountAliyuncsComCreateAliyunAccount20130701",
            ),
            (
                "m-kvstore.aliyuncs.com.DescribeRegions.2015-03-01",
                "m_kvstore_aliyuncs_com_describe_regions_2015_03_01",
                "MKvstoreAliyuncsComDescribeRegions20150301",
            ),
            (
                "alitrip.flight.basic.data.city.queryAll",
                "alitrip_flight_basic_data_city_query_all",
                "AlitripFlightBasicDataCityQueryAll",
            ),
        ];
        for (method, module_name, type_name) in cases {
            assert_eq!(module(method), module_name);
            assert_eq!(camel(method), type_name);
        }
    }

    #[test]
    fn wire_names_become_fields() {
        let cases = [
            ("userAuthCode", "user_auth_code"),
            ("user_id", "user_id"),
            ("type", "r#type"),
            ("self", "self_"),
            ("Self", "self_"),
            ("crate", "crate_"),
            ("_", "field"),
            ("3rd_party", "_3rd_party"),
            ("dimission.employee", "dimission_employee"),
            ("itemID", "item_id"),
            ("HTTPServer", "http_server"),
            ("tk3rd_pub_id", "tk3rd_pub_id"),
            ("async", "r#async"),
        ];
        for (wire, rust) in cases {
            assert_eq!(field(wire), rust, "{wire}");
        }
    }

    #[test]
    fn type_names() {
        assert_eq!(camel("NTbkItem"), "NTbkItem");
        assert_eq!(camel("ServiceFeeDTO"), "ServiceFeeDTO");
        assert_eq!(camel("mark_item"), "MarkItem");
        assert_eq!(camel("2ndItem"), "N2ndItem");
    }
}
