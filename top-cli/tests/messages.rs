//! `top gen` on message pages: the platform documents each topic of its message channel on
//! a page with the layout of its API pages (`消息属性`, `消息示例`). The pages in
//! `tests/pages/messages/` take the layouts such pages are found in (a browser's copy with
//! one-line rows, a saved page with one cell per line and a topic list before the title, a
//! Markdown table); their topics and wording are made up. Each reads into its topic, compiles
//! (the UI pass file holds them) and reads its own example with no drift.

use std::path::Path;

use top_cli::model::Type;
use top_cli::{gen, page};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn message_page(name: &str) -> String {
    std::fs::read_to_string(manifest_dir().join("tests/pages/messages").join(format!("{name}.txt"))).unwrap()
}

const PAGES: [&str; 3] = ["taobao_xiaoyu_OrderShipped", "taobao_xiaoyu_RefundOpened", "taobao_xiaoyu_StockAlert"];

/// A field as `name Type [required]`, members in braces.
fn shape(fields: &[top_cli::model::Member]) -> Vec<String> {
    fields
        .iter()
        .map(|field| {
            let inner = match &field.ty {
                Type::Object { members, .. } => format!(" {{{}}}", shape(members).join(", ")),
                _ => String::new(),
            };
            let required = if field.required { " required" } else { "" };
            format!("{} {}{required}{inner}", field.name, field.ty.top_name())
        })
        .collect()
}

#[test]
fn every_layout_of_a_message_page_reads_into_its_topic() {
    let expected: [(&str, &str, &str, &[&str]); 3] = [
        (
            "taobao_xiaoyu_OrderShipped",
            "小鱼订单发货消息",
            "卖家发货后,包裹交给物流公司时。",
            &[
                "ship_time Date",
                "tid Number required",
                "oids Number []",
                "seller_nick String",
                "is_split Boolean",
                "parcel Parcel {parcel_no String, weight Number}",
            ],
        ),
        (
            "taobao_xiaoyu_RefundOpened",
            "小鱼退款创建消息",
            "买家申请退款时",
            &["refund_id Number required", "refund_fee String", "goods RefundGoods {item_id Number}", "modified Date"],
        ),
        (
            "taobao_xiaoyu_StockAlert",
            "小鱼库存预警",
            "库存低于预警值时",
            &["item_id Number", "sku_ids String []", "quantity Number", "alert_at Date", "note String"],
        ),
    ];
    for (name, title, summary, fields) in expected {
        let text = message_page(name);
        assert!(page::is_message_page(&text), "{name}");
        let read = page::parse_message(&text).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!((read.topic.as_str(), read.title.as_str(), read.summary.as_str()), (name, title, summary));
        assert!(read.example.is_some() && read.example_text.is_some(), "{name}: its example");
        let (topic, warnings) = page::read_message(&read).unwrap();
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert_eq!(shape(&topic.fields), fields, "{name}");
    }
    // An API page is not a message page.
    let api = std::fs::read_to_string(manifest_dir().join("tests/pages/more/taobao.time.get.txt")).unwrap();
    assert!(!page::is_message_page(&api));
}

#[test]
fn every_message_page_generates_and_compiles_as_the_ui_pass_file_holds_them() {
    let generated =
        std::fs::read_to_string(manifest_dir().join("../tests/ui/generated/pages.rs")).expect("the generated UI file");
    for name in PAGES {
        let module =
            gen::module(&message_page(name)).unwrap_or_else(|err| panic!("{name}:{}: {}", err.line, err.message));
        assert_eq!(module.method, name);
        syn::parse_file(&module.source).unwrap_or_else(|err| panic!("{name}: {err}\n{}", module.source));
        assert!(module.warnings.is_empty(), "{name}: {:?}", module.warnings);
        assert!(module.source.contains(&format!("const TOPIC: &'static str = {name:?};")), "{name}");
        assert!(
            generated.contains(&module.source),
            "{name}: tests/ui/generated/pages.rs is stale: run `cargo xtask codegen`"
        );
        let (_, module, rust) = top_cli::emit::topic_names(name).unwrap();
        assert!(generated.contains(&format!(".read::<{module}::{rust}>()")), "{name}: its example is read");
    }
}

