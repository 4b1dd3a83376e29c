//! The three seed pages' examples decode, exactly as printed, into the typed APIs:
//! XML, equivalent JSON (wrapped with list wrappers, and simplified), and the pages'
//! `error_response`.

use top_api::apis::{
    AlibabaIdleInteractLoanUserQuery, AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo, TaobaoBaodianDepositGet,
};
use top_api::{decode, Format, Request};
use top_api_tests::{authorinfo_answer, deposit_answer, fixture, loan_user_query_answer, page_example};

const LOAN: &str = "alibaba.idle.interact.loan.user.query";
const AUTHOR: &str = "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo";
const DEPOSIT: &str = "taobao.baodian.deposit.get";

/// Every form of one page's success example decodes to `expected`, with the request id
/// where the form carries one.
fn check_ok<R: Request>(method: &str, expected: &R::Response, request_id: &str)
where
    R::Response: PartialEq + std::fmt::Debug,
{
    assert_eq!(R::METHOD, method);
    // The member its answers come in, as the attribute compiled it in.
    assert_eq!(R::RESPONSE_KEY, top_api::response_key(method));
    let xml = decode::<R>(&page_example(method), Format::Xml).unwrap();
    assert_eq!(xml.get(), expected, "{method} ok.xml");

    // As the real gateway sends it: with a declaration and a trailing server comment.
    let mut framed = b"<?xml version=\"1.0\" encoding=\"utf-8\" ?>".to_vec();
    framed.extend(page_example(method));
    framed.extend(b"<!--top011023105124.center.na61-->");
    let xml = decode::<R>(&framed, Format::Xml).unwrap();
    assert_eq!(xml.get(), expected, "{method} framed ok.xml");

    for name in ["ok.json", "ok.simplify.json"] {
        let json = if name.contains("simplify") {
            top_api::decode_simplified::<R>(&fixture(method, name)).unwrap()
        } else {
            decode::<R>(&fixture(method, name), Format::Json).unwrap()
        };
        assert_eq!(json.get(), expected, "{method} {name}");
        assert_eq!(json.request_id(), Some(request_id), "{method} {name}");
    }
}

fn check_error<R: Request>(method: &str)
where
    R::Response: std::fmt::Debug,
{
    for (name, format, request_id) in
        [("error.xml", Format::Xml, None), ("error.json", Format::Json, Some("ej6ptuzf712n"))]
    {
        let err = decode::<R>(&fixture(method, name), format).unwrap_err();
        let api = err.api().unwrap_or_else(|| panic!("{method} {name}: not an api error: {err:?}"));
        assert_eq!(api.code(), 50);
        assert_eq!(api.msg(), "Remote service error");
        assert_eq!(api.sub_code(), Some("isv.invalid-parameter"));
        assert_eq!(api.sub_msg(), Some("非法参数"));
        assert_eq!(api.request_id(), request_id);
    }
}

#[test]
fn loan_user_query_examples() {
    check_ok::<AlibabaIdleInteractLoanUserQuery>(LOAN, &loan_user_query_answer(), "13w4rwnz9q6pr");
    check_error::<AlibabaIdleInteractLoanUserQuery>(LOAN);
}

#[test]
fn authorinfo_examples() {
    check_ok::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(AUTHOR, &authorinfo_answer(), "3fdk2a8hzg1j");
    check_error::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(AUTHOR);
}

#[test]
fn deposit_examples() {
    check_ok::<TaobaoBaodianDepositGet>(DEPOSIT, &deposit_answer(), "4b2kp0g5fdw1");
    check_error::<TaobaoBaodianDepositGet>(DEPOSIT);
}

#[test]
fn fixtures_are_the_pages_own_examples() {
    // The XML examples and error fixtures are the seed pages' own, byte for byte: the
    // pages as the repository holds them (the `top gen` tests read the same files).
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../top-api-core/pages");
    for method in [LOAN, AUTHOR, DEPOSIT] {
        let page = std::fs::read_to_string(seeds.join(format!("{method}.txt"))).unwrap();
        let examples = [("the example", page_example(method)), ("error.xml", fixture(method, "error.xml"))];
        for (name, example) in examples {
            let example = String::from_utf8(example).unwrap();
            assert!(page.contains(example.trim_end()), "{method}: {name} differs from the page");
        }
    }
}

