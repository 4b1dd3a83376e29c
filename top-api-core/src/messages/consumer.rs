//! A blocking consumer of the message channel over a WebSocket: std threads, a bounded pool
//! of handlers, a confirm only once a handler returned `Ok`.

use std::collections::HashMap;
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message as WsMessage, WebSocket};

use super::frame::{Frame, FrameRef, FrameType, Value, ValueRef};
use super::{connect_sign, kind, Message};
use crate::{ApiError, Error, TransportError, TransportErrorKind};

/// The platform's message channel.
pub const DEFAULT_URL: &str = "ws://mc.api.taobao.com/";
/// The group a consumer joins unless told otherwise.
pub const DEFAULT_GROUP: &str = "default";

/// How long the connection's loop waits for a frame before it looks at its other work.
const TICK: Duration = Duration::from_millis(20);
/// How many messages the connection reads before it hands them to the pool at once.
const BATCH: usize = 32;
/// How long it waits while handlers hold messages whose confirms it is to send: a
/// confirm waiting on a read that nothing answers holds up the platform's window.
const QUICK: Duration = Duration::from_millis(1);
/// The largest frame the consumer reads.
const MAX_FRAME: usize = 16 << 20;

/// Who confirms a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmMode {
    /// The consumer: once the handler returned `Ok` (the default).
    Auto,
    /// The caller, through a [`Confirmer`], once its work is durable.
    Manual,
}

/// Configures a [`Consumer`].
///
/// | setting | default |
/// |---|---|
/// | [`url`](Self::url) | [`DEFAULT_URL`], `ws://mc.api.taobao.com/` (`wss://` is taken too) |
/// | [`group`](Self::group) | [`DEFAULT_GROUP`], `default` |
/// | [`workers`](Self::workers) | 4 handler threads |
/// | [`capacity`](Self::capacity) | 256 messages received and not yet handled: the bound of memory |
/// | [`pull_every`](Self::pull_every) | 5 s between pull requests |
/// | [`ping_after`](Self::ping_after) | 45 s of silence, then a ping; twice that, and the connection is dropped |
/// | [`reconnect`](Self::reconnect) | 1 s after a failure, doubling to 15 s, each with jitter |
/// | [`connect_timeout`](Self::connect_timeout) | 10 s for the TCP, WebSocket and CONNECT exchanges |
/// | [`confirm`](Self::confirm) | [`ConfirmMode::Auto`] |
/// | [`dedup`](Self::dedup) | off |
/// | [`stop_within`](Self::stop_within) | 10 s to finish the handlers in flight and send their confirms |
#[derive(Clone)]
#[must_use]
pub struct ConsumerBuilder {
    app_key: String,
    app_secret: String,
    url: String,
    group: String,
    workers: usize,
    capacity: usize,
    pull_every: Duration,
    ping_after: Duration,
    reconnect: (Duration, Duration),
    connect_timeout: Duration,
    confirm: ConfirmMode,
    dedup: Option<Duration>,
    #[cfg(feature = "redis")]
    dedup_shared: Option<crate::shared::SharedDedup>,
    stop_within: Duration,
    token: Option<String>,
    /// Where a fresh token comes from before each CONNECT.
    auth: Option<crate::Client>,
    minor_group: Option<String>,
    filter_exp: Option<String>,
    /// Certificate authorities trusted beside the Mozilla roots, DER.
    roots: Vec<Vec<u8>>,
    acks: (Sender<Ack>, Arc<Mutex<Receiver<Ack>>>),
}

impl fmt::Debug for ConsumerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsumerBuilder")
            .field("app_key", &self.app_key)
            .field("app_secret", &"***")
            .field("url", &self.url)
            .field("group", &self.group)
            .field("workers", &self.workers)
            .field("capacity", &self.capacity)
            .field("confirm", &self.confirm)
            .field("minor_group", &self.minor_group)
            .field("filter_exp", &self.filter_exp)
            .field("auth", &self.auth.as_ref().map(|_| "taobao.tmc.auth.get"))
            .finish_non_exhaustive()
    }
}

/// What a handler's outcome sends back on the connection.
enum Ack {
    Confirm(i64),
    Failed(i64, String),
}

/// Confirms (or fails) messages in [`ConfirmMode::Manual`]: clones share the consumer's
/// connection, and a confirm made while it is reconnecting is sent once it is back.
#[derive(Clone)]
pub struct Confirmer {
    acks: Sender<Ack>,
}

impl Confirmer {
    /// The message `id` is handled: the platform drops it from the queue.
    pub fn confirm(&self, id: i64) {
        let _ = self.acks.send(Ack::Confirm(id));
    }

    /// The message `id` failed for `reason`: the platform delivers it again later.
    pub fn fail(&self, id: i64, reason: &str) {
        let _ = self.acks.send(Ack::Failed(id, reason.to_owned()));
    }
}

impl fmt::Debug for Confirmer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Confirmer")
    }
}

