//! Reading an answer: the `<name>_response` or `error_response` envelope, in JSON (wrapped
//! or simplified) or XML, straight from the bytes into the response type.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::forward_to_deserialize_any;

use crate::drift::Collector;
use crate::error::{ApiError, DecodeError};
use crate::lenient::{Capture, Ctx, KeySeed, Lenient, Place, StructMap};
use crate::wire::Method;
use crate::{Error, Format, Request, Response};

/// What an answer said: the payload, or the gateway's refusal.
#[derive(Debug)]
enum Answer<T> {
    Ok(Response<T>),
    Refused(ApiError),
}

/// True when `key` is the success member of `method`'s answer: the method with a leading
/// `taobao.` dropped, every `.` turned into `_`, then `_response`
/// (`taobao.baodian.deposit.get` answers in `baodian_deposit_get_response`). The few
/// methods with capitals or `-` (`taobao.miniapp.userInfo.get`) are matched whatever the
/// case, with `-` as `_`.
pub fn is_response_key(key: &str, method: &str) -> bool {
    is_response_key_bytes(key.as_bytes(), method)
}

/// [`is_response_key`] of a key's bytes.
fn is_response_key_bytes(key: &[u8], method: &str) -> bool {
    let name = method.strip_prefix("taobao.").unwrap_or(method);
    let Some(stem) = key.strip_suffix(b"_response") else {
        return false;
    };
    if stem.len() != name.len() {
        return false;
    }
    // Most bytes are the same, or a `.` the key has as `_`: eight at a time for that, the
    // folds a byte at a time only in the eights that differ.
    let same = |k: u8, m: u8| k == m || (k == b'_' && matches!(m, b'.' | b'-')) || k.eq_ignore_ascii_case(&m);
    let same_bytes = |k: &[u8], m: &[u8]| k.iter().zip(m).all(|(&k, &m)| same(k, m));
    let (keys, names) = (stem.chunks_exact(8), name.as_bytes().chunks_exact(8));
    let (key_rest, name_rest) = (keys.remainder(), names.remainder());
    keys.zip(names).all(|(k, m)| same_eight(k, m) || same_bytes(k, m)) && same_bytes(key_rest, name_rest)
}

/// Whether eight bytes of a key are those of a method with each `.` as `_`.
#[inline]
fn same_eight(key: &[u8], method: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const LOW: u64 = ONES * 0x7f;
    let word = |bytes: &[u8]| bytes.try_into().map_or(0, u64::from_le_bytes);
    let (key, method) = (word(key), word(method));
    // The high bit of each byte that is a `.`: a byte of `dotless` is zero there only.
    let dotless = method ^ (ONES * u64::from(b'.'));
    let dots = !(((dotless & LOW) + LOW) | dotless) & !LOW;
    key == method ^ ((dots >> 7) * u64::from(b'.' ^ b'_'))
}

/// The success member's name for `method`, such as `baodian_deposit_get_response`.
pub fn response_key(method: &str) -> String {
    top_api_rules::response_key(method)
}

/// The shape of a JSON answer: as the client asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `{"<name>_response": {…}}` or `{"error_response": {…}}`.
    Wrapped,
    /// `simplify=true`: the payload's fields at the root, `error_response` still wrapped.
    Simplified,
}

/// Reads an answer body of the API `R`, as the client does after a call: the
/// `<name>_response` member (JSON or XML) into `R::Response`, or the gateway's
/// `error_response` into [`Error::Api`]. A JSON body holding neither is an error, never an
/// empty answer. For an answer asked with `simplify=true`, see [`decode_simplified`]. A
/// Qimen API's answer (`R::QIMEN`) is its `<response>`, whatever `format` says: read into
/// `R::Response` when its `flag` is `success`, an [`Error::Api`] when `failure`.
///
/// A value that does not fit an `Option` field of a `#[derive(Object)]` type leaves that
/// field `None`, and [`Response::drift`] says where, as a key the type has no field for;
/// [`decode_strict`] reads all or nothing. In JSON, bytes that are not UTF-8 are read as
/// U+FFFD (`�`), so that one bad byte in a text costs that byte, not the answer; an XML
/// answer that is not UTF-8 is an [`Error::Decode`] (it would be another encoding).
///
/// # Examples
///
/// ```
/// use top_api::apis::TaobaoBaodianDepositGet;
///
/// let body = br#"{"error_response":{"code":27,"msg":"Invalid session","request_id":"3bsxgbx6seom"}}"#;
/// let err = top_api::decode::<TaobaoBaodianDepositGet>(body, top_api::Format::Json).unwrap_err();
/// assert_eq!(err.api().map(|api| api.code()), Some(27));
///
/// // No envelope at all: the gateway is not serving, a passing fault.
/// let err = top_api::decode::<TaobaoBaodianDepositGet>(br#"{"status":"maintenance"}"#, top_api::Format::Json);
/// assert!(matches!(err, Err(top_api::Error::NotAnAnswer { .. })));
/// ```
///
/// # Errors
///
/// [`Error::Api`] for an `error_response`; [`Error::NotAnAnswer`] when the body is no TOP
/// answer at all (empty, an HTML page, text, JSON or XML without an envelope);
/// [`Error::Decode`] when it is an answer, but not one of `R`: a required field that cannot
/// be read, a value that does not fit a field that is not an `Option` of an object type
/// (the error names the field at fault and shows a prefix of the body).
pub fn decode<R: Request>(body: &[u8], format: Format) -> Result<Response<R::Response>, Error> {
    if R::QIMEN {
        return decode_qimen(body, false);
    }
    decode_as::<R::Response>(body, format, Method::of::<R>(), Shape::Wrapped, false)
}

/// Reads an answer of the API `R` all or nothing, as a client built with
/// [`strict_answers(true)`](crate::ClientBuilder::strict_answers) does: a value that does
/// not fit an `Option` field fails the answer, naming the field, instead of leaving it
/// `None` as a [drift](crate::Response::drift).
///
/// # Examples
///
/// ```
/// use top_api::apis::TaobaoBaodianDepositGet;
///
/// let body = br#"{"baodian_deposit_get_response":{"user_coin_deposit":{"deposit":"many"}}}"#;
/// let err = top_api::decode_strict::<TaobaoBaodianDepositGet>(body, top_api::Format::Json).unwrap_err();
/// assert!(matches!(&err, top_api::Error::Decode(failure) if failure.path() == Some("user_coin_deposit.deposit")));
/// ```
///
/// # Errors
///
/// As [`decode`], and [`Error::Decode`] for any value that does not fit its field.
pub fn decode_strict<R: Request>(body: &[u8], format: Format) -> Result<Response<R::Response>, Error> {
    if R::QIMEN {
        return decode_qimen(body, true);
    }
    decode_as::<R::Response>(body, format, Method::of::<R>(), Shape::Wrapped, true)
}

