//! Request signatures, as the TOP gateway computes them.
//!
//! The client signs every call itself; this module is public for users who check
//! signatures on their own (a callback endpoint, a debugging session).

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

pub use crate::settings::SignMethod;

/// Signs name/value pairs the way the gateway does.
///
/// The pairs are every parameter that is sent except `sign` itself and file
/// parameters; their order does not matter. They are sorted by name in byte order,
/// concatenated as `name1value1name2value2…` with raw (not percent-encoded) values,
/// and digested; the result is upper-case hex.
///
/// # Examples
///
/// ```
/// use top_api::{sign::sign, SignMethod};
///
/// let params = [
///     ("app_key", "12345678"),
///     ("method", "taobao.item.seller.get"),
///     ("timestamp", "2016-01-01 12:00:00"),
///     ("format", "json"),
///     ("v", "2.0"),
///     ("sign_method", "md5"),
///     ("session", "test"),
///     ("fields", "num_iid,title,nick,price,num"),
///     ("num_iid", "11223344"),
/// ];
/// assert_eq!(sign(params, "helloworld", SignMethod::Md5), "66987CB115214E59E6EC978214934FB8");
/// ```
pub fn sign<I>(pairs: I, secret: &str, method: SignMethod) -> String
where
    I: IntoIterator,
    I::Item: Pair,
{
    sign_string(&string_to_sign(pairs, ""), secret, method)
}

/// Signs a call whose body is signed with its params: a batch (its system params) or a
/// Qimen call (every param of its query string), the params as [`sign`] does, then the
/// whole request body appended after the last value, before the closing secret (`md5`) or
/// as the last input of the HMAC.
pub fn sign_batch<I>(pairs: I, body: &str, secret: &str, method: SignMethod) -> String
where
    I: IntoIterator,
    I::Item: Pair,
{
    sign_string(&string_to_sign(pairs, body), secret, method)
}

/// [`sign_batch`] with a client's [`Key`].
pub(crate) fn sign_with<I>(pairs: I, tail: &str, secret: &str, key: &Key) -> String
where
    I: IntoIterator,
    I::Item: Pair,
{
    key.sign(string_to_sign(pairs, tail).as_bytes(), secret)
}

/// The string that is digested: `name1value1name2value2…` sorted by name in byte order,
/// then `tail` (a batch's body; empty otherwise). Print it to debug a signature error; it
/// holds the session, but not the secret.
pub fn string_to_sign<I>(pairs: I, tail: &str) -> String
where
    I: IntoIterator,
    I::Item: Pair,
{
    let mut pairs: Vec<I::Item> = pairs.into_iter().collect();
    pairs.sort_unstable_by(|a, b| name_order(a.name(), b.name()));
    let size = pairs.iter().map(|p| p.name().len() + p.value().len()).sum::<usize>() + tail.len();
    let mut text = String::with_capacity(size);
    for pair in &pairs {
        text.push_str(pair.name());
        text.push_str(pair.value());
    }
    text.push_str(tail);
    text
}

/// The byte order of two names, told by the first bytes where they differ, as nearly all
/// params' names do: every call sorts a dozen.
#[inline]
pub(crate) fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// A name/value pair to sign: `(name, value)` of anything that reads as text, or a
/// reference to one, so that a `&[(String, String)]` signs without copying.
pub trait Pair {
    /// The param's name.
    fn name(&self) -> &str;
    /// The param's value.
    fn value(&self) -> &str;
}

impl<K: AsRef<str>, V: AsRef<str>> Pair for (K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }

    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

impl<P: Pair + ?Sized> Pair for &P {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn value(&self) -> &str {
        (**self).value()
    }
}

/// Digests an already assembled string to sign (step 5 and 6 of the protocol).
pub fn sign_string(text: &str, secret: &str, method: SignMethod) -> String {
    sign_bytes(text.as_bytes(), secret, method)
}

