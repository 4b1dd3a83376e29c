//! The sandbox's message channel (TMC): a WebSocket server on a port of its own that
//! checks a consumer's CONNECT as the platform does, keeps one queue per app key and group,
//! pushes each message to a connected consumer of its group (at once, and on pull
//! requests), and delivers again what is not confirmed: after the consumer reconnects, after
//! the redelivery delay, and after a "failed" confirm.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, ErrorKind};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message as WsMessage, WebSocket};

use super::gateway::check_timestamp;
use super::Clock;
use crate::messages::frame::{Frame, FrameType, Value};
use crate::messages::{connect_sign, kind, status, Message};

/// The holder of what REST consumers took: no connection, so only the redelivery delay
/// brings it back.
const REST: u64 = 0;
/// How long a new connection has to send its CONNECT.
const CONNECT_WITHIN: Duration = Duration::from_secs(10);
/// How many messages one consumer holds unconfirmed at most before the server waits.
const WINDOW: usize = 256;
/// How long a connection's loop waits for a frame before it looks at the queue again.
const TICK: Duration = Duration::from_millis(20);
/// The largest frame a consumer may send.
const MAX_FRAME: usize = 1 << 20;

/// How many CONNECTs the channel keeps for [`Channel::connects`].
const KEPT_CONNECTS: usize = 256;

/// One message waiting in a queue, or handed to a consumer and not yet confirmed.
#[derive(Clone)]
struct Queued {
    message: Message,
}

/// The queue of one app key and group.
#[derive(Default)]
struct Queue {
    ready: VecDeque<Queued>,
    /// Handed out and not confirmed: by id, with the connection holding it and when it
    /// comes again if still unconfirmed.
    out: HashMap<i64, (Queued, u64, Instant)>,
    /// Failed ones, ready again at their instant.
    later: Vec<(Queued, Instant)>,
}

/// The message channel's state: its queues and settings.
pub(super) struct Channel {
    app_key: String,
    app_secret: String,
    clock: Clock,
    queues: Mutex<HashMap<String, Queue>>,
    next_id: AtomicI64,
    next_connection: AtomicU64,
    redelivery_ms: AtomicU64,
    gzip: AtomicBool,
    /// How many confirms each message got, for tests of the consumer.
    confirmed: Mutex<HashMap<i64, u32>>,
    /// The tokens `taobao.tmc.auth.get` gave, each with its group.
    tokens: Mutex<HashMap<String, String>>,
    /// Whether a CONNECT without a token is refused.
    require_token: AtomicBool,
    /// Faults: how many of the next CONNECTs to refuse, and with which status.
    refuse: Mutex<(usize, i32)>,
    /// Faults: how long each push waits before it is sent, in ms.
    delay_ms: AtomicU64,
    /// Faults: whether each message is pushed twice.
    twice: AtomicBool,
    /// The text headers of the latest CONNECTs (the sign left out), oldest first.
    connects: Mutex<VecDeque<BTreeMap<String, String>>>,
}

impl Channel {
    pub(super) fn new(app_key: String, app_secret: String, clock: Clock, redelivery: Duration) -> Channel {
        Channel {
            app_key,
            app_secret,
            clock,
            queues: Mutex::default(),
            next_id: AtomicI64::new(1_000_000_001),
            next_connection: AtomicU64::new(1),
            redelivery_ms: AtomicU64::new(u64::try_from(redelivery.as_millis()).unwrap_or(u64::MAX)),
            gzip: AtomicBool::new(false),
            confirmed: Mutex::default(),
            tokens: Mutex::default(),
            require_token: AtomicBool::new(false),
            refuse: Mutex::new((0, 0)),
            delay_ms: AtomicU64::new(0),
            twice: AtomicBool::new(false),
            connects: Mutex::default(),
        }
    }

    pub(super) fn refuse_connects(&self, count: usize, status: i32) {
        *self.refuse.lock().unwrap_or_else(PoisonError::into_inner) = (count, status);
    }

