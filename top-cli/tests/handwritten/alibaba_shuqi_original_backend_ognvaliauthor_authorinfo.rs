//! `alibaba.shuqi.original.backend.ognvaliauthor.authorinfo`: an author's details
//! (作者详情查询), from Shuqi's original-content platform (书旗内容文巢).
//!
//! Response fields are `Option` because the gateway leaves out fields that have no value.

use serde::{Deserialize, Serialize};

use top_api::top_api;

/// Queries an author's details (作者详情查询).
///
/// Needs no session.
#[top_api(
    method = "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo",
    response = AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfoResponse,
    // Its last word, `authorinfo`, is not a known read, but the API only reads.
    idempotent = true
)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo {
    /// The user's id (用户ID). Required; example `406797230`.
    pub user_id: i64,
    /// The name of the operator (操作人姓名). Example `jason_zb`.
    pub action_name: Option<String>,
    /// Whether to return desensitized information, 1 for yes (是否下发脱敏信息 1是). Example `1`.
    pub desensitization: Option<i64>,
    /// The fields to encrypt or decrypt (加解密字段). Example `11`.
    pub encrypt_list: Option<String>,
}

/// The answer of `alibaba.shuqi.original.backend.ognvaliauthor.authorinfo`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfoResponse {
    /// The result (结果).
    pub result: Option<BaseResponse>,
}

/// The result envelope of the service (结果).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BaseResponse {
    /// The author's details (数据).
    pub data: Option<OgnvAliAuthorInfoResp>,
    /// The status code, such as 200 (状态码).
    pub state: Option<i64>,
    /// The message, such as `success` (消息).
    pub message: Option<String>,
}

/// An author's details (数据).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OgnvAliAuthorInfoResp {
    /// The temporary pen name (临时笔名).
    pub tmp_pen_name: Option<String>,
    /// The QQ number (QQ).
    pub qq: Option<String>,
    /// When the author was reviewed, `yyyy-MM-dd HH:mm:ss` (审核时间).
    pub verify_date: Option<String>,
    /// The pen name (笔名).
    pub pen_name: Option<String>,
    /// The bank card number (银行卡号).
    pub bank_num: Option<String>,
    /// The address (地址).
    pub address: Option<String>,
    /// The sex (性别).
    pub sex: Option<i64>,
    /// The kind of credential: 1 identity card, 2 passport (证件类型:1身份证 2 护照).
    pub card_type: Option<i64>,
    /// The mobile phone number (手机号).
    pub mobile: Option<String>,
    /// The user's id (用户ID).
    pub user_id: Option<i64>,
    /// The real name (真实姓名).
    pub real_name: Option<String>,
    /// Low-risk sensitive words (低危敏感词).
    pub low_risk_word_list: Vec<String>,
    /// The pen name's status (笔名状态).
    pub pen_name_status: Option<i64>,
    /// Other contact details (其它联系方式).
    pub exit_info: Option<String>,
    /// When the author applied, `yyyy-MM-dd HH:mm:ss` (申请时间).
    pub apply_date: Option<String>,
    /// The identity card number (身份证号).
    pub card_number: Option<String>,
    /// The e-mail address (电子邮件).
    pub email: Option<String>,
    /// The review status: 1 under review, 2 first review passed, 3 final review passed,
    /// 4 rejected (1 审核中 2 初审通过 3 终审通过 4 不通过).
    pub status: Option<i64>,
    /// The review's findings (审核结果).
    pub audit_list: Vec<MarkItem>,
    /// Whether the author passed real-name authentication, 0 no, 1 yes (是否实名认证 0:否 1:是).
    pub real_name_auth: Option<i64>,
    /// When the record was created, `yyyy-MM-dd HH:mm:ss` (创建时间).
    pub create_date: Option<String>,
}

/// One finding of a review (审核结果).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MarkItem {
    /// The field the finding is about, such as `tmpPenName` (目标字段). TOP spells the
    /// wire name `filed`.
    pub filed: Option<String>,
    /// The rule that was hit (敏感词:命中规则).
    pub rules: Option<String>,
}