/// Reads a JSON answer of the API `R` asked with `simplify=true`: the payload's fields at
/// the root (a wrapped answer is read too). An `error_response` anywhere at the root makes
/// the answer a refusal, whatever else it holds.
///
/// # Examples
///
/// ```
/// use top_api::apis::TaobaoBaodianDepositGet;
///
/// let body = br#"{"request_id":"r1","error_response":{"code":7,"msg":"App Call Limited"}}"#;
/// let err = top_api::decode_simplified::<TaobaoBaodianDepositGet>(body).unwrap_err();
/// assert_eq!(err.api().map(|api| api.code()), Some(7));
///
/// // Every answer carries a request_id: JSON without one is not an answer.
/// let err = top_api::decode_simplified::<TaobaoBaodianDepositGet>(br#"{"status":"maintenance"}"#);
/// assert!(matches!(err, Err(top_api::Error::NotAnAnswer { .. })));
/// ```
///
/// # Errors
///
/// As [`decode`].
pub fn decode_simplified<R: Request>(body: &[u8]) -> Result<Response<R::Response>, Error> {
    if R::QIMEN {
        return decode_qimen(body, false);
    }
    decode_as::<R::Response>(body, Format::Json, Method::of::<R>(), Shape::Simplified, false)
}

/// Reads an answer of `method` into `T`, in `format` and (JSON) `shape`; `strict` reads
/// all or nothing (a value that does not fit an `Option` field fails the answer instead of
/// leaving the field out, as a drift).
pub(crate) fn decode_as<T: DeserializeOwned>(
    body: &[u8],
    format: Format,
    method: Method<'_>,
    shape: Shape,
    strict: bool,
) -> Result<Response<T>, Error> {
    let answer = match format {
        Format::Json if starts_with_markup(body) => return Err(markup_for_json(body, method.name, shape, strict)),
        Format::Json => decode_json::<T>(body, method, shape, strict),
        Format::Xml => decode_xml(body, method.name, strict),
    };
    match answer {
        // Every answer carries a request_id beside its payload: a simplified "answer" with
        // none may be any JSON at all (`{"status":"maintenance"}`), read into empty fields.
        Ok(Answer::Ok(response)) if shape == Shape::Simplified && response.request_id().is_none() => {
            match not_an_answer(body, format, shape) {
                Some(what) => Err(what.into_error(body)),
                None => Ok(response),
            }
        }
        Ok(Answer::Ok(response)) => Ok(response),
        Ok(Answer::Refused(refusal)) => Err(Error::Api(refusal)),
        Err(err) => Err(unread(body, format, shape, err)),
    }
}

// The paths below are an answer's rare ones: out of line, so that the code a call runs
// lies close together (a call's code is more than a core's instruction cache holds).

/// What a JSON client makes of markup: a gateway that cannot tell the format answers its
/// refusal in XML; anything else is no answer.
#[cold]
#[inline(never)]
fn markup_for_json(body: &[u8], method: &str, shape: Shape, strict: bool) -> Error {
    match decode_xml::<IgnoredAny>(body, method, strict) {
        Ok(Answer::Refused(refusal)) => Error::Api(refusal),
        _ => not_an_answer(body, Format::Json, shape).unwrap_or(NOT_JSON).into_error(body),
    }
}

/// What fails to read may be no answer at all: the gateway, or something in front of it,
/// is not serving.
#[cold]
#[inline(never)]
fn unread(body: &[u8], format: Format, shape: Shape, err: DecodeError) -> Error {
    match not_an_answer(body, format, shape) {
        Some(what) => what.into_error(body),
        None => Error::Decode(err),
    }
}

/// What a body that is not a TOP answer is instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NotAnAnswer(&'static str);

const NOT_JSON: NotAnAnswer = NotAnAnswer("markup, not JSON");
const HTML: NotAnAnswer = NotAnAnswer("an HTML page");

impl NotAnAnswer {
    fn into_error(self, body: &[u8]) -> Error {
        Error::NotAnAnswer { reason: self.0, body: crate::error::body_prefix(body) }
    }
}

/// The body without a byte-order mark and leading white space.
fn trimmed(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    &body[start..]
}

fn starts_with_markup(body: &[u8]) -> bool {
    trimmed(body).first() == Some(&b'<')
}

/// Whether `body` is no TOP answer at all, and what it is then: empty, an HTML page, text,
/// JSON or XML without an envelope. `None` for anything shaped like an answer (whose
/// payload may still not fit the type: that is a decode error).
#[inline(never)]
fn not_an_answer(body: &[u8], format: Format, shape: Shape) -> Option<NotAnAnswer> {
    let body = trimmed(body);
    let Some(&first) = body.first() else {
        return Some(NotAnAnswer("an empty body"));
    };
    if first == b'<' {
        let head = &body[..body.len().min(1024)];
        let lower = head.to_ascii_lowercase();
        if lower.windows(5).any(|w| w == b"<html") || lower.windows(9).any(|w| w == b"<!doctype") {
            return Some(HTML);
        }
        if format == Format::Json {
            return Some(NOT_JSON);
        }
        let text = std::str::from_utf8(body).ok()?;
        return match root_element(text) {
            Ok(root) if root.ends_with("_response") => None,
            Ok(_) => Some(NotAnAnswer("an XML document without a <name>_response or <error_response> root")),
            Err(_) => Some(NotAnAnswer("malformed XML")),
        };
    }
    match (format, first) {
        // Bytes that are not even text may be an answer in an encoding it should not be in.
        (Format::Xml, _) => std::str::from_utf8(body).is_ok().then_some(NotAnAnswer("text, not XML")),
        (Format::Json, b'{') => {
            let keys = root_keys(body)?;
            let enveloped = match shape {
                Shape::Wrapped => keys.iter().any(|key| key.ends_with("_response")),
                Shape::Simplified => keys.iter().any(|key| key == "request_id" || key == "error_response"),
            };
            (!enveloped).then_some(NotAnAnswer("JSON without an envelope"))
        }
        (Format::Json, _) => Some(NotAnAnswer("text, not a JSON object")),
    }
}

