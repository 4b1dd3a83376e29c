//! TOP's date-time: a wall-clock time in GMT+8, written `yyyy-MM-dd HH:mm:ss`.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The offset of every TOP date-time: China Standard Time, GMT+8, no daylight saving.
pub const GMT8: UtcOffset = offset!(+8);

/// A point in time as TOP writes it: `yyyy-MM-dd HH:mm:ss`, in GMT+8 whatever the host's
/// time zone.
///
/// It is the type of `Date` params and response fields; it converts from and to
/// [`time::OffsetDateTime`] and [`SystemTime`], so the instant is never misread.
///
/// # Examples
///
/// ```
/// use top_api::DateTime;
///
/// let at: DateTime = "2000-01-01 00:00:00".parse()?;
/// assert_eq!(at.to_string(), "2000-01-01 00:00:00");
/// // Midnight in Beijing is 16:00 UTC the day before.
/// assert_eq!(at.to_offset_date_time().unix_timestamp(), 946_656_000);
/// # Ok::<(), top_api::ParseDateTimeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(PrimitiveDateTime);

/// The system's wall clock, read as a client reads it by default: on Linux its coarse
/// reading, a tenth of the cost of a precise one (which every call paid), behind it by a
/// clock tick at most (a few milliseconds; a timestamp is to the second, and the gateway
/// allows minutes of drift).
#[cfg(target_os = "linux")]
pub(crate) fn wall_clock() -> SystemTime {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
    match (u64::try_from(now.tv_sec), u32::try_from(now.tv_nsec)) {
        (Ok(seconds), Ok(nanos)) if nanos < 1_000_000_000 => {
            SystemTime::UNIX_EPOCH + std::time::Duration::new(seconds, nanos)
        }
        // Before 1970: the precise clock says how far.
        _ => SystemTime::now(),
    }
}

/// The system's wall clock, read as a client reads it by default.
#[cfg(not(target_os = "linux"))]
pub(crate) fn wall_clock() -> SystemTime {
    SystemTime::now()
}

impl DateTime {
    /// The current time.
    pub fn now() -> DateTime {
        DateTime::from(SystemTime::now())
    }

    /// Wraps a wall-clock time that is already in GMT+8.
    pub const fn from_gmt8(local: PrimitiveDateTime) -> DateTime {
        DateTime(local)
    }

    /// The wall-clock time in GMT+8.
    pub const fn as_gmt8(&self) -> PrimitiveDateTime {
        self.0
    }

    /// The instant, at offset +08:00.
    pub const fn to_offset_date_time(&self) -> OffsetDateTime {
        self.0.assume_offset(GMT8)
    }

    /// Reads `yyyy-MM-dd HH:mm:ss`.
    pub fn parse(text: &str) -> Result<DateTime, ParseDateTimeError> {
        let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        PrimitiveDateTime::parse(text.trim(), format).map(DateTime).map_err(|_| ParseDateTimeError { _private: () })
    }

    /// Reads a `Date` param as the gateway does: `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd`
    /// (midnight), both in GMT+8, or epoch milliseconds.
    pub(crate) fn parse_param(text: &str) -> Result<DateTime, String> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text
                .parse()
                .ok()
                .and_then(DateTime::from_epoch_ms)
                .ok_or_else(|| format!("`{text}`: epoch milliseconds out of range"));
        }
        if let Ok(at) = DateTime::parse(text) {
            return Ok(at);
        }
        let day = format_description!("[year]-[month]-[day]");
        time::Date::parse(text, day).map(|day| DateTime(day.midnight())).map_err(|_| {
            format!(
                "`{text}` is not a date: expected yyyy-MM-dd HH:mm:ss or yyyy-MM-dd in GMT+8, or epoch milliseconds"
            )
        })
    }

    /// The instant `millis` milliseconds after the epoch, in GMT+8 (to the second); `None`
    /// out of range.
    pub(crate) fn from_epoch_ms(millis: i64) -> Option<DateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok().map(DateTime::from)
    }

    /// Milliseconds since the epoch of this GMT+8 wall-clock time.
    #[cfg_attr(not(feature = "messages"), allow(dead_code))]
    pub(crate) fn to_epoch_ms(self) -> i64 {
        let seconds = self.to_offset_date_time().unix_timestamp();
        seconds.saturating_mul(1000)
    }

    /// The text of this time, `yyyy-MM-dd HH:mm:ss`, written on the stack: every call
    /// writes one, so its digits are placed directly rather than through the formatting
    /// machinery, and it costs no allocation.
    pub(crate) fn stamp(&self) -> Stamp {
        let (d, t) = (self.0.date(), self.0.time());
        let mut stamp = Stamp { bytes: [0; Stamp::CAPACITY], len: 0 };
        let year = d.year();
        let at = if (0..=9999).contains(&year) {
            let year = year as u16;
            stamp.bytes[..4].copy_from_slice(&[digit(year / 1000), digit(year / 100), digit(year / 10), digit(year)]);
            4
        } else {
            // Out of TOP's range; written plainly all the same.
            let year = year.to_string();
            stamp.bytes[..year.len()].copy_from_slice(year.as_bytes());
            year.len()
        };
        let two = |value: u8| [digit(u16::from(value / 10)), digit(u16::from(value))];
        let [m0, m1] = two(u8::from(d.month()));
        let [d0, d1] = two(d.day());
        let [h0, h1] = two(t.hour());
        let [n0, n1] = two(t.minute());
        let [s0, s1] = two(t.second());
        let rest = [b'-', m0, m1, b'-', d0, d1, b' ', h0, h1, b':', n0, n1, b':', s0, s1];
        stamp.bytes[at..at + rest.len()].copy_from_slice(&rest);
        stamp.len = at + rest.len();
        stamp
    }
}

