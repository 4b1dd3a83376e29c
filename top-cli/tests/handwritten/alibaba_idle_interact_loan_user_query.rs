//! `alibaba.idle.interact.loan.user.query`: queries a user's information (查询用户信息).
//!
//! Response fields are `Option` because the gateway leaves out fields that have no value.

use serde::{Deserialize, Serialize};

use top_api::top_api;

/// Queries a user's real-name information for an Idle Fish loan scene (查询用户信息).
///
/// Needs no session.
#[top_api(method = "alibaba.idle.interact.loan.user.query", response = AlibabaIdleInteractLoanUserQueryResponse)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlibabaIdleInteractLoanUserQuery {
    /// The user's identifier (用户标识). Required; example `3`.
    pub user: String,
    /// The scene (场景). Required; example `xx`.
    pub scene_code: String,
    /// The environment (环境). Required; example `pre`.
    pub env: String,
}

/// The answer of `alibaba.idle.interact.loan.user.query`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlibabaIdleInteractLoanUserQueryResponse {
    /// The result (idlePointResult).
    pub idle_point_result: Option<IdlePointResult>,
}

/// The result of the query (idlePointResult).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IdlePointResult {
    /// Whether the query succeeded (success).
    pub success: Option<bool>,
    /// The user's information (data).
    pub idle_loan_personal_info: Option<IdleLoanPersonalInfo>,
    /// The business error, when the query failed (err).
    pub biz_error: Option<BizError>,
}

/// A user's information for a loan scene (data).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IdleLoanPersonalInfo {
    /// The scene (sceneCode).
    pub scene_code: Option<String>,
    /// The user's real-name information (realNameInfo).
    pub real_name_info: Option<RealNameInfoDto>,
}

/// A user's real-name information (realNameInfo).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RealNameInfoDto {
    /// The credential's number (credentialNumber).
    pub credential_number: Option<String>,
    /// The real name (realName).
    pub real_name: Option<String>,
    /// The image of the credential's back (credentialBackImage).
    pub credential_back_image: Option<String>,
    /// The credential's start date (credentialStartDate).
    pub credential_start_date: Option<String>,
    /// The credential's end date (credentialGmtEnd).
    pub credential_gmt_end: Option<String>,
    /// The gender (gender).
    pub gender: Option<i64>,
    /// The date of birth (birthDate).
    pub birth_date: Option<String>,
    /// The nationality or ethnicity (nation).
    pub nation: Option<String>,
    /// The issuing organization (signOrganization).
    pub sign_organization: Option<String>,
    /// The address (address).
    pub address: Option<String>,
    /// The image of the credential's front (credentialFrontImage).
    pub credential_front_image: Option<String>,
    /// Extra information (extInfos).
    pub ext_infos: Option<String>,
}

/// A business error (err).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BizError {
    /// The error code (错误码).
    pub err_code: Option<String>,
    /// The error message (错误信息).
    pub err_msg: Option<String>,
}
