//! TOP's `Price` and `BigDecimal`: exact decimal numbers, kept as the text they travel as.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// The largest exponent a decimal may carry (`1E+1000`): enough for any amount, and small
/// enough that comparing two decimals never builds huge numbers.
const MAX_EXPONENT: i64 = 1000;

/// An exact decimal number: TOP's `Price` and `BigDecimal`.
///
/// It keeps the text it was given (`"12.30"` stays `12.30`, digits and trailing zeros
/// alike), so amounts are sent and read back exactly, never through a float. Two decimals
/// are equal when their values are (`12.3 == 12.30`).
///
/// # Examples
///
/// ```
/// use top_api::Decimal;
///
/// let price: Decimal = "12.30".parse()?;
/// assert_eq!(price.as_str(), "12.30");
/// assert_eq!(price, "12.3".parse()?);
/// assert!(price > Decimal::from(12));
/// assert_eq!(price.to_f64(), 12.3);
/// # Ok::<(), top_api::ParseDecimalError>(())
/// ```
#[derive(Clone)]
pub struct Decimal(Box<str>);

impl Decimal {
    /// Reads a decimal: an optional sign, digits with an optional `.` and fraction, and an
    /// optional exponent (`1.5E-7`, as Java writes small `BigDecimal`s).
    ///
    /// # Errors
    ///
    /// [`ParseDecimalError`] when the text is not such a number.
    pub fn parse(text: &str) -> Result<Decimal, ParseDecimalError> {
        let text = text.trim();
        Parts::of(text).map(|_| Decimal(text.into())).ok_or(ParseDecimalError { _private: () })
    }

    /// The number as text, exactly as it was given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest `f64`: for display or arithmetic that may round.
    pub fn to_f64(&self) -> f64 {
        // Every text that parsed as a decimal is a number `f64` reads.
        self.0.parse().unwrap_or(f64::NAN)
    }

    fn parts(&self) -> Parts<'_> {
        Parts::of(&self.0).unwrap_or(Parts::ZERO)
    }
}

/// A decimal's value as sign, significant digits and the position of the point: the value
/// is `0.d1d2d3… × 10^point`, with no leading or trailing zeros among the digits.
#[derive(Clone, Copy)]
struct Parts<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
    exponent: i64,
}

impl<'a> Parts<'a> {
    const ZERO: Parts<'static> = Parts { negative: false, int: "", frac: "", exponent: 0 };

    fn of(text: &'a str) -> Option<Parts<'a>> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => {
                let exponent = &rest[at + 1..];
                let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 6 {
                    return None;
                }
                let value: i64 = exponent.parse().ok()?;
                if value.abs() > MAX_EXPONENT {
                    return None;
                }
                (&rest[..at], value)
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
            return None;
        }
        Some(Parts { negative, int, frac, exponent })
    }

    /// The significant digits and the point's position, for comparisons.
    fn normal(self) -> (bool, String, i64) {
        let all: String = self.int.chars().chain(self.frac.chars()).collect();
        let leading = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_matches('0').to_owned();
        if digits.is_empty() {
            return (false, digits, 0);
        }
        let point = self.int.len() as i64 - leading as i64 + self.exponent;
        (self.negative, digits, point)
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Decimal) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        let (a_negative, a, a_point) = self.parts().normal();
        let (b_negative, b, b_point) = other.parts().normal();
        let magnitude = |digits: &str, point: i64| (!digits.is_empty(), point);
        let by_magnitude = || {
            // Both non-zero: the point first, then the digits, the shorter padded with zeros.
            magnitude(&a, a_point).cmp(&magnitude(&b, b_point)).then_with(|| {
                if a.is_empty() {
                    return Ordering::Equal;
                }
                let width = a.len().max(b.len());
                format!("{a:0<width$}").cmp(&format!("{b:0<width$}"))
            })
        };
        match (a_negative, b_negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => by_magnitude(),
            (true, true) => by_magnitude().reverse(),
        }
    }
}

impl Hash for Decimal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts().normal().hash(state);
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl Default for Decimal {
    /// Zero.
    fn default() -> Decimal {
        Decimal("0".into())
    }
}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    fn from_str(text: &str) -> Result<Decimal, ParseDecimalError> {
        Decimal::parse(text)
    }
}

macro_rules! from_integers {
    ($($ty:ty)*) => {
        $(
            impl From<$ty> for Decimal {
                fn from(n: $ty) -> Decimal {
                    Decimal(n.to_string().into())
                }
            }
        )*
    };
}

from_integers!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

