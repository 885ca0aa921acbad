//! Resident identity numbers (公民身份号码, GB 11643-1999).
//!
//! 18 characters: a 6-digit address code (GB/T 2260), the birth date `YYYYMMDD`, a 3-digit
//! sequence (odd = male, even = female) and a check character computed over the first 17
//! digits (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11, remainder 0..10 maps to
//! `1 0 X 9 8 7 6 5 4 3 2`). Only an upper-case `X` is accepted as check character.
//!
//! One rule everywhere (the form's `id-valid()`, `id-birthdate()`, `id-sex()`, the app's
//! detailed messages, the `validator` check): surrounding whitespace (what `str::trim`
//! removes, full-width spaces included) is ignored, and a birth date after the survey's
//! "today" (the [`crate::Context`]'s date) is refused.

use crate::dates::{self, Date};
use time::Month;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Why a string is not a valid resident ID number. [`IdError::code`] gives a stable code
/// that the app maps to a translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not exactly 18 characters.
    #[error("身份证号码应为 18 位 [id_length]")]
    Length,
    /// A character other than a digit (or the final `X`).
    #[error("身份证号码含有非法字符 [id_characters]")]
    Characters,
    /// The check character is a lower-case `x`.
    #[error("身份证号码末位应为大写 X [id_lowercase_x]")]
    LowercaseX,
    /// Characters 7–14 are not a real calendar date.
    #[error("身份证号码中的出生日期无效 [id_birth_date]")]
    BirthDate,
    /// The check character does not match.
    #[error("身份证号码校验位错误 [id_checksum]")]
    Checksum,
    /// The birth date is after the survey's today.
    #[error("身份证号码中的出生日期晚于今天 [id_birth_future]")]
    BirthFuture,
}

impl IdError {
    /// Stable error code (also used as the `validator` error code).
    pub fn code(self) -> &'static str {
        match self {
            IdError::Length => "id_length",
            IdError::Characters => "id_characters",
            IdError::LowercaseX => "id_lowercase_x",
            IdError::BirthDate => "id_birth_date",
            IdError::Checksum => "id_checksum",
            IdError::BirthFuture => "id_birth_future",
        }
    }

    /// Every code [`IdError::code`] can return.
    pub const CODES: [&'static str; 6] = [
        "id_length",
        "id_characters",
        "id_lowercase_x",
        "id_birth_date",
        "id_checksum",
        "id_birth_future",
    ];
}

/// Sex encoded in the sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Odd sequence number.
    Male,
    /// Even sequence number.
    Female,
}

impl Sex {
    /// The choice name used by the survey's `sex` list (`male` / `female`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// A checked resident ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResidentId {
    address: u32,
    birth: Date,
    sequence: u16,
}

impl ResidentId {
    /// Parses and checks an 18-character ID number, ignoring surrounding whitespace. With
    /// `today` (the survey's [`crate::Context`]), a birth date after it is refused; `None`
    /// (no calendar at hand) checks the number's shape only.
    pub fn parse(s: &str, today: Option<Date>) -> Result<ResidentId, IdError> {
        let s = s.trim();
        let b = s.as_bytes();
        if s.chars().count() != 18 {
            return Err(IdError::Length);
        }
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdError::Characters);
        }
        let last = b[17];
        if last == b'x' {
            return Err(IdError::LowercaseX);
        }
        if !(last.is_ascii_digit() || last == b'X') {
            return Err(IdError::Characters);
        }
        let year = dates::digits(&b[6..10]).ok_or(IdError::Characters)? as i32;
        let month = dates::digits(&b[10..12]).ok_or(IdError::Characters)? as u8;
        let day = dates::digits(&b[12..14]).ok_or(IdError::Characters)? as u8;
        let birth = Month::try_from(month)
            .ok()
            .and_then(|m| Date::from_calendar_date(year, m, day).ok())
            .ok_or(IdError::BirthDate)?;
        if check_char(&s[..17]) != Some(last as char) {
            return Err(IdError::Checksum);
        }
        if today.is_some_and(|t| birth > t) {
            return Err(IdError::BirthFuture);
        }
        Ok(ResidentId {
            address: dates::digits(&b[0..6]).ok_or(IdError::Characters)?,
            birth,
            sequence: dates::digits(&b[14..17]).ok_or(IdError::Characters)? as u16,
        })
    }

    /// The 6-digit address code (e.g. 513429 for Butuo County).
    pub fn address_code(&self) -> u32 {
        self.address
    }

    /// The birth date.
    pub fn birth_date(&self) -> Date {
        self.birth
    }

    /// The 3-digit sequence number.
    pub fn sequence(&self) -> u16 {
        self.sequence
    }

    /// Sex from the sequence number (odd = male).
    pub fn sex(&self) -> Sex {
        if self.sequence % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Age in whole years at `date`.
    pub fn age_at(&self, date: Date) -> i32 {
        dates::age_at(self.birth, date)
    }
}

