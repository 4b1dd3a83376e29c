//! How a call's params travel: a form body, or a multipart one when it carries files.

use std::borrow::Cow;

use crate::{File, Request};

pub(crate) const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=UTF-8";

/// Writes a call's form body into `form` (its content type is [`FORM_CONTENT_TYPE`]): `sign`
/// first, then `varying` (the system params that change from call to call, the session
/// among them, each with whether it is form-encoded already), then `constant` (the others,
/// encoded once by the client, each after a `&`), then the API's own `params`. The
/// secrets (the signature and the session) so stand in the first bytes of the body,
/// whatever the params after them. The signature (upper-case hex) and the system params'
/// names are carried as they are: they hold nothing a form escapes.
pub(crate) fn form<'a>(
    form: &mut Vec<u8>,
    sign: &str,
    varying: impl Iterator<Item = (&'static str, &'a str, bool)>,
    constant: &[u8],
    params: impl Iterator<Item = (&'a str, &'a str)>,
) {
    debug_assert!(sign.bytes().all(is_plain), "a signature is hex");
    form.reserve(512);
    form.extend_from_slice(b"sign=");
    form.extend_from_slice(sign.as_bytes());
    for (name, value, encoded) in varying {
        debug_assert!(name.bytes().all(is_plain), "a system param's name is plain");
        form.push(b'&');
        form.extend_from_slice(name.as_bytes());
        form.push(b'=');
        if encoded {
            form.extend_from_slice(value.as_bytes());
        } else {
            form_encode(form, value);
        }
    }
    form.extend_from_slice(constant);
    for (name, value) in params {
        form_pair(form, name, value);
    }
}

/// Appends `&name=value`, form-encoded.
pub(crate) fn form_pair(out: &mut Vec<u8>, name: &str, value: &str) {
    out.push(b'&');
    form_encode(out, name);
    out.push(b'=');
    form_encode(out, value);
}

/// Appends `text` form-encoded (`application/x-www-form-urlencoded`, as the WHATWG URL
/// standard and `form_urlencoded` write it: space as `+`, `*-._` and alphanumerics as they
/// are, every other byte as `%XX`). Every call encodes a dozen params: the profile showed the
/// general-purpose encoder at a tenth of a call's instructions, this one at a fraction.
///
/// The bytes that go as they are are copied a run at a time: a byte pushed at a time cost
/// about ten instructions a byte, a tenth of a call.
pub(crate) fn form_encode(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    // Most texts (every name, most values) need no escape: one scan and one copy.
    let plain = bytes.iter().position(|&byte| !is_plain(byte)).unwrap_or(bytes.len());
    out.extend_from_slice(&bytes[..plain]);
    if plain < bytes.len() {
        form_encode_rest(out, &bytes[plain..]);
    }
}

/// [`form_encode`] from the first byte a form escapes on.
#[inline(never)]
fn form_encode_rest(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Room for every byte as it is; an escape grows it.
    out.reserve(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        let plain = rest.iter().position(|&byte| !is_plain(byte)).unwrap_or(rest.len());
        out.extend_from_slice(&rest[..plain]);
        let Some((&byte, after)) = rest[plain..].split_first() else { break };
        if byte == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]]);
        }
        rest = after;
    }
}

/// A call's method, and whether each of its bytes is plain ([`is_plain_text`]): a form
/// then carries it as it is, and the key of its answer holds it as it is (no quote, no
/// escape in it).
#[derive(Clone, Copy)]
pub(crate) struct Method<'a> {
    pub(crate) name: &'a str,
    pub(crate) plain: bool,
    /// The member its answer comes in, when known as its code was compiled (a typed API's
    /// [`Request::RESPONSE_KEY`]); empty otherwise.
    pub(crate) response_key: &'a str,
}

impl<'a> Method<'a> {
    /// A method known when a call is made: its bytes looked at once.
    pub(crate) fn named(name: &'a str) -> Method<'a> {
        Method { name, plain: is_plain_text(name), response_key: "" }
    }

    /// A typed API's method, whether plain told when its code is compiled (a method has dots
    /// and letters, which are plain; a hand-written `Request` may name any).
    #[inline]
    pub(crate) fn of<R: Request>() -> Method<'static> {
        Method { name: R::METHOD, plain: PlainMethod::<R>::PLAIN, response_key: R::RESPONSE_KEY }
    }
}

/// Whether a typed API's method is plain: a constant of its code.
struct PlainMethod<R>(std::marker::PhantomData<R>);

impl<R: Request> PlainMethod<R> {
    const PLAIN: bool = is_plain_text(R::METHOD);
}

/// A byte a form carries as it is: one load from a table, not a chain of ranges.
#[inline]
fn is_plain(byte: u8) -> bool {
    PLAIN[usize::from(byte)]
}

/// Whether a form carries every byte of `text` as it is (see [`form_encode`]).
pub(crate) const fn is_plain_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !PLAIN_BYTES[bytes[at] as usize] {
            return false;
        }
        at += 1;
    }
    true
}

/// Which bytes a form carries as they are, as read at run time: see [`PLAIN_BYTES`].
static PLAIN: [bool; 256] = PLAIN_BYTES;

/// Which bytes a form carries as they are: ASCII letters, digits and `*-._`.
const PLAIN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_');
        byte += 1;
    }
    table
};

/// A `multipart/form-data` body and its content type: `sign` a part first (with the
/// session among the system params before the API's own, the secrets stand in the first
/// bytes), each text param a part, each file a part with its file name and content type.
/// Files are not signed.
pub(crate) fn multipart<'a, 'f>(
    params: impl Iterator<Item = (&'a str, &'a str)>,
    files: impl Iterator<Item = (&'f str, &'f File)>,
    sign: &'a str,
) -> (Cow<'static, str>, Vec<u8>) {
    // A boundary that no content will hold: 128 random bits.
    let boundary = format!("top-api-{:016x}{:016x}", crate::random::bits(), crate::random::bits());
    let mut body = Vec::with_capacity(1024);
    let quote = |text: &str| text.replace('"', "%22").replace(['\r', '\n'], " ");
    for (name, value) in std::iter::once(("sign", sign)).chain(params) {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n", quote(name)).as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    for (name, file) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                quote(name),
                quote(file.file_name()),
                quote(file.content_type_str())
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (Cow::Owned(format!("multipart/form-data; boundary={boundary}")), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_form_urlencoded() {
        let samples = ["", "plain", "a b", "宝贝 & co=1", "*-._~!'()%+/?#[]@", "\r\n\t\u{0}", "😀"];
        for sample in samples {
            let mut ours = Vec::new();
            form_encode(&mut ours, sample);
            let theirs: String = form_urlencoded::byte_serialize(sample.as_bytes()).collect();
            assert_eq!(String::from_utf8(ours).unwrap(), theirs, "{sample:?}");
        }
        let every: String = (0..=0x7f_u8).map(char::from).chain(['é', '宝']).collect();
        let mut ours = Vec::new();
        form_encode(&mut ours, &every);
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            form_urlencoded::byte_serialize(every.as_bytes()).collect::<String>()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_encoded_as_form_urlencoded_encodes_it(text in "\\PC*", runs in "[ a-z%&=]{0,40}") {
            for sample in [text.as_str(), runs.as_str()] {
                let mut ours = b"k=".to_vec();
                form_encode(&mut ours, sample);
                let theirs: String = form_urlencoded::byte_serialize(sample.as_bytes()).collect();
                proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), format!("k={theirs}"));
            }
        }
    }
}