/// Signs a call's params given as two runs, each in byte order of names (a call's system
/// params and its own): merged as they are signed, without a sort; the params of one name
/// in `first` before those in `second`. The string to sign is written in the thread's
/// scratch buffer.
pub(crate) fn sign_runs<'a>(
    first: impl Iterator<Item = (&'a str, &'a str)>,
    second: impl Iterator<Item = (&'a str, &'a str)>,
    secret: &str,
    key: &Key,
) -> String {
    let mut text = crate::scratch::bytes();
    let mut second = second.peekable();
    let mut write = |(name, value): (&str, &str)| {
        text.extend_from_slice(name.as_bytes());
        text.extend_from_slice(value.as_bytes());
    };
    for pair in first {
        // Those of `second` named before it, then it.
        while let Some(&earlier) = second.peek().filter(|next| name_order(next.0, pair.0).is_lt()) {
            write(earlier);
            second.next();
        }
        write(pair);
    }
    second.for_each(write);
    let sign = key.sign(&text, secret);
    crate::scratch::give_back(text);
    sign
}

/// [`sign_string`] of bytes.
fn sign_bytes(text: &[u8], secret: &str, method: SignMethod) -> String {
    match method {
        SignMethod::Md5 => md5_around(secret, &[text]),
        SignMethod::Hmac => Keyed::<Hmac<Md5>>::new(secret).sign_once(text, secret),
        SignMethod::HmacSha256 => Keyed::<Hmac<Sha256>>::new(secret).sign_once(text, secret),
    }
}

/// An app secret made ready for a sign method once, when a client is built, and the work of
/// the last signature kept for the next.
///
/// - An HMAC's key is digested into its inner and outer states when the key is made (two of
///   the five or six compressions of a call's HMAC); `md5`'s leading secret likewise.
/// - A digest works in blocks of 64 bytes, and the first block of a call's input is nearly
///   always the last call's: it holds the secret (`md5`) and the string to sign's first
///   params (`app_key`, `format`, often `method`), which a client sends alike. The state
///   after it is kept with the bytes it took, and a call whose first block is the same
///   starts from a copy of it: one compression fewer (a fifth of an `md5` signature's).
///
/// One kind of digest a key: a call runs the code of its own method only.
///
/// Its states are as good as the secret: they stay in the client, as the secret does.
pub(crate) enum Key {
    Md5(Keyed<Md5>),
    Hmac(Keyed<Hmac<Md5>>),
    HmacSha256(Keyed<Hmac<Sha256>>),
}

/// A [`Key`] of one digest.
pub(crate) struct Keyed<D> {
    /// The digest with what precedes the string to sign taken in.
    start: D,
    /// How many bytes of a string to sign complete the first block after `start`.
    head: usize,
    /// The state after the first block of the last string to sign, and that string's first
    /// `head` bytes. Shared by the client's threads: one that finds it taken goes without.
    last: std::sync::Mutex<Option<([u8; BLOCK], D)>>,
}

/// The block size of MD5 and SHA-256, and so of their HMACs.
const BLOCK: usize = 64;

/// A digest of a sign method, under way.
pub(crate) trait Digesting: Clone {
    /// The digest with what precedes a string to sign taken in: the secret (`md5`), the key
    /// (HMAC); and how many bytes that was past a whole block.
    fn start(secret: &str) -> (Self, usize);

    fn take_in(&mut self, bytes: &[u8]);

    /// The signature: for `md5`, after the closing `secret`.
    fn finish(self, secret: &str) -> String;
}

impl Digesting for Md5 {
    fn start(secret: &str) -> (Md5, usize) {
        (Md5::new_with_prefix(secret.as_bytes()), secret.len() % BLOCK)
    }

    fn take_in(&mut self, bytes: &[u8]) {
        Digest::update(self, bytes);
    }

    fn finish(mut self, secret: &str) -> String {
        Digest::update(&mut self, secret.as_bytes());
        upper_hex(&self.finalize())
    }
}

