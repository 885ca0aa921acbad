//! Evaluator: walks the AST with XPath 1.0 semantics as ODK applies them.

use super::{text, time, BinOp, Call, Expr, Func, Target};
use crate::dates::{self, Date};
use crate::id_number::ResidentId;
use std::borrow::Cow;

/// A value during evaluation. Text borrows from the answers or the expression where it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Str(&'a str),
    String(String),
    Num(f64),
    Bool(bool),
    /// Days since 1970-01-01 (from `today()`, `date()`, `id-birthdate()`); a fraction is
    /// the time of day (UTC), written as a date-time.
    Date(f64),
    /// A node-set as XPath sees it: the text of its first node (a field, `.`, a roster
    /// field read from outside the roster, `indexed-repeat()`), and whether it holds any
    /// node. A node is true in a boolean context even when blank, as in ODK.
    Node(&'a str, bool),
}

/// What the evaluator reads: answers (as strings, blank when non-relevant), the current
/// node, the member position, the choice being filtered, today and settings.
pub(crate) trait Env<'a> {
    /// A field in the same member or at the top level.
    fn field(&self, item: u32) -> &'a str;
    /// Every member's value of a repeat field, in member order.
    fn each_member(&self, item: u32, f: &mut dyn FnMut(&'a str));
    /// Number of members of a repeat (or of the repeat holding `item`).
    fn member_count(&self, item: u32) -> usize;
    /// The value of `.`.
    fn current(&self) -> &'a str;
    /// 1-based position of the current member.
    fn position(&self) -> Option<usize>;
    /// A column of the choice being filtered.
    fn choice_column(&self, name: &str) -> &'a str;
    /// Today, in days since 1970-01-01.
    fn today(&self) -> Option<i32>;
    /// A setting value.
    fn setting(&self, name: &str) -> &'a str;
}

/// Parses a number as XPath/ODK `number()` does: surrounding whitespace, an optional sign,
/// digits with an optional fraction, an optional exponent. Anything else is NaN.
pub(crate) fn parse_number(s: &str) -> f64 {
    let t = s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'));
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let mut mantissa_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return f64::NAN;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return f64::NAN;
        }
    }
    if i != b.len() {
        return f64::NAN;
    }
    t.parse().unwrap_or(f64::NAN)
}

/// Writes a number as ODK does (JavaScript's `String(n)`: the shortest text that reads back
/// as the same number, with an exponent from 1e21 up and below 1e-6), except that NaN is
/// `''`.
pub(crate) fn write_number(out: &mut String, n: f64) {
    use std::fmt::Write;
    let a = n.abs();
    if n.is_nan() {
    } else if n.is_infinite() {
        out.push_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
    } else if n == 0.0 {
        out.push('0');
    } else if (1e-6..1e21).contains(&a) {
        let _ = write!(out, "{n}");
    } else {
        // JavaScript's exponent form, built from the shortest decimal digits (Rust's own
        // `{:e}` would add ~10 KB of float formatting to the app).
        let plain = format!("{a}");
        let (digits, exp) = match plain.split_once('.') {
            // 1e21 and up: all digits before the point.
            None => (plain.trim_end_matches('0'), plain.len() as i32 - 1),
            // Below 1e-6: `0.000000ddd`.
            Some((_, frac)) => {
                let zeros = frac.len() - frac.trim_start_matches('0').len();
                (frac.trim_start_matches('0'), -(zeros as i32) - 1)
            }
        };
        if n < 0.0 {
            out.push('-');
        }
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{exp}", if exp > 0 { "+" } else { "" });
    }
}

/// Text → number as ODK reads it ([`text::number_of`]), with an ISO date or date-time
/// counting as days since 1970-01-01 (a fraction is the time of day).
fn str_to_number(s: &str) -> f64 {
    let n = text::number_of(s);
    if n.is_nan() {
        if let Some(days) = time::parse_days(s) {
            return days;
        }
    }
    n
}

