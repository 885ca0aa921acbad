//! Reusable `validator` checks (resident ID, mobile number) and the enumerator profile.
//!
//! Error codes are stable strings ([`CODES`]) that the app maps to translation keys; no
//! English message is ever meant for a user.

use crate::dates::Date;
use crate::id_number::ResidentId;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use validator::{Validate, ValidationError};

/// Code for a mobile number that is not `^1[3-9]\d{9}$`.
pub const MOBILE: &str = "mobile";
/// Code for an enumerator name that is blank or too long.
pub const NAME_LENGTH: &str = "name_length";
/// Code for a work unit that is blank or too long.
pub const UNIT_LENGTH: &str = "unit_length";

/// Every code these checks produce (ID number codes included).
pub const CODES: [&str; 9] = [
    "id_length",
    "id_characters",
    "id_lowercase_x",
    "id_birth_date",
    "id_checksum",
    "id_birth_future",
    MOBILE,
    NAME_LENGTH,
    UNIT_LENGTH,
];

/// `validator` custom check: a valid resident ID number (GB 11643-1999) whose birth date
/// is not after `today`. The error code is one of [`crate::id_number::IdError::CODES`].
pub fn validate_resident_id(value: &str, today: Option<Date>) -> Result<(), ValidationError> {
    ResidentId::parse(value, today)
        .map(|_| ())
        .map_err(|e| ValidationError::new(e.code()))
}

/// `validator` custom check: a mainland mobile number, `^1[3-9]\d{9}$` (code `mobile`).
pub fn validate_mobile(value: &str) -> Result<(), ValidationError> {
    let b = value.as_bytes();
    let ok = b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit);
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(MOBILE))
    }
}

/// The enumerator using the tablet (stored by the app).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
pub struct EnumeratorProfile {
    /// Name, 1–40 characters.
    #[validate(length(min = 1, max = 40, code = "name_length"))]
    pub name: String,
    /// Mobile number.
    #[validate(custom(function = "validate_mobile"))]
    pub phone: String,
    /// Work unit (e.g. the bureau's department), 1–60 characters.
    #[validate(length(min = 1, max = 60, code = "unit_length"))]
    pub unit: String,
}

/// The codes of every failing field of a `validator` result, as (field, code) pairs —
/// what the app needs to look up translations.
pub fn error_codes(errors: &validator::ValidationErrors) -> Vec<(String, Cow<'static, str>)> {
    let mut out: Vec<(String, Cow<'static, str>)> = errors
        .field_errors()
        .into_iter()
        .flat_map(|(field, errs)| {
            errs.iter()
                .map(move |e| (field.to_string(), e.code.clone()))
        })
        .collect();
    crate::sort::sort(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_check_uses_stable_codes() {
        assert!(validate_resident_id("11010519491231002X", None).is_ok());
        assert!(validate_resident_id("440524188001010014", None).is_ok());
        assert_eq!(
            validate_resident_id("440524188001010015", None).unwrap_err().code,
            "id_checksum"
        );
        assert_eq!(
            validate_resident_id("4405241880", None).unwrap_err().code,
            "id_length"
        );
        for code in crate::id_number::IdError::CODES {
            assert!(CODES.contains(&code));
        }
    }

    #[test]
    fn mobile_numbers() {
        for ok in ["13800138000", "19912345678", "15000000000"] {
            assert!(validate_mobile(ok).is_ok(), "{ok}");
        }
        for bad in [
            "12800138000",
            "1380013800",
            "138001380001",
            "23800138000",
            "1380013800a",
            "",
            "+8613800138000",
        ] {
            assert_eq!(validate_mobile(bad).unwrap_err().code, MOBILE, "{bad}");
        }
    }

    #[test]
    fn enumerator_profile_reports_codes_per_field() {
        let ok = EnumeratorProfile {
            name: "吉克阿依".into(),
            phone: "13800138000".into(),
            unit: "州住建局".into(),
        };
        assert!(ok.validate().is_ok());
        let bad = EnumeratorProfile {
            name: String::new(),
            phone: "123".into(),
            unit: "x".repeat(61),
        };
        let errs = bad.validate().unwrap_err();
        let codes = error_codes(&errs);
        assert_eq!(
            codes,
            vec![
                ("name".to_string(), Cow::Borrowed(NAME_LENGTH)),
                ("phone".to_string(), Cow::Borrowed(MOBILE)),
                ("unit".to_string(), Cow::Borrowed(UNIT_LENGTH)),
            ]
        );
    }
}
