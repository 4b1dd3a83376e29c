use serde::Deserialize;
use top_api::{top_api, File};

#[derive(Deserialize)]
pub struct UploadResponse {}

#[top_api(method = "taobao.picture.upload", response = UploadResponse)]
pub struct PictureUpload {
    pub image: File,
}

fn main() {
    let client = top_api::Client::builder("1", "secret").build().unwrap();
    let mut batch = client.batch();
    let _ = batch.add(&PictureUpload { image: File::from_bytes("a.png", vec![1]) });
}
