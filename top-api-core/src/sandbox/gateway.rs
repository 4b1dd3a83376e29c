//! The gateway's side of the sandbox: the platform's checks of a call, in the order it
//! makes them, the dispatch to a handler, batches, and the answer written as the gateway
//! writes it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::encode::{self, Node, Style};
use super::fault::{self, Fault, Faults};
use super::form::{self, Form};
use super::http::{Incoming, Outgoing};
use super::oauth::AUTHORIZE_PATH;
use super::{Call, Clock, Registered};
use crate::batch::{DEFAULT_SEPARATOR, PUBLIC_MARK, SEPARATOR_HEADER};
use crate::{sign, ApiError, DateTime, File, Format, ParamError, Params, SignMethod};
use crate::{SessionNeed, Violation};

/// The path the gateway serves.
pub(super) const PATH: &str = "/router/rest";
/// The path batches go to.
const BATCH_PATH: &str = "/router/batch";
/// The path of the Qimen router.
pub(super) const QIMEN_PATH: &str = "/router/qimen/service";
/// How far a call's timestamp may drift from the gateway's clock: the platform takes ten
/// minutes either way.
const DRIFT: Duration = Duration::from_secs(10 * 60);

/// What the server of a sandbox answers from: its settings, handlers, faults and log.
pub(super) struct State {
    pub(super) app_key: String,
    pub(super) app_secret: String,
    pub(super) oauth: std::sync::Arc<super::oauth::Authority>,
    pub(super) handlers: RwLock<HashMap<String, Registered>>,
    /// The last `call_log` calls.
    pub(super) calls: Mutex<VecDeque<Call>>,
    pub(super) call_log: usize,
    pub(super) faults: Mutex<Faults>,
    pub(super) next_id: AtomicU64,
    pub(super) gzip: bool,
    pub(super) clock: Clock,
}

pub(super) fn param_refusal(err: &ParamError) -> ApiError {
    let violation = if err.is_missing() { Violation::Missing } else { Violation::Invalid(err.to_string()) };
    ApiError::param_refusal(err.name(), &violation)
}

/// Text that is not UTF-8, the one encoding the platform reads.
fn not_utf8() -> ApiError {
    refuse(47, "Invalid encoding")
        .with_sub("isv.invalid-encoding", "the params are not UTF-8 text, the one encoding the gateway reads")
}

fn refuse(code: i64, msg: &str) -> ApiError {
    ApiError::new(code, msg)
}

impl State {
    pub(super) fn answer(&self, request: Incoming) -> Outgoing {
        if request.method != "POST" && request.method != "GET" {
            return text(400, format!("the gateway takes GET or POST, not {}", request.method));
        }
        match request.target.split('?').next().unwrap_or("") {
            PATH => self.answer_call(&request),
            BATCH_PATH => self.answer_batch(&request),
            QIMEN_PATH => self.answer_qimen(&request),
            AUTHORIZE_PATH => match self.oauth.authorize(request.target.split_once('?').map_or("", |(_, q)| q)) {
                Ok(location) => Outgoing::Redirect { location },
                Err(why) => text(400, why),
            },
            path => text(
                404,
                format!(
                    "no gateway at {path}; the sandbox serves {PATH}, {BATCH_PATH}, {QIMEN_PATH} and {AUTHORIZE_PATH}"
                ),
            ),
        }
    }

    fn answer_call(&self, request: &Incoming) -> Outgoing {
        let form = match form::read_form(request) {
            Ok(form) => form,
            Err(why) => return text(400, why),
        };
        let method = present(&form, "method").map(str::to_owned);
        let fault = self.faults.lock().unwrap_or_else(PoisonError::into_inner).take(method.as_deref());
        let (format, format_refusal) = read_format(&form);
        let style = Style { format, simplify: format == Format::Json && form.get("simplify") == Some("true") };
        let outcome = match (format_refusal, &fault) {
            (Some(refused), _) => Err(refused),
            (None, Some(fault)) if fault.refusal().is_some() => Err(fault.refusal().expect("checked")),
            (None, _) => self.check_and_run(&form),
        };
        let (body, error_code) = self.encode(style, method.as_deref(), &outcome);
        let gzipped = self.gzip_for(request) && matches!(fault, None | Some(Fault::Delay(_)));
        self.record(request, &form, method, error_code, gzipped);

        fault::play(fault, format, body, |body| self.reply(request, format, body))
    }