impl ConsumerBuilder {
    /// A consumer of the app's messages, signing its CONNECT with `app_secret`.
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<String>) -> ConsumerBuilder {
        let (sender, receiver) = mpsc::channel();
        ConsumerBuilder {
            app_key: app_key.into(),
            app_secret: app_secret.into(),
            url: DEFAULT_URL.to_owned(),
            group: DEFAULT_GROUP.to_owned(),
            workers: 4,
            capacity: 256,
            pull_every: Duration::from_secs(5),
            ping_after: Duration::from_secs(45),
            reconnect: (Duration::from_secs(1), Duration::from_secs(15)),
            connect_timeout: Duration::from_secs(10),
            confirm: ConfirmMode::Auto,
            dedup: None,
            #[cfg(feature = "redis")]
            dedup_shared: None,
            stop_within: Duration::from_secs(10),
            token: None,
            auth: None,
            minor_group: None,
            filter_exp: None,
            roots: Vec::new(),
            acks: (sender, Arc::new(Mutex::new(receiver))),
        }
    }

    /// The channel's URL, `ws://` or `wss://`.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// The group to consume (its queue is separate from the other groups').
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = group.into();
        self
    }

    /// How many threads run the handler (at least 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// How many messages may wait for a handler (at least 1); when they are that many, the
    /// consumer stops reading until one is taken, so a burst never grows memory past it.
    pub fn capacity(mut self, messages: usize) -> Self {
        self.capacity = messages.max(1);
        self
    }

    /// How often to ask for queued messages.
    pub fn pull_every(mut self, every: Duration) -> Self {
        self.pull_every = every;
        self
    }

    /// How long a silent connection waits before it pings; after twice that with nothing
    /// heard, it is taken for dead and made again.
    pub fn ping_after(mut self, after: Duration) -> Self {
        self.ping_after = after;
        self
    }

    /// The wait after a failed connection (`first`), doubled after each failure up to
    /// `max`; each wait is jittered by up to a quarter either way.
    pub fn reconnect(mut self, first: Duration, max: Duration) -> Self {
        self.reconnect = (first, max.max(first));
        self
    }

    /// How long connecting may take: TCP, the WebSocket handshake, and the CONNECTACK.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Who confirms: the consumer once a handler returned `Ok`, or the caller.
    pub fn confirm(mut self, mode: ConfirmMode) -> Self {
        self.confirm = mode;
        self
    }

    /// A handle that confirms messages, for [`ConfirmMode::Manual`]: take it before
    /// starting, and move it into the handler or wherever the work ends.
    pub fn confirmer(&self) -> Confirmer {
        Confirmer { acks: self.acks.0.clone() }
    }

    /// Drops a message whose business key was handled successfully within `window` (the
    /// trade's `tid` for `taobao_trade_*` topics, `num_iid` for `taobao_item_*`, `refund_id`
    /// for `taobao_refund_*`, the message id for others): it is confirmed without running
    /// the handler again.
    pub fn dedup(mut self, window: Duration) -> Self {
        self.dedup = Some(window);
        self
    }

    /// As [`dedup`](Self::dedup), with the window shared through Redis by every consumer
    /// of the group (feature `redis`): a message another process handled within it is
    /// confirmed without running the handler. While Redis cannot be reached, messages are
    /// handled (never dropped for it).
    #[cfg(feature = "redis")]
    pub fn dedup_shared(mut self, window: Duration, through: crate::shared::SharedDedup) -> Self {
        self.dedup = Some(window);
        self.dedup_shared = Some(through);
        self
    }

    /// How long [`Consumer::stop`] waits for the handlers in flight and their confirms.
    pub fn stop_within(mut self, within: Duration) -> Self {
        self.stop_within = within;
        self
    }

    /// The `token` of `taobao.tmc.auth.get`, which the platform's newer servers ask for,
    /// sent in every CONNECT as it is; [`auth_with`](Self::auth_with) gets a fresh one each
    /// time instead.
    pub fn auth_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Gets the CONNECT's `token` through `client` before each connection (the REST API
    /// `taobao.tmc.auth.get` for the consumer's group, no session), as the platform's newer
    /// servers ask; a refusal of that call fails the start as a refused CONNECT does.
    pub fn auth_with(mut self, client: crate::Client) -> Self {
        self.auth = Some(client);
        self
    }

    /// The `minor_group` of the CONNECT (not sent unless set; the official Java client
    /// sends `default`): a sub-group of the consumer's group on the platform's side.
    pub fn minor_group(mut self, minor_group: impl Into<String>) -> Self {
        self.minor_group = Some(minor_group.into());
        self
    }

    /// Trusts the certificate authority `der` (a DER-encoded certificate) for `wss://`,
    /// beside the Mozilla roots the consumer trusts: a private channel's, or a proxy's that
    /// opens TLS. A certificate that does not read fails [`start`](Self::start) with
    /// [`Error::Config`].
    pub fn root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.roots.push(der.into());
        self
    }

    /// The `filter_exp` of the CONNECT (not sent unless set; the official Java client sends
    /// `*`, every message): the platform's filter of what the connection receives.
    pub fn filter_exp(mut self, filter: impl Into<String>) -> Self {
        self.filter_exp = Some(filter.into());
        self
    }

    /// Connects, then runs `handler` on each message on the pool until
    /// [`Consumer::stop`]. A message is confirmed only once `handler` returned `Ok`; an
    /// `Err` or a panic sends "failed" with the reason, and the platform delivers it again
    /// later.
    ///
    /// # Errors
    ///
    /// The first connection's failure: [`Error::Api`] for a refused CONNECT (a wrong secret
    /// or app key, a clock off by more than ten minutes: not retried), [`Error::Transport`]
    /// when the channel cannot be reached, [`Error::Config`] for a URL it cannot use.
    pub fn start<H, E>(self, handler: H) -> Result<Consumer, Error>
    where
        H: Fn(&Message) -> Result<(), E> + Send + Sync + 'static,
        E: fmt::Display,
    {
        let target = Target::parse(&self.url)?;
        // The first connection is made here, so that a wrong secret fails the start.
        let socket = connect(&self, &target)?;
        let shared = Arc::new(Shared::default());
        let (work, workers) = self.spawn_workers(handler, &shared)?;
        let connection = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("top-messages-connection".into())
                .spawn(move || {
                    let _ended = Ended(&shared);
                    connection_loop(&self, &target, socket, &work, &shared);
                })
                .map_err(|err| transport(TransportErrorKind::Other, err))?
        };
        Ok(Consumer { shared, connection: Some(connection), workers })
    }

    /// Like [`start`](Self::start), over REST where a WebSocket cannot go out: polls
    /// `taobao.tmc.messages.consume` through `client` (10 to 200 at a time, as many as the
    /// pool has room for), waits from 100 ms up to the builder's `pull_every` while none
    /// come, and confirms in batches of at most 200 ids through
    /// `taobao.tmc.messages.confirm`. A message whose handler failed is not confirmed: the
    /// platform delivers it again once its redelivery delay is over. The builder's URL,
    /// app key and secret are not used: the client's are.
    ///
    /// # Errors
    ///
    /// The first poll's failure: [`Error::Api`] for a refusal (a wrong secret or app key),
    /// [`Error::Transport`] when the gateway cannot be reached.
    pub fn start_polling<H, E>(self, client: crate::Client, handler: H) -> Result<Consumer, Error>
    where
        H: Fn(&Message) -> Result<(), E> + Send + Sync + 'static,
        E: fmt::Display,
    {
        let shared = Arc::new(Shared::default());
        let mut poller =
            Poller { client, ids: Ids::default(), held: VecDeque::new(), confirms: Vec::new(), failures: Vec::new() };
        // The first poll is made here, so that a wrong secret fails the start.
        let first = poller.consume(&self, 10)?;
        let (work, workers) = self.spawn_workers(handler, &shared)?;
        poller.received(first, &shared);
        let connection = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("top-messages-poller".into())
                .spawn(move || {
                    let _ended = Ended(&shared);
                    poller.run(&self, &work, &shared);
                })
                .map_err(|err| transport(TransportErrorKind::Other, err))?
        };
        Ok(Consumer { shared, connection: Some(connection), workers })
    }

    /// Starts the pool of handler threads; returns the sender that feeds it.
    fn spawn_workers<H, E>(&self, handler: H, shared: &Arc<Shared>) -> Result<(Arc<Work>, Vec<JoinHandle<()>>), Error>
    where
        H: Fn(&Message) -> Result<(), E> + Send + Sync + 'static,
        E: fmt::Display,
    {
        let work = Arc::new(Work::new(self.capacity));
        let handler = Arc::new(handler);
        #[cfg(feature = "redis")]
        let recent = Arc::new(match &self.dedup_shared {
            Some(shared) => Recent::Shared(shared.clone(), shared.prefix_for(&self.app_key, &self.group)),
            None => Recent::Local(Mutex::default()),
        });
        #[cfg(not(feature = "redis"))]
        let recent = Arc::new(Recent::Local(Mutex::default()));
        let mut threads = Vec::with_capacity(self.workers);
        for n in 0..self.workers {
            let (jobs, handler, acks, pool, recent) =
                (work.clone(), handler.clone(), self.acks.0.clone(), shared.clone(), recent.clone());
            let (mode, dedup) = (self.confirm, self.dedup);
            let worker = thread::Builder::new().name(format!("top-messages-{n}")).spawn(move || {
                work_loop(&jobs, &*handler, &acks, &pool, mode, dedup, &recent);
            });
            match worker {
                Ok(worker) => threads.push(worker),
                Err(err) => {
                    shared.stopping.store(true, Ordering::SeqCst);
                    return Err(transport(TransportErrorKind::Other, err));
                }
            }
        }
        Ok((work, threads))
    }
}

