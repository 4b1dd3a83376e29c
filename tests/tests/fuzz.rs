//! Bad input never panics the decoder: arbitrary bytes, mutated real answers and arbitrary
//! JSON trees, for each seed API's type, in JSON and XML.
//!
//! The test command runs proptest's default number of cases (256 per property); a longer
//! run sets `PROPTEST_CASES` (see the README for the figures of the last one).

use proptest::prelude::*;
use top_api::apis::{
    AlibabaIdleInteractLoanUserQuery, AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo, TaobaoBaodianDepositGet,
};
use top_api::{decode, Error, Format, Request};
use top_api_tests::{fixture, page_example};

const METHODS: [&str; 3] = [
    "alibaba.idle.interact.loan.user.query",
    "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo",
    "taobao.baodian.deposit.get",
];

/// Decodes `body` as every seed API in every format; any outcome but a panic is fine, and
/// an error always says what it is.
fn decode_all(body: &[u8]) {
    fn one<R: Request>(body: &[u8]) {
        for format in [Format::Json, Format::Xml] {
            if let Err(err) = decode::<R>(body, format) {
                assert!(!err.to_string().is_empty());
                if let Error::Decode(decode) = &err {
                    assert!(decode.body().chars().count() <= 201);
                }
            }
        }
    }
    one::<AlibabaIdleInteractLoanUserQuery>(body);
    one::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(body);
    one::<TaobaoBaodianDepositGet>(body);
}

/// Every real answer the tests know: the pages' examples and the JSON forms.
fn corpus() -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    for method in METHODS {
        bodies.push(page_example(method));
        for name in ["ok.json", "ok.simplify.json", "error.json", "error.xml"] {
            bodies.push(fixture(method, name));
        }
    }
    bodies
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn apply(mut body: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        if body.is_empty() {
            break;
        }
        let at = |i: usize| i % body.len();
        match *mutation {
            Mutation::Flip(i, bits) => {
                let i = at(i);
                body[i] ^= bits;
            }
            Mutation::Insert(i, byte) => {
                let i = at(i);
                body.insert(i, byte);
            }
            Mutation::Remove(i) => {
                let i = at(i);
                body.remove(i);
            }
            Mutation::Truncate(i) => {
                let i = at(i);
                body.truncate(i);
            }
            Mutation::Duplicate(from, len) => {
                let from = at(from);
                let end = (from + len % 64).min(body.len());
                let piece = body[from..end].to_vec();
                body.splice(from..from, piece);
            }
        }
    }
    body
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter to JSON and XML more often than chance would pick them.
    let byte = prop_oneof![any::<u8>(), prop::sample::select(b"{}[]<>/\":,\\ 0123456789-.e".to_vec())];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn json_tree() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "[a-z_0-9 .:-]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        let names = prop::sample::select(vec![
            "result",
            "data",
            "audit_list",
            "mark_item",
            "string",
            "low_risk_word_list",
            "user_id",
            "filed",
            "idle_point_result",
            "success",
            "real_name_info",
            "gender",
            "user_coin_deposit",
            "credit_period",
            "deposit",
            "is_expired",
            "request_id",
            "code",
            "msg",
            "sub_code",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::vec((names, inner), 0..8).prop_map(|members| serde_json::Value::Object(
                members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&body);
    }

    #[test]
    fn mutated_answers_never_panic(which in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..8)) {
        let corpus = corpus();
        decode_all(&apply(corpus[which % corpus.len()].clone(), &mutations));
    }

    #[test]
    fn no_answer_with_a_root_error_response_decodes_as_ok(
        members in prop::collection::vec(("[a-z_]{1,12}", json_tree()), 0..6),
        payload in prop::option::of(json_tree()),
        at in any::<usize>(),
        code in 1..100i64,
        sub in prop::option::of("isp\\.[a-z-]{1,12}"),
    ) {
        // The error_response among random members, anywhere in their order, beside a
        // payload member or not; read wrapped and simplified, as each seed API.
        let refusal = match &sub {
            Some(sub) => serde_json::json!({"code": code, "msg": "m", "sub_code": sub, "sub_msg": "s"}),
            None => serde_json::json!({"code": code, "msg": "m"}),
        };
        for method in METHODS {
            let mut parts: Vec<String> = members
                .iter()
                .map(|(name, value)| format!("{}:{value}", serde_json::Value::from(name.as_str())))
                .collect();
            if let Some(payload) = &payload {
                parts.push(format!("\"{}\":{payload}", top_api::response_key(method)));
            }
            parts.insert(at % (parts.len() + 1), format!("\"error_response\":{refusal}"));
            let body = format!("{{{}}}", parts.join(","));
            for result in refusals(method, body.as_bytes()) {
                let api = match &result {
                    Err(Error::Api(api)) => api,
                    other => panic!("{body}: {other:?}"),
                };
                prop_assert_eq!(api.code(), code);
                prop_assert_eq!(api.sub_code(), sub.as_deref());
            }
        }
    }

    #[test]
    fn arbitrary_trees_in_every_envelope_never_panic(tree in json_tree(), envelope in 0..4usize) {
        let key = ["baodian_deposit_get_response", "alibaba_idle_interact_loan_user_query_response",
            "alibaba_shuqi_original_backend_ognvaliauthor_authorinfo_response", "error_response"][envelope];
        decode_all(serde_json::json!({ key: tree.clone() }).to_string().as_bytes());
        decode_all(tree.to_string().as_bytes());
    }
}

