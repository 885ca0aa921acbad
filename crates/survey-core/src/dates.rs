//! Calendar dates as ODK sees them: `YYYY-MM-DD` strings, and days since 1970-01-01 when a
//! date takes part in arithmetic or an ordering comparison.

pub use time::Date;
use time::Month;

/// Julian day number of 1970-01-01.
const EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Parses a strict `YYYY-MM-DD` date (a real calendar date).
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    let month = digits(&b[5..7])? as u8;
    let day = digits(&b[8..10])? as u8;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Parses `n` ASCII digits into a number.
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

/// Days since 1970-01-01 (negative before).
pub fn to_days(d: Date) -> i32 {
    d.to_julian_day() - EPOCH_JULIAN_DAY
}

/// The date `days` days after 1970-01-01.
pub fn from_days(days: i32) -> Option<Date> {
    Date::from_julian_day(days.checked_add(EPOCH_JULIAN_DAY)?).ok()
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    let mut s = String::with_capacity(10);
    write_date(&mut s, d);
    s
}

pub(crate) fn write_date(out: &mut String, d: Date) {
    use std::fmt::Write;
    let (y, m, day) = d.to_calendar_date();
    let _ = write!(out, "{:04}-{:02}-{:02}", y, m as u8, day);
}

/// Whole years from `birth` to `at` (negative when `at` is before `birth`).
pub fn age_at(birth: Date, at: Date) -> i32 {
    if at < birth {
        return -age_at(at, birth);
    }
    let mut years = at.year() - birth.year();
    if (at.month() as u8, at.day()) < (birth.month() as u8, birth.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_dates() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-13-01").is_none());
        assert!(parse_date("2024-1-01").is_none());
        assert!(parse_date("24-01-01").is_none());
        assert!(parse_date("").is_none());
    }

    #[test]
    fn days_round_trip() {
        let d = parse_date("1970-01-01").unwrap();
        assert_eq!(to_days(d), 0);
        assert_eq!(to_days(parse_date("1970-01-02").unwrap()), 1);
        assert_eq!(to_days(parse_date("1969-12-31").unwrap()), -1);
        assert_eq!(format_date(from_days(19_727).unwrap()), "2024-01-05");
    }

    #[test]
    fn age_counts_whole_years() {
        let b = parse_date("2000-06-15").unwrap();
        assert_eq!(age_at(b, parse_date("2024-06-14").unwrap()), 23);
        assert_eq!(age_at(b, parse_date("2024-06-15").unwrap()), 24);
        assert_eq!(age_at(b, parse_date("1999-01-01").unwrap()), -1);
    }
}
