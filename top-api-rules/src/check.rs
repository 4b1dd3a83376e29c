//! The checks a param must pass, and the gateway's words when one fails.
//!
//! The client runs them on typed values before sending (and fails the call with code 40 or
//! 41 and nothing sent, as the official SDKs do); the sandbox gateway and `top call` run
//! the same ones on the params' text, read as the platform's data types them.

use std::fmt;

/// The `sub_code` of the gateway's refusal of an invalid param (code 41).
pub const INVALID_PARAM_SUB_CODE: &str = "isv.invalid-parameter";

/// A number a check compares: an integer, exactly, or a float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer of any width, compared exactly.
    Int(i128),
    /// A float (a `Decimal` is compared as its nearest float).
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
            // Exact up to 2^53, as near as a float can be beyond.
            #[allow(clippy::cast_precision_loss)]
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

/// Why a param fails its checks.
///
/// Its [`Display`](fmt::Display) says what is wrong with the param, after its name
/// (`is 5 characters long, over its limit of 3`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Violation {
    /// A required param is absent or blank (code 40).
    Missing,
    /// Text longer than its `maxLength`, in characters.
    TooLong {
        /// How long it is.
        chars: usize,
        /// The limit.
        max: u64,
    },
    /// A file larger than its `maxLength`, in bytes.
    TooLarge {
        /// How large it is.
        bytes: usize,
        /// The limit.
        max: u64,
    },
    /// A list with more items than its `maxListSize`.
    TooManyItems {
        /// How many it has.
        items: usize,
        /// The limit.
        max: u64,
    },
    /// A number under its `minValue`.
    BelowMin {
        /// The number.
        value: Number,
        /// The minimum.
        min: Number,
    },
    /// A number over its `maxValue`.
    AboveMax {
        /// The number.
        value: Number,
        /// The maximum.
        max: Number,
    },
    /// A float that is not a number, where bounds apply.
    NotANumber,
    /// Text that is not a value of the param's type.
    NotA {
        /// What it should be: `a number`, `a boolean`, `a date`, ….
        expected: &'static str,
    },
    /// Any other reason, in words that follow the param's name (`is given twice`).
    Invalid(String),
}

impl Violation {
    /// The gateway's code for it: 40 for a missing param, 41 for an invalid one.
    pub fn code(&self) -> i64 {
        match self {
            Violation::Missing => 40,
            _ => 41,
        }
    }

    /// The gateway's `msg` when it refuses the param `name` for it:
    /// `Missing required arguments:name` or `Invalid arguments:name`.
    pub fn gateway_msg(&self, name: &str) -> String {
        match self {
            Violation::Missing => format!("Missing required arguments:{name}"),
            _ => format!("Invalid arguments:{name}"),
        }
    }

    /// Text of at most `max` characters.
    ///
    /// # Errors
    ///
    /// [`Violation::TooLong`] when `chars` is over `max`.
    pub fn check_len(chars: usize, max: u64) -> Result<(), Violation> {
        if u64::try_from(chars).map_or(true, |chars| chars > max) {
            return Err(Violation::TooLong { chars, max });
        }
        Ok(())
    }

    /// A file of at most `max` bytes (a `byte[]` param's `maxLength`).
    ///
    /// # Errors
    ///
    /// [`Violation::TooLarge`] when `bytes` is over `max`.
    pub fn check_size(bytes: usize, max: u64) -> Result<(), Violation> {
        if u64::try_from(bytes).map_or(true, |bytes| bytes > max) {
            return Err(Violation::TooLarge { bytes, max });
        }
        Ok(())
    }

    /// A list of at most `max` items.
    ///
    /// # Errors
    ///
    /// [`Violation::TooManyItems`] when `items` is over `max`.
    pub fn check_items(items: usize, max: u64) -> Result<(), Violation> {
        if u64::try_from(items).map_or(true, |items| items > max) {
            return Err(Violation::TooManyItems { items, max });
        }
        Ok(())
    }

