//! What the expansions of `#[top_api]` and `#[derive(Object)]` name; not a public API.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{self, Serialize, SerializeStruct, Serializer};

use crate::error::CheckError;
use crate::lenient::KeySeed;
use crate::{Date, DateTime, Decimal, Error, File, Json, Object, Param, ParamError, Params};

pub use core::result::Result;
pub use serde;

/// What a reader says of a blank text where a number, a boolean, a decimal or a date
/// belongs: inside an `Option`, the answer left the field out.
const BLANK: &str = "a blank value where a number, a boolean, a decimal or a date belongs";

/// The error for a blank value (see [`optional`]).
pub fn blank<E: de::Error>() -> E {
    E::custom(BLANK)
}

/// An `Option` field's value, `None` when the answer gave a blank text for it (`""`, or an
/// empty XML element) where a number, a boolean, a decimal or a date belongs.
pub fn optional<T, E: de::Error>(read: Result<Option<T>, E>) -> Result<Option<T>, E> {
    match read {
        Err(err) if err.to_string().contains(BLANK) => Ok(None),
        read => read,
    }
}

/// Where a value sits in a request, for the error that names it: `item.skus[2].price`.
/// Built on the stack as the checks descend, and written out only for an error.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Step,
}

#[derive(Clone, Copy)]
enum Step {
    Root,
    Name(&'static str),
    Index(usize),
}

impl<'a> Path<'a> {
    /// The place of a value checked on its own: members are named from there.
    pub const ROOT: Path<'static> = Path { parent: None, step: Step::Root };

    /// The param `name`.
    pub const fn param(name: &'static str) -> Path<'static> {
        Path { parent: None, step: Step::Name(name) }
    }

    /// The member `name` of the value here.
    pub fn field(&'a self, name: &'static str) -> Path<'a> {
        Path { parent: Some(self), step: Step::Name(name) }
    }

    /// The item `index` of the list here.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path { parent: Some(self), step: Step::Index(index) }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.step {
            Step::Root => Ok(()),
            Step::Name(name) if matches!(self.parent, Some(p) if !matches!(p.step, Step::Root)) => {
                write!(f, ".{name}")
            }
            Step::Name(name) => f.write_str(name),
            Step::Index(index) => write!(f, "[{index}]"),
        }
    }
}

/// How the expansion writes and reads one field. Only the constructors carry the
/// bound, so that a field type that cannot be a param raises one error, at the type,
/// however many times the expansion uses it.
pub struct FieldOps<T> {
    write: fn(&mut Params, &'static str, &T) -> Result<(), Error>,
    read: fn(&Params, &'static str) -> Result<T, ParamError>,
}

impl<T> FieldOps<T> {
    pub fn write(&self, params: &mut Params, name: &'static str, value: &T) -> Result<(), Error> {
        (self.write)(params, name, value)
    }

    pub fn read(&self, params: &Params, name: &'static str) -> Result<T, ParamError> {
        (self.read)(params, name)
    }
}

/// A plain field: written with [`Param`]; a required one must not end up unsent.
pub const fn param<T: Param>() -> FieldOps<T> {
    FieldOps {
        write: |params, name, value| {
            value.push_to(name, params);
            if T::required() && !params.contains(name) {
                return Err(Error::Check(CheckError::missing(name)));
            }
            Ok(())
        },
        read: |params, name| T::read_from(params, name),
    }
}

/// A `#[top(json)]` field: written and read as JSON text.
pub const fn json<T: JsonParam>() -> FieldOps<T> {
    FieldOps { write: |params, name, value| params.push_json(name, value), read: |params, name| params.read_json(name) }
}

/// A `#[top(object)]` field: an object (or a list or `Option` of them) whose members are
/// checked, then sent as JSON text. A blank one (`None`, an empty list) is not sent; a
/// required one (anything but an `Option`) must not be blank.
pub const fn object<T: ObjectParam>() -> FieldOps<T> {
    FieldOps {
        write: |params, name, value| {
            if value.is_blank() {
                if T::required() {
                    return Err(Error::Check(CheckError::missing(name)));
                }
                return Ok(());
            }
            value.check_member(&Path::param(name))?;
            params.push_json(name, value)
        },
        read: |params, name| params.read_json(name),
    }
}

/// A field marked `#[top(required)]` must have been sent.
pub fn check_sent(params: &Params, name: &'static str) -> Result<(), Error> {
    if params.contains(name) {
        Ok(())
    } else {
        Err(Error::Check(CheckError::missing(name)))
    }
}

#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[top(json)]` param",
    label = "not `Serialize` and `Deserialize`",
    note = "a `#[top(json)]` field's type derives `serde::Serialize` and `serde::Deserialize`"
)]
pub trait JsonParam: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> JsonParam for T {}

