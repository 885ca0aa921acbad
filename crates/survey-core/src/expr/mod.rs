//! The expression engine: ODK/XLSForm expressions parsed once into an AST
//! ([`parse`]) and evaluated with XPath 1.0 semantics as ODK applies them ([`eval`]), with
//! ODK's own engine (`@getodk/xpath`) as the reference: `tests/odk_cases.json` holds the
//! cases, checked against it in e2e/tests/odk-expressions.test.mjs and run here by
//! `tests/odk_cases.rs`. `docs/survey-format.md` lists the semantics, the ODK functions not
//! supported ([`UNSUPPORTED`], refused by the linter) and the deliberate differences.
//!
//! Semantics worth knowing:
//! - a blank answer is the empty string: `${x} + 1` with `x` blank is NaN, and NaN shown as
//!   text is `''`; `${x} = 0` is false and `${x} != 0` true; a non-relevant field reads as
//!   blank; a reference is a node, true in a boolean context even when blank;
//! - `=`/`!=`: booleans compare as booleans, else if either side is a number both are
//!   numbers, else both compare as text; `<`, `<=`, `>`, `>=` compare numbers, and an ISO
//!   date or date-time counts as days since 1970-01-01 (the time as a fraction, UTC);
//! - numbers read and print as JavaScript's (`Infinity`, `1e+21`) ([`text`]);
//! - text lengths and positions count UTF-16 code units, and `regex()` (JavaScript syntax,
//!   through `regex-lite`) matches unit by unit ([`text::utf16_view`]); a build without the
//!   feature `regex-lite` (the app) is given JavaScript's own `RegExp` instead
//!   ([`set_regex_engine`]);
//! - inside a repeat `${sibling}` is the same member's field and `position(..)` the
//!   member's 1-based index; outside it a repeat field is the node-set of every member's
//!   value (aggregates, `join()`, `concat()` take all; comparisons hold for any member;
//!   elsewhere the first member counts); `indexed-repeat()` picks one member.

pub(crate) mod eval;
pub(crate) mod parse;
pub(crate) mod text;
pub(crate) mod time;

pub use text::{set_regex_engine, RegexEngine};

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
    BooleanFromString,
    SelectedAt,
    Substr,
    Substring,
    SubstringBefore,
    SubstringAfter,
    CountNonEmpty,
    FormatDate,
    Join,
    NormalizeSpace,
    Translate,
    EndsWith,
    Pow,
    Sqrt,
    Exp,
    Exp10,
    Log,
    Log10,
    Pi,
    DecimalDateTime,
    DecimalTime,
    IndexedRepeat,
    Checklist,
    WeightedChecklist,
}

/// Every function: (name, function, min args, max args or `usize::MAX`).
pub(crate) const FUNCTIONS: &[(&str, Func, usize, usize)] = &[
    ("if", Func::If, 3, 3),
    ("not", Func::Not, 1, 1),
    ("true", Func::True, 0, 0),
    ("false", Func::False, 0, 0),
    ("boolean", Func::Boolean, 1, 1),
    ("string", Func::String, 0, 1),
    ("selected", Func::Selected, 2, 2),
    ("count-selected", Func::CountSelected, 1, 1),
    ("string-length", Func::StringLength, 0, 1),
    ("contains", Func::Contains, 2, 2),
    ("starts-with", Func::StartsWith, 2, 2),
    ("regex", Func::Regex, 2, 2),
    ("today", Func::Today, 0, 0),
    ("date", Func::Date, 1, 1),
    ("number", Func::Number, 0, 1),
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
    ("boolean-from-string", Func::BooleanFromString, 1, 1),
    ("selected-at", Func::SelectedAt, 2, 2),
    ("substr", Func::Substr, 2, 3),
    ("substring", Func::Substring, 2, 3),
    ("substring-before", Func::SubstringBefore, 2, 2),
    ("substring-after", Func::SubstringAfter, 2, 2),
    ("count-non-empty", Func::CountNonEmpty, 1, 1),
    ("format-date", Func::FormatDate, 2, 2),
    ("format-date-time", Func::FormatDate, 2, 2),
    ("join", Func::Join, 1, usize::MAX),
    ("normalize-space", Func::NormalizeSpace, 0, 1),
    ("translate", Func::Translate, 3, 3),
    ("ends-with", Func::EndsWith, 2, 2),
    ("pow", Func::Pow, 2, 2),
    ("sqrt", Func::Sqrt, 1, 1),
    ("exp", Func::Exp, 1, 1),
    ("exp10", Func::Exp10, 1, 1),
    ("log", Func::Log, 1, 1),
    ("log10", Func::Log10, 1, 1),
    ("pi", Func::Pi, 0, 0),
    ("decimal-date-time", Func::DecimalDateTime, 1, 1),
    ("decimal-time", Func::DecimalTime, 1, 1),
    ("date-time", Func::Date, 1, 1),
    // Nested repeats are not supported, so only the one-repeat form (3 arguments).
    ("indexed-repeat", Func::IndexedRepeat, 3, 3),
    ("checklist", Func::Checklist, 2, usize::MAX),
    ("weighted-checklist", Func::WeightedChecklist, 2, usize::MAX),
];