#[test]
fn an_empty_list_and_absent_fields_decode() {
    let body = br#"{"alibaba_shuqi_original_backend_ognvaliauthor_authorinfo_response":{"result":{"data":{"audit_list":{},"user_id":"406797230"}}}}"#;
    let answer = decode::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(body, Format::Json).unwrap();
    let data = answer.result.as_ref().and_then(|r| r.data.as_ref()).unwrap();
    assert!(data.audit_list.is_empty());
    assert!(data.low_risk_word_list.is_empty());
    assert_eq!(data.user_id, Some(406_797_230));
    assert_eq!(data.pen_name, None);
    assert_eq!(answer.request_id(), None);
}

#[test]
fn a_value_that_does_not_fit_is_left_out_as_a_drift_or_names_its_field_all_or_nothing() {
    let body = br#"{"alibaba_shuqi_original_backend_ognvaliauthor_authorinfo_response":{"result":{"data":{"user_id":"four","pen_name":"p"}}}}"#;
    // The rest of the answer is read; the drift says where and what came.
    let answer = decode::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(body, Format::Json).unwrap();
    let data = answer.result.as_ref().and_then(|r| r.data.as_ref()).unwrap();
    assert_eq!((data.user_id, data.pen_name.as_deref()), (None, Some("p")));
    let [drift] = answer.drift() else { panic!("{:?}", answer.drift()) };
    assert_eq!(drift.path(), "result.data.user_id");
    let top_api::DriftKind::Unfit { expected, came, .. } = drift.kind() else { panic!("{drift:?}") };
    assert_eq!((expected.as_str(), came.as_str()), ("i64", "\"four\""));

    // All or nothing: the error names the field and shows the body.
    let err =
        top_api::decode_strict::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(body, Format::Json).unwrap_err();
    let top_api::Error::Decode(failure) = &err else { panic!("not a decode error: {err:?}") };
    assert_eq!(failure.path(), Some("result.data.user_id"));
    assert!(failure.body().starts_with("{\"alibaba_shuqi"), "{}", failure.body());
    let text = err.to_string();
    assert!(text.contains("`result.data.user_id`") && text.contains("four"), "{text}");

    let xml = b"<alibaba_shuqi_original_backend_ognvaliauthor_authorinfo_response><result><state>ok</state></result></alibaba_shuqi_original_backend_ognvaliauthor_authorinfo_response>";
    let answer = decode::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(xml, Format::Xml).unwrap();
    assert_eq!(answer.result.as_ref().and_then(|r| r.state), None);
    assert_eq!(answer.drift().iter().map(|d| d.path()).collect::<Vec<_>>(), ["result.state"]);
    let err =
        top_api::decode_strict::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(xml, Format::Xml).unwrap_err();
    let top_api::Error::Decode(failure) = &err else { panic!("not a decode error: {err:?}") };
    assert_eq!(failure.path(), Some("result.state"));
}

#[test]
fn malformed_answers_are_decode_errors() {
    let cases: [(&[u8], Format); 4] = [
        (b"{\"baodian_deposit_get_response\":{\"user_coin_deposit\":", Format::Json),
        (b"{\"baodian_deposit_get_response\":{\"user_coin_deposit\":{\"deposit\":\"many\"", Format::Json),
        (b"<baodian_deposit_get_response><user_coin_deposit>", Format::Xml),
        (b"\xff\xfe<baodian_deposit_get_response/>", Format::Xml),
    ];
    for (body, format) in cases {
        let err = decode::<TaobaoBaodianDepositGet>(body, format).unwrap_err();
        assert!(matches!(err, top_api::Error::Decode(_)), "{:?}: {err:?}", String::from_utf8_lossy(body));
    }
}