impl<'a> Value<'a> {
    pub(crate) fn to_number(&self) -> f64 {
        match self {
            Value::Str(s) | Value::Node(s, _) => str_to_number(s),
            Value::String(s) => str_to_number(s),
            Value::Num(n) | Value::Date(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
        }
    }

    pub(crate) fn to_bool(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::String(s) => !s.is_empty(),
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Bool(b) => *b,
            Value::Date(_) => true,
            Value::Node(_, exists) => *exists,
        }
    }

    /// Appends the text form of the value.
    pub(crate) fn write_to(&self, out: &mut String) {
        match self {
            Value::Str(s) | Value::Node(s, _) => out.push_str(s),
            Value::String(s) => out.push_str(s),
            Value::Num(n) => write_number(out, *n),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Date(d) => time::write_days(out, *d),
        }
    }

    /// The text form of the value.
    pub(crate) fn to_text(&self) -> Cow<'a, str> {
        match self {
            Value::Str(s) | Value::Node(s, _) => Cow::Borrowed(s),
            Value::String(s) => Cow::Owned(s.clone()),
            _ => {
                let mut s = String::new();
                self.write_to(&mut s);
                Cow::Owned(s)
            }
        }
    }

    fn into_text(self) -> Cow<'a, str> {
        match self {
            Value::Str(s) | Value::Node(s, _) => Cow::Borrowed(s),
            Value::String(s) => Cow::Owned(s),
            other => other.to_text(),
        }
    }

    /// The calendar date of the value, if it names a point in time.
    fn to_date(&self) -> Option<Date> {
        let days = match self {
            Value::Str(s) | Value::Node(s, _) => time::parse_days(s)?,
            Value::String(s) => time::parse_days(s)?,
            Value::Date(d) | Value::Num(d) => *d,
            Value::Bool(_) => return None,
        };
        if !days.is_finite() {
            return None;
        }
        dates::from_days(i32::try_from(days.floor() as i64).ok()?)
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(_), _) | (_, Value::Bool(_)) => a.to_bool() == b.to_bool(),
        // A date value equals the same point in time, however it is written.
        (Value::Num(_) | Value::Date(_), _) | (_, Value::Num(_) | Value::Date(_)) => {
            a.to_number() == b.to_number()
        }
        _ => a.to_text() == b.to_text(),
    }
}

/// `round(x)` rounds half away from zero; `round(x, digits)` scales by `10^digits` first
/// (ODK takes any number of digits, even a fraction; a blank or non-number gives NaN).
fn round_to(n: f64, digits: Option<f64>) -> f64 {
    match digits {
        None => n.round(),
        Some(d) if d == 0.0 => n.round(),
        Some(d) => {
            let f = 10f64.powf(d);
            (n * f).round() / f
        }
    }
}

