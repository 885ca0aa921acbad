//! The expression engine: ODK/XLSForm expressions parsed once into an AST
//! ([`parse`]) and evaluated with XPath 1.0 semantics as ODK applies them ([`eval`]).
//!
//! Semantics worth knowing (they follow ODK, see `docs/survey-format.md`):
//! - a blank answer is the empty string: `${x} + 1` with `x` blank is NaN, and NaN shown as
//!   text is `''`; `${x} = 0` is false and `${x} != 0` true;
//! - a non-relevant field reads as blank;
//! - `=`/`!=`: booleans compare as booleans, else if either side is a number both are
//!   numbers, else both compare as text; `<`, `<=`, `>`, `>=` compare numbers, and an ISO
//!   date (`'2024-01-05'`) counts as days since 1970-01-01, so dates order correctly and
//!   subtracting two dates gives days;
//! - `number()` accepts surrounding spaces, a sign and an exponent; `div` by zero gives
//!   ±Infinity and `0 div 0` NaN; `mod` keeps the sign of the dividend; `int()` truncates
//!   toward zero; `round()` rounds half away from zero;
//! - `string-length()` counts UTF-16 code units; `regex()` uses JavaScript syntax (through
//!   `regex-lite`, which covers the usual subset: classes, `\d`, `\w`, `\s`, quantifiers,
//!   anchors, groups and alternation, but no Unicode property classes or look-around);
//! - inside a repeat `${sibling}` is the same member's field and `position(..)` the
//!   member's 1-based index; outside it a repeat field may only appear inside `sum()`,
//!   `count()`, `min()` or `max()`, which then see every member's value.

pub(crate) mod eval;
pub(crate) mod parse;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A function the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    If,
    Not,
    True,
    False,
    Boolean,
    String,
    Selected,
    CountSelected,
    StringLength,
    Contains,
    StartsWith,
    Regex,
    Today,
    Date,
    Number,
    Int,
    Round,
    Floor,
    Ceiling,
    Abs,
    Coalesce,
    Concat,
    Sum,
    Count,
    Min,
    Max,
    Position,
    Setting,
    IdValid,
    IdBirthdate,
    IdSex,
    Age,
}

/// Every function: (name, function, min args, max args or `usize::MAX`).
pub(crate) const FUNCTIONS: &[(&str, Func, usize, usize)] = &[
    ("if", Func::If, 3, 3),
    ("not", Func::Not, 1, 1),
    ("true", Func::True, 0, 0),
    ("false", Func::False, 0, 0),
    ("boolean", Func::Boolean, 1, 1),
    ("string", Func::String, 1, 1),
    ("selected", Func::Selected, 2, 2),
    ("count-selected", Func::CountSelected, 1, 1),
    ("string-length", Func::StringLength, 1, 1),
    ("contains", Func::Contains, 2, 2),
    ("starts-with", Func::StartsWith, 2, 2),
    ("regex", Func::Regex, 2, 2),
    ("today", Func::Today, 0, 0),
    ("date", Func::Date, 1, 1),
    ("number", Func::Number, 1, 1),
    ("int", Func::Int, 1, 1),
    ("round", Func::Round, 1, 2),
    ("floor", Func::Floor, 1, 1),
    ("ceiling", Func::Ceiling, 1, 1),
    ("abs", Func::Abs, 1, 1),
    ("coalesce", Func::Coalesce, 2, 2),
    ("concat", Func::Concat, 0, usize::MAX),
    ("sum", Func::Sum, 1, 1),
    ("count", Func::Count, 1, 1),
    ("min", Func::Min, 1, usize::MAX),
    ("max", Func::Max, 1, usize::MAX),
    ("position", Func::Position, 1, 1),
    ("setting", Func::Setting, 1, 1),
    ("id-valid", Func::IdValid, 1, 1),
    ("id-birthdate", Func::IdBirthdate, 1, 1),
    ("id-sex", Func::IdSex, 1, 1),
    ("age", Func::Age, 2, 2),
];

/// Names of every function the engine knows (for documentation and editors).
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|f| f.0)
}

impl Func {
    pub(crate) fn lookup(name: &str) -> Option<(Func, usize, usize)> {
        FUNCTIONS
            .iter()
            .find(|f| f.0 == name)
            .map(|f| (f.1, f.2, f.3))
    }

    /// Aggregates see every member's value of a repeat field.
    pub(crate) fn is_aggregate(self) -> bool {
        matches!(self, Func::Sum | Func::Count | Func::Min | Func::Max)
    }
}

/// What a `${name}` reference points at once resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Not resolved (yet).
    Unresolved,
    /// A field in the same scope (same member) or at the top level.
    Field(u32),
    /// A repeat field read from outside the repeat: every member's value (aggregates only).
    Members(u32),
    /// The repeat itself (inside `count()`): the number of members.
    Repeat(u32),
}

/// `${name}`.
#[derive(Debug, Clone)]
pub(crate) struct Ref {
    pub name: Box<str>,
    /// Byte offset of `$` in the source.
    pub pos: u32,
    pub target: Target,
}

/// A function call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub name: Box<str>,
    pub func: Option<Func>,
    pub args: Vec<Expr>,
    /// Byte offset of the name in the source.
    pub pos: u32,
    /// A `regex()` pattern compiled once when it is a literal.
    pub regex: Option<Box<regex_lite::Regex>>,
}

/// An expression AST.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Num(f64),
    Str(Box<str>),
    Ref(Ref),
    /// `.`
    Current,
    /// `..` (only meaningful in `position(..)`), with its byte offset.
    Parent(u32),
    /// A bare name: a column of the choice being filtered (choice_filter only).
    Name(Box<str>, u32),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Call(Box<Call>),
}

impl Expr {
    /// Visits every node, parents first.
    pub(crate) fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Neg(e) => e.walk(f),
            Expr::Bin(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Call(c) => c.args.iter().for_each(|a| a.walk(f)),
            _ => {}
        }
    }

    /// Items this expression reads (resolved references).
    pub(crate) fn deps(&self, out: &mut Vec<u32>) {
        self.walk(&mut |e| {
            if let Expr::Ref(r) = e {
                match r.target {
                    Target::Field(i) | Target::Members(i) | Target::Repeat(i) => out.push(i),
                    Target::Unresolved => {}
                }
            }
        })
    }
}

/// Converts a byte offset into a 1-based character position.
pub(crate) fn char_position(src: &str, byte: usize) -> usize {
    src.get(..byte.min(src.len()))
        .map_or(byte, |s| s.chars().count())
        + 1
}
