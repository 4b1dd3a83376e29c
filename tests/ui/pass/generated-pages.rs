//! What `top gen` writes for the collected pages (top-cli/tests/pages/more, and
//! pages/edge: every naming case at once), compiled here; each page's XML example is
//! decoded by its generated answer, and the edge cases' types are used.
//! Rewritten by `TOP_BLESS=1 cargo test -p top-cli --test gen`.

/// `alibaba.alsc.items.list`: 本地生活商品查询.
pub mod alibaba_alsc_items_list {
    /// 本地生活商品查询
    ///
    /// 按城市和渠道查询本地生活商品的基本信息、库存、销量和价格
    ///
    /// Needs no session.
    #[top_api::top_api(
        method = "alibaba.alsc.items.list",
        response = AlibabaAlscItemsListResponse,
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct AlibabaAlscItemsList {
        /// 查询条件
        /// Required.
        #[top(object)]
        pub item_info_request: ItemInfoRequest,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<alibaba_alsc_items_list_response>
    <result>
        <success>true</success>
        <item_infos>
            <items_info>
                <sell_price_cent>1200</sell_price_cent>
                <item_type>TICKET</item_type>
            </items_info>
            <items_info>
                <sell_price_cent>800</sell_price_cent>
                <item_type>VOUCHER</item_type>
            </items_info>
        </item_infos>
        <error_msg>无</error_msg>
    </result>
    <request_id>1x2y3z</request_id>
</alibaba_alsc_items_list_response>"#;

    /// The answer of `alibaba.alsc.items.list`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct AlibabaAlscItemsListResponse {
        /// 查询结果
        pub result: Option<ResultObject>,
    }

    /// `ItemInfoRequest`: 查询条件
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct ItemInfoRequest {
        /// 是否带上销量
        /// Example: `true`.
        pub include_sales_volume: Option<bool>,
        /// 业务场景
        /// Required. Example: `ITEM_RELATION`.
        #[top(required)]
        pub biz_scene: String,
        /// 城市编码
        /// Example: `330100`.
        pub city_id: Option<String>,
        /// 用户编号
        /// Example: `1234567`.
        pub user_id: Option<String>,
        /// 要查的商品
        /// Required.
        #[top(required)]
        pub item_info_request_detail_list: Vec<ItemInfoRequestDetail>,
        /// 是否带上价格
        /// Example: `false`.
        pub include_price: Option<bool>,
        /// 销量口径
        /// Example: `TOTAL`.
        pub sales_volume_type: Option<String>,
    }

    /// `ItemInfoRequestDetail`: 要查的商品
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct ItemInfoRequestDetail {
        /// 商品编号
        /// Required. Example: `98765`.
        #[top(required)]
        pub item_id: i64,
        /// 渠道
        /// Example: `DEFAULT`.
        pub channel: Option<String>,
    }

    /// `Result`: 查询结果
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Result")]
    pub struct ResultObject {
        /// 是否成功
        /// Example: `true`.
        pub success: Option<bool>,
        /// 商品列表
        pub item_infos: Vec<ItemsInfo>,
        /// 错误信息
        /// Example: `无`.
        pub error_msg: Option<String>,
    }

    /// `ItemsInfo`: 商品列表
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct ItemsInfo {
        /// 售价,单位分
        /// Example: `1200`.
        pub sell_price_cent: Option<i64>,
        /// 商品类型
        /// Example: `TICKET`.
        pub item_type: Option<String>,
    }
}

/// `alibaba.charity.charitytime.user.queryusercharityaccount`: 查询用户公益账户.
pub mod alibaba_charity_charitytime_user_queryusercharityaccount {
    /// 查询用户公益账户
    ///
    /// 查询用户公益账户的接口
    ///
    /// Needs no session.
    #[top_api::top_api(
        method = "alibaba.charity.charitytime.user.queryusercharityaccount",
        response = AlibabaCharityCharitytimeUserQueryusercharityaccountResponse,
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct AlibabaCharityCharitytimeUserQueryusercharityaccount {
        /// 说明querycharity
        #[top(object)]
        pub query_charity_time_top_api_hsf_request: Option<QueryCharityTimeTopApiHsfRequest>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<alibaba_charity_charitytime_user_queryusercharityaccount_response>
    <result>
        <msg>abc123</msg>
        <code>42</code>
        <data>
            <charity_time_minutes>42</charity_time_minutes>
            <charity_time_hours>3.1415</charity_time_hours>
        </data>
    </result>
</alibaba_charity_charitytime_user_queryusercharityaccount_response>"#;

    /// The answer of `alibaba.charity.charitytime.user.queryusercharityaccount`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct AlibabaCharityCharitytimeUserQueryusercharityaccountResponse {
        /// 说明result
        pub result: Option<CsrResult>,
    }

    /// `QueryCharityTimeTopApiHsfRequest`: 说明querycharity
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct QueryCharityTimeTopApiHsfRequest {
        /// 说明activityid
        /// Required. Example: `42`.
        #[top(required)]
        pub activity_id: i64,
        /// 说明userkey
        /// Required. Example: `abc123`.
        #[top(required)]
        pub user_key: String,
        /// 说明appkey
        /// Required. Example: `abc123`.
        #[top(required)]
        pub app_key: String,
    }

    /// `CsrResult`: 说明result
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct CsrResult {
        /// 说明msg
        /// Example: `abc123`.
        pub msg: Option<String>,
        /// 说明code
        /// Example: `42`.
        pub code: Option<i64>,
        /// 说明data
        pub data: Option<SumUserCharityTimeTopApiHsfResponse>,
    }