/// The names of a JSON object's members (a body with raw control characters is read as the
/// decoder reads it); `None` when it is not a JSON object.
fn root_keys(body: &[u8]) -> Option<Vec<String>> {
    struct Keys;

    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key_seed(KeySeed)? {
                keys.push(key.into_owned());
                map.next_value::<IgnoredAny>()?;
            }
            Ok(keys)
        }
    }

    let body = escape_control_characters(body);
    let mut de = serde_json::Deserializer::from_slice(&body);
    de.deserialize_map(Keys).ok()
}

/// Whether to follow the path of the value being read, and where the path of a failing
/// field is kept while serde unwinds. Following costs on every value, so an answer is read
/// without it first, and again with it only when it fails.
#[derive(Default)]
struct PathSlot {
    follow: bool,
    /// The payload is read by the plain pass (`crate::plain`), which names no path.
    plain: bool,
    failed_at: RefCell<Option<String>>,
}

impl PathSlot {
    fn following() -> PathSlot {
        PathSlot { follow: true, ..PathSlot::default() }
    }

    fn plain() -> PathSlot {
        PathSlot { plain: true, ..PathSlot::default() }
    }

    fn take(&self) -> Option<String> {
        self.failed_at.take()
    }
}

fn decode_json<T: DeserializeOwned>(
    body: &[u8],
    method: Method<'_>,
    shape: Shape,
    strict: bool,
) -> Result<Answer<T>, DecodeError> {
    let fail = |(err, path): JsonFailure| DecodeError::new(Format::Json, path, err, body);
    // Checked as text once (bytes that are not UTF-8 read as U+FFFD), so that serde_json
    // does not check each string again.
    // (`from_utf8` first: its check of valid text is several times faster than the lossy one's.)
    let text = match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(body),
    };
    // Most answers fit their types: read without the lenient adapter first, and through it
    // only when that gives up (see `crate::plain`). Whether to try is asked once an answer,
    // so that a type given up on is rested for so many answers, not so many readings.
    let plain = Cell::new(crate::plain::worth_trying::<T>());
    let give_up = || {
        crate::plain::gave_up::<T>();
        plain.set(false);
    };
    // The road of nearly every answer, in one step: its lone payload read plainly. When the
    // plain pass gives up on it, it would on the whole answer too: read below without it.
    if plain.get() {
        if let Some(payload) = lone_payload(&text, method) {
            match read_lone_plainly::<T>(payload, strict) {
                Some(response) => return Ok(Answer::Ok(response)),
                None => give_up(),
            }
        }
    }
    let read = |body: &str| {
        if plain.get() {
            match decode_json_strict(body, method, shape, strict, PathSlot::plain()) {
                Ok(answer) => return Ok(answer),
                Err(_) => give_up(),
            }
        }
        decode_json_strict(body, method, shape, strict, PathSlot::default()).or_else(|failed| {
            // An answer that does not read as the payload may still hold a refusal further
            // on: that is the answer, not the failure.
            if let Some(refusal) = root_refusal(body.as_bytes()) {
                return Ok(Answer::Refused(refusal));
            }
            decode_json_strict(body, method, shape, strict, PathSlot::following()).map_err(|following| {
                // The first failure names the problem even when following finds no path.
                if following.1.is_some() {
                    following
                } else {
                    failed
                }
            })
        })
    };
    match read(&text) {
        Err((err, _))
            if err.classify() == serde_json::error::Category::Syntax
                && err.to_string().contains("control character") =>
        {
            // Real gateway bodies sometimes carry raw tabs and newlines inside strings.
            // Rather than lose the answer, escape them and read again.
            read(&String::from_utf8_lossy(&escape_control_characters(text.as_bytes()))).map_err(fail)
        }
        other => other.map_err(fail),
    }
}

type JsonFailure = (serde_json::Error, Option<String>);

/// Reads a bare JSON value (a message's content) into `T` through the lenient reader, as
/// an answer's payload is read: a value that does not fit an `Option` field of a
/// `#[derive(Object)]` type leaves that field `None`, and the drift says where.
#[cfg(feature = "messages")]
pub(crate) fn read_json<T: DeserializeOwned>(body: &[u8]) -> Result<Response<T>, DecodeError> {
    let read = |path: &PathSlot| -> Result<Response<T>, serde_json::Error> {
        let drift = Collector::start();
        let mut de = serde_json::Deserializer::from_slice(body);
        let value = tracked::<T, _>(Lenient::new(&mut de, Ctx::new(false, None).named(path.follow)), path)
            .and_then(|value| de.end().map(|()| value))?;
        let mut response = Response::new(value, None);
        let drift = drift.finish();
        if !drift.is_empty() {
            response.set_drift(drift);
        }
        Ok(response)
    };
    read(&PathSlot::default()).or_else(|_| {
        let path = PathSlot::following();
        read(&path).map_err(|err| DecodeError::new(Format::Json, path.take(), err, body))
    })
}

fn decode_json_strict<T: DeserializeOwned>(
    body: &str,
    method: Method<'_>,
    shape: Shape,
    strict: bool,
    path: PathSlot,
) -> Result<Answer<T>, JsonFailure> {
    if let Some(payload) = lone_payload(body, method) {
        // A failure is read again from the root, so that what it says (and where) is the
        // whole answer's.
        if let Ok(answer) = read_json_answer::<T>(payload, Reading::Lone, method.name, strict, &path) {
            return Ok(answer);
        }
    }
    read_json_answer(body, Reading::Root(shape), method.name, strict, &path)
}

/// A lone payload ([`lone_payload`]) read by the plain pass (see `crate::plain`): nothing
/// of the adapter's runs, so there is no drift to collect, and a refusal inside the payload
/// gives the pass up; `None` when it gives up, and the answer is read the long way.
fn read_lone_plainly<T: DeserializeOwned>(payload: &str, strict: bool) -> Option<Response<T>> {
    let capture = Capture { strict, ..Capture::default() };
    let mut de = serde_json::Deserializer::from_str(payload);
    let body = crate::plain::read_payload::<T, _>(&mut de, &capture).and_then(|body| de.end().map(|()| body)).ok()?;
    debug_assert!(capture.refusal.borrow().is_none(), "the plain pass gives up on a refusal");
    Some(Response::new(body, capture.request_id.take()))
}

