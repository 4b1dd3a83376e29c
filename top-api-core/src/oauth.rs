//! User authorization: the platform's OAuth 2.0 round, and the sessions it gives.
//!
//! An app acts for a user (a seller, a buyer) with the user's session, an access token the
//! user grants it in the browser:
//!
//! 1. the app sends the user to the platform's authorize page ([`Client::authorize_url`]):
//!    `https://oauth.taobao.com/authorize?response_type=code&client_id=<app key>&redirect_uri=<callback>&state=<opaque>&view=web`
//!    (`view=wap` for a phone; the platform's sandbox is `oauth.tbsandbox.com`);
//! 2. the platform sends the browser back to the callback with `code` and `state`, or with
//!    `error=access_denied` when the user said no: [`Callback::read`] reads it and checks that
//!    the state is the one the app sent;
//! 3. the app exchanges the code (it works once, for a few minutes) for a [`Token`] through
//!    the API `taobao.top.auth.token.create` ([`Client::create_token`]), whose answer holds
//!    the token as JSON text (`token_result`);
//! 4. calls go with the token's session ([`Client::with_token`]); once it has expired the
//!    gateway refuses them with code 27;
//! 5. before then, where the app kind may, `taobao.top.auth.token.refresh` gives a new token
//!    for the refresh token ([`Client::refresh_token`]).
//!
//! A token has an expiry for the session, one for the refresh token, and one for each of
//! four permission [`Level`]s: read 1, read 2 (sensitive data), write 1 and write 2. A level
//! whose time is over refuses the APIs of that level while the session still serves the
//! others. [`Token::is_valid_at`] tells whether a token serves a level at an instant.
//!
//! [`TokenStore`] keeps tokens between runs: [`FileStore`] writes each one atomically into a
//! file only its owner may read, [`MemoryStore`] keeps them in memory.
//!
//! # Examples
//!
//! The whole round against the embedded sandbox, which plays the user:
//!
//! ```
//! use top_api::oauth::{Callback, Level};
//! use top_api::sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start()?;
//! let client = sandbox.client().build()?;
//! // 1. Where to send the user's browser.
//! let url = client.authorize_url("https://app.example.com/callback").state("n-0S6_WzA2Mj").to_string();
//! // 2. Where the platform sends it back (here the sandbox authorizes at once).
//! let callback = sandbox.authorize(&url)?;
//! let code = Callback::read(&callback, Some("n-0S6_WzA2Mj"))?;
//! // 3. The code for a token.
//! let token = client.create_token(code.code())?;
//! assert!(token.is_valid(Level::W1));
//! // 4. Calls with the user's session.
//! let answer = client.with_token(&token)?.call("taobao.time.get", [("fields", "time")])?;
//! assert!(answer.get()["time"].is_string());
//! // 5. A new token before this one expires.
//! let renewed = client.refresh_token(&token)?;
//! assert_ne!(renewed.access_token(), token.access_token());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::client::Secret;
use crate::{Client, DateTime, Error, ErrorKind, SessionClient};

pub use crate::client::DEFAULT_AUTHORIZE_URL;

/// The API that exchanges an authorization code for a token.
pub const TOKEN_CREATE: &str = "taobao.top.auth.token.create";
/// The API that exchanges a refresh token for a new token.
pub const TOKEN_REFRESH: &str = "taobao.top.auth.token.refresh";

/// The page the authorize URL shows: for a computer's browser or a phone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum View {
    /// A computer's browser (`web`, the default).
    #[default]
    Web,
    /// A phone's browser (`wap`).
    Wap,
}

impl View {
    /// The value of the URL's `view` param.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Web => "web",
            View::Wap => "wap",
        }
    }
}

/// The URL that sends a user to the platform's authorize page; made by
/// [`Client::authorize_url`] or [`AuthorizeUrl::new`], written out by `to_string()`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct AuthorizeUrl {
    page: String,
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    view: View,
}

