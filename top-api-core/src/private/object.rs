//! How `#[derive(Object)]` types are read and written: by their fields' wire names, the
//! fields an answer leaves out keeping their defaults, `None` fields not written.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{self, Serialize, SerializeStruct, Serializer};

use crate::lenient::{FieldFinder, FieldSeed, OBJECT};
use crate::Object;

/// Reads an object: the fields the answer has, by wire name; the rest keep their defaults.
pub fn read_object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_struct(OBJECT, T::FIELDS, ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object `{}`", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        let mut finder = FieldFinder::new(T::FIELDS);
        // A key the type has no field for is `usize::MAX`, whose value `__read` skips.
        while let Some(index) = map.next_key_seed(FieldSeed(&mut finder))? {
            value.__read(index, &mut map)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