    pub(super) fn set_delay(&self, delay: Duration) {
        self.delay_ms.store(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    pub(super) fn set_twice(&self, on: bool) {
        self.twice.store(on, Ordering::Relaxed);
    }

    pub(super) fn set_require_token(&self, on: bool) {
        self.require_token.store(on, Ordering::Relaxed);
    }

    /// A token for `group`'s CONNECT, as `taobao.tmc.auth.get` gives one.
    pub(super) fn issue_token(&self, group: &str) -> String {
        let token = format!("tmc-{:016x}{:016x}", crate::random::bits(), crate::random::bits());
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).insert(token.clone(), group.to_owned());
        token
    }

    /// The text headers of the latest CONNECTs, oldest first, without their sign.
    pub(super) fn connects(&self) -> Vec<BTreeMap<String, String>> {
        self.connects.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }

    fn note_connect(&self, frame: &Frame) {
        let headers: BTreeMap<String, String> = frame
            .headers
            .iter()
            .filter(|(name, _)| name != "sign")
            .filter_map(|(name, value)| value.as_str().map(|text| (name.clone(), text.to_owned())))
            .collect();
        let mut connects = self.connects.lock().unwrap_or_else(PoisonError::into_inner);
        if connects.len() == KEPT_CONNECTS {
            connects.pop_front();
        }
        connects.push_back(headers);
    }

    fn queues(&self) -> MutexGuard<'_, HashMap<String, Queue>> {
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn redelivery(&self) -> Duration {
        Duration::from_millis(self.redelivery_ms.load(Ordering::Relaxed))
    }

    pub(super) fn set_gzip(&self, on: bool) {
        self.gzip.store(on, Ordering::Relaxed);
    }

    /// Queues a message of `topic` for `group`, with the sandbox's app key as publisher and
    /// its clock's now as the time published; returns its id.
    pub(super) fn publish(&self, group: &str, topic: &str, content: &str, user: Option<(i64, &str)>) -> i64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let now = self.clock.now_gmt8();
        let mut message = Message::new(id, topic, content).with_times(self.app_key.clone(), now, now);
        if let Some((user_id, nick)) = user {
            message = message.with_user(user_id, nick);
        }
        self.queues().entry(group.to_owned()).or_default().ready.push_back(Queued { message });
        id
    }

    /// How many messages of `group` are not confirmed yet (queued, handed out, or failed).
    pub(super) fn pending(&self, group: &str) -> usize {
        self.queues().get(group).map_or(0, |queue| queue.ready.len() + queue.out.len() + queue.later.len())
    }

