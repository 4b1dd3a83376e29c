//! A small HTTP/1.1 server for the sandbox: keep-alive, Content-Length and chunked
//! bodies, and the control over the socket that faults need (drop, truncate).
//!
//! What one client can hold is bounded: a connection is closed as soon as its exchange
//! ends (the client closed it, asked `Connection: close`, spoke HTTP/1.0, or was answered
//! 400 or 413 or with a fault that drops it); a request's head and body must arrive within
//! one deadline, however slowly they trickle; a body grows as it arrives, never ahead of
//! it; and past a cap on open connections a new one is refused with a 503.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The most a request line plus headers may take.
const MAX_HEAD: usize = 64 * 1024;
/// The most a request body may take.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// What a body's buffer starts at, whatever length it announces.
const FIRST_CHUNK: usize = 64 * 1024;

/// How long the server waits for a client, and how many it serves at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// How long a kept-alive connection may wait for its next request.
    pub(crate) idle: Duration,
    /// How long a request's head and body may take to arrive, from its first byte, and an
    /// answer to be taken.
    pub(crate) request: Duration,
    /// How many connections may be open at once; one more is refused with a 503.
    pub(crate) max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { idle: Duration::from_secs(60), request: Duration::from_secs(30), max_connections: 128 }
    }
}

/// A request as read from the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incoming {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// HTTP/1.0: the connection ends with the answer.
    pub(crate) http10: bool,
}

impl Incoming {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether the connection ends with this request's answer: HTTP/1.0, or a
    /// `Connection` header naming `close`.
    pub(crate) fn closes(&self) -> bool {
        self.http10
            || self.headers.iter().any(|(name, value)| {
                name.eq_ignore_ascii_case("connection")
                    && value.split(',').any(|token| token.trim().eq_ignore_ascii_case("close"))
            })
    }
}

/// What to do with the connection after a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outgoing {
    /// Answer normally; `gzip` says the body is gzipped.
    Answer { status: u16, content_type: &'static str, body: Vec<u8>, gzip: bool },
    /// Send the browser elsewhere: a 302 to `location` (a URL without CR or LF).
    Redirect { location: String },
    /// Close the connection without a word.
    Drop,
    /// Announce the whole body, send half of it, and close.
    Truncated { content_type: &'static str, body: Vec<u8> },
}

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ParseError {
    /// The connection failed or timed out: there is no one left to answer.
    Io,
    Malformed(&'static str),
    TooLarge,
}

impl From<io::Error> for ParseError {
    fn from(_: io::Error) -> ParseError {
        ParseError::Io
    }
}

/// Reads one request; `None` when the peer closed the connection between requests.
pub(crate) fn read_request<R: BufRead>(reader: &mut R) -> Result<Option<Incoming>, ParseError> {
    let mut line = String::new();
    let mut head = 0;
    // Tolerate blank lines before a request line (RFC 9112 section 2.2).
    loop {
        line.clear();
        let read = read_line(reader, &mut line, &mut head)?;
        if read == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ParseError::Malformed("bad request line"));
    };
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(ParseError::Malformed("bad request line: the version is not HTTP/1.0 or HTTP/1.1")),
    };
    if parts.next().is_some() {
        return Err(ParseError::Malformed("bad request line"));
    }
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        if read_line(reader, &mut line, &mut head)? == 0 {
            return Err(ParseError::Malformed("the headers end early"));
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            break;
        }
        let Some((name, value)) = trimmed.split_once(':') else {
            return Err(ParseError::Malformed("bad header line"));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = Incoming { method, target, headers, body: Vec::new(), http10 };
    if request.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        request.body = read_chunked(reader)?;
    } else if let Some(length) = request.header("content-length") {
        let length: usize = length.parse().map_err(|_| ParseError::Malformed("bad content-length"))?;
        if length > MAX_BODY {
            return Err(ParseError::TooLarge);
        }
        read_exactly(reader, length, &mut request.body)?;
    }
    Ok(Some(request))
}

