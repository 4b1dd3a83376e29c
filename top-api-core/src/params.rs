//! The ordered list of parameters that is both signed and sent.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{DateTime, Decimal, Error, File, Json};

/// A call's parameters, in the order they were added.
///
/// The one list serves both the signature and the wire, so nothing is signed that is
/// not sent. A value that is empty or only white space is neither sent nor signed (as
/// the official SDKs do).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    // Every value lives in one buffer, so that a call's dozen params cost one growing
    // allocation rather than one each.
    text: String,
    pairs: Vec<(Cow<'static, str>, std::ops::Range<usize>)>,
    files: Vec<(Cow<'static, str>, File)>,
}

impl Params {
    /// An empty list.
    pub fn new() -> Params {
        Params::default()
    }

    /// An empty list with room for `capacity` params.
    pub fn with_capacity(capacity: usize) -> Params {
        Params { text: String::with_capacity(capacity * 16), pairs: Vec::with_capacity(capacity), files: Vec::new() }
    }

    /// Adds a param unless its value is blank.
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: impl AsRef<str>) {
        self.push_with(name, |text| {
            text.push_str(value.as_ref());
            true
        });
    }

    /// Adds the param whose value `write` appends to the buffer it is given (returning
    /// false for no value), unless that value is blank.
    fn push_with(&mut self, name: impl Into<Cow<'static, str>>, write: impl FnOnce(&mut String) -> bool) {
        let start = self.text.len();
        if write(&mut self.text) && !is_blank(&self.text[start..]) {
            self.pairs.push((name.into(), start..self.text.len()));
        } else {
            self.text.truncate(start);
        }
    }

    /// Adds a file part; it makes the call multipart and is never signed.
    pub fn push_file(&mut self, name: impl Into<Cow<'static, str>>, file: File) {
        self.files.push((name.into(), file));
    }

    /// Adds every param and file of `other`, in order.
    pub fn extend(&mut self, other: &Params) {
        for (name, value) in other.iter() {
            self.push(name.to_owned(), value);
        }
        for (name, file) in other.files() {
            self.push_file(name.to_owned(), file.clone());
        }
    }

    /// The file sent as `name`, if there is one.
    pub fn file(&self, name: &str) -> Option<&File> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// The file parts, in the order they were added.
    pub fn files(&self) -> impl ExactSizeIterator<Item = (&str, &File)> {
        self.files.iter().map(|(n, f)| (n.as_ref(), f))
    }

    /// Adds a typed value written as TOP expects; `None` and blank values are left out.
    pub fn push_value<P: Param + ?Sized>(&mut self, name: &'static str, value: &P) {
        self.push_with(name, |text| value.write_param(text));
    }

    /// Adds a structured value as compact JSON text; a value that serializes to `null`
    /// (`None`) is left out.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] when the value cannot be serialized as JSON (a map with
    /// non-string keys, say).
    pub fn push_json<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Error> {
        let text = serde_json::to_string(value).map_err(|err| Error::Param { name, reason: err.to_string() })?;
        if text != "null" {
            self.push(name, text);
        }
        Ok(())
    }

    /// Takes the first param `name` out of the list, giving its value.
    pub(crate) fn take(&mut self, name: &str) -> Option<String> {
        let index = self.pairs.iter().position(|(n, _)| n == name)?;
        let (_, range) = self.pairs.remove(index);
        Some(self.text[range].to_owned())
    }

    /// The value of `name`, if it is in the list.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, range)| &self.text[range.clone()])
    }

    /// True when the param or file `name` is in the list.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some() || self.file(name).is_some()
    }

    /// The text params as name/value pairs, in the order they were added.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, range)| (n.as_ref(), &self.text[range.clone()]))
    }

    /// How many text params there are.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// How many params and files there are.
    pub(crate) fn entries(&self) -> usize {
        self.pairs.len() + self.files.len()
    }

    /// True when there are no params and no files.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty() && self.files.is_empty()
    }

    /// Puts the text params in byte order of their names, those of one name in the order
    /// they were added: the order a call signs them in.
    pub(crate) fn sort_by_name(&mut self) {
        if !self.is_sorted_by_name() {
            self.pairs.sort_by(|(a, _), (b, _)| crate::sign::name_order(a, b));
        }
    }

    /// Whether the text params are in byte order of their names.
    pub(crate) fn is_sorted_by_name(&self) -> bool {
        self.pairs.is_sorted_by(|(a, _), (b, _)| crate::sign::name_order(a, b).is_le())
    }

    /// Empties the list for another use, unless its buffers grew past `most` bytes, its
    /// text's or its list's (false: let it go).
    pub(crate) fn clear_within(&mut self, most: usize) -> bool {
        let listed = self.pairs.capacity() * std::mem::size_of::<(Cow<'static, str>, std::ops::Range<usize>)>();
        if self.text.capacity() > most || listed > most {
            return false;
        }
        self.text.clear();
        self.pairs.clear();
        self.files.clear();
        true
    }
}