    /// `SumUserCharityTimeTopApiHsfResponse`: 说明data
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct SumUserCharityTimeTopApiHsfResponse {
        /// 说明charitytimem
        /// Example: `42`.
        pub charity_time_minutes: Option<i64>,
        /// 说明charitytimeh
        /// Example: `3.1415`.
        pub charity_time_hours: Option<top_api::Decimal>,
    }
}

/// `alibaba.ele.fengniao.merchant.contract.cancel`: 蜂鸟商户解约接口.
pub mod alibaba_ele_fengniao_merchant_contract_cancel {
    /// 蜂鸟商户解约接口
    ///
    /// 蜂鸟商户解约接口的接口
    ///
    /// Needs no session.
    #[top_api::top_api(
        method = "alibaba.ele.fengniao.merchant.contract.cancel",
        response = AlibabaEleFengniaoMerchantContractCancelResponse,
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct AlibabaEleFengniaoMerchantContractCancel {
        /// 说明param
        #[top(object)]
        pub param: Option<ParamObject>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<alibaba_ele_fengniao_merchant_contract_cancel_response>
    <message>abc123</message>
</alibaba_ele_fengniao_merchant_contract_cancel_response>"#;

    /// The answer of `alibaba.ele.fengniao.merchant.contract.cancel`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct AlibabaEleFengniaoMerchantContractCancelResponse {
        /// 说明message
        /// Example: `abc123`.
        pub message: Option<String>,
    }

    /// `Param`: 说明param
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Param")]
    pub struct ParamObject {
        /// 说明appid
        /// Example: `abc123`.
        pub app_id: Option<String>,
        /// 说明merchantcode
        /// Example: `abc123`.
        pub merchant_code: Option<String>,
    }
}

/// `alibaba.idle.rent.item.query`: 查询租赁商品信息.
pub mod alibaba_idle_rent_item_query {
    /// 查询租赁商品信息
    ///
    /// 查询租赁商品信息的接口
    ///
    /// Needs no session.
    #[top_api::top_api(
        method = "alibaba.idle.rent.item.query",
        response = AlibabaIdleRentItemQueryResponse,
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct AlibabaIdleRentItemQuery {
        /// 默认值:0 商品的数字id
        /// Example: `5882748234`.
        pub item_id: Option<i64>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<alibaba_idle_rent_item_query_response>
    <result>
        <data>
            <used_level>42</used_level>
            <quantity>42</quantity>
            <address>
                <area>abc123</area>
                <city>abc123</city>
                <prov>abc123</prov>
            </address>
            <title>abc123</title>
            <item_sku_list>
                <item_sku_dto>
                    <quantity>42</quantity>
                    <prop_list>
                        <item_pv_pair_dto>
                            <value_text>abc123</value_text>
                            <prop_text>abc123</prop_text>
                        </item_pv_pair_dto>
                        <item_pv_pair_dto>
                            <value_text>abc123</value_text>
                            <prop_text>abc123</prop_text>
                        </item_pv_pair_dto>
                    </prop_list>
                    <sku_id>42</sku_id>
                </item_sku_dto>
                <item_sku_dto>
                    <quantity>42</quantity>
                    <prop_list>
                        <item_pv_pair_dto>
                            <value_text>abc123</value_text>
                            <prop_text>abc123</prop_text>
                        </item_pv_pair_dto>
                        <item_pv_pair_dto>
                            <value_text>abc123</value_text>
                            <prop_text>abc123</prop_text>
                        </item_pv_pair_dto>
                    </prop_list>
                    <sku_id>42</sku_id>
                </item_sku_dto>
            </item_sku_list>
            <item_id>42</item_id>
            <price_info>
                <reserve_price>42</reserve_price>
                <original_price>42</original_price>
                <star>abc123</star>
                <deposit>42</deposit>
                <settle_price_per_day>42</settle_price_per_day>
            </price_info>
            <desc>abc123</desc>
            <status>42</status>
            <template_id>42</template_id>
        </data>
        <success>true</success>
        <error_message>abc123</error_message>
        <error_code>abc123</error_code>
    </result>
    <request_id>2fkn3n8s9b0c</request_id>
</alibaba_idle_rent_item_query_response>"#;

    /// The answer of `alibaba.idle.rent.item.query`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct AlibabaIdleRentItemQueryResponse {
        /// 说明result
        pub result: Option<ResultObject>,
    }

    /// `Result`: 说明result
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Result")]
    pub struct ResultObject {
        /// 说明data
        pub data: Option<Data>,
        /// 说明success
        /// Example: `true`.
        pub success: Option<bool>,
        /// 说明errormessage
        /// Example: `abc123`.
        pub error_message: Option<String>,
        /// 说明errorcode
        /// Example: `abc123`.
        pub error_code: Option<String>,
    }

    /// `Data`: 说明data
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Data {
        /// 说明usedlevel
        /// Example: `42`.
        pub used_level: Option<i64>,
        /// 说明quantity
        /// Example: `42`.
        pub quantity: Option<i64>,
        /// 说明address
        pub address: Option<AddressDto>,
        /// 说明title
        /// Example: `abc123`.
        pub title: Option<String>,
        /// 说明itemskulist
        pub item_sku_list: Vec<ItemSkuDto>,
        /// 说明itemid
        /// Example: `42`.
        pub item_id: Option<i64>,
        /// 说明priceinfo
        pub price_info: Option<PriceDto>,
        /// 说明desc
        /// Example: `abc123`.
        pub desc: Option<String>,
        /// 说明status
        /// Example: `42`.
        pub status: Option<i64>,
        /// 说明templateid
        /// Example: `42`.
        pub template_id: Option<i64>,
    }

