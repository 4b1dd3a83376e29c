//! A deserializer adapter that reads TOP's quirks into plain `#[derive(Deserialize)]` types.
//!
//! It wraps serde_json's deserializer or the XML reader of `crate::xml` (which reads an
//! element as JSON would read its value: a text, or an object of its children) and changes
//! what a type asks for:
//! - a sequence accepts every list shape TOP sends: a plain array, the wrapper object
//!   `{"mark_item":[…]}`, `{}`, `null`, `""`, and XML's repeated child elements;
//! - a field the answer leaves out is `None` for `Option`, empty for `Vec` and maps, and
//!   "missing field" for anything else, as serde says; a `#[derive(Object)]` type's keeps
//!   its default, whatever its type;
//! - integers and floats accept numeric strings, booleans accept `"true"`/`"false"`, and
//!   strings accept numbers and booleans (the official Java parser is as lenient);
//! - at the top level, the gateway's `request_id` is kept aside for the caller.
//!
//! Nothing is buffered: every value streams from the inner deserializer.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer, U64Deserializer};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

/// What the top-level struct sets aside while it is read: the gateway's `request_id`, and
/// an `error_response` found among a simplified answer's fields (a refusal, whatever else
/// the answer holds).
#[derive(Default)]
pub(crate) struct Capture {
    pub(crate) request_id: RefCell<Option<String>>,
    pub(crate) refusal: RefCell<Option<crate::ApiError>>,
    /// All or nothing: a value that does not fit an `Option` field fails the answer.
    pub(crate) strict: bool,
}

#[derive(Clone, Copy)]
pub(crate) struct Ctx<'c> {
    /// XML: a list is the run of its wrapper's repeated children.
    xml: bool,
    /// Set only for the top-level struct of an answer.
    capture: Option<&'c Capture>,
    /// Set for the value inside an `Option`: a blank text where a number or a boolean
    /// belongs is then the answer leaving the field out, not a wrong value.
    in_option: bool,
    /// All or nothing: a value that does not fit an `Option` field fails the answer.
    strict: bool,
    /// Where the value being read sits in the answer, for drift.
    place: Option<&'c Place<'c>>,
    /// Keys go to an object type's visitor as their text, not as its field's index: for a
    /// reading that names the failing field by the keys it passed.
    named: bool,
}

impl<'c> Ctx<'c> {
    /// The context of an answer's payload (with its capture) or of a value read alone; it
    /// reads all or nothing when the capture says so.
    #[inline]
    pub(crate) fn new(xml: bool, capture: Option<&'c Capture>) -> Ctx<'c> {
        Ctx { xml, capture, in_option: false, strict: capture.is_some_and(|c| c.strict), place: None, named: false }
    }

    /// The same, handing an object type's keys over as their text when `named`.
    #[inline]
    pub(crate) fn named(self, named: bool) -> Ctx<'c> {
        Ctx { named, ..self }
    }

    #[inline]
    fn nested(self) -> Ctx<'c> {
        Ctx { capture: None, in_option: false, ..self }
    }

    #[inline]
    fn in_option(self) -> Ctx<'c> {
        Ctx { in_option: true, ..self.nested() }
    }

    /// The context of the values inside an object or a list at `place`.
    #[inline]
    fn inside<'p>(self, place: &'p Place<'p>) -> Ctx<'p>
    where
        'c: 'p,
    {
        Ctx { place: Some(place), ..self.nested() }
    }
}

/// Where the values of an object or a list sit in the answer, for drift: one on the stack
/// for each object and list being read, whose reader moves `at` from value to value, so that
/// a well-formed answer pays one store a value. Written out only for a drift.
pub(crate) struct Place<'p> {
    parent: Option<&'p Place<'p>>,
    /// An object's field names, the one read now at `at`; empty for a list, whose item
    /// read now is the `at`th.
    names: &'static [&'static str],
    at: Cell<usize>,
}

impl<'p> Place<'p> {
    #[inline]
    pub(crate) fn new(parent: Option<&'p Place<'p>>, names: &'static [&'static str]) -> Place<'p> {
        Place { parent, names, at: Cell::new(usize::MAX) }
    }
}

/// The path of a place: `trade.orders[0].sku_id`.
fn path(place: Option<&Place<'_>>) -> String {
    fn write(place: &Place<'_>, out: &mut String) {
        if let Some(parent) = place.parent {
            write(parent, out);
        }
        let at = place.at.get();
        if place.names.is_empty() {
            out.push('[');
            out.push_str(&at.to_string());
            out.push(']');
        } else if let Some(name) = place.names.get(at) {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(name);
        }
    }
    let mut out = String::new();
    if let Some(place) = place {
        write(place, &mut out);
    }
    out
}

/// Why a value was not read, as noted where it failed: the `Option` around it (if any)
/// takes the note and decides whether the field is left out. A value is noted only when
/// the reader stands just after it, so that reading can go on.
enum Noted {
    /// A blank text where a value of another kind belongs: the answer left it out.
    Blank,
    /// A value the type does not take: what came.
    Unfit(String),
}

thread_local! {
    static NOTED: RefCell<Option<Noted>> = const { RefCell::new(None) };
}

/// Notes why the value just read failed.
fn note(noted: Noted) {
    NOTED.with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = Some(noted);
        }
    });
}

