//! Method names: their grammar, and whether a call of one only reads.

/// Whether `method` can be a TOP method: two or more dot-separated words of ASCII
/// letters, digits, `_` and `-`, starting with a lowercase letter
/// (`taobao.time.get`, `alitrip.flight.basic.data.city.queryAll`,
/// `push.aliyuncs.com.pushMsg.2015-03-18`).
pub fn is_method(method: &str) -> bool {
    method.starts_with(|c: char| c.is_ascii_lowercase())
        && method.split('.').count() >= 2
        && method
            .split('.')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
}

/// The member a successful answer of `method` comes in: the method with a leading
/// `taobao.` dropped, every `.` turned into `_`, then `_response`
/// (`taobao.baodian.deposit.get` answers in `baodian_deposit_get_response`).
pub fn response_key(method: &str) -> String {
    let name = method.strip_prefix("taobao.").unwrap_or(method);
    format!("{}_response", name.replace('.', "_"))
}

/// Last words of methods that only read.
const READ_WORDS: &[&str] = &[
    "get",
    "gets",
    "query",
    "search",
    "list",
    "count",
    "check",
    "find",
    "fetch",
    "info",
    "detail",
    "details",
    "read",
    "lookup",
    "exists",
    "download",
    "stat",
    "stats",
    "statistics",
];

/// What a last word that reads may start with, as in `queryitems`, `getServTimes`,
/// `searchmodels`, `qrycard`.
const READ_PREFIXES: &[&str] = &["get", "query", "search", "qry"];

/// Words of a title that say the API reads (查询 query, 搜索 search, 获取 get, 查看 view, 列表
/// list, 详情 details, 统计 statistics, 下载 download)…
const READ_MARKS: &[&str] = &["查询", "搜索", "获取", "查看", "列表", "详情", "统计", "下载"];

/// …unless it also says it writes (creates, adds, updates, changes, deletes, sends, submits,
/// uploads, cancels, syncs, publishes, binds, unbinds, sets, pushes, confirms, pays,
/// refunds, applies, writes, imports, writes back, registers, generates, saves).
const WRITE_MARKS: &[&str] = &[
    "创建", "新增", "添加", "增加", "更新", "修改", "变更", "删除", "发送", "提交", "上传", "取消", "同步", "发布",
    "绑定", "解绑", "设置", "推送", "确认", "支付", "退款", "申请", "写入", "导入", "回传", "注册", "生成", "保存",
];

/// Whether a call of the API only reads, so that sending it again after a fault is safe.
///
/// The method says so first: its last word, whatever its case, is a read word (`get`,
/// `query`, `search`, `list`, `count`, `check`, `find`, `fetch`, `info`, `detail(s)`, `read`,
/// `lookup`, `exists`, `download`, `stat(s)`, `statistics`), ends in one as its last part
/// (`userInfo`, `item_detail`), or starts with `get`, `query`, `search` or `qry`
/// (`getmixratelist`, `querycporder`). Otherwise the title, when there is one, says so: it
/// holds a read mark (查询, 搜索, 获取, 查看, 列表, 详情, 统计, 下载) and no write mark (创建, 更新,
/// 删除, 发送, 支付, …). Anything else is taken for a write, which is never sent twice.
///
/// # Examples
///
/// ```
/// use top_api_rules::is_read;
///
/// assert!(is_read("taobao.time.get", None));
/// assert!(is_read("taobao.fliggy.wrate.getmixratelist", None));
/// assert!(is_read("youku.ott.pay.order.querycporder", Some("支付订单查询")));
/// assert!(is_read("taobao.tbk.dg.material.optional", Some("淘宝客-推广者-物料搜索")));
/// assert!(!is_read("taobao.logistics.offline.send", Some("自己联系物流（线下物流）发货")));
/// assert!(!is_read("taobao.item.update", None));
/// ```
pub fn is_read(method: &str, title: Option<&str>) -> bool {
    let last = method.rsplit('.').next().unwrap_or("");
    let lower = last.to_ascii_lowercase();
    let says_read = READ_WORDS.contains(&lower.as_str())
        || READ_WORDS.contains(&last_part(last).as_str())
        || READ_PREFIXES.iter().any(|prefix| lower.len() > prefix.len() && lower.starts_with(prefix));
    says_read
        || title.is_some_and(|title| {
            READ_MARKS.iter().any(|mark| title.contains(mark)) && !WRITE_MARKS.iter().any(|mark| title.contains(mark))
        })
}