/// Whether a value is empty or only white space (`str::trim`'s), so neither sent nor
/// signed. A value that starts with a visible ASCII character, as nearly all do, is told
/// by its first byte.
#[inline]
pub(crate) fn is_blank(value: &str) -> bool {
    match value.as_bytes().first() {
        Some(&first) if first > b' ' && first.is_ascii() => false,
        _ => value.trim().is_empty(),
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A user's params may hold personal data; the names are enough to debug with.
        f.debug_list().entries(self.pairs.iter().map(|(n, _)| n).chain(self.files.iter().map(|(n, _)| n))).finish()
    }
}

/// Why a request could not be rebuilt from its params.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    name: String,
    problem: Option<String>,
}

impl ParamError {
    /// A required param is missing.
    pub fn missing(name: impl Into<String>) -> ParamError {
        ParamError { name: name.into(), problem: None }
    }

    /// A param's value cannot be read.
    pub fn invalid(name: impl Into<String>, problem: impl Into<String>) -> ParamError {
        ParamError { name: name.into(), problem: Some(problem.into()) }
    }

    /// The param's wire name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the param is missing rather than unreadable.
    pub fn is_missing(&self) -> bool {
        self.problem.is_none()
    }
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.problem {
            None => write!(f, "missing required param `{}`", self.name),
            Some(problem) => write!(f, "param `{}` is invalid: {problem}", self.name),
        }
    }
}

impl std::error::Error for ParamError {}

impl Params {
    /// Reads the param `name` as `T`, as the request struct declares it.
    ///
    /// # Errors
    ///
    /// [`ParamError`] when it is missing and `T` is not an `Option` or `Vec`, or when its
    /// text is not a `T`.
    pub fn read<T: Param>(&self, name: &str) -> Result<T, ParamError> {
        match self.get(name) {
            Some(text) => T::from_param(text).map_err(|problem| ParamError::invalid(name, problem)),
            None => T::absent().ok_or_else(|| ParamError::missing(name)),
        }
    }

    /// Reads the structured param `name`, sent as JSON text.
    ///
    /// # Errors
    ///
    /// [`ParamError`] when it is missing and `T` is not an `Option`, or is not JSON of a `T`.
    pub fn read_json<T: DeserializeOwned>(&self, name: &str) -> Result<T, ParamError> {
        match self.get(name) {
            Some(text) => serde_json::from_str(text).map_err(|err| ParamError::invalid(name, err.to_string())),
            // `null` reads as `None` for an `Option`, and fails for anything else.
            None => serde_json::from_str("null").map_err(|_| ParamError::missing(name)),
        }
    }
}

/// A type that can be a TOP parameter.
///
/// Implemented for `String` and `str`, every integer type, `bool`, `f32` and `f64`,
/// [`DateTime`], [`Decimal`], [`Json`], [`File`], and `Option`, `Vec` and slices of those.
/// A structured param is an [`Object`](crate::Object) marked `#[top(object)]`, or any
/// `Serialize` type marked `#[top(json)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a TOP parameter",
    label = "not a parameter type",
    note = "a param is a `String`, an integer, `bool`, a float, `top_api::DateTime`, `top_api::Decimal`, `top_api::Json`, `top_api::File`, or an `Option` or `Vec` of those",
    note = "a structured param is a `top_api::Object` marked `#[top(object)]`, or a `serde::Serialize` type marked `#[top(json)]`"
)]
pub trait Param {
    /// Writes the wire text of the value into `out`; returns false when there is no
    /// value to send (`None`).
    fn write_param(&self, out: &mut String) -> bool;

