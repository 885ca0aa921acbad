//! Evaluator: walks the AST with XPath 1.0 semantics as ODK applies them.

use super::{BinOp, Call, Expr, Func, Target};
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
    /// Days since 1970-01-01 (from `today()`, `date()`, `id-birthdate()`).
    Date(i32),
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

/// Writes a number as XPath `string()` does, with ODK's rule that NaN is `''`.
pub(crate) fn write_number(out: &mut String, n: f64) {
    use std::fmt::Write;
    if n.is_nan() {
    } else if n.is_infinite() {
        out.push_str(if n > 0.0 { "Infinity" } else { "-Infinity" });
    } else if n == n.trunc() && n.abs() < 9.0e15 {
        let _ = write!(out, "{}", n as i64);
    } else if n == n.trunc() && n.abs() < 1e21 {
        // Integers without ".0"; -0 prints as 0.
        let _ = write!(out, "{}", if n == 0.0 { 0.0 } else { n });
    } else {
        let _ = write!(out, "{n}");
    }
}

/// Text → number, with ISO dates counting as days since 1970-01-01.
fn str_to_number(s: &str) -> f64 {
    let n = parse_number(s);
    if n.is_nan() {
        if let Some(d) = dates::parse_date_like(s) {
            return f64::from(dates::to_days(d));
        }
    }
    n
}

impl<'a> Value<'a> {
    pub(crate) fn to_number(&self) -> f64 {
        match self {
            Value::Str(s) => str_to_number(s),
            Value::String(s) => str_to_number(s),
            Value::Num(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Date(d) => f64::from(*d),
        }
    }

    pub(crate) fn to_bool(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::String(s) => !s.is_empty(),
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Bool(b) => *b,
            Value::Date(_) => true,
        }
    }

    /// Appends the text form of the value.
    pub(crate) fn write_to(&self, out: &mut String) {
        match self {
            Value::Str(s) => out.push_str(s),
            Value::String(s) => out.push_str(s),
            Value::Num(n) => write_number(out, *n),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Date(d) => {
                if let Some(date) = dates::from_days(*d) {
                    dates::write_date(out, date);
                }
            }
        }
    }

    /// The text form of the value.
    pub(crate) fn to_text(&self) -> Cow<'a, str> {
        match self {
            Value::Str(s) => Cow::Borrowed(s),
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
            Value::Str(s) => Cow::Borrowed(s),
            Value::String(s) => Cow::Owned(s),
            other => other.to_text(),
        }
    }

    fn to_date(&self) -> Option<Date> {
        match self {
            Value::Str(s) => dates::parse_date_like(s),
            Value::String(s) => dates::parse_date_like(s),
            Value::Date(d) => dates::from_days(*d),
            Value::Num(n) if n.is_finite() => dates::from_days(n.floor() as i32),
            _ => None,
        }
    }

    fn is_text(&self) -> bool {
        matches!(self, Value::Str(_) | Value::String(_))
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(_), _) | (_, Value::Bool(_)) => a.to_bool() == b.to_bool(),
        (Value::Num(_), _) | (_, Value::Num(_)) => a.to_number() == b.to_number(),
        (Value::Date(x), Value::Date(y)) => x == y,
        _ if a.is_text() && b.is_text() => a.to_text() == b.to_text(),
        _ => a.to_text() == b.to_text(),
    }
}

fn round_half_away(n: f64, digits: f64) -> f64 {
    if digits.is_nan() || digits == 0.0 {
        return n.round();
    }
    let f = 10f64.powi(digits as i32);
    (n * f).round() / f
}

/// Evaluates an expression.
pub(crate) fn eval<'a, E: Env<'a>>(e: &'a Expr, env: &E) -> Value<'a> {
    match e {
        Expr::Num(n) => Value::Num(*n),
        Expr::Str(s) => Value::Str(s),
        Expr::Ref(r) => match r.target {
            Target::Field(i) => Value::Str(env.field(i)),
            // Outside an aggregate these are rejected when the survey compiles.
            Target::Members(_) | Target::Repeat(_) | Target::Unresolved => Value::Str(""),
        },
        Expr::Current => Value::Str(env.current()),
        Expr::Parent(_) | Expr::Name(..) => match e {
            Expr::Name(n, _) => Value::Str(env.choice_column(n)),
            _ => Value::Str(""),
        },
        Expr::Neg(x) => Value::Num(-eval(x, env).to_number()),
        Expr::Bin(op, a, b) => binary(*op, a, b, env),
        Expr::Call(c) => call(c, env),
    }
}

fn binary<'a, E: Env<'a>>(op: BinOp, a: &'a Expr, b: &'a Expr, env: &E) -> Value<'a> {
    match op {
        BinOp::Or => Value::Bool(eval(a, env).to_bool() || eval(b, env).to_bool()),
        BinOp::And => Value::Bool(eval(a, env).to_bool() && eval(b, env).to_bool()),
        BinOp::Eq | BinOp::Ne => {
            let eq = values_equal(&eval(a, env), &eval(b, env));
            Value::Bool(if op == BinOp::Eq { eq } else { !eq })
        }
        _ => {
            let x = eval(a, env).to_number();
            let y = eval(b, env).to_number();
            match op {
                BinOp::Lt => Value::Bool(x < y),
                BinOp::Le => Value::Bool(x <= y),
                BinOp::Gt => Value::Bool(x > y),
                BinOp::Ge => Value::Bool(x >= y),
                BinOp::Add => Value::Num(x + y),
                BinOp::Sub => Value::Num(x - y),
                BinOp::Mul => Value::Num(x * y),
                BinOp::Div => Value::Num(x / y),
                BinOp::Mod => Value::Num(x % y),
                _ => unreachable!("handled above"),
            }
        }
    }
}

