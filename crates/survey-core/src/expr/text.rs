//! Text as ODK's JavaScript engine sees it: numbers read like `Number()`, lengths and
//! positions in UTF-16 code units, and regular expressions matched unit by unit.

#[cfg(feature = "regex-lite")]
use std::borrow::Cow;

/// Whitespace that JavaScript's `Number()` and `trim()` skip.
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{FEFF}'
}

/// Text → number as ODK's `number()` reads it: what [`super::eval::parse_number`] accepts
/// (after any JavaScript whitespace), `Infinity` with an optional sign, and `0x`/`0o`/`0b`
/// integers. Anything else, and blank, is NaN.
pub(crate) fn number_of(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    match t {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    let radix = match t.get(..2) {
        Some("0x" | "0X") => 16,
        Some("0o" | "0O") => 8,
        Some("0b" | "0B") => 2,
        _ => return super::eval::parse_number(t),
    };
    let digits = &t[2..];
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return f64::NAN;
    }
    digits.chars().fold(0.0, |n, c| {
        n * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
    })
}

/// Length in UTF-16 code units (what `string-length()` counts).
pub(crate) fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// The characters whose UTF-16 units all lie in `[start, end)` (unit offsets, 0-based). A
/// character cut in half by a bound is left out: text here is always whole characters,
/// where ODK would keep half a surrogate pair.
pub(crate) fn utf16_slice(s: &str, start: f64, end: f64) -> String {
    let mut out = String::new();
    let mut at = 0.0;
    for c in s.chars() {
        let next = at + c.len_utf16() as f64;
        if at >= start && next <= end {
            out.push(c);
        }
        at = next;
    }
    out
}

/// First private-use code points standing for high and low surrogates (see [`utf16_view`]).
#[cfg(feature = "regex-lite")]
const HIGH: u32 = 0xE000;
#[cfg(feature = "regex-lite")]
const LOW: u32 = 0xE400;

/// Rewrites every character outside the Basic Multilingual Plane as two characters, one
/// per UTF-16 unit (private-use stand-ins for its surrogates), so that a regular expression
/// run over the result sees units as JavaScript does: `.` matches half of `𠮷`, and
/// `^.{2}$` matches `𠮷`, consistent with `string-length()`. Patterns go through the same
/// rewriting, so a literal astral character in a pattern still matches itself.
#[cfg(feature = "regex-lite")]
pub(crate) fn utf16_view(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| c.len_utf16() == 1) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        let mut units = [0u16; 2];
        match c.encode_utf16(&mut units) {
            [one] => out.push(char::from_u32(u32::from(*one)).unwrap_or(c)),
            [hi, lo] => {
                for ch in [
                    HIGH + u32::from(*hi - 0xD800),
                    LOW + u32::from(*lo - 0xDC00),
                ] {
                    out.push(char::from_u32(ch).unwrap_or('\u{FFFD}'));
                }
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What JavaScript's `\s` matches (regex-lite's `\s` is ASCII only).
#[cfg(feature = "regex-lite")]
const JS_SPACES: &str = "\t\n\u{b}\u{c}\r \u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}";

/// Rewrites the parts of a JavaScript pattern whose meaning differs in regex-lite: `\s` and
/// `\S` (Unicode spaces in JavaScript) and `.` (which in JavaScript also stops at `\r`,
/// U+2028 and U+2029).
#[cfg(feature = "regex-lite")]
fn javascript_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('s') if in_class => out.push_str(JS_SPACES),
                Some('s') => {
                    out.push('[');
                    out.push_str(JS_SPACES);
                    out.push(']');
                }
                Some('S') if !in_class => {
                    out.push_str("[^");
                    out.push_str(JS_SPACES);
                    out.push(']');
                }
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal in neither engine; keep as is.
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '.' if !in_class => out.push_str("[^\n\r\u{2028}\u{2029}]"),
            _ => out.push(c),
        }
    }
    out
}

/// A compiled `regex()` pattern: regex-lite's (feature `regex-lite`, natively), or a handle
/// of the engine given to [`set_regex_engine`] (the app: the browser's own `RegExp`, so its
/// wasm carries no regex engine).
#[cfg(feature = "regex-lite")]
pub(crate) type Regex = regex_lite::Regex;
/// A compiled `regex()` pattern: a handle of the engine given to [`set_regex_engine`].
#[cfg(not(feature = "regex-lite"))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Regex(u32);