impl AuthorizeUrl {
    /// The URL of the authorize `page` (such as [`DEFAULT_AUTHORIZE_URL`]) for the app
    /// `client_id` (its app key), sending the user back to `redirect_uri` (the callback the
    /// app registered).
    pub fn new(page: impl Into<String>, client_id: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        AuthorizeUrl {
            page: page.into(),
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            state: None,
            view: View::Web,
        }
    }

    /// The opaque value the platform gives back with the code: an unguessable value tied to
    /// the user's browser session, checked by [`Callback::read`], so that a callback
    /// nobody asked for is refused.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// The page's layout (default [`View::Web`]).
    pub fn view(mut self, view: View) -> Self {
        self.view = view;
        self
    }
}

impl fmt::Display for AuthorizeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("response_type", "code");
        query.append_pair("client_id", &self.client_id);
        query.append_pair("redirect_uri", &self.redirect_uri);
        if let Some(state) = &self.state {
            query.append_pair("state", state);
        }
        query.append_pair("view", self.view.as_str());
        let joint = if self.page.contains('?') { '&' } else { '?' };
        write!(f, "{}{joint}{}", self.page, query.finish())
    }
}

/// What the platform sent back to the callback: the code to exchange for a token, and the
/// state. Its `Debug` does not show the code.
#[derive(Clone, PartialEq, Eq)]
pub struct Callback {
    code: Secret,
    state: Option<String>,
}

impl Callback {
    /// Reads the callback the platform redirected the user's browser to: a whole URL or its
    /// query string. `expected_state` is the state the authorize URL carried (`None` when it
    /// carried none); a callback with another one is refused.
    ///
    /// # Errors
    ///
    /// [`OAuthError::Denied`] when the user refused (`error=access_denied`),
    /// [`OAuthError::StateMismatch`] for a state other than the one sent,
    /// [`OAuthError::MissingCode`] when there is no code.
    pub fn read(url_or_query: &str, expected_state: Option<&str>) -> Result<Callback, OAuthError> {
        let query = match url_or_query.split_once('?') {
            Some((_, query)) => query,
            None if url_or_query.contains("://") => "",
            None => url_or_query,
        };
        let query = query.split('#').next().unwrap_or("");
        let (mut code, mut state, mut error, mut description) = (None, None, None, None);
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match &*name {
                "code" => &mut code,
                "state" => &mut state,
                "error" => &mut error,
                "error_description" => &mut description,
                _ => continue,
            };
            slot.get_or_insert(value.into_owned());
        }
        if state.as_deref().filter(|s| !s.is_empty()) != expected_state.filter(|s| !s.is_empty()) {
            return Err(OAuthError::StateMismatch);
        }
        if let Some(error) = error.filter(|e| !e.is_empty()) {
            return Err(OAuthError::Denied { error, description: description.filter(|d| !d.is_empty()) });
        }
        match code.filter(|c| !c.trim().is_empty()) {
            Some(code) => Ok(Callback { code: Secret(code), state }),
            None => Err(OAuthError::MissingCode),
        }
    }

    /// The authorization code.
    pub fn code(&self) -> &str {
        &self.code.0
    }

    /// The state it came with.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback").field("code", &self.code).field("state", &self.state).finish()
    }
}

/// What went wrong in a step of user authorization.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The user did not authorize the app: the callback came with `error` (such as
    /// `access_denied`) instead of a code.
    #[error("the user did not authorize the app: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Denied {
        /// The callback's `error`.
        error: String,
        /// The callback's `error_description`, if it had one.
        description: Option<String>,
    },
    /// The callback's state is not the one the authorize URL carried: the redirect was not
    /// asked for by this user's browser, or was forged.
    #[error("the callback's state is not the one the authorize URL carried")]
    StateMismatch,
    /// The callback has no code.
    #[error("the callback has no code")]
    MissingCode,
    /// A token cannot be read: the answer's `token_result` (or a stored token) is not JSON,
    /// not an object, or has no access token. What it held is not repeated: it may hold a
    /// session.
    #[error("the token cannot be read: {0}")]
    BadToken(String),
    /// The token's session or refresh token had expired, by the client's clock, when it was
    /// to be used; nothing was sent.
    #[error("the token's {what} expired at {at}")]
    Expired {
        /// `session` or `refresh token`.
        what: &'static str,
        /// When, in GMT+8.
        at: DateTime,
    },
    /// The token has no refresh token: the user must authorize the app again.
    #[error("the token has no refresh token: the user must authorize the app again")]
    NotRefreshable,
}