#[test]
fn a_byte_that_is_not_utf8_in_a_json_text_costs_that_byte_not_the_answer() {
    let body = b"{\"baodian_deposit_get_response\":{\"user_coin_deposit\":{\"user_str_id\":\"a\xffb\",\"deposit\":5}}}";
    let answer = decode::<TaobaoBaodianDepositGet>(body, Format::Json).unwrap();
    let deposit = answer.user_coin_deposit.as_ref().expect("read");
    assert_eq!((deposit.user_str_id.as_deref(), deposit.deposit), (Some("a\u{fffd}b"), Some(5)));
}

#[test]
fn what_is_no_answer_at_all_is_a_passing_fault() {
    let cases: [(&[u8], Format, &str); 11] = [
        (b"", Format::Json, "an empty body"),
        (b" \r\n", Format::Xml, "an empty body"),
        (b"<html><body>502 Bad Gateway</body></html>", Format::Json, "an HTML page"),
        (b"\xEF\xBB\xBF <!DOCTYPE html><html><body>maintenance</body></html>", Format::Xml, "an HTML page"),
        (b"<root><status>maintenance</status></root>", Format::Xml, "an XML document without"),
        (b"<other>", Format::Json, "markup, not JSON"),
        (b"[1,2,3]", Format::Json, "text, not a JSON object"),
        (b"Service Unavailable", Format::Json, "text, not a JSON object"),
        (b"Service Unavailable", Format::Xml, "text, not XML"),
        (b"{\"status\":\"maintenance\"}", Format::Json, "JSON without an envelope"),
        (b"{\"request_id\":\"r1\",\"deposit\":1}", Format::Json, "JSON without an envelope"),
    ];
    for (body, format, what) in cases {
        let err = decode::<TaobaoBaodianDepositGet>(body, format).unwrap_err();
        let shown = String::from_utf8_lossy(body);
        assert!(
            matches!(&err, top_api::Error::NotAnAnswer { reason, .. } if reason.starts_with(what)),
            "{shown:?}: {err:?}"
        );
        assert!(err.is_transient() && !err.is_decode(), "{shown:?}");
    }
    // A gateway that cannot tell the format refuses in XML: that is a refusal still.
    let xml = b"<?xml version=\"1.0\" encoding=\"utf-8\" ?><error_response><code>23</code><msg>Invalid format</msg></error_response>";
    let err = decode::<TaobaoBaodianDepositGet>(xml, Format::Json).unwrap_err();
    assert_eq!(err.api().map(top_api::ApiError::code), Some(23), "{err:?}");
    // Simplified answers carry a request_id; one without it is no answer.
    let err = top_api::decode_simplified::<TaobaoBaodianDepositGet>(b"{\"user_coin_deposit\":{\"deposit\":1}}");
    assert!(matches!(err, Err(top_api::Error::NotAnAnswer { .. })), "{err:?}");
    let answer = top_api::decode_simplified::<TaobaoBaodianDepositGet>(
        b"{\"user_coin_deposit\":{\"deposit\":1},\"request_id\":\"r9\"}",
    )
    .unwrap();
    assert_eq!(answer.request_id(), Some("r9"));
}

#[test]
fn the_wrong_envelope_is_refused() {
    // Read as a simplified answer it would lack nothing (every field is optional), but its
    // root member is another method's envelope: it must not pass for an empty deposit.
    let body = br#"{"time_get_response":{"time":"2024-01-01 00:00:00"}}"#;
    let err = decode::<TaobaoBaodianDepositGet>(body, Format::Json).unwrap_err();
    assert!(err.to_string().contains("`time_get_response`"), "{err}");
    let err = decode::<TaobaoBaodianDepositGet>(b"<time_get_response/>", Format::Xml).unwrap_err();
    assert!(err.to_string().contains("<baodian_deposit_get_response>"), "{err}");
}

#[test]
fn raw_control_characters_in_strings_are_recovered() {
    let body = b"{\"baodian_deposit_get_response\":{\"user_coin_deposit\":{\"user_nick\":\"tab\there\nnewline\"}}}";
    let answer = decode::<TaobaoBaodianDepositGet>(body, Format::Json).unwrap();
    assert_eq!(answer.user_coin_deposit.as_ref().unwrap().user_nick.as_deref(), Some("tab\there\nnewline"));
}