/// Takes the note of the failed value, if the reader could go on after it.
fn take_note() -> Option<Noted> {
    NOTED.with(|slot| slot.try_borrow_mut().ok().and_then(|mut slot| slot.take()))
}

/// Forgets a note: what failed since left the reader where it cannot go on.
pub(crate) fn forget_note() {
    let _ = take_note();
}

/// Where the value of an `Option` (or a list) failed, the note of what failed decides
/// whether the field of an object type is left out: a blank, or a value that does not fit
/// (unless reading all or nothing), which is then a drift of the answer at `place`. The
/// field's reader (`read_optional`, `read_list`) sees it taken; anything else fails the
/// answer.
#[cold]
#[inline(never)]
fn taken_or_not(err: &dyn fmt::Display, strict: bool, place: Option<&Place<'_>>) {
    match take_note() {
        Some(Noted::Blank) => take(),
        Some(Noted::Unfit(came)) if !strict => {
            let reason = err.to_string();
            // serde_json's messages end with where in the body: not part of why.
            let reason = reason.split(" at line ").next().unwrap_or_default().to_owned();
            crate::drift::note(path(place), crate::drift::DriftKind::Unfit { expected: String::new(), came, reason });
            take();
        }
        _ => {}
    }
}

/// `result`, noting the value as `what` when it failed.
#[inline]
fn noting<T, E>(result: Result<T, E>, what: impl FnOnce() -> Noted) -> Result<T, E> {
    if result.is_err() {
        note_with(what);
    }
    result
}

#[cold]
fn note_with(what: impl FnOnce() -> Noted) {
    note(what());
}

/// The start of a text handed on by value, kept on the stack in case it fails: as much as a
/// drift shows of it.
struct TextStart {
    bytes: [u8; TextStart::CAPACITY],
    len: usize,
    blank: bool,
}

impl TextStart {
    /// Room for the characters a drift shows, at four bytes each, and one more to tell a
    /// longer text.
    const CAPACITY: usize = (crate::drift::CAME_CHARS + 1) * 4;

    fn of(text: &str) -> TextStart {
        let mut end = text.len().min(TextStart::CAPACITY);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; TextStart::CAPACITY];
        bytes[..end].copy_from_slice(&text.as_bytes()[..end]);
        TextStart { bytes, len: end, blank: text.trim().is_empty() }
    }

    fn noted(&self) -> Noted {
        if self.blank {
            return Noted::Blank;
        }
        // Cut on a character boundary above: always UTF-8.
        Noted::Unfit(crate::drift::came(std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()))
    }
}

/// Hands a text to `visitor` by value, noting what of it a drift shows if the visitor
/// refuses it: kept first on the stack of this frame alone, so that the frames of the
/// readers around it (all inlined into each other) do not carry its room.
#[inline(never)]
fn visit_string_noted<'de, V: Visitor<'de>, E: de::Error>(visitor: V, text: String) -> Result<V::Value, E> {
    let start = TextStart::of(&text);
    noting(visitor.visit_string(text), || start.noted())
}

/// The note for a text that failed.
fn noted_text(text: &str) -> Noted {
    if text.trim().is_empty() {
        Noted::Blank
    } else {
        Noted::Unfit(crate::drift::came(text))
    }
}

thread_local! {
    /// Set when the value being read was taken as left out by the `Option` (or list) field
    /// it stands in: a blank where a value of another kind belongs, or (unless reading all or
    /// nothing) a value that does not fit. A serde error carries no value but its text, so the
    /// sentinel travels beside it, from where the error is raised to the field's reader that
    /// catches it (`read_optional`, `read_list`), which takes it down. Nothing between them
    /// catches an error; an error no such reader catches fails the answer, and the next
    /// reading of an answer starts with the sentinel down.
    static TAKEN: Cell<bool> = const { Cell::new(false) };
}

/// An `Option`'s value is taken as left out.
fn take() {
    TAKEN.with(|taken| taken.set(true));
}

/// Whether the value whose read just failed is taken as left out, the sentinel left as it is.
#[cold]
fn is_taken() -> bool {
    TAKEN.with(Cell::get)
}

/// Whether the value whose read just failed was taken as left out; takes the sentinel down.
#[cold]
fn was_taken() -> bool {
    TAKEN.with(|taken| taken.replace(false))
}

/// Starts the reading of an answer with no sentinel up.
pub(crate) fn forget_taken() {
    TAKEN.with(|taken| taken.set(false));
}

/// The error for a blank text (`""`, an empty XML element) where a number, a boolean, a
/// decimal or a date belongs. Inside an `Option` field of an object, it means the answer
/// left the field out ([`read_optional`]); anywhere else it is the error it says.
pub fn blank<E: de::Error>() -> E {
    take();
    E::custom("a blank value where a number, a boolean, a decimal or a date belongs")
}

/// Reads the value of an `Option` field of an object: `None` when the read failed on a
/// blank text (its own, or a required member's inside it) where a value of another kind
/// belongs, or (unless reading all or nothing) on a value that does not fit, which is
/// then a drift of the answer.
#[inline]
pub fn read_optional<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<Option<T>, A::Error> {
    match map.next_value::<Option<T>>() {
        Err(_) if !crate::plain::active() && was_taken() => {
            left_out(std::any::type_name::<T>());
            Ok(None)
        }
        read => read,
    }
}