/// HMAC-MD5 and HMAC-SHA256: the key's pad is a whole block.
macro_rules! hmac_digesting {
    ($($digest:ty)*) => {$(
        impl Digesting for Hmac<$digest> {
            fn start(secret: &str) -> (Self, usize) {
                (Mac::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length"), 0)
            }

            fn take_in(&mut self, bytes: &[u8]) {
                Mac::update(self, bytes);
            }

            fn finish(self, _secret: &str) -> String {
                upper_hex(&self.finalize().into_bytes())
            }
        }
    )*};
}

hmac_digesting!(Md5 Sha256);

impl Key {
    pub(crate) fn new(secret: &str, method: SignMethod) -> Key {
        match method {
            SignMethod::Md5 => Key::Md5(Keyed::new(secret)),
            SignMethod::Hmac => Key::Hmac(Keyed::new(secret)),
            SignMethod::HmacSha256 => Key::HmacSha256(Keyed::new(secret)),
        }
    }

    /// The signature of `text` (a string to sign); `secret` is the one this key was made
    /// from, which the `md5` method digests after the text. The state after its first block
    /// is kept for the next call.
    pub(crate) fn sign(&self, text: &[u8], secret: &str) -> String {
        match self {
            Key::Md5(keyed) => keyed.sign(text, secret),
            Key::Hmac(keyed) => keyed.sign(text, secret),
            Key::HmacSha256(keyed) => keyed.sign(text, secret),
        }
    }
}

impl<D: Digesting> Keyed<D> {
    fn new(secret: &str) -> Keyed<D> {
        let (start, before) = D::start(secret);
        Keyed { start, head: BLOCK - before, last: std::sync::Mutex::new(None) }
    }

    /// See [`Key::sign`].
    fn sign(&self, text: &[u8], secret: &str) -> String {
        let Some((head, rest)) = text.split_at_checked(self.head) else {
            return self.sign_once(text, secret);
        };
        let mut state = match self.last.try_lock() {
            Ok(mut last) => match &*last {
                Some((block, state)) if block[..self.head] == *head => state.clone(),
                _ => {
                    let mut state = self.start.clone();
                    state.take_in(head);
                    let mut block = [0; BLOCK];
                    block[..self.head].copy_from_slice(head);
                    *last = Some((block, state.clone()));
                    state
                }
            },
            // Taken by another thread (or poisoned: nothing is left half written in it).
            Err(_) => return self.sign_once(text, secret),
        };
        state.take_in(rest);
        state.finish(secret)
    }

    /// [`Keyed::sign`] without the last call's state: for a text shorter than the rest of
    /// the first block, or while another thread holds the state.
    fn sign_once(&self, text: &[u8], secret: &str) -> String {
        let mut state = self.start.clone();
        state.take_in(text);
        state.finish(secret)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Its states are as good as the secret.
        f.write_str("Key(***)")
    }
}

/// The upper hex MD5 of `secret`, then `parts` in order, then `secret` again: the `md5`
/// sign method, over bytes (an SPI call's body is appended in its own charset).
pub(crate) fn md5_around(secret: &str, parts: &[&[u8]]) -> String {
    let mut digest = Md5::new();
    digest.update(secret.as_bytes());
    for part in parts {
        digest.update(part);
    }
    digest.update(secret.as_bytes());
    upper_hex(&digest.finalize())
}

/// The digest in upper-case hex: two digits a byte, placed in a buffer of the final size
/// (a `String` grown a `char` at a time cost a tenth of the digest).
fn upper_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = vec![0; bytes.len() * 2];
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_methods_show_as_their_wire_names() {
        for (method, wire) in
            [(SignMethod::Md5, "md5"), (SignMethod::Hmac, "hmac"), (SignMethod::HmacSha256, "hmac-sha256")]
        {
            assert_eq!(method.to_string(), wire);
            assert_eq!(method.as_str(), wire);
            assert_eq!(SignMethod::from_wire(wire), Some(method));
        }
    }

    // The platform's published example and the two HMACs.
    fn item_seller_get(method: SignMethod) -> Vec<(&'static str, &'static str)> {
        vec![
            ("app_key", "12345678"),
            ("method", "taobao.item.seller.get"),
            ("timestamp", "2016-01-01 12:00:00"),
            ("format", "json"),
            ("v", "2.0"),
            ("sign_method", method.as_str()),
            ("session", "test"),
            ("fields", "num_iid,title,nick,price,num"),
            ("num_iid", "11223344"),
        ]
    }

    #[test]
    fn md5_known_answer() {
        let got = sign(item_seller_get(SignMethod::Md5), "helloworld", SignMethod::Md5);
        assert_eq!(got, "66987CB115214E59E6EC978214934FB8");
    }

    #[test]
    fn hmac_md5_known_answer() {
        let got = sign(item_seller_get(SignMethod::Hmac), "helloworld", SignMethod::Hmac);
        assert_eq!(got, "D56D7858309C31B6251083A874D48273");
    }

    #[test]
    fn hmac_sha256_known_answer() {
        let got = sign(item_seller_get(SignMethod::HmacSha256), "helloworld", SignMethod::HmacSha256);
        assert_eq!(got, "04DB15AD0774D5CFCE2C837DE43E3FCEA9011ED74F3038FB6AB5F3C4CEA119E8");
    }

    #[test]
    fn second_published_md5_example() {
        let params = [
            ("method", "taobao.user.seller.get"),
            ("timestamp", "2013-05-06 13:52:03"),
            ("format", "xml"),
            ("app_key", "test"),
            ("v", "2.0"),
            ("fields", "nick"),
            ("sign_method", "md5"),
            ("session", "test"),
        ];
        assert_eq!(sign(params, "test", SignMethod::Md5), "72CB4D809B375A54502C09360D879C64");
    }

    // Chinese values and a Chinese secret are signed as UTF-8 bytes. The expected
    // digests were computed independently with Python's hashlib and hmac modules.
    #[test]
    fn chinese_values_and_secret() {
        let cases = [
            (SignMethod::Md5, "1B4643BF6346D7CAA015F26E7086666C"),
            (SignMethod::Hmac, "9D48465FCD8562A2B52655895BEE5C05"),
            (SignMethod::HmacSha256, "576E11383422D9206DF179C2BA31E229A2B3EC7FAAD87402FEA0E287A399C93F"),
        ];
        for (method, expected) in cases {
            let params = [
                ("app_key", "12345678"),
                ("method", "alibaba.shuqi.original.backend.ognvaliauthor.authorinfo"),
                ("timestamp", "2021-07-22 23:00:46"),
                ("format", "json"),
                ("v", "2.0"),
                ("sign_method", method.as_str()),
                ("action_name", "脆脆鲨很好new"),
                ("encrypt_list", "敏感词:命中规则"),
                ("user_id", "406797230"),
            ];
            assert_eq!(sign(params, "密钥secret", method), expected, "{method}");
        }
    }

    // The batch vector (computed, not published).
    #[test]
    fn batch_known_answer() {
        let system = [
            ("app_key", "12345678"),
            ("format", "json"),
            ("sign_method", "md5"),
            ("timestamp", "2016-01-01 12:00:00"),
            ("v", "2.0"),
        ];
        let body = "method=taobao.time.get\r\n-S-\r\nmethod=taobao.appip.get";
        assert_eq!(sign_batch(system, body, "helloworld", SignMethod::Md5), "658F8C31B698EF96546AD379BDA427C3");
    }

    #[test]
    fn sorting_is_byte_order() {
        // `A-Z` < `_` < `a-z`: a case-insensitive sort would put `a_b` before `aB`.
        let got = sign([("a_b", "1"), ("aB", "2"), ("ab", "3")], "s", SignMethod::Md5);
        assert_eq!(got, sign_string("aB2a_b1ab3", "s", SignMethod::Md5));
    }

    #[test]
    fn wire_names_round_trip() {
        for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
            assert_eq!(SignMethod::from_wire(method.as_str()), Some(method));
        }
        assert_eq!(SignMethod::from_wire("sha1"), None);
    }

    proptest::proptest! {
        /// Two runs in name order, merged as they are signed, sign as the sort of all does
        /// (names alike in both runs: the first run's first, as a stable sort puts them).
        #[test]
        fn two_sorted_runs_sign_as_their_sort_does(
            mut first in proptest::collection::vec(("[a-c_A][a-c]{0,2}", "[x-z]{0,2}"), 0..8),
            mut second in proptest::collection::vec(("[a-c_A][a-c]{0,2}", "[x-z]{0,2}"), 0..8),
            method in proptest::sample::select(vec![SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256]),
        ) {
            first.sort_by(|a, b| name_order(&a.0, &b.0));
            second.sort_by(|a, b| name_order(&a.0, &b.0));
            let mut all: Vec<_> = first.iter().chain(&second).collect();
            all.sort_by(|a, b| name_order(&a.0, &b.0));
            let text: String = all.iter().map(|(name, value)| format!("{name}{value}")).collect();
            let (a, b) = (first.iter().map(|(n, v)| (n.as_str(), v.as_str())), second.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            proptest::prop_assert_eq!(
                sign_runs(a, b, "secret", &Key::new("secret", method)),
                sign_string(&text, "secret", method)
            );
        }

        /// A client's key signs each of a run of texts as a digest made afresh for it does,
        /// whatever the last text signed: the texts here often share their first block, or
        /// most of it, and secrets are of every length around the block's.
        #[test]
        fn a_key_signs_every_text_as_a_fresh_digest_does(
            secret in "[a-f0-9]{0,140}",
            head in "[a-c]{0,70}",
            tails in proptest::collection::vec(("[a-c]{0,3}", "[a-z0-9 ]{0,100}"), 1..8),
            method in proptest::sample::select(vec![SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256]),
        ) {
            let key = Key::new(&secret, method);
            for (change, tail) in &tails {
                // The same head, or one changed at some byte of it.
                let text = format!("{}{change}{}{tail}", &head[..head.len() / 2], &head[head.len() / 2..]);
                proptest::prop_assert_eq!(key.sign(text.as_bytes(), &secret), fresh(&text, &secret, method));
            }
        }
    }

    /// The signature of `text` by the digest crates alone, as the protocol says.
    fn fresh(text: &str, secret: &str, method: SignMethod) -> String {
        let bytes: Vec<u8> = match method {
            SignMethod::Md5 => Md5::digest(format!("{secret}{text}{secret}")).to_vec(),
            SignMethod::Hmac => {
                let mut mac = <Hmac<Md5> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
                mac.update(text.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            SignMethod::HmacSha256 => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
                mac.update(text.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
        };
        bytes.iter().map(|b| format!("{b:02X}")).collect()
    }

    #[test]
    fn a_key_shared_by_threads_signs_each_text_as_a_fresh_digest_does() {
        let secret = "0123456789abcdef0123456789abcdef";
        for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
            let key = Key::new(secret, method);
            std::thread::scope(|scope| {
                for thread in 0..4 {
                    let key = &key;
                    scope.spawn(move || {
                        for call in 0..300 {
                            // Two first blocks taking turns, and tails of every thread.
                            let text = format!(
                                "app_key12345678formatjsonmethodtaobao.{}.get{thread}timestamp{call}",
                                ["trades", "items"][call % 2]
                            );
                            assert_eq!(key.sign(text.as_bytes(), secret), fresh(&text, secret, method), "{method}");
                        }
                    });
                }
            });
        }
    }
}