    /// `AddressDto`: 说明address
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct AddressDto {
        /// 杭州area
        pub area: Option<String>,
        /// 杭州city
        pub city: Option<String>,
        /// 杭州prov
        pub prov: Option<String>,
    }

    /// `ItemSkuDto`: 说明itemskulist
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct ItemSkuDto {
        /// 说明quantity
        /// Example: `42`.
        pub quantity: Option<i64>,
        /// 说明proplist
        pub prop_list: Vec<ItemPvPairDto>,
        /// 说明skuid
        /// Example: `42`.
        pub sku_id: Option<i64>,
    }

    /// `ItemPvPairDto`: 说明proplist
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct ItemPvPairDto {
        /// 说明valuetext
        /// Example: `abc123`.
        pub value_text: Option<String>,
        /// 说明proptext
        /// Example: `abc123`.
        pub prop_text: Option<String>,
    }

    /// `PriceDto`: 说明priceinfo
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct PriceDto {
        /// 说明reserveprice
        /// Example: `42`.
        pub reserve_price: Option<i64>,
        /// 说明originalpric
        /// Example: `42`.
        pub original_price: Option<i64>,
        /// 说明star
        /// Example: `abc123`.
        pub star: Option<String>,
        /// 说明deposit
        /// Example: `42`.
        pub deposit: Option<i64>,
        /// 说明settlepricep
        /// Example: `42`.
        pub settle_price_per_day: Option<i64>,
    }
}

/// `alibaba.scbp.showcase.addproduct`: 批量添加橱窗商品.
pub mod alibaba_scbp_showcase_addproduct {
    /// 批量添加橱窗商品
    ///
    /// 批量添加橱窗商品的接口
    ///
    /// Takes a user's session when there is one (optional).
    #[top_api::top_api(
        method = "alibaba.scbp.showcase.addproduct",
        response = AlibabaScbpShowcaseAddproductResponse,
        session = "optional",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct AlibabaScbpShowcaseAddproduct {
        /// 说明productidlis
        /// Required. Example: `abc123`.
        #[top(max_items = 20)]
        pub product_id_list: Vec<String>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<alibaba_scbp_showcase_addproduct_response>
    <result>true</result>
</alibaba_scbp_showcase_addproduct_response>"#;

    /// The answer of `alibaba.scbp.showcase.addproduct`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct AlibabaScbpShowcaseAddproductResponse {
        /// 说明result
        /// Example: `true`.
        pub result: Option<bool>,
    }
}

/// `qimen.taobao.crm.trades.info.create`: 会员交易批量订单信息传输接口.
pub mod qimen_taobao_crm_trades_info_create {
    /// 会员交易批量订单信息传输接口
    ///
    /// 把一批交易订单的信息传给会员系统
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&QimenTaobaoCrmTradesInfoCreate { .. })`.
    #[top_api::top_api(
        method = "qimen.taobao.crm.trades.info.create",
        response = QimenTaobaoCrmTradesInfoCreateResponse,
        session = "required",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct QimenTaobaoCrmTradesInfoCreate {
        /// 要返回的字段,用半角逗号隔开
        #[top(max_items = 999)]
        pub fields: Option<Vec<String>>,
        /// 开始时间
        /// Example: `2001-02-03 04:05:06`.
        pub start_created: Option<String>,
        /// 结束时间
        /// Example: `2001-02-04 04:05:06`.
        pub end_created: Option<String>,
        /// 交易状态
        /// Example: `WAIT_PAY`.
        pub status: Option<String>,
        /// 页码
        /// Example: `2`.
        pub page_no: Option<String>,
        /// 每页条数
        /// Example: `50`.
        pub page_size: Option<String>,
        /// 用有无下一页的方式分页
        /// Example: `false`.
        pub use_has_next: Option<String>,
        /// 买家的openId
        /// Example: `AAFx9-kQ`.
        pub buyer_open_id: Option<String>,
        /// 卖家昵称
        /// Example: `shopkeeper`.
        pub seller_nick: Option<String>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<qimen_taobao_crm_trades_info_create_response>
    <total_results>120</total_results>
    <has_next>false</has_next>
    <page_no>2</page_no>
    <page_size>50</page_size>
    <trades>
        <trade>
            <seller_can_rate>false</seller_can_rate>
            <send_time>2001-02-05</send_time>
            <trade_source>ownshop</trade_source>
            <tid>1002003004</tid>
        </trade>
        <trade>
            <seller_can_rate>true</seller_can_rate>
            <trade_source>taobao</trade_source>
            <tid>1002003005</tid>
        </trade>
    </trades>
</qimen_taobao_crm_trades_info_create_response>"#;

    /// The answer of `qimen.taobao.crm.trades.info.create`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct QimenTaobaoCrmTradesInfoCreateResponse {
        /// 交易总数
        /// Example: `120`.
        pub total_results: Option<String>,
        /// 有无下一页
        /// Example: `false`.
        pub has_next: Option<String>,
        /// 页码
        /// Example: `2`.
        pub page_no: Option<String>,
        /// 每页条数
        /// Example: `50`.
        pub page_size: Option<String>,
        /// 交易列表,字段由入参fields决定
        pub trades: Vec<Trade>,
    }

    /// `Trade`: 交易列表,字段由入参fields决定
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Trade {
        /// 卖家能否评价
        /// Example: `false`.
        pub seller_can_rate: Option<bool>,
        /// 预售订单的最晚发货时间
        /// Example: `2001-02-05`.
        pub send_time: Option<String>,
        /// 交易来源
        /// Example: `ownshop`.
        pub trade_source: Option<String>,
        /// 交易编号
        /// Example: `1002003004`.
        pub tid: Option<i64>,
    }
}

/// `taobao.aftersale.get`: 查询用户售后服务模板.
pub mod taobao_aftersale_get {
    /// 查询用户售后服务模板
    ///
    /// 查询用户售后服务模板的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TaobaoAftersaleGet { .. })`.
    #[top_api::top_api(
        method = "taobao.aftersale.get",
        response = TaobaoAftersaleGetResponse,
        session = "required",
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoAftersaleGet;

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<aftersale_get_response>
    <after_sales>
        <after_sale>
            <after_sale_id>42</after_sale_id>
            <after_sale_name>abc123</after_sale_name>
            <after_sale_path>abc123</after_sale_path>
        </after_sale>
        <after_sale>
            <after_sale_id>42</after_sale_id>
            <after_sale_name>abc123</after_sale_name>
            <after_sale_path>abc123</after_sale_path>
        </after_sale>
        <after_sale>
            <after_sale_id>42</after_sale_id>
            <after_sale_name>abc123</after_sale_name>
            <after_sale_path>abc123</after_sale_path>
        </after_sale>
    </after_sales>
