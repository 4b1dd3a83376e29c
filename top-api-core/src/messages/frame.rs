//! The frames of the platform's message channel (TMC), protocol version 2: what one binary
//! WebSocket message holds.
//!
//! Every integer is little-endian. Byte 0 is the version (`2`), byte 1 the frame type; then
//! headers, each an `i16` header type and its payload, ended by header type 0:
//!
//! | header | type | payload |
//! |---|---|---|
//! | end of headers | 0 | none |
//! | custom | 1 | a counted string key, one value-format byte, the value |
//! | status code | 2 | `i32` (written only when above 0) |
//! | status phrase | 3 | a counted string (written only when not empty) |
//! | flag | 4 | `i32` correlation id (written only when above 0) |
//! | token | 5 | a counted string |
//!
//! A counted string is an `i32` byte length and that many bytes of UTF-8; length 0 reads as
//! absent. The value formats of a custom header are listed by [`Value`]. A writer puts the
//! status code, phrase, flag and token first, then the custom headers; a reader takes them in
//! any order.
//!
//! ```
//! use top_api::messages::frame::{Frame, FrameType, Value};
//!
//! // A pull request: "send me what is queued", with the session's token.
//! let pull = Frame::send("tok-1").with("__kind", Value::Byte(1));
//! let bytes = pull.encode();
//! assert_eq!(Frame::decode(&bytes)?, pull);
//! assert_eq!(Frame::decode(&bytes)?.kind, FrameType::Send);
//! # Ok::<(), top_api::messages::frame::FrameError>(())
//! ```

use std::fmt;

/// The protocol version every frame starts with.
pub const VERSION: u8 = 2;

/// What a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameType {
    /// Client → server: open a session (app key, group, timestamp, sign).
    Connect,
    /// Server → client: the session's token, or a refusal (status code above 0).
    ConnectAck,
    /// Either way: a message, a pull request, a confirm, a failure.
    Send,
    /// An acknowledgement of a send, which the platform's servers do not require.
    SendAck,
}

impl FrameType {
    fn code(self) -> u8 {
        match self {
            FrameType::Connect => 0,
            FrameType::ConnectAck => 1,
            FrameType::Send => 2,
            FrameType::SendAck => 3,
        }
    }

    fn from_code(code: u8) -> Option<FrameType> {
        Some(match code {
            0 => FrameType::Connect,
            1 => FrameType::ConnectAck,
            2 => FrameType::Send,
            3 => FrameType::SendAck,
            _ => return None,
        })
    }
}

/// The value of a custom header, by its format byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Format 0: no value.
    Void,
    /// Format 1: a counted string.
    Str(String),
    /// Format 2: one byte (the `__kind` of a send).
    Byte(u8),
    /// Format 3.
    I16(i16),
    /// Format 4.
    I32(i32),
    /// Format 5 (a message's `id`, `userid`).
    I64(i64),
    /// Format 6: milliseconds since the epoch (a message's `time`, `outtime`).
    Date(i64),
    /// Format 7: an `i32` length and that many bytes (a gzipped `content`).
    Bytes(Vec<u8>),
}

impl Value {
    /// The value as text, for a string header.
    pub fn as_str(&self) -> Option<&str> {
        self.as_ref().as_str()
    }

    /// The value as an integer, whatever its width (a `Date` gives its milliseconds; text
    /// that holds a number is read, as some servers and clients write numbers so).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_ref().as_i64()
    }
}

/// One frame of the message channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Frame {
    /// What it is.
    pub kind: FrameType,
    /// A refusal's status (0: none).
    pub status_code: i32,
    /// A refusal's words.
    pub status_phrase: Option<String>,
    /// The correlation id a CONNECTACK echoes (0: none).
    pub flag: i32,
    /// The session's token.
    pub token: Option<String>,
    /// The custom headers, in order.
    pub headers: Vec<(String, Value)>,
}

impl Frame {
    /// A frame of `kind` with no header.
    pub fn new(kind: FrameType) -> Frame {
        Frame { kind, status_code: 0, status_phrase: None, flag: 0, token: None, headers: Vec::new() }
    }

    /// A SEND carrying the session's `token`.
    pub fn send(token: impl Into<String>) -> Frame {
        Frame { token: Some(token.into()), ..Frame::new(FrameType::Send) }
    }