impl OAuthError {
    /// Its kind, as [`Error::kind`] tells it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            OAuthError::BadToken(_) => ErrorKind::Decode,
            OAuthError::Expired { .. } | OAuthError::NotRefreshable => ErrorKind::Auth,
            OAuthError::Denied { .. } | OAuthError::StateMismatch | OAuthError::MissingCode => ErrorKind::Caller,
        }
    }
}

impl From<OAuthError> for Error {
    fn from(err: OAuthError) -> Error {
        Error::OAuth(err)
    }
}

/// A permission level of a session: each has its own expiry, and an API of a level is
/// refused once its time is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Level {
    /// The session itself: every API that takes a session.
    Session,
    /// Read 1: ordinary reads.
    R1,
    /// Read 2: reads of sensitive data.
    R2,
    /// Write 1: ordinary writes.
    W1,
    /// Write 2: sensitive writes.
    W2,
}

/// The members of a token's JSON that tell an expiry: seconds from when it was given, and
/// the instant in epoch milliseconds. Indexed by [`Life`].
const LIVES: [(&str, &str); 6] = [
    ("expires_in", "expire_time"),
    ("re_expires_in", "refresh_token_valid_time"),
    ("r1_expires_in", "r1_valid"),
    ("r2_expires_in", "r2_valid"),
    ("w1_expires_in", "w1_valid"),
    ("w2_expires_in", "w2_valid"),
];

/// The index of the refresh token's expiry in [`LIVES`].
const REFRESH: usize = 1;

impl Level {
    /// Its index in [`LIVES`].
    fn index(self) -> usize {
        match self {
            Level::Session => 0,
            Level::R1 => 2,
            Level::R2 => 3,
            Level::W1 => 4,
            Level::W2 => 5,
        }
    }
}

/// One expiry: as given (seconds), and as an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Life {
    seconds: Option<u64>,
    until: Option<SystemTime>,
}

/// A user's grant: the session (access token) an app calls with for the user, the refresh
/// token, their expiries, and who the user is.
///
/// Read from the JSON text of `taobao.top.auth.token.create`'s and
/// `taobao.top.auth.token.refresh`'s `token_result` ([`Token::parse`]) and written back in
/// the same form ([`Token::to_json`]); members it does not know are kept as they came. Its
/// `Debug` shows neither token.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    access_token: Secret,
    refresh_token: Option<Secret>,
    token_type: Option<String>,
    lives: [Life; 6],
    user_id: Option<i64>,
    user_nick: Option<String>,
    sub_user_id: Option<i64>,
    sub_user_nick: Option<String>,
    open_uid: Option<String>,
    extra: Map<String, Value>,
}

/// The members that name the user.
const USER_ID: &str = "taobao_user_id";
const USER_NICK: &str = "taobao_user_nick";
const SUB_USER_ID: &str = "sub_taobao_user_id";
const SUB_USER_NICK: &str = "sub_taobao_user_nick";
const OPEN_UID: &str = "taobao_open_uid";

impl Token {
    /// Reads a token from its JSON text, given now. Expiries the text gives only in seconds
    /// count from now.
    ///
    /// # Errors
    ///
    /// [`OAuthError::BadToken`] when the text is not a JSON object with an `access_token`.
    pub fn parse(text: &str) -> Result<Token, OAuthError> {
        Token::parse_at(text, SystemTime::now())
    }