fn read_line<R: BufRead>(reader: &mut R, line: &mut String, head: &mut usize) -> Result<usize, ParseError> {
    let mut bytes = Vec::new();
    let read = reader.take((MAX_HEAD - *head + 1) as u64).read_until(b'\n', &mut bytes)?;
    *head += read;
    if *head > MAX_HEAD {
        return Err(ParseError::TooLarge);
    }
    line.push_str(std::str::from_utf8(&bytes).map_err(|_| ParseError::Malformed("the head is not UTF-8"))?);
    Ok(read)
}

fn read_chunked<R: BufRead>(reader: &mut R) -> Result<Vec<u8>, ParseError> {
    let mut body = Vec::new();
    let mut head = 0;
    loop {
        let mut line = String::new();
        if read_line(reader, &mut line, &mut head)? == 0 {
            return Err(ParseError::Malformed("the chunked body ends early"));
        }
        let size = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size, 16).map_err(|_| ParseError::Malformed("bad chunk size"))?;
        if size > MAX_BODY - body.len() {
            return Err(ParseError::TooLarge);
        }
        if size == 0 {
            // Trailers, then the blank line.
            loop {
                line.clear();
                if read_line(reader, &mut line, &mut head)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        read_exactly(reader, size, &mut body)?;
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(ParseError::Malformed("a chunk does not end in CRLF"));
        }
    }
}

