//! Per-call CPU, each measure paired in the same run with its floor:
//! - `params/<sign method>`: building and signing one call's params, vs `floor`: the bare
//!   digest of the same string to sign;
//! - `decode/<api>/<form>`: decoding an answer into its type, vs `floor`:
//!   `serde_json::from_slice` of the bare payload into the same type;
//! - `call/<api>`: a whole call through an in-memory transport (encode, sign, send, decode),
//!   vs the sum of its floors (digest + bare decode), and vs `minimal client`: the same call
//!   as a hand-written client makes it (system params and the API's own in a list, sorted,
//!   joined, MD5, form-encoded by `form_urlencoded`; the answer read by serde_json through a
//!   one-member envelope into the same type), with nothing a client needs beyond that: no
//!   checks, no retries, no refusal read.
//!
//! `cargo bench -p top-api-core --bench call`; the figures are in BENCHMARKS.md.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use serde::de::DeserializeOwned;
use top_api::apis;
use top_api::{sign, Client, Format, Request, SignMethod};

use common::*;

fn client(answer: Vec<u8>, method: SignMethod, format: Format) -> Client {
    Client::builder("12345678", SECRET).sign_method(method).format(format).transport(Canned(answer)).build().unwrap()
}

/// The string a call of `request` signs, as the client builds it.
fn params(c: &mut Criterion) {
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let mut group = c.benchmark_group(format!("params/{method}"));
        let client = client(Vec::new(), method, Format::Json);
        let request = author_query();
        group.bench_function("top-api", |b| {
            b.iter(|| client.wire_params(black_box(&request), Some("session-token")).unwrap())
        });
        let text = string_to_sign(&client, &request);
        group.bench_function("floor", |b| b.iter(|| sign::sign_string(black_box(&text), SECRET, method)));
        group.finish();
    }
}

fn decode_pair<R: Request>(c: &mut Criterion, name: &str, method: &str, xml_example: &str)
where
    R::Response: serde::Serialize + DeserializeOwned,
{
    let bare = bare::<R>(method);
    let forms = [
        ("json", fixture(method, "ok.json"), Format::Json),
        ("simplify", fixture(method, "ok.simplify.json"), Format::Json),
        ("xml", xml(xml_example), Format::Xml),
    ];
    for (form, body, format) in forms {
        let mut group = c.benchmark_group(format!("decode/{name}/{form}"));
        // A simplified answer has no envelope: it is read by its own door.
        let simplified = form == "simplify";
        group.bench_function("top-api", |b| {
            b.iter(|| {
                if simplified {
                    top_api::decode_simplified::<R>(black_box(&body)).unwrap()
                } else {
                    top_api::decode::<R>(black_box(&body), format).unwrap()
                }
            })
        });
        group.bench_function("floor", |b| b.iter(|| serde_json::from_slice::<R::Response>(black_box(&bare)).unwrap()));
        // A second floor for XML: quick-xml's own deserializer on the same document, for
        // the answers it can read unaided (no list wrappers).
        if format == Format::Xml {
            let text = std::str::from_utf8(&body).unwrap();
            if quick_xml::de::from_str::<R::Response>(text).is_ok() {
                group.bench_function("quick-xml", |b| {
                    b.iter(|| quick_xml::de::from_str::<R::Response>(black_box(text)).unwrap())
                });
            }
        }
        group.finish();
    }
}

fn decode(c: &mut Criterion) {
    decode_pair::<apis::AlibabaIdleInteractLoanUserQuery>(
        c,
        "loan",
        "alibaba.idle.interact.loan.user.query",
        apis::alibaba_idle_interact_loan_user_query::EXAMPLE_XML,
    );
    decode_pair::<apis::AlibabaShuqiOriginalBackendOgnvaliauthorAuthorinfo>(
        c,
        "author",
        "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo",
        apis::alibaba_shuqi_original_backend_ognvaliauthor_authorinfo::EXAMPLE_XML,
    );
    decode_pair::<apis::TaobaoBaodianDepositGet>(
        c,
        "deposit",
        "taobao.baodian.deposit.get",
        apis::taobao_baodian_deposit_get::EXAMPLE_XML,
    );
}

