//! The sandbox's user authorization: the authorize page (it plays the user, who says yes),
//! the token APIs, and the sessions they give, which expire under the sandbox's clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use super::Clock;
use crate::oauth::Token;
use crate::{ApiError, Params, Violation};

/// The path of the authorize page.
pub(super) const AUTHORIZE_PATH: &str = "/oauth/authorize";

/// How long a code the authorize page gives may be exchanged for a token: once, within
/// five minutes of the sandbox's clock.
pub const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The user the sandbox's authorize page authorizes as, unless told otherwise.
pub const DEFAULT_USER_ID: i64 = 2_200_000_000_001;
/// That user's nick.
pub const DEFAULT_USER_NICK: &str = "sandbox_c_1";

/// How long what the sandbox's OAuth gives lasts, by its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetimes {
    /// The session (default a day).
    pub session: Duration,
    /// The refresh token (default 30 days; zero for none, as for apps that may not refresh).
    pub refresh: Duration,
    /// Read 1 (default a day).
    pub r1: Duration,
    /// Read 2 (default 30 minutes).
    pub r2: Duration,
    /// Write 1 (default a day).
    pub w1: Duration,
    /// Write 2 (default 30 minutes).
    pub w2: Duration,
}

impl Default for TokenLifetimes {
    fn default() -> TokenLifetimes {
        const DAY: Duration = Duration::from_secs(24 * 3600);
        const HALF_HOUR: Duration = Duration::from_secs(30 * 60);
        TokenLifetimes { session: DAY, refresh: DAY * 30, r1: DAY, r2: HALF_HOUR, w1: DAY, w2: HALF_HOUR }
    }
}

/// What the sandbox's OAuth knows: its user, the codes and refresh tokens it gave and not
/// yet used, and the sessions it accepts.
pub(super) struct Authority {
    app_key: String,
    user: (i64, String),
    lifetimes: TokenLifetimes,
    clock: Clock,
    /// Sessions given by the builder: they never expire.
    configured: Vec<String>,
    /// Sessions given by the token APIs, and when each expires.
    issued: RwLock<HashMap<String, SystemTime>>,
    /// Codes not yet used, and when each was given.
    codes: Mutex<HashMap<String, SystemTime>>,
    /// Refresh tokens not yet used: when each expires, and its session.
    refreshes: Mutex<HashMap<String, (SystemTime, String)>>,
    denies: AtomicBool,
}

/// 128 random bits in hex: a code or a token nobody guesses in a test.
fn fresh(prefix: &str) -> String {
    format!("{prefix}{:016x}{:016x}", crate::random::bits(), crate::random::bits())
}

impl Authority {
    pub(super) fn new(
        app_key: String,
        user: (i64, String),
        lifetimes: TokenLifetimes,
        clock: Clock,
        configured: Vec<String>,
    ) -> Authority {
        Authority {
            app_key,
            user,
            lifetimes,
            clock,
            configured,
            issued: RwLock::default(),
            codes: Mutex::default(),
            refreshes: Mutex::default(),
            denies: AtomicBool::new(false),
        }
    }

    /// The first session the builder gave.
    pub(super) fn first_session(&self) -> &str {
        self.configured.first().map_or("", String::as_str)
    }

    pub(super) fn set_denies(&self, on: bool) {
        self.denies.store(on, Ordering::Relaxed);
    }

    /// The gateway's check of a session: one the builder gave, or one the token APIs gave
    /// that has not expired by the sandbox's clock; else code 27.
    pub(super) fn check_session(&self, session: &str) -> Result<(), ApiError> {
        if self.configured.iter().any(|s| s == session) {
            return Ok(());
        }
        match self.issued.read().unwrap_or_else(PoisonError::into_inner).get(session) {
            Some(until) if self.clock.now() < *until => Ok(()),
            Some(_) => Err(ApiError::new(27, "Invalid session").with_sub("session-expired", "SessionKey已过期")),
            None => Err(ApiError::new(27, "Invalid session").with_sub("invalid-sessionkey", "SessionKey非法")),
        }
    }