/// What [`read_json_answer`] reads: the whole answer from its root, or a lone payload.
enum Reading {
    Root(Shape),
    /// The payload that [`lone_payload`] found the only member of the root.
    Lone,
}

/// The payload of an answer laid out as nearly every answer is, `{"<key>":<payload>}`: the
/// root's one member, named by the response key as `method` has it, with no white space
/// before its value (any after it). Such an answer is its payload alone, and reading that
/// is reading the answer without its root's map (a few hundred instructions of a call);
/// any other layout is `None`, and read from its root.
///
/// The key is taken as the bytes of its length that end in `":`, which is the key as it
/// reads only when none of them is a quote or starts an escape: so only for a plain
/// method, whose key has neither ([`is_response_key`] matches no other byte to them).
/// (serde_json's bound on nesting then counts from the payload: it may be one level
/// deeper.)
fn lone_payload<'b>(body: &'b str, method: Method<'_>) -> Option<&'b str> {
    const SUFFIX: &str = "_response";
    if !method.plain {
        return None;
    }
    let name = method.name.strip_prefix("taobao.").unwrap_or(method.name);
    let (key, rest) = body.as_bytes().strip_prefix(b"{\"")?.split_at_checked(name.len() + SUFFIX.len())?;
    let rest = rest.strip_prefix(b"\":")?;
    // The key as compiled in, or else as the method has it.
    if key != method.response_key.as_bytes() && !is_response_key_bytes(key, method.name) {
        return None;
    }
    let end = rest.iter().rposition(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'\r'))?;
    (rest[end] == b'}').then(|| &body[body.len() - rest.len()..][..end])
}

/// Reads an answer (`Reading::Root`), or a payload [`lone_payload`] found
/// (`Reading::Lone`), with its request id and drift, or the refusal it holds.
fn read_json_answer<T: DeserializeOwned>(
    body: &str,
    reading: Reading,
    method: &str,
    strict: bool,
    path: &PathSlot,
) -> Result<Answer<T>, JsonFailure> {
    let capture = Capture { strict, ..Capture::default() };
    let drift = Collector::start();
    let mut de = serde_json::Deserializer::from_str(body);
    let answer = match reading {
        Reading::Root(shape) => {
            Root::<T> { method, shape, capture: &capture, path, marker: PhantomData }.deserialize(&mut de)
        }
        Reading::Lone => Payload::<T> { capture: &capture, path, marker: PhantomData }.deserialize(&mut de).map(Ok),
    }
    .and_then(|answer| de.end().map(|()| answer));
    match answer {
        Ok(_) if capture.refusal.borrow().is_some() => Ok(Answer::Refused(capture.refusal.take().expect("checked"))),
        Ok(Ok(body)) => {
            let mut response = Response::boxed(body, capture.request_id.take());
            let drift = drift.finish();
            if !drift.is_empty() {
                response.set_drift(drift);
            }
            Ok(Answer::Ok(response))
        }
        Ok(Err(err)) => Ok(Answer::Refused(err)),
        Err(err) => Err((err, path.take())),
    }
}

