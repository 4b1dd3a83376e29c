//! The attribute writes every path through `crate = "…"`: a path that leads nowhere is an
//! error there, not a silent fall back to `::top_api`.

use serde::Deserialize;

#[derive(Deserialize)]
pub struct Answer {}

#[top_api::top_api(crate = "crate::nowhere", method = "taobao.renamed.get", response = Answer)]
pub struct RenamedGet {
    pub id: i64,
}

fn main() {}
