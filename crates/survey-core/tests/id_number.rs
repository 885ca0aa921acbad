//! Resident ID numbers: public vectors, invalid cases, and properties.

use proptest::prelude::*;
use survey_core::dates::{self, format_date};
use survey_core::id_number::{check_char, is_valid, IdError, ResidentId, Sex};

#[test]
fn public_vectors() {
    assert!(is_valid("11010519491231002X", None));
    assert!(is_valid("440524188001010014", None));
    let id = ResidentId::parse("440524188001010014", None).unwrap();
    assert_eq!(format_date(id.birth_date()), "1880-01-01");
    assert_eq!(id.sex(), Sex::Male);
    assert_eq!(id.age_at(dates::parse_date("2024-05-01").unwrap()), 144);
}

#[test]
fn invalid_numbers() {
    // Bad checksum.
    assert_eq!(
        ResidentId::parse("11010519491231002Y", None),
        Err(IdError::Characters)
    );
    assert_eq!(
        ResidentId::parse("110105194912310029", None),
        Err(IdError::Checksum)
    );
    assert_eq!(
        ResidentId::parse("440524188001010015", None),
        Err(IdError::Checksum)
    );
    // Bad dates (with a correct check character, so only the date is wrong).
    for body in [
        "51342920230230001",
        "51342919991301001",
        "51342919990001001",
        "51342920230431001",
    ] {
        let id = format!("{body}{}", check_char(body).unwrap());
        assert_eq!(ResidentId::parse(&id, None), Err(IdError::BirthDate), "{id}");
    }
    // Wrong length.
    for s in [
        "",
        "4405241880010100",
        "44052418800101001",
        "4405241880010100144",
        "513429",
    ] {
        assert_eq!(ResidentId::parse(s, None), Err(IdError::Length), "{s}");
    }
    // 18 characters but not all digits.
    assert_eq!(
        ResidentId::parse("44052418800101001４", None),
        Err(IdError::Characters)
    );
    assert_eq!(
        ResidentId::parse("44052418800101 014", None),
        Err(IdError::Characters)
    );
}

fn body() -> impl Strategy<Value = String> {
    // Address code, a real birth date between 1900-01-01 and 2030-12-31, a sequence.
    (110_000u32..=659_999, -25_567i32..=22_279, 0u32..=999).prop_map(|(addr, days, seq)| {
        let d = dates::from_days(days).unwrap();
        format!(
            "{addr:06}{:04}{:02}{:02}{seq:03}",
            d.year(),
            d.month() as u8,
            d.day()
        )
    })
}

proptest! {
    #[test]
    fn generated_numbers_validate(body in body()) {
        let id = format!("{body}{}", check_char(&body).unwrap());
        let parsed = ResidentId::parse(&id, None);
        prop_assert!(parsed.is_ok(), "{id}: {parsed:?}");
        let parsed = parsed.unwrap();
        let seq: u16 = body[14..17].parse().unwrap();
        prop_assert_eq!(parsed.sex(), if seq % 2 == 1 { Sex::Male } else { Sex::Female });
        prop_assert_eq!(format_date(parsed.birth_date()).replace('-', ""), &body[6..14]);
    }

    #[test]
    fn any_single_digit_change_breaks_it(body in body(), pos in 0usize..18, delta in 1u8..10) {
        let id = format!("{body}{}", check_char(&body).unwrap());
        let mut bytes = id.clone().into_bytes();
        if pos == 17 {
            // Replace the check character with a different one of 0-9 / X.
            let all = b"0123456789X";
            let i = all.iter().position(|&c| c == bytes[17]).unwrap();
            bytes[17] = all[(i + delta as usize) % 11];
        } else {
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
        }
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert_ne!(&changed, &id);
        prop_assert!(!is_valid(&changed, None), "{} accepted after changing position {}", changed, pos);
    }
}

#[test]
fn a_birth_date_after_today_is_refused() {
    let today = dates::parse_date("2026-11-30").unwrap();
    let born = |d: &str| {
        let body = format!("513429{d}002");
        format!("{body}{}", check_char(&body).unwrap())
    };
    assert!(ResidentId::parse(&born("20261130"), Some(today)).is_ok());
    assert_eq!(
        ResidentId::parse(&born("20261201"), Some(today)),
        Err(IdError::BirthFuture)
    );
    assert_eq!(
        ResidentId::parse(&born("20990101"), Some(today)),
        Err(IdError::BirthFuture)
    );
    assert!(!is_valid(&born("20261201"), Some(today)));
    // The shape alone (no calendar) still accepts it.
    assert!(ResidentId::parse(&born("20261201"), None).is_ok());
    assert_eq!(IdError::BirthFuture.code(), "id_birth_future");
    assert!(IdError::CODES.contains(&"id_birth_future"));
}