    /// The platform's checks, in the order it makes them, then the handler.
    fn check_and_run(&self, form: &Form) -> Result<Node, ApiError> {
        if form.not_utf8 {
            return Err(not_utf8());
        }
        if present(form, "method").is_none() {
            return Err(refuse(21, "Missing Method"));
        }
        self.check_call(form, "")?;
        self.run(form, false)
    }

    /// A call to the Qimen router: the system params and `customerId` in the query, the
    /// XML body signed with them; checked as the gateway checks a call, then handed to the
    /// API's handler with the body as its param `request`; answered with a `<response>`.
    fn answer_qimen(&self, request: &Incoming) -> Outgoing {
        let mut form = form::read_query(&request.target);
        let method = present(&form, "method").map(str::to_owned);
        let fault = self.faults.lock().unwrap_or_else(PoisonError::into_inner).take(method.as_deref());
        let body = std::str::from_utf8(&request.body);
        form.not_utf8 |= body.is_err();
        let body = body.unwrap_or("");
        let outcome = match &fault {
            Some(fault) if fault.refusal().is_some() => Err(fault.refusal().expect("checked")),
            _ => self.check_and_run_qimen(&form, body),
        };
        let error_code = outcome.as_ref().err().map(ApiError::code);
        let answer = match &outcome {
            Ok(payload) => crate::qimen_router::success_document(payload),
            Err(refusal) => crate::qimen_router::write_failure(refusal),
        };
        let gzipped = self.gzip_for(request) && matches!(fault, None | Some(Fault::Delay(_)));
        form.push(top_api_rules::QIMEN_BODY_PARAM.to_owned(), body.to_owned());
        self.record(request, &form, method, error_code, gzipped);
        fault::play(fault, Format::Xml, answer, |answer| self.reply(request, Format::Xml, answer))
    }

    /// The checks of a Qimen call, in the gateway's order (the signature covering the
    /// body), then its handler.
    fn check_and_run_qimen(&self, query: &Form, body: &str) -> Result<Node, ApiError> {
        if query.not_utf8 {
            return Err(not_utf8());
        }
        if present(query, "method").is_none() {
            return Err(refuse(21, "Missing Method"));
        }
        self.check_call(query, body)?;
        let mut call = Form::default();
        for (name, value) in query.params.iter().filter(|(name, _)| name != "sign") {
            call.push(name.clone(), value.clone());
        }
        call.push(top_api_rules::QIMEN_BODY_PARAM.to_owned(), body.to_owned());
        self.run(&call, true)
    }

    /// The checks of the call as a whole: app key, timestamp, version and signature (with
    /// `body` appended for a batch).
    fn check_call(&self, form: &Form, body: &str) -> Result<(), ApiError> {
        let app_key = present(form, "app_key").ok_or_else(|| refuse(28, "Missing App Key"))?;
        if app_key != self.app_key {
            return Err(refuse(29, "Invalid app Key").with_sub("isv.appkey-not-exists", "app key does not exist"));
        }
        let timestamp = present(form, "timestamp").ok_or_else(|| refuse(30, "Missing Timestamp"))?;
        check_timestamp(timestamp, self.clock.now())?;
        match present(form, "v") {
            None => return Err(refuse(32, "Missing Version")),
            Some("2.0") => {}
            Some(v) if v.parse::<f64>().is_ok() => return Err(refuse(34, "Unsupported Version")),
            Some(_) => return Err(refuse(33, "Invalid Version")),
        }
        let sign = present(form, "sign").ok_or_else(|| refuse(24, "Missing Signature"))?;
        let sign_method = match present(form, "sign_method") {
            None => SignMethod::Md5,
            Some(name) => SignMethod::from_wire(name).ok_or_else(|| {
                refuse(25, "Invalid signature")
                    .with_sub("isv.invalid-sign-method", format!("unknown sign_method `{name}`"))
            })?,
        };
        // File parts are never signed: `form.params` holds text params only.
        let signed = form.params.iter().filter(|(name, _)| name != "sign");
        if !sign::sign_batch(signed, body, &self.app_secret, sign_method).eq_ignore_ascii_case(sign) {
            return Err(refuse(25, "Invalid signature"));
        }
        Ok(())
    }

