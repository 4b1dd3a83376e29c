//! One message the platform pushes, as a consumer receives it.

use std::fmt;
use std::io::Read as _;

use serde::de::DeserializeOwned;

use super::frame::{Frame, FrameRef, Value, ValueRef};
use super::Topic;
use crate::{DateTime, DecodeError, Json, Response};

/// How large a gzipped content may grow once unzipped: a message is a few KB, and a frame
/// that unzips past this is refused rather than allowed to fill memory.
pub const MAX_CONTENT_BYTES: usize = 16 * 1024 * 1024;

/// One message of a topic (`taobao_trade_TradeBuyerPay`, …): who it concerns, when it was
/// published and sent (GMT+8), and its content, JSON whose shape the topic gives.
///
/// ```
/// use top_api::messages::Message;
///
/// let message = Message::new(7, "taobao_trade_TradeBuyerPay", r#"{"tid":"1234567890123456789","payment":"9.90"}"#);
/// #[derive(serde::Deserialize)]
/// struct Paid {
///     tid: String,
/// }
/// let paid: Paid = message.parse()?;
/// assert_eq!((message.id(), paid.tid.as_str()), (7, "1234567890123456789"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    id: i64,
    topic: String,
    user_id: Option<i64>,
    nick: Option<String>,
    publisher: Option<String>,
    published: Option<DateTime>,
    sent: Option<DateTime>,
    data_id: Option<String>,
    content: Json,
}

impl Message {
    /// A message of `topic` with `content` (JSON text) and nothing else: for tests and for
    /// publishing.
    pub fn new(id: i64, topic: impl Into<String>, content: impl Into<String>) -> Message {
        Message {
            id,
            topic: topic.into(),
            user_id: None,
            nick: None,
            publisher: None,
            published: None,
            sent: None,
            data_id: None,
            content: Json::new(content),
        }
    }

    /// The same message with the user it concerns.
    #[must_use]
    pub fn with_user(mut self, user_id: i64, nick: impl Into<String>) -> Message {
        self.user_id = Some(user_id);
        self.nick = Some(nick.into());
        self
    }

    /// The same message with its publisher (an app key) and the times it was published and
    /// sent.
    #[must_use]
    pub fn with_times(mut self, publisher: impl Into<String>, published: DateTime, sent: DateTime) -> Message {
        self.publisher = Some(publisher.into());
        self.published = Some(published);
        self.sent = Some(sent);
        self
    }

    /// The platform's id of the message: what a confirm names.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The topic, such as `taobao_trade_TradeBuyerPay`.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The id of the user (seller) it concerns.
    pub fn user_id(&self) -> Option<i64> {
        self.user_id
    }

    /// The nick of the user it concerns.
    pub fn nick(&self) -> Option<&str> {
        self.nick.as_deref()
    }

    /// The app key that published it.
    pub fn publisher(&self) -> Option<&str> {
        self.publisher.as_deref()
    }

    /// When it was published, in GMT+8.
    pub fn published(&self) -> Option<DateTime> {
        self.published
    }

    /// When it was sent to this consumer, in GMT+8.
    pub fn sent(&self) -> Option<DateTime> {
        self.sent
    }

    /// The platform's data id, when it sends one.
    pub fn data_id(&self) -> Option<&str> {
        self.data_id.as_deref()
    }

    /// The content, as the platform wrote it (unzipped when it came gzipped).
    pub fn content(&self) -> &Json {
        &self.content
    }

