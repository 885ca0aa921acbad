//! Dates and date-times as ODK's expressions see them: a point in time is a number of days
//! since 1970-01-01T00:00 (a fraction is the time of day), read from `YYYY-MM-DD` or
//! `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`, and written back by `date()` / `format-date()`.
//!
//! The core has no clock and no time zone: a date-time without an offset is taken as UTC,
//! and one with an offset is converted to UTC (ODK uses the device's zone for both).

use crate::dates;

const MS_PER_DAY: f64 = 86_400_000.0;

/// Days since 1970-01-01 of an ISO date or date-time, or `None` when `s` is neither (as
/// in ODK, surrounding spaces make it neither).
pub(crate) fn parse_days(s: &str) -> Option<f64> {
    let day = f64::from(dates::to_days(dates::parse_date(s.get(..10)?)?));
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(day);
    }
    let time = rest.strip_prefix('T')?;
    let (clock, offset_minutes) = split_offset(time)?;
    let ms = clock_ms(clock)?;
    Some(day + (ms - offset_minutes * 60_000.0) / MS_PER_DAY)
}

/// `HH:MM[:SS[.fff]]` → milliseconds since midnight.
fn clock_ms(clock: &str) -> Option<f64> {
    let b = clock.as_bytes();
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let h = dates::digits(&b[0..2])?;
    let m = dates::digits(&b[3..5])?;
    let mut ms = 0.0;
    if b.len() > 5 {
        if b[5] != b':' || b.len() < 8 {
            return None;
        }
        let sec = dates::digits(&b[6..8])?;
        ms = f64::from(sec) * 1000.0;
        if b.len() > 8 {
            let frac = clock[8..].strip_prefix('.')?;
            if frac.is_empty() || !frac.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            ms += format!("0.{frac}").parse::<f64>().ok()? * 1000.0;
        }
    }
    if h > 23 || m > 59 || ms >= 60_000.0 {
        return None;
    }
    Some(f64::from(h * 60 + m) * 60_000.0 + ms)
}

/// Splits `10:00:00+08:00` into the clock and the offset in minutes (`Z` is 0, none is 0).
fn split_offset(time: &str) -> Option<(&str, f64)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, 0.0));
    }
    match time.rfind(['+', '-']) {
        Some(i) => Some((&time[..i], offset_minutes(&time[i..])?)),
        None => Some((time, 0.0)),
    }
}

/// `+08:00`, `+0800` or `+08` → minutes.
fn offset_minutes(s: &str) -> Option<f64> {
    let sign = if s.starts_with('-') { -1.0 } else { 1.0 };
    let b = s[1..].as_bytes();
    let (h, m) = match b.len() {
        2 => (dates::digits(b)?, 0),
        4 => (dates::digits(&b[..2])?, dates::digits(&b[2..])?),
        5 if b[2] == b':' => (dates::digits(&b[..2])?, dates::digits(&b[3..])?),
        _ => return None,
    };
    Some(sign * f64::from(h * 60 + m))
}

/// `decimal-time()`: `HH:MM:SS[.fff]±HH:MM` → the fraction of the day (UTC) it names.
pub(crate) fn decimal_time(s: &str) -> f64 {
    let parsed = s.rfind(['+', '-']).and_then(|i| {
        let ms = clock_ms(&s[..i]).filter(|_| s[..i].len() >= 8)?;
        Some(ms - offset_minutes(&s[i..])? * 60_000.0)
    });
    parsed.map_or(f64::NAN, |ms| ms.rem_euclid(MS_PER_DAY) / MS_PER_DAY)
}

/// The parts of a point in time: date, and hour, minute, second, millisecond (UTC).
struct Parts {
    date: dates::Date,
    h: i64,
    m: i64,
    s: i64,
    ms: i64,
}

fn parts(days: f64) -> Option<Parts> {
    if !days.is_finite() {
        return None;
    }
    let total = (days * MS_PER_DAY).round() as i64;
    let day = total.div_euclid(MS_PER_DAY as i64);
    let ms = total.rem_euclid(MS_PER_DAY as i64);
    Some(Parts {
        date: dates::from_days(i32::try_from(day).ok()?)?,
        h: ms / 3_600_000,
        m: ms / 60_000 % 60,
        s: ms / 1000 % 60,
        ms: ms % 1000,
    })
}

/// Writes a point in time as ODK's `date()` does: `YYYY-MM-DD` for a whole day, else
/// `YYYY-MM-DDTHH:MM:SS.fff+00:00`.
pub(crate) fn write_days(out: &mut String, days: f64) {
    use std::fmt::Write;
    let Some(p) = parts(days) else { return };
    dates::write_date(out, p.date);
    if days.fract() != 0.0 {
        let _ = write!(out, "T{:02}:{:02}:{:02}.{:03}+00:00", p.h, p.m, p.s, p.ms);
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `format-date()` / `format-date-time()`: `%Y %y %m %n %b %d %e %a %H %h %M %S %3`; any
/// other `%x` stays as written. Blank when `days` is not a point in time.
pub(crate) fn format(days: f64, pattern: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let Some(p) = parts(days) else { return out };
    let (year, month, day) = p.date.to_calendar_date();
    let month = month as u8;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(code) = chars.next() else {
            out.push('%');
            break;
        };
        let _ = match code {
            'Y' => write!(out, "{year:04}"),
            'y' => write!(out, "{:02}", year.rem_euclid(100)),
            'm' => write!(out, "{month:02}"),
            'n' => write!(out, "{month}"),
            'b' => write!(out, "{}", MONTHS[usize::from(month) - 1]),
            'd' => write!(out, "{day:02}"),
            'e' => write!(out, "{day}"),
            'a' => write!(
                out,
                "{}",
                WEEKDAYS[usize::from(p.date.weekday().number_days_from_monday())]
            ),
            'H' => write!(out, "{:02}", p.h),
            'h' => write!(out, "{}", p.h),
            'M' => write!(out, "{:02}", p.m),
            'S' => write!(out, "{:02}", p.s),
            '3' => write!(out, "{:03}", p.ms),
            other => write!(out, "%{other}"),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dates_and_date_times() {
        assert_eq!(parse_days("2024-01-05"), Some(19_727.0));
        assert_eq!(parse_days("1970-01-01T12:00:00Z"), Some(0.5));
        assert_eq!(parse_days("1970-01-01T12:00"), Some(0.5));
        assert_eq!(parse_days("1970-01-02T08:00:00+08:00"), Some(1.0));
        assert_eq!(parse_days("1970-01-01T06:00:00.000-06:00"), Some(0.5));
        for bad in [
            "2024-1-5",
            "2024-01-05x",
            "2024-01-05T",
            "2024-01-05T1:00",
            "2024-02-30",
        ] {
            assert_eq!(parse_days(bad), None, "{bad}");
        }
    }

    #[test]
    fn writes_and_formats() {
        let mut s = String::new();
        write_days(&mut s, 19_727.9);
        assert_eq!(s, "2024-01-05T21:36:00.000+00:00");
        assert_eq!(
            format(19_727.5, "%Y/%m/%d %H:%M %a %b %%"),
            "2024/01/05 12:00 Fri Jan %%"
        );
        assert_eq!(format(f64::NAN, "%Y"), "");
        assert_eq!(decimal_time("06:00:00.000+00:00"), 0.25);
        assert!(decimal_time("12:00:00Z").is_nan());
    }
}
