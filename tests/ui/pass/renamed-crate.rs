//! A crate that depends on top-api under another name says where it is with `crate = "…"`;
//! everything the attribute writes goes through that path.

extern crate top_api as my_top;

use serde::Deserialize;

#[derive(Deserialize)]
pub struct Answer {
    pub ok: Option<bool>,
}

#[my_top::top_api(crate = "::my_top", method = "taobao.renamed.get", response = Answer)]
pub struct RenamedGet {
    pub id: i64,
    pub file: Option<my_top::File>,
}

fn main() {
    use my_top::Request;
    let mut params = my_top::Params::new();
    RenamedGet { id: 7, file: None }.write_params(&mut params).unwrap();
    assert_eq!(params.get("id"), Some("7"));
    assert_eq!(RenamedGet::METHOD, "taobao.renamed.get");
}
