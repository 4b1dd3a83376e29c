//! Batch calls: several typed requests in one HTTP request to `/router/batch`, each
//! answered on its own.
//!
//! The request: `POST /router/batch` with the system params (no `method`) and the `sign` in
//! the query; the body, `text/plain`, holds one form-encoded piece per call
//! (`method=…&k=v…`) joined by a separator (`\r\n-S-\r\n`, or one announced in the
//! `top-api-separator` header), after an optional first piece `#PUBLIC#…` of params every call
//! shares. The signature covers the sorted system params, then the whole body. The answer
//! splits on the same separator into one answer per call, in order; a single piece for
//! several calls is the gateway's refusal of the whole batch.

use std::fmt;
use std::marker::PhantomData;

use crate::request::{Request, WithoutFiles, WithoutSession};
use crate::SessionNeed;
use crate::{road, CallOptions, Client, ConfigError, Error, Params, Response};

/// The separator between the pieces of a batch, unless another is announced.
pub const DEFAULT_SEPARATOR: &str = "\r\n-S-\r\n";

/// The header that announces a custom separator.
pub const SEPARATOR_HEADER: &str = "top-api-separator";

/// The first piece of a batch that carries params shared by every call.
pub const PUBLIC_MARK: &str = "#PUBLIC#";

/// A batch without a session: it takes APIs that need none.
#[derive(Debug)]
pub enum NoSession {}

/// A batch with a session: it takes any API.
#[derive(Debug)]
pub enum WithSession {}

/// Calls gathered to be sent in one HTTP request; made by [`Client::batch`] or
/// [`SessionClient::batch`](crate::SessionClient::batch).
///
/// A batch goes through the same road as a single call: the rate limit counts each of its
/// calls, a batch of reads is tried again after a transient fault (as the retry policy
/// allows), its tries are logged, and secrets are kept out of its errors. The session
/// travels in the body (the `#PUBLIC#` piece), not in the URL. An API with file params
/// cannot be added: the platform takes no files in a batch.
///
/// # Examples
///
/// ```no_run
/// use top_api::apis::{AlibabaIdleInteractLoanUserQuery, AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo};
///
/// let client = top_api::Client::builder("12345678", "app-secret").build()?;
/// let mut batch = client.batch();
/// let loan = batch.add(&AlibabaIdleInteractLoanUserQuery { user: "3".into(), scene_code: "xx".into(), env: "pre".into() })?;
/// let author = batch.add(&AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo { user_id: 406797230, ..Default::default() })?;
/// let answers = batch.send()?;
/// println!("{:?}", answers.get(&loan)?.idle_point_result);
/// // One call's refusal does not fail the others.
/// if let Err(err) = answers.get(&author) {
///     println!("author: {err}");
/// }
/// # Ok::<(), top_api::Error>(())
/// ```
#[must_use]
pub struct Batch<'c, S> {
    client: &'c Client,
    session: Option<&'c str>,
    pieces: Vec<String>,
    /// Whether every call is safe to repeat.
    idempotent: bool,
    public: Vec<(String, String)>,
    separator: String,
    options: CallOptions,
    marker: PhantomData<S>,
}

/// A call's place in a batch: hand it to [`BatchAnswers::get`] for the typed answer.
pub struct BatchItem<R> {
    index: usize,
    marker: PhantomData<fn() -> R>,
}

impl<R> Clone for BatchItem<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for BatchItem<R> {}

impl<R> fmt::Debug for BatchItem<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BatchItem").field(&self.index).finish()
    }
}

impl<'c, S> Batch<'c, S> {
    pub(crate) fn new(client: &'c Client, session: Option<&'c str>) -> Self {
        Batch {
            client,
            session: session.filter(|s| !s.trim().is_empty()),
            pieces: Vec::new(),
            idempotent: true,
            public: Vec::new(),
            separator: DEFAULT_SEPARATOR.to_owned(),
            options: CallOptions::default(),
            marker: PhantomData,
        }
    }

    /// Adds a param shared by every call of the batch (the `#PUBLIC#` piece).
    pub fn public_param(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.public.push((name.into(), value.into()));
        self
    }

    /// Separates the pieces with `separator` instead of `\r\n-S-\r\n`, announced in the
    /// `top-api-separator` header: so it is visible ASCII, without CR or LF, and it must not
    /// appear in any call's params.
    pub fn separator(&mut self, separator: impl Into<String>) -> &mut Self {
        self.separator = separator.into();
        self
    }

    /// Options for the whole batch: its time bound, its `target_app_key`, whether it may be
    /// sent again (by default, when every call in it is a read).
    pub fn options(&mut self, options: CallOptions) -> &mut Self {
        self.options = options;
        self
    }

