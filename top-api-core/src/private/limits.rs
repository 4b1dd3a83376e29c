//! The limits `max_len`, `max_items`, `min` and `max` on a field: what each applies to,
//! and its check. The checks themselves, and their words, are the ones the sandbox gateway
//! and `top call` run on text ([`Violation`]).

use top_api_rules::{Number, Violation};

use super::path::Path;
use crate::error::CheckError;
use crate::{Decimal, File};

/// A value `max_len` can limit: text by its characters, an integer by the digits of its
/// text (a `Number`'s `maxLength`), a file by its bytes (a `byte[]`'s).
#[diagnostic::on_unimplemented(
    message = "`max_len` does not apply to `{Self}`",
    label = "`max_len` limits text, an integer's digits or a file's bytes: `String`, an integer, `File`, or an `Option` of one"
)]
pub trait Length {
    fn check_len(&self, max: u64) -> Result<(), Violation>;
}

impl Length for String {
    fn check_len(&self, max: u64) -> Result<(), Violation> {
        Violation::check_len(self.chars().count(), max)
    }
}

impl Length for File {
    fn check_len(&self, max: u64) -> Result<(), Violation> {
        Violation::check_size(self.bytes().len(), max)
    }
}

macro_rules! digits {
    ($($ty:ty)*) => {
        $(
            impl Length for $ty {
                fn check_len(&self, max: u64) -> Result<(), Violation> {
                    Violation::check_len(self.to_string().len(), max)
                }
            }
        )*
    };
}

digits!(i8 i16 i32 i64 u8 u16 u32 u64);

impl<T: Length> Length for Option<T> {
    fn check_len(&self, max: u64) -> Result<(), Violation> {
        self.as_ref().map_or(Ok(()), |value| value.check_len(max))
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

/// A value that `min` and `max` can bound: a number, or each number of a list.
#[diagnostic::on_unimplemented(
    message = "`min` and `max` do not apply to `{Self}`",
    label = "`min` and `max` bound numbers: an integer, a float, a `Decimal`, or an `Option` or `Vec` of one"
)]
pub trait Bounded {
    fn check_range(&self, min: Option<Number>, max: Option<Number>) -> Result<(), Violation>;
}

macro_rules! bounded {
    ($variant:ident: $($ty:ty)*) => {
        $(
            impl Bounded for $ty {
                fn check_range(&self, min: Option<Number>, max: Option<Number>) -> Result<(), Violation> {
                    Violation::check_range(Number::$variant((*self).into()), min, max)
                }
            }
        )*
    };
}

bounded!(Int: i8 i16 i32 i64 u8 u16 u32 u64);
bounded!(Float: f32 f64);

impl Bounded for Decimal {
    fn check_range(&self, min: Option<Number>, max: Option<Number>) -> Result<(), Violation> {
        Violation::check_range(Number::Float(self.to_f64()), min, max)
    }
}

impl<T: Bounded> Bounded for Option<T> {
    fn check_range(&self, min: Option<Number>, max: Option<Number>) -> Result<(), Violation> {
        self.as_ref().map_or(Ok(()), |value| value.check_range(min, max))
    }
}

impl<T: Bounded> Bounded for Vec<T> {
    fn check_range(&self, min: Option<Number>, max: Option<Number>) -> Result<(), Violation> {
        self.iter().try_for_each(|value| value.check_range(min, max))
    }
}

pub fn check_max_len<T: Length>(at: &Path<'_>, value: &T, max: usize) -> Result<(), CheckError> {
    value.check_len(max as u64).map_err(|violation| CheckError::new(at.to_string(), &violation))
}

pub fn check_max_items<T: Items>(at: &Path<'_>, value: &T, max: usize) -> Result<(), CheckError> {
    match value.items() {
        Some(items) => {
            Violation::check_items(items, max as u64).map_err(|violation| CheckError::new(at.to_string(), &violation))
        }
        None => Ok(()),
    }
}

pub fn check_range<T: Bounded>(
    at: &Path<'_>,
    value: &T,
    min: Option<Number>,
    max: Option<Number>,
) -> Result<(), CheckError> {
    value.check_range(min, max).map_err(|violation| CheckError::new(at.to_string(), &violation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_are_checked_by_the_shared_rule() {
        let at = Path::param("ratio");
        let (min, max) = (Some(Number::Int(0)), Some(Number::Float(1.5)));
        assert!(check_range(&at, &0.5_f64, min, max).is_ok());
        for value in [f64::NAN, f64::INFINITY, -0.1, 1.6] {
            assert!(check_range(&at, &value, min, max).is_err(), "{value}");
        }
        let big = Some(Number::Int(i128::from(i64::MAX)));
        assert!(check_range(&at, &i64::MAX, None, big).is_ok());
        assert!(check_range(&at, &(i64::MAX - 1), big, None).is_err());
        assert!(check_range(&at, &None::<i64>, big, None).is_ok());
        let err = check_max_len(&at.field("name"), &"abcd".to_owned(), 3).unwrap_err();
        assert_eq!((err.param(), err.code()), ("ratio.name", 41));
        assert_eq!(err.message(), "is 4 characters long, over its limit of 3");
        assert!(check_max_items(&at, &vec![1, 2], 2).is_ok());
        assert!(check_max_len(&at, &12345_i64, 5).is_ok());
        assert_eq!(check_max_len(&at, &-12345_i64, 5).unwrap_err().code(), 41);
        let file = File::from_bytes("a.png", vec![0; 11]);
        assert!(check_max_len(&at, &file, 11).is_ok());
        assert_eq!(check_max_len(&at, &file, 10).unwrap_err().message(), "is 11 bytes, over its limit of 10");
        let one = Some(Number::Int(1));
        assert!(check_range(&at, &vec![1_i64, 2], one, None).is_ok());
        assert!(check_range(&at, &Some(vec![1_i64, 0]), one, None).is_err());
        assert!(check_max_items(&at, &Some(vec![1, 2, 3]), 2).is_err());
    }
}
