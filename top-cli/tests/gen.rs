//! `top gen` on the three seed pages: the output compiles (it is this test's own module,
//! kept as a golden file), decodes each page's XML example, and matches the hand-written
//! declarations of `top_api::apis` in every wire name and type. Bad pages fail with the
//! line and what was missing, never a panic.

use std::collections::BTreeMap;
use std::path::Path;

use top_api::{decode, Format, Request};
use top_cli::{gen, page};

#[rustfmt::skip]
#[path = "generated.rs"]
#[allow(dead_code)]
mod generated;

const SEEDS: [&str; 3] = [
    "alibaba.idle.interact.loan.user.query",
    "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo",
    "taobao.baodian.deposit.get",
];

fn page_text(method: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages").join(format!("{method}.txt"));
    std::fs::read_to_string(path).unwrap()
}

fn pages() -> Vec<page::Page> {
    SEEDS.iter().map(|method| page::parse(&page_text(method)).unwrap()).collect()
}

#[test]
fn the_output_is_the_golden_file() {
    let golden = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/generated.rs")).unwrap();
    assert_eq!(
        gen::render(&pages()).unwrap(),
        golden,
        "regenerate with `top gen top-cli/tests/pages/ > top-cli/tests/generated.rs` and review"
    );
}

#[test]
fn the_pages_are_the_seeds() {
    // The pages are copied from shared/seeds; when that folder is beside the checkout,
    // check they have not drifted.
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/seeds");
    if !seeds.is_dir() {
        return;
    }
    for method in SEEDS {
        assert_eq!(
            std::fs::read_to_string(seeds.join(format!("{method}.txt"))).unwrap(),
            page_text(method),
            "{method}"
        );
    }
}

#[test]
fn what_the_pages_say_is_read() {
    let pages = pages();
    let deposit = &pages[2];
    assert_eq!(deposit.method, "taobao.baodian.deposit.get");
    assert_eq!(deposit.title, "宝点用户帐户查询(已迁移)");
    assert!(deposit.session && !pages[0].session && !pages[1].session);
    assert!(deposit.params.is_empty());
    let author = &pages[1];
    let names: Vec<(&str, bool)> = author.params.iter().map(|p| (p.name.as_str(), p.required)).collect();
    assert_eq!(names, [("user_id", true), ("action_name", false), ("desensitization", false), ("encrypt_list", false)]);
    assert_eq!(author.params[0].ty, page::TopType::Number);
    let list = author.fields.iter().find(|f| f.name == "audit_list").unwrap();
    assert_eq!(list.ty, page::TopType::List(Box::new(page::TopType::Object("MarkItem".into()))));
    assert_eq!((list.example.as_deref(), list.description.as_str()), (None, "审核结果"));
    let qq = author.fields.iter().find(|f| f.name == "qq").unwrap();
    assert_eq!((qq.example.as_deref(), qq.description.as_str()), (Some("11111111"), "QQ"));
}

/// The generated type decodes the page's example to the same data as the hand-written one.
fn same_answer<G: Request, H: Request>(example: &str)
where
    G::Response: serde::Serialize,
    H::Response: serde::Serialize,
{
    assert_eq!(G::METHOD, H::METHOD);
    assert_eq!(G::SESSION, H::SESSION);
    let generated = decode::<G>(example.as_bytes(), Format::Xml).unwrap().into_inner();
    let written = decode::<H>(example.as_bytes(), Format::Xml).unwrap().into_inner();
    let generated = serde_json::to_value(generated).unwrap();
    assert_eq!(generated, serde_json::to_value(written).unwrap());
    assert!(generated.as_object().is_some_and(|o| !o.is_empty()), "{generated}");
}

#[test]
fn the_generated_types_decode_each_example() {
    use top_api::apis::*;
    same_answer::<
        generated::alibaba_idle_interact_loan_user_query::AlibabaIdleInteractLoanUserQuery,
        AlibabaIdleInteractLoanUserQuery,
    >(alibaba_idle_interact_loan_user_query::EXAMPLE_XML);
    same_answer::<
        generated::alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo,
        AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo,
    >(alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::EXAMPLE_XML);
    same_answer::<generated::taobao_baodian_deposit_get::TaobaoBaodianDepositGet, TaobaoBaodianDepositGet>(
        taobao_baodian_deposit_get::EXAMPLE_XML,
    );
}

/// Every struct's fields as (wire name, type), from Rust source.
fn declarations(source: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let file = syn::parse_file(source).unwrap();
    let mut out = BTreeMap::new();
    collect(&file.items, &mut out);
    out
}