/// The REST side: polls, hands messages to the pool, and confirms in batches.
struct Poller {
    client: crate::Client,
    ids: Ids,
    /// Received and not yet taken by the pool (it was full).
    held: VecDeque<Message>,
    /// Handled, to confirm.
    confirms: Vec<i64>,
    /// Failed, to name with the next confirm (the platform delivers them again anyway).
    failures: Vec<i64>,
}

/// How many ids one call of `taobao.tmc.messages.confirm` takes at most.
const CONFIRM_BATCH: usize = 200;

impl Poller {
    /// One call of `taobao.tmc.messages.consume` for up to `quantity` messages (10 to 200).
    fn consume(&self, config: &ConsumerBuilder, quantity: usize) -> Result<Vec<Message>, Error> {
        let quantity = quantity.clamp(10, 200).to_string();
        let answer = self.client.call(
            "taobao.tmc.messages.consume",
            [("group_name", config.group.as_str()), ("quantity", quantity.as_str())],
        )?;
        // Wrapped (`{"messages":{"tmc_message":[…]}}`) or simplified (`{"messages":[…]}`).
        let list = match answer.get().get("messages") {
            Some(serde_json::Value::Array(items)) => items.clone(),
            Some(serde_json::Value::Object(wrapper)) => match wrapper.values().next() {
                Some(serde_json::Value::Array(items)) => items.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        let mut messages = Vec::with_capacity(list.len());
        for item in &list {
            match Message::from_rest(item) {
                Ok(message) => messages.push(message),
                Err(err) => log::warn!(target: "top_api", "a message that cannot be read: {err}"),
            }
        }
        Ok(messages)
    }

    /// Counts what came and queues it for the pool, answering copies of messages known.
    fn received(&mut self, messages: Vec<Message>, shared: &Shared) {
        for message in messages {
            match self.ids.admit(message.id(), shared) {
                Admit::Handle => self.held.push_back(message),
                Admit::Copy => {}
                Admit::ConfirmAgain => self.confirms.push(message.id()),
            }
        }
    }

    /// Confirms what is handled, in batches; keeps what could not be sent for later.
    fn flush(&mut self, config: &ConsumerBuilder, shared: &Shared) -> Result<(), Error> {
        while !self.confirms.is_empty() {
            let batch: Vec<i64> = self.confirms.iter().take(CONFIRM_BATCH).copied().collect();
            let failed: Vec<i64> = self.failures.iter().take(CONFIRM_BATCH).copied().collect();
            let join = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let mut params = vec![("group_name", config.group.clone()), ("s_message_ids", join(&batch))];
            if !failed.is_empty() {
                params.push(("f_message_ids", join(&failed)));
            }
            self.client.call("taobao.tmc.messages.confirm", params)?;
            self.confirms.drain(..batch.len());
            self.failures.drain(..failed.len());
            for id in batch.iter().chain(&failed) {
                self.ids.settle(*id, shared);
                shared.confirms_sent.fetch_add(1, Ordering::Relaxed);
            }
            for id in batch {
                self.ids.confirmed(id);
            }
        }
        // Failures with nothing to confirm beside them: the platform delivers them again
        // after its delay; they are no longer held here.
        if self.failures.len() >= CONFIRM_BATCH || (shared.stopping.load(Ordering::SeqCst) && !self.failures.is_empty())
        {
            for id in self.failures.drain(..) {
                self.ids.settle(id, shared);
            }
        }
        Ok(())
    }

    fn run(mut self, config: &ConsumerBuilder, work: &Work, shared: &Shared) {
        let acks = config.acks.1.lock().unwrap_or_else(PoisonError::into_inner);
        let mut next_poll = Instant::now();
        let mut wait = Duration::ZERO;
        let mut stop_by: Option<Instant> = None;
        loop {
            while let Ok(ack) = acks.try_recv() {
                match ack {
                    Ack::Confirm(id) => self.confirms.push(id),
                    // Named with the next confirm, while there is one to name it with.
                    Ack::Failed(id, _) if self.failures.len() + 1 < CONFIRM_BATCH && !self.confirms.is_empty() => {
                        self.failures.push(id);
                    }
                    // Not sent alone: it is simply not confirmed.
                    Ack::Failed(id, _) => self.ids.settle(id, shared),
                }
            }
            if let Err(err) = self.flush(config, shared) {
                log::warn!(target: "top_api", "confirming messages failed: {err}; trying again");
                sleep_unless_stopping(config.reconnect.0, shared);
            }
            if shared.stopping.load(Ordering::SeqCst) {
                for message in self.held.drain(..) {
                    self.ids.settle(message.id(), shared);
                }
                if done_stopping(shared, &mut stop_by, config.stop_within) {
                    return;
                }
                thread::sleep(TICK);
                continue;
            }
            // Hand what is held to the pool, in order.
            work.offer(&mut self.held);
            if !self.held.is_empty() || Instant::now() < next_poll {
                thread::sleep(TICK);
                continue;
            }
            let room = config.capacity.saturating_sub(shared.in_flight.load(Ordering::SeqCst));
            if room < 10.min(config.capacity) {
                thread::sleep(TICK);
                continue;
            }
            match self.consume(config, room) {
                Ok(messages) if messages.is_empty() => {
                    wait =
                        (wait * 2).clamp(Duration::from_millis(100), config.pull_every.max(Duration::from_millis(100)));
                    next_poll = Instant::now() + wait;
                }
                Ok(messages) => {
                    wait = Duration::ZERO;
                    self.received(messages, shared);
                }
                Err(err) if err.kind() == crate::ErrorKind::Auth => {
                    log::error!(target: "top_api", "polling messages was refused: {err}");
                    *shared.fatal.lock().unwrap_or_else(PoisonError::into_inner) = Some(err.to_string());
                    shared.stopping.store(true, Ordering::SeqCst);
                }
                Err(err) => {
                    log::warn!(target: "top_api", "polling messages failed: {err}; trying again");
                    wait = (wait * 2).clamp(config.reconnect.0, config.reconnect.1);
                    next_poll = Instant::now() + crate::random::jitter(wait);
                }
            }
        }
    }
}

/// The messages received and not yet taken by a handler: a bounded queue the connection
/// pushes to and the handlers take from, sleeping on a condition variable when it is empty.
/// A push wakes a handler only when one sleeps (a busy handler may be busy for long): while
/// they are all busy, a message costs no wake-up.
struct Work {
    queue: Mutex<Queue>,
    ready: std::sync::Condvar,
    capacity: usize,
}

struct Queue {
    messages: VecDeque<Message>,
    /// Handlers asleep on `ready`.
    sleeping: usize,
}

impl Work {
    fn new(capacity: usize) -> Work {
        Work {
            queue: Mutex::new(Queue { messages: VecDeque::with_capacity(capacity), sleeping: 0 }),
            ready: std::sync::Condvar::new(),
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves what `held` holds to the queue, in order, as far as there is room; wakes as
    /// many sleeping handlers as messages moved.
    fn offer(&self, held: &mut VecDeque<Message>) {
        if held.is_empty() {
            return;
        }
        let mut queue = self.lock();
        let room = self.capacity.saturating_sub(queue.messages.len()).min(held.len());
        queue.messages.extend(held.drain(..room));
        let wake = queue.sleeping.min(room);
        drop(queue);
        for _ in 0..wake {
            self.ready.notify_one();
        }
    }

    /// How many more messages the queue takes.
    fn room(&self) -> usize {
        self.capacity.saturating_sub(self.lock().messages.len())
    }

    /// The next message, waiting at most `wait` for one.
    fn take(&self, wait: Duration) -> Option<Message> {
        let deadline = Instant::now() + wait;
        let mut queue = self.lock();
        loop {
            if let Some(message) = queue.messages.pop_front() {
                return Some(message);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            queue.sleeping += 1;
            let (woken, _) = self.ready.wait_timeout(queue, left).unwrap_or_else(PoisonError::into_inner);
            queue = woken;
            queue.sleeping -= 1;
        }
    }
}

/// What the consumer's threads share.
#[derive(Default)]
struct Shared {
    stopping: AtomicBool,
    /// The connection's (or the poller's) thread has ended: no ack can be sent any more.
    ended: AtomicBool,
    /// Received and not yet confirmed or failed on the wire.
    in_flight: AtomicUsize,
    received: AtomicU64,
    handled: AtomicU64,
    failed: AtomicU64,
    duplicates: AtomicU64,
    confirms_sent: AtomicU64,
    reconnects: AtomicU64,
    /// Why the consumer stopped on its own, if it did.
    fatal: Mutex<Option<String>>,
}

/// Marks the connection's thread as ended when it ends, however it ends: the handlers then
/// stop once the queue is empty (their acks could not be sent; the platform keeps what is
/// not confirmed).
struct Ended<'s>(&'s Shared);

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        self.0.ended.store(true, Ordering::SeqCst);
    }
}

/// How a consumer has fared so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Messages received (duplicates too).
    pub received: u64,
    /// Handler runs that returned `Ok`.
    pub handled: u64,
    /// Handler runs that returned `Err` or panicked.
    pub failed: u64,
    /// Messages dropped by [`ConsumerBuilder::dedup`] (confirmed, not handled).
    pub duplicates: u64,
    /// Confirms and failures written to the channel.
    pub confirms_sent: u64,
    /// Connections made again after one was lost.
    pub reconnects: u64,
}

/// A running consumer; [`stop`](Self::stop) it to finish what it holds. Dropping it stops
/// it the same way.
pub struct Consumer {
    shared: Arc<Shared>,
    connection: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer").field("stats", &self.stats()).finish_non_exhaustive()
    }
}

