//! Shared pieces of top-api's integration tests: fixtures and the answers the seed
//! pages' examples must decode to, field by field.

use std::path::PathBuf;

use top_api::apis::alibaba_idle_interact_loan_user_query::*;
use top_api::apis::alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::*;
use top_api::apis::taobao_baodian_deposit_get::*;
use top_api::{top_api, Date};

/// The loan query of the page's example.
pub fn loan_query() -> top_api::apis::AlibabaIdleInteractLoanUserQuery {
    top_api::apis::AlibabaIdleInteractLoanUserQuery { user: "3".into(), scene_code: "xx".into(), env: "pre".into() }
}

/// The author query of the page's example.
pub fn author_query() -> top_api::apis::AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo {
    top_api::apis::AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo {
        user_id: 406_797_230,
        action_name: Some("jason_zb".into()),
        desensitization: Some(1),
        encrypt_list: Some("11".into()),
    }
}

/// The author query with a `user_id` that is not a number: the gateway refuses it (41).
#[top_api(
    method = "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo",
    response = top_api::apis::AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfoResponse
)]
pub struct AuthorQueryByName {
    /// Not a number.
    pub user_id: String,
}

/// The seed page's example answer of `method`, exactly as printed (the crate ships it).
pub fn page_example(method: &str) -> Vec<u8> {
    let xml = match method {
        "alibaba.idle.interact.loan.user.query" => top_api::apis::alibaba_idle_interact_loan_user_query::EXAMPLE_XML,
        "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo" => {
            top_api::apis::alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::EXAMPLE_XML
        }
        "taobao.baodian.deposit.get" => top_api::apis::taobao_baodian_deposit_get::EXAMPLE_XML,
        other => panic!("no seed page for {other}"),
    };
    xml.as_bytes().to_vec()
}

/// Reads `tests/fixtures/<method>/<name>`.
pub fn fixture(method: &str, name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(method).join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// The answer of the alibaba.idle.interact.loan.user.query page's example.
pub fn loan_user_query_answer() -> AlibabaIdleInteractLoanUserQueryResponse {
    AlibabaIdleInteractLoanUserQueryResponse {
        idle_point_result: Some(IdlePointResult {
            success: Some(false),
            idle_loan_personal_info: Some(IdleLoanPersonalInfo {
                scene_code: s("xxxxx"),
                real_name_info: Some(RealNameInfoDto {
                    credential_number: s("xxxxx"),
                    real_name: s("xxxxx"),
                    credential_back_image: s("xxxxx"),
                    credential_start_date: s("xxxxx"),
                    credential_gmt_end: s("xxxxx"),
                    gender: Some(6),
                    birth_date: s("xxxxx"),
                    nation: s("xxxxx"),
                    sign_organization: s("xxxxx"),
                    address: s("xxxxx"),
                    credential_front_image: s("xxx"),
                    ext_infos: s("xxx"),
                }),
            }),
            biz_error: Some(BizError { err_code: s("xx"), err_msg: s("xx") }),
        }),
    }
}

/// The answer of the alibaba.shuqi.original.backend.ognvaliauthor.authorinfo page's example.
pub fn authorinfo_answer() -> AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfoResponse {
    AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfoResponse {
        result: Some(BaseResponse {
            data: Some(OgnvAliAuthorInfoResp {
                tmp_pen_name: s("临时笔名"),
                qq: s("11111111"),
                verify_date: s("2021-07-22 23:00:46"),
                pen_name: s("脆脆鲨很好new"),
                bank_num: s("11111111"),
                address: s("马云"),
                sex: Some(1),
                card_type: Some(1),
                mobile: s("16713494702"),
                user_id: Some(406_797_230),
                real_name: s("腾讯是ml"),
                low_risk_word_list: vec![String::new()],
                pen_name_status: Some(3),
                exit_info: s("其它联系方式"),
                apply_date: s("2021-07-22 23:00:56"),
                card_number: s("111111111111111111"),
                email: s("fadflh@126.com"),
                status: Some(1),
                audit_list: vec![MarkItem { filed: s("tmpPenName"), rules: s("敏感词:命中规则") }],
                real_name_auth: Some(0),
                create_date: s("2021-07-22 23:00:56"),
            }),
            state: Some(200),
            message: s("success"),
        }),
    }
}

/// The answer of the taobao.baodian.deposit.get page's example.
pub fn deposit_answer() -> TaobaoBaodianDepositGetResponse {
    TaobaoBaodianDepositGetResponse {
        user_coin_deposit: Some(UserCoinDeposit {
            user_auth_code: s("demo"),
            user_str_id: s("aepkdok123gmm"),
            user_nick: s("1akdlok"),
            deposit: Some(1000),
            credit: Some(50),
            credit_period: Some(Date::parse("2000-01-01 00:00:00")),
            is_expired: Some(true),
            credit_limit: Some(200),
            price: Some(100),
            enable_pay: Some(true),
            new_user: Some(true),
            gamepoints: Some(233),
        }),
    }
}

/// A Qimen API declared by hand, as a developer declares one: `taobao.qimen.entryorder.create`
/// with a few of its members.
pub mod qimen {
    use top_api::{top_api, Object};

    #[derive(Debug, Clone, PartialEq, Default, Object)]
    pub struct EntryOrderCreateRequest {
        #[top(rename = "entryOrder")]
        pub entry_order: Option<EntryOrder>,
        #[top(rename = "orderLines")]
        pub order_lines: Option<Vec<OrderLine>>,
        #[top(rename = "extendProps")]
        pub extend_props: Option<serde_json::Value>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Object)]
    pub struct EntryOrder {
        #[top(rename = "entryOrderCode", required)]
        pub entry_order_code: String,
        #[top(rename = "ownerCode", required)]
        pub owner_code: String,
        #[top(rename = "warehouseCode", required)]
        pub warehouse_code: String,
        pub remark: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Object)]
    pub struct OrderLine {
        #[top(rename = "itemCode", required)]
        pub item_code: String,
        #[top(rename = "planQty")]
        pub plan_qty: Option<i64>,
        #[top(rename = "snList")]
        pub sn_list: Option<SnList>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Object)]
    pub struct SnList {
        pub sn: Option<Vec<String>>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Object)]
    pub struct EntryOrderCreateResponse {
        pub flag: Option<String>,
        pub code: Option<String>,
        pub message: Option<String>,
        #[top(rename = "entryOrderId")]
        pub entry_order_id: Option<String>,
        #[top(rename = "totalLines")]
        pub total_lines: Option<i64>,
    }

    /// A Qimen API as a developer declares one by hand.
    #[top_api(method = "taobao.qimen.entryorder.create", response = EntryOrderCreateResponse, qimen = true)]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct EntryOrderCreate {
        #[top(rename = "customerId", required)]
        pub customer_id: String,
        #[top(object)]
        pub request: Option<EntryOrderCreateRequest>,
    }
}