#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[top(object)]` param",
    label = "not an object type",
    note = "a `#[top(object)]` field is a `#[derive(top_api::Object)]` type, or an `Option` or `Vec` of one"
)]
pub trait ObjectParam: Serialize + DeserializeOwned + Member {}

impl<T: Serialize + DeserializeOwned + Member> ObjectParam for T {}

/// A value that can stand in an object's field: what counts as blank, and the checks of
/// its own members. `#[derive(Object)]` implements it for the type it derives.
pub trait Member {
    /// Whether the value counts as not given: `None`, an empty list, blank text.
    fn is_blank(&self) -> bool {
        false
    }

    /// Checks the members of an object, found at `at`.
    fn check_member(&self, _at: &Path<'_>) -> Result<(), CheckError> {
        Ok(())
    }

    /// Whether a field of this type is required when nothing says otherwise (everything
    /// but an `Option`).
    fn required() -> bool
    where
        Self: Sized,
    {
        true
    }
}

macro_rules! plain_members {
    ($($ty:ty)*) => {
        $(impl Member for $ty {})*
    };
}

plain_members!(bool i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 DateTime Date Decimal File serde_json::Value);

impl Member for String {
    fn is_blank(&self) -> bool {
        self.trim().is_empty()
    }
}

impl Member for Json {
    fn is_blank(&self) -> bool {
        self.as_str().trim().is_empty()
    }
}

impl<T: Member> Member for Option<T> {
    fn is_blank(&self) -> bool {
        self.as_ref().is_none_or(Member::is_blank)
    }

    fn check_member(&self, at: &Path<'_>) -> Result<(), CheckError> {
        match self {
            Some(value) => value.check_member(at),
            None => Ok(()),
        }
    }

    fn required() -> bool {
        false
    }
}

impl<T: Member> Member for Vec<T> {
    fn is_blank(&self) -> bool {
        self.is_empty()
    }

    fn check_member(&self, at: &Path<'_>) -> Result<(), CheckError> {
        for (index, item) in self.iter().enumerate() {
            item.check_member(&at.index(index))?;
        }
        Ok(())
    }
}

impl<T: Member + ?Sized> Member for Box<T> {
    fn is_blank(&self) -> bool {
        (**self).is_blank()
    }

    fn check_member(&self, at: &Path<'_>) -> Result<(), CheckError> {
        (**self).check_member(at)
    }
}

/// A member marked `#[top(required)]` must not be blank.
pub fn check_required<T: Member>(at: &Path<'_>, value: &T) -> Result<(), CheckError> {
    if value.is_blank() {
        Err(CheckError::missing(at.to_string()))
    } else {
        Ok(())
    }
}