/// The `error_response` among a JSON object's members, read without the rest.
fn root_refusal(body: &[u8]) -> Option<ApiError> {
    struct Scan;

    impl<'de> Visitor<'de> for Scan {
        type Value = Option<ApiError>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<ApiError>, A::Error> {
            let mut refusal = None;
            while let Some(key) = map.next_key_seed(KeySeed)? {
                if key == "error_response" && refusal.is_none() {
                    refusal = Some(map.next_value_seed(Refusal)?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(refusal)
        }
    }

    let body = escape_control_characters(body);
    let mut de = serde_json::Deserializer::from_slice(&body);
    de.deserialize_map(Scan).ok().flatten()
}

fn escape_control_characters(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 16);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in body {
        if in_string && byte < 0x20 {
            out.extend_from_slice(format!("\\u{byte:04x}").as_bytes());
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        }
        out.push(byte);
    }
    out
}

fn decode_xml<T: DeserializeOwned>(body: &[u8], method: &str, strict: bool) -> Result<Answer<T>, DecodeError> {
    let fail = |path: Option<String>, message: &dyn fmt::Display| DecodeError::new(Format::Xml, path, message, body);
    let text = std::str::from_utf8(body).map_err(|err| fail(None, &err))?;
    let root = root_element(text).map_err(|message| fail(None, &message))?;
    let capture = Capture { strict, ..Capture::default() };
    if root == "error_response" {
        let refusal = read_xml_refusal(text).map_err(|err| fail(None, &err))?;
        return Ok(Answer::Refused(refusal));
    }
    if !is_response_key(root, method) {
        let message = format!("expected `<{}>` or `<error_response>`, found `<{root}>`", response_key(method));
        return Err(fail(None, &message));
    }
    read_xml(text, &capture).map(Answer::Ok)
}

/// Reads an XML document's root element into `T` through the lenient reader, as an
/// answer's payload is read (a value that does not fit an `Option` field is a drift, unless
/// `capture` is strict): a `<name>_response`, a Qimen answer's `<response>`, a Qimen call's
/// `<request>`.
pub(crate) fn read_xml<T: DeserializeOwned>(text: &str, capture: &Capture) -> Result<Response<T>, DecodeError> {
    let read = |path: &PathSlot| {
        let drift = Collector::start();
        tracked::<T, _>(
            Lenient::new(crate::xml::Reader::open(text)?.root(), Ctx::new(true, Some(capture)).named(path.follow)),
            path,
        )
        .map(|body| (body, drift.finish()))
    };
    let (body, drift) = read(&PathSlot::default()).or_else(|_| {
        let path = PathSlot::following();
        read(&path).map_err(|err| DecodeError::new(Format::Xml, path.take(), err, text.as_bytes()))
    })?;
    let mut response = Response::new(body, capture.request_id.take());
    if !drift.is_empty() {
        response.set_drift(drift);
    }
    Ok(response)
}

/// What every Qimen answer says beside its payload.
#[derive(serde::Deserialize)]
struct QimenStatus {
    #[serde(default)]
    flag: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Reads a Qimen answer: the root `<response>`, whose `flag` says `success` (the whole
/// element is then read into `T`: `flag`, `code`, `message` and the payload's fields) or
/// `failure` (an [`Error::Api`] with its `code` and `message`). A TOP `<error_response>`
/// is a refusal too.
pub(crate) fn decode_qimen<T: DeserializeOwned>(body: &[u8], strict: bool) -> Result<Response<T>, Error> {
    let fail = |path: Option<&str>, message: &dyn fmt::Display| {
        Error::Decode(DecodeError::new(Format::Xml, path.map(str::to_owned), message, body))
    };
    let text = std::str::from_utf8(body).map_err(|err| fail(None, &err))?;
    let root = match root_element(text) {
        Ok(root) => root,
        Err(_) => {
            let what = not_an_answer(body, Format::Xml, Shape::Wrapped).unwrap_or(NotAnAnswer("malformed XML"));
            return Err(what.into_error(body));
        }
    };
    if root == "error_response" {
        let refusal = read_xml_refusal(text).map_err(|err| fail(None, &err))?;
        return Err(Error::Api(refusal));
    }
    if root != top_api_rules::QIMEN_ANSWER_ROOT {
        let what = match not_an_answer(body, Format::Xml, Shape::Wrapped) {
            Some(HTML) => HTML,
            _ => NotAnAnswer("an XML document without a <response> root"),
        };
        return Err(what.into_error(body));
    }
    let status = read_xml::<QimenStatus>(text, &Capture::default()).map_err(Error::Decode)?.into_inner();
    match status.flag.as_deref().map(str::trim) {
        Some(flag) if flag.eq_ignore_ascii_case("success") => {
            read_xml(text, &Capture { strict, ..Capture::default() }).map_err(Error::Decode)
        }
        Some(flag) if flag.eq_ignore_ascii_case("failure") => {
            Err(Error::Api(ApiError::qimen(status.code.as_deref(), status.message.as_deref())))
        }
        Some(flag) => Err(fail(Some("flag"), &format_args!("`{flag}` is neither `success` nor `failure`"))),
        None => Err(fail(Some("flag"), &"a Qimen answer without a `flag`")),
    }
}

/// The name of the document's root element, skipping the declaration and comments.
fn root_element(text: &str) -> Result<&str, String> {
    crate::xml::Reader::open(text).map(|reader| reader.root_name()).map_err(|err| err.to_string())
}

/// Reads an XML `<error_response>` document.
fn read_xml_refusal(text: &str) -> Result<ApiError, quick_xml::DeError> {
    ApiError::deserialize_lenient(crate::xml::Reader::open(text)?.root(), true)
}

/// Deserializes `T` through `de`; when following, keeps the failing field's path in `path`.
fn tracked<'de, T: de::Deserialize<'de>, D: Deserializer<'de>>(de: D, path: &PathSlot) -> Result<T, D::Error> {
    if !path.follow {
        return T::deserialize(de);
    }
    let mut track = serde_path_to_error::Track::new();
    let result = T::deserialize(serde_path_to_error::Deserializer::new(de, &mut track));
    if result.is_err() {
        let at = track.path().to_string();
        if at != "." && at != "?" {
            *path.failed_at.borrow_mut() = Some(at);
        }
    }
    result
}

impl ApiError {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(de: D, xml: bool) -> Result<ApiError, D::Error> {
        <ApiError as de::Deserialize>::deserialize(Lenient::new(de, Ctx::new(xml, None)))
    }
}

/// What the JSON root held: the payload, or the gateway's refusal.
type RootAnswer<T> = Result<Box<T>, ApiError>;

/// The top-level JSON object. Wrapped: `{"<name>_response":…}` or `{"error_response":…}`,
/// in any order among other members; neither is an error. Simplified: the payload's own
/// fields with `request_id` among them, or the wrapped form; an `error_response` found
/// among them is kept aside by the capture. (XML answers name their envelope in the root
/// element, which `decode_xml` reads first.)
struct Root<'a, T> {
    method: &'a str,
    shape: Shape,
    capture: &'a Capture,
    path: &'a PathSlot,
    marker: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Root<'_, T> {
    type Value = RootAnswer<T>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<RootAnswer<T>, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Root<'_, T> {
    type Value = RootAnswer<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object holding `{}` or `error_response`", response_key(self.method))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RootAnswer<T>, A::Error> {
        let first = map.next_key_seed(KeySeed)?;
        // Whether the first key is the payload's, asked once: the loop below reads it first.
        let mut first_is_payload = first.as_deref().is_some_and(|key| is_response_key(key, self.method));
        let wrapped = first_is_payload || first.as_deref() == Some("error_response");
        if self.shape == Shape::Simplified && !wrapped {
            // The root is the payload.
            if self.path.plain {
                return crate::plain::read_root(map, first, self.capture).map(|root| Ok(Box::new(root)));
            }
            let replay = Replay { map, first, ctx: Ctx::new(false, Some(self.capture)).named(self.path.follow) };
            return tracked(replay, self.path).map(|root| Ok(Box::new(root)));
        }
        let (mut payload, mut refusal, mut others) = (None, None, Vec::new());
        let mut key = first;
        while let Some(name) = key {
            if name == "error_response" && refusal.is_none() {
                refusal = Some(map.next_value_seed(Refusal)?);
            } else if payload.is_none()
                && (std::mem::take(&mut first_is_payload) || is_response_key(&name, self.method))
            {
                let seed = Payload { capture: self.capture, path: self.path, marker: PhantomData };
                payload = Some(map.next_value_seed(seed)?);
            } else if name == "request_id" && self.capture.request_id.borrow().is_none() {
                let id: String = map.next_value_seed(Seed(PhantomData))?;
                *self.capture.request_id.borrow_mut() = Some(id);
            } else {
                if others.len() < 4 {
                    others.push(name.into_owned());
                }
                map.next_value::<IgnoredAny>()?;
            }
            key = map.next_key_seed(KeySeed)?;
        }
        match (refusal, payload) {
            (Some(refusal), _) => Ok(Err(refusal)),
            (None, Some(payload)) => Ok(Ok(payload)),
            (None, None) => {
                let expected = response_key(self.method);
                let found =
                    if others.is_empty() { "an empty object".to_owned() } else { format!("`{}`", others.join("`, `")) };
                Err(de::Error::custom(format_args!("expected `{expected}` or `error_response`, found {found}")))
            }
        }
    }
}

/// A value read through the lenient adapter.
struct Seed<T>(PhantomData<T>);

impl<'de, T: de::Deserialize<'de>> DeserializeSeed<'de> for Seed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<T, D::Error> {
        T::deserialize(Lenient::new(de, Ctx::new(false, None)))
    }
}

