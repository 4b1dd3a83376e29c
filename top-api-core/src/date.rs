//! TOP's `Date` as answers carry it: whatever form the service wrote, read where it can be.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::{Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::DateTime;

/// A date or date-time from an answer, in the form the service wrote it.
///
/// Services behind the gateway write `Date` fields in several forms: `yyyy-MM-dd HH:mm:ss`
/// (the usual one), `yyyy-MM-dd`, dotted or slashed (`2016.09.26`), with a `T`, without
/// seconds, with milliseconds, as `yyyyMMdd`, or as epoch milliseconds. `Date` reads all of
/// them as a wall-clock time in GMT+8, and keeps the text whatever it was, so that a form
/// it does not know never fails the whole answer.
///
/// # Examples
///
/// ```
/// use top_api::Date;
///
/// let created = Date::parse("2016-09-26 08:30:00");
/// assert_eq!(created.date_time().map(|at| at.to_string()).as_deref(), Some("2016-09-26 08:30:00"));
///
/// let day = Date::parse("2016.09.26");
/// assert_eq!(day.date_time().map(|at| at.to_string()).as_deref(), Some("2016-09-26 00:00:00"));
/// assert!(day.is_date_only());
///
/// let odd = Date::parse("next Tuesday");
/// assert_eq!((odd.date_time(), odd.as_str()), (None, "next Tuesday"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Date {
    text: Box<str>,
    value: Option<(DateTime, bool)>,
}

impl Date {
    /// Reads `text` in any form it knows; the text is kept either way.
    pub fn parse(text: &str) -> Date {
        Date { value: read(text.trim()), text: text.into() }
    }

    /// The text as the answer carried it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The point in time, in GMT+8 (midnight for a date without a time), when the text is
    /// in a form `Date` reads.
    pub fn date_time(&self) -> Option<DateTime> {
        self.value.map(|(at, _)| at)
    }

    /// True when the text gave a day without a time of day.
    pub fn is_date_only(&self) -> bool {
        self.value.is_some_and(|(_, day)| day)
    }
}

/// Reads the forms services write; `None` for anything else.
fn read(text: &str) -> Option<(DateTime, bool)> {
    let bytes = text.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        return match bytes.len() {
            // yyyyMMdd and yyyyMMddHHmmss.
            8 => day(&text[..4], &text[4..6], &text[6..8]).map(|d| (DateTime::from_gmt8(d.midnight()), true)),
            14 => {
                let date = day(&text[..4], &text[4..6], &text[6..8])?;
                let time = time_of_day(&text[8..10], &text[10..12], &text[12..14], "")?;
                Some((DateTime::from_gmt8(PrimitiveDateTime::new(date, time)), false))
            }
            // Epoch milliseconds, as Java's `Date.getTime()`.
            10..=13 => epoch_millis(text.parse().ok()?).map(|at| (at, false)),
            _ => None,
        };
    }
    let (date, rest) = match text.find([' ', 'T']) {
        Some(at) => (&text[..at], Some(text[at + 1..].trim_start())),
        None => (text, None),
    };
    let (year, month, dd) = date_parts(date)?;
    if year.len() != 4 {
        return None;
    }
    let date = day(year, month, dd)?;
    let Some(clock) = rest else {
        return Some((DateTime::from_gmt8(date.midnight()), true));
    };
    let mut fields = clock.split(':');
    let (hour, minute) = (fields.next()?, fields.next()?);
    let (second, fraction) = match fields.next() {
        Some(seconds) => seconds.split_once('.').unwrap_or((seconds, "")),
        None => ("0", ""),
    };
    if fields.next().is_some() {
        return None;
    }
    let time = time_of_day(hour, minute, second, fraction)?;
    Some((DateTime::from_gmt8(PrimitiveDateTime::new(date, time)), false))
}

/// The year, month and day of `date` when it is three parts parted by two separators of
/// one kind (`-`, `.` or `/`): read in one pass, as a date is read in every answer.
fn date_parts(date: &str) -> Option<(&str, &str, &str)> {
    let mut parts = date.split(['-', '.', '/']);
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    // The separators are where the split found them: after the year, after the month.
    let bytes = date.as_bytes();
    let same = bytes.get(year.len()) == bytes.get(year.len() + 1 + month.len());
    (parts.next().is_none() && same).then_some((year, month, day))
}

fn number<T: std::str::FromStr>(text: &str, width: std::ops::RangeInclusive<usize>) -> Option<T> {
    (width.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

fn day(year: &str, month: &str, day: &str) -> Option<time::Date> {
    let month = Month::try_from(number::<u8>(month, 1..=2)?).ok()?;
    time::Date::from_calendar_date(number(year, 4..=4)?, month, number(day, 1..=2)?).ok()
}

fn time_of_day(hour: &str, minute: &str, second: &str, fraction: &str) -> Option<Time> {
    if !fraction.is_empty() && number::<u32>(fraction, 1..=9).is_none() {
        return None;
    }
    Time::from_hms(number(hour, 1..=2)?, number(minute, 2..=2)?, number(second, 1..=2)?).ok()
}

fn epoch_millis(millis: i64) -> Option<DateTime> {
    let local = OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000)).ok()?.checked_to_offset(crate::GMT8)?;
    Some(DateTime::from_gmt8(PrimitiveDateTime::new(local.date(), local.time())))
}