impl Consumer {
    /// Configures a consumer of `app_key`'s messages.
    pub fn builder(app_key: impl Into<String>, app_secret: impl Into<String>) -> ConsumerBuilder {
        ConsumerBuilder::new(app_key, app_secret)
    }

    /// How it has fared so far.
    pub fn stats(&self) -> Stats {
        let load = |n: &AtomicU64| n.load(Ordering::Relaxed);
        let s = &self.shared;
        Stats {
            received: load(&s.received),
            handled: load(&s.handled),
            failed: load(&s.failed),
            duplicates: load(&s.duplicates),
            confirms_sent: load(&s.confirms_sent),
            reconnects: load(&s.reconnects),
        }
    }

    /// Why the consumer stopped on its own (a refused CONNECT on reconnecting), if it did.
    pub fn failure(&self) -> Option<String> {
        self.shared.fatal.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Stops reading, lets the handlers finish what was received and sends their
    /// confirms, within the builder's `stop_within`; what is not confirmed by then stays
    /// queued on the platform and comes again. Returns the stats at the end.
    pub fn stop(mut self) -> Stats {
        self.halt();
        self.stats()
    }

    fn halt(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        if let Some(connection) = self.connection.take() {
            let _ = connection.join();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Where the channel is.
struct Target {
    url: String,
    host: String,
    port: u16,
    tls: bool,
}

impl Target {
    fn parse(url: &str) -> Result<Target, Error> {
        let bad = |reason: &'static str| {
            Error::Config(crate::ConfigError::BadUrl { what: "message channel", url: url.to_owned(), reason })
        };
        let (tls, rest) = if let Some(rest) = url.strip_prefix("ws://") {
            (false, rest)
        } else if let Some(rest) = url.strip_prefix("wss://") {
            (true, rest)
        } else {
            return Err(bad("expected ws:// or wss://"));
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().map_err(|_| bad("the port is not a number"))?),
            None => (authority, if tls { 443 } else { 80 }),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Target { url: url.to_owned(), host: host.trim_matches(['[', ']']).to_owned(), port, tls })
    }
}

/// A plain or TLS stream under the WebSocket.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.read(buf),
            Stream::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write(buf),
            Stream::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

fn transport(kind: TransportErrorKind, err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::Transport(TransportError::new(kind, err))
}

fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Opens the TCP (and TLS) stream, the WebSocket, and the session: the CONNECT, signed
/// now, and its CONNECTACK.
fn connect(config: &ConsumerBuilder, target: &Target) -> Result<Session, Error> {
    // A fresh token first, when the builder says where from.
    let fresh = match &config.auth {
        Some(client) => {
            let answer = client.call("taobao.tmc.auth.get", [("group", config.group.as_str())])?;
            match answer.get().get("result").and_then(serde_json::Value::as_str) {
                Some(token) if !token.is_empty() => Some(token.to_owned()),
                _ => {
                    return Err(transport(
                        TransportErrorKind::Other,
                        "taobao.tmc.auth.get answered without a `result` token",
                    ))
                }
            }
        }
        None => None,
    };
    let deadline = Instant::now() + config.connect_timeout;
    let addrs = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|err| transport(TransportErrorKind::Connect, err))?;
    let mut last = io::Error::new(ErrorKind::NotFound, format!("`{}` has no address", target.host));
    let mut tcp = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, config.connect_timeout) {
            Ok(stream) => {
                tcp = Some(stream);
                break;
            }
            Err(err) => last = err,
        }
    }
    let tcp = tcp.ok_or_else(|| {
        let kind = if is_timeout(&last) { TransportErrorKind::Timeout } else { TransportErrorKind::Connect };
        transport(kind, last)
    })?;
    let _ = tcp.set_nodelay(true);
    tcp.set_read_timeout(Some(config.connect_timeout)).map_err(|err| transport(TransportErrorKind::Io, err))?;
    tcp.set_write_timeout(Some(config.connect_timeout)).map_err(|err| transport(TransportErrorKind::Io, err))?;
    let stream = if target.tls {
        let name = rustls::pki_types::ServerName::try_from(target.host.clone())
            .map_err(|err| transport(TransportErrorKind::Tls, err))?;
        let connection = rustls::ClientConnection::new(tls_config(&config.roots)?, name)
            .map_err(|err| transport(TransportErrorKind::Tls, err))?;
        Stream::Tls(Box::new(rustls::StreamOwned::new(connection, tcp)))
    } else {
        Stream::Plain(tcp)
    };
    let ws = WebSocketConfig::default().max_message_size(Some(MAX_FRAME)).max_frame_size(Some(MAX_FRAME));
    let (mut socket, _) =
        tungstenite::client::client_with_config(target.url.as_str(), stream, Some(ws)).map_err(|err| {
            let kind = if target.tls { TransportErrorKind::Tls } else { TransportErrorKind::Connect };
            transport(kind, format!("the WebSocket handshake with {} failed: {err}", target.url))
        })?;

    let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let timestamp = i64::try_from(timestamp).unwrap_or(i64::MAX);
    let mut frame = Frame::new(FrameType::Connect)
        .with("app_key", Value::Str(config.app_key.clone()))
        .with("group_name", Value::Str(config.group.clone()))
        .with("timestamp", Value::Str(timestamp.to_string()))
        .with("sign", Value::Str(connect_sign(&config.app_key, &config.app_secret, &config.group, timestamp)))
        .with("sdk", Value::Str(concat!("top-api-rust-", env!("CARGO_PKG_VERSION")).to_owned()))
        .with("intranet_ip", Value::Str(local_ip(&socket)));
    let optional = [
        ("token", fresh.as_ref().or(config.token.as_ref())),
        ("minor_group", config.minor_group.as_ref()),
        ("filter_exp", config.filter_exp.as_ref()),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            frame = frame.with(name, Value::Str(value.clone()));
        }
    }
    frame.flag = 1;
    socket.send(WsMessage::binary(frame.encode())).map_err(|err| transport(TransportErrorKind::Io, err))?;
    loop {
        if Instant::now() > deadline {
            return Err(transport(TransportErrorKind::Timeout, "no CONNECTACK within the connect timeout"));
        }
        match socket.read() {
            Ok(WsMessage::Binary(bytes)) => {
                let ack = Frame::decode(&bytes).map_err(|err| transport(TransportErrorKind::Other, err))?;
                if ack.kind != FrameType::ConnectAck {
                    continue;
                }
                if ack.status_code > 0 {
                    let phrase = ack.status_phrase.unwrap_or_else(|| "the CONNECT was refused".to_owned());
                    return Err(Error::Api(ApiError::new(ack.status_code.into(), phrase)));
                }
                let token = ack.token.unwrap_or_default();
                socket
                    .get_ref()
                    .tcp()
                    .set_read_timeout(Some(TICK))
                    .map_err(|err| transport(TransportErrorKind::Io, err))?;
                return Ok(Session { socket, token });
            }
            Ok(WsMessage::Close(_)) => {
                return Err(transport(
                    TransportErrorKind::Io,
                    "the channel closed the connection before its CONNECTACK",
                ))
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(err)) if is_timeout(&err) => {
                return Err(transport(TransportErrorKind::Timeout, "no CONNECTACK within the connect timeout"))
            }
            Err(err) => return Err(transport(TransportErrorKind::Io, err)),
        }
    }
}