    /// How many times each message id was confirmed.
    pub(super) fn confirms(&self) -> HashMap<i64, u32> {
        self.confirmed.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Takes up to `max` messages of `group` for `connection`, moving the due ones back first.
    fn take(&self, group: &str, connection: u64, max: usize) -> Vec<Message> {
        let now = Instant::now();
        let redelivery = self.redelivery();
        let mut queues = self.queues();
        let queue = queues.entry(group.to_owned()).or_default();
        let due: Vec<i64> = queue.out.iter().filter(|(_, (_, _, at))| *at <= now).map(|(id, _)| *id).collect();
        for id in due {
            if let Some((queued, _, _)) = queue.out.remove(&id) {
                queue.ready.push_back(queued);
            }
        }
        let mut i = 0;
        while i < queue.later.len() {
            if queue.later[i].1 <= now {
                let (queued, _) = queue.later.swap_remove(i);
                queue.ready.push_back(queued);
            } else {
                i += 1;
            }
        }
        // A connection holds at most a window of unconfirmed messages; a REST call takes
        // what it asks for.
        let room = if connection == REST {
            max
        } else {
            let held = queue.out.values().filter(|(_, holder, _)| *holder == connection).count();
            max.min(WINDOW).saturating_sub(held)
        };
        let mut taken = Vec::new();
        while taken.len() < room {
            let Some(queued) = queue.ready.pop_front() else { break };
            taken.push(queued.message.clone());
            queue.out.insert(queued.message.id(), (queued, connection, now + redelivery));
        }
        taken
    }

    /// Takes up to `quantity` messages of `group` for a REST consumer (`taobao.tmc.messages.consume`).
    pub(super) fn consume(&self, group: &str, quantity: usize) -> Vec<Message> {
        self.take(group, REST, quantity)
    }

    /// Confirms (`confirmed`) and fails (`failed`) messages of `group` by id, whoever holds
    /// them (`taobao.tmc.messages.confirm`).
    pub(super) fn acknowledge(&self, group: &str, confirmed: &[i64], failed: &[i64]) {
        for &id in confirmed {
            self.confirm(group, id);
        }
        for &id in failed {
            self.fail(group, id);
        }
    }

    fn confirm(&self, group: &str, id: i64) {
        if let Some(queue) = self.queues().get_mut(group) {
            if queue.out.remove(&id).is_some() {
                *self.confirmed.lock().unwrap_or_else(PoisonError::into_inner).entry(id).or_default() += 1;
            }
        }
    }

    fn fail(&self, group: &str, id: i64) {
        let again = Instant::now() + self.redelivery();
        if let Some(queue) = self.queues().get_mut(group) {
            if let Some((queued, _, _)) = queue.out.remove(&id) {
                queue.later.push((queued, again));
            }
        }
    }

    /// What `connection` held goes back to the front of the queue.
    fn release(&self, group: &str, connection: u64) {
        let mut queues = self.queues();
        if let Some(queue) = queues.get_mut(group) {
            let held: Vec<i64> =
                queue.out.iter().filter(|(_, (_, holder, _))| *holder == connection).map(|(id, _)| *id).collect();
            for id in held {
                if let Some((queued, _, _)) = queue.out.remove(&id) {
                    queue.ready.push_front(queued);
                }
            }
        }
    }

    /// The CONNECT's checks: the group it names, or the refusal's status and words.
    fn check_connect(&self, frame: &Frame) -> Result<String, (i32, String)> {
        {
            let mut refuse = self.refuse.lock().unwrap_or_else(PoisonError::into_inner);
            if refuse.0 > 0 {
                refuse.0 -= 1;
                return Err((refuse.1, "Service Unavailable: refused by a fault of the sandbox".to_owned()));
            }
        }
        let text = |key: &str| frame.header(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        let (app_key, group, timestamp, sign) = (text("app_key"), text("group_name"), text("timestamp"), text("sign"));
        if app_key != self.app_key {
            return Err((status::BAD_APP_KEY, format!("Invalid app Key: `{app_key}` does not exist")));
        }
        let Ok(millis) = timestamp.trim().parse::<i64>() else {
            return Err((status::BAD_TIMESTAMP, "Invalid Timestamp: not milliseconds since the epoch".to_owned()));
        };
        // The gateway's rule for a call's timestamp: within ten minutes of the clock.
        check_timestamp(timestamp.trim(), self.clock.now()).map_err(|refusal| {
            (status::BAD_TIMESTAMP, format!("Invalid Timestamp: {}", refusal.sub_msg().unwrap_or_default()))
        })?;
        let group = if group.trim().is_empty() { "default".to_owned() } else { group };
        let expected = connect_sign(&app_key, &self.app_secret, &group, millis);
        if !expected.eq_ignore_ascii_case(sign.trim()) {
            return Err((status::BAD_SIGN, "Invalid signature".to_owned()));
        }
        match frame.header("token").and_then(Value::as_str).filter(|token| !token.is_empty()) {
            Some(token) => {
                let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
                if tokens.get(token) != Some(&group) {
                    return Err((
                        status::BAD_TOKEN,
                        format!("Invalid token: not one taobao.tmc.auth.get gave for the group `{group}`"),
                    ));
                }
            }
            None if self.require_token.load(Ordering::Relaxed) => {
                return Err((status::BAD_TOKEN, "Missing token: get one with taobao.tmc.auth.get".to_owned()));
            }
            None => {}
        }
        Ok(group)
    }
}

/// The server of the message channel; dropping it stops it.
pub(super) struct TmcServer {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    open: Arc<Mutex<HashMap<u64, TcpStream>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl TmcServer {
    pub(super) fn start(channel: Arc<Channel>) -> io::Result<TmcServer> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::default();
        let (stop, streams) = (stopping.clone(), open.clone());
        let acceptor = thread::Builder::new().name("top-sandbox-tmc".into()).spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let id = channel.next_connection.fetch_add(1, Ordering::Relaxed);
                if let Ok(copy) = stream.try_clone() {
                    streams.lock().unwrap_or_else(PoisonError::into_inner).insert(id, copy);
                }
                let (channel, streams, stop) = (channel.clone(), streams.clone(), stop.clone());
                let spawned = thread::Builder::new().name("top-sandbox-tmc-conn".into()).spawn(move || {
                    serve(&channel, stream, id, &stop);
                    streams.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
                });
                if spawned.is_err() {
                    thread::sleep(Duration::from_millis(10));
                }
            }
        })?;
        Ok(TmcServer { addr, stopping, open, acceptor: Some(acceptor) })
    }

    pub(super) fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// Drops every open connection, as a network failure would.
    pub(super) fn drop_connections(&self) {
        for stream in self.open.lock().unwrap_or_else(PoisonError::into_inner).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    pub(super) fn stop(&mut self) {
        if self.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        self.drop_connections();
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

impl Drop for TmcServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Serves one consumer's connection until it closes, fails, or the server stops.
fn serve(channel: &Channel, stream: TcpStream, connection: u64, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(CONNECT_WITHIN));
    let _ = stream.set_nodelay(true);
    let config = WebSocketConfig::default().max_message_size(Some(MAX_FRAME)).max_frame_size(Some(MAX_FRAME));
    let Ok(mut socket) = tungstenite::accept_with_config(stream, Some(config)) else { return };
    // The CONNECT, first.
    let connect = loop {
        match socket.read() {
            Ok(WsMessage::Binary(bytes)) => match Frame::decode(&bytes) {
                Ok(frame) if frame.kind == FrameType::Connect => break frame,
                _ => return,
            },
            Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => {}
            _ => return,
        }
    };
    let mut ack = Frame::new(FrameType::ConnectAck);
    ack.flag = connect.flag;
    channel.note_connect(&connect);
    let group = match channel.check_connect(&connect) {
        Ok(group) => group,
        Err((status, phrase)) => {
            ack.status_code = status;
            ack.status_phrase = Some(phrase);
            let _ = socket.send(WsMessage::binary(ack.encode()));
            let _ = socket.close(None);
            let _ = socket.flush();
            return;
        }
    };
    let token = format!("sbx-{connection}");
    ack.token = Some(token.clone());
    if socket.send(WsMessage::binary(ack.encode())).is_err() {
        return;
    }
    let _ = socket.get_ref().set_read_timeout(Some(TICK));
    let served = session(channel, &mut socket, &group, &token, connection, stop);
    channel.release(&group, connection);
    if served.is_ok() {
        let _ = socket.close(None);
        let _ = socket.flush();
    }
}

/// The exchange after a CONNECT was accepted.
fn session(
    channel: &Channel,
    socket: &mut WebSocket<TcpStream>,
    group: &str,
    token: &str,
    connection: u64,
    stop: &AtomicBool,
) -> Result<(), tungstenite::Error> {
    // Messages are pushed as they arrive; a pull request asks for them too.
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let gzip = channel.gzip.load(Ordering::Relaxed);
        let (delay, twice) =
            (Duration::from_millis(channel.delay_ms.load(Ordering::Relaxed)), channel.twice.load(Ordering::Relaxed));
        for message in channel.take(group, connection, WINDOW) {
            if !delay.is_zero() {
                socket.flush()?;
                thread::sleep(delay);
            }
            let frame = WsMessage::binary(message.to_frame(token, gzip).encode());
            if twice {
                socket.write(frame.clone())?;
            }
            socket.write(frame)?;
        }
        socket.flush()?;
        match socket.read() {
            Ok(WsMessage::Binary(bytes)) => {
                let Ok(frame) = Frame::decode(&bytes) else { continue };
                let id = frame.header("id").and_then(Value::as_i64);
                match (frame.header("__kind").and_then(Value::as_i64), id) {
                    (Some(k), Some(id)) if k == i64::from(kind::CONFIRM) => channel.confirm(group, id),
                    (Some(k), Some(id)) if k == i64::from(kind::FAILED) => channel.fail(group, id),
                    (Some(k), _) if k == i64::from(kind::MESSAGE) => {
                        let text = |key| frame.header(key).and_then(Value::as_str).unwrap_or_default();
                        channel.publish(group, text("topic"), text("content"), None);
                    }
                    _ => {}
                }
            }
            Ok(WsMessage::Close(_)) => return Ok(()),
            Ok(_) => {}
            Err(tungstenite::Error::Io(err)) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(err) => return Err(err),
        }
    }
}