    /// Reads the value back from the param's text, as a gateway does.
    ///
    /// # Errors
    ///
    /// What is wrong with the text.
    fn from_param(text: &str) -> Result<Self, String>
    where
        Self: Sized;

    /// The value when the param is not sent: `None` when it is required.
    fn absent() -> Option<Self>
    where
        Self: Sized,
    {
        None
    }

    /// Whether a field of this type is a required param (everything but `Option`): a
    /// required param that would be sent blank is refused before any I/O.
    fn required() -> bool
    where
        Self: Sized,
    {
        true
    }

    /// Adds the value to `params` as `name`: as text by default, as a file part for
    /// [`File`].
    fn push_to(&self, name: &'static str, params: &mut Params) {
        params.push_value(name, self);
    }

    /// Reads the value named `name` back from `params`: the reverse of [`push_to`](Self::push_to).
    ///
    /// # Errors
    ///
    /// A [`ParamError`] naming the param that is missing or unreadable.
    fn read_from(params: &Params, name: &str) -> Result<Self, ParamError>
    where
        Self: Sized,
    {
        params.read(name)
    }
}

impl Param for str {
    fn write_param(&self, out: &mut String) -> bool {
        out.push_str(self);
        true
    }
}

impl Param for String {
    fn write_param(&self, out: &mut String) -> bool {
        self.as_str().write_param(out)
    }

    fn from_param(text: &str) -> Result<String, String> {
        Ok(text.to_owned())
    }
}

impl Param for Cow<'_, str> {
    fn write_param(&self, out: &mut String) -> bool {
        self.as_ref().write_param(out)
    }

    fn from_param(text: &str) -> Result<Self, String> {
        Ok(Cow::Owned(text.to_owned()))
    }
}

impl Param for bool {
    fn write_param(&self, out: &mut String) -> bool {
        out.push_str(if *self { "true" } else { "false" });
        true
    }

    /// `true` or `false`, in any case (the official Python SDK sends `True`).
    fn from_param(text: &str) -> Result<bool, String> {
        match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(true),
            f if f.eq_ignore_ascii_case("false") => Ok(false),
            other => Err(format!("expected `true` or `false`, found `{other}`")),
        }
    }
}

macro_rules! display_params {
    ($($ty:ty)*) => {
        $(
            impl Param for $ty {
                fn write_param(&self, out: &mut String) -> bool {
                    use std::fmt::Write as _;
                    // Writing into a String cannot fail.
                    let _ = write!(out, "{self}");
                    true
                }

                fn from_param(text: &str) -> Result<$ty, String> {
                    text.trim().parse().map_err(|err| format!("`{text}` is not a {}: {err}", stringify!($ty)))
                }
            }
        )*
    };
}

display_params!(f32 f64);

/// Integers, written as `Display` writes them (every call writes a few: without the
/// formatting machinery, at a fifth of its cost).
macro_rules! integer_params {
    ($($ty:ty)*) => {
        $(
            impl Param for $ty {
                fn write_param(&self, out: &mut String) -> bool {
                    out.push_str(itoa::Buffer::new().format(*self));
                    true
                }

                fn from_param(text: &str) -> Result<$ty, String> {
                    text.trim().parse().map_err(|err| format!("`{text}` is not a {}: {err}", stringify!($ty)))
                }
            }
        )*
    };
}

integer_params!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

impl Param for DateTime {
    fn write_param(&self, out: &mut String) -> bool {
        out.push_str(self.stamp().as_str());
        true
    }

    /// The forms the gateway reads a `Date` param in: `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd`
    /// (midnight), both in GMT+8, or epoch milliseconds.
    fn from_param(text: &str) -> Result<DateTime, String> {
        DateTime::parse_param(text)
    }
}

impl Param for Decimal {
    fn write_param(&self, out: &mut String) -> bool {
        out.push_str(self.as_str());
        true
    }