/// An open session: the WebSocket and the token every frame carries.
struct Session {
    socket: WebSocket<Stream>,
    token: String,
}

fn local_ip(socket: &WebSocket<Stream>) -> String {
    socket.get_ref().tcp().local_addr().map(|addr| addr.ip().to_string()).unwrap_or_default()
}

/// TLS as the rest of the crate speaks it: rustls with ring, and the Mozilla roots.
fn tls_config(extra: &[Vec<u8>]) -> Result<Arc<rustls::ClientConfig>, Error> {
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    for der in extra {
        roots
            .add(rustls::pki_types::CertificateDer::from(der.as_slice()))
            .map_err(|err| Error::Config(crate::ConfigError::BadCertificate { reason: err.to_string() }))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| transport(TransportErrorKind::Tls, err))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Whether a refusal is one that trying again cannot mend: a wrong sign (25), token (27),
/// app key (29) or clock (31), or a configuration the consumer cannot use. Any other
/// refusal of a CONNECT (a busy or restarting server) is tried again after the backoff.
fn is_fatal(err: &Error) -> bool {
    match err {
        Error::Api(refusal) => super::status::is_final(refusal.code()),
        Error::Config(_) => true,
        _ => false,
    }
}

/// The connection's thread: the session, and a new one (re-signed, after a jittered
/// backoff) whenever it is lost, until the consumer stops.
fn connection_loop(config: &ConsumerBuilder, target: &Target, first: Session, work: &Work, shared: &Shared) {
    let acks = config.acks.1.lock().unwrap_or_else(PoisonError::into_inner);
    let mut session = Some(first);
    let mut backoff = config.reconnect.0;
    // A message read and not yet taken by the pool (it was full).
    let mut held: VecDeque<Message> = VecDeque::new();
    // Acks read from the pool and not yet written (the connection was lost).
    let mut unsent: Vec<Ack> = Vec::new();
    let mut ids = Ids::default();
    loop {
        let Some(mut open) = session.take() else {
            if shared.stopping.load(Ordering::SeqCst) {
                return;
            }
            let wait = crate::random::jitter(backoff);
            sleep_unless_stopping(wait, shared);
            if shared.stopping.load(Ordering::SeqCst) {
                return;
            }
            match connect(config, target) {
                Ok(open) => {
                    shared.reconnects.fetch_add(1, Ordering::Relaxed);
                    backoff = config.reconnect.0;
                    session = Some(open);
                }
                Err(err) if is_fatal(&err) => {
                    log::error!(target: "top_api", "the message channel refused to connect again: {err}");
                    *shared.fatal.lock().unwrap_or_else(PoisonError::into_inner) = Some(err.to_string());
                    return;
                }
                Err(err) => {
                    log::warn!(target: "top_api", "the message channel cannot be reached: {err}; trying again");
                    backoff = (backoff * 2).min(config.reconnect.1);
                }
            }
            continue;
        };
        match run(config, &mut open, work, shared, &acks, &mut held, &mut unsent, &mut ids) {
            Ok(()) => {
                let _ = open.socket.close(None);
                let _ = open.socket.flush();
                return;
            }
            Err(err) => {
                log::warn!(target: "top_api", "the message channel connection was lost: {err}; connecting again");
            }
        }
    }
}

/// Whether a stopping consumer is done: nothing is in flight, or `within` has passed since
/// the first time it asked (`stop_by` keeps that bound).
fn done_stopping(shared: &Shared, stop_by: &mut Option<Instant>, within: Duration) -> bool {
    let by = *stop_by.get_or_insert_with(|| Instant::now() + within);
    shared.in_flight.load(Ordering::SeqCst) == 0 || Instant::now() > by
}

/// Sleeps `wait`, or less if the consumer is stopping.
fn sleep_unless_stopping(wait: Duration, shared: &Shared) {
    let until = Instant::now() + wait;
    while Instant::now() < until && !shared.stopping.load(Ordering::SeqCst) {
        thread::sleep(TICK.min(until.saturating_duration_since(Instant::now())));
    }
}

/// The ids the connection knows of across its sessions: those received and not yet
/// acknowledged, and those confirmed lately. A message that comes again while its first copy
/// is being handled is left to that copy's ack; one that comes again after its confirm (the
/// confirm was lost with its connection) is confirmed at once, its handler having returned
/// `Ok` for that very id. Either way the handler does not run twice.
#[derive(Default)]
struct Ids {
    in_flight: std::collections::HashSet<i64>,
    confirmed: HashMap<i64, Instant>,
    /// When `confirmed` was last swept of old ids.
    swept: Option<Instant>,
}

impl Ids {
    /// How long a confirmed id is remembered: longer than the platform waits before it
    /// delivers an unconfirmed message again.
    const REMEMBERED: Duration = Duration::from_secs(15 * 60);
    /// How many confirmed ids are remembered at most.
    const AT_MOST: usize = 200_000;

    /// Holds `id` as in flight; false when it already was.
    fn hold(&mut self, id: i64, shared: &Shared) -> bool {
        let new = self.in_flight.insert(id);
        if new {
            shared.in_flight.fetch_add(1, Ordering::SeqCst);
        }
        new
    }

    /// `id` is no longer in flight: its ack went out, or it was given up.
    fn settle(&mut self, id: i64, shared: &Shared) {
        if self.in_flight.remove(&id) {
            shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// A message received, counted: whether its handler runs.
    fn admit(&mut self, id: i64, shared: &Shared) -> Admit {
        shared.received.fetch_add(1, Ordering::Relaxed);
        if !self.hold(id, shared) {
            // Its first copy's ack will answer for it.
            shared.duplicates.fetch_add(1, Ordering::Relaxed);
            return Admit::Copy;
        }
        if self.confirmed.contains_key(&id) {
            shared.duplicates.fetch_add(1, Ordering::Relaxed);
            return Admit::ConfirmAgain;
        }
        Admit::Handle
    }

    fn confirmed(&mut self, id: i64) {
        let now = Instant::now();
        if self.swept.is_none_or(|at| now.duration_since(at) > Duration::from_secs(10))
            || self.confirmed.len() >= Self::AT_MOST
        {
            self.confirmed.retain(|_, at| now.duration_since(*at) < Self::REMEMBERED);
            if self.confirmed.len() >= Self::AT_MOST {
                self.confirmed.clear();
            }
            self.swept = Some(now);
        }
        self.confirmed.insert(id, now);
    }
}

/// What becomes of a message received (see [`Ids`]).
enum Admit {
    /// New: to the handlers.
    Handle,
    /// A copy of one being handled: left to that one's ack.
    Copy,
    /// A copy of one confirmed already: confirmed again, not handled.
    ConfirmAgain,
}

/// One session until it is lost (`Err`) or the consumer has stopped and finished (`Ok`).
#[allow(clippy::too_many_arguments)]
fn run(
    config: &ConsumerBuilder,
    open: &mut Session,
    work: &Work,
    shared: &Shared,
    acks: &Receiver<Ack>,
    held: &mut VecDeque<Message>,
    unsent: &mut Vec<Ack>,
    ids: &mut Ids,
) -> Result<(), tungstenite::Error> {
    let mut last_pull = Instant::now() - config.pull_every;
    let mut last_heard = Instant::now();
    let mut pinged = false;
    let mut stop_by: Option<Instant> = None;
    let confirm = ConfirmFrame::new(&open.token);
    // The read timeout the socket has (`connect` set `TICK`).
    let mut waiting = TICK;
    // The last read timed out.
    let mut idle = false;
    loop {
        // The acks of handled messages, first: they free the platform's queue.
        while let Ok(ack) = acks.try_recv() {
            unsent.push(ack);
        }
        while let Some(ack) = unsent.first() {
            let (bytes, id) = match ack {
                Ack::Confirm(id) => (confirm.with_id(*id), *id),
                Ack::Failed(id, reason) => (
                    Frame::send(open.token.clone())
                        .with("__kind", Value::Byte(kind::FAILED))
                        .with("id", Value::I64(*id))
                        .with("msg", Value::Str(reason.clone()))
                        .encode(),
                    *id,
                ),
            };
            // Written, or kept for the next connection.
            open.socket.write(WsMessage::binary(bytes))?;
            if matches!(unsent.remove(0), Ack::Confirm(_)) {
                ids.confirmed(id);
            }
            ids.settle(id, shared);
            shared.confirms_sent.fetch_add(1, Ordering::Relaxed);
        }
        open.socket.flush()?;

        // Stopping: read nothing more; wait for what the pool holds, within the bound.
        if shared.stopping.load(Ordering::SeqCst) {
            for message in held.drain(..) {
                // Never handed to the pool: it stays queued on the platform.
                ids.settle(message.id(), shared);
            }
            if done_stopping(shared, &mut stop_by, config.stop_within) {
                return Ok(());
            }
            thread::sleep(TICK);
            continue;
        }

        // What was read goes to the pool in batches: once a batch is read, once the channel
        // is quiet (the last read found nothing), or once what is held fills the pool's room.
        // Reading goes on only while what is held is less than that room: what waits for a
        // handler, held or queued, never passes the capacity.
        if !held.is_empty() {
            if held.len() >= BATCH || idle || held.len() >= work.room() {
                work.offer(held);
            }
            if !held.is_empty() && held.len() >= work.room() {
                thread::sleep(QUICK);
                continue;
            }
        }

        if last_pull.elapsed() >= config.pull_every {
            let pull = Frame::send(open.token.clone()).with("__kind", Value::Byte(kind::PULL));
            open.socket.send(WsMessage::binary(pull.encode()))?;
            last_pull = Instant::now();
        }
        let silent = last_heard.elapsed();
        if silent >= config.ping_after * 2 {
            return Err(tungstenite::Error::Io(io::Error::new(
                ErrorKind::TimedOut,
                format!("nothing heard for {} s", silent.as_secs()),
            )));
        }
        if silent >= config.ping_after && !pinged {
            open.socket.send(WsMessage::Ping(Vec::new().into()))?;
            pinged = true;
        }

        // Quick while handlers hold messages to confirm; back to the tick once a quick wait
        // found nothing to read and nothing held (not on every message: each switch is a
        // system call).
        let busy = config.confirm == ConfirmMode::Auto && shared.in_flight.load(Ordering::Relaxed) > 0;
        let want = match (busy, waiting == QUICK) {
            (true, _) => QUICK,
            (false, true) if idle => TICK,
            _ => waiting,
        };
        if want != waiting {
            open.socket.get_ref().tcp().set_read_timeout(Some(want))?;
            waiting = want;
        }
        idle = false;
        match open.socket.read() {
            Ok(WsMessage::Binary(bytes)) => {
                last_heard = Instant::now();
                pinged = false;
                let frame = match FrameRef::decode(&bytes) {
                    Ok(frame) => frame,
                    Err(err) => {
                        log::warn!(target: "top_api", "the message channel sent a frame that cannot be read: {err}");
                        continue;
                    }
                };
                if frame.kind != FrameType::Send || frame.header("topic").is_none() {
                    continue;
                }
                match Message::from_frame_ref(&frame) {
                    Ok(message) => match ids.admit(message.id(), shared) {
                        Admit::Handle => held.push_back(message),
                        Admit::Copy => {}
                        Admit::ConfirmAgain => unsent.push(Ack::Confirm(message.id())),
                    },
                    Err(err) => {
                        // Unreadable: "failed", so that it comes again rather than vanish.
                        log::warn!(target: "top_api", "a message that cannot be read: {err}");
                        if let Some(id) = frame.header("id").and_then(ValueRef::as_i64) {
                            if ids.hold(id, shared) {
                                unsent.push(Ack::Failed(id, err.to_string()));
                            }
                        }
                    }
                }
            }
            Ok(WsMessage::Close(_)) => {
                return Err(tungstenite::Error::ConnectionClosed);
            }
            Ok(_) => {
                last_heard = Instant::now();
                pinged = false;
            }
            Err(tungstenite::Error::Io(err)) if is_timeout(&err) => idle = true,
            Err(err) => return Err(err),
        }
    }
}

/// The confirm of a session, encoded once: each confirm is its bytes with the id written in.
struct ConfirmFrame {
    bytes: Vec<u8>,
}

impl ConfirmFrame {
    fn new(token: &str) -> ConfirmFrame {
        let frame = Frame::send(token).with("__kind", Value::Byte(kind::CONFIRM)).with("id", Value::I64(0));
        ConfirmFrame { bytes: frame.encode() }
    }

    /// The confirm of `id`: the id is the last header, its 8 bytes before the end mark.
    fn with_id(&self, id: i64) -> Vec<u8> {
        let mut bytes = self.bytes.clone();
        let end = bytes.len() - 2;
        bytes[end - 8..end].copy_from_slice(&id.to_le_bytes());
        bytes
    }
}

/// A worker: takes messages off the pool's queue and runs the handler on each, until the
/// consumer stops and the queue is empty.
fn work_loop<H, E>(
    jobs: &Work,
    handler: &H,
    acks: &Sender<Ack>,
    shared: &Shared,
    mode: ConfirmMode,
    dedup: Option<Duration>,
    recent: &Recent,
) where
    H: Fn(&Message) -> Result<(), E>,
    E: fmt::Display,
{
    loop {
        let Some(message) = jobs.take(TICK) else {
            let stopping = shared.stopping.load(Ordering::SeqCst);
            if (stopping && shared.in_flight.load(Ordering::SeqCst) == 0) || shared.ended.load(Ordering::SeqCst) {
                return;
            }
            continue;
        };
        let key = dedup.map(|window| (business_key(&message), window));
        if let Some((key, window)) = &key {
            if recent.seen(key, *window) {
                shared.duplicates.fetch_add(1, Ordering::Relaxed);
                let _ = acks.send(Ack::Confirm(message.id()));
                continue;
            }
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| handler(&message)));
        let ack = match outcome {
            Ok(Ok(())) => {
                shared.handled.fetch_add(1, Ordering::Relaxed);
                if let Some((key, window)) = key {
                    recent.remember(key, window);
                }
                match mode {
                    ConfirmMode::Auto => Ack::Confirm(message.id()),
                    // The caller confirms; until then it is in flight.
                    ConfirmMode::Manual => continue,
                }
            }
            Ok(Err(err)) => {
                shared.failed.fetch_add(1, Ordering::Relaxed);
                Ack::Failed(message.id(), err.to_string())
            }
            Err(panic) => {
                shared.failed.fetch_add(1, Ordering::Relaxed);
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_owned());
                Ack::Failed(message.id(), format!("the handler panicked: {why}"))
            }
        };
        let _ = acks.send(ack);
    }
}

/// The business keys handled lately, for [`ConsumerBuilder::dedup`]: this process's, or
/// every consumer's of the group through Redis (under a key prefix).
enum Recent {
    Local(Mutex<HashMap<String, Instant>>),
    #[cfg(feature = "redis")]
    Shared(crate::shared::SharedDedup, String),
}

impl Recent {
    fn seen(&self, key: &str, window: Duration) -> bool {
        match self {
            Recent::Local(recent) => {
                recent.lock().unwrap_or_else(PoisonError::into_inner).get(key).is_some_and(|at| at.elapsed() < window)
            }
            #[cfg(feature = "redis")]
            Recent::Shared(shared, prefix) => shared.seen(&format!("{prefix}:{key}")),
        }
    }

    fn remember(&self, key: String, window: Duration) {
        match self {
            Recent::Local(recent) => {
                let mut recent = recent.lock().unwrap_or_else(PoisonError::into_inner);
                recent.retain(|_, at| at.elapsed() < window);
                recent.insert(key, Instant::now());
            }
            #[cfg(feature = "redis")]
            Recent::Shared(shared, prefix) => shared.remember(&format!("{prefix}:{key}"), window),
        }
    }
}

/// What [`ConsumerBuilder::dedup`] keys a message by: its topic and its business key.
fn business_key(message: &Message) -> String {
    let topic = message.topic();
    let field = if topic.starts_with("taobao_trade") {
        Some("tid")
    } else if topic.starts_with("taobao_item") {
        Some("num_iid")
    } else if topic.starts_with("taobao_refund") {
        Some("refund_id")
    } else {
        None
    };
    let value = field.and_then(|field| {
        let content: serde_json::Value = message.parse().ok()?;
        match content.get(field)? {
            serde_json::Value::String(text) => Some(text.clone()),
            serde_json::Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    });
    match value {
        Some(value) => format!("{topic}:{value}"),
        None => format!("{topic}#{}", message.id()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirm_written_into_its_template_is_the_confirm_encoded_whole() {
        let confirm = ConfirmFrame::new("tok-1");
        for id in [0, 1, 123_456_789, -5, i64::MAX, i64::MIN] {
            let whole =
                Frame::send("tok-1").with("__kind", Value::Byte(kind::CONFIRM)).with("id", Value::I64(id)).encode();
            assert_eq!(confirm.with_id(id), whole, "{id}");
        }
        // The protocol's known answer: the confirm of 123456789 with the token `tok-1`.
        let known = "0202050005000000746f6b2d310100060000005f5f6b696e64020201000200000069640515cd5b07000000000000";
        let hex: String = confirm.with_id(123_456_789).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, known);
    }
}