    /// The content read as `T`.
    ///
    /// # Errors
    ///
    /// When the content is not JSON of that shape.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        self.content.parse()
    }

    /// The content read as the topic `T`, `None` when the message is of another topic.
    ///
    /// It is read as an answer is: numbers and booleans sent as text are read, and a value
    /// that does not fit an `Option` field leaves that field `None` instead of losing the
    /// message; [`Response::drift`] lists each such place and every key the type has no
    /// field for.
    ///
    /// ```
    /// use top_api::messages::topics::taobao_trade::TradeBuyerPay;
    /// use top_api::messages::Message;
    ///
    /// let message = Message::new(1, "taobao_trade_TradeBuyerPay", r#"{"tid":"4321","oid":4321,"payment":"9.90","seller_nick":"shop","new_field":1}"#);
    /// let paid = message.read::<TradeBuyerPay>()?.expect("a TradeBuyerPay");
    /// assert_eq!(paid.tid, Some(4321));
    /// assert_eq!(paid.drift()[0].path(), "new_field");
    ///
    /// let other = Message::new(2, "taobao_trade_TradeClose", "{}");
    /// assert!(other.read::<TradeBuyerPay>()?.is_none());
    /// # Ok::<(), top_api::DecodeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] when the content is not a JSON object, or a field that is not an
    /// `Option` cannot be read (the error names it).
    pub fn read<T: Topic>(&self) -> Result<Option<Response<T>>, DecodeError> {
        if self.topic != T::TOPIC {
            return Ok(None);
        }
        crate::envelope::read_json(self.content.as_str().as_bytes()).map(Some)
    }

    /// Reads the message a server's SEND carries.
    ///
    /// # Errors
    ///
    /// A [`MessageError`] when the frame has no `id` or `topic`, or a content that cannot be
    /// read (gzip that does not unzip, or unzips past [`MAX_CONTENT_BYTES`], or text that is
    /// not UTF-8).
    pub fn from_frame(frame: &Frame) -> Result<Message, MessageError> {
        Message::from_frame_ref(&frame.as_ref())
    }

    /// [`from_frame`](Self::from_frame) for a frame read in place.
    ///
    /// # Errors
    ///
    /// As [`from_frame`](Self::from_frame).
    pub fn from_frame_ref(frame: &FrameRef<'_>) -> Result<Message, MessageError> {
        let id = frame.header("id").and_then(ValueRef::as_i64).ok_or(MessageError::new("a message without an `id`"))?;
        let topic = frame
            .header("topic")
            .and_then(ValueRef::as_str)
            .ok_or(MessageError::new("a message without a `topic`"))?
            .to_owned();
        let content = match frame.header("content") {
            None | Some(ValueRef::Void) => String::new(),
            Some(ValueRef::Str(text)) => text.to_owned(),
            Some(ValueRef::Bytes(bytes)) => unzip(bytes)?,
            Some(_) => return Err(MessageError::new("a `content` that is neither text nor bytes")),
        };
        let text = |key: &str| frame.header(key).and_then(ValueRef::as_str).map(str::to_owned);
        let time = |key: &str| frame.header(key).and_then(ValueRef::as_i64).and_then(DateTime::from_epoch_ms);
        Ok(Message {
            id,
            topic,
            user_id: frame.header("userid").and_then(ValueRef::as_i64),
            nick: text("nick"),
            publisher: text("publisher"),
            published: time("time"),
            sent: time("outtime"),
            data_id: text("dataid"),
            content: Json::new(content),
        })
    }

    /// Reads a message as `taobao.tmc.messages.consume` answers it: `id`, `topic`,
    /// `content`, `user_id`, `user_nick`, `pub_app_key`, `pub_time` (GMT+8).
    ///
    /// # Errors
    ///
    /// A [`MessageError`] when it has no `id` or `topic`.
    pub fn from_rest(value: &serde_json::Value) -> Result<Message, MessageError> {
        let text = |key: &str| match value.get(key) {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(serde_json::Value::Number(number)) => Some(number.to_string()),
            _ => None,
        };
        let number = |key: &str| text(key).and_then(|text| text.trim().parse::<i64>().ok());
        let id = number("id").ok_or(MessageError::new("a message without an `id`"))?;
        let topic = text("topic").ok_or(MessageError::new("a message without a `topic`"))?;
        let content = match value.get("content") {
            Some(serde_json::Value::String(text)) => text.clone(),
            None | Some(serde_json::Value::Null) => String::new(),
            Some(other) => other.to_string(),
        };
        let published = text("pub_time").and_then(|at| crate::Date::parse(&at).date_time());
        Ok(Message {
            id,
            topic,
            user_id: number("user_id"),
            nick: text("user_nick"),
            publisher: text("pub_app_key"),
            published,
            sent: None,
            data_id: None,
            content: Json::new(content),
        })
    }

    /// The SEND that carries this message to a consumer holding `token`, its content
    /// gzipped when `gzip` is set.
    pub fn to_frame(&self, token: &str, gzip: bool) -> Frame {
        let mut frame = Frame::send(token)
            .with("__kind", Value::Byte(super::kind::MESSAGE))
            .with("id", Value::I64(self.id))
            .with("topic", Value::Str(self.topic.clone()));
        let content = self.content.as_str();
        frame = if gzip {
            frame.with("content", Value::Bytes(crate::gzip::gzip(content.as_bytes())))
        } else {
            frame.with("content", Value::Str(content.to_owned()))
        };
        if let Some(user_id) = self.user_id {
            frame = frame.with("userid", Value::I64(user_id));
        }
        for (key, value) in [("nick", &self.nick), ("publisher", &self.publisher), ("dataid", &self.data_id)] {
            if let Some(value) = value {
                frame = frame.with(key, Value::Str(value.clone()));
            }
        }
        for (key, value) in [("time", self.published), ("outtime", self.sent)] {
            if let Some(value) = value {
                frame = frame.with(key, Value::Date(value.to_epoch_ms()));
            }
        }
        frame
    }
}

