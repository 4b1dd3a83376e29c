//! `taobao.baodian.deposit.get`: a user's Baodian account (宝点用户帐户查询).
//!
//! The platform lists this API as migrated (已迁移): it may answer with an error on
//! apps that were not granted it before the migration.
//!
//! Response fields are `Option` because the gateway leaves out fields that have no value.

use serde::{Deserialize, Serialize};

use top_api::{top_api, DateTime};

/// Queries the session user's Baodian account and the current Baodian price
/// (查询用户宝点帐户信息及当前宝点价格).
///
/// Needs a session (需要授权): call it as `client.with_session(token).execute(&TaobaoBaodianDepositGet)`.
/// The platform lists it as migrated (已迁移).
#[top_api(method = "taobao.baodian.deposit.get", response = TaobaoBaodianDepositGetResponse, session = "required")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaobaoBaodianDepositGet;

/// The answer of `taobao.baodian.deposit.get`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaobaoBaodianDepositGetResponse {
    /// The user's Baodian account (用户宝点帐户信息).
    pub user_coin_deposit: Option<UserCoinDeposit>,
}

/// A user's Baodian account (用户宝点帐户信息).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserCoinDeposit {
    /// The user's auth code (用户AuthCode). TOP spells the wire name `userAuthCode`.
    #[serde(rename = "userAuthCode")]
    pub user_auth_code: Option<String>,
    /// The user's string id in the Baodian user system (宝点用户体系中的用户字符串ID).
    pub user_str_id: Option<String>,
    /// The user's nickname in the digital entertainment user system, the Taobao user name
    /// when none is set (在数娱用户体系中的用户昵称,如果未设置则默认返回淘宝的用户名).
    pub user_nick: Option<String>,
    /// The account's balance, in Baodian (当前宝点帐户余额,即当前宝点数).
    pub deposit: Option<i64>,
    /// The Baodian owed on credit (当前信用赊欠宝点数).
    pub credit: Option<i64>,
    /// The current credit period's deadline for repayment (当前的信用帐期,即还款期截止日).
    pub credit_period: Option<DateTime>,
    /// Whether the user has overdue Baodian loans (用户是否有逾期宝点贷款).
    pub is_expired: Option<bool>,
    /// How many more Baodian the user may owe on credit
    /// (用户当前可用的信用消费的额度,即还可以赊欠多少宝点).
    pub credit_limit: Option<i64>,
    /// The price of one unit of 10 Baodian (单位数量(10个宝点)宝点价格,即10个宝点的价格).
    pub price: Option<i64>,
    /// Whether the user can pay (能否支付).
    pub enable_pay: Option<bool>,
    /// Whether the user registered recently (是否新注册用户).
    pub new_user: Option<bool>,
    /// The user's points (用户积分数量).
    pub gamepoints: Option<i64>,
}