    /// How many calls the batch holds.
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    /// True when it holds none.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    fn push<R: Request + WithoutFiles>(&mut self, request: &R) -> Result<BatchItem<R>, Error> {
        if R::SESSION == SessionNeed::Required && self.session.is_none() {
            return Err(Error::MissingSession { method: R::METHOD });
        }
        let mut params = Params::new();
        params.push("method", R::METHOD);
        request.write_params(&mut params)?;
        // `WithoutFiles` keeps files out at compile time, from what the attribute can see.
        if params.files().len() > 0 {
            return Err(Error::Param { name: "method", reason: format!("`{}` has file params", R::METHOD) });
        }
        self.pieces.push(form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish());
        self.idempotent &= R::IDEMPOTENT;
        Ok(BatchItem { index: self.pieces.len() - 1, marker: PhantomData })
    }

    /// Sends the batch in one HTTP request.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an empty batch or a separator that cannot be used (it cannot
    /// travel in a header, or it appears in a call's params); [`Error::Api`] when the
    /// gateway refuses the whole batch (a bad signature, say); [`Error::Transport`],
    /// [`Error::Status`] and [`Error::NotAnAnswer`]; [`Error::Decode`] when the answer does
    /// not hold one piece per call. A single call's refusal is not an error here: it is what
    /// [`BatchAnswers::get`] returns for that call.
    pub fn send(self) -> Result<BatchAnswers, Error> {
        if self.pieces.is_empty() {
            return Err(ConfigError::EmptyBatch.into());
        }
        let announced = self.separator != DEFAULT_SEPARATOR;
        if announced
            && (self.separator.is_empty() || !self.separator.bytes().all(|b| b == b' ' || b.is_ascii_graphic()))
        {
            return Err(ConfigError::BadSeparator {
                reason: "it travels in a header: use visible ASCII, without CR or LF",
            }
            .into());
        }
        let mut public: Vec<(&str, &str)> = self.public.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        if let Some(session) = self.session {
            // In the body, where no log of a URL shows it.
            public.push(("session", session));
        }
        let public = (!public.is_empty())
            .then(|| form_urlencoded::Serializer::new(String::new()).extend_pairs(&public).finish());
        if public.iter().chain(&self.pieces).any(|piece| piece.contains(&self.separator)) {
            return Err(ConfigError::BadSeparator { reason: "it appears in a call's params" }.into());
        }
        let mut body = String::new();
        if let Some(public) = &public {
            body.push_str(PUBLIC_MARK);
            body.push_str(public);
            body.push_str(&self.separator);
        }
        body.push_str(&self.pieces.join(&self.separator));

        let pieces = road::send_batch(
            self.client,
            &road::BatchCall {
                body: &body,
                calls: self.pieces.len(),
                idempotent: self.options.idempotent.unwrap_or(self.idempotent),
                session: self.session,
                separator: &self.separator,
                options: &self.options,
            },
        )?;
        Ok(BatchAnswers {
            pieces: pieces.pieces,
            client: self.client.clone(),
            session: self.session.map(str::to_owned),
            sign: pieces.sign,
        })
    }
}

impl<'c> Batch<'c, NoSession> {
    /// Adds a call of an API that needs no session. An API with file params does not
    /// compile here: the platform takes no files in a batch.
    ///
    /// # Errors
    ///
    /// [`Error::Check`] or [`Error::Param`] when its params cannot be written.
    pub fn add<R: Request + WithoutSession + WithoutFiles>(&mut self, request: &R) -> Result<BatchItem<R>, Error> {
        self.push(request)
    }
}

impl<'c> Batch<'c, WithSession> {
    /// Adds a call of any API without file params; the batch's session goes with it.
    ///
    /// # Errors
    ///
    /// As [`Batch::add`](Batch#method.add), and [`Error::MissingSession`] when the API
    /// needs a session and the batch's is blank.
    pub fn add<R: Request + WithoutFiles>(&mut self, request: &R) -> Result<BatchItem<R>, Error> {
        self.push(request)
    }
}

impl<S> fmt::Debug for Batch<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("calls", &self.pieces.len())
            .field("public", &self.public.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("session", &self.session.map(|_| "***"))
            .finish()
    }
}

/// The answers of a batch, one per call, in order.
pub struct BatchAnswers {
    pieces: Vec<Vec<u8>>,
    client: Client,
    /// Kept out of the errors of each call's answer.
    session: Option<String>,
    sign: String,
}

impl BatchAnswers {
    /// The typed answer of one call.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] when the gateway refused that call; [`Error::Decode`] when its piece
    /// is not an answer of `R`, or the item is from another batch.
    pub fn get<R: Request>(&self, item: &BatchItem<R>) -> Result<Response<R::Response>, Error> {
        let piece = self.pieces.get(item.index).ok_or_else(|| {
            let message = format!("no answer {} in a batch of {}", item.index, self.pieces.len());
            Error::Decode(crate::DecodeError::new(self.client.inner.format, None, message, b""))
        })?;
        road::decode_piece::<R>(&self.client, piece, self.session.as_deref(), &self.sign)
    }

    /// How many answers there are.
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }
}

impl fmt::Debug for BatchAnswers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchAnswers").field("answers", &self.pieces.len()).finish_non_exhaustive()
    }
}

/// Splits `body` on every `separator`.
pub(crate) fn split<'b>(body: &'b [u8], separator: &[u8]) -> Vec<&'b [u8]> {
    let mut pieces = Vec::new();
    let mut rest = body;
    if separator.is_empty() {
        return vec![body];
    }
    while let Some(at) = rest.windows(separator.len()).position(|w| w == separator) {
        pieces.push(&rest[..at]);
        rest = &rest[at + separator.len()..];
    }
    pieces.push(rest);
    pieces
}
