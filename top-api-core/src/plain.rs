//! The plain pass: a JSON answer read by serde_json straight into its type, for the
//! answers that need none of the lenient reader's help.
//!
//! Most answers fit their types: numbers where numbers belong, every key a field of its
//! object. For them the lenient adapter (`crate::lenient`) is frames around every value
//! that change nothing. The plain pass reads such an answer without them and gives up, at
//! the first thing the adapter would have had to help with, by failing; the answer is then
//! read again through the adapter, from the start, as if the plain pass had not been tried.
//! So that giving up is all it can do differently, it reads a value only where the adapter
//! would read the same value the same way:
//! - a struct only of an object type (`#[derive(Object)]`), whose keys must each be one of
//!   its fields (an unknown key is a drift, which the adapter notes): any other struct
//!   gives up (the adapter makes up its left-out fields, and notes its unknown keys);
//! - a list as a JSON array, the one-member wrapper object `{"mark_item":[…]}`, `{}`, null
//!   or a blank text, as the adapter reads them;
//! - every scalar as serde_json reads it for the type, which is strict: a numeric text
//!   where a number belongs, a number where a text belongs, a blank where a date belongs
//!   fail, and the adapter then reads them leniently;
//! - at the top of the payload (a simplified answer's root), `request_id` is kept aside for
//!   the caller, as the adapter keeps it; a payload with a field of that name, or an
//!   `error_response` among its members, gives up.
//!
//! A failing `Option` or `Vec` field of an object type is not left out here either
//! ([`active`] tells the readers of those fields): its drift is the adapter's to note.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::lenient::{Capture, Empty, KeySeed, OBJECT};

thread_local! {
    /// Up while the plain pass reads an answer on this thread.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the plain pass is reading: an object's reader then gives up on a key it has no
/// field for, and an `Option` or `Vec` field's reader on a value that does not fit.
#[inline]
pub(crate) fn active() -> bool {
    ACTIVE.with(Cell::get)
}

/// How many answers of a type the plain pass leaves alone on a thread after giving up on
/// one: an API whose answers need the adapter (a number always sent as text, say) would
/// otherwise pay for a pass given up on every call.
pub(crate) const REST: u16 = 64;

/// Types the plain pass gave up on lately on this thread, each with how many answers it is
/// still to leave alone; a type's slot is told by the address of its name. A type that
/// shares another's slot only has the pass tried or rested more often: what is read does
/// not change.
type Rested = [Cell<(usize, u16)>; 32];

thread_local! {
    static RESTED: Rested = const { [const { Cell::new((0, 0)) }; 32] };
}

/// The slot of `T` in [`Rested`], and its key there.
#[inline]
fn slot<T>() -> (usize, usize) {
    let key = std::any::type_name::<T>().as_ptr() as usize;
    (key, (key >> 4) % 32)
}

/// Whether to try the plain pass on an answer read as `T`: not for the next answers of a
/// type it gave up on (see [`REST`]).
#[inline]
pub(crate) fn worth_trying<T>() -> bool {
    let (key, at) = slot::<T>();
    RESTED.with(|rested| match rested[at].get() {
        (owner, left) if owner == key && left > 0 => {
            rested[at].set((owner, left - 1));
            false
        }
        _ => true,
    })
}

/// The plain pass gave up on an answer read as `T`: leave the next [`REST`] alone.
#[cold]
pub(crate) fn gave_up<T>() {
    let (key, at) = slot::<T>();
    RESTED.with(|rested| rested[at].set((key, REST)));
}

/// The error that gives the plain pass up: never shown, the answer is read again.
#[cold]
pub(crate) fn give_up<E: de::Error>() -> E {
    E::custom("the plain pass gives up: read through the lenient adapter")
}

/// Reads the payload of an answer, `T`, straight from `de`; the gateway's `request_id`
/// inside it goes to `capture`. An error means the plain pass gave up (or the answer is
/// not one of `T`): read it again through the adapter.
pub(crate) fn read_payload<'de, T: de::Deserialize<'de>, D: Deserializer<'de>>(
    de: D,
    capture: &Capture,
) -> Result<T, D::Error> {
    plainly(|| de.deserialize_map(Payload { capture, marker: PhantomData }))
}

/// Reads the root of a simplified answer, whose members are the payload's (`first`, a key
/// the envelope's check read already, then the rest of `map`), as [`read_payload`] does.
pub(crate) fn read_root<'de, T: de::Deserialize<'de>, A: MapAccess<'de>>(
    map: A,
    first: Option<Cow<'de, str>>,
    capture: &Capture,
) -> Result<T, A::Error> {
    plainly(|| T::deserialize(Root { map, first, capture }))
}

/// Runs `read` as the plain pass; what was reading before is put back after it (a plain
/// pass within another, should a type's reader decode an answer of its own).
fn plainly<T>(read: impl FnOnce() -> T) -> T {
    struct Active(bool);

    impl Drop for Active {
        fn drop(&mut self) {
            ACTIVE.with(|active| active.set(self.0));
        }
    }

    let _before = Active(ACTIVE.with(|active| active.replace(true)));
    read()
}

/// Whether a payload type is one the plain pass reads: an object type, with fields, none of
/// them `request_id` (a type that reads it itself, or takes any key, is the adapter's).
fn readable(name: &str, fields: &[&str]) -> bool {
    name == OBJECT && !fields.is_empty() && !fields.contains(&"request_id")
}

