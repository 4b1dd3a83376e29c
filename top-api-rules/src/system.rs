//! The system params: what the client sends with every call.

/// The system params: the names the client sends itself (`method`, `app_key`, `session`,
/// `timestamp`, `v`, `sign`, `sign_method`, `format`, `simplify`, `partner_id`,
/// `target_app_key`). No param of an API may take one the client sends with every call
/// ([`is_reserved`]): the attribute refuses such a field, an untyped call such a param, and
/// the generator such a page.
pub const SYSTEM_PARAMS: &[&str] = &[
    "method",
    "app_key",
    "session",
    "timestamp",
    "v",
    "sign",
    "sign_method",
    "format",
    "simplify",
    "partner_id",
    "target_app_key",
];

/// The system params the client sends only when a call asks for one (`target_app_key`, a
/// call option). An API may have an own param of that name (`taobao.opencrm.testtmc.send`
/// has `target_app_key`): it is declared like any param, and a call of that API may not
/// send the client's value of it too.
pub const OPTIONAL_SYSTEM_PARAMS: &[&str] = &["target_app_key"];

/// Whether no param of an API may take `name`: a system param the client sends with every
/// call, whose value would clash with the API's.
///
/// ```
/// assert!(top_api_rules::is_reserved("timestamp"));
/// assert!(!top_api_rules::is_reserved("target_app_key"));
/// assert!(!top_api_rules::is_reserved("page_no"));
/// ```
pub fn is_reserved(name: &str) -> bool {
    SYSTEM_PARAMS.contains(&name) && !OPTIONAL_SYSTEM_PARAMS.contains(&name)
}