/// Reads an object: the fields the answer has, by wire name; the rest keep their defaults.
pub fn read_object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_struct(T::NAME, T::FIELDS, ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object `{}`", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        // Keys mostly come in declaration order: look from just after the last match.
        let (fields, mut hint) = (T::FIELDS, 0);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let count = fields.len();
            match (0..count).map(|i| (hint + i) % count).find(|&i| fields[i] == key) {
                Some(index) => {
                    value.__read(index, &mut map)?;
                    hint = index + 1;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(value)
    }

    /// An object the answer wrote as an empty text (`""`, or an empty XML element).
    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        if text.trim().is_empty() {
            Ok(T::default())
        } else {
            Err(E::invalid_type(de::Unexpected::Str(text), &self))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

/// Writes an object: every field by its wire name, but those that are `None`.
pub fn write_object<T: Object, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let mut out = serializer.serialize_struct(T::NAME, T::FIELDS.len())?;
    value.__write(&mut out)?;
    out.end()
}

/// Writes one field, or skips it when it is `None`.
pub fn write_field<S: SerializeStruct, T: Serialize + ?Sized>(
    out: &mut S,
    name: &'static str,
    value: &T,
) -> Result<(), S::Error> {
    if value.serialize(NoneProbe).unwrap_or(false) {
        out.skip_field(name)
    } else {
        out.serialize_field(name, value)
    }
}

/// A serializer that only tells whether a value is `None`, without writing anything.
struct NoneProbe;

#[derive(Debug)]
struct NotNone;

impl fmt::Display for NotNone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not none")
    }
}

impl std::error::Error for NotNone {}

impl ser::Error for NotNone {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        NotNone
    }
}

macro_rules! not_none {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<bool, NotNone> {
            Ok(false)
        })*
    };
}

impl Serializer for NoneProbe {
    type Ok = bool;
    type Error = NotNone;
    type SerializeSeq = ser::Impossible<bool, NotNone>;
    type SerializeTuple = ser::Impossible<bool, NotNone>;
    type SerializeTupleStruct = ser::Impossible<bool, NotNone>;
    type SerializeTupleVariant = ser::Impossible<bool, NotNone>;
    type SerializeMap = ser::Impossible<bool, NotNone>;
    type SerializeStruct = ser::Impossible<bool, NotNone>;
    type SerializeStructVariant = ser::Impossible<bool, NotNone>;