/// A JSON `error_response`.
struct Refusal;

impl<'de> DeserializeSeed<'de> for Refusal {
    type Value = ApiError;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<ApiError, D::Error> {
        ApiError::deserialize_lenient(de, false)
    }
}

/// A JSON `<name>_response` member.
struct Payload<'a, T> {
    capture: &'a Capture,
    path: &'a PathSlot,
    marker: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Payload<'_, T> {
    type Value = Box<T>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Box<T>, D::Error> {
        if self.path.plain {
            return crate::plain::read_payload(de, self.capture).map(Box::new);
        }
        tracked(Lenient::new(de, Ctx::new(false, Some(self.capture)).named(self.path.follow)), self.path).map(Box::new)
    }
}

/// The root object of a simplified answer, handed to the payload type with the key the
/// envelope check already read put back in front.
struct Replay<'de, 'c, A> {
    map: A,
    first: Option<Cow<'de, str>>,
    ctx: Ctx<'c>,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Replay<'de, '_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        let place = Place::new(None, &[]);
        visitor.visit_map(StructMap::new(self.map, self.first, &[], self.ctx, &place, false))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let place = Place::new(None, fields);
        let object = name == crate::lenient::OBJECT;
        visitor.visit_map(StructMap::new(self.map, self.first, fields, self.ctx, &place, object))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    struct Every {
        n: Option<i64>,
        u: Option<u32>,
        f: Option<f64>,
        b: Option<bool>,
        s: Option<String>,
        d: Option<crate::Decimal>,
        t: Option<crate::DateTime>,
        day: Option<crate::Date>,
        j: Option<crate::Json>,
        list: Vec<i64>,
        names: Vec<String>,
        items: Vec<Item>,
        one: Option<Item>,
        plain_n: i64,
        plain_s: String,
        plain_item: Item,
    }

    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    struct Item {
        a: Option<i64>,
        s: Option<String>,
        flag: bool,
        deep: Vec<Item>,
    }

    const METHOD: &str = "taobao.test.every.get";

    /// Values of every kind, fitting some fields and not others.
    const VALUES: &[&str] = &[
        "1",
        "-3",
        "0",
        "7.5",
        "1e3",
        "1.0",
        "18446744073709551616",
        "-9223372036854775809",
        r#""12""#,
        r#""-4""#,
        r#""""#,
        r#"" ""#,
        r#""x""#,
        r#""true""#,
        r#""\u00e9\n""#,
        "true",
        "false",
        "null",
        "[]",
        "{}",
        "[1,2]",
        r#"["1",2]"#,
        r#"["a","b"]"#,
        r#"{"item":[1,2]}"#,
        r#"{"item":[]}"#,
        r#"{"item":[1],"other":2}"#,
        r#"{"item":{"a":1}}"#,
        r#"{"item":[{"a":1},{"s":"q"}]}"#,
        r#"[{"a":1},{"s":"q","flag":true}]"#,
        r#"{"a":1}"#,
        r#"{"a":"2","s":"y","flag":false}"#,
        r#"{"a":1,"zz":1}"#,
        r#"{"deep":{"item_x":[{"a":3}]}}"#,
        r#""2024-01-02 03:04:05""#,
        r#""2024-01-02""#,
        r#""12.50""#,
        r#"{"x":[1,{"y":null}]}"#,
    ];

    /// Keys of no field of `Every`, or of a field only the envelope knows.
    const OTHER_KEYS: &[&str] = &["zz", "error_response"];