/// The ASCII digit of `value`'s units.
fn digit(value: u16) -> u8 {
    b'0' + (value % 10) as u8
}

/// A date-time's text on the stack (see [`DateTime::stamp`]).
#[derive(Clone, Copy)]
pub(crate) struct Stamp {
    bytes: [u8; Stamp::CAPACITY],
    len: usize,
}

impl Stamp {
    /// Room for the widest year `time` holds (a sign and six digits) and the rest.
    const CAPACITY: usize = 32;

    pub(crate) fn as_str(&self) -> &str {
        // Only whole `str`s are written into it.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl From<OffsetDateTime> for DateTime {
    /// The instant in GMT+8. One whose GMT+8 wall clock is past year 9999 (or before year
    /// -9999) becomes the last (first) second of that range.
    fn from(instant: OffsetDateTime) -> DateTime {
        let local = match instant.checked_to_offset(GMT8) {
            Some(local) => local,
            None if instant.year() > 0 => PrimitiveDateTime::MAX.assume_offset(GMT8),
            None => PrimitiveDateTime::MIN.assume_offset(GMT8),
        };
        DateTime(PrimitiveDateTime::new(local.date(), local.time().replace_nanosecond(0).unwrap_or(local.time())))
    }
}

impl From<SystemTime> for DateTime {
    /// The instant in GMT+8, to the second. A clock past year 9999 (or before year -9999)
    /// gives the last (first) second of that range rather than a panic.
    fn from(instant: SystemTime) -> DateTime {
        let seconds = match instant.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).map_or(i64::MIN, |secs| -secs);
                // Round down: 0.5 s before the epoch is in the second before it.
                if before.subsec_nanos() > 0 {
                    whole.saturating_sub(1)
                } else {
                    whole
                }
            }
        };
        match OffsetDateTime::from_unix_timestamp(seconds) {
            Ok(instant) => DateTime::from(instant),
            Err(_) if seconds > 0 => {
                DateTime(PrimitiveDateTime::MAX.replace_nanosecond(0).unwrap_or(PrimitiveDateTime::MAX))
            }
            Err(_) => DateTime(PrimitiveDateTime::MIN),
        }
    }
}

impl From<DateTime> for OffsetDateTime {
    fn from(at: DateTime) -> OffsetDateTime {
        at.to_offset_date_time()
    }
}

impl From<DateTime> for SystemTime {
    fn from(at: DateTime) -> SystemTime {
        at.to_offset_date_time().into()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.stamp().as_str())
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({self} GMT+8)")
    }
}

impl FromStr for DateTime {
    type Err = ParseDateTimeError;

    fn from_str(text: &str) -> Result<DateTime, ParseDateTimeError> {
        DateTime::parse(text)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
        struct DateTimeVisitor;

        impl Visitor<'_> for DateTimeVisitor {
            type Value = DateTime;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date-time `yyyy-MM-dd HH:mm:ss`")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime, E> {
                DateTime::parse(text).map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
            }
        }

        deserializer.deserialize_str(DateTimeVisitor)
    }
}