/// A regular-expression engine with JavaScript's semantics (`RegExp` without flags), for a
/// build of the core without the feature `regex-lite`: `compile` gives a handle (or the
/// engine's message for a bad pattern), `test` is `RegExp.prototype.test`.
#[derive(Clone, Copy)]
pub struct RegexEngine {
    /// Compiles a pattern; the same pattern may give the same handle.
    pub compile: fn(&str) -> Result<u32, String>,
    /// Whether the compiled pattern matches somewhere in the text.
    pub test: fn(u32, &str) -> bool,
}

#[cfg(not(feature = "regex-lite"))]
static ENGINE: std::sync::OnceLock<RegexEngine> = std::sync::OnceLock::new();

/// Sets the engine of `regex()` (once; later calls change nothing). Without the feature
/// `regex-lite`, a pattern compiled before this is a bad pattern. With it, this is ignored.
pub fn set_regex_engine(engine: RegexEngine) {
    #[cfg(not(feature = "regex-lite"))]
    let _ = ENGINE.set(engine);
    #[cfg(feature = "regex-lite")]
    let _ = engine;
}

/// Compiles a pattern with JavaScript's meaning and unit-by-unit view (see [`utf16_view`]).
#[cfg(feature = "regex-lite")]
pub(crate) fn regex(pattern: &str) -> Result<Regex, regex_lite::Error> {
    regex_lite::Regex::new(&javascript_pattern(&utf16_view(pattern)))
}

/// `regex()`: a search (JavaScript `RegExp.test`) over the unit-by-unit view of `text`.
#[cfg(feature = "regex-lite")]
pub(crate) fn regex_test(re: &Regex, text: &str) -> bool {
    re.is_match(&utf16_view(text))
}

/// Compiles a pattern with the engine given to [`set_regex_engine`].
#[cfg(not(feature = "regex-lite"))]
pub(crate) fn regex(pattern: &str) -> Result<Regex, String> {
    let engine = ENGINE.get().ok_or_else(|| "no regular-expression engine".to_string())?;
    (engine.compile)(pattern).map(Regex)
}

/// `regex()`: a search (JavaScript `RegExp.test`) with the engine given to [`set_regex_engine`].
#[cfg(not(feature = "regex-lite"))]
pub(crate) fn regex_test(re: &Regex, text: &str) -> bool {
    ENGINE.get().is_some_and(|engine| (engine.test)(re.0, text))
}

/// XPath 1.0 whitespace: space, tab, carriage return, line feed (not the ideographic
/// space U+3000, as in ODK).
pub(crate) fn is_xpath_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// The items of a multiple-choice answer (separated by XPath whitespace).
pub(crate) fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(is_xpath_space).filter(|w| !w.is_empty())
}

/// XPath `normalize-space()`.
pub(crate) fn normalize_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in items(s) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// XPath `translate()`: each character of `from` becomes the character at the same place
/// in `to`, or is removed when `to` is shorter; the first occurrence in `from` counts.
pub(crate) fn translate(s: &str, from: &str, to: &str) -> String {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    s.chars()
        .filter_map(|c| match from.iter().position(|&f| f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_javascript() {
        assert_eq!(number_of(" Infinity "), f64::INFINITY);
        assert_eq!(number_of("-Infinity"), f64::NEG_INFINITY);
        assert_eq!(number_of("0x10"), 16.0);
        assert_eq!(number_of("0b11"), 3.0);
        assert_eq!(number_of("\u{3000}12\u{a0}"), 12.0);
        for bad in ["", "infinity", "-0x10", "0x", "0xg", "1e", "inf"] {
            assert!(number_of(bad).is_nan(), "{bad}");
        }
    }

    #[test]
    fn units_not_characters() {
        assert_eq!(utf16_len("𠮷野家"), 4);
        assert_eq!(utf16_slice("𠮷野家", 0.0, 3.0), "𠮷野");
        assert_eq!(utf16_slice("𠮷野家", 1.0, 4.0), "野家");
        let re = regex("^.{4}$").unwrap();
        assert!(regex_test(&re, "𠮷野家"));
        assert!(!regex_test(&regex("^.{3}$").unwrap(), "𠮷野家"));
        assert!(regex_test(&regex("^a😀b$").unwrap(), "a😀b"));
    }
}
