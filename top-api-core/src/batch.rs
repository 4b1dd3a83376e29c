//! Batch calls: several typed requests in one HTTP request to `/router/batch`, each
//! answered on its own (protocol.md section 7).

use std::fmt;
use std::marker::PhantomData;

use crate::client::CallOptions;
use crate::request::{Request, SessionNeed, WithoutSession};
use crate::{envelope, sign, Client, Error, Format, Params, Response};

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
    public: Vec<(String, String)>,
    separator: String,
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
            session,
            pieces: Vec::new(),
            public: Vec::new(),
            separator: DEFAULT_SEPARATOR.to_owned(),
            marker: PhantomData,
        }
    }

    /// Adds a param shared by every call of the batch (the `#PUBLIC#` piece).
    pub fn public_param(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.public.push((name.into(), value.into()));
        self
    }

    /// Separates the pieces with `separator` instead of `\r\n-S-\r\n`, announced in the
    /// `top-api-separator` header: so it is visible ASCII, without CR or LF.
    pub fn separator(&mut self, separator: impl Into<String>) -> &mut Self {
        self.separator = separator.into();
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

    fn push<R: Request>(&mut self, request: &R) -> Result<BatchItem<R>, Error> {
        let session = self.session.filter(|s| !s.trim().is_empty());
        if R::SESSION == SessionNeed::Required && session.is_none() {
            return Err(Error::MissingSession { method: R::METHOD });
        }
        let mut params = Params::new();
        params.push("method", R::METHOD);
        request.write_params(&mut params)?;
        if params.files().len() > 0 {
            return Err(Error::Config(format!("`{}` has file params, which a batch cannot carry", R::METHOD)));
        }
        let piece = form_urlencoded::Serializer::new(String::new()).extend_pairs(params.iter()).finish();
        self.pieces.push(piece);
        Ok(BatchItem { index: self.pieces.len() - 1, marker: PhantomData })
    }

    /// Sends the batch in one HTTP request.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] when the gateway refuses the whole batch (a bad signature, say);
    /// [`Error::Transport`] and [`Error::Status`]; [`Error::Decode`] when the answer does not
    /// hold one piece per call. A single call's refusal is not an error here: it is what
    /// [`BatchAnswers::get`] returns for that call.
    pub fn send(self) -> Result<BatchAnswers, Error> {
        if self.pieces.is_empty() {
            return Err(Error::Config("a batch needs at least one call".to_owned()));
        }
        // A custom separator travels in a header: visible ASCII and spaces only.
        let announced = self.separator != DEFAULT_SEPARATOR;
        if announced
            && (self.separator.is_empty() || !self.separator.bytes().all(|b| b == b' ' || b.is_ascii_graphic()))
        {
            return Err(Error::Config(format!(
                "the batch separator {:?} cannot be announced in a header: use visible ASCII, without CR or LF",
                self.separator
            )));
        }
        let mut body = String::new();
        if !self.public.is_empty() {
            body.push_str(PUBLIC_MARK);
            body.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.public).finish());
            body.push_str(&self.separator);
        }
        body.push_str(&self.pieces.join(&self.separator));

        let client = self.client;
        let session = self.session.filter(|s| !s.trim().is_empty());
        let options = CallOptions::default();
        let system = client.system_params(None, session, &options);
        let sign = sign::sign_batch(system.iter(), &body, client.secret(), client.sign_method());
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(system.iter());
        query.append_pair("sign", &sign);
        let url = format!("{}?{}", client.batch_gateway(), query.finish());
        let headers = if announced { vec![(SEPARATOR_HEADER.to_owned(), self.separator.clone())] } else { Vec::new() };
        let answer =
            client.send(&url, "text/plain;charset=UTF-8", body.as_bytes(), &headers, &options, session, &sign)?;

        let pieces = split(&answer, self.separator.as_bytes());
        let format = client.format();
        if pieces.len() != self.pieces.len() {
            // A single piece for several calls is the gateway's refusal of the whole batch.
            if pieces.len() == 1 {
                let whole = envelope::decode_as::<serde_json::Value>(pieces[0], format, "", envelope::Shape::Wrapped);
                if let Err(err @ Error::Api(_)) = whole {
                    return Err(err);
                }
            }
            let message = format!("the batch answered {} pieces for {} calls", pieces.len(), self.pieces.len());
            return Err(client.redact(
                Error::Decode(crate::DecodeError::new(format, None, message, &answer)),
                session,
                &sign,
            ));
        }
        let pieces = pieces.into_iter().map(<[u8]>::to_vec).collect();
        Ok(BatchAnswers { pieces, format, shape: client.shape() })
    }
}

impl<'c> Batch<'c, NoSession> {
    /// Adds a call of an API that needs no session.
    ///
    /// # Errors
    ///
    /// [`Error::Check`] or [`Error::Param`] when its params cannot be written;
    /// [`Error::Config`] when it has file params.
    pub fn add<R: Request + WithoutSession>(&mut self, request: &R) -> Result<BatchItem<R>, Error> {
        self.push(request)
    }
}

impl<'c> Batch<'c, WithSession> {
    /// Adds a call of any API; the batch's session goes with it.
    ///
    /// # Errors
    ///
    /// As [`Batch::add`](Batch#method.add), and [`Error::MissingSession`] when the API
    /// needs a session and the batch's is blank.
    pub fn add<R: Request>(&mut self, request: &R) -> Result<BatchItem<R>, Error> {
        self.push(request)
    }
}

impl<S> fmt::Debug for Batch<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch").field("calls", &self.pieces.len()).field("public", &self.public.len()).finish()
    }
}

/// The answers of a batch, one per call, in order.
pub struct BatchAnswers {
    pieces: Vec<Vec<u8>>,
    format: Format,
    shape: envelope::Shape,
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
            Error::Decode(crate::DecodeError::new(self.format, None, message, b""))
        })?;
        envelope::decode_as::<R::Response>(piece, self.format, R::METHOD, self.shape)
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
        f.debug_struct("BatchAnswers").field("answers", &self.pieces.len()).field("format", &self.format).finish()
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