    /// Reads a token from its JSON text, given at `given`: the instant expiries given only in
    /// seconds count from. A member of the wrong kind (a word where a number belongs) is not
    /// read into its field and is kept among [`extra`](Self::extra).
    ///
    /// # Errors
    ///
    /// [`OAuthError::BadToken`] when the text is not a JSON object with an `access_token`.
    pub fn parse_at(text: &str, given: SystemTime) -> Result<Token, OAuthError> {
        let value: Value = serde_json::from_str(text).map_err(|err| {
            let what = match err.classify() {
                serde_json::error::Category::Eof => "it is cut short",
                _ => "it is not JSON",
            };
            OAuthError::BadToken(format!("{what} (line {}, column {})", err.line(), err.column()))
        })?;
        let Value::Object(mut map) = value else {
            return Err(OAuthError::BadToken("it is JSON but not an object".to_owned()));
        };
        let access_token = take(&mut map, "access_token", text_of)
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| OAuthError::BadToken("it has no `access_token`".to_owned()))?;
        let mut lives = [Life::default(); 6];
        for (life, (relative, absolute)) in lives.iter_mut().zip(LIVES) {
            life.seconds = take(&mut map, relative, count_of);
            life.until = take(&mut map, absolute, count_of)
                .and_then(|ms| UNIX_EPOCH.checked_add(Duration::from_millis(ms)))
                .or_else(|| life.seconds.and_then(|s| given.checked_add(Duration::from_secs(s))));
        }
        Ok(Token {
            access_token: Secret(access_token),
            refresh_token: take(&mut map, "refresh_token", text_of).filter(|t| !t.trim().is_empty()).map(Secret),
            token_type: take(&mut map, "token_type", text_of),
            lives,
            user_id: take(&mut map, USER_ID, id_of),
            user_nick: take(&mut map, USER_NICK, text_of).map(|nick| url_decoded(&nick)),
            sub_user_id: take(&mut map, SUB_USER_ID, id_of),
            sub_user_nick: take(&mut map, SUB_USER_NICK, text_of).map(|nick| url_decoded(&nick)),
            open_uid: take(&mut map, OPEN_UID, text_of),
            extra: map,
        })
    }

    /// The token as JSON text in the form the platform gives it (each expiry in seconds and
    /// as an instant in epoch milliseconds, nicks URL-encoded), with the members it did not
    /// know: what [`parse`](Self::parse) reads back into the same token. It holds the
    /// session: keep it as a secret.
    pub fn to_json(&self) -> String {
        let mut map = self.extra.clone();
        map.insert("access_token".to_owned(), Value::from(self.access_token.0.clone()));
        if let Some(refresh) = &self.refresh_token {
            map.insert("refresh_token".to_owned(), Value::from(refresh.0.clone()));
        }
        if let Some(kind) = &self.token_type {
            map.insert("token_type".to_owned(), Value::from(kind.clone()));
        }
        for (life, (relative, absolute)) in self.lives.iter().zip(LIVES) {
            if let Some(seconds) = life.seconds {
                map.insert(relative.to_owned(), Value::from(seconds));
            }
            if let Some(ms) = life.until.and_then(epoch_ms) {
                map.insert(absolute.to_owned(), Value::from(ms));
            }
        }
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                map.insert(name.to_owned(), Value::from(value));
            }
        };
        put(USER_ID, self.user_id.map(|id| id.to_string()));
        put(USER_NICK, self.user_nick.as_deref().map(url_encoded));
        put(SUB_USER_ID, self.sub_user_id.map(|id| id.to_string()));
        put(SUB_USER_NICK, self.sub_user_nick.as_deref().map(url_encoded));
        put(OPEN_UID, self.open_uid.clone());
        Value::Object(map).to_string()
    }

    /// The session: the access token sent as the `session` param.
    pub fn access_token(&self) -> &str {
        &self.access_token.0
    }

    /// The refresh token, when the app may refresh.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(|t| t.0.as_str())
    }

    /// The token's type (`Bearer`).
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// How long `level` was granted for, as the platform said it (a level granted for 0
    /// seconds is not granted).
    pub fn expires_in(&self, level: Level) -> Option<Duration> {
        self.lives[level.index()].seconds.map(Duration::from_secs)
    }

    /// When `level` expires.
    pub fn expires_at(&self, level: Level) -> Option<SystemTime> {
        self.lives[level.index()].until
    }

    /// How long the refresh token was granted for.
    pub fn refresh_expires_in(&self) -> Option<Duration> {
        self.lives[REFRESH].seconds.map(Duration::from_secs)
    }

    /// When the refresh token expires.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.lives[REFRESH].until
    }

    /// True when the token serves APIs of `level` at `at`: the session has not expired, nor
    /// the level's own time. An expiry the token does not tell is taken as not passed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use top_api::oauth::{Level, Token};
    ///
    /// let token = Token::parse(r#"{"access_token":"6101…","expire_time":1700086400000,"w2_valid":1700001800000}"#)?;
    /// let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// assert!(token.is_valid_at(Level::W2, at));
    /// assert!(!token.is_valid_at(Level::W2, at + Duration::from_secs(3600)));
    /// assert!(token.is_valid_at(Level::W1, at + Duration::from_secs(3600)));
    /// # Ok::<(), top_api::oauth::OAuthError>(())
    /// ```
    pub fn is_valid_at(&self, level: Level, at: SystemTime) -> bool {
        let open = |life: &Life| life.until.is_none_or(|until| at < until);
        open(&self.lives[Level::Session.index()]) && open(&self.lives[level.index()])
    }

    /// True when the token serves APIs of `level` now, by this machine's clock.
    pub fn is_valid(&self, level: Level) -> bool {
        self.is_valid_at(level, SystemTime::now())
    }

    /// True when the token has a refresh token that has not expired at `at`.
    pub fn can_refresh_at(&self, at: SystemTime) -> bool {
        self.refresh_token.is_some() && self.lives[REFRESH].until.is_none_or(|until| at < until)
    }

    /// The user's id (`taobao_user_id`).
    pub fn user_id(&self) -> Option<i64> {
        self.user_id
    }

    /// The user's nick (`taobao_user_nick`), URL-decoded.
    pub fn user_nick(&self) -> Option<&str> {
        self.user_nick.as_deref()
    }

    /// The sub-account's id, when a sub-account authorized (`sub_taobao_user_id`).
    pub fn sub_user_id(&self) -> Option<i64> {
        self.sub_user_id
    }

    /// The sub-account's nick, URL-decoded (`sub_taobao_user_nick`).
    pub fn sub_user_nick(&self) -> Option<&str> {
        self.sub_user_nick.as_deref()
    }

    /// The user's open uid for this app (`taobao_open_uid`).
    pub fn open_uid(&self) -> Option<&str> {
        self.open_uid.as_deref()
    }

    /// Who granted the token, as a key for a [`TokenStore`]: the sub-account's id when a
    /// sub-account did, else the user's id, else the open uid.
    pub fn owner(&self) -> Option<String> {
        (self.sub_user_id.or(self.user_id))
            .map(|id| id.to_string())
            .or_else(|| self.open_uid.clone().filter(|uid| !uid.is_empty()))
    }

    /// The members of the JSON the token does not read into a field, as they came.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// A token given at `given`, each expiry in [`LIVES`]' order: what the sandbox gives.
    #[cfg(feature = "sandbox")]
    pub(crate) fn issued(
        access_token: String,
        refresh_token: Option<String>,
        given: SystemTime,
        lives: [Duration; 6],
        (user_id, nick): (i64, String),
    ) -> Token {
        Token {
            access_token: Secret(access_token),
            refresh_token: refresh_token.map(Secret),
            token_type: Some("Bearer".to_owned()),
            lives: lives.map(|life| Life { seconds: Some(life.as_secs()), until: given.checked_add(life) }),
            user_id: Some(user_id),
            user_nick: Some(nick),
            sub_user_id: None,
            sub_user_nick: None,
            open_uid: None,
            extra: Map::new(),
        }
    }

    /// A refreshed token keeps who the user is where the refresh's answer does not say.
    fn inherit(mut self, from: &Token) -> Token {
        self.user_id = self.user_id.or(from.user_id);
        self.user_nick = self.user_nick.or_else(|| from.user_nick.clone());
        self.sub_user_id = self.sub_user_id.or(from.sub_user_id);
        self.sub_user_nick = self.sub_user_nick.or_else(|| from.sub_user_nick.clone());
        self.open_uid = self.open_uid.or_else(|| from.open_uid.clone());
        self
    }
}

