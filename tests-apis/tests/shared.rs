//! One platform type, one shape: within a package, the answer types of one name whose
//! copies agree are one type with the union of their fields (each API's module re-exports
//! it); types whose copies disagree stay one per API.

use std::any::TypeId;

use top_api::{decode, Format};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/drift").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn trade_fullinfo_reads_the_alipay_id_its_own_copy_of_trade_lacks() {
    use top_api::tbtrade::{taobao_trade_fullinfo_get as full, taobao_trades_sold_get as sold};
    // One type, reached from either API's module; its orders' type too.
    assert_eq!(TypeId::of::<full::Trade>(), TypeId::of::<sold::Trade>());
    assert_eq!(TypeId::of::<full::Order>(), TypeId::of::<sold::Order>());
    assert_eq!(TypeId::of::<full::Trade>(), TypeId::of::<top_api::tbtrade::types::Trade>());

    // The real answers' shape: `alipay_id` (which only `taobao.trades.sold.get` lists) is read.
    for (name, format) in [("trade-fullinfo.json", Format::Json), ("trade-fullinfo.xml", Format::Xml)] {
        let answer = decode::<top_api::tbtrade::TaobaoTradeFullinfoGet>(&fixture(name), format)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let trade = answer.trade.as_ref().expect("a trade");
        assert_eq!(trade.alipay_id, Some(2_088_000_000_000_000), "{name}");
        assert_eq!(trade.tid, Some(4_107_011_111_111_111_111), "{name}");
        assert_eq!(trade.orders.len(), 2, "{name}");
        assert_eq!(trade.orders[1].gift_mids.as_deref(), Some("x,y"), "{name}");
        assert!(answer.drift().is_empty(), "{name}: {:?}", answer.drift());
    }
}

#[test]
fn types_whose_copies_disagree_stay_one_per_api() {
    // The catalog's `Order` of package `trade` has `oid` as text in one API and a number in
    // another: each API keeps its own.
    use top_api::trade::{taobao_open_trade_get as open, taobao_trade_get as get};
    assert_ne!(TypeId::of::<open::Order>(), TypeId::of::<get::Order>());
    let open = open::Order { oid: Some("4107011111111111112".to_owned()), ..Default::default() };
    let get = get::Order { oid: Some(4_107_011_111_111_111_112), ..Default::default() };
    assert_eq!(open.oid.as_deref(), Some("4107011111111111112"));
    assert_eq!(get.oid, Some(4_107_011_111_111_111_112));
}