impl TryFrom<f64> for Decimal {
    type Error = ParseDecimalError;

    /// The shortest decimal that reads back as `x` (`0.1` for `0.1_f64`).
    ///
    /// # Errors
    ///
    /// For NaN and infinities.
    fn try_from(x: f64) -> Result<Decimal, ParseDecimalError> {
        if x.is_finite() {
            Ok(Decimal(x.to_string().into()))
        } else {
            Err(ParseDecimalError { _private: () })
        }
    }
}

impl Serialize for Decimal {
    /// As text, the way TOP writes prices, so that no digit is lost on the way.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    /// From text (`"12.30"`, kept exactly) or a number. A JSON number is read through
    /// `f64` by the JSON parser, so `12.30` sent unquoted comes back as `12.3`: the same
    /// value, written shortest.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        struct DecimalVisitor;

        impl Visitor<'_> for DecimalVisitor {
            type Value = Decimal;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number such as `12.30`")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
                if text.trim().is_empty() {
                    return Err(crate::lenient::blank());
                }
                Decimal::parse(text).map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
            }

            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Decimal, E> {
                Ok(Decimal::from(n))
            }

            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Decimal, E> {
                Ok(Decimal::from(n))
            }

            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Decimal, E> {
                Decimal::try_from(x).map_err(|_| E::invalid_value(de::Unexpected::Float(x), &self))
            }
        }

        deserializer.deserialize_any(DecimalVisitor)
    }
}

/// A text that is not a decimal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDecimalError {
    _private: (),
}

impl fmt::Display for ParseDecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected a decimal number such as `12.30`")
    }
}

impl std::error::Error for ParseDecimalError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn the_text_is_kept_exactly() {
        for text in ["12.30", "-0.001", "007", "1.5E-7", "123456789012345678901234567890.123456789", "+3", ".5", "5."] {
            assert_eq!(d(text).as_str(), text);
            assert_eq!(d(text).to_string(), text);
        }
        assert_eq!(d(" 1.0 ").as_str(), "1.0");
    }

    #[test]
    fn what_is_not_a_decimal_is_refused() {
        for text in
            ["", "-", ".", "1.2.3", "1,5", "0x10", "NaN", "inf", "1e", "1e+", "1e5000", "1e9999999", "--1", "1 2", "１"]
        {
            assert!(Decimal::parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn equality_and_order_are_by_value() {
        assert_eq!(d("12.3"), d("12.30"));
        assert_eq!(d("0"), d("-0.000"));
        assert_eq!(d("1.5E2"), d("150"));
        assert_eq!(d("007"), d("7"));
        assert!(d("0.1") < d("0.10001"));
        assert!(d("-2") < d("-1.99"));
        assert!(d("-0.5") < d("0"));
        assert!(d("10") > d("9.999999"));
        assert!(d("1E-7") < d("0.000001"));
        assert_ne!(d("1"), d("10"));
        let mut sorted = [d("3"), d("-1"), d("0.5"), d("2.50"), d("0")];
        sorted.sort();
        let texts: Vec<&str> = sorted.iter().map(Decimal::as_str).collect();
        assert_eq!(texts, ["-1", "0", "0.5", "2.50", "3"]);
    }

    #[test]
    fn equal_values_hash_alike() {
        use std::collections::HashSet;
        let set: HashSet<Decimal> = ["12.3", "12.30", "1.23E1"].into_iter().map(d).collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn serde_keeps_text_and_reads_numbers() {
        assert_eq!(serde_json::to_string(&d("12.30")).unwrap(), r#""12.30""#);
        assert_eq!(serde_json::from_str::<Decimal>(r#""12.30""#).unwrap().as_str(), "12.30");
        assert_eq!(serde_json::from_str::<Decimal>("12").unwrap().as_str(), "12");
        assert_eq!(serde_json::from_str::<Decimal>("-9007199254740993").unwrap().as_str(), "-9007199254740993");
        assert_eq!(serde_json::from_str::<Decimal>("0.1").unwrap(), d("0.1"));
        assert!(serde_json::from_str::<Decimal>(r#""abc""#).is_err());
    }

    #[test]
    fn conversions() {
        assert_eq!(Decimal::from(-42_i64).as_str(), "-42");
        assert_eq!(Decimal::try_from(0.1_f64).unwrap().as_str(), "0.1");
        assert!(Decimal::try_from(f64::NAN).is_err());
        assert_eq!(d("2.5").to_f64(), 2.5);
        assert_eq!(Decimal::default(), d("0"));
    }
}