impl std::str::FromStr for Token {
    type Err = OAuthError;

    fn from_str(text: &str) -> Result<Token, OAuthError> {
        Token::parse(text)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |life: &Life| life.until.map(|at| DateTime::from(at).to_string());
        let [session, refresh, r1, r2, w1, w2] = &self.lives;
        f.debug_struct("Token")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("token_type", &self.token_type)
            .field("user_id", &self.user_id)
            .field("user_nick", &self.user_nick)
            .field("sub_user_id", &self.sub_user_id)
            .field("sub_user_nick", &self.sub_user_nick)
            .field("open_uid", &self.open_uid)
            .field("expires_at", &at(session))
            .field("refresh_expires_at", &at(refresh))
            .field("r1", &at(r1))
            .field("r2", &at(r2))
            .field("w1", &at(w1))
            .field("w2", &at(w2))
            .finish_non_exhaustive()
    }
}

/// Removes `name` from `map` when `read` can read it; leaves it there otherwise.
fn take<T>(map: &mut Map<String, Value>, name: &str, read: fn(&Value) -> Option<T>) -> Option<T> {
    let value = map.get(name).and_then(read)?;
    map.remove(name);
    Some(value)
}

fn text_of(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// A count that is a JSON number or a numeric string (the platform sends both).
fn count_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn id_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn epoch_ms(at: SystemTime) -> Option<u64> {
    u64::try_from(at.duration_since(UNIX_EPOCH).ok()?.as_millis()).ok()
}

/// A nick as the platform writes it in a token: URL-encoded (`+` for a space).
fn url_decoded(text: &str) -> String {
    form_urlencoded::parse(format!("n={text}").as_bytes())
        .next()
        .filter(|_| !text.contains(['&', '=']))
        .map_or_else(|| text.to_owned(), |(_, value)| value.into_owned())
}

fn url_encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `taobao.top.auth.token.create`: the code of a user's authorization for a token. Sent by
/// [`Client::create_token`]; not retried, since a code works once.
#[top_api::top_api(method = "taobao.top.auth.token.create", response = TokenAnswer, idempotent = false)]
#[derive(Clone, PartialEq, Eq, Default)]
pub struct TokenCreate {
    /// The code the callback received.
    pub code: String,
    /// The `uuid` the authorize URL carried, if it carried one.
    pub uuid: Option<String>,
}

impl fmt::Debug for TokenCreate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCreate").field("code", &"***").field("uuid", &self.uuid).finish()
    }
}