    /// The authorize page, given its query: where it sends the browser (the callback with
    /// `code` and `state`, or with `error`), or why there is no callback to send it to.
    pub(super) fn authorize(&self, query: &str) -> Result<String, String> {
        let form = super::form::read_query(&format!("?{query}"));
        let param = |name: &str| form.get(name).filter(|v| !v.trim().is_empty());
        match param("client_id") {
            None => return Err("the authorize URL has no client_id (the app key)".to_owned()),
            Some(id) if id != self.app_key => return Err(format!("no app has the client_id `{id}`: no code is given")),
            Some(_) => {}
        }
        let redirect = param("redirect_uri").ok_or("the authorize URL has no redirect_uri")?;
        let scheme_ok =
            ["http://", "https://"].iter().any(|s| redirect.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s)));
        if !scheme_ok
            || redirect.len() <= "https://".len()
            || redirect.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(format!("the redirect_uri `{}` is not an http:// or https:// URL", redirect.escape_debug()));
        }
        if let Some(view) = param("view").filter(|v| !matches!(*v, "web" | "wap" | "tmall")) {
            return Err(format!("the view `{}` is none of web, wap, tmall", view.escape_debug()));
        }
        let mut back = form_urlencoded::Serializer::new(String::new());
        if param("response_type") != Some("code") {
            back.append_pair("error", "unsupported_response_type");
            back.append_pair("error_description", "response_type must be code");
        } else if self.denies.load(Ordering::Relaxed) {
            back.append_pair("error", "access_denied");
            back.append_pair("error_description", "the user denied the authorization");
        } else {
            back.append_pair("code", &self.code());
        }
        if let Some(state) = form.get("state") {
            back.append_pair("state", state);
        }
        let joint = if redirect.contains('?') { '&' } else { '?' };
        // A header holds ASCII: the rest of the callback URL goes percent-encoded.
        let mut location = String::with_capacity(redirect.len() + 64);
        for c in redirect.chars() {
            if c.is_ascii() {
                location.push(c);
            } else {
                location.extend(c.to_string().bytes().map(|b| format!("%{b:02X}")));
            }
        }
        Ok(format!("{location}{joint}{}", back.finish()))
    }

    /// A code, as the user's consent gives one.
    pub(super) fn code(&self) -> String {
        let now = self.clock.now();
        let code = fresh("");
        let mut codes = self.codes.lock().unwrap_or_else(PoisonError::into_inner);
        codes.retain(|_, given| now.duration_since(*given).unwrap_or_default() < CODE_LIFETIME);
        codes.insert(code.clone(), now);
        code
    }

    /// `taobao.top.auth.token.create`: a code given within [`CODE_LIFETIME`], once.
    pub(super) fn create(&self, params: &Params) -> Result<String, ApiError> {
        let code = params.get("code").ok_or_else(|| ApiError::param_refusal("code", &Violation::Missing))?;
        let now = self.clock.now();
        let given = self.codes.lock().unwrap_or_else(PoisonError::into_inner).remove(code);
        match given {
            Some(given) if now.duration_since(given).unwrap_or_default() < CODE_LIFETIME => Ok(self.issue(now)),
            Some(_) => Err(refusal("isv.code-expired", "the code is older than five minutes")),
            None => Err(refusal("isv.code-invalid", "the code is unknown or was used already")),
        }
    }

    /// `taobao.top.auth.token.refresh`: a refresh token not expired, once; the session it
    /// came with ends.
    pub(super) fn refresh(&self, params: &Params) -> Result<String, ApiError> {
        let refresh =
            params.get("refresh_token").ok_or_else(|| ApiError::param_refusal("refresh_token", &Violation::Missing))?;
        let now = self.clock.now();
        let found = self.refreshes.lock().unwrap_or_else(PoisonError::into_inner).remove(refresh);
        match found {
            Some((until, session)) if now < until => {
                self.issued.write().unwrap_or_else(PoisonError::into_inner).remove(&session);
                Ok(self.issue(now))
            }
            Some(_) => Err(refusal("isv.refresh-token-expired", "the refresh token has expired")),
            None => Err(refusal("isv.refresh-token-invalid", "the refresh token is unknown or was used already")),
        }
    }

    /// A new token at `now`, as `token_result` JSON text; its session is accepted until it
    /// expires.
    fn issue(&self, now: SystemTime) -> String {
        let lifetimes = &self.lifetimes;
        let session = fresh("61");
        let refresh = (!lifetimes.refresh.is_zero()).then(|| fresh("62"));
        let lives = [lifetimes.session, lifetimes.refresh, lifetimes.r1, lifetimes.r2, lifetimes.w1, lifetimes.w2];
        let text = Token::issued(session.clone(), refresh.clone(), now, lives, self.user.clone()).to_json();
        let until = now + lifetimes.session;
        let mut issued = self.issued.write().unwrap_or_else(PoisonError::into_inner);
        issued.retain(|_, expires| now < *expires);
        issued.insert(session.clone(), until);
        drop(issued);
        if let Some(refresh) = refresh {
            let mut refreshes = self.refreshes.lock().unwrap_or_else(PoisonError::into_inner);
            refreshes.retain(|_, (expires, _)| now < *expires);
            refreshes.insert(refresh, (now + lifetimes.refresh, session));
        }
        text
    }
}

fn refusal(sub_code: &str, why: &str) -> ApiError {
    ApiError::new(15, "Remote service error").with_sub(sub_code, why)
}