</aftersale_get_response>"#;

    /// The answer of `taobao.aftersale.get`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoAftersaleGetResponse {
        /// 说明aftersales
        pub after_sales: Vec<AfterSale>,
    }

    /// `AfterSale`: 说明aftersales
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct AfterSale {
        /// 说明aftersaleid
        /// Example: `42`.
        pub after_sale_id: Option<i64>,
        /// 说明aftersalenam
        /// Example: `abc123`.
        pub after_sale_name: Option<String>,
        /// 说明aftersalepat
        /// Example: `abc123`.
        pub after_sale_path: Option<String>,
    }
}

/// `taobao.crm.group.add`: 卖家创建一个分组.
pub mod taobao_crm_group_add {
    /// 卖家创建一个分组
    ///
    /// 卖家创建一个分组的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TaobaoCrmGroupAdd { .. })`.
    #[top_api::top_api(
        method = "taobao.crm.group.add",
        response = TaobaoCrmGroupAddResponse,
        session = "required",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoCrmGroupAdd {
        /// 说明groupname
        /// Required. Example: `abc123`.
        #[top(max_len = 15)]
        pub group_name: String,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<crm_group_add_response>
    <group_id>42</group_id>
    <is_success>true</is_success>
</crm_group_add_response>"#;

    /// The answer of `taobao.crm.group.add`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoCrmGroupAddResponse {
        /// 说明groupid
        /// Example: `42`.
        pub group_id: Option<i64>,
        /// 说明issuccess
        /// Example: `true`.
        pub is_success: Option<bool>,
    }
}

/// `taobao.crm.group.append`: 将一个分组添加到另外一个分组.
pub mod taobao_crm_group_append {
    /// 将一个分组添加到另外一个分组
    ///
    /// 将一个分组添加到另外一个分组的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TaobaoCrmGroupAppend { .. })`.
    #[top_api::top_api(
        method = "taobao.crm.group.append",
        response = TaobaoCrmGroupAppendResponse,
        session = "required",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoCrmGroupAppend {
        /// 说明fromgroupid
        /// Required. Example: `42`.
        /// The platform also lists a maximum length of 19 for it.
        #[top(min = 1)]
        pub from_group_id: i64,
        /// 说明togroupid
        /// Required. Example: `42`.
        /// The platform also lists a maximum length of 19 for it.
        #[top(min = 1)]
        pub to_group_id: i64,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<crm_group_append_response>
    <is_success>true</is_success>
</crm_group_append_response>"#;

    /// The answer of `taobao.crm.group.append`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoCrmGroupAppendResponse {
        /// 说明issuccess
        /// Example: `true`.
        pub is_success: Option<bool>,
    }
}

/// `taobao.drug.price.update`: 商家更新宝贝价格.
pub mod taobao_drug_price_update {
    /// 商家更新宝贝价格
    ///
    /// 商家更新宝贝价格的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TaobaoDrugPriceUpdate { .. })`.
    #[top_api::top_api(
        method = "taobao.drug.price.update",
        response = TaobaoDrugPriceUpdateResponse,
        session = "required",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoDrugPriceUpdate {
        /// 说明outstoreid
        /// Required. Example: `abc123`.
        pub out_store_id: String,
        /// 说明outitemid
        /// Required. Example: `abc123`.
        pub out_item_id: String,
        /// 说明price
        /// Required. Example: `12.50`.
        pub price: top_api::Decimal,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<drug_price_update_response>
    <result>
        <msg_code>abc123</msg_code>
        <msg_info>abc123</msg_info>
        <success>true</success>
    </result>
</drug_price_update_response>"#;

    /// The answer of `taobao.drug.price.update`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoDrugPriceUpdateResponse {
        /// 说明result
        pub result: Option<ResultObject>,
    }

    /// `Result`: 说明result
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Result")]
    pub struct ResultObject {
        /// 说明msgcode
        /// Example: `abc123`.
        pub msg_code: Option<String>,
        /// 说明msginfo
        /// Example: `abc123`.
        pub msg_info: Option<String>,
        /// 说明success
        /// Example: `true`.
        pub success: Option<bool>,
    }
}

