//! Reading a call's params as the gateway does: the union of the query string and the
//! body, form-encoded or multipart.

use std::collections::hash_map::{Entry, HashMap};

use super::http::Incoming;

/// A file part of a multipart call: never signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// The param name.
    pub name: String,
    /// The file name the client gave.
    pub file_name: String,
    /// The part's content type.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The params of a call, in the order they came, and its files.
#[derive(Debug, Default)]
pub(crate) struct Form {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) files: Vec<UploadedFile>,
    /// Where each name stands in `params`: reading a call is linear in its params.
    index: HashMap<String, usize>,
    /// Some text is not UTF-8, the one encoding the platform reads (it refuses the call
    /// with code 47): the query, the form body, or a multipart text part.
    pub(crate) not_utf8: bool,
}

impl Form {
    /// The first value of `name`: a name sent twice keeps its first value.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.index.get(name).map(|&at| self.params[at].1.as_str())
    }

    pub(crate) fn push(&mut self, name: String, value: String) {
        if let Entry::Vacant(entry) = self.index.entry(name) {
            let name = entry.key().clone();
            entry.insert(self.params.len());
            self.params.push((name, value));
        }
    }
}

/// Form-encoded pairs.
pub(crate) fn parse_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

/// The params of a request target's query string.
pub(crate) fn read_query(target: &str) -> Form {
    let mut form = Form::default();
    if let Some((_, query)) = target.split_once('?') {
        form.not_utf8 |= !decodes_to_utf8(query.as_bytes());
        for (name, value) in parse_pairs(query.as_bytes()) {
            form.push(name, value);
        }
    }
    form
}

pub(crate) fn read_form(request: &Incoming) -> Result<Form, String> {
    let mut form = read_query(&request.target);
    let content_type = request.header("content-type").unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime == "application/x-www-form-urlencoded" || (mime.is_empty() && !request.body.is_empty()) {
        form.not_utf8 |= !decodes_to_utf8(&request.body);
        for (name, value) in form_urlencoded::parse(&request.body).into_owned() {
            form.push(name, value);
        }
    } else if mime == "multipart/form-data" {
        let boundary = parameter(content_type, "boundary").ok_or("a multipart body without a boundary")?;
        for part in multipart(&request.body, &boundary)? {
            match part.file_name {
                Some(file_name) => form.files.push(UploadedFile {
                    name: part.name,
                    file_name,
                    content_type: part.content_type.unwrap_or_else(|| "application/octet-stream".to_owned()),
                    bytes: part.bytes,
                }),
                None => {
                    let value = String::from_utf8(part.bytes).unwrap_or_else(|err| {
                        form.not_utf8 = true;
                        String::from_utf8_lossy(err.as_bytes()).into_owned()
                    });
                    form.push(part.name, value);
                }
            }
        }
    }
    Ok(form)
}

/// Whether form-encoded text decodes to UTF-8: its `%XX` escapes and raw bytes together
/// (the `&`, `=` and `+` between and within pairs are ASCII, so the whole is UTF-8 exactly
/// when each name and value is).
pub(crate) fn decodes_to_utf8(encoded: &[u8]) -> bool {
    percent_encoding::percent_decode(encoded).decode_utf8().is_ok()
}

/// The value of `name=value` (quoted or not) in a header such as Content-Type.
fn parameter(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|item| {
        let (key, value) = item.split_once('=')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim().trim_matches('"').to_owned())
    })
}

struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let start = find(body, delimiter.as_bytes()).ok_or("the multipart body has no boundary line")?;
    let mut rest = &body[start + delimiter.len()..];
    let separator = format!("\r\n--{boundary}");
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or("a boundary line does not end in CRLF")?;
        let head_end = find(rest, b"\r\n\r\n").ok_or("a part has no blank line after its headers")?;
        let head = std::str::from_utf8(&rest[..head_end]).map_err(|_| "a part's headers are not UTF-8")?;
        let after_head = &rest[head_end + 4..];
        let end = find(after_head, separator.as_bytes()).ok_or("the multipart body does not end with its boundary")?;
        let (mut name, mut file_name, mut content_type) = (None, None, None);
        for line in head.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.trim().eq_ignore_ascii_case("content-disposition") {
                name = parameter(value, "name");
                file_name = parameter(value, "filename");
            } else if key.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            }
        }
        let name = name.ok_or("a part has no name")?;
        parts.push(Part { name, file_name, content_type, bytes: after_head[..end].to_vec() });
        rest = &after_head[end + separator.len()..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(target: &str, content_type: Option<&str>, body: &[u8]) -> Incoming {
        Incoming {
            method: "POST".into(),
            target: target.into(),
            headers: content_type.map(|ct| vec![("Content-Type".to_owned(), ct.to_owned())]).unwrap_or_default(),
            body: body.to_vec(),
            http10: false,
        }
    }

    #[test]
    fn query_and_body_are_read_together() {
        let form = read_form(&incoming(
            "/router/rest?method=a.b&app_key=1",
            Some("application/x-www-form-urlencoded;charset=UTF-8"),
            "user=%E5%AE%9D&app_key=2&v=2.0".as_bytes(),
        ))
        .unwrap();
        assert_eq!(form.get("method"), Some("a.b"));
        assert_eq!(form.get("user"), Some("宝"));
        assert_eq!(form.get("app_key"), Some("1"));
        assert_eq!(form.params.len(), 4);
    }

    #[test]
    fn multipart_text_and_file_parts() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\na.b\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.bin\"\r\nContent-Type: image/png\r\n\r\n\x00\r\n\xff\r\n--XyZ--\r\n";
        let form = read_form(&incoming("/router/rest", Some("multipart/form-data; boundary=XyZ"), body)).unwrap();
        assert_eq!(form.get("method"), Some("a.b"));
        assert_eq!(form.files.len(), 1);
        assert_eq!(form.files[0].file_name, "x.bin");
        assert_eq!(form.files[0].content_type, "image/png");
        assert_eq!(form.files[0].bytes, b"\x00\r\n\xff");
    }

    #[test]
    fn broken_multipart_is_an_error() {
        for body in [
            &b"no boundary here"[..],
            b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\n\r\nx",
        ] {
            assert!(read_form(&incoming("/", Some("multipart/form-data; boundary=XyZ"), body)).is_err());
        }
    }
}
