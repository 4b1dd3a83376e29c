//! What the benchmarks share: the seed APIs' requests, their answers in every form, and a
//! transport that answers from memory.

#![allow(dead_code)]

use top_api::apis::{
    AlibabaIdleInteractLoanUserQuery, AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo, TaobaoBaodianDepositGet,
};
use top_api::transport::{HttpRequest, HttpResponse, Transport};
use top_api::TransportError;

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