/// A text that is not a date-time `yyyy-MM-dd HH:mm:ss`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDateTimeError {
    _private: (),
}

impl fmt::Display for ParseDateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected a date-time `yyyy-MM-dd HH:mm:ss`")
    }
}

impl std::error::Error for ParseDateTimeError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn the_wall_clock_a_client_reads_keeps_to_the_system_clock() {
        // Behind the precise clock by a tick at most (a few milliseconds), never ahead.
        for _ in 0..1000 {
            let before = SystemTime::now();
            let read = wall_clock();
            let after = SystemTime::now();
            assert!(read <= after, "{read:?} ahead of {after:?}");
            assert!(
                before.duration_since(read).unwrap_or_default() < Duration::from_millis(50),
                "{read:?} behind {before:?}"
            );
        }
    }

    #[test]
    fn what_it_shows_says_what_it_is() {
        let at = DateTime::parse("2024-01-02 03:04:05").unwrap();
        assert_eq!(format!("{at:?}"), "DateTime(2024-01-02 03:04:05 GMT+8)");
        let err = DateTime::parse("soon").unwrap_err();
        assert_eq!(err.to_string(), "expected a date-time `yyyy-MM-dd HH:mm:ss`");
        let err = serde_json::from_str::<DateTime>(r#""soon""#).unwrap_err();
        assert!(err.to_string().contains("expected a date-time `yyyy-MM-dd HH:mm:ss`"), "{err}");
    }

    #[test]
    fn early_years_are_written_with_four_digits() {
        for (text, year) in [("0999-01-02 03:04:05", 999), ("0001-12-31 23:59:59", 1), ("0000-01-01 00:00:00", 0)] {
            let at: DateTime = text.parse().unwrap();
            assert_eq!(at.to_string(), text, "{year}");
        }
    }

    #[test]
    fn instants_out_of_range_saturate_rather_than_panic() {
        let far = UNIX_EPOCH.checked_add(Duration::from_secs(400_000_000_000)).expect("a SystemTime this far");
        assert_eq!(DateTime::from(far).to_string(), "9999-12-31 23:59:59");
        let utc_last = time::macros::datetime!(9999-12-31 23:00:00 UTC);
        assert_eq!(DateTime::from(utc_last).to_string(), "9999-12-31 23:59:59", "past 9999 once in GMT+8");
        let east_first = time::macros::datetime!(-9999-01-01 00:00:00 +12);
        assert_eq!(DateTime::from(east_first), DateTime(PrimitiveDateTime::MIN), "before -9999 once in GMT+8");
        if let Some(early) = UNIX_EPOCH.checked_sub(Duration::from_secs(400_000_000_000)) {
            assert_eq!(DateTime::from(early), DateTime(PrimitiveDateTime::MIN));
        }
        let half = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(DateTime::from(half).to_string(), "1970-01-01 07:59:59");
        assert_eq!(DateTime::from(UNIX_EPOCH - Duration::from_secs(1)).to_string(), "1970-01-01 07:59:59");
    }

    #[test]
    fn an_instant_is_written_in_gmt8() {
        // 2016-01-01 04:00:00 UTC is noon in Beijing.
        let instant = UNIX_EPOCH + Duration::from_secs(1_451_620_800);
        assert_eq!(DateTime::from(instant).to_string(), "2016-01-01 12:00:00");
    }

    #[test]
    fn the_day_turns_at_gmt8_midnight() {
        // 2015-12-31 16:30:00 UTC is already the new year in Beijing.
        let instant = UNIX_EPOCH + Duration::from_secs(1_451_579_400);
        assert_eq!(DateTime::from(instant).to_string(), "2016-01-01 00:30:00");
    }

    #[test]
    fn parse_and_display_round_trip() {
        let at = DateTime::parse("2021-07-22 23:00:46").unwrap();
        assert_eq!(at.to_string(), "2021-07-22 23:00:46");
        assert_eq!(SystemTime::from(at), UNIX_EPOCH + Duration::from_secs(1_626_966_046));
    }

    #[test]
    fn rejects_other_shapes() {
        for text in ["", "2021-07-22", "2021-07-22T23:00:46", "2021-13-01 00:00:00", "yesterday"] {
            assert!(DateTime::parse(text).is_err(), "{text:?}");
        }
    }
}
