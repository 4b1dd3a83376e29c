//! The system params: what the client sends with every call.

/// The system params: the names the client sends itself (`method`, `app_key`, `session`,
/// `timestamp`, `v`, `sign`, `sign_method`, `format`, `simplify`, `partner_id`,
/// `target_app_key`). No param of an API may take one: the attribute refuses such a field,
/// an untyped call such a param, and the generator such a page.
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