/// `body` read as an answer of `method`'s seed API, wrapped and simplified.
fn refusals(method: &str, body: &[u8]) -> Vec<Result<(), Error>> {
    fn both<R: Request>(body: &[u8]) -> Vec<Result<(), Error>> {
        vec![decode::<R>(body, Format::Json).map(drop), top_api::decode_simplified::<R>(body).map(drop)]
    }
    match method {
        "alibaba.idle.interact.loan.user.query" => both::<AlibabaIdleInteractLoanUserQuery>(body),
        "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo" => {
            both::<AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(body)
        }
        _ => both::<TaobaoBaodianDepositGet>(body),
    }
}

/// Answers nested far deeper than any TOP answer, around and inside known fields.
fn deep_answers() -> Vec<String> {
    let depth = 100_000;
    let (open_a, close_a) = ("<a>".repeat(depth), "</a>".repeat(depth));
    let (open_j, close_j) = ("[".repeat(depth), "]".repeat(depth));
    let (open_o, close_o) = ("{\"a\":".repeat(depth), "}".repeat(depth));
    vec![
        format!("{{\"baodian_deposit_get_response\":{open_j}{close_j}}}"),
        format!("{{\"baodian_deposit_get_response\":{{\"user_coin_deposit\":{open_o}1{close_o}}}}}"),
        format!("{{\"result\":{{\"data\":{{\"audit_list\":{open_o}1{close_o}}}}}}}"),
        format!("<baodian_deposit_get_response><x>{open_a}{close_a}</x></baodian_deposit_get_response>"),
        format!("<baodian_deposit_get_response><user_coin_deposit>{open_a}{close_a}</user_coin_deposit></baodian_deposit_get_response>"),
        format!("<alibaba_shuqi_original_backend_ognvaliauthor_authorinfo_response><result><data><audit_list><mark_item>{open_a}{close_a}</mark_item></audit_list></data></result></alibaba_shuqi_original_backend_ognvaliauthor_authorinfo_response>"),
        format!("<error_response><code>{open_a}{close_a}</code></error_response>"),
    ]
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let bodies = deep_answers();
    for body in &bodies {
        decode_all(body.as_bytes());
    }
    // A deep value where the type declares a field is an error, or, where the field is an
    // `Option`, a value that does not fit: left out, a drift (both readers skip it); a deep
    // member the type does not declare is skipped, and the rest of the answer read.
    let depth = 100_000;
    let (open_a, close_a) = ("<a>".repeat(depth), "</a>".repeat(depth));
    let (open_j, close_j) = ("[".repeat(depth), "]".repeat(depth));
    let drifting = [
        (
            format!("{{\"baodian_deposit_get_response\":{{\"user_coin_deposit\":{open_j}{close_j}}}}}"),
            "user_coin_deposit",
        ),
        (
            format!(
                "{{\"baodian_deposit_get_response\":{{\"user_coin_deposit\":{{\"deposit\":{open_j}1{close_j}}}}}}}"
            ),
            "user_coin_deposit.deposit",
        ),
        (
            format!("<baodian_deposit_get_response><user_coin_deposit><deposit>{open_a}{close_a}</deposit></user_coin_deposit></baodian_deposit_get_response>"),
            "user_coin_deposit.deposit",
        ),
    ];
    for (body, path) in &drifting {
        let format = if body.starts_with('<') { Format::Xml } else { Format::Json };
        let answer = decode::<TaobaoBaodianDepositGet>(body.as_bytes(), format).unwrap();
        assert_eq!(answer.drift().iter().map(|d| d.path()).collect::<Vec<_>>(), [*path]);
    }
    let declared = [
        (format!("{{\"baodian_deposit_get_response\":{open_j}{close_j}}}"), Format::Json),
        (format!("<error_response><code>{open_a}{close_a}</code></error_response>"), Format::Xml),
    ];
    for (body, format) in &declared {
        let result = decode::<TaobaoBaodianDepositGet>(body.as_bytes(), *format);
        assert!(result.is_err(), "{}: {result:?}", &body[..60]);
    }
    let undeclared = [
        (format!("{{\"baodian_deposit_get_response\":{{\"user_coin_deposit\":{{\"a\":{open_j}{close_j},\"deposit\":5}}}}}}"), Format::Json),
        (format!("<baodian_deposit_get_response><user_coin_deposit><a>{open_a}{close_a}</a><deposit>5</deposit></user_coin_deposit></baodian_deposit_get_response>"), Format::Xml),
    ];
    for (body, format) in &undeclared {
        let answer = decode::<TaobaoBaodianDepositGet>(body.as_bytes(), *format).unwrap();
        assert_eq!(answer.user_coin_deposit.as_ref().and_then(|d| d.deposit), Some(5), "{format:?}");
    }
}

#[test]
fn deep_nesting_in_an_untyped_call_is_an_error_not_a_crash() {
    use top_api::transport::{FakeTransport, HttpResponse};
    for format in [Format::Json, Format::Xml] {
        for body in deep_answers() {
            let fake = FakeTransport::new();
            fake.push(HttpResponse::new(200, body.clone()));
            let client = top_api::Client::builder("1", "s").format(format).transport(fake).build().unwrap();
            let result = client.call("taobao.baodian.deposit.get", [("a", "b")]);
            // An untyped answer is a tree: a deep one is refused, whatever the envelope.
            assert!(result.is_err() || body.contains("<x>"), "{format:?}: {result:?}");
        }
    }
}