/// The payload's object (a simplified answer's root), read as the payload type: an object
/// type, whose `request_id` is kept aside.
struct Root<'de, 'c, A> {
    map: A,
    first: Option<Cow<'de, str>>,
    capture: &'c Capture,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Root<'de, '_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, A::Error> {
        Err(give_up())
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        if !readable(name, fields) {
            return Err(give_up());
        }
        visitor.visit_map(TopMap { map: self.map, first: self.first, capture: self.capture })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// The payload member's object, read as the payload.
struct Payload<'c, T> {
    capture: &'c Capture,
    marker: PhantomData<T>,
}

impl<'de, T: de::Deserialize<'de>> Visitor<'de> for Payload<'_, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(Root { map, first: None, capture: self.capture })
    }
}

/// The payload's members (`first` first, when the envelope read it), `request_id` kept
/// aside.
struct TopMap<'de, 'c, A> {
    map: A,
    first: Option<Cow<'de, str>>,
    capture: &'c Capture,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TopMap<'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        loop {
            let key = match self.first.take() {
                Some(key) => key,
                None => match self.map.next_key_seed(KeySeed)? {
                    Some(key) => key,
                    None => return Ok(None),
                },
            };
            match &*key {
                "request_id" => {
                    let id: String = self.map.next_value()?;
                    *self.capture.request_id.borrow_mut() = Some(id);
                }
                "error_response" => return Err(give_up()),
                _ => {
                    return match key {
                        Cow::Borrowed(key) => seed.deserialize(de::value::BorrowedStrDeserializer::new(key)).map(Some),
                        Cow::Owned(key) => seed.deserialize(de::value::StringDeserializer::new(key)).map(Some),
                    }
                }
            }
        }
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(Seed(seed))
    }
}

/// A value of the payload, read plainly.
struct Plain<D>(D);

/// A seed whose value is read plainly.
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Plain(de))
    }
}

/// A visitor whose nested values are read plainly.
struct Nested<V>(V);

macro_rules! raw {
    ($($method:ident)*) => {
        $(
            #[inline]
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Plain<D> {
    type Error = D::Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Nested(visitor))
    }

    // 128-bit integers as the adapter reads them, from what serde_json reads of any number
    // (serde_json reads them whole only when asked for them).
    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    // What the adapter hands over as it is, or converts only when the type refuses it.
    raw! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_identifier deserialize_ignored_any
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_option(Nested(visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Nested(visitor))
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(List(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Nested(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Nested(visitor))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Nested(visitor))
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        if name != OBJECT {
            return Err(give_up());
        }
        self.0.deserialize_struct(name, fields, Object(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visits {
    ($($method:ident: $ty:ty),*) => {
        $(
            #[inline]
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Nested<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visits!(
        visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_i128: i128, visit_u128: u128,
        visit_f64: f64, visit_char: char, visit_str: &str, visit_borrowed_str: &'de str, visit_string: String,
        visit_bytes: &[u8], visit_borrowed_bytes: &'de [u8], visit_byte_buf: Vec<u8>
    );

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Plain(de))
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Plain(de))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Items(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Members(map))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(data)
    }
}

/// An object type's visitor: a JSON object alone (the adapter's other readings of an
/// object, from a blank text or null, are the adapter's).
struct Object<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Object<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Members(map))
    }
}

/// Any list shape the adapter reads in JSON, read as it reads it.
struct List<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for List<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Items(seq))
    }

    // `{"mark_item":[…]}` or `{}`; the wrapper's other members are skipped, as the
    // adapter skips them.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        if map.next_key::<IgnoredAny>()?.is_none() {
            return self.0.visit_seq(Empty::new());
        }
        let value = map.next_value_seed(Wrapped(self.0))?;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value::<IgnoredAny>()?;
        }
        Ok(value)
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_seq(Empty::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_seq(Empty::new())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        if v.trim().is_empty() {
            self.0.visit_seq(Empty::new())
        } else {
            self.0.visit_str(v)
        }
    }

    forward_visits!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64);
}

/// The value inside a list wrapper, itself any list shape.
struct Wrapped<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for Wrapped<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        Plain(de).deserialize_seq(self.0)
    }
}

/// A list's items, each read plainly.
struct Items<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Items<A> {
    type Error = A::Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// An object's or a map's members, each value read plainly (an object type's reader gives
/// up on a key it has no field for).
struct Members<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Members<A> {
    type Error = A::Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(seed)
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Given;
    struct Other;

    #[test]
    fn a_plain_pass_within_another_leaves_the_outer_one_reading() {
        assert!(!active());
        plainly(|| {
            plainly(|| assert!(active()));
            assert!(active(), "the outer pass still gives up on what the adapter would help with");
        });
        assert!(!active());
    }

    #[test]
    fn a_type_given_up_on_is_left_alone_for_a_while_then_tried_again() {
        assert!(worth_trying::<Given>());
        gave_up::<Given>();
        for _ in 0..REST {
            assert!(!worth_trying::<Given>());
        }
        assert!(worth_trying::<Given>());
        assert!(worth_trying::<Given>());
        // Another type is not held back by it (unless it shares the slot: only tried less).
        if slot::<Other>().1 != slot::<Given>().1 {
            gave_up::<Given>();
            assert!(worth_trying::<Other>());
        }
    }
}
