//! The platform's message channel (TMC): the events it pushes to an app, such as an order
//! paid (`taobao_trade_TradeBuyerPay`), a refund opened (`taobao_refund_RefundCreated`) or an
//! item changed (`taobao_item_ItemUpdate`), for the users who authorized the app.
//!
//! Messages wait in one queue per app key and group until they are **confirmed**; one that
//! is not confirmed comes again later, so delivery is at least once. A consumer reads them
//! over a WebSocket (`ws://mc.api.taobao.com/`), one [`frame`] per WebSocket message, or by
//! polling the REST APIs `taobao.tmc.messages.consume` and `taobao.tmc.messages.confirm`.
//!
//! This module is the REST APIs' sibling: the generated `top_api::tmc` package (feature
//! `tmc`) holds the REST APIs themselves.

mod consumer;
pub mod frame;
mod message;
// The fields are named as the platform names them; the data keeps no descriptions.
#[allow(missing_docs)]
pub mod topics;

pub use self::consumer::{ConfirmMode, Confirmer, Consumer, ConsumerBuilder, Stats, DEFAULT_GROUP, DEFAULT_URL};
pub use self::message::{Message, MessageError, MAX_CONTENT_BYTES};

/// The content of one topic's messages, read by [`Message::read`].
///
/// [`topics`] has a type for each topic apps consume most (trades, refunds, items,
/// logistics), generated from the platform's message documentation; for another topic,
/// write the type with `#[derive(Default, top_api::Object)]` (every field an `Option`, as the
/// platform may leave any out) and name its topic:
///
/// ```
/// use top_api::messages::{Message, Topic};
///
/// #[derive(Debug, Default, top_api::Object)]
/// struct TcpOrder {
///     tid: Option<i64>,
///     anchor_open_id: Option<String>,
/// }
///
/// impl Topic for TcpOrder {
///     const TOPIC: &'static str = "taobao_live_TcpOrder";
/// }
///
/// let message = Message::new(1, "taobao_live_TcpOrder", r#"{"tid":"1234567833","anchor_open_id":"JSKLDJF"}"#);
/// let order = message.read::<TcpOrder>()?.expect("a taobao_live_TcpOrder");
/// assert_eq!(order.tid, Some(1234567833));
/// # Ok::<(), top_api::DecodeError>(())
/// ```
pub trait Topic: serde::de::DeserializeOwned {
    /// The topic's name, as a message's [`topic`](Message::topic) carries it:
    /// `taobao_trade_TradeBuyerPay`.
    const TOPIC: &'static str;
}

/// The statuses of a refused CONNECT (its CONNECTACK's `StatusCode`): the gateway's codes for
/// the same mistakes. Trying again cannot mend these; another status (a busy server's) can.
pub mod status {
    /// The sign does not match.
    pub const BAD_SIGN: i32 = 25;
    /// The `token` is not one `taobao.tmc.auth.get` gave for the group, or none came where
    /// one is required: a session not known, as the gateway's 27.
    pub const BAD_TOKEN: i32 = 27;
    /// The app key is not known.
    pub const BAD_APP_KEY: i32 = 29;
    /// The timestamp is missing, unreadable, or more than ten minutes off.
    pub const BAD_TIMESTAMP: i32 = 31;

    /// Whether a refusal with `status` is one that trying again cannot mend.
    pub fn is_final(status: i64) -> bool {
        [BAD_SIGN, BAD_TOKEN, BAD_APP_KEY, BAD_TIMESTAMP].iter().any(|&code| i64::from(code) == status)
    }
}

/// The `__kind` of a SEND: what it asks for or carries.
pub mod kind {
    /// Client → server: send me what is queued.
    pub const PULL: u8 = 1;
    /// Client → server: the message `id` is handled; drop it from the queue.
    pub const CONFIRM: u8 = 2;
    /// Either way: a message (server → client), or one to publish (client → server).
    pub const MESSAGE: u8 = 3;
    /// Client → server: the message `id` failed (`msg` says why); deliver it again later.
    pub const FAILED: u8 = 20;
}

/// The `sign` of a CONNECT: the platform's md5 signature of exactly `app_key`, `group_name`
/// and `timestamp` (milliseconds since the epoch, as decimal text), as a REST call's is made
/// (the secret, then each name and value in name order, then the secret; MD5, upper hex).
///
/// ```
/// use top_api::messages::connect_sign;
///
/// assert_eq!(connect_sign("12345678", "helloworld", "default", 1_700_000_000_000), "C86848D198760FA334AA309207C72ECD");
/// ```
pub fn connect_sign(app_key: &str, app_secret: &str, group: &str, timestamp_ms: i64) -> String {
    let timestamp = timestamp_ms.to_string();
    let params = [("app_key", app_key), ("group_name", group), ("timestamp", timestamp.as_str())];
    crate::sign::sign(&params, app_secret, crate::SignMethod::Md5)
}