    /// The frame with one more custom header.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: Value) -> Frame {
        self.headers.push((key.into(), value));
        self
    }

    /// The first custom header named `key`.
    pub fn header(&self, key: &str) -> Option<&Value> {
        self.headers.iter().find(|(name, _)| name == key).map(|(_, value)| value)
    }

    /// The frame's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.push(VERSION);
        out.push(self.kind.code());
        if self.status_code > 0 {
            out.extend_from_slice(&2_i16.to_le_bytes());
            out.extend_from_slice(&self.status_code.to_le_bytes());
        }
        if let Some(phrase) = self.status_phrase.as_deref().filter(|p| !p.is_empty()) {
            out.extend_from_slice(&3_i16.to_le_bytes());
            counted(&mut out, phrase.as_bytes());
        }
        if self.flag > 0 {
            out.extend_from_slice(&4_i16.to_le_bytes());
            out.extend_from_slice(&self.flag.to_le_bytes());
        }
        if let Some(token) = &self.token {
            out.extend_from_slice(&5_i16.to_le_bytes());
            counted(&mut out, token.as_bytes());
        }
        for (key, value) in &self.headers {
            out.extend_from_slice(&1_i16.to_le_bytes());
            counted(&mut out, key.as_bytes());
            match value {
                Value::Void => out.push(0),
                Value::Str(text) => {
                    out.push(1);
                    counted(&mut out, text.as_bytes());
                }
                Value::Byte(n) => out.extend_from_slice(&[2, *n]),
                Value::I16(n) => {
                    out.push(3);
                    out.extend_from_slice(&n.to_le_bytes());
                }
                Value::I32(n) => {
                    out.push(4);
                    out.extend_from_slice(&n.to_le_bytes());
                }
                Value::I64(n) => {
                    out.push(5);
                    out.extend_from_slice(&n.to_le_bytes());
                }
                Value::Date(n) => {
                    out.push(6);
                    out.extend_from_slice(&n.to_le_bytes());
                }
                Value::Bytes(bytes) => {
                    out.push(7);
                    counted(&mut out, bytes);
                }
            }
        }
        out.extend_from_slice(&0_i16.to_le_bytes());
        out
    }

    /// Reads a frame from its bytes ([`FrameRef::decode`], then owned).
    ///
    /// # Errors
    ///
    /// As [`FrameRef::decode`].
    pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
        FrameRef::decode(bytes).map(|frame| frame.to_frame())
    }

    /// The frame as a [`FrameRef`] borrowing its text.
    pub fn as_ref(&self) -> FrameRef<'_> {
        FrameRef {
            kind: self.kind,
            status_code: self.status_code,
            status_phrase: self.status_phrase.as_deref(),
            flag: self.flag,
            token: self.token.as_deref(),
            headers: self.headers.iter().map(|(key, value)| (key.as_str(), value.as_ref())).collect(),
        }
    }
}

/// A frame read in place: its text and bytes borrowed from the frame's bytes, so that
/// reading one allocates nothing but the list of its headers. [`Frame`] is the owned form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameRef<'a> {
    /// What the frame is.
    pub kind: FrameType,
    /// A refusal's code (CONNECTACK); 0 when it is no refusal.
    pub status_code: i32,
    /// A refusal's words.
    pub status_phrase: Option<&'a str>,
    /// Echoed by the CONNECTACK.
    pub flag: i32,
    /// The session's token.
    pub token: Option<&'a str>,
    /// The custom headers, in order.
    pub headers: Vec<(&'a str, ValueRef<'a>)>,
}