/// Appends the next `length` bytes to `body`, which grows as they arrive: an announced
/// length reserves nothing it has not received.
fn read_exactly<R: Read>(reader: &mut R, length: usize, body: &mut Vec<u8>) -> Result<(), ParseError> {
    body.reserve(length.min(FIRST_CHUNK));
    let want = length as u64;
    let read = reader.take(want).read_to_end(body)?;
    if read != length {
        // The client closed the connection before sending what it announced.
        return Err(ParseError::Io);
    }
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        503 => "Service Unavailable",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

fn write_head(out: &mut impl Write, status: u16, content_type: &str, length: usize, close: bool) -> io::Result<()> {
    write_head_with(out, status, content_type, length, close, "")
}

fn write_head_with(
    out: &mut impl Write,
    status: u16,
    content_type: &str,
    length: usize,
    close: bool,
    extra: &str,
) -> io::Result<()> {
    let connection = if close { "close" } else { "keep-alive" };
    write!(
        out,
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: {connection}\r\n{extra}\r\n",
        reason(status)
    )
}

type Handler = Arc<dyn Fn(Incoming) -> Outgoing + Send + Sync>;

/// The connections being served, so that `stop` can close them; each leaves the list (and
/// its socket is closed) the moment its exchange ends.
#[derive(Default)]
struct Open {
    next: u64,
    streams: HashMap<u64, TcpStream>,
}

type Shared = Arc<Mutex<Open>>;

fn lock(open: &Shared) -> std::sync::MutexGuard<'_, Open> {
    open.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes a connection off the list when its thread ends, however it ends.
struct Leave {
    open: Shared,
    id: u64,
}

impl Drop for Leave {
    fn drop(&mut self) {
        lock(&self.open).streams.remove(&self.id);
    }
}

/// A running server; dropping it stops it.
pub(crate) struct Server {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    open: Shared,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(addr: SocketAddr, limits: Limits, handler: Handler) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let open = Shared::default();
        let (stop, connections) = (stopping.clone(), open.clone());
        let acceptor = thread::Builder::new().name("top-sandbox".into()).spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let stream = match stream {
                    Ok(stream) => stream,
                    Err(_) => {
                        // Out of descriptors, or the connection was reset before it was
                        // taken: wait a little rather than spin.
                        thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                };
                accept(stream, &connections, limits, &handler);
            }
        })?;
        Ok(Server { addr, stopping, open, acceptor: Some(acceptor) })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections are open now.
    #[cfg(test)]
    pub(crate) fn open_connections(&self) -> usize {
        lock(&self.open).streams.len()
    }

    pub(crate) fn stop(&mut self) {
        if self.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the acceptor, which is blocked in accept().
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        for (_, stream) in lock(&self.open).streams.drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Serves `stream` on a thread of its own, or refuses it when the cap is reached.
fn accept(stream: TcpStream, open: &Shared, limits: Limits, handler: &Handler) {
    let id = {
        let mut open = lock(open);
        if open.streams.len() >= limits.max_connections {
            drop(open);
            refuse(stream);
            return;
        }
        let Ok(copy) = stream.try_clone() else { return };
        open.next += 1;
        let id = open.next;
        open.streams.insert(id, copy);
        id
    };
    let leave = Leave { open: open.clone(), id };
    let handler = handler.clone();
    // A thread that cannot start drops its closure, and with it `leave` and the stream.
    let _ = thread::Builder::new().name("top-sandbox-conn".into()).spawn(move || {
        let _leave = leave;
        serve(stream, limits, &*handler);
    });
}

/// Answers 503 to a connection over the cap, and closes it.
fn refuse(mut stream: TcpStream) {
    const WHY: &str = "the sandbox has too many open connections: close one and try again";
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = write_head(&mut stream, 503, "text/plain", WHY.len(), true).and_then(|()| stream.write_all(WHY.as_bytes()));
    close(&stream);
}

/// Ends the exchange: no more is written, and what the client still sends is not waited
/// for (a short drain lets the answer reach it before the socket closes).
fn close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let mut sink = [0; 4096];
    let mut stream = stream;
    for _ in 0..16 {
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}

/// A socket whose every read must finish by `deadline`: a client that trickles a byte at a
/// time gets no more time than one that sends nothing.
struct Deadlined {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for Deadlined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

fn serve(stream: TcpStream, limits: Limits, handler: &(dyn Fn(Incoming) -> Outgoing + Send + Sync)) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(limits.request));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(Deadlined { stream: read_half, deadline: Instant::now() + limits.idle });
    let mut writer = stream;
    loop {
        // Wait for the next request's first byte, then give it one deadline for the rest.
        reader.get_mut().deadline = Instant::now() + limits.idle;
        match reader.fill_buf() {
            Ok([]) | Err(_) => return,
            Ok(_) => {}
        }
        reader.get_mut().deadline = Instant::now() + limits.request;
        let request = match read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(ParseError::Io) => {
                // Out of time, or the client went away: a short word for the first.
                const WHY: &str = "the request did not arrive in time";
                let _ = write_head(&mut writer, 408, "text/plain", WHY.len(), true)
                    .and_then(|()| writer.write_all(WHY.as_bytes()));
                close(&writer);
                return;
            }
            Err(ParseError::Malformed(why)) => {
                let _ = write_head(&mut writer, 400, "text/plain", why.len(), true)
                    .and_then(|()| writer.write_all(why.as_bytes()));
                close(&writer);
                return;
            }
            Err(ParseError::TooLarge) => {
                let _ = write_head(&mut writer, 413, "text/plain", 0, true);
                close(&writer);
                return;
            }
        };
        let ends = request.closes();
        let written = match handler(request) {
            Outgoing::Answer { status, content_type, body, gzip } => {
                let extra = if gzip { "Content-Encoding: gzip\r\n" } else { "" };
                write_head_with(&mut writer, status, content_type, body.len(), ends, extra)
                    .and_then(|()| writer.write_all(&body))
                    .and_then(|()| writer.flush())
            }
            Outgoing::Redirect { location } => {
                let extra = format!("Location: {location}\r\n");
                write_head_with(&mut writer, 302, "text/plain", 0, ends, &extra).and_then(|()| writer.flush())
            }
            Outgoing::Drop => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Outgoing::Truncated { content_type, body } => {
                let _ = write_head(&mut writer, 200, content_type, body.len(), true)
                    .and_then(|()| writer.write_all(&body[..body.len() / 2]))
                    .and_then(|()| writer.flush());
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        };
        if written.is_err() {
            return;
        }
        if ends {
            close(&writer);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> Result<Option<Incoming>, ParseError> {
        read_request(&mut BufReader::new(raw))
    }

    #[test]
    fn reads_a_form_post() {
        let raw = b"POST /router/rest?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nb=2&c";
        let request = parse(raw).unwrap().unwrap();
        assert_eq!((request.method.as_str(), request.target.as_str()), ("POST", "/router/rest?a=1"));
        assert_eq!(request.header("content-length"), Some("5"));
        assert_eq!(request.body, b"b=2&c");
    }

    #[test]
    fn reads_a_chunked_body() {
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse(raw).unwrap().unwrap().body, b"abcde");
    }

    #[test]
    fn a_connection_leaves_the_list_when_its_exchange_ends() {
        let answer = |_: Incoming| Outgoing::Answer {
            status: 200,
            content_type: "text/plain",
            body: b"ok".to_vec(),
            gzip: false,
        };
        let server = Server::start(SocketAddr::from(([127, 0, 0, 1], 0)), Limits::default(), Arc::new(answer)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let settle = |want: usize| {
            while server.open_connections() != want {
                assert!(Instant::now() < deadline, "{} open, {want} expected", server.open_connections());
                thread::sleep(Duration::from_millis(5));
            }
        };
        let mut streams = Vec::new();
        for _ in 0..3 {
            let mut stream = TcpStream::connect(server.addr()).unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
            streams.push(stream);
        }
        settle(3);
        // One asks to close, one closes its side, one stays.
        streams[0].write_all(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").unwrap();
        streams[1].shutdown(Shutdown::Write).unwrap();
        settle(1);
        drop(streams);
        settle(0);
    }

    #[test]
    fn a_body_grows_as_it_arrives_not_as_it_is_announced() {
        // 69 bytes announcing a chunk of 64 MiB less one byte, then nothing.
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3ffffff\r\nabcdefghijklm";
        let mut body = Vec::new();
        let data = raw.len() - 13;
        let mut reader = BufReader::new(&raw[data..]);
        assert!(matches!(read_exactly(&mut reader, 0x3ff_ffff, &mut body), Err(ParseError::Io)));
        assert!(body.capacity() <= FIRST_CHUNK, "{} bytes reserved for 13 received", body.capacity());
        // The whole request: refused as cut short, after 69 bytes.
        assert_eq!(raw.len(), 69);
        assert!(matches!(parse(raw), Err(ParseError::Io)));
        // A Content-Length body likewise.
        let raw = b"POST / HTTP/1.1\r\nContent-Length: 67108863\r\n\r\nab";
        assert!(matches!(parse(raw), Err(ParseError::Io)));
    }

    #[test]
    fn http10_and_connection_close_end_the_connection() {
        let request = |raw: &[u8]| parse(raw).unwrap().unwrap();
        assert!(request(b"GET / HTTP/1.0\r\n\r\n").closes());
        assert!(request(b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").closes());
        assert!(request(b"GET / HTTP/1.1\r\nConnection: TE, close\r\n\r\n").closes());
        assert!(!request(b"GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n").closes());
        assert!(!request(b"GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n").closes());
    }

    #[test]
    fn refuses_what_is_not_http() {
        for raw in [
            &b"GARBAGE\r\n\r\n"[..],
            b"GET / HTTP/2\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET / HTTP/1.1\r\n",
        ] {
            assert!(parse(raw).is_err(), "{:?}", String::from_utf8_lossy(raw));
        }
        assert!(matches!(parse(b""), Ok(None)));
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "x".repeat(MAX_HEAD));
        assert!(matches!(parse(huge.as_bytes()), Err(ParseError::TooLarge)));
        assert!(matches!(parse(b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n"), Err(ParseError::TooLarge)));
        // A chunk size near usize::MAX must not overflow the running total.
        let huge = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nffffffffffffffff\r\n";
        assert!(matches!(parse(huge), Err(ParseError::TooLarge)));
    }
}