/// Reads the value of a `Vec` field of an object: empty, as a left-out list is, when the
/// read failed on a value that does not fit (unless reading all or nothing), which is then a
/// drift of the answer; see [`read_optional`].
#[inline]
pub fn read_list<'de, T: Deserialize<'de>, A: MapAccess<'de>>(map: &mut A) -> Result<Vec<T>, A::Error> {
    match map.next_value::<Vec<T>>() {
        Err(_) if !crate::plain::active() && was_taken() => {
            left_out(std::any::type_name::<Vec<T>>());
            Ok(Vec::new())
        }
        read => read,
    }
}

/// A field's value was left out: its drift (if it is one) names the type it was meant for.
#[cold]
#[inline(never)]
fn left_out(type_name: &'static str) {
    crate::drift::name_expected(&crate::drift::short_type_name(type_name));
}

/// The name an object type (`#[derive(Object)]`) gives `deserialize_struct`, so that the
/// adapter knows the visitor it reads for: one that starts from the type's default, so
/// that no left-out field is made up for it, and that takes a key as its field's index,
/// looked up once (see [`FieldSeed`]). Other deserializers ignore a struct's name.
pub(crate) const OBJECT: &str = "$top_api::Object";

/// Reads a key of an object type as the index of its field (`usize::MAX` for a key the type
/// has no field for): handed over as the index by the adapter, which looked it up already,
/// or looked up here in the key's text (any other deserializer, or the adapter when it
/// reads again to name a failing field, whose path is made of the keys' texts).
pub(crate) struct FieldSeed<'f>(pub(crate) &'f mut FieldFinder);

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = usize;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<usize, D::Error> {
        de.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    #[inline]
    fn visit_u64<E: de::Error>(self, index: u64) -> Result<usize, E> {
        Ok(usize::try_from(index).unwrap_or(usize::MAX))
    }

    #[inline]
    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        match self.0.find(key) {
            Some(index) => Ok(index),
            None => no_field(),
        }
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<usize, E> {
        match std::str::from_utf8(key).ok().and_then(|key| self.0.find(key)) {
            Some(index) => Ok(index),
            None => no_field(),
        }
    }
}

/// A key the type has no field for: skipped (`usize::MAX`), or in the plain pass, which
/// leaves its drift to the adapter, given up on.
#[cold]
fn no_field<E: de::Error>() -> Result<usize, E> {
    if crate::plain::active() {
        return Err(crate::plain::give_up());
    }
    Ok(usize::MAX)
}

/// Finds the index of a key among a struct's fields. Keys mostly come in declaration
/// order, so it looks just after the last match first.
pub(crate) struct FieldFinder {
    fields: &'static [&'static str],
    next: usize,
}

// Inlined: the readers that call it are generic, and so are built in the crate of the type
// they read, where a call across crates to a function this small costs a key's lookup.
impl FieldFinder {
    #[inline]
    pub(crate) fn new(fields: &'static [&'static str]) -> FieldFinder {
        FieldFinder { fields, next: 0 }
    }

    #[inline]
    pub(crate) fn find(&mut self, key: &str) -> Option<usize> {
        let index = match self.fields.get(self.next) {
            Some(&field) if field == key => self.next,
            _ => self.fields.iter().position(|&field| field == key)?,
        };
        self.next = index + 1;
        Some(index)
    }
}

/// The adapter around an inner deserializer.
pub(crate) struct Lenient<'c, D> {
    de: D,
    ctx: Ctx<'c>,
}

impl<'c, D> Lenient<'c, D> {
    #[inline]
    pub(crate) fn new(de: D, ctx: Ctx<'c>) -> Self {
        Lenient { de, ctx }
    }
}

/// What the wrapped type asked for, so that a visit can be converted to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Any,
    Int,
    Float,
    Bool,
    Str,
}

