//! RFC 3339 timestamps (`2026-11-29T10:15:00.000Z`, `2026-11-29T18:15:00+08:00`) as
//! instants, to tell which of two versions of a household is newer whatever time zone
//! each was written in.
use crate::dates::{digits, parse_date, to_days};

/// Milliseconds since 1970-01-01T00:00:00Z of an RFC 3339 date-time; `None` when `s` is
/// not one. Fractions beyond milliseconds are cut off.
pub fn instant(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let day = i64::from(to_days(parse_date(&s[..10])?));
    let (h, m, sec) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0i64;
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        for k in 0..3 {
            millis = millis * 10 + rest.get(1 + k).filter(|_| k < n).map_or(0, |c| i64::from(c - b'0'));
        }
        rest = &rest[1 + n..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let (oh, om) = (digits(&[*oh1, *oh2])?, digits(&[*om1, *om2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = i64::from(oh * 60 + om) * 60_000;
            if *sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    let local = ((day * 24 + i64::from(h)) * 60 + i64::from(m)) * 60_000 + i64::from(sec) * 1000 + millis;
    Some(local - offset)
}

#[cfg(test)]
mod tests {
    use super::instant;

    #[test]
    fn rfc3339_instants() {
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(instant("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(instant("1970-01-01T08:00:00+08:00"), Some(0));
        assert_eq!(instant("2026-11-29T10:15:00.000Z"), instant("2026-11-29T18:15:00+08:00"));
        assert!(instant("2026-11-29T10:15:00.001Z") > instant("2026-11-29T18:15:00+08:00"));
        for bad in ["", "2026-11-29", "2026-11-29T10:15:00", "2026-13-01T00:00:00Z", "2026-11-29T25:00:00Z", "t1",
            "2026-11-29T10:15:00.Z", "2026-11-29T10:15:00+0800", "２０26-11-29T10:15:00Z"] {
            assert_eq!(instant(bad), None, "{bad}");
        }
    }
}