    /// A number within its bounds. A NaN is within none; unbounded, it is the caller's
    /// business.
    ///
    /// # Errors
    ///
    /// [`Violation::BelowMin`], [`Violation::AboveMax`] or [`Violation::NotANumber`].
    pub fn check_range(value: Number, min: Option<Number>, max: Option<Number>) -> Result<(), Violation> {
        if matches!(value, Number::Float(x) if x.is_nan()) && (min.is_some() || max.is_some()) {
            return Err(Violation::NotANumber);
        }
        if let Some(min) = min.filter(|min| value.below(*min)) {
            return Err(Violation::BelowMin { value, min });
        }
        if let Some(max) = max.filter(|max| max.below(value)) {
            return Err(Violation::AboveMax { value, max });
        }
        Ok(())
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Missing => f.write_str("is required but blank or absent"),
            Violation::TooLong { chars, max } => write!(f, "is {chars} characters long, over its limit of {max}"),
            Violation::TooLarge { bytes, max } => write!(f, "is {bytes} bytes, over its limit of {max}"),
            Violation::TooManyItems { items, max } => write!(f, "has {items} items, over its limit of {max}"),
            Violation::BelowMin { value, min } => write!(f, "is {value}, under its minimum of {min}"),
            Violation::AboveMax { value, max } => write!(f, "is {value}, over its maximum of {max}"),
            Violation::NotANumber => f.write_str("is NaN, which is within no bounds"),
            Violation::NotA { expected } => write!(f, "is not {expected}"),
            Violation::Invalid(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for Violation {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_infinities_are_out_of_bounds() {
        let (min, max) = (Some(Number::Int(0)), Some(Number::Float(1.5)));
        assert!(Violation::check_range(Number::Float(0.5), min, max).is_ok());
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.1, 1.6] {
            assert!(Violation::check_range(Number::Float(value), min, max).is_err(), "{value}");
        }
        assert_eq!(Violation::check_range(Number::Float(f64::NAN), min, None), Err(Violation::NotANumber));
        assert_eq!(Violation::check_range(Number::Float(f64::NAN), None, max), Err(Violation::NotANumber));
        // Unbounded, a NaN is the caller's business.
        assert!(Violation::check_range(Number::Float(f64::NAN), None, None).is_ok());
        // Integers beyond f64's exactness compare exactly.
        let big = Some(Number::Int(i128::from(i64::MAX)));
        assert!(Violation::check_range(Number::Int(i64::MAX.into()), None, big).is_ok());
        assert!(Violation::check_range(Number::Int((i64::MAX - 1).into()), big, None).is_err());
    }

    #[test]
    fn limits_hold_at_their_edge() {
        assert_eq!(Violation::check_len(3, 3), Ok(()));
        assert_eq!(Violation::check_len(4, 3), Err(Violation::TooLong { chars: 4, max: 3 }));
        assert_eq!(Violation::check_size(1_048_576, 1_048_576), Ok(()));
        assert_eq!(
            Violation::check_size(1_048_577, 1_048_576),
            Err(Violation::TooLarge { bytes: 1_048_577, max: 1_048_576 })
        );
        assert_eq!(Violation::check_items(2, 2), Ok(()));
        assert_eq!(Violation::check_items(3, 2), Err(Violation::TooManyItems { items: 3, max: 2 }));
        let one = Some(Number::Int(1));
        assert_eq!(Violation::check_range(Number::Int(1), one, one), Ok(()));
        assert!(Violation::check_range(Number::Int(0), one, None).is_err());
        assert!(Violation::check_range(Number::Int(2), None, one).is_err());
    }

    #[test]
    fn the_gateway_s_words() {
        assert_eq!(Violation::Missing.code(), 40);
        assert_eq!(Violation::Missing.gateway_msg("q"), "Missing required arguments:q");
        let long = Violation::TooLong { chars: 5, max: 3 };
        assert_eq!(long.code(), 41);
        assert_eq!(long.gateway_msg("q"), "Invalid arguments:q");
        assert_eq!(long.to_string(), "is 5 characters long, over its limit of 3");
        let low = Violation::BelowMin { value: Number::Int(0), min: Number::Int(1) };
        assert_eq!(low.to_string(), "is 0, under its minimum of 1");
        assert_eq!(Violation::NotA { expected: "a number" }.to_string(), "is not a number");
    }
}