/// `taobao.item.sku.delete`: 删除SKU.
pub mod taobao_item_sku_delete {
    /// 删除SKU
    ///
    /// 删除SKU的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TaobaoItemSkuDelete { .. })`.
    #[top_api::top_api(
        method = "taobao.item.sku.delete",
        response = TaobaoItemSkuDeleteResponse,
        session = "required",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoItemSkuDelete {
        /// 说明numiid
        /// Required. Example: `42`.
        pub num_iid: i64,
        /// 说明properties
        /// Required. Example: `abc123`.
        pub properties: String,
        /// 说明lang
        /// Example: `abc123`.
        pub lang: Option<String>,
        /// 说明itemprice
        /// Example: `12.50`.
        pub item_price: Option<top_api::Decimal>,
        /// 说明itemnum
        /// Example: `42`.
        pub item_num: Option<i64>,
        /// 说明ignorewarnin
        /// Example: `abc123`.
        pub ignorewarning: Option<String>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<item_sku_delete_response>
    <sku>
        <iid>abc123</iid>
        <num_iid>42</num_iid>
        <modified>abc123</modified>
    </sku>
    <request_id>2fkn3n8s9b0c</request_id>
</item_sku_delete_response>"#;

    /// The answer of `taobao.item.sku.delete`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoItemSkuDeleteResponse {
        /// 说明sku
        pub sku: Option<Sku>,
    }

    /// `Sku`: 说明sku
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Sku {
        /// 说明iid
        /// Example: `abc123`.
        pub iid: Option<String>,
        /// 说明numiid
        /// Example: `42`.
        pub num_iid: Option<i64>,
        /// 说明modified
        /// Example: `abc123`.
        pub modified: Option<String>,
    }
}

/// `taobao.miniapp.shorturl.create`: 生成淘宝小程序短链接.
pub mod taobao_miniapp_shorturl_create {
    /// 生成淘宝小程序短链接
    ///
    /// 生成淘宝小程序短链接的接口
    ///
    /// Takes a user's session when there is one (optional).
    #[top_api::top_api(
        method = "taobao.miniapp.shorturl.create",
        response = TaobaoMiniappShorturlCreateResponse,
        session = "optional",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoMiniappShorturlCreate {
        /// 说明miniappurl
        /// Required. Example: `abc123`.
        pub miniapp_url: String,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<miniapp_shorturl_create_response>
    <result>
        <model>
            <short_url>abc123</short_url>
        </model>
    </result>
</miniapp_shorturl_create_response>"#;

    /// The answer of `taobao.miniapp.shorturl.create`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoMiniappShorturlCreateResponse {
        /// 说明result
        pub result: Option<ResultObject>,
    }

    /// `Result`: 说明result
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Result")]
    pub struct ResultObject {
        /// 说明model
        pub model: Option<MiniAppShortUrlDto>,
    }

    /// `MiniAppShortUrlDto`: 说明model
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct MiniAppShortUrlDto {
        /// 说明shorturl
        /// Example: `abc123`.
        pub short_url: Option<String>,
    }
}

/// `taobao.picture.upload`: 上传单张图片.
pub mod taobao_picture_upload {
    /// 上传单张图片
    ///
    /// 上传单张图片的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TaobaoPictureUpload { .. })`.
    #[top_api::top_api(
        method = "taobao.picture.upload",
        response = TaobaoPictureUploadResponse,
        session = "required",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoPictureUpload {
        /// 说明picturecateg
        /// Required. Example: `42`.
        pub picture_category_id: i64,
        /// 说明img
        /// Required.
        #[top(required)]
        pub img: Option<top_api::File>,
        /// 说明imageinputti
        /// Required. Example: `abc123`.
        pub image_input_title: String,
        /// 说明title
        /// Example: `abc123`.
        pub title: Option<String>,
        /// 说明clienttype
        /// Example: `abc123`.
        pub client_type: Option<String>,
        /// 说明ishttps
        /// Example: `true`.
        pub is_https: Option<bool>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<picture_upload_response>
    <picture>
        <picture_id>42</picture_id>
        <picture_category_id>42</picture_category_id>
        <picture_path>abc123</picture_path>
        <title>abc123</title>
        <sizes>42</sizes>
        <pixel>abc123</pixel>
        <status>abc123</status>
        <deleted>abc123</deleted>
        <client_type>abc123</client_type>
        <created>2024-05-01 10:00:00</created>
        <modified>2024-05-01 10:00:00</modified>
    </picture>
    <request_id>2fkn3n8s9b0c</request_id>
</picture_upload_response>"#;

    /// The answer of `taobao.picture.upload`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoPictureUploadResponse {
        /// 说明picture
        pub picture: Option<Picture>,
    }

    /// `Picture`: 说明picture
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Picture {
        /// 说明pictureid
        /// Example: `42`.
        pub picture_id: Option<i64>,
        /// 说明picturecateg
        /// Example: `42`.
        pub picture_category_id: Option<i64>,
        /// 说明picturepath
        /// Example: `abc123`.
        pub picture_path: Option<String>,
        /// 说明title
        /// Example: `abc123`.
        pub title: Option<String>,
        /// 说明sizes
        /// Example: `42`.
        pub sizes: Option<i64>,
        /// 说明pixel
        /// Example: `abc123`.
        pub pixel: Option<String>,
        /// 说明status
        /// Example: `abc123`.
        pub status: Option<String>,
        /// 说明deleted
        /// Example: `abc123`.
        pub deleted: Option<String>,
        /// 说明clienttype
        /// Example: `abc123`.
        pub client_type: Option<String>,
        /// 说明created
        /// Example: `2024-05-01 10:00:00`.
        pub created: Option<top_api::Date>,
        /// 说明modified
        /// Example: `2024-05-01 10:00:00`.
        pub modified: Option<top_api::Date>,
    }
}