/// A custom header's value, borrowed: [`Value`]'s form in a [`FrameRef`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRef<'a> {
    /// Format 0: no value.
    Void,
    /// Format 1: a counted string.
    Str(&'a str),
    /// Format 2: one byte.
    Byte(u8),
    /// Format 3.
    I16(i16),
    /// Format 4.
    I32(i32),
    /// Format 5.
    I64(i64),
    /// Format 6: milliseconds since the epoch.
    Date(i64),
    /// Format 7: bytes (a gzipped `content`).
    Bytes(&'a [u8]),
}

impl<'a> ValueRef<'a> {
    /// The value as text, for a string header.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            ValueRef::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The value as an integer, whatever its width (a `Date` gives its milliseconds; text
    /// that holds a number is read, as some servers and clients write numbers so).
    pub fn as_i64(self) -> Option<i64> {
        match self {
            ValueRef::Byte(n) => Some(n.into()),
            ValueRef::I16(n) => Some(n.into()),
            ValueRef::I32(n) => Some(n.into()),
            ValueRef::I64(n) | ValueRef::Date(n) => Some(n),
            ValueRef::Str(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The owned value.
    pub fn to_value(self) -> Value {
        match self {
            ValueRef::Void => Value::Void,
            ValueRef::Str(text) => Value::Str(text.to_owned()),
            ValueRef::Byte(n) => Value::Byte(n),
            ValueRef::I16(n) => Value::I16(n),
            ValueRef::I32(n) => Value::I32(n),
            ValueRef::I64(n) => Value::I64(n),
            ValueRef::Date(n) => Value::Date(n),
            ValueRef::Bytes(bytes) => Value::Bytes(bytes.to_vec()),
        }
    }
}

impl Value {
    /// The value, borrowed.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Void => ValueRef::Void,
            Value::Str(text) => ValueRef::Str(text),
            Value::Byte(n) => ValueRef::Byte(*n),
            Value::I16(n) => ValueRef::I16(*n),
            Value::I32(n) => ValueRef::I32(*n),
            Value::I64(n) => ValueRef::I64(*n),
            Value::Date(n) => ValueRef::Date(*n),
            Value::Bytes(bytes) => ValueRef::Bytes(bytes),
        }
    }
}

impl<'a> FrameRef<'a> {
    /// Reads a frame from its bytes, borrowing its text and bytes.
    ///
    /// # Errors
    ///
    /// A [`FrameError`] saying what is wrong and where: another version, an unknown frame
    /// type, header or value format, a length that runs past the end or is negative, text
    /// that is not UTF-8, bytes after the end of the headers.
    pub fn decode(bytes: &'a [u8]) -> Result<FrameRef<'a>, FrameError> {
        let mut reader = Reader { bytes, at: 0 };
        let version = reader.u8()?;
        if version != VERSION {
            return Err(reader.error(0, format!("version {version}, where 2 is the only one")));
        }
        let code = reader.u8()?;
        let kind = FrameType::from_code(code).ok_or_else(|| reader.error(1, format!("unknown frame type {code}")))?;
        let mut frame = FrameRef {
            kind,
            status_code: 0,
            status_phrase: None,
            flag: 0,
            token: None,
            headers: Vec::with_capacity(12),
        };
        loop {
            let at = reader.at;
            match reader.i16()? {
                0 => break,
                1 => {
                    let key = reader.text()?.unwrap_or_default();
                    let format_at = reader.at;
                    let value = match reader.u8()? {
                        0 => ValueRef::Void,
                        1 => ValueRef::Str(reader.text()?.unwrap_or_default()),
                        2 => ValueRef::Byte(reader.u8()?),
                        3 => ValueRef::I16(reader.i16()?),
                        4 => ValueRef::I32(reader.i32()?),
                        5 => ValueRef::I64(reader.i64()?),
                        6 => ValueRef::Date(reader.i64()?),
                        7 => ValueRef::Bytes(reader.counted()?),
                        other => {
                            return Err(reader.error(format_at, format!("unknown value format {other} of `{key}`")))
                        }
                    };
                    frame.headers.push((key, value));
                }
                2 => frame.status_code = reader.i32()?,
                3 => frame.status_phrase = reader.text()?,
                4 => frame.flag = reader.i32()?,
                5 => frame.token = reader.text()?,
                other => return Err(reader.error(at, format!("unknown header type {other}"))),
            }
        }
        if reader.at != bytes.len() {
            return Err(
                reader.error(reader.at, format!("{} bytes after the end of the headers", bytes.len() - reader.at))
            );
        }
        Ok(frame)
    }

    /// The first custom header named `key`.
    pub fn header(&self, key: &str) -> Option<ValueRef<'a>> {
        self.headers.iter().find(|(name, _)| *name == key).map(|(_, value)| *value)
    }

    /// The owned frame.
    pub fn to_frame(&self) -> Frame {
        Frame {
            kind: self.kind,
            status_code: self.status_code,
            status_phrase: self.status_phrase.map(str::to_owned),
            flag: self.flag,
            token: self.token.map(str::to_owned),
            headers: self.headers.iter().map(|(key, value)| ((*key).to_owned(), value.to_value())).collect(),
        }
    }
}

/// Writes a counted string or byte array: its `i32` length, then its bytes.
fn counted(out: &mut Vec<u8>, bytes: &[u8]) {
    // A frame travels in one WebSocket message, which the reader bounds far below 2 GiB.
    let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(bytes);
}

/// A frame that cannot be read: what is wrong, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    at: usize,
    what: String,
}

impl FrameError {
    /// The offset of the byte where reading failed.
    pub fn offset(&self) -> usize {
        self.at
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a message-channel frame that cannot be read: {} (at byte {})", self.what, self.at)
    }
}

impl std::error::Error for FrameError {}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn error(&self, at: usize, what: String) -> FrameError {
        FrameError { at, what }
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], FrameError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| self.error(self.at, format!("{n} bytes needed, {} left", self.bytes.len() - self.at)))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.array::<1>()?[0])
    }

    fn i16(&mut self) -> Result<i16, FrameError> {
        Ok(i16::from_le_bytes(self.array()?))
    }

    fn i32(&mut self) -> Result<i32, FrameError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, FrameError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    fn counted(&mut self) -> Result<&'b [u8], FrameError> {
        let at = self.at;
        let len = self.i32()?;
        let len = usize::try_from(len).map_err(|_| self.error(at, format!("a negative length {len}")))?;
        self.take(len)
    }

    /// A counted string; length 0 is absent.
    fn text(&mut self) -> Result<Option<&'b str>, FrameError> {
        let at = self.at;
        let bytes = self.counted()?;
        if bytes.is_empty() {
            return Ok(None);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(_) => Err(self.error(at, "a string that is not UTF-8".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The known answers of the protocol, checked against an official codec.
    #[test]
    fn the_known_frames_are_written_and_read_byte_for_byte() {
        let ack = Frame { flag: 1, token: Some("tok-1".into()), ..Frame::new(FrameType::ConnectAck) };
        assert_eq!(hex(&ack.encode()), "0201040001000000050005000000746f6b2d310000");
        let pull = Frame::send("tok-1").with("__kind", Value::Byte(1));
        assert_eq!(hex(&pull.encode()), "0202050005000000746f6b2d310100060000005f5f6b696e6402010000");
        let confirm = Frame::send("tok-1").with("__kind", Value::Byte(2)).with("id", Value::I64(123_456_789));
        assert_eq!(
            hex(&confirm.encode()),
            "0202050005000000746f6b2d310100060000005f5f6b696e64020201000200000069640515cd5b07000000000000"
        );
        for frame in [ack, pull, confirm] {
            assert_eq!(Frame::decode(&frame.encode()).unwrap(), frame);
        }
    }

    #[test]
    fn headers_are_read_in_any_order() {
        // Token after a custom header, then a flag.
        let mut bytes = vec![2, 2];
        bytes.extend_from_slice(&1_i16.to_le_bytes());
        counted(&mut bytes, b"topic");
        bytes.push(1);
        counted(&mut bytes, b"taobao_trade_TradeCreate");
        bytes.extend_from_slice(&5_i16.to_le_bytes());
        counted(&mut bytes, b"t");
        bytes.extend_from_slice(&4_i16.to_le_bytes());
        bytes.extend_from_slice(&7_i32.to_le_bytes());
        bytes.extend_from_slice(&0_i16.to_le_bytes());
        let frame = Frame::decode(&bytes).unwrap();
        assert_eq!((frame.flag, frame.token.as_deref()), (7, Some("t")));
        assert_eq!(frame.header("topic").and_then(Value::as_str), Some("taobao_trade_TradeCreate"));
    }

    #[test]
    fn what_cannot_be_read_says_what_and_where() {
        let cases: [(&[u8], &str); 6] = [
            (&[1, 2, 0, 0], "version 1"),
            (&[2, 9, 0, 0], "unknown frame type 9"),
            (&[2, 2, 9, 0], "unknown header type 9"),
            (&[2, 2, 5, 0, 0xff, 0xff, 0xff, 0xff], "a negative length"),
            (&[2, 2, 5, 0, 9, 0, 0, 0, b'a'], "9 bytes needed, 1 left"),
            (&[2, 2, 0, 0, 0], "1 bytes after the end"),
        ];
        for (bytes, words) in cases {
            let err = Frame::decode(bytes).unwrap_err();
            assert!(err.to_string().contains(words), "{err}");
        }
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Void),
            "[a-z0-9_]{1,12}".prop_map(Value::Str),
            any::<u8>().prop_map(Value::Byte),
            any::<i16>().prop_map(Value::I16),
            any::<i32>().prop_map(Value::I32),
            any::<i64>().prop_map(Value::I64),
            any::<i64>().prop_map(Value::Date),
            prop::collection::vec(any::<u8>(), 0..32).prop_map(Value::Bytes),
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_decoder(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = Frame::decode(&bytes);
        }

        #[test]
        fn mutated_frames_never_panic_the_decoder(
            edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        ) {
            let mut bytes = Frame::send("tok").with("__kind", Value::Byte(2)).with("id", Value::I64(5))
                .with("content", Value::Bytes(vec![1, 2, 3])).encode();
            for (at, byte) in edits {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let _ = Frame::decode(&bytes);
        }

        #[test]
        fn every_frame_reads_back_as_written(
            kind in 0..4u8,
            status in 0..5i32,
            flag in 0..5i32,
            token in prop::option::of("[a-z0-9-]{1,12}"),
            headers in prop::collection::vec(("[a-z_]{1,8}", value()), 0..6),
        ) {
            let frame = Frame {
                kind: FrameType::from_code(kind).unwrap(),
                status_code: status,
                status_phrase: (status > 0).then(|| "refused".to_owned()),
                flag,
                token,
                headers,
            };
            prop_assert_eq!(Frame::decode(&frame.encode()).unwrap(), frame);
        }
    }
}