impl fmt::Debug for Message {
    /// The content is left out: it may hold buyers' details.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("id", &self.id)
            .field("topic", &self.topic)
            .field("user_id", &self.user_id)
            .field("published", &self.published.map(|at| at.to_string()))
            .field("content", &format_args!("{} bytes", self.content.as_str().len()))
            .finish_non_exhaustive()
    }
}

/// Unzips a gzipped content, at most [`MAX_CONTENT_BYTES`] of it.
fn unzip(bytes: &[u8]) -> Result<String, MessageError> {
    let mut out = Vec::new();
    let limit = u64::try_from(MAX_CONTENT_BYTES).unwrap_or(u64::MAX) + 1;
    flate2::read::GzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|err| MessageError(format!("a gzipped `content` that does not unzip: {err}")))?;
    if out.len() > MAX_CONTENT_BYTES {
        return Err(MessageError(format!("a `content` that unzips past {MAX_CONTENT_BYTES} bytes")));
    }
    String::from_utf8(out).map_err(|_| MessageError::new("a gzipped `content` that is not UTF-8"))
}

/// A frame that does not carry a message that can be read: what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageError(String);

impl MessageError {
    fn new(what: &str) -> MessageError {
        MessageError(what.to_owned())
    }
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MessageError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(gzip: bool) -> Message {
        let at = DateTime::parse("2026-12-05 10:00:00").unwrap();
        let sent = Message::new(9_000_000_000_123, "taobao_trade_TradeBuyerPay", r#"{"tid":"1","宝":"贝"}"#)
            .with_user(3_000_000_000, "商家")
            .with_times("12345678", at, at);
        let bytes = sent.to_frame("tok", gzip).encode();
        let read = Message::from_frame(&Frame::decode(&bytes).unwrap()).unwrap();
        assert_eq!(read, sent);
        read
    }

    #[test]
    fn a_message_reads_back_as_sent_plain_or_gzipped() {
        for gzip in [false, true] {
            let message = pushed(gzip);
            assert_eq!(message.id(), 9_000_000_000_123);
            assert_eq!(message.topic(), "taobao_trade_TradeBuyerPay");
            assert_eq!((message.user_id(), message.nick()), (Some(3_000_000_000), Some("商家")));
            assert_eq!(message.published().map(|at| at.to_string()).as_deref(), Some("2026-12-05 10:00:00"));
            assert_eq!(message.content().as_str(), r#"{"tid":"1","宝":"贝"}"#);
        }
    }

    #[test]
    fn a_frame_without_a_message_is_an_error_not_a_panic() {
        let no_id = Frame::send("t").with("topic", Value::Str("x".into()));
        assert!(Message::from_frame(&no_id).unwrap_err().to_string().contains("`id`"));
        let bad_zip = Frame::send("t")
            .with("id", Value::I64(1))
            .with("topic", Value::Str("x".into()))
            .with("content", Value::Bytes(vec![0x1f, 0x8b, 1, 2, 3]));
        assert!(Message::from_frame(&bad_zip).unwrap_err().to_string().contains("does not unzip"));
        let bomb = crate::gzip::gzip(&vec![b' '; MAX_CONTENT_BYTES + 1]);
        let bomb = Frame::send("t")
            .with("id", Value::I64(1))
            .with("topic", Value::Str("x".into()))
            .with("content", Value::Bytes(bomb));
        assert!(Message::from_frame(&bomb).unwrap_err().to_string().contains("unzips past"));
    }
}
