//! The typed APIs that ship with the crate, one module per API, named after its full
//! method so that names never collide across namespaces.
//!
//! Each module holds the request struct (annotated with `#[top_api]`), the response
//! type and every nested type of the answer. The request and response types are also
//! re-exported here.

pub mod alibaba_idle_interact_loan_user_query;
pub mod alibaba_shuqi_original_backend_ognvaliauthor_authorinfo;
pub mod taobao_baodian_deposit_get;

pub use alibaba_idle_interact_loan_user_query::{
    AlibabaIdleInteractLoanUserQuery, AlibabaIdleInteractLoanUserQueryResponse,
};
pub use alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::{
    AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo, AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfoResponse,
};
pub use taobao_baodian_deposit_get::{TaobaoBaodianDepositGet, TaobaoBaodianDepositGetResponse};