/// Evaluates an expression.
pub(crate) fn eval<'a, E: Env<'a>>(e: &'a Expr, env: &E) -> Value<'a> {
    match e {
        Expr::Num(n) => Value::Num(*n),
        Expr::Str(s) => Value::Str(s),
        Expr::Ref(r) => match r.target {
            Target::Field(i) => Value::Node(env.field(i), true),
            Target::Members(i) => {
                let mut first = None;
                env.each_member(i, &mut |s| {
                    first.get_or_insert(s);
                });
                Value::Node(first.unwrap_or(""), first.is_some())
            }
            // A repeat only appears where its members are counted (checked when compiling).
            Target::Repeat(i) => Value::Node("", env.member_count(i) > 0),
            Target::Unresolved => Value::Str(""),
        },
        Expr::Current => Value::Node(env.current(), true),
        Expr::Name(n, _) => Value::Node(env.choice_column(n), true),
        Expr::Parent(_) => Value::Str(""),
        Expr::Neg(x) => Value::Num(-eval(x, env).to_number()),
        Expr::Bin(op, a, b) => binary(*op, a, b, env),
        Expr::Call(c) => call(c, env),
    }
}

/// Every member's value when `e` is a roster field read as a node-set.
fn members<'a, E: Env<'a>>(e: &'a Expr, env: &E) -> Option<Vec<&'a str>> {
    match e {
        Expr::Ref(r) => match r.target {
            Target::Members(i) => {
                let mut all = Vec::new();
                env.each_member(i, &mut |s| all.push(s));
                Some(all)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Calls `f` with every value an argument stands for: each member of a node-set, or the
/// argument's own value.
fn each_value<'a, E: Env<'a>>(arg: &'a Expr, env: &E, f: &mut dyn FnMut(Value<'a>)) {
    match members(arg, env) {
        Some(all) => all.into_iter().for_each(|s| f(Value::Node(s, true))),
        None => f(eval(arg, env)),
    }
}

fn compare(op: BinOp, a: &Value, b: &Value) -> bool {
    match op {
        BinOp::Eq => values_equal(a, b),
        BinOp::Ne => !values_equal(a, b),
        _ => {
            let (x, y) = (a.to_number(), b.to_number());
            match op {
                BinOp::Lt => x < y,
                BinOp::Le => x <= y,
                BinOp::Gt => x > y,
                _ => x >= y,
            }
        }
    }
}

fn binary<'a, E: Env<'a>>(op: BinOp, a: &'a Expr, b: &'a Expr, env: &E) -> Value<'a> {
    match op {
        BinOp::Or => Value::Bool(eval(a, env).to_bool() || eval(b, env).to_bool()),
        BinOp::And => Value::Bool(eval(a, env).to_bool() && eval(b, env).to_bool()),
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let (x, y) = (eval(a, env), eval(b, env));
            // A node-set compared with a boolean counts as its own boolean; with anything
            // else the comparison holds when it holds for any of its members (XPath 1.0).
            let (xs, ys) = match (&x, &y) {
                (Value::Bool(_), _) | (_, Value::Bool(_)) => (None, None),
                _ => (members(a, env), members(b, env)),
            };
            Value::Bool(match (xs, ys) {
                (None, None) => compare(op, &x, &y),
                (Some(xs), None) => xs.iter().any(|s| compare(op, &Value::Node(s, true), &y)),
                (None, Some(ys)) => ys.iter().any(|s| compare(op, &x, &Value::Node(s, true))),
                (Some(xs), Some(ys)) => xs.iter().any(|s| {
                    ys.iter()
                        .any(|t| compare(op, &Value::Node(s, true), &Value::Node(t, true)))
                }),
            })
        }
        _ => {
            let x = eval(a, env).to_number();
            let y = eval(b, env).to_number();
            Value::Num(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                _ => x % y,
            })
        }
    }
}

/// `substring(s, start, length)` of XPath 1.0: 1-based positions, rounded, in UTF-16 units.
fn substring(s: &str, start: f64, len: Option<f64>) -> String {
    let xpath_round = |n: f64| (n + 0.5).floor();
    let first = xpath_round(start);
    let end = len.map_or(f64::INFINITY, |l| first + xpath_round(l));
    if first.is_nan() || end.is_nan() {
        return String::new();
    }
    // Position p (1-based) is kept when first <= p < end.
    text::utf16_slice(s, (first - 1.0).max(0.0), end - 1.0)
}

/// ODK's `substr(s, start, end)`: 0-based unit offsets like JavaScript's `slice()`, a
/// negative offset counting from the end.
fn substr(s: &str, start: f64, end: Option<f64>) -> String {
    let len = text::utf16_len(s) as f64;
    let at = |n: f64| {
        let n = if n.is_nan() { 0.0 } else { n.trunc() };
        if n < 0.0 {
            (len + n).max(0.0)
        } else {
            n.min(len)
        }
    };
    let (from, to) = (at(start), end.map_or(len, at));
    if to <= from {
        return String::new();
    }
    text::utf16_slice(s, from, to)
}

/// A date or date-time (a date value, or its text) → days since 1970-01-01; a number
/// counts as days only when `numbers` (`date()`, `decimal-date-time()`, not
/// `format-date()`), as in ODK. NaN when it is none of these.
fn days_of(v: &Value, numbers: bool) -> f64 {
    match v {
        Value::Date(d) => *d,
        Value::Num(n) if numbers => *n,
        Value::Str(s) | Value::Node(s, _) => time::parse_days(s).unwrap_or(f64::NAN),
        Value::String(s) => time::parse_days(s).unwrap_or(f64::NAN),
        Value::Num(_) | Value::Bool(_) => f64::NAN,
    }
}

fn call<'a, E: Env<'a>>(c: &'a Call, env: &E) -> Value<'a> {
    let Some(func) = c.func else {
        return Value::Str("");
    };
    let a = &c.args;
    let arg = |i: usize| eval(&a[i], env);
    let num = |i: usize| arg(i).to_number();
    // The argument, or the context node `.` when it is left out.
    let text_or_current = |i: usize| {
        if a.len() > i {
            arg(i).into_text()
        } else {
            Cow::Borrowed(env.current())
        }
    };
    let math = |f: fn(f64) -> f64| Value::Num(f(num(0)));
    match func {
        Func::If => {
            if arg(0).to_bool() {
                arg(1)
            } else {
                arg(2)
            }
        }
        Func::Not => Value::Bool(!arg(0).to_bool()),
        Func::True => Value::Bool(true),
        Func::False => Value::Bool(false),
        Func::Boolean => Value::Bool(arg(0).to_bool()),
        Func::BooleanFromString => Value::Bool(matches!(&*arg(0).into_text(), "true" | "1")),
        Func::String if a.is_empty() => Value::Str(env.current()),
        Func::String => match arg(0) {
            v @ (Value::Str(_) | Value::String(_)) => v,
            Value::Node(s, _) => Value::Str(s),
            v => Value::String(v.to_text().into_owned()),
        },
        Func::Selected => {
            let list = arg(0).into_text();
            let wanted = arg(1).into_text();
            let wanted = wanted.trim();
            let mut items = text::items(&list).peekable();
            // As in ODK, a blank list holds one blank item.
            Value::Bool(match items.peek() {
                None => wanted.is_empty(),
                Some(_) => items.any(|t| t == wanted),
            })
        }
        Func::CountSelected => Value::Num(text::items(&arg(0).into_text()).count() as f64),
        Func::SelectedAt => {
            let list = arg(0).into_text();
            let i = num(1).trunc();
            let item = (i.is_finite() && i >= 0.0)
                .then(|| text::items(&list).nth(i as usize))
                .flatten();
            Value::String(item.unwrap_or("").to_string())
        }
        Func::StringLength => Value::Num(text::utf16_len(&text_or_current(0)) as f64),
        Func::NormalizeSpace => Value::String(text::normalize_space(&text_or_current(0))),
        Func::Contains => Value::Bool(arg(0).into_text().contains(&*arg(1).into_text())),
        Func::StartsWith => Value::Bool(arg(0).into_text().starts_with(&*arg(1).into_text())),
        Func::EndsWith => Value::Bool(arg(0).into_text().ends_with(&*arg(1).into_text())),
        Func::Substr => {
            let end = (a.len() > 2).then(|| num(2));
            Value::String(substr(&arg(0).into_text(), num(1), end))
        }
        Func::Substring => {
            let len = (a.len() > 2).then(|| num(2));
            Value::String(substring(&arg(0).into_text(), num(1), len))
        }
        Func::SubstringBefore | Func::SubstringAfter => {
            let s = arg(0).into_text();
            let sep = arg(1).into_text();
            Value::String(match s.find(&*sep) {
                Some(i) if func == Func::SubstringBefore => s[..i].to_string(),
                Some(i) => s[i + sep.len()..].to_string(),
                None => String::new(),
            })
        }
        Func::Translate => Value::String(text::translate(
            &arg(0).into_text(),
            &arg(1).into_text(),
            &arg(2).into_text(),
        )),
        Func::Regex => {
            let s = arg(0).into_text();
            match &c.regex {
                Some(re) => Value::Bool(text::regex_test(re, &s)),
                None => Value::Bool(
                    text::regex(&arg(1).into_text()).is_ok_and(|re| text::regex_test(&re, &s)),
                ),
            }
        }
        Func::Today => env
            .today()
            .map_or(Value::Str(""), |d| Value::Date(f64::from(d))),
        Func::Date => {
            let days = days_of(&arg(0), true);
            if days.is_finite() {
                Value::Date(days)
            } else {
                Value::Str("")
            }
        }
        Func::DecimalDateTime => Value::Num(days_of(&arg(0), true)),
        Func::DecimalTime => Value::Num(time::decimal_time(&arg(0).into_text())),
        Func::FormatDate => {
            Value::String(time::format(days_of(&arg(0), false), &arg(1).into_text()))
        }
        Func::Number => Value::Num(if a.is_empty() {
            str_to_number(env.current())
        } else {
            num(0)
        }),
        Func::Int => math(f64::trunc),
        Func::Round => {
            let digits = (a.len() > 1).then(|| num(1));
            Value::Num(round_to(num(0), digits))
        }
        Func::Floor => math(f64::floor),
        Func::Ceiling => math(f64::ceil),
        Func::Abs => math(f64::abs),
        Func::Sqrt => math(f64::sqrt),
        Func::Exp => math(f64::exp),
        Func::Exp10 => math(|x| 10f64.powf(x)),
        Func::Log => math(f64::ln),
        Func::Log10 => math(f64::log10),
        Func::Pow => Value::Num(num(0).powf(num(1))),
        Func::Pi => Value::Num(std::f64::consts::PI),
        Func::Coalesce => {
            let first = arg(0);
            if !first.to_text().is_empty() {
                first
            } else {
                arg(1)
            }
        }
        Func::Concat => {
            // As in ODK, a roster field gives every member's value.
            let mut s = String::new();
            for x in a {
                each_value(x, env, &mut |v| v.write_to(&mut s));
            }
            Value::String(s)
        }
        Func::Join => {
            let sep = arg(0).into_text();
            let mut s = String::new();
            let mut first = true;
            for x in &a[1..] {
                each_value(x, env, &mut |v| {
                    if !first {
                        s.push_str(&sep);
                    }
                    first = false;
                    v.write_to(&mut s);
                });
            }
            Value::String(s)
        }
        Func::Sum => {
            let mut total = 0.0;
            each_value(&a[0], env, &mut |v| total += v.to_number());
            Value::Num(total)
        }
        Func::Count => match &a[0] {
            Expr::Ref(r) => match r.target {
                Target::Members(i) | Target::Repeat(i) => Value::Num(env.member_count(i) as f64),
                _ => Value::Num(1.0),
            },
            _ => Value::Num(1.0),
        },
        Func::CountNonEmpty => {
            let mut n = 0;
            each_value(&a[0], env, &mut |v| {
                n += usize::from(!v.to_text().is_empty())
            });
            Value::Num(n as f64)
        }
        Func::Min | Func::Max => {
            let mut acc: Option<f64> = None;
            let mut nan = false;
            for x in a {
                each_value(x, env, &mut |v| {
                    let n = v.to_number();
                    nan |= n.is_nan();
                    acc = Some(match acc {
                        None => n,
                        Some(m) if func == Func::Min => m.min(n),
                        Some(m) => m.max(n),
                    });
                });
            }
            Value::Num(if nan {
                f64::NAN
            } else {
                acc.unwrap_or(f64::NAN)
            })
        }
        Func::IndexedRepeat => {
            let n = num(2);
            let mut found = None;
            if let Some(all) = members(&a[0], env) {
                if n.fract() == 0.0 && n >= 1.0 {
                    found = all.get(n as usize - 1).copied();
                }
            }
            Value::Node(found.unwrap_or(""), found.is_some())
        }
        Func::Checklist | Func::WeightedChecklist => {
            let (min, max) = (num(0), num(1));
            let mut total = 0.0;
            let rest = &a[2..];
            if func == Func::Checklist {
                for x in rest {
                    each_value(x, env, &mut |v| total += f64::from(u8::from(answered(&v))));
                }
            } else {
                for pair in rest.chunks(2) {
                    if answered(&eval(&pair[0], env)) {
                        total += pair.get(1).map_or(0.0, |w| eval(w, env).to_number());
                    }
                }
            }
            Value::Bool((min < 0.0 || total >= min) && (max < 0.0 || total <= max))
        }
        Func::Position => env
            .position()
            .map_or(Value::Num(f64::NAN), |p| Value::Num(p as f64)),
        Func::Setting => match &a[0] {
            Expr::Str(name) => Value::Str(env.setting(name)),
            other => Value::String(env.setting(&eval(other, env).to_text()).to_string()),
        },
        Func::IdValid => Value::Bool(resident_id(&arg(0), env).is_ok()),
        Func::IdBirthdate => match resident_id(&arg(0), env) {
            Ok(id) => Value::Date(f64::from(dates::to_days(id.birth_date()))),
            Err(_) => Value::Str(""),
        },
        Func::IdSex => match resident_id(&arg(0), env) {
            Ok(id) => Value::Str(id.sex().as_str()),
            Err(_) => Value::Str(""),
        },
        Func::Age => match (arg(0).to_date(), arg(1).to_date()) {
            (Some(birth), Some(at)) => Value::Num(f64::from(dates::age_at(birth, at))),
            _ => Value::Str(""),
        },
    }
}

/// Whether a `checklist()` item counts as answered: a field with text, or a true value.
fn answered(v: &Value) -> bool {
    match v {
        Value::Node(s, _) => !s.is_empty(),
        other => other.to_bool(),
    }
}

/// The ID-number rule with the evaluation's today ([`ResidentId::parse`]).
fn resident_id<'a, E: Env<'a>>(v: &Value<'a>, env: &E) -> Result<ResidentId, crate::id_number::IdError> {
    let today = env.today().and_then(dates::from_days);
    ResidentId::parse(&v.to_text(), today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_parsing_follows_odk() {
        assert_eq!(parse_number(" 12 "), 12.0);
        assert_eq!(parse_number("-1.5"), -1.5);
        assert_eq!(parse_number("+2"), 2.0);
        assert_eq!(parse_number("1e3"), 1000.0);
        assert_eq!(parse_number("2.5E-1"), 0.25);
        assert_eq!(parse_number(".5"), 0.5);
        assert_eq!(parse_number("5."), 5.0);
        for bad in [
            "", " ", "abc", "1e", "1,000", "inf", "NaN", "infinity", "--1", "0x10", "1 2", ".",
        ] {
            assert!(parse_number(bad).is_nan(), "{bad}");
        }
    }

    #[test]
    fn numbers_print_like_xpath() {
        let s = |n: f64| {
            let mut out = String::new();
            write_number(&mut out, n);
            out
        };
        assert_eq!(s(3.0), "3");
        assert_eq!(s(-0.0), "0");
        assert_eq!(s(2.5), "2.5");
        assert_eq!(s(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(s(f64::NAN), "");
        assert_eq!(s(f64::INFINITY), "Infinity");
        assert_eq!(s(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(s(1e20), "100000000000000000000");
        assert_eq!(s(1e21), "1e+21");
        assert_eq!(s(-1.5e-7), "-1.5e-7");
        assert_eq!(s(1.2345e25), "1.2345e+25");
        assert_eq!(s(5e-324), "5e-324");
        assert_eq!(s(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(s(1e-6), "0.000001");
        assert_eq!(s(123456789012.0), "123456789012");
    }
}
