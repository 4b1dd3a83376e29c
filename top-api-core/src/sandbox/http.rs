//! A small HTTP/1.1 server for the sandbox: keep-alive, Content-Length and chunked
//! bodies, and the control over the socket that faults need (drop, truncate).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The most a request line plus headers may take.
const MAX_HEAD: usize = 64 * 1024;
/// The most a request body may take.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// How long a kept-alive connection may stay idle.
const IDLE: Duration = Duration::from_secs(60);

/// A request as read from the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Incoming {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Incoming {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What to do with the connection after a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outgoing {
    /// Answer normally; `gzip` says the body is gzipped.
    Answer { status: u16, content_type: &'static str, body: Vec<u8>, gzip: bool },
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
    if !version.starts_with("HTTP/1.") || parts.next().is_some() {
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
    let mut request = Incoming { method, target, headers, body: Vec::new() };
    if request.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        request.body = read_chunked(reader)?;
    } else if let Some(length) = request.header("content-length") {
        let length: usize = length.parse().map_err(|_| ParseError::Malformed("bad content-length"))?;
        if length > MAX_BODY {
            return Err(ParseError::TooLarge);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        request.body = body;
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
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(ParseError::Malformed("a chunk does not end in CRLF"));
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        413 => "Payload Too Large",
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

/// A running server; dropping it stops it.
pub(crate) struct Server {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(addr: SocketAddr, handler: Handler) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let connections: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (stop, open) = (stopping.clone(), connections.clone());
        let acceptor = thread::Builder::new().name("top-sandbox".into()).spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if let Ok(clone) = stream.try_clone() {
                    let mut open = open.lock().unwrap_or_else(PoisonError::into_inner);
                    // Forget connections that have ended, so the list stays short.
                    open.retain(|s| s.peer_addr().is_ok());
                    open.push(clone);
                }
                let handler = handler.clone();
                let _ = thread::Builder::new().name("top-sandbox-conn".into()).spawn(move || serve(stream, &*handler));
            }
        })?;
        Ok(Server { addr, stopping, connections, acceptor: Some(acceptor) })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn stop(&mut self) {
        if self.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the acceptor, which is blocked in accept().
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        for stream in self.connections.lock().unwrap_or_else(PoisonError::into_inner).drain(..) {
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

fn serve(stream: TcpStream, handler: &(dyn Fn(Incoming) -> Outgoing + Send + Sync)) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let request = match read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) | Err(ParseError::Io) => return,
            Err(ParseError::Malformed(why)) => {
                let _ = write_head(&mut writer, 400, "text/plain", why.len(), true)
                    .and_then(|()| writer.write_all(why.as_bytes()));
                return;
            }
            Err(ParseError::TooLarge) => {
                let _ = write_head(&mut writer, 413, "text/plain", 0, true);
                return;
            }
        };
        let close = request.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let written = match handler(request) {
            Outgoing::Answer { status, content_type, body, gzip } => {
                let extra = if gzip { "Content-Encoding: gzip\r\n" } else { "" };
                write_head_with(&mut writer, status, content_type, body.len(), close, extra)
                    .and_then(|()| writer.write_all(&body))
                    .and_then(|()| writer.flush())
            }
            Outgoing::Drop => return,
            Outgoing::Truncated { content_type, body } => {
                let _ = write_head(&mut writer, 200, content_type, body.len(), true)
                    .and_then(|()| writer.write_all(&body[..body.len() / 2]))
                    .and_then(|()| writer.flush());
                return;
            }
        };
        if written.is_err() || close {
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