#[test]
fn an_example_that_does_not_fit_the_table_is_a_warning_with_its_line() {
    let text = message_page("taobao_xiaoyu_OrderShipped")
        .replace(r#""is_split":"false","#, r#""is_split":"maybe","gift":"yes","#);
    let module = gen::module(&text).unwrap();
    let warnings: Vec<String> = module.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("is_split") && w.starts_with("line ")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("`gift`")), "{warnings:?}");
}

#[test]
fn every_truncation_of_a_message_page_fails_with_its_line_or_reads() {
    for name in PAGES {
        let text = message_page(name);
        let lines: Vec<&str> = text.lines().collect();
        let fields_at = lines.iter().position(|l| l.trim() == "消息属性").unwrap();
        for cut in 0..=lines.len() {
            let prefix = lines[..cut].join("\n");
            match gen::module(&prefix) {
                Ok(module) => assert!(cut > fields_at, "{name}: cut at line {cut} read: {}", module.source),
                Err(err) => {
                    assert!(err.line >= 1 && err.line <= cut.max(1), "{name}: cut {cut}: {err}");
                    assert!(!err.message.is_empty());
                }
            }
        }
    }
}

#[test]
fn mistakes_in_a_message_page_name_their_line() {
    let page = message_page("taobao_xiaoyu_OrderShipped");
    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let cases: [(&str, &str, &str); 4] = [
        ("taobao_xiaoyu_OrderShipped (小鱼订单发货消息)", "小鱼订单发货消息", "no title like"),
        ("tid Number 必须", "tid Numbr 必须", "`tid` has the type `Numbr`, which is no type the platform names"),
        ("seller_nick String 可选", "seller_nick String 也许", "expected 必须 or 可选"),
        ("\"tid\":\"3000000000000001\",", "\"tid\":\"3000000000000001\"", "malformed"),
    ];
    for (from, to, says) in cases {
        let text = page.replacen(from, to, 1);
        let err = gen::module(&text).expect_err(to);
        assert!(err.message.contains(says), "{to}: {err}");
        let expected = match says {
            "no title like" => line_of(&text, "消息属性"),
            "malformed" => err.line,
            _ => line_of(&text, to),
        };
        assert_eq!(err.line, expected, "{to}: {err}");
    }
}

#[test]
fn top_gen_out_writes_message_modules_by_group() {
    let out = std::env::temp_dir().join(format!("top-gen-messages-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut progress = Vec::new();
    gen::run(&[manifest_dir().join("tests/pages/messages")], Some(&out), &mut progress).unwrap();
    let written = std::fs::read_to_string(out.join("taobao_xiaoyu.rs")).unwrap();
    for module in ["pub mod order_shipped", "pub mod refund_opened", "pub mod stock_alert"] {
        assert!(written.contains(module), "{module}");
    }
    assert_eq!(std::fs::read_to_string(out.join("mod.rs")).unwrap().matches("pub mod ").count(), 1);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn top_messages_read_prints_a_page_s_topic_as_the_message_catalog_keeps_it() {
    let page = manifest_dir().join("tests/pages/messages/taobao_xiaoyu_OrderShipped.txt");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_top"))
        .args(["messages", "read"])
        .arg(&page)
        .args(["--source", "https://example.invalid/topic"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let entry: top_cli::catalog::TopicEntry = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (entry.topic.as_str(), entry.group.as_str(), entry.source.as_deref()),
        ("taobao_xiaoyu_OrderShipped", "taobao_xiaoyu", Some("https://example.invalid/topic"))
    );
    // Facts only: what the page's table says, no description or example.
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("发货时间") && !text.contains("2026-03-01"), "{text}");
    // Read back, it is the topic the page reads into, less its words.
    let (read, _) =
        page::read_message(&page::parse_message(&message_page("taobao_xiaoyu_OrderShipped")).unwrap()).unwrap();
    let back = entry.to_topic();
    assert_eq!(shape(&back.fields), shape(&read.fields));
    assert_eq!(back.title, read.title);
    // Not a message page: a failure naming the file.
    let api = manifest_dir().join("tests/pages/more/taobao.time.get.txt");
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_top")).args(["messages", "read"]).arg(&api).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("taobao.time.get.txt"));
}