/// Trigonometry serves location computations in ODK forms, and its maths would add ~10 KB
/// to the app.
const TRIG: &str = "三角函数用于地理位置计算，本工具包没有地理位置题型（且会使应用增大约 10 KB）";

/// Functions of the ODK XForms specification the kit does not run, with the reason (shown
/// by the linter and listed in docs/survey-format.md). A form using one fails to load.
pub const UNSUPPORTED: &[(&str, &str)] = &[
    ("now", "核心没有时钟，只有应用传入的日期（today()）"),
    ("once", "需要保存“第一次计算的值”，本工具包不保存计算历史"),
    ("random", "核心不产生随机数"),
    ("randomize", "核心不产生随机数"),
    ("uuid", "核心不产生随机数；记录已有自己的编号"),
    ("digest", "加密散列由平台提供，表达式中不支持"),
    ("base64-decode", "表单不处理二进制数据"),
    ("extract-signed", "表单不处理签名数据"),
    ("area", "本工具包没有地理位置题型"),
    ("distance", "本工具包没有地理位置题型"),
    ("geofence", "本工具包没有地理位置题型"),
    ("pulldata", "没有外部 CSV 数据（次要实例）"),
    ("instance", "没有次要实例，选项过滤用 choice_filter 的列名"),
    ("jr:choice-name", "表达式中取不到选项标签"),
    ("jr:itext", "表达式中取不到翻译文本"),
    (
        "current",
        "不支持 XPath 路径；choice_filter 中直接写 ${字段}",
    ),
    ("last", "不支持 XPath 路径；用 count(${重复组})"),
    ("id", "不支持 XPath 路径"),
    ("lang", "不支持 XPath 路径"),
    ("local-name", "不支持 XPath 路径"),
    ("name", "不支持 XPath 路径"),
    ("namespace-uri", "不支持 XPath 路径"),
    ("sin", TRIG),
    ("cos", TRIG),
    ("tan", TRIG),
    ("asin", TRIG),
    ("acos", TRIG),
    ("atan", TRIG),
    ("atan2", TRIG),
    ("property", "没有设备属性"),
    ("version", "没有设备属性"),
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

    /// Whether argument `index` may be the roster itself (`${members}`).
    pub(crate) fn takes_repeat(self, index: usize) -> bool {
        matches!((self, index), (Func::Count, 0) | (Func::IndexedRepeat, 1))
    }
}

/// What a `${name}` reference points at once resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Not resolved (yet).
    Unresolved,
    /// A field in the same scope (same member) or at the top level.
    Field(u32),
    /// A repeat field read from outside the repeat (or as the first argument of
    /// `indexed-repeat()`): the node-set of every member's value.
    Members(u32),
    /// The repeat itself (inside `count()` or `indexed-repeat()`): its members.
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
    pub regex: Option<Box<text::Regex>>,
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