/// `taobao.top.auth.token.refresh`: a refresh token for a new token. Sent by
/// [`Client::refresh_token`].
#[top_api::top_api(method = "taobao.top.auth.token.refresh", response = TokenAnswer, idempotent = false)]
#[derive(Clone, PartialEq, Eq, Default)]
pub struct TokenRefresh {
    /// The refresh token.
    pub refresh_token: String,
}

impl fmt::Debug for TokenRefresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRefresh").field("refresh_token", &"***").finish()
    }
}

/// The answer of [`TokenCreate`] and [`TokenRefresh`]: the token as JSON text. Its `Debug`
/// does not show it.
#[derive(Clone, PartialEq, Eq, Default, top_api::Object)]
pub struct TokenAnswer {
    /// The token, as JSON text; [`Token::parse`] reads it.
    pub token_result: Option<String>,
}

impl TokenAnswer {
    /// The token it holds, given at `given` (expiries given in seconds count from then).
    ///
    /// # Errors
    ///
    /// [`OAuthError::BadToken`] when there is none, or it cannot be read.
    pub fn token(&self, given: SystemTime) -> Result<Token, OAuthError> {
        let text = self.token_result.as_deref().filter(|t| !t.trim().is_empty());
        let text = text.ok_or_else(|| OAuthError::BadToken("the answer has no `token_result`".to_owned()))?;
        Token::parse_at(text, given)
    }
}