    /// The checks of one API call (its method, session and params), then its handler. A
    /// Qimen API is served through the Qimen router only (`qimen`), the others through the
    /// gateway only.
    fn run(&self, form: &Form, qimen: bool) -> Result<Node, ApiError> {
        if form.not_utf8 {
            return Err(not_utf8());
        }
        let method = present(form, "method").ok_or_else(|| refuse(21, "Missing Method"))?;
        let handlers = self.handlers.read().unwrap_or_else(PoisonError::into_inner);
        let registered = handlers.get(method).ok_or_else(|| refuse(22, "Invalid Method"))?;
        if registered.qimen != qimen {
            let why = if qimen {
                "a REST API: the Qimen router does not serve it"
            } else {
                "a Qimen API: it is served by the Qimen router, with its request as an XML body"
            };
            return Err(refuse(22, "Invalid Method").with_sub("isv.invalid-method", format!("`{method}` is {why}")));
        }
        match present(form, "session") {
            None if registered.session == SessionNeed::Required => return Err(refuse(26, "Missing Session")),
            Some(session) => self.oauth.check_session(session)?,
            None => {}
        }
        let mut params = Params::with_capacity(form.params.len());
        for (name, value) in form.params.iter().filter(|(name, _)| !top_api_rules::is_reserved(name)) {
            if value.trim().is_empty() {
                return Err(ApiError::param_refusal(name, &Violation::Invalid("is blank".to_owned())));
            }
            params.push(name.clone(), value.clone());
        }
        for upload in &form.files {
            let file = File::from_bytes(upload.file_name.clone(), upload.bytes.clone())
                .content_type(upload.content_type.clone());
            params.push_file(upload.name.clone(), file);
        }
        let handler = registered.handler.clone();
        drop(handlers);
        handler(&params)
    }