macro_rules! lenient_scalar {
    ($($method:ident => $want:expr,)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.de.deserialize_any(Wrap::new(visitor, $want, self.ctx))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Lenient<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        // A self-describing type at the top (`serde_json::Value`) still gives up `request_id`.
        if self.ctx.capture.is_some() {
            return self.de.deserialize_any(StructVisitor { visitor, fields: &[], ctx: self.ctx, object: false });
        }
        self.de.deserialize_any(Wrap::new(visitor, Want::Any, self.ctx))
    }

    lenient_scalar! {
        deserialize_bool => Want::Bool,
        deserialize_i8 => Want::Int,
        deserialize_i16 => Want::Int,
        deserialize_i32 => Want::Int,
        deserialize_i64 => Want::Int,
        deserialize_i128 => Want::Int,
        deserialize_u8 => Want::Int,
        deserialize_u16 => Want::Int,
        deserialize_u32 => Want::Int,
        deserialize_u64 => Want::Int,
        deserialize_u128 => Want::Int,
        deserialize_f32 => Want::Float,
        deserialize_f64 => Want::Float,
        deserialize_str => Want::Str,
        deserialize_string => Want::Str,
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_char(Wrap::new(visitor, Want::Any, self.ctx))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_bytes(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_byte_buf(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_option(Wrap::new(visitor, Want::Any, self.ctx))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_unit(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_newtype_struct(name, Wrap::new(visitor, Want::Any, self.ctx))
    }

    // Lists: in JSON the value may be an array, a one-member wrapper object, `{}`, null
    // or ""; in XML it is the wrapper element, whose children repeat one name, or blank.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let (strict, place) = (self.ctx.strict, self.ctx.place);
        let list = ListVisitor { visitor, ctx: self.ctx.nested() };
        let read = self.de.deserialize_any(list);
        // A list that does not fit is left empty by a `Vec` field of an object type, as an
        // `Option` field is left out: see `Wrap::visit_some`.
        if let Err(err) = &read {
            taken_or_not(err, strict, place);
        }
        read
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_tuple(len, Wrap::new(visitor, Want::Any, self.ctx))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_tuple_struct(name, len, Wrap::new(visitor, Want::Any, self.ctx))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        if self.ctx.capture.is_some() {
            return self.de.deserialize_map(StructVisitor { visitor, fields: &[], ctx: self.ctx, object: false });
        }
        self.de.deserialize_map(Wrap::new(visitor, Want::Any, self.ctx))
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        // Any value goes to the struct's own visitor, which says what it takes (an object's
        // blank text is an empty object), so that what it refuses is noted.
        self.de.deserialize_any(StructVisitor { visitor, fields, ctx: self.ctx, object: name == OBJECT })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_identifier(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// Forwards every visit to the wrapped type's visitor, converting scalars to what it
/// asked for and wrapping nested sequences, maps and options in the adapter again.
struct Wrap<'c, V> {
    visitor: V,
    want: Want,
    ctx: Ctx<'c>,
    /// The value is the content of an `Option`.
    in_option: bool,
}

impl<'c, V> Wrap<'c, V> {
    #[inline]
    fn new(visitor: V, want: Want, ctx: Ctx<'c>) -> Self {
        Wrap { visitor, want, ctx: ctx.nested(), in_option: ctx.in_option }
    }
}

impl<'de, V: Visitor<'de>> Wrap<'_, V> {
    /// Reads a string as the number or boolean the type asked for; otherwise `None`, and
    /// the caller hands the string on untouched so that the type's own error shows.
    #[inline(always)]
    fn convert_str<E: de::Error>(self, text: &str) -> Result<Result<V::Value, E>, Self> {
        if matches!(self.want, Want::Any | Want::Str) {
            return Err(self);
        }
        self.convert_text(text)
    }

    /// [`Wrap::convert_str`] where the type asked for a number or a boolean.
    fn convert_text<E: de::Error>(self, text: &str) -> Result<Result<V::Value, E>, Self> {
        let trimmed = text.trim();
        if trimmed.is_empty() && self.in_option {
            return Ok(Err(blank()));
        }
        match self.want {
            Want::Int => {
                if let Ok(n) = trimmed.parse::<i64>() {
                    return Ok(self.visitor.visit_i64(n));
                }
                if let Ok(n) = trimmed.parse::<u64>() {
                    return Ok(self.visitor.visit_u64(n));
                }
                Err(self)
            }
            Want::Float => match trimmed.parse::<f64>() {
                Ok(x) => Ok(self.visitor.visit_f64(x)),
                Err(_) => Err(self),
            },
            Want::Bool => match trimmed {
                "true" | "1" => Ok(self.visitor.visit_bool(true)),
                "false" | "0" => Ok(self.visitor.visit_bool(false)),
                _ => Err(self),
            },
            Want::Any | Want::Str => Err(self),
        }
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        let read = match self.want {
            Want::Str => self.visitor.visit_str(if v { "true" } else { "false" }),
            _ => self.visitor.visit_bool(v),
        };
        noting(read, || Noted::Unfit(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        let read = match self.want {
            Want::Str => self.visitor.visit_string(v.to_string()),
            // `1` and `0` where a boolean belongs, as the platform sometimes writes them.
            Want::Bool if v == 0 || v == 1 => self.visitor.visit_bool(v == 1),
            _ => self.visitor.visit_i64(v),
        };
        noting(read, || Noted::Unfit(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        let read = match self.want {
            Want::Str => self.visitor.visit_string(v.to_string()),
            Want::Bool if v <= 1 => self.visitor.visit_bool(v == 1),
            _ => self.visitor.visit_u64(v),
        };
        noting(read, || Noted::Unfit(v.to_string()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<V::Value, E> {
        noting(self.visitor.visit_i128(v), || Noted::Unfit(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<V::Value, E> {
        noting(self.visitor.visit_u128(v), || Noted::Unfit(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        let read = match self.want {
            Want::Str => self.visitor.visit_string(v.to_string()),
            _ => self.visitor.visit_f64(v),
        };
        noting(read, || Noted::Unfit(v.to_string()))
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<V::Value, E> {
        noting(self.visitor.visit_char(v), || Noted::Unfit(crate::drift::came(v.encode_utf8(&mut [0; 4]))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        let read = match self.convert_str(v) {
            Ok(done) => done,
            Err(this) => this.visitor.visit_str(v),
        };
        noting(read, || noted_text(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        let read = match self.convert_str(v) {
            Ok(done) => done,
            Err(this) => this.visitor.visit_borrowed_str(v),
        };
        noting(read, || noted_text(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        match self.convert_str(&v) {
            Ok(done) => noting(done, || noted_text(&v)),
            Err(this) => visit_string_noted(this.visitor, v),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        noting(self.visitor.visit_bytes(v), || Noted::Unfit("bytes".to_owned()))
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        noting(self.visitor.visit_borrowed_bytes(v), || Noted::Unfit("bytes".to_owned()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        noting(self.visitor.visit_byte_buf(v), || Noted::Unfit("bytes".to_owned()))
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        noting(self.visitor.visit_none(), || Noted::Unfit("null".to_owned()))
    }

    /// The value of an `Option`: see [`taken_or_not`].
    // `map_err`, not `inspect_err`: handing the error on lets the value go straight into the
    // caller's slot, where `inspect_err` holds it in a slot of this frame (BENCHMARKS.md,
    // "Drift": 7 L1 misses a decode against 30).
    #[allow(clippy::manual_inspect)]
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        let (strict, place) = (self.ctx.strict, self.ctx.place);
        self.visitor.visit_some(Lenient::new(de, self.ctx.in_option())).map_err(|err| {
            taken_or_not(&err, strict, place);
            err
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        noting(self.visitor.visit_unit(), || Noted::Unfit("null".to_owned()))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(Lenient::new(de, self.ctx))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<V::Value, A::Error> {
        let place = Place::new(self.ctx.place, &[]);
        let mut items = Seq::new(&mut seq, self.ctx, &place);
        let read = self.visitor.visit_seq(&mut items);
        if read.is_err() {
            items.failed(|| Noted::Unfit("a list".to_owned()));
        }
        read
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let mut entries = Map::new(&mut map, self.ctx);
        let read = self.visitor.visit_map(&mut entries);
        if read.is_err() {
            entries.failed(|| Noted::Unfit("an object".to_owned()));
        }
        read
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_enum(data)
    }
}

/// A seed whose value is read through the adapter.
struct Seed<'c, S> {
    seed: S,
    ctx: Ctx<'c>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Lenient::new(de, self.ctx))
    }
}

/// Skips what is left of a list or a map whose read failed, so that reading can go on after
/// it, and notes the failure as `what` unless a value inside noted why already; where the
/// rest cannot be skipped, the reader cannot go on and nothing is noted.
#[cold]
fn after_failure<E>(skip: impl FnOnce() -> Result<(), E>, what: impl FnOnce() -> Noted) {
    if skip().is_ok() {
        if NOTED.with(|slot| slot.try_borrow().map_or(true, |slot| slot.is_none())) {
            note(what());
        }
    } else {
        forget_note();
    }
}

/// The items of a list, each read through the adapter at its index.
struct Seq<'c, A> {
    seq: A,
    /// The context of the list's items.
    ctx: Ctx<'c>,
    place: &'c Place<'c>,
    index: usize,
    /// No item is left to read: the list ended, or what was left was skipped.
    ended: bool,
}

impl<'c, 'de, A: SeqAccess<'de>> Seq<'c, A> {
    #[inline]
    fn new(seq: A, ctx: Ctx<'c>, place: &'c Place<'c>) -> Self {
        Seq { seq, ctx: ctx.inside(place), place, index: 0, ended: false }
    }

    /// After a visitor's read of the list failed; see [`after_failure`].
    fn failed(&mut self, what: impl FnOnce() -> Noted) {
        let ended = self.ended;
        after_failure(|| self.skip(ended), what);
    }

    /// After an item failed: the rest of the list is skipped, so that reading can go on
    /// after it; where it cannot be, the failure is no longer one the reader can go on from.
    #[cold]
    fn item_failed(&mut self) {
        if self.skip(false).is_err() {
            forget_note();
        }
        self.ended = true;
    }

    fn skip(&mut self, ended: bool) -> Result<(), A::Error> {
        if !ended {
            while self.seq.next_element::<IgnoredAny>()?.is_some() {}
        }
        Ok(())
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.place.at.set(self.index);
        self.index += 1;
        match self.seq.next_element_seed(Seed { seed, ctx: self.ctx }) {
            Ok(item) => {
                self.ended = item.is_none();
                Ok(item)
            }
            Err(err) => {
                self.item_failed();
                Err(err)
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// The entries of a map that is not a struct, each value read through the adapter.
struct Map<'c, A> {
    map: A,
    ctx: Ctx<'c>,
    /// A key was read and its value not yet.
    pending: bool,
    ended: bool,
}

impl<'c, 'de, A: MapAccess<'de>> Map<'c, A> {
    fn new(map: A, ctx: Ctx<'c>) -> Self {
        Map { map, ctx, pending: false, ended: false }
    }

    /// After a visitor's read of the map failed; see [`after_failure`].
    fn failed(&mut self, what: impl FnOnce() -> Noted) {
        let (pending, ended) = (self.pending, self.ended);
        after_failure(|| skip_rest(&mut self.map, pending, ended), what);
    }
}

/// Skips the rest of a map: the value of a key already read, then every entry.
fn skip_rest<'de, A: MapAccess<'de>>(map: &mut A, pending: bool, ended: bool) -> Result<(), A::Error> {
    if pending {
        map.next_value::<IgnoredAny>()?;
    }
    if !ended {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(())
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let key = self.map.next_key_seed(seed)?;
        self.pending = key.is_some();
        self.ended = key.is_none();
        Ok(key)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.pending = false;
        self.map.next_value_seed(Seed { seed, ctx: self.ctx })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A visitor's scalars handed to the visitor it wraps (`self.visitor`), each noted as what
/// came if that visitor refuses it.
macro_rules! scalars_to_visitor_noted {
    () => {
        scalars_to_visitor_noted!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64);
    };
    ($($method:ident: $ty:ty),*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                noting(self.visitor.$method(v), || Noted::Unfit(v.to_string()))
            }
        )*
    };
}

/// Reads any list shape into the sequence the type asked for.
struct ListVisitor<'c, V> {
    visitor: V,
    ctx: Ctx<'c>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for ListVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    // A list's visitor reads its items: one that fails has the rest skipped by the list
    // itself (`Seq::item_failed`), and the result goes straight back.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let place = Place::new(self.ctx.place, &[]);
        self.visitor.visit_seq(Seq::new(seq, self.ctx, &place))
    }

    // `{"mark_item":[…]}`, `{}`, or in XML `<audit_list><mark_item>…</mark_item>…</audit_list>`.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        if map.next_key::<IgnoredAny>()?.is_none() {
            return self.visitor.visit_seq(Empty(PhantomData));
        }
        let value = map.next_value_seed(Items { visitor: self.visitor, ctx: self.ctx });
        // The wrapper holds the list alone; anything after it is skipped. Where the list
        // failed, skipping the rest lets reading go on after the wrapper (in JSON; see
        // `after_failure`).
        if value.is_err() {
            after_failure(|| skip_rest(&mut map, false, false), || Noted::Unfit("a list".to_owned()));
            return value;
        }
        skip_rest(&mut map, false, false)?;
        value
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_seq(Empty(PhantomData))
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_seq(Empty(PhantomData))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        if v.trim().is_empty() {
            self.visitor.visit_seq(Empty(PhantomData))
        } else {
            noting(self.visitor.visit_str(v), || noted_text(v))
        }
    }

    scalars_to_visitor_noted!();
}

/// The value inside a list wrapper: the array itself (JSON), or the run of repeated
/// elements of one name that the XML reader hands out as a sequence.
struct Items<'c, V> {
    visitor: V,
    ctx: Ctx<'c>,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for Items<'_, V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        if self.ctx.xml {
            de.deserialize_seq(Wrap::new(self.visitor, Want::Any, self.ctx))
        } else {
            Lenient::new(de, self.ctx).deserialize_seq(self.visitor)
        }
    }
}

pub(crate) struct Empty<E>(PhantomData<E>);

impl<E> Empty<E> {
    pub(crate) fn new() -> Self {
        Empty(PhantomData)
    }
}

impl<'de, E: de::Error> SeqAccess<'de> for Empty<E> {
    type Error = E;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, _seed: T) -> Result<Option<T::Value>, E> {
        Ok(None)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(0)
    }
}

impl<'de, E: de::Error> MapAccess<'de> for Empty<E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, _seed: K) -> Result<Option<K::Value>, E> {
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, _seed: T) -> Result<T::Value, E> {
        Err(E::custom("no value in an empty map"))
    }
}

struct StructVisitor<'c, V> {
    visitor: V,
    fields: &'static [&'static str],
    ctx: Ctx<'c>,
    /// The visitor is an object type's: see [`OBJECT`].
    object: bool,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for StructVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    // A struct's visitor reads its members: one that fails has the rest skipped by the
    // struct map itself (`StructMap::value_failed`), and the result goes straight back.
    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let place = Place::new(self.ctx.place, self.fields);
        self.visitor.visit_map(StructMap::new(map, None, self.fields, self.ctx, &place, self.object))
    }

    // A list where an object belongs: a value that does not fit, skipped whole so that
    // reading can go on after it (see `after_failure`).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<V::Value, A::Error> {
        let place = Place::new(self.ctx.place, &[]);
        let mut items = Seq::new(&mut seq, self.ctx.nested(), &place);
        let read = self.visitor.visit_seq(&mut items);
        if read.is_err() {
            items.failed(|| Noted::Unfit("a list".to_owned()));
        }
        read
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        noting(self.visitor.visit_str(v), || noted_text(v))
    }

    scalars_to_visitor_noted!();

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }
}

/// Which of a struct's fields the answer has given.
enum Seen {
    Few(u128),
    Many(Vec<bool>),
}

impl Seen {
    fn new(fields: usize) -> Seen {
        if fields <= 128 {
            Seen::Few(0)
        } else {
            Seen::Many(vec![false; fields])
        }
    }

    fn set(&mut self, index: usize) {
        match self {
            Seen::Few(bits) => *bits |= 1 << index,
            Seen::Many(flags) => flags[index] = true,
        }
    }

    fn get(&self, index: usize) -> bool {
        match self {
            Seen::Few(bits) => bits & (1 << index) != 0,
            Seen::Many(flags) => flags[index],
        }
    }
}

enum Next {
    Value,
    /// The gateway's `request_id`; `wanted` when the type reads it too (a field of that
    /// name, or any key taken), so that it gets a copy.
    RequestId {
        wanted: bool,
    },
    Refusal,
    Absent(&'static str),
}

/// The entries of a struct, then one synthesised entry for each field the answer left
/// out, so that a left-out `Vec` is empty rather than missing; for an object type (see
/// [`OBJECT`]), the entries alone, each key handed over as its field's index.
pub(crate) struct StructMap<'de, 'c, A> {
    map: A,
    /// A key already read by the caller (the simplified envelope's first member).
    first: Option<Cow<'de, str>>,
    fields: &'static [&'static str],
    seen: Seen,
    /// Once the answer's entries run out: the next field to look at for synthesis.
    missing_from: Option<usize>,
    finder: FieldFinder,
    next: Next,
    ctx: Ctx<'c>,
    /// The context of the struct's values.
    inner: Ctx<'c>,
    /// Where the struct's values sit: at the field whose value is read next.
    place: &'c Place<'c>,
    /// The visitor is an object type's: see [`OBJECT`].
    object: bool,
}

impl<'de, 'c, A: MapAccess<'de>> StructMap<'de, 'c, A> {
    /// `place` is where the struct's values sit (a `Place` of `fields`, whose parent is
    /// where the struct sits); `object` says the visitor is an object type's.
    pub(crate) fn new(
        map: A,
        first: Option<Cow<'de, str>>,
        fields: &'static [&'static str],
        ctx: Ctx<'c>,
        place: &'c Place<'c>,
        object: bool,
    ) -> Self {
        StructMap {
            map,
            first,
            fields,
            seen: Seen::new(if object { 0 } else { fields.len() }),
            missing_from: None,
            finder: FieldFinder::new(fields),
            next: Next::Value,
            ctx,
            inner: ctx.inside(place),
            place,
            object,
        }
    }

    #[inline(always)]
    fn key<K: DeserializeSeed<'de>>(&mut self, key: Cow<'de, str>, seed: K) -> Result<K::Value, A::Error> {
        let known = self.finder.find(&key);
        if let (Some(index), false) = (known, self.object) {
            self.seen.set(index);
        }
        self.next = match (self.ctx.capture.is_some(), &*key) {
            (true, "request_id") => Next::RequestId { wanted: known.is_some() || self.fields.is_empty() },
            (true, "error_response") => Next::Refusal,
            _ => Next::Value,
        };
        // A key the type has no field for is skipped: a drift, unless the type takes any key
        // (no fields named).
        if known.is_none() && matches!(self.next, Next::Value) && !self.fields.is_empty() {
            unknown_key(self.ctx.place, &key);
        }
        self.place.at.set(known.unwrap_or(usize::MAX));
        if self.object && !self.ctx.named {
            return seed.deserialize(U64Deserializer::new(known.map_or(u64::MAX, |index| index as u64)));
        }
        match key {
            Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
            Cow::Owned(key) => seed.deserialize(StringDeserializer::new(key)),
        }
    }

    /// After a member's value failed: the rest of the struct is skipped, so that reading can
    /// go on after it; where it cannot be, the failure is no longer one the reader can go on
    /// from.
    #[cold]
    fn value_failed(&mut self) {
        if skip_rest(&mut self.map, false, false).is_err() {
            forget_note();
        }
        // Nothing is left to read, and no left-out field to make up.
        self.missing_from = Some(self.fields.len());
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StructMap<'de, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        if let Some(first) = self.first.take() {
            return self.key(first, seed).map(Some);
        }
        if self.missing_from.is_none() {
            match self.map.next_key_seed(KeySeed)? {
                Some(key) => return self.key(key, seed).map(Some),
                // An object type keeps its defaults for the fields left out.
                None if self.object => {
                    self.missing_from = Some(self.fields.len());
                    return Ok(None);
                }
                None => self.missing_from = Some(0),
            }
        }
        let mut index = self.missing_from.unwrap_or(0);
        while index < self.fields.len() && self.seen.get(index) {
            index += 1;
        }
        self.missing_from = Some(index + 1);
        match self.fields.get(index) {
            Some(field) => {
                self.next = Next::Absent(field);
                seed.deserialize(BorrowedStrDeserializer::new(field)).map(Some)
            }
            None => Ok(None),
        }
    }

    // `map_err`, not `inspect_err`: see `Wrap::visit_some`.
    #[allow(clippy::manual_inspect)]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        match std::mem::replace(&mut self.next, Next::Value) {
            Next::Value => {
                // A value its `Option` field takes as left out is all read: go on after it.
                self.map.next_value_seed(Seed { seed, ctx: self.inner }).map_err(|err| {
                    if !is_taken() {
                        self.value_failed();
                    }
                    err
                })
            }
            Next::RequestId { wanted } => {
                let id: String =
                    self.map.next_value_seed(Seed { seed: PhantomData::<String>, ctx: self.ctx.nested() })?;
                // The payload type may have a `request_id` field of its own, `Option` or not.
                let own = wanted.then(|| id.clone());
                if let Some(capture) = self.ctx.capture {
                    *capture.request_id.borrow_mut() = Some(id);
                }
                match own {
                    Some(id) => seed.deserialize(Text(id, PhantomData)),
                    None => seed.deserialize(serde::de::value::UnitDeserializer::new()),
                }
            }
            Next::Refusal => {
                let refusal: crate::ApiError =
                    self.map.next_value_seed(Seed { seed: PhantomData::<crate::ApiError>, ctx: self.ctx.nested() })?;
                if let Some(capture) = self.ctx.capture {
                    *capture.refusal.borrow_mut() = Some(refusal);
                }
                seed.deserialize(serde::de::value::UnitDeserializer::new())
            }
            Next::Absent(field) => seed.deserialize(Absent { field, error: PhantomData }),
        }
    }
}

/// A key the type has no field for, at `parent`: a drift.
#[cold]
#[inline(never)]
fn unknown_key(parent: Option<&Place<'_>>, key: &str) {
    let mut path = path(parent);
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    crate::drift::note(path, crate::drift::DriftKind::UnknownField);
}

/// Reads a map key as text, borrowed from the input where the format allows.
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Cow<'de, str>, D::Error> {
        de.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// A text already read, handed on to a type that may want it as an `Option`.
struct Text<E>(String, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Text<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_string(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple map
        tuple_struct struct enum identifier ignored_any
    }
}

/// The value of a field the answer left out.
struct Absent<E> {
    field: &'static str,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> Deserializer<'de> for Absent<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.field))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_seq(Empty(PhantomData))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_map(Empty(PhantomData))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct tuple
        tuple_struct struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        T::deserialize(Lenient::new(&mut de, Ctx::new(false, None)))
    }

    fn xml<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, quick_xml::DeError> {
        T::deserialize(Lenient::new(crate::xml::Reader::open(text)?.root(), Ctx::new(true, None)))
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Item {
        filed: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Lists {
        items: Vec<Item>,
        words: Vec<String>,
        ids: Vec<i64>,
    }

    #[test]
    fn every_json_list_shape() {
        let wrapped: Lists = json(
            r#"{"items":{"mark_item":[{"filed":"a"},{"filed":"b"}]},"words":{"string":["x",""]},"ids":{"number":[1,"2"]}}"#,
        )
        .unwrap();
        assert_eq!(wrapped.items, [Item { filed: "a".into() }, Item { filed: "b".into() }]);
        assert_eq!(wrapped.words, ["x", ""]);
        assert_eq!(wrapped.ids, [1, 2]);

        let plain: Lists = json(r#"{"items":[{"filed":"a"}],"words":["x"],"ids":[3]}"#).unwrap();
        assert_eq!(plain.items, [Item { filed: "a".into() }]);
        assert_eq!((plain.words, plain.ids), (vec!["x".to_owned()], vec![3]));

        let empty: Lists = json(r#"{"items":{},"words":null,"ids":""}"#).unwrap();
        assert_eq!((empty.items.len(), empty.words.len(), empty.ids.len()), (0, 0, 0));

        let absent: Lists = json("{}").unwrap();
        assert_eq!((absent.items.len(), absent.words.len(), absent.ids.len()), (0, 0, 0));
    }

    #[test]
    fn every_xml_list_shape() {
        let full: Lists =
            xml("<r><items><mark_item><filed>a</filed></mark_item><mark_item><filed>b</filed></mark_item></items>\
             <words><string></string></words><ids><number>1</number><number>2</number></ids></r>")
            .unwrap();
        assert_eq!(full.items, [Item { filed: "a".into() }, Item { filed: "b".into() }]);
        assert_eq!(full.words, [""]);
        assert_eq!(full.ids, [1, 2]);

        let empty: Lists = xml("<r><items/><words></words></r>").unwrap();
        assert_eq!((empty.items.len(), empty.words.len(), empty.ids.len()), (0, 0, 0));
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Scalars {
        id: i64,
        small: u8,
        ratio: f64,
        flag: bool,
        text: String,
        maybe: Option<i64>,
    }

    #[test]
    fn json_scalars_are_read_leniently() {
        let got: Scalars =
            json(r#"{"id":"45248893776176307","small":"7","ratio":"1.5","flag":"true","text":135}"#).unwrap();
        assert_eq!(
            got,
            Scalars { id: 45_248_893_776_176_307, small: 7, ratio: 1.5, flag: true, text: "135".into(), maybe: None }
        );
        let got: Scalars = json(r#"{"id":1,"small":2,"ratio":3,"flag":false,"text":"x","maybe":"4"}"#).unwrap();
        assert_eq!(got.maybe, Some(4));
    }

    #[test]
    fn wrong_values_still_fail() {
        let err = json::<Scalars>(r#"{"id":"abc","small":1,"ratio":1,"flag":true,"text":""}"#).unwrap_err();
        assert!(err.to_string().contains("invalid type: string \"abc\""), "{err}");
        let err = json::<Scalars>(r#"{"id":1,"small":300,"ratio":1,"flag":true,"text":""}"#).unwrap_err();
        assert!(err.to_string().contains("300"), "{err}");
        let err = json::<Scalars>(r#"{"small":1,"ratio":1,"flag":true,"text":""}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `id`"), "{err}");
    }

    #[test]
    fn a_payload_field_named_request_id_gets_it_too() {
        #[derive(Deserialize)]
        struct Top {
            request_id: Option<String>,
            n: i64,
        }
        let capture = Capture::default();
        let mut de = serde_json::Deserializer::from_str(r#"{"request_id":"r1","n":1}"#);
        let top = Top::deserialize(Lenient::new(&mut de, Ctx::new(false, Some(&capture)))).unwrap();
        assert_eq!((top.request_id.as_deref(), top.n), (Some("r1"), 1));
        assert_eq!(capture.request_id.borrow().as_deref(), Some("r1"));
    }

    #[test]
    fn request_id_is_captured_at_the_top_only() {
        #[derive(Deserialize)]
        struct Top {
            inner: Inner,
        }
        #[derive(Deserialize)]
        struct Inner {
            request_id: String,
        }
        let capture = Capture::default();
        let mut de = serde_json::Deserializer::from_str(r#"{"inner":{"request_id":"nested"},"request_id":"top"}"#);
        let top = Top::deserialize(Lenient::new(&mut de, Ctx::new(false, Some(&capture)))).unwrap();
        assert_eq!(top.inner.request_id, "nested");
        assert_eq!(capture.request_id.borrow().as_deref(), Some("top"));
    }
}