    /// What fits each field (a list in any of its shapes), beside the values of every kind.
    fn fitting(key: &'static str, depth: u32) -> BoxedStrategy<String> {
        let pick = |values: &'static [&'static str]| prop::sample::select(values).prop_map(str::to_owned).boxed();
        let item = || if depth == 0 { Just("{}".to_owned()).boxed() } else { object(depth - 1, ITEM_KEYS) };
        let items = || {
            prop::collection::vec(item(), 0..3)
                .prop_flat_map(|items| {
                    let array = format!("[{}]", items.join(","));
                    prop_oneof![Just(array.clone()), Just(format!(r#"{{"item":{array}}}"#))]
                })
                .boxed()
        };
        match key {
            "n" | "plain_n" | "a" => pick(&["0", "-7", "42", "9223372036854775807", "null"]),
            "u" => pick(&["0", "4294967295", "null"]),
            "f" => pick(&["0.5", "-2", "1e-3", "null"]),
            "b" | "flag" => pick(&["true", "false"]),
            "s" | "plain_s" | "request_id" => pick(&[r#""""#, r#""x y""#, r#""\u5b9d\"q\"""#, r#""12""#]),
            "d" => pick(&[r#""12.50""#, "3", "1.25", r#""-0.1""#]),
            "t" => pick(&[r#""2024-01-02 03:04:05""#, "null"]),
            "day" => pick(&[r#""2024-01-02""#, "null"]),
            "j" => pick(&[r#""{\"k\":1}""#, r#"{"k":[1,"2",null]}"#, "[true]", "7"]),
            "list" => pick(&["[1,2]", r#"{"number":[3]}"#, "{}", "null", r#""""#, "[]"]),
            "names" => pick(&[r#"["a","b"]"#, r#"{"string":["c"]}"#, "[]"]),
            "items" | "deep" => items(),
            "one" | "plain_item" => item(),
            _ => pick(VALUES),
        }
    }

    const EVERY_KEYS: &[&str] = &[
        "n",
        "u",
        "f",
        "b",
        "s",
        "d",
        "t",
        "day",
        "j",
        "list",
        "names",
        "items",
        "one",
        "plain_n",
        "plain_s",
        "plain_item",
        "request_id",
    ];
    const ITEM_KEYS: &[&str] = &["a", "s", "flag", "deep"];

    /// An object of `keys`, each value fitting most of the time, of any kind (or a key of
    /// no field) now and then.
    fn object(depth: u32, keys: &'static [&'static str]) -> BoxedStrategy<String> {
        let member = prop::sample::select(keys).prop_flat_map(move |key| {
            let value =
                prop_oneof![9 => fitting(key, depth), 1 => prop::sample::select(VALUES).prop_map(str::to_owned)];
            let any = prop_oneof![
                prop::sample::select(EVERY_KEYS),
                prop::sample::select(ITEM_KEYS),
                prop::sample::select(OTHER_KEYS)
            ];
            let key = prop_oneof![19 => Just(key), 1 => any];
            (key, value)
        });
        prop::collection::vec(member, 0..8)
            .prop_map(|members| {
                let members: Vec<String> = members.iter().map(|(key, value)| format!(r#""{key}":{value}"#)).collect();
                format!("{{{}}}", members.join(","))
            })
            .boxed()
    }

    fn read(body: &str, strict: bool, path: PathSlot) -> Result<Answer<Every>, JsonFailure> {
        decode_json_strict(body, Method::named(METHOD), Shape::Wrapped, strict, path)
    }

    /// The rule of a response key a byte at a time, as `is_response_key` states it.
    fn response_key_by_bytes(key: &str, method: &str) -> bool {
        let name = method.strip_prefix("taobao.").unwrap_or(method);
        let Some(stem) = key.strip_suffix("_response") else { return false };
        let same = |k: u8, m: u8| k == m || (k == b'_' && matches!(m, b'.' | b'-')) || k.eq_ignore_ascii_case(&m);
        stem.len() == name.len() && stem.bytes().zip(name.bytes()).all(|(k, m)| same(k, m))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// Eight bytes at a time, a key is matched as a byte at a time: keys made from the
        /// method's own, each with a few bytes changed to the marks and letters the rule
        /// folds, at every place in the eights.
        #[test]
        fn a_response_key_is_matched_as_the_rule_says(
            method in "(taobao\\.)?[a-cA-C0-9._-]{0,40}",
            changes in proptest::collection::vec((any::<proptest::sample::Index>(), proptest::sample::select(b"._-aAbBz1".to_vec())), 0..3),
            suffix in proptest::sample::select(vec!["_response", "_respons", "response", ""]),
        ) {
            let mut key = method.strip_prefix("taobao.").unwrap_or(&method).replace('.', "_").into_bytes();
            for (at, byte) in changes {
                if !key.is_empty() {
                    let at = at.index(key.len());
                    key[at] = byte;
                }
            }
            let key = format!("{}{suffix}", String::from_utf8(key).unwrap());
            prop_assert_eq!(is_response_key(&key, &method), response_key_by_bytes(&key, &method), "{} for {}", key, method);
        }
    }

    #[test]
    fn a_response_key_beyond_ascii_is_matched_byte_for_byte() {
        for (key, method, same) in [
            ("öffnen_gehen_response", "taobao.öffnen.gehen", true),
            ("Öffnen_gehen_response", "taobao.öffnen.gehen", false),
            ("x_ein_langes_wört_mit_punkten_response", "x.ein.langes.wört.mit.punkten", true),
        ] {
            assert_eq!(is_response_key(key, method), same, "{key} for {method}");
            assert_eq!(response_key_by_bytes(key, method), same, "{key} for {method}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The plain pass only ever gives up: whatever answer it reads, the lenient adapter
        /// reads the same, with nothing drifted.
        #[test]
        fn what_the_plain_pass_reads_the_adapter_reads_alike(
            payload in object(3, EVERY_KEYS),
            root_id in any::<bool>(),
            strict in any::<bool>(),
            simplified in any::<bool>(),
        ) {
            let (body, shape) = match (simplified, root_id) {
                (false, true) => (format!(r#"{{"test_every_get_response":{payload},"request_id":"root"}}"#), Shape::Wrapped),
                (false, false) => (format!(r#"{{"test_every_get_response":{payload}}}"#), Shape::Wrapped),
                // The payload's members at the root, the gateway's `request_id` among them.
                (true, true) => (payload.replacen('{', r#"{"request_id":"root","#, 1).replace(",}", "}"), Shape::Simplified),
                (true, false) => (payload.clone(), Shape::Simplified),
            };
            let read = |path| decode_json_strict::<Every>(&body, Method::named(METHOD), shape, strict, path);
            if let Ok(plain) = read(PathSlot::plain()) {
                let lenient = read(PathSlot::default());
                match (plain, lenient) {
                    (Answer::Ok(plain), Ok(Answer::Ok(lenient))) => {
                        prop_assert!(plain.drift().is_empty());
                        prop_assert!(lenient.drift().is_empty(), "{body}: {:?}", lenient.drift());
                        prop_assert_eq!(plain.request_id(), lenient.request_id());
                        prop_assert_eq!(plain.into_inner(), lenient.into_inner());
                    }
                    (Answer::Refused(plain), Ok(Answer::Refused(lenient))) => prop_assert_eq!(plain, lenient),
                    (plain, lenient) => prop_assert!(false, "{body}: plain {plain:?}, lenient {lenient:?}"),
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// An answer read as its lone payload reads as it does from its root: the same
        /// payload, request id, drift or refusal; and a failure, read again from the root,
        /// the same failure. Layouts that are no lone payload (a member after it, a space
        /// before its value, a key in other letters, another API's key) hold it too.
        #[test]
        fn a_lone_payload_reads_as_its_whole_answer(
            payload in object(3, EVERY_KEYS),
            layout in 0..8usize,
            strict in any::<bool>(),
            pass in 0..3usize,
        ) {
            let body = match layout {
                0 => format!(r#"{{"test_every_get_response":{payload}}}"#),
                1 => format!("{{\"test_every_get_response\":{payload} \r\n}}\n\t "),
                2 => format!(r#"{{"test_every_get_response":{payload},"request_id":"root"}}"#),
                3 => format!(r#"{{"test_every_get_response":{payload}}}}}"#),
                4 => format!(r#"{{"TEST_Every_get_response":{payload}}}"#),
                5 => format!(r#"{{"test_every_get_response" : {payload}}}"#),
                6 => format!(r#"{{"test_every_put_response":{payload}}}"#),
                _ => format!(r#"{{"test_every_get_response":{payload}"#),
            };
            let slot = || [PathSlot::plain, PathSlot::default, PathSlot::following][pass]();
            let whole = read_json_answer::<Every>(&body, Reading::Root(Shape::Wrapped), METHOD, strict, &slot());
            let read = decode_json_strict::<Every>(&body, Method::named(METHOD), Shape::Wrapped, strict, slot());
            let said = |(err, path): JsonFailure| format!("{err} at {path:?}");
            same_answers(&body, read.map_err(said), whole.map_err(said))?;
            // The whole road of a typed API's answer, whose key was compiled in (the plain
            // pass of its lone payload first), against the root's road alone.
            let typed = Method { name: METHOD, plain: true, response_key: "test_every_get_response" };
            let rooted = Method { name: METHOD, plain: false, response_key: "" };
            let read = decode_json::<Every>(body.as_bytes(), typed, Shape::Wrapped, strict);
            let whole = decode_json::<Every>(body.as_bytes(), rooted, Shape::Wrapped, strict);
            same_answers(&body, read.map_err(|err| err.to_string()), whole.map_err(|err| err.to_string()))?;
        }
    }

    /// Two readings of `body` came to the same: payload, request id and drift, or refusal,
    /// or failure (as it reads).
    fn same_answers(
        body: &str,
        read: Result<Answer<Every>, String>,
        whole: Result<Answer<Every>, String>,
    ) -> Result<(), TestCaseError> {
        match (read, whole) {
            (Ok(Answer::Ok(read)), Ok(Answer::Ok(whole))) => {
                prop_assert_eq!(read.request_id(), whole.request_id());
                prop_assert_eq!(read.drift(), whole.drift());
                prop_assert_eq!(read.into_inner(), whole.into_inner());
            }
            (Ok(Answer::Refused(read)), Ok(Answer::Refused(whole))) => prop_assert_eq!(read, whole),
            (Err(read), Err(whole)) => prop_assert_eq!(read, whole),
            (read, whole) => prop_assert!(false, "{body}: read {read:?}, whole {whole:?}"),
        }
        Ok(())
    }

    #[test]
    fn a_lone_payload_is_the_root_s_one_member_named_as_the_method_has_it() {
        let plain = Method::named(METHOD);
        for (body, lone) in [
            (r#"{"test_every_get_response":{"n":1}}"#, Some(r#"{"n":1}"#)),
            ("{\"test_every_get_response\":{\"n\":1} }\r\n", Some(r#"{"n":1} "#)),
            (r#"{"TEST_every_get_response":[]}"#, Some("[]")),
            (r#"{"test_every_get_response":{"n":1},"request_id":"r"}"#, Some(r#"{"n":1},"request_id":"r""#)),
            // The root left open: its payload is read, and fails, then the root fails.
            (r#"{"test_every_get_response":{"n":1}"#, Some(r#"{"n":1"#)),
            (r#" {"test_every_get_response":{"n":1}}"#, None),
            (r#"{"test_every_get_response" :{"n":1}}"#, None),
            (r#"{"test_every_get_responses":{"n":1}}"#, None),
            (r#"{"test_every_put_response":{"n":1}}"#, None),
            (r#"{"error_response":{"code":7}}"#, None),
            (r#"{"test_every_get_respons"#, None),
            ("", None),
        ] {
            assert_eq!(lone_payload(body, plain), lone, "{body}");
        }
        // A key with a quote or an escape does not read as its bytes: only a plain method's
        // key is taken from them.
        let odd = Method::named("taobao.test\\every");
        assert!(!odd.plain);
        assert_eq!(lone_payload(r#"{"test\\every_response":{}}"#, odd), None);
    }

    #[test]
    fn an_answer_that_fits_is_read_by_the_plain_pass() {
        let body = r#"{"test_every_get_response":{"n":1,"s":"x","items":{"item":[{"a":2,"deep":[]}]},
            "t":"2024-01-02 03:04:05","request_id":"inner","plain_item":{"flag":true}},"request_id":"outer"}"#;
        let Ok(Answer::Ok(plain)) = read(body, false, PathSlot::plain()) else { panic!("the plain pass gave up") };
        assert_eq!(plain.request_id(), Some("inner"));
        assert_eq!(plain.get().items[0].a, Some(2));
        assert!(plain.get().plain_item.flag);
        // Simplified: the payload's members at the root, the gateway's request_id among them.
        let body = r#"{"n":1,"request_id":"r2","items":[{"a":3}]}"#;
        let read =
            decode_json_strict::<Every>(body, Method::named(METHOD), Shape::Simplified, false, PathSlot::plain());
        let Ok(Answer::Ok(plain)) = read else { panic!("the plain pass gave up") };
        assert_eq!((plain.request_id(), plain.get().n, plain.get().items[0].a), (Some("r2"), Some(1), Some(3)));
    }

    #[test]
    fn the_plain_pass_gives_up_where_the_adapter_helps() {
        for payload in [
            r#"{"n":"1"}"#,
            r#"{"zz":1}"#,
            r#"{"one":{"zz":1}}"#,
            r#"{"n":""}"#,
            r#"{"t":""}"#,
            r#"{"plain_s":1}"#,
            r#"{"error_response":{"code":7,"msg":"App Call Limited"}}"#,
            r#"{"plain_item":null}"#,
            r#"{"list":[1,"2"]}"#,
        ] {
            let body = format!(r#"{{"test_every_get_response":{payload}}}"#);
            assert!(read(&body, false, PathSlot::plain()).is_err(), "{payload}");
            assert!(read(&body, false, PathSlot::default()).is_ok(), "{payload}");
        }
    }

    #[test]
    fn a_type_the_plain_pass_gave_up_on_is_rested_for_so_many_answers() {
        // The rest is kept a type at a time, on this test's thread.
        let typed = Method { name: METHOD, plain: true, response_key: "test_every_get_response" };
        let answer = |payload: &str| {
            let body = format!(r#"{{"test_every_get_response":{payload}}}"#);
            assert!(matches!(decode_json::<Every>(body.as_bytes(), typed, Shape::Wrapped, false), Ok(Answer::Ok(_))));
        };
        let rest_left = || (0..).take_while(|_| !crate::plain::worth_trying::<Every>()).count();
        // A number sent as text: the plain pass gives up, then ten answers that fit.
        answer(r#"{"n":"1"}"#);
        (0..10).for_each(|_| answer(r#"{"n":1}"#));
        assert_eq!(rest_left(), usize::from(crate::plain::REST) - 10);
    }
}