    /// A batch: one HTTP request whose body holds several calls, form-encoded and joined by
    /// a separator, with the system params and signature in the query.
    fn answer_batch(&self, request: &Incoming) -> Outgoing {
        let system = form::read_query(&request.target);
        let (format, format_refusal) = read_format(&system);
        let style = Style { format, simplify: format == Format::Json && system.get("simplify") == Some("true") };
        let Ok(body) = std::str::from_utf8(&request.body) else {
            return text(400, "a batch body is UTF-8 text".to_owned());
        };
        let separator = request.header(SEPARATOR_HEADER).unwrap_or(DEFAULT_SEPARATOR);
        // A fault of the next calls plays on a batch as a whole.
        let fault = self.faults.lock().unwrap_or_else(PoisonError::into_inner).take(None);
        let checked = match (format_refusal, &fault) {
            (Some(refusal), _) => Err(refusal),
            (None, Some(fault)) if fault.refusal().is_some() => Err(fault.refusal().expect("checked")),
            (None, _) => self.check_call(&system, body),
        };
        if let Err(refusal) = checked {
            // The whole batch is refused: one piece.
            let request_id = self.request_id();
            self.record(request, &system, None, Some(refusal.code()), false);
            return fault::play(fault, format, encode::refusal(format, &refusal, &request_id), |body| {
                self.reply(request, format, body)
            });
        }
        let mut pieces = crate::batch::split(body.as_bytes(), separator.as_bytes());
        let mut public = Vec::new();
        if let Some(first) = pieces.first().and_then(|p| p.strip_prefix(PUBLIC_MARK.as_bytes())) {
            public = form::parse_pairs(first);
            pieces.remove(0);
        }
        let mut answers = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let mut call = Form::default();
            for (name, value) in system.params.iter().filter(|(name, _)| name != "sign") {
                call.push(name.clone(), value.clone());
            }
            call.not_utf8 = !form::decodes_to_utf8(piece);
            for (name, value) in form::parse_pairs(piece).into_iter().chain(public.iter().cloned()) {
                call.push(name, value);
            }
            let method = present(&call, "method").map(str::to_owned);
            let (answer, error_code) = self.encode(style, method.as_deref(), &self.run(&call, false));
            self.record(request, &call, method, error_code, false);
            answers.push(answer);
        }
        fault::play(fault, format, answers.join(separator), |body| self.reply(request, format, body))
    }

    /// A request id for one answer.
    fn request_id(&self) -> String {
        format!("sbx{:x}", self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// An outcome written as the gateway writes it, and its error code if it is a refusal.
    fn encode(&self, style: Style, method: Option<&str>, outcome: &Result<Node, ApiError>) -> (String, Option<i64>) {
        let request_id = self.request_id();
        match outcome {
            Ok(payload) => (encode::success(style, method.unwrap_or(""), payload, &request_id), None),
            Err(refusal) => (encode::refusal(style.format, refusal, &request_id), Some(refusal.code())),
        }
    }

    /// A 200 answer, gzipped when the sandbox is set to and the client accepts it.
    fn reply(&self, request: &Incoming, format: Format, body: String) -> Outgoing {
        let content_type = content_type(format);
        if self.gzip_for(request) {
            return Outgoing::Answer {
                status: 200,
                content_type,
                body: crate::gzip::gzip(body.as_bytes()),
                gzip: true,
            };
        }
        Outgoing::Answer { status: 200, content_type, body: body.into_bytes(), gzip: false }
    }

    fn gzip_for(&self, request: &Incoming) -> bool {
        self.gzip
            && request
                .header("accept-encoding")
                .is_some_and(|v| v.split(',').any(|coding| coding.trim().split(';').next() == Some("gzip")))
    }

    fn record(&self, request: &Incoming, form: &Form, method: Option<String>, error_code: Option<i64>, gzipped: bool) {
        if self.call_log == 0 {
            return;
        }
        let call = Call {
            http_method: request.method.clone(),
            batch: request.target.starts_with(BATCH_PATH),
            qimen: request.target.starts_with(QIMEN_PATH),
            method,
            params: form.params.iter().filter(|(name, _)| name != "sign").cloned().collect(),
            files: form.files.clone(),
            error_code,
            gzipped,
            at: self.clock.now(),
        };
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if calls.len() >= self.call_log {
            calls.pop_front();
        }
        calls.push_back(call);
    }
}

/// A timestamp is `yyyy-MM-dd HH:mm:ss` in GMT+8, or epoch milliseconds (as the official
/// Python SDK sends), within ten minutes of `now`, the gateway's clock.
pub(super) fn check_timestamp(text: &str, now: SystemTime) -> Result<(), ApiError> {
    let invalid = |why: &str| refuse(31, "Invalid Timestamp").with_sub("isv.invalid-timestamp", why.to_owned());
    let at = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let millis: u64 = text.parse().map_err(|_| invalid("the epoch milliseconds are out of range"))?;
        UNIX_EPOCH
            .checked_add(Duration::from_millis(millis))
            .ok_or_else(|| invalid("the epoch milliseconds are out of range"))?
    } else {
        SystemTime::from(DateTime::parse(text).map_err(|_| invalid("expected yyyy-MM-dd HH:mm:ss in GMT+8"))?)
    };
    let drift = at.duration_since(now).or_else(|_| now.duration_since(at)).unwrap_or_default();
    if drift > DRIFT {
        return Err(invalid("the timestamp is more than 10 minutes away from the gateway's clock"));
    }
    Ok(())
}

