//! Yi script facts the kit needs, written once for the app and the native tools:
//! the Yi Pinyin of every syllable (for the romanized on-screen input) and the check that a
//! text meant to be Yi is Yi.
//!
//! Yi Pinyin writes a syllable as initial + final + tone letter (`t` high, `x` rising, none
//! mid, `p` low-falling). The Unicode names of the Yi Syllables block are exactly these
//! (U+A000 YI SYLLABLE IT, U+A001 IX, U+A002 I, U+A003 IP …): the table in
//! `yi_pinyin_table.rs` is generated from the Unicode Character Database by
//! `scripts/gen-yi-pinyin.py`, never typed by hand.

#[rustfmt::skip]
mod table {
    include!("yi_pinyin_table.rs");
}

/// The Yi Syllables block (U+A000..=U+A48C).
pub const SYLLABLES: std::ops::RangeInclusive<char> = '\u{A000}'..='\u{A48C}';
/// The Yi Radicals block (U+A490..=U+A4C6): dictionary components, not text.
pub const RADICALS: std::ops::RangeInclusive<char> = '\u{A490}'..='\u{A4C6}';

/// Every syllable with its Yi Pinyin, in code point order.
pub fn syllables() -> impl Iterator<Item = (char, &'static str)> {
    table::NAMES
        .split_terminator(' ')
        .enumerate()
        .map(|(i, name)| {
            let c = char::from_u32(table::FIRST + i as u32).expect("the Yi Syllables block");
            (c, name)
        })
}

/// The Yi Pinyin of a syllable (`'ꆈ'` → `"nuop"`), `None` for any other character.
pub fn pinyin(c: char) -> Option<&'static str> {
    if !SYLLABLES.contains(&c) {
        return None;
    }
    table::NAMES
        .split_terminator(' ')
        .nth(c as usize - table::FIRST as usize)
}

/// Syllables for what has been typed so far (lower-cased ASCII, e.g. `nuo`): first those
/// whose Yi Pinyin is exactly `typed` or `typed` + a tone letter (`t`, `x`, `p`), in tone
/// order high, rising, mid, low-falling; then the others beginning with `typed`, shortest
/// first. At most `max` candidates; none for an empty input.
pub fn candidates(typed: &str, max: usize) -> Vec<(char, &'static str)> {
    let typed = typed.trim().to_ascii_lowercase();
    if typed.is_empty() {
        return Vec::new();
    }
    let tone_rank = |name: &str| -> Option<u8> {
        let rest = name.strip_prefix(typed.as_str())?;
        match rest {
            "t" => Some(0),
            "x" => Some(1),
            "" => Some(2),
            "p" => Some(3),
            _ => None,
        }
    };
    let mut exact: Vec<(u8, char, &'static str)> = Vec::new();
    let mut longer: Vec<(char, &'static str)> = Vec::new();
    for (c, name) in syllables() {
        if let Some(rank) = tone_rank(name) {
            exact.push((rank, c, name));
        } else if name.starts_with(typed.as_str()) {
            longer.push((c, name));
        }
    }
    crate::sort::sort_by_key(&mut exact, |&(rank, c, _)| (rank, c));
    crate::sort::sort_by_key(&mut longer, |&(c, name)| (name.len(), c));
    exact
        .into_iter()
        .map(|(_, c, n)| (c, n))
        .chain(longer)
        .take(max)
        .collect()
}

/// Why a text meant to be Yi is not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotYi {
    /// Blank, or no Yi syllable at all.
    #[error("no Yi syllable in the text")]
    NoSyllable,
    /// A character outside the Yi syllables and the punctuation, digits and Latin letters
    /// Yi text uses (a Han character, a Yi radical, another script, a control character).
    #[error("U+{code:04X} '{ch}' at character {position} is not Yi text")]
    Foreign {
        /// The character.
        ch: char,
        /// Its code point.
        code: u32,
        /// 1-based position in the text (in characters).
        position: usize,
    },
}

/// Checks a text meant to be Nuosu Yi: at least one Yi syllable; otherwise only spaces,
/// ASCII (digits, Latin abbreviations such as `JSON`, `{{ placeholders }}`), general and
/// CJK punctuation and full-width punctuation. Han characters, Yi radicals (eight look
/// like syllables but are dictionary components) and other scripts are refused.
pub fn check_text(text: &str) -> Result<(), NotYi> {
    let mut syllables = 0;
    for (i, ch) in text.chars().enumerate() {
        let ok = if SYLLABLES.contains(&ch) {
            syllables += 1;
            true
        } else {
            matches!(ch,
                ' ' | '\u{A0}' | '\n'
                | '\u{21}'..='\u{7E}'
                | '\u{2010}'..='\u{205E}'
                | '\u{3000}'..='\u{303F}'
                | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}'
                | '\u{FF5B}'..='\u{FF65}')
        };
        if !ok {
            return Err(NotYi::Foreign {
                ch,
                code: ch as u32,
                position: i + 1,
            });
        }
    }
    if syllables == 0 {
        return Err(NotYi::NoSyllable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_covers_the_block_with_distinct_names() {
        let all: Vec<_> = syllables().collect();
        assert_eq!(all.len(), 0xA48C - 0xA000 + 1);
        assert_eq!(
            all[..4],
            [
                ('\u{A000}', "it"),
                ('\u{A001}', "ix"),
                ('\u{A002}', "i"),
                ('\u{A003}', "ip")
            ]
        );
        let names: std::collections::HashSet<_> = all.iter().map(|(_, n)| n).collect();
        assert_eq!(names.len(), all.len());
        assert_eq!(pinyin('\u{A48C}'), Some("yyr"));
        assert_eq!(pinyin('a'), None);
    }

    #[test]
    fn candidates_put_the_four_tones_first() {
        let c = candidates("nuo", 10);
        let names: Vec<_> = c.iter().map(|(_, n)| *n).collect();
        // nuo has three tones in the syllabary (no high tone).
        assert_eq!(names[..3], ["nuox", "nuo", "nuop"]);
        // ꆈ (the first syllable of ꆈꌠ, Nuosu) is nuo, mid tone.
        assert_eq!(c[1].0, 'ꆈ');
        let names: Vec<_> = candidates("bi", 10).iter().map(|(_, n)| *n).collect();
        assert_eq!(names[..4], ["bit", "bix", "bi", "bip"]);
        assert!(candidates("", 10).is_empty());
        assert_eq!(candidates("NUO", 10)[1], ('ꆈ', "nuo"));
        assert!(candidates("qqqq", 10).is_empty());
        assert_eq!(candidates("b", 3).len(), 3);
    }

    #[test]
    fn yi_text_check() {
        assert_eq!(check_text("ꆈꌠꉙ"), Ok(()));
        assert_eq!(check_text("ꇬꀋ JSON ꇁ（ꉬ）。{{ count }}"), Ok(()));
        assert_eq!(check_text("  "), Err(NotYi::NoSyllable));
        assert_eq!(check_text("ok"), Err(NotYi::NoSyllable));
        assert_eq!(
            check_text("ꆈ户主"),
            Err(NotYi::Foreign {
                ch: '户',
                code: 0x6237,
                position: 2
            })
        );
        // U+A494 YI RADICAL, looks like the syllable U+A2CD ꋍ.
        assert!(matches!(
            check_text("ꆈ\u{A494}"),
            Err(NotYi::Foreign { code: 0xA494, .. })
        ));
        assert!(matches!(
            check_text("ꆈ\u{0}"),
            Err(NotYi::Foreign { code: 0, .. })
        ));
    }
}