impl fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenAnswer").field("token_result", &self.token_result.as_ref().map(|_| "***")).finish()
    }
}

/// User authorization.
impl Client {
    /// The URL that sends a user to the platform's authorize page
    /// ([`ClientBuilder::authorize_url`](crate::ClientBuilder::authorize_url)) for this app,
    /// to come back to `redirect_uri`; add a [`state`](AuthorizeUrl::state) and write it
    /// out with `to_string()`.
    pub fn authorize_url(&self, redirect_uri: impl Into<String>) -> AuthorizeUrl {
        AuthorizeUrl::new(self.authorize_page(), self.app_key(), redirect_uri)
    }

    /// Exchanges the code of a user's authorization for a token, through
    /// `taobao.top.auth.token.create` (the platform serves it over HTTPS only). Expiries
    /// given in seconds count from the client's clock.
    ///
    /// # Errors
    ///
    /// The call's errors (a code already used or too old is refused by the gateway, as an
    /// [`Error::Api`]), and [`Error::OAuth`] when the answer's token cannot be read.
    pub fn create_token(&self, code: &str) -> Result<Token, Error> {
        let answer = self.execute(&TokenCreate { code: code.to_owned(), uuid: None })?;
        Ok(answer.token((self.inner.clock)())?)
    }

    /// A new token for `token`'s refresh token, through `taobao.top.auth.token.refresh`;
    /// what the answer does not say of the user is kept from `token`.
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`] without sending anything when `token` has no refresh token or it has
    /// expired by the client's clock, or when the answer's token cannot be read; the call's
    /// errors.
    pub fn refresh_token(&self, token: &Token) -> Result<Token, Error> {
        let refresh = token.refresh_token().ok_or(OAuthError::NotRefreshable)?;
        let now = (self.inner.clock)();
        if let Some(until) = token.refresh_expires_at().filter(|until| now >= *until) {
            return Err(OAuthError::Expired { what: "refresh token", at: DateTime::from(until) }.into());
        }
        let answer = self.execute(&TokenRefresh { refresh_token: refresh.to_owned() })?;
        Ok(answer.token((self.inner.clock)())?.inherit(token))
    }

    /// A client that calls with `token`'s session.
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`] ([`OAuthError::Expired`]) when the session has expired by the
    /// client's clock: a call would be refused with code 27.
    pub fn with_token(&self, token: &Token) -> Result<SessionClient, Error> {
        if let Some(until) = token.expires_at(Level::Session).filter(|until| (self.inner.clock)() >= *until) {
            return Err(OAuthError::Expired { what: "session", at: DateTime::from(until) }.into());
        }
        Ok(self.with_session(token.access_token()))
    }
}

/// Keeps tokens between runs, each under a key (such as [`Token::owner`]).
///
/// Implement it over the storage an app already has (a database, a secret store); errors
/// are I/O errors, a stored token that cannot be read one of kind `InvalidData`.
pub trait TokenStore: Send + Sync {
    /// The token kept under `key`, if any.
    ///
    /// # Errors
    ///
    /// When the store cannot be read, or what it keeps is not a token.
    fn load(&self, key: &str) -> io::Result<Option<Token>>;

    /// Keeps `token` under `key`, replacing what was there.
    ///
    /// # Errors
    ///
    /// When the store cannot be written; what it kept before is then unchanged.
    fn save(&self, key: &str, token: &Token) -> io::Result<()>;

    /// Forgets the token under `key`; nothing there is not an error.
    ///
    /// # Errors
    ///
    /// When the store cannot be written.
    fn remove(&self, key: &str) -> io::Result<()>;
}

/// Tokens in memory, for tests and short-lived programs.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<String, Token>>,
}