fn text(status: u16, body: String) -> Outgoing {
    Outgoing::Answer { status, content_type: "text/plain;charset=UTF-8", body: body.into_bytes(), gzip: false }
}

/// A param that is sent and not blank.
fn present<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    form.get(name).filter(|v| !v.trim().is_empty())
}

/// The format asked for; an unknown one is refused in the gateway's default, XML.
fn read_format(form: &Form) -> (Format, Option<ApiError>) {
    match form.get("format") {
        None | Some("xml") => (Format::Xml, None),
        Some("json") => (Format::Json, None),
        Some(_) => (Format::Xml, Some(refuse(23, "Invalid Format"))),
    }
}

pub(super) fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json;charset=UTF-8",
        Format::Xml => "text/xml;charset=UTF-8",
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use proptest::prelude::*;

    use super::*;
    use crate::apis;
    use crate::sandbox::http::{self, read_request};
    use crate::sandbox::Sandbox;

    /// A real, signed call to mutate.
    fn valid_request(sandbox: &Sandbox) -> Vec<u8> {
        let query =
            apis::AlibabaIdleInteractLoanUserQuery { user: "3".into(), scene_code: "xx".into(), env: "pre".into() };
        let params = sandbox.client().build().unwrap().wire_params(&query, None).unwrap();
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish();
        format!(
            "POST /router/rest HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn answer(sandbox: &Sandbox, raw: &[u8]) {
        if let Ok(Some(request)) = read_request(&mut BufReader::new(raw)) {
            let _ = sandbox.state.answer(request);
        }
    }

    #[test]
    fn the_valid_request_is_answered() {
        let sandbox = Sandbox::start().unwrap();
        let request = read_request(&mut BufReader::new(&valid_request(&sandbox)[..])).unwrap().unwrap();
        let http::Outgoing::Answer { status, body, .. } = sandbox.state.answer(request) else { panic!("no answer") };
        assert_eq!(status, 200);
        // The mutations start from a call the gateway accepts, so they reach its deeper paths.
        let body = String::from_utf8(body).unwrap();
        assert!(body.contains("\"idle_point_result\":") && !body.contains("error_response"), "{body}");
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_parser(raw in prop::collection::vec(any::<u8>(), 0..1024)) {
            let sandbox = Sandbox::builder().seed_examples(true).start().unwrap();
            answer(&sandbox, &raw);
        }

        #[test]
        fn mutated_calls_never_panic_the_gateway(
            edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..12),
        ) {
            let sandbox = Sandbox::start().unwrap();
            let mut raw = valid_request(&sandbox);
            for (at, byte, op) in edits {
                let at = at % raw.len().max(1);
                match op {
                    0 if !raw.is_empty() => raw[at] = byte,
                    1 => raw.insert(at, byte),
                    _ if !raw.is_empty() => { raw.remove(at); }
                    _ => {}
                }
            }
            answer(&sandbox, &raw);
        }

        #[test]
        fn arbitrary_params_never_panic_the_gateway(
            target in "/router/(rest|batch)(\\?[a-z_=&%0-9A-F.:-]{0,80})?",
            content_type in prop::sample::select(vec![
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "text/plain", "",
            ]),
            params in prop::collection::vec((
                prop::sample::select(vec!["method", "app_key", "timestamp", "v", "sign", "sign_method", "format",
                    "simplify", "session", "user", "scene_code", "env", "user_id", "x"]),
                ".{0,24}",
            ), 0..12),
            separator in prop::option::of("[-a-zA-Z \\r\\n]{0,6}"),
        ) {
            let sandbox = Sandbox::start().unwrap();
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
            let mut headers = vec![("Content-Type".to_owned(), content_type.to_owned())];
            if let Some(separator) = separator {
                headers.push((SEPARATOR_HEADER.to_owned(), separator));
            }
            let request = Incoming { method: "POST".into(), target, headers, body: body.into_bytes(), http10: false };
            let _ = sandbox.state.answer(request);
        }
    }
}
