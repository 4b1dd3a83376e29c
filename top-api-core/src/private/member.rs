//! What an object sent in a request checks of its members before it goes.

use top_api_rules::Violation;

use super::path::Path;
use crate::error::CheckError;
use crate::{Date, DateTime, Decimal, File, Json};

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
        Err(CheckError::new(at.to_string(), &Violation::Missing))
    } else {
        Ok(())
    }
}