/// `taobao.time.get`: 获取淘宝系统当前时间.
pub mod taobao_time_get {
    /// 获取淘宝系统当前时间
    ///
    /// 获取淘宝系统当前时间的接口
    ///
    /// Needs no session.
    #[top_api::top_api(
        method = "taobao.time.get",
        response = TaobaoTimeGetResponse,
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoTimeGet;

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<time_get_response>
    <time>2024-05-01 10:00:00</time>
</time_get_response>"#;

    /// The answer of `taobao.time.get`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoTimeGetResponse {
        /// 说明time
        /// Example: `2024-05-01 10:00:00`.
        pub time: Option<top_api::Date>,
    }
}

/// `taobao.top.auth.token.create`: 获取Access Token.
pub mod taobao_top_auth_token_create {
    /// 获取Access Token
    ///
    /// 获取Access Token的接口
    ///
    /// Needs no session.
    #[top_api::top_api(
        method = "taobao.top.auth.token.create",
        response = TaobaoTopAuthTokenCreateResponse,
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoTopAuthTokenCreate {
        /// 说明code
        /// Required. Example: `abc123`.
        pub code: String,
        /// 说明uuid
        /// Example: `abc123`.
        pub uuid: Option<String>,
    }

    /// The answer of `taobao.top.auth.token.create`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoTopAuthTokenCreateResponse {
        /// 说明tokenresult
        /// Example: `{"k":1}`.
        pub token_result: Option<top_api::Json>,
    }
}

/// `taobao.train.agent.get.refund`: 代理商获取订单退票信息.
pub mod taobao_train_agent_get_refund {
    /// 代理商获取订单退票信息
    ///
    /// 代理商获取订单退票信息的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TaobaoTrainAgentGetRefund { .. })`.
    #[top_api::top_api(
        method = "taobao.train.agent.get.refund",
        response = TaobaoTrainAgentGetRefundResponse,
        session = "required",
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoTrainAgentGetRefund {
        /// 说明mainorderid
        /// Required. Example: `42`.
        pub main_order_id: i64,
        /// 说明agentid
        /// Required. Example: `42`.
        pub agent_id: i64,
    }

    /// The answer of `taobao.train.agent.get.refund`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoTrainAgentGetRefundResponse {
        /// 说明toprefundapp
        /// Example: `{"k":1}`.
        pub top_refund_apply_list: Option<top_api::Json>,
    }
}

/// `taobao.wlb.order.consign`: 物流宝订单已发货通知接口.
pub mod taobao_wlb_order_consign {
    /// 物流宝订单已发货通知接口
    ///
    /// 物流宝订单已发货通知接口的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TaobaoWlbOrderConsign { .. })`.
    #[top_api::top_api(
        method = "taobao.wlb.order.consign",
        response = TaobaoWlbOrderConsignResponse,
        session = "required",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoWlbOrderConsign {
        /// 说明wlbordercode
        /// Required. Example: `abc123`.
        #[top(max_len = 64)]
        pub wlb_order_code: String,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<wlb_order_consign_response>
    <modify_time>2024-05-01 10:00:00</modify_time>
</wlb_order_consign_response>"#;

    /// The answer of `taobao.wlb.order.consign`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoWlbOrderConsignResponse {
        /// 说明modifytime
        /// Example: `2024-05-01 10:00:00`.
        pub modify_time: Option<top_api::Date>,
    }
}

/// `tmall.product.spec.pic.upload`: 上传产品规格认证图片.
pub mod tmall_product_spec_pic_upload {
    /// 上传产品规格认证图片
    ///
    /// 上传产品规格认证图片的接口
    ///
    /// Needs a user's session: call it as `client.with_session(token).execute(&TmallProductSpecPicUpload { .. })`.
    #[top_api::top_api(
        method = "tmall.product.spec.pic.upload",
        response = TmallProductSpecPicUploadResponse,
        session = "required",
        idempotent = false
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TmallProductSpecPicUpload {
        /// 说明certifytype
        /// Required. Example: `42`.
        pub certify_type: i64,
        /// 说明certifypic
        /// Required.
        #[top(required)]
        pub certify_pic: Option<top_api::File>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<tmall_product_spec_pic_upload_response>
    <spec_pic_url>abc123</spec_pic_url>
</tmall_product_spec_pic_upload_response>"#;

    /// The answer of `tmall.product.spec.pic.upload`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TmallProductSpecPicUploadResponse {
        /// 说明specpicurl
        /// Example: `abc123`.
        pub spec_pic_url: Option<String>,
    }
}

