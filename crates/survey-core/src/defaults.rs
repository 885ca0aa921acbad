//! XLSForm's `default` column as ODK runs it: a *static* default is a value, stored as
//! given when a record (or a roster member) is created; a *dynamic* default is an
//! expression, evaluated once at that moment (ODK's `odk-instance-first-load` and, inside a
//! repeat, `odk-new-repeat`).
//!
//! Which is which is decided exactly as pyxform (ODK's XLSForm converter) decides it,
//! `pyxform.utils.default_is_dynamic`: the value is cut into pyxform's expression tokens
//! (its lark lexer, `pyxform/parsing/expression.py`, terminals tried in priority order,
//! the first that matches at a position wins) and the default is dynamic when a token is
//! arithmetic (`+ - * mod div`; but a `-` makes a `date` or `geopoint` default static),
//! a union `|`, a `${field}` reference or a function call `name(`.

/// Whether pyxform treats `value` as a dynamic default of a question of XLSForm type
/// `xlsform_type` (`date`, `integer`, `select_one list`, …).
pub fn default_is_dynamic(value: &str, xlsform_type: &str) -> bool {
    if value.is_empty() {
        return false;
    }
    let hyphen_static = matches!(
        xlsform_type,
        "date" | "dateTime" | "geopoint" | "geotrace" | "geoshape"
    );
    let mut rest = value;
    while !rest.is_empty() {
        let (token, len) = next_token(rest);
        if hyphen_static && token == Token::Math && &rest[..len] == "-" {
            return false;
        }
        if matches!(token, Token::Math | Token::Union | Token::Ref | Token::Call) {
            return true;
        }
        rest = &rest[len..];
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Math,
    Union,
    Ref,
    Call,
    Other,
}

/// The token at the start of `s` and its length in bytes (at least one character).
fn next_token(s: &str) -> (Token, usize) {
    use Token::*;
    // DATETIME, DATE, TIME and NUMBER come before the operators: `-1` is a number and
    // `2020-01-01` a date.
    let numeric = date(s)
        .map(|n| n + time(s[n..].strip_prefix('T').unwrap_or("")).map_or(0, |t| t + 1))
        .or_else(|| time(s))
        .or_else(|| number(s));
    if let Some(n) = numeric {
        return (Other, n);
    }
    for op in ["*", "+", "-", " mod ", " div "] {
        if s.starts_with(op) {
            return (Math, op.len());
        }
    }
    // OPS_COMP, OPS_BOOL
    for op in ["=", "!=", "<", ">", " and ", " or "] {
        if s.starts_with(op) {
            return (Other, op.len());
        }
    }
    if s.starts_with('|') {
        return (Union, 1);
    }
    // ( ) [ { } .. . / (none of them dynamic)
    if s.starts_with("..") {
        return (Other, 2);
    }
    if s.starts_with(['(', ')', '[', '{', '}', '.', '/']) {
        return (Other, 1);
    }
    for quote in ['"', '\''] {
        if let Some(body) = s.strip_prefix(quote) {
            if let Some(end) = body.find(quote) {
                return (Other, end + 2);
            }
        }
    }
    if s.starts_with(',') {
        return (Other, 1);
    }
    let n = spaces(s);
    if n > 0 {
        return (Other, n);
    }
    // ${name} or ${last-saved#name}
    if let Some(body) = s.strip_prefix("${") {
        let inner = body.strip_prefix("last-saved#").unwrap_or(body);
        let n = ncname(inner);
        if n > 0 && inner[n..].starts_with('}') {
            return (Ref, s.len() - inner.len() + n + 1);
        }
    }
    let n = ncname_ns(s);
    if n > 0 {
        return match s[n..].chars().next() {
            Some('(') => (Call, n + 1),
            // XPATH_PRED_START (not a dynamic token for pyxform 4.5), URI_SCHEME, NAME
            _ => (Other, n),
        };
    }
    let first = s.chars().next().map_or(1, char::len_utf8);
    (Other, first)
}

/// The length of the whitespace at the start of `s`.
fn spaces(s: &str) -> usize {
    s.chars()
        .take_while(|c| c.is_whitespace())
        .map(char::len_utf8)
        .sum()
}

fn digits(s: &str, n: usize) -> bool {
    s.len() >= n && s.as_bytes()[..n].iter().all(u8::is_ascii_digit)
}

/// `-?\d{4}-\d{2}-\d{2}`
fn date(s: &str) -> Option<usize> {
    let sign = usize::from(s.starts_with('-'));
    let t = &s[sign..];
    let ok = digits(t, 4)
        && t[4..].starts_with('-')
        && digits(&t[5..], 2)
        && t[7..].starts_with('-')
        && digits(&t[8..], 2);
    ok.then_some(sign + 10)
}

/// `\d{2}:\d{2}:\d{2}(\.\s+)?(([+-]\d{2}:\d{2})|Z)?`
fn time(s: &str) -> Option<usize> {
    let ok = digits(s, 2)
        && s[2..].starts_with(':')
        && digits(&s[3..], 2)
        && s[5..].starts_with(':')
        && digits(&s[6..], 2);
    if !ok {
        return None;
    }
    let mut n = 8;
    if let Some(after) = s[n..].strip_prefix('.') {
        let ws = spaces(after);
        if ws > 0 {
            n += 1 + ws;
        }
    }
    let zone = &s[n..];
    if zone.starts_with('Z') {
        n += 1;
    } else if zone.starts_with(['+', '-'])
        && digits(&zone[1..], 2)
        && zone[3..].starts_with(':')
        && digits(&zone[4..], 2)
    {
        n += 6;
    }
    Some(n)
}

/// `-?\d+\.\d*|-?\.\d+|-?\d+`
fn number(s: &str) -> Option<usize> {
    let sign = usize::from(s.starts_with('-'));
    let t = &s[sign..];
    let count = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    let int = count(t);
    if int > 0 {
        return Some(match t[int..].strip_prefix('.') {
            Some(frac) => sign + int + 1 + count(frac),
            None => sign + int,
        });
    }
    let frac = t.strip_prefix('.').map_or(0, count);
    (frac > 0).then_some(sign + 1 + frac)
}

fn name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{d8}'..='\u{f6}' | '\u{f8}'..='\u{2ff}' | '\u{370}'..='\u{37d}'
        | '\u{37f}'..='\u{1fff}' | '\u{200c}'..='\u{200d}' | '\u{2070}'..='\u{218f}'
        | '\u{2c00}'..='\u{2fef}' | '\u{3001}'..='\u{d7ff}' | '\u{f900}'..='\u{fdcf}'
        | '\u{fdf0}'..='\u{fffd}' | '\u{10000}'..='\u{effff}')
}

fn name_char(c: char) -> bool {
    name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{b7}' | '\u{300}'..='\u{36f}' | '\u{203f}'..='\u{2040}')
}

/// The length of the NCName at the start of `s` (0 when there is none).
fn ncname(s: &str) -> usize {
    let mut cs = s.char_indices();
    match cs.next() {
        Some((_, c)) if name_start(c) => {}
        _ => return 0,
    }
    cs.find(|(_, c)| !name_char(*c)).map_or(s.len(), |(i, _)| i)
}

/// An NCName with an optional `prefix:`.
fn ncname_ns(s: &str) -> usize {
    let n = ncname(s);
    if n == 0 {
        return 0;
    }
    match s[n..].strip_prefix(':').map(ncname) {
        Some(m) if m > 0 => n + 1 + m,
        _ => n,
    }
}