/// The check character for the first 17 digits, or `None` when `first17` is not 17 ASCII
/// digits.
pub fn check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| u32::from(c - b'0') * w)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize] as char)
}

/// True when `s` is a valid ID number (18 chars, real birth date not after `today`, right
/// check character); see [`ResidentId::parse`].
pub fn is_valid(s: &str, today: Option<Date>) -> bool {
    ResidentId::parse(s, today).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_vectors_are_valid() {
        let a = ResidentId::parse("11010519491231002X", None).unwrap();
        assert_eq!(dates::format_date(a.birth_date()), "1949-12-31");
        assert_eq!(a.sex(), Sex::Female);
        assert_eq!(a.address_code(), 110105);
        let b = ResidentId::parse("440524188001010014", None).unwrap();
        assert_eq!(dates::format_date(b.birth_date()), "1880-01-01");
        assert_eq!(b.sex(), Sex::Male);
        assert_eq!(b.sequence(), 1);
        assert_eq!(a.age_at(dates::parse_date("2024-12-30").unwrap()), 74);
        assert_eq!(a.age_at(dates::parse_date("2024-12-31").unwrap()), 75);
    }

    #[test]
    fn invalid_numbers_are_rejected_with_a_code() {
        assert_eq!(
            ResidentId::parse("110105194912310021", None),
            Err(IdError::Checksum)
        );
        assert_eq!(
            ResidentId::parse("11010519491231002x", None),
            Err(IdError::LowercaseX)
        );
        assert_eq!(ResidentId::parse("1101051949123100", None), Err(IdError::Length));
        assert_eq!(
            ResidentId::parse("11010519491231002X1", None),
            Err(IdError::Length)
        );
        assert_eq!(ResidentId::parse("", None), Err(IdError::Length));
        assert_eq!(
            ResidentId::parse("1101051949123100ＸX", None),
            Err(IdError::Characters)
        );
        assert_eq!(
            ResidentId::parse("11010519491331002X", None),
            Err(IdError::BirthDate)
        );
        // 1900 was not a leap year.
        let body = "51342919000229001";
        let id = format!("{body}{}", check_char(body).unwrap());
        assert_eq!(ResidentId::parse(&id, None), Err(IdError::BirthDate));
        assert_eq!(
            ResidentId::parse("A1010519491231002X", None),
            Err(IdError::Characters)
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Y", None),
            Err(IdError::Characters)
        );
        assert_eq!(IdError::Checksum.code(), "id_checksum");
        assert!(IdError::CODES.contains(&IdError::BirthDate.code()));
    }

    #[test]
    fn check_char_needs_seventeen_digits() {
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(check_char("44052418800101001"), Some('4'));
        assert_eq!(check_char("4405241880010100"), None);
        assert_eq!(check_char("4405241880010100a"), None);
    }
}