/// `taobao.edge.case.get`: 边界情况查询.
pub mod taobao_edge_case_get {
    /// 边界情况查询
    ///
    /// 一个页面里的每种命名边界情况
    ///
    /// Takes a user's session when there is one (optional).
    #[top_api::top_api(
        method = "taobao.edge.case.get",
        response = TaobaoEdgeCaseGetResponse,
        session = "optional",
        idempotent = true
    )]
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TaobaoEdgeCaseGet {
        /// 关键字
        /// Required. Example: `t`.
        pub r#type: String,
        /// 不能写成原始标识符的名字
        /// Example: `1`.
        #[top(rename = "self")]
        pub self_: Option<i64>,
        /// 类型关键字
        /// Example: `s`.
        #[top(rename = "Self")]
        pub self_2: Option<String>,
        /// 路径关键字
        /// Example: `c`.
        #[top(rename = "crate")]
        pub crate_: Option<String>,
        /// 下划线
        /// Example: `u`.
        #[top(rename = "_")]
        pub field: Option<String>,
        /// 驼峰
        /// Example: `10`.
        #[top(rename = "pageSize")]
        pub page_size: Option<i64>,
        /// 下划线的同一个名字
        /// Example: `20`.
        #[top(rename = "page_size")]
        pub page_size_2: Option<i64>,
        /// 没有空值的必填类型
        /// Required. Example: `2024-01-02 03:04:05`.
        #[top(required)]
        pub start: Option<top_api::DateTime>,
        /// 图片
        /// Required.
        #[top(required)]
        pub image: Option<top_api::File>,
        /// 过滤条件
        /// Example: `{"a":1}`.
        pub filter: Option<top_api::Json>,
        /// 价格
        /// Example: `9.99`.
        pub price: Option<top_api::Decimal>,
        /// 前奏里的名字
        #[top(object)]
        pub option: Option<OptionObject>,
        /// 编号
        /// Required. Example: `1,2`.
        #[top(max_items = 5)]
        pub ids: Vec<i64>,
        /// 关键词
        /// Example: `k`.
        #[top(max_len = 8)]
        pub q: Option<String>,
        /// 页码
        /// Example: `1`.
        #[top(min = 1, max = 100)]
        pub page: Option<i64>,
    }

    /// The documentation page's example answer, exactly as printed there (XML).
    pub const EXAMPLE_XML: &str = r#"<edge_case_get_response>
    <result>
        <vec>
            <box>b</box>
        </vec>
        <string>
            <string>s</string>
            <string>t</string>
        </string>
        <date_time>
            <file>
                <name>f</name>
            </file>
        </date_time>
        <same>
            <enum>1</enum>
        </same>
        <boxed><inner>i</inner></boxed>
        <me><id>5</id></me>
        <answer>
            <loop>true</loop>
        </answer>
    </result>
    <first_item><id>1</id></first_item>
    <second_item><id>2</id></second_item>
    <sku><sku_id>7</sku_id></sku>
    <skus>
        <sku><sku_name>n</sku_name></sku>
        <sku><sku_name>m</sku_name></sku>
    </skus>
    <created>2024-01-02 03:04:05</created>
    <amount>1.25</amount>
    <raw>{"k":[1,2]}</raw>
    <level>1</level>
    <request_id>r1</request_id>
</edge_case_get_response>"#;

    /// The answer of `taobao.edge.case.get`.
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct TaobaoEdgeCaseGetResponse {
        /// 结果
        pub result: Option<ResultObject>,
        /// 第一项
        pub first_item: Option<Item>,
        /// 第二项,同一形状
        pub second_item: Option<Item>,
        /// 一种形状
        pub sku: Option<Sku>,
        /// 另一种形状
        pub skus: Vec<Sku2>,
        /// 时间
        /// Example: `2024-01-02 03:04:05`.
        pub created: Option<top_api::Date>,
        /// 金额
        /// Example: `1.25`.
        pub amount: Option<top_api::Decimal>,
        /// 原样
        /// Example: `{"k":[1,2]}`.
        pub raw: Option<top_api::Json>,
        /// 小整数
        /// Example: `1`.
        pub level: Option<i8>,
    }

    /// `Option`: 前奏里的名字
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Option")]
    pub struct OptionObject {
        /// 成员
        /// Required. Example: `x`.
        #[top(required)]
        pub some: String,
        /// 个数
        /// Example: `3`.
        pub count: Option<i64>,
    }

    /// `Result`: 结果
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Result")]
    pub struct ResultObject {
        /// 列表名
        pub vec: Option<VecObject>,
        /// 字符串列表
        /// Example: `s`.
        pub string: Vec<String>,
        /// 我们的类型名
        pub date_time: Option<DateTimeObject>,
        /// 请求类型的名字
        pub same: Option<TaobaoEdgeCaseGet2>,
        /// 盒子类型名
        pub boxed: Option<BoxObject>,
        /// 关键字类型名
        pub me: Option<SelfObject>,
        /// 回答类型的名字
        pub answer: Option<TaobaoEdgeCaseGetResponse2>,
    }

    /// `Vec`: 列表名
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Vec")]
    pub struct VecObject {
        /// 盒子
        /// Example: `b`.
        pub r#box: Option<String>,
    }

    /// `DateTime`: 我们的类型名
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "DateTime")]
    pub struct DateTimeObject {
        /// 文件类型名
        pub file: Option<FileObject>,
    }

    /// `File`: 文件类型名
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "File")]
    pub struct FileObject {
        /// 文件名
        /// Example: `f`.
        pub name: Option<String>,
    }

    /// `TaobaoEdgeCaseGet`: 请求类型的名字
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "TaobaoEdgeCaseGet")]
    pub struct TaobaoEdgeCaseGet2 {
        /// 关键字字段
        /// Example: `1`.
        pub r#enum: Option<i64>,
    }

    /// `Box`: 盒子类型名
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Box")]
    pub struct BoxObject {
        /// 里面
        /// Example: `i`.
        pub inner: Option<String>,
    }

    /// `Self`: 关键字类型名
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Self")]
    pub struct SelfObject {
        /// 编号
        /// Example: `5`.
        pub id: Option<i64>,
    }

    /// `TaobaoEdgeCaseGetResponse`: 回答类型的名字
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "TaobaoEdgeCaseGetResponse")]
    pub struct TaobaoEdgeCaseGetResponse2 {
        /// 关键字字段
        /// Example: `true`.
        pub r#loop: Option<bool>,
    }

    /// `Item`: 第一项
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Item {
        /// 编号
        /// Example: `1`.
        pub id: Option<i64>,
    }

    /// `Sku`: 一种形状
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    pub struct Sku {
        /// 编号
        /// Example: `7`.
        pub sku_id: Option<i64>,
    }

    /// `Sku`: 另一种形状
    #[derive(Debug, Clone, PartialEq, Default, top_api::Object)]
    #[top(name = "Sku")]
    pub struct Sku2 {
        /// 名字
        /// Example: `n`.
        pub sku_name: Option<String>,
    }
}

