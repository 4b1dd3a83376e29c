//! What the benchmarks share: the seed APIs' requests, their answers in every form, and a
//! transport that answers from memory.

#![allow(dead_code)]

use std::hint::black_box;
use std::marker::PhantomData;
use top_api::apis::{
    AlibabaIdleInteractLoanUserQuery, AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo, TaobaoBaodianDepositGet,
};

use serde::de::DeserializeOwned;
use serde::Serialize;
use top_api::transport::{HttpRequest, HttpResponse, Transport};
use top_api::{sign, Client, Format, Request, SignMethod, TransportError};

/// The app secret of the `call` and `pairs` benchmarks' clients.
pub const SECRET: &str = "bench-secret-0123456789";

pub fn loan_query() -> AlibabaIdleInteractLoanUserQuery {
    AlibabaIdleInteractLoanUserQuery { user: "3".into(), scene_code: "xx".into(), env: "pre".into() }
}

pub fn author_query() -> AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo {
    AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo {
        user_id: 406_797_230,
        action_name: Some("jason_zb".into()),
        desensitization: Some(1),
        encrypt_list: Some("11".into()),
    }
}

pub fn deposit_query() -> TaobaoBaodianDepositGet {
    TaobaoBaodianDepositGet
}

/// `tests/fixtures/<method>/<name>`.
pub fn fixture(method: &str, name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{method}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// The page's XML example, as the gateway frames it.
pub fn xml(example: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"utf-8\" ?>{example}<!--top011023105124.center.na61-->").into_bytes()
}

/// Answers every request with the same bytes.
pub struct Canned(pub Vec<u8>);

impl Transport for Canned {
    fn send(&self, _: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse::new(200, self.0.clone()))
    }
}

/// The string a call of `request` signs, as `client` sends it with a session.
pub fn string_to_sign<R: Request>(client: &Client, request: &R) -> String {
    let params = client.wire_params(request, Some("session-token")).unwrap();
    sign::string_to_sign(params.iter().filter(|(n, _)| *n != "sign"), "")
}

/// The payload of `R`'s answer (`tests/fixtures/<method>/ok.json`) bare: no envelope, its
/// lists plain arrays, as serde_json reads them unaided.
pub fn bare<R: Request>(method: &str) -> Vec<u8>
where
    R::Response: Serialize,
{
    let answer = top_api::decode::<R>(&fixture(method, "ok.json"), Format::Json).unwrap();
    serde_json::to_vec(&answer.into_inner()).unwrap()
}

/// A call's floor, as every benchmark reads a call against it: the digest (MD5) of the
/// call's string to sign, made in advance, and `serde_json::from_slice` of its bare payload
/// into the same type. No request is built, no envelope read.
pub struct Floor<R> {
    text: String,
    bare: Vec<u8>,
    secret: &'static str,
    marker: PhantomData<R>,
}

impl<R: Request> Floor<R>
where
    R::Response: Serialize + DeserializeOwned,
{
    /// The floor of a call of `request` by `client`, whose secret is `secret`.
    pub fn new(client: &Client, request: &R, method: &str, secret: &'static str) -> Floor<R> {
        Floor { text: string_to_sign(client, request), bare: bare::<R>(method), secret, marker: PhantomData }
    }

    /// The bare payload it reads.
    pub fn bare(&self) -> &[u8] {
        &self.bare
    }

    /// Runs it once.
    pub fn run(&self) -> (String, R::Response) {
        let sign = sign::sign_string(black_box(&self.text), self.secret, SignMethod::Md5);
        (sign, serde_json::from_slice::<R::Response>(black_box(&self.bare)).unwrap())
    }
}