    not_none! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_str(&str); serialize_bytes(&[u8]);
        serialize_unit(); serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_none(self) -> Result<bool, NotNone> {
        Ok(true)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<bool, NotNone> {
        Ok(false)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, _: &T) -> Result<bool, NotNone> {
        Ok(false)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, NotNone> {
        Ok(false)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotNone> {
        Err(NotNone)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotNone> {
        Err(NotNone)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NotNone> {
        Err(NotNone)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotNone> {
        Err(NotNone)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotNone> {
        Err(NotNone)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotNone> {
        Err(NotNone)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotNone> {
        Err(NotNone)
    }
}

/// A text whose length in characters can be limited by `max_len`.
#[diagnostic::on_unimplemented(
    message = "`max_len` does not apply to `{Self}`",
    label = "`max_len` limits text: `String` or `Option<String>`"
)]
pub trait Length {
    fn char_count(&self) -> Option<usize>;
}

impl Length for String {
    fn char_count(&self) -> Option<usize> {
        Some(self.chars().count())
    }
}

impl<T: Length> Length for Option<T> {
    fn char_count(&self) -> Option<usize> {
        self.as_ref().and_then(Length::char_count)
    }
}

/// A list whose size can be limited by `max_items`.
#[diagnostic::on_unimplemented(
    message = "`max_items` does not apply to `{Self}`",
    label = "`max_items` limits lists: `Vec<T>` or `Option<Vec<T>>`"
)]
pub trait Items {
    fn items(&self) -> Option<usize>;
}

impl<T> Items for Vec<T> {
    fn items(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T: Items> Items for Option<T> {
    fn items(&self) -> Option<usize> {
        self.as_ref().and_then(Items::items)
    }
}

/// A number that `min` and `max` can bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    fn below(self, other: Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a < b,
            (a, b) => a.as_f64() < b.as_f64(),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Number::Int(n) => n as f64,
            Number::Float(x) => x,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(n) => n.fmt(f),
            Number::Float(x) => x.fmt(f),
        }
    }
}

/// A value that `min` and `max` can bound.
#[diagnostic::on_unimplemented(
    message = "`min` and `max` do not apply to `{Self}`",
    label = "`min` and `max` bound numbers: an integer, a float, a `Decimal`, or an `Option` of one"
)]
pub trait Bounded {
    fn number(&self) -> Option<Number>;
}

macro_rules! bounded {
    ($variant:ident: $($ty:ty)*) => {
        $(
            impl Bounded for $ty {
                fn number(&self) -> Option<Number> {
                    Some(Number::$variant((*self).into()))
                }
            }
        )*
    };
}

bounded!(Int: i8 i16 i32 i64 u8 u16 u32 u64);
bounded!(Float: f32 f64);

impl Bounded for Decimal {
    fn number(&self) -> Option<Number> {
        Some(Number::Float(self.to_f64()))
    }
}

impl<T: Bounded> Bounded for Option<T> {
    fn number(&self) -> Option<Number> {
        self.as_ref().and_then(Bounded::number)
    }
}

pub fn check_max_len<T: Length>(at: &Path<'_>, value: &T, max: usize) -> Result<(), CheckError> {
    match value.char_count() {
        Some(len) if len > max => {
            Err(CheckError::invalid(at.to_string(), format!("is {len} characters long, over its limit of {max}")))
        }
        _ => Ok(()),
    }
}

pub fn check_max_items<T: Items>(at: &Path<'_>, value: &T, max: usize) -> Result<(), CheckError> {
    match value.items() {
        Some(items) if items > max => {
            Err(CheckError::invalid(at.to_string(), format!("has {items} items, over its limit of {max}")))
        }
        _ => Ok(()),
    }
}

pub fn check_range<T: Bounded>(
    at: &Path<'_>,
    value: &T,
    min: Option<Number>,
    max: Option<Number>,
) -> Result<(), CheckError> {
    let Some(number) = value.number() else { return Ok(()) };
    if matches!(number, Number::Float(x) if x.is_nan()) && (min.is_some() || max.is_some()) {
        return Err(CheckError::invalid(at.to_string(), "is NaN, which is within no bounds".to_owned()));
    }
    if let Some(min) = min.filter(|min| number.below(*min)) {
        return Err(CheckError::invalid(at.to_string(), format!("is {number}, under its minimum of {min}")));
    }
    if let Some(max) = max.filter(|max| max.below(number)) {
        return Err(CheckError::invalid(at.to_string(), format!("is {number}, over its maximum of {max}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_infinities_are_out_of_bounds() {
        let at = Path::param("ratio");
        let (min, max) = (Some(Number::Int(0)), Some(Number::Float(1.5)));
        assert!(check_range(&at, &0.5_f64, min, max).is_ok());
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.1, 1.6] {
            assert!(check_range(&at, &value, min, max).is_err(), "{value}");
        }
        assert!(check_range(&at, &f64::NAN, min, None).is_err());
        assert!(check_range(&at, &f64::NAN, None, max).is_err());
        // Unbounded, a NaN is the caller's business.
        assert!(check_range(&at, &f64::NAN, None, None).is_ok());
        // Integers beyond f64's exactness compare exactly.
        let big = Some(Number::Int(i128::from(i64::MAX)));
        assert!(check_range(&at, &i64::MAX, None, big).is_ok());
        assert!(check_range(&at, &(i64::MAX - 1), big, None).is_err());
    }

    #[test]
    fn paths_read_as_written() {
        let root = Path::param("item");
        let skus = root.field("skus");
        let second = skus.index(2);
        assert_eq!(second.field("price").to_string(), "item.skus[2].price");
        let alone = Path::ROOT;
        assert_eq!(alone.field("skus").index(0).field("id").to_string(), "skus[0].id");
        assert_eq!(alone.to_string(), "");
    }

    #[test]
    fn the_probe_tells_none_only() {
        let probe = |value: &dyn erased::Probe| value.is_none();
        assert!(probe(&None::<i64>));
        assert!(!probe(&Some(0_i64)));
        assert!(!probe(&Vec::<u8>::new()));
        assert!(!probe(&String::new()));
        assert!(!probe(&serde_json::json!({"a": 1})));
    }

    mod erased {
        pub trait Probe {
            fn is_none(&self) -> bool;
        }

        impl<T: serde::Serialize> Probe for T {
            fn is_none(&self) -> bool {
                self.serialize(super::NoneProbe).unwrap_or(false)
            }
        }
    }
}