fn main() {
    top_api::decode::<alibaba_alsc_items_list::AlibabaAlscItemsList>(alibaba_alsc_items_list::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<alibaba_charity_charitytime_user_queryusercharityaccount::AlibabaCharityCharitytimeUserQueryusercharityaccount>(alibaba_charity_charitytime_user_queryusercharityaccount::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<alibaba_ele_fengniao_merchant_contract_cancel::AlibabaEleFengniaoMerchantContractCancel>(alibaba_ele_fengniao_merchant_contract_cancel::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<alibaba_idle_rent_item_query::AlibabaIdleRentItemQuery>(alibaba_idle_rent_item_query::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<alibaba_scbp_showcase_addproduct::AlibabaScbpShowcaseAddproduct>(alibaba_scbp_showcase_addproduct::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<qimen_taobao_crm_trades_info_create::QimenTaobaoCrmTradesInfoCreate>(qimen_taobao_crm_trades_info_create::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_aftersale_get::TaobaoAftersaleGet>(taobao_aftersale_get::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_crm_group_add::TaobaoCrmGroupAdd>(taobao_crm_group_add::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_crm_group_append::TaobaoCrmGroupAppend>(taobao_crm_group_append::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_drug_price_update::TaobaoDrugPriceUpdate>(taobao_drug_price_update::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_item_sku_delete::TaobaoItemSkuDelete>(taobao_item_sku_delete::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_miniapp_shorturl_create::TaobaoMiniappShorturlCreate>(taobao_miniapp_shorturl_create::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_picture_upload::TaobaoPictureUpload>(taobao_picture_upload::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_time_get::TaobaoTimeGet>(taobao_time_get::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_wlb_order_consign::TaobaoWlbOrderConsign>(taobao_wlb_order_consign::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<tmall_product_spec_pic_upload::TmallProductSpecPicUpload>(tmall_product_spec_pic_upload::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    top_api::decode::<taobao_edge_case_get::TaobaoEdgeCaseGet>(taobao_edge_case_get::EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap();
    {
        use taobao_edge_case_get::*;
        let request = TaobaoEdgeCaseGet {
            r#type: "t".into(),
            self_: Some(1),
            self_2: Some("s".into()),
            crate_: Some("c".into()),
            field: Some("u".into()),
            page_size: Some(10),
            page_size_2: Some(20),
            start: Some(top_api::DateTime::now()),
            image: Some(top_api::File::from_bytes("a.png", vec![1])),
            option: Some(OptionObject { some: "x".into(), count: None }),
            ids: vec![1, 2],
            ..Default::default()
        };
        let mut params = top_api::Params::new();
        top_api::Request::write_params(&request, &mut params).unwrap();
        for (wire, value) in [("type", "t"), ("self", "1"), ("Self", "s"), ("crate", "c"), ("_", "u"), ("pageSize", "10"), ("page_size", "20"), ("ids", "1,2")] {
            assert_eq!(params.get(wire), Some(value), "{wire}");
        }
        assert_eq!(params.get("option"), Some(r#"{"some":"x"}"#));
        let missing = TaobaoEdgeCaseGet { option: Some(OptionObject::default()), ..request.clone() };
        assert!(top_api::Request::write_params(&missing, &mut top_api::Params::new()).is_err(), "a required member");
        let answer = top_api::decode::<TaobaoEdgeCaseGet>(EXAMPLE_XML.as_bytes(), top_api::Format::Xml).unwrap().into_inner();
        let result = answer.result.unwrap();
        let _: Option<VecObject> = result.vec;
        assert_eq!(result.string, ["s", "t"]);
        assert_eq!(result.date_time.unwrap().file.unwrap().name.as_deref(), Some("f"));
        let _: Option<TaobaoEdgeCaseGet2> = result.same;
        assert_eq!(result.answer.unwrap().r#loop, Some(true));
        assert_eq!(result.boxed.unwrap().inner.as_deref(), Some("i"));
        assert_eq!(result.me.unwrap().id, Some(5));
        let (first, second): (Item, Item) = (answer.first_item.unwrap(), answer.second_item.unwrap());
        assert_eq!((first.id, second.id), (Some(1), Some(2)));
        let (sku, skus): (Sku, Vec<Sku2>) = (answer.sku.unwrap(), answer.skus);
        assert_eq!((sku.sku_id, skus.len()), (Some(7), 2));
        assert_eq!(answer.level, Some(1i8));
    }
}