fn collect(items: &[syn::Item], out: &mut BTreeMap<String, Vec<(String, String)>>) {
    for item in items {
        match item {
            syn::Item::Mod(module) => collect(module.content.as_ref().map_or(&[][..], |(_, items)| items), out),
            syn::Item::Struct(item) => {
                let fields = item
                    .fields
                    .iter()
                    .map(|field| {
                        let ident = field.ident.as_ref().unwrap().to_string();
                        let wire = renamed(&field.attrs).unwrap_or_else(|| ident.trim_start_matches("r#").to_owned());
                        (wire, field_type(&field.ty))
                    })
                    .collect();
                out.insert(item.ident.to_string(), fields);
            }
            _ => {}
        }
    }
}

/// A type as text, without path prefixes: `Option<::top_api::DateTime>` → `Option<DateTime>`.
fn field_type(ty: &syn::Type) -> String {
    let text = quote::quote!(#ty).to_string().replace(' ', "");
    text.replace("::top_api::", "").replace("top_api::", "")
}

/// The wire name a `#[serde(rename = "…")]` or `#[top(rename = "…")]` gives.
fn renamed(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().filter(|a| a.path().is_ident("serde") || a.path().is_ident("top")).find_map(|attr| {
        let mut wire = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                wire = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
        wire
    })
}

#[test]
fn the_declarations_match_the_hand_written_ones() {
    let generated = declarations(&gen::render(&pages()).unwrap());
    let apis = Path::new(env!("CARGO_MANIFEST_DIR")).join("../top-api/src/apis");
    let mut written = BTreeMap::new();
    for method in SEEDS {
        let source = std::fs::read_to_string(apis.join(format!("{}.rs", gen::module_name(method)))).unwrap();
        written.extend(declarations(&source));
    }
    assert_eq!(generated.keys().collect::<Vec<_>>(), written.keys().collect::<Vec<_>>());
    for (name, fields) in &generated {
        assert_eq!(fields, &written[name], "{name}");
    }
    assert_eq!(generated["UserCoinDeposit"][0], ("userAuthCode".to_owned(), "Option<String>".to_owned()));
    assert_eq!(generated["OgnvAliAuthorInfoResp"].iter().find(|(w, _)| w == "audit_list").unwrap().1, "Vec<MarkItem>");
}

#[test]
fn a_page_that_is_not_a_top_page_is_refused() {
    let err = page::parse("hello\nworld\n").unwrap_err();
    assert_eq!(err.line, 1);
    assert!(err.message.contains("not a TOP API page"), "{err}");
    assert!(page::parse("").is_err());
}

#[test]
fn every_truncation_of_a_page_fails_with_its_line_or_reads_whole() {
    for method in SEEDS {
        let text = page_text(method);
        let lines: Vec<&str> = text.lines().collect();
        let xml_end = lines.iter().position(|l| l.trim() == "异常示例").unwrap();
        for cut in 0..lines.len() {
            let prefix = lines[..cut].join("\n");
            match page::parse(&prefix) {
                Ok(page) => {
                    assert!(cut > xml_end, "{method}: cut at line {cut} read as a whole page");
                    assert!(gen::generate(&page).is_ok());
                }
                Err(err) => {
                    assert!(err.line >= 1 && err.line <= cut.max(1), "{method}: cut {cut}: {err}");
                    assert!(!err.message.is_empty());
                }
            }
        }
    }
}

#[test]
fn mistakes_in_a_page_name_their_line() {
    let text = page_text("alibaba.shuqi.original.backend.ognvaliauthor.authorinfo");
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;

    let bad_required = text.replace("user_id Number 必须", "user_id Number 也许");
    let err = page::parse(&bad_required).unwrap_err();
    assert_eq!(err.line, line_of("user_id Number 必须"));
    assert!(err.message.contains("必须 or 可选"), "{err}");

    let bad_type = text.replace("  • MarkItem []", "  • mark item list");
    let err = page::parse(&bad_type).unwrap_err();
    assert!(err.message.contains("`audit_list` is not followed by a type: found `mark item list`"), "{err}");
    assert_eq!(err.line, line_of("  • MarkItem []"));

    let unclosed = text.replace("</audit_list>", "");
    let err = page::parse(&unclosed).unwrap_err();
    assert!(err.message.contains("XML example is malformed"), "{err}");
    assert!(err.line > line_of("响应示例"), "{err}");

    let extra = text.replace("<state>200</state>", "<state>200</state><surprise>1</surprise>");
    let err = gen::generate(&page::parse(&extra).unwrap()).unwrap_err();
    assert!(err.message.contains("`<surprise>`"), "{err}");

    let missing = text.replace("            <email>fadflh@126.com</email>\n", "");
    let err = gen::generate(&page::parse(&missing).unwrap()).unwrap_err();
    assert!(err.message.contains("`email` is not in the XML example"), "{err}");
    assert_eq!(err.line, text.lines().position(|l| l.trim() == "• └ email").unwrap() + 1);
}
