// The expansion names nothing the user can shadow.
#![allow(dead_code)]

use serde::Deserialize;
use top_api::top_api;

struct Result;
struct Option;
struct String;
struct Vec;
struct Box;
struct Ok;
struct Err;
mod core {}
mod std {}
struct Params;
struct Error;

#[derive(Deserialize)]
pub struct TimeGetResponse {
    pub time: ::std::string::String,
}

#[top_api(method = "taobao.time.get", response = TimeGetResponse)]
pub struct TimeGet {
    pub zone: ::std::string::String,
    pub ids: ::std::vec::Vec<i64>,
    pub maybe: ::std::option::Option<u8>,
    #[top(json)]
    pub filter: ::std::collections::BTreeMap<::std::string::String, i64>,
    pub r#type: bool,
}

#[top_api(method = "taobao.time.get", response = TimeGetResponse)]
pub struct Unit;

#[top_api(method = "taobao.time.get", response = TimeGetResponse)]
pub struct Empty {}

fn main() {
    let mut params = top_api::Params::new();
    let request = TimeGet {
        zone: "cst".into(),
        ids: ::std::vec![1, 2],
        maybe: None,
        filter: ::std::collections::BTreeMap::new(),
        r#type: true,
    };
    top_api::Request::write_params(&request, &mut params).unwrap();
    assert_eq!(params.get("ids"), Some("1,2"));
    assert_eq!(params.get("type"), Some("true"));
    assert_eq!(params.get("filter"), Some("{}"));
}