impl TokenStore for MemoryStore {
    fn load(&self, key: &str) -> io::Result<Option<Token>> {
        Ok(self.tokens.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned())
    }

    fn save(&self, key: &str, token: &Token) -> io::Result<()> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).insert(key.to_owned(), token.clone());
        Ok(())
    }

    fn remove(&self, key: &str) -> io::Result<()> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
        Ok(())
    }
}

/// Tokens in files, one per key, in a folder: each written to a new file beside its place
/// and renamed over it once on disk, so that a reader (another process, or this one after a
/// crash) finds the old token or the new one, never a part. On Unix the folder it creates is
/// open to its owner only (`0700`) and each file is readable by its owner only (`0600`).
///
/// # Examples
///
/// ```
/// use top_api::oauth::{FileStore, Token, TokenStore};
///
/// let folder = std::env::temp_dir().join(format!("top-api-doc-tokens-{}", std::process::id()));
/// let store = FileStore::new(&folder)?;
/// let token = Token::parse(r#"{"access_token":"6100e23…","taobao_user_id":"2200000000001"}"#)?;
/// store.save("2200000000001", &token)?;
/// assert_eq!(store.load("2200000000001")?, Some(token));
/// # std::fs::remove_dir_all(&folder)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileStore {
    folder: PathBuf,
}

impl FileStore {
    /// A store in `folder`, created (with its parents) if it does not exist.
    ///
    /// # Errors
    ///
    /// When the folder cannot be created.
    pub fn new(folder: impl AsRef<Path>) -> io::Result<FileStore> {
        let folder = folder.as_ref().to_path_buf();
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&folder)?;
        Ok(FileStore { folder })
    }

    /// The folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The file of `key`: its bytes other than ASCII letters, digits and `-` written as
    /// `_` and two hex digits, so that any key is one file name of this folder.
    fn path(&self, key: &str) -> io::Result<PathBuf> {
        if key.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a token's key is empty"));
        }
        let mut name = String::with_capacity(key.len() + 5);
        for byte in key.bytes() {
            if byte.is_ascii_alphanumeric() || byte == b'-' {
                name.push(char::from(byte));
            } else {
                // Writing to a String cannot fail.
                let _ = fmt::Write::write_fmt(&mut name, format_args!("_{byte:02X}"));
            }
        }
        name.push_str(".json");
        Ok(self.folder.join(name))
    }
}

impl TokenStore for FileStore {
    fn load(&self, key: &str) -> io::Result<Option<Token>> {
        let path = self.path(key)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err),
        };
        Token::parse(&text).map(Some).map_err(|err| {
            io::Error::new(io::ErrorKind::InvalidData, format!("{} does not hold a token: {err}", path.display()))
        })
    }

    fn save(&self, key: &str, token: &Token) -> io::Result<()> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = self.path(key)?;
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("token");
        let temporary = self.folder.join(format!(
            ".{file_name}.{}.{}.tmp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&temporary)?;
            file.write_all(token.to_json().as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temporary, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written?;
        // The rename itself on disk; not every platform can open a folder to sync it.
        if let Ok(folder) = std::fs::File::open(&self.folder) {
            let _ = folder.sync_all();
        }
        Ok(())
    }

    fn remove(&self, key: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(key)?) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_one_file_name_whatever_it_holds() {
        let store = FileStore { folder: PathBuf::from("/x") };
        assert_eq!(store.path("2200-01").unwrap(), PathBuf::from("/x/2200-01.json"));
        assert_eq!(store.path("../a_b").unwrap(), PathBuf::from("/x/_2E_2E_2Fa_5Fb.json"));
        assert!(store.path("").is_err());
    }

    #[test]
    fn a_nick_is_decoded_and_encoded_back() {
        assert_eq!(url_decoded("%E6%B2%99%E7%AE%B1+c%2B1"), "沙箱 c+1");
        assert_eq!(url_encoded("沙箱 c+1"), "%E6%B2%99%E7%AE%B1+c%2B1");
        assert_eq!(url_decoded("a&b=c"), "a&b=c");
    }
}