fn call_pair<R: Request + Clone>(c: &mut Criterion, name: &str, method: &str, request: R)
where
    R::Response: serde::Serialize + DeserializeOwned,
{
    let client = client(fixture(method, "ok.json"), SignMethod::Md5, Format::Json);
    let session = client.with_session("session-token");
    let floor = Floor::new(&client, &request, method, SECRET);
    let mut group = c.benchmark_group(format!("call/{name}"));
    group.bench_function("top-api", |b| b.iter(|| session.execute(black_box(&request)).unwrap()));
    group.bench_function("floor", |b| b.iter(|| floor.run()));
    // The API's own params as a hand-written request holds them: text, ready to send.
    let mut own = top_api::Params::new();
    request.write_params(&mut own).unwrap();
    let own: Vec<(String, String)> = own.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
    // The answer in its envelope, its lists plain arrays as in the bare floor (serde_json
    // reads no list wrappers unaided), the gateway's request_id beside the payload's fields.
    let key = top_api::response_key(method);
    let mut payload: serde_json::Value = serde_json::from_slice(floor.bare()).unwrap();
    payload.as_object_mut().unwrap().insert("request_id".into(), "4b2kp0g5fdw1".into());
    let enveloped = serde_json::to_vec(&serde_json::json!({ key.as_str(): payload })).unwrap();
    group.bench_function("minimal client", |b| {
        b.iter(|| {
            let form = minimal::request(method, "session-token", black_box(&own));
            (form, minimal::answer::<R::Response>(black_box(&enveloped), &key))
        })
    });
    group.finish();
}

/// A hand-written client's call: the least a TOP call needs, done plainly.
mod minimal {
    use std::time::{SystemTime, UNIX_EPOCH};

    use md5::{Digest, Md5};
    use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

    use crate::common::SECRET;

    /// The form body of a call: system params and `own`, signed (md5).
    pub fn request(method: &str, session: &str, own: &[(String, String)]) -> String {
        let timestamp = timestamp();
        let mut params: Vec<(&str, &str)> = vec![
            ("app_key", "12345678"),
            ("format", "json"),
            ("method", method),
            ("session", session),
            ("sign_method", "md5"),
            ("timestamp", &timestamp),
            ("v", "2.0"),
        ];
        params.extend(own.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        params.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut text = String::from(SECRET);
        for (name, value) in &params {
            text.push_str(name);
            text.push_str(value);
        }
        text.push_str(SECRET);
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let sign: String = Md5::digest(text.as_bytes())
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
            .map(char::from)
            .collect();
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(&params);
        form.append_pair("sign", &sign);
        form.finish()
    }

    /// Now in GMT+8, as `yyyy-MM-dd HH:mm:ss`.
    fn timestamp() -> String {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 8 * 3600;
        let (days, day_secs) = (secs / 86_400, secs % 86_400);
        // Days since 1970-01-01 to a civil date (Howard Hinnant's `civil_from_days`).
        let z = days + 719_468;
        let (era, doe) = (z / 146_097, z % 146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        let (h, m, s) = (day_secs / 3600, day_secs / 60 % 60, day_secs % 60);
        format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}")
    }

    /// The payload of `{"<key>": payload, …}`, other members skipped.
    pub fn answer<T: DeserializeOwned>(body: &[u8], key: &str) -> T {
        Envelope::<T>(key, std::marker::PhantomData)
            .deserialize(&mut serde_json::Deserializer::from_slice(body))
            .unwrap()
    }

    struct Envelope<'k, T>(&'k str, std::marker::PhantomData<T>);

    impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Envelope<'_, T> {
        type Value = T;

        fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<T, D::Error> {
            de.deserialize_map(self)
        }
    }

    impl<'de, T: DeserializeOwned> Visitor<'de> for Envelope<'_, T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "an object holding `{}`", self.0)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut payload = None;
            while let Some(ours) = map.next_key_seed(KeyIs(self.0))? {
                if ours {
                    payload = Some(map.next_value::<T>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            payload.ok_or_else(|| serde::de::Error::missing_field("response"))
        }
    }

    /// Whether a key is the payload's: read without a copy, as a derived field name is.
    struct KeyIs<'k>(&'k str);

    impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
        type Value = bool;

        fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<bool, D::Error> {
            de.deserialize_identifier(self)
        }
    }

    impl<'de> Visitor<'de> for KeyIs<'_> {
        type Value = bool;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a key")
        }

        fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
            Ok(key == self.0)
        }
    }
}

fn call(c: &mut Criterion) {
    call_pair(c, "loan", "alibaba.idle.interact.loan.user.query", loan_query());
    call_pair(c, "author", "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo", author_query());
    call_pair(c, "deposit", "taobao.baodian.deposit.get", deposit_query());
}

criterion_group!(benches, params, decode, call);
criterion_main!(benches);