    fn from_param(text: &str) -> Result<Decimal, String> {
        Decimal::parse(text).map_err(|err| format!("`{text}`: {err}"))
    }
}

impl Param for Json {
    fn write_param(&self, out: &mut String) -> bool {
        out.push_str(self.as_str());
        true
    }

    /// Well-formed JSON text, as the gateway reads a `Json` param.
    fn from_param(text: &str) -> Result<Json, String> {
        match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => Ok(Json::new(text)),
            Err(err) => Err(format!("is not JSON: {err}")),
        }
    }
}

/// A borrowed value is written as its referent; it cannot be read back into a borrow.
impl<T: Param + ?Sized> Param for &T {
    fn write_param(&self, out: &mut String) -> bool {
        (**self).write_param(out)
    }

    fn from_param(_text: &str) -> Result<Self, String> {
        Err("a borrowed param cannot be read back; declare the field with an owned type".to_owned())
    }
}

impl<T: Param> Param for Box<T> {
    fn write_param(&self, out: &mut String) -> bool {
        (**self).write_param(out)
    }

    fn from_param(text: &str) -> Result<Box<T>, String> {
        T::from_param(text).map(Box::new)
    }

    fn absent() -> Option<Box<T>> {
        T::absent().map(Box::new)
    }
}

impl<T: Param> Param for Option<T> {
    fn write_param(&self, out: &mut String) -> bool {
        match self {
            Some(value) => value.write_param(out),
            None => false,
        }
    }

    fn from_param(text: &str) -> Result<Option<T>, String> {
        T::from_param(text).map(Some)
    }

    fn absent() -> Option<Option<T>> {
        Some(None)
    }

    fn required() -> bool {
        false
    }

    fn push_to(&self, name: &'static str, params: &mut Params) {
        if let Some(value) = self {
            value.push_to(name, params);
        }
    }