/// The last part of a word, lowercased: after its last `_` or `-`, or from its last
/// lowercase-to-uppercase turn (`userInfo` → `info`, `item_detail` → `detail`).
fn last_part(word: &str) -> String {
    let tail = word.rsplit(['_', '-']).next().unwrap_or(word);
    let bytes = tail.as_bytes();
    // A turn: an uppercase letter after a lowercase one or a digit, or the last capital of
    // a run followed by a lowercase letter (`HTTPStats` → `HTTP`, `Stats`).
    let turn = |i: usize| {
        let (prev, next) = (bytes[i - 1], bytes.get(i + 1).copied().unwrap_or(b'.'));
        bytes[i].is_ascii_uppercase()
            && (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next.is_ascii_lowercase()))
    };
    let start = (1..bytes.len()).rev().find(|&i| turn(i)).unwrap_or(0);
    tail[start..].to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_follow_the_grammar() {
        for good in ["taobao.time.get", "a.b", "push.aliyuncs.com.pushMsg.2015-03-18", "x.y_z.q-1"] {
            assert!(is_method(good), "{good}");
        }
        for bad in ["", "taobao", "Taobao.time.get", "taobao..get", "taobao.time.", ".a.b", "1a.b", "a.b c", "a.宝"] {
            assert!(!is_method(bad), "{bad}");
        }
    }

    #[test]
    fn the_method_says_read_first() {
        for read in [
            "taobao.time.get",
            "a.b.GET",
            "a.b.queryAll",
            "a.b.userInfo",
            "a.b.item_detail",
            "a.b.getServTimes",
            "a.b.qrycard",
            "a.b.searchmodels",
            "a.b.exists",
        ] {
            assert!(is_read(read, None), "{read}");
            // A title's write marks do not overturn what the method says.
            assert!(is_read(read, Some("支付")), "{read}");
        }
        for write in ["a.b.add", "a.b.update", "a.b.budget", "a.b.send", "a.b.forget"] {
            assert!(!is_read(write, None), "{write}");
        }
        // A prefix alone is no word.
        assert!(!is_read("a.b.qry", None));
    }

    #[test]
    fn reads_of_the_platform_are_known_by_their_last_word() {
        for read in [
            "taobao.baodian.deposit.get",
            "alibaba.idle.interact.loan.user.query",
            "taobao.items.search",
            "taobao.miniapp.userInfo.get",
            "taobao.vas.service.getServTimes",
            "yunos.tvpubadmin.content.app.queryapp",
            "yunos.osupdate.deviceservice.searchmodels",
            "alibaba.aliqin.fc.iot.qrycard",
            "taobao.trade.List",
            "taobao.fliggy.wrate.getmixratelist",
            "alibaba.campus.core.app.getappusages",
            "tmall.servicecenter.service.type.queryall",
            "alibaba.ib.shenjing.visitor.pad.getinfo",
        ] {
            assert!(is_read(read, None), "{read}");
        }
        for write in [
            "taobao.item.add",
            "taobao.item.update",
            "taobao.trade.close",
            "a.b.authorinfo",
            "taobao.get.x",
            "taobao.query.update",
            "taobao.item.listing",
            "taobao.item.settle",
        ] {
            assert!(!is_read(write, None), "{write}");
        }
    }

    #[test]
    fn the_title_says_read_when_the_method_does_not() {
        assert!(is_read("taobao.tbk.dg.material.optional", Some("物料搜索")));
        assert!(!is_read("taobao.tbk.dg.material.optional", None));
        assert!(!is_read("a.b.sync", Some("查询并同步")));
        assert!(!is_read("a.b.op", Some("处理")));
    }

    #[test]
    fn last_parts() {
        assert_eq!(last_part("userInfo"), "info");
        assert_eq!(last_part("item_detail"), "detail");
        assert_eq!(last_part("getHTTPStats"), "stats");
        assert_eq!(last_part("queryAll"), "all");
        assert_eq!(last_part("get"), "get");
        assert_eq!(last_part(""), "");
    }
}