impl From<DateTime> for Date {
    fn from(at: DateTime) -> Date {
        Date { text: at.to_string().into(), value: Some((at, false)) }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({:?})", &*self.text)
    }
}

impl Serialize for Date {
    /// The text, as it came.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Date {
    /// From text in any form, or from a number of epoch milliseconds. Never fails on the
    /// text itself, what it cannot read it keeps; only a blank text is no date (an
    /// `Option<Date>` field of an [`Object`](crate::Object) reads it as `None`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct DateVisitor;

        impl Visitor<'_> for DateVisitor {
            type Value = Date;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as `2016-09-26 08:30:00`, or epoch milliseconds")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
                if text.trim().is_empty() {
                    // In an `Option` field of an object, a blank date is a left-out one.
                    return Err(crate::lenient::blank());
                }
                Ok(Date::parse(text))
            }

            fn visit_i64<E: de::Error>(self, millis: i64) -> Result<Date, E> {
                Ok(Date { text: millis.to_string().into(), value: epoch_millis(millis).map(|at| (at, false)) })
            }

            fn visit_u64<E: de::Error>(self, millis: u64) -> Result<Date, E> {
                match i64::try_from(millis) {
                    Ok(millis) => self.visit_i64(millis),
                    Err(_) => Ok(Date { text: millis.to_string().into(), value: None }),
                }
            }

            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Date, E> {
                Ok(Date { text: x.to_string().into(), value: None })
            }
        }

        deserializer.deserialize_any(DateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<String> {
        Date::parse(text).date_time().map(|at| at.to_string())
    }

    #[test]
    fn every_form_services_write_is_read() {
        let noon = Some("2016-09-26 12:30:05".to_owned());
        for text in [
            "2016-09-26 12:30:05",
            "2016.09.26 12:30:05",
            "2016/09/26 12:30:05",
            "2016-09-26T12:30:05",
            "2016-9-26 12:30:05",
            "2016-09-26 12:30:05.123",
            "20160926123005",
            " 2016-09-26 12:30:05 ",
        ] {
            assert_eq!(at(text), noon, "{text:?}");
        }
        assert_eq!(at("2016-09-26 12:30"), Some("2016-09-26 12:30:00".to_owned()));
        for text in ["2016-09-26", "2016.09.26", "2016/09/26", "20160926"] {
            assert_eq!(at(text), Some("2016-09-26 00:00:00".to_owned()), "{text:?}");
            assert!(Date::parse(text).is_date_only());
        }
        // 2016-01-01 04:00:00 UTC is noon in Beijing.
        assert_eq!(at("1451620800000"), Some("2016-01-01 12:00:00".to_owned()));
    }

    proptest::proptest! {
        #[test]
        fn a_date_has_parts_when_a_list_of_its_separators_says_so(date in "[0-9./-]{0,12}") {
            let listed: Vec<char> = date.chars().filter(|c| matches!(c, '-' | '.' | '/')).collect();
            let parts: Vec<&str> = date.split(['-', '.', '/']).collect();
            let expected =
                (listed.len() == 2 && listed[0] == listed[1]).then(|| (parts[0], parts[1], parts[2]));
            proptest::prop_assert_eq!(date_parts(&date), expected);
        }
    }

    #[test]
    fn what_it_cannot_read_is_kept() {
        for text in [
            "",
            "yesterday",
            "2016-13-01",
            "2016-02-30",
            "2016-09-26 25:00:00",
            "2016-09.26",
            "16-09-26",
            "99999-01-01",
            "2016-09-26 12:30:05:01",
            "999999999999999999",
            "2016-09-26 12:3x",
        ] {
            let date = Date::parse(text);
            assert_eq!((date.date_time(), date.as_str()), (None, text), "{text:?}");
        }
    }

    #[test]
    fn serde_keeps_the_text() {
        let date: Date = serde_json::from_str(r#""2016.09.26""#).unwrap();
        assert_eq!(serde_json::to_string(&date).unwrap(), r#""2016.09.26""#);
        let millis: Date = serde_json::from_str("1451620800000").unwrap();
        assert_eq!(millis.as_str(), "1451620800000");
        assert_eq!(millis.date_time().unwrap().to_string(), "2016-01-01 12:00:00");
        let huge: Date = serde_json::from_str("18446744073709551615").unwrap();
        assert_eq!(huge.date_time(), None);
        let far: Date = serde_json::from_str("9223372036854775807").unwrap();
        assert_eq!(far.date_time(), None);
    }
}