    fn read_from(params: &Params, name: &str) -> Result<Option<T>, ParamError> {
        match T::read_from(params, name) {
            Ok(value) => Ok(Some(value)),
            Err(err) if err.is_missing() => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// Lists are joined with `,`, as the platform reads them.
impl<T: Param> Param for [T] {
    fn write_param(&self, out: &mut String) -> bool {
        let mut any = false;
        for item in self {
            let mark = out.len();
            if any {
                out.push(',');
            }
            if item.write_param(out) {
                any = true;
            } else {
                out.truncate(mark);
            }
        }
        any
    }
}

impl<T: Param> Param for Vec<T> {
    fn write_param(&self, out: &mut String) -> bool {
        self.as_slice().write_param(out)
    }

    fn from_param(text: &str) -> Result<Vec<T>, String> {
        text.split(',').map(T::from_param).collect()
    }

    fn absent() -> Option<Vec<T>> {
        Some(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn len_counts_the_text_params_and_is_empty_the_files_too() {
        let mut params = Params::new();
        assert_eq!((params.len(), params.is_empty()), (0, true));
        params.push("a", "1");
        params.push("b", "2");
        params.push("blank", " ");
        assert_eq!((params.len(), params.is_empty()), (2, false));
        let mut files = Params::new();
        files.push_file("image", File::from_bytes("a.png", vec![1]));
        assert_eq!((files.len(), files.is_empty()), (0, false));
    }

    #[test]
    fn blank_values_are_left_out() {
        let mut params = Params::new();
        params.push("empty", "");
        params.push("spaces", " \t\n");
        params.push_value("none", &None::<i64>);
        params.push_value("no_items", &Vec::<String>::new());
        params.push_value("kept", " x ");
        assert_eq!(params.iter().collect::<Vec<_>>(), [("kept", " x ")]);
    }

    #[test]
    fn values_are_written_as_top_expects() {
        let mut params = Params::new();
        params.push_value("n", &-42_i64);
        params.push_value("big", &u64::MAX);
        params.push_value("flag", &true);
        params.push_value("x", &1.5_f64);
        params.push_value("list", &vec![1_i64, 2, 3]);
        params.push_value("names", &["a".to_owned(), "b".to_owned()][..]);
        params.push_value("sparse", &vec![None, Some(1_u8), None, Some(2)]);
        params.push_value("at", &DateTime::parse("2000-01-01 00:00:00").unwrap());
        params.push_json("obj", &serde_json::json!({"a": [1, 2], "b": "宝"})).unwrap();
        params.push_json("null", &None::<u8>).unwrap();
        let got: Vec<_> = params.iter().collect();
        assert_eq!(
            got,
            [
                ("n", "-42"),
                ("big", "18446744073709551615"),
                ("flag", "true"),
                ("x", "1.5"),
                ("list", "1,2,3"),
                ("names", "a,b"),
                ("sparse", "1,2"),
                ("at", "2000-01-01 00:00:00"),
                ("obj", r#"{"a":[1,2],"b":"宝"}"#),
            ]
        );
    }

    #[test]
    fn json_that_cannot_be_written_is_an_error() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1_u8], 1);
        let err = Params::new().push_json("filter", &map).unwrap_err();
        assert!(matches!(err, Error::Param { name: "filter", .. }), "{err:?}");
    }

    #[test]
    fn params_read_back_as_they_were_written() {
        let mut params = Params::new();
        params.push_value("n", &-42_i64);
        params.push_value("list", &vec![1_u8, 2, 3]);
        params.push_value("flag", &true);
        params.push_value("at", &DateTime::parse("2000-01-01 00:00:00").unwrap());
        params.push_json("obj", &vec!["宝"]).unwrap();
        assert_eq!(params.read::<i64>("n"), Ok(-42));
        assert_eq!(params.read::<Vec<u8>>("list"), Ok(vec![1, 2, 3]));
        assert_eq!(params.read::<bool>("flag"), Ok(true));
        assert_eq!(params.read::<DateTime>("at").map(|at| at.to_string()).as_deref(), Ok("2000-01-01 00:00:00"));
        assert_eq!(params.read_json::<Vec<String>>("obj"), Ok(vec!["宝".to_owned()]));
        assert_eq!(params.read::<Option<String>>("gone"), Ok(None));
        assert_eq!(params.read::<Vec<String>>("gone"), Ok(Vec::new()));
        assert_eq!(params.read_json::<Option<Vec<u8>>>("gone"), Ok(None));
        assert_eq!(params.read::<String>("gone"), Err(ParamError::missing("gone")));
        assert_eq!(params.read_json::<Vec<u8>>("gone"), Err(ParamError::missing("gone")));
        let err = params.read::<u8>("n").unwrap_err();
        assert_eq!((err.name(), err.is_missing()), ("n", false));
        assert!(err.to_string().starts_with("param `n` is invalid: `-42` is not a u8"), "{err}");
        assert!(params.read::<bool>("n").is_err());
    }

    #[test]
    fn debug_shows_names_only() {
        let mut params = Params::new();
        params.push("user", "身份证111111111111111111");
        assert_eq!(format!("{params:?}"), r#"["user"]"#);
    }

    proptest::proptest! {
        /// An integer param's text is the one `Display` writes.
        #[test]
        fn integers_are_written_as_display_writes_them(a in proptest::num::i64::ANY, b in proptest::num::u128::ANY, c in proptest::num::i8::ANY) {
            let text = |value: &dyn Fn(&mut String) -> bool| {
                let mut out = String::new();
                value(&mut out);
                out
            };
            proptest::prop_assert_eq!(text(&|out| a.write_param(out)), a.to_string());
            proptest::prop_assert_eq!(text(&|out| b.write_param(out)), b.to_string());
            proptest::prop_assert_eq!(text(&|out| c.write_param(out)), c.to_string());
            proptest::prop_assert_eq!(text(&|out| i128::MIN.write_param(out)), i128::MIN.to_string());
        }
    }

    #[test]
    fn a_list_is_kept_for_another_use_only_while_small() {
        let mut small = Params::new();
        small.push("user", "3");
        assert!(small.clear_within(1024));
        assert!(small.is_empty());
        let mut long_text = Params::new();
        long_text.push("text", "x".repeat(2048));
        assert!(!long_text.clear_within(1024));
        let mut many = Params::new();
        for _ in 0..100 {
            many.push("n", "1");
        }
        assert!(!many.clear_within(1024), "a hundred entries' list is past 1 KiB, whatever its text");
    }
}