/// Calls `f` with every number an aggregate argument stands for.
fn each_number<'a, E: Env<'a>>(arg: &'a Expr, env: &E, f: &mut dyn FnMut(f64)) {
    match arg {
        Expr::Ref(r) if matches!(r.target, Target::Members(_)) => {
            let Target::Members(item) = r.target else {
                unreachable!()
            };
            env.each_member(item, &mut |s| f(str_to_number(s)));
        }
        _ => f(eval(arg, env).to_number()),
    }
}

fn call<'a, E: Env<'a>>(c: &'a Call, env: &E) -> Value<'a> {
    let Some(func) = c.func else {
        return Value::Str("");
    };
    let a = &c.args;
    let arg = |i: usize| eval(&a[i], env);
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
        Func::String => match arg(0) {
            v @ (Value::Str(_) | Value::String(_)) => v,
            v => Value::String(v.to_text().into_owned()),
        },
        Func::Selected => {
            let list = arg(0).into_text();
            let wanted = arg(1).into_text();
            let wanted = wanted.trim();
            Value::Bool(list.split_whitespace().any(|t| t == wanted))
        }
        Func::CountSelected => Value::Num(arg(0).into_text().split_whitespace().count() as f64),
        Func::StringLength => Value::Num(arg(0).into_text().encode_utf16().count() as f64),
        Func::Contains => Value::Bool(arg(0).into_text().contains(&*arg(1).into_text())),
        Func::StartsWith => Value::Bool(arg(0).into_text().starts_with(&*arg(1).into_text())),
        Func::Regex => {
            let text = arg(0).into_text();
            match &c.regex {
                Some(re) => Value::Bool(re.is_match(&text)),
                None => Value::Bool(
                    regex_lite::Regex::new(&arg(1).into_text()).is_ok_and(|re| re.is_match(&text)),
                ),
            }
        }
        Func::Today => env.today().map_or(Value::Str(""), Value::Date),
        Func::Date => {
            let v = arg(0);
            let date = match &v {
                Value::Str(_) | Value::String(_) => {
                    let t = v.to_text();
                    let n = parse_number(&t);
                    if n.is_finite() {
                        dates::from_days(n.floor() as i32)
                    } else {
                        dates::parse_date_like(&t)
                    }
                }
                other => other.to_date(),
            };
            date.map_or(Value::Str(""), |d| Value::Date(dates::to_days(d)))
        }
        Func::Number => Value::Num(arg(0).to_number()),
        Func::Int => Value::Num(arg(0).to_number().trunc()),
        Func::Round => {
            let digits = if a.len() > 1 { arg(1).to_number() } else { 0.0 };
            Value::Num(round_half_away(arg(0).to_number(), digits))
        }
        Func::Floor => Value::Num(arg(0).to_number().floor()),
        Func::Ceiling => Value::Num(arg(0).to_number().ceil()),
        Func::Abs => Value::Num(arg(0).to_number().abs()),
        Func::Coalesce => {
            let first = arg(0);
            if !first.to_text().is_empty() {
                first
            } else {
                arg(1)
            }
        }
        Func::Concat => {
            let mut s = String::new();
            for x in a {
                eval(x, env).write_to(&mut s);
            }
            Value::String(s)
        }
        Func::Sum => {
            let mut total = 0.0;
            each_number(&a[0], env, &mut |n| total += n);
            Value::Num(total)
        }
        Func::Count => match &a[0] {
            Expr::Ref(r) => match r.target {
                Target::Members(i) | Target::Repeat(i) => Value::Num(env.member_count(i) as f64),
                _ => Value::Num(1.0),
            },
            _ => Value::Num(1.0),
        },
        Func::Min | Func::Max => {
            let mut acc: Option<f64> = None;
            let mut nan = false;
            for x in a {
                each_number(x, env, &mut |n| {
                    if n.is_nan() {
                        nan = true;
                    }
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
        Func::Position => env
            .position()
            .map_or(Value::Num(f64::NAN), |p| Value::Num(p as f64)),
        Func::Setting => match &a[0] {
            Expr::Str(name) => Value::Str(env.setting(name)),
            other => Value::String(env.setting(&eval(other, env).to_text()).to_string()),
        },
        Func::IdValid => Value::Bool(resident_id(&arg(0), env).is_ok()),
        Func::IdBirthdate => match resident_id(&arg(0), env) {
            Ok(id) => Value::Date(dates::to_days(id.birth_date())),
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

/// The ID-number rule with the evaluation's today ([`ResidentId::parse`]).
fn resident_id<'a>(v: &Value<'a>, env: &dyn Env<'a>) -> Result<ResidentId, crate::id_number::IdError> {
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
    }
}
