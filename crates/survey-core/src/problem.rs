//! Problems found while loading and linting a survey definition.
//!
//! Every problem names its table and 1-based spreadsheet row (header = row 1) and has a
//! stable code ([`ProblemKind::code`]); its `Display` is Chinese, for the bureau's editors
//! and developers reading build output.

use serde::Serialize;
use std::fmt;

/// The table (CSV file) a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    /// `survey.csv`
    Survey,
    /// `choices.csv`
    Choices,
    /// `settings.csv`
    Settings,
}

impl Table {
    /// The file name, e.g. `survey.csv`.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Survey => "survey.csv",
            Table::Choices => "choices.csv",
            Table::Settings => "settings.csv",
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// One problem in a survey definition.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("{table} 第 {row} 行：{kind} [{}]", .kind.code())]
pub struct Problem {
    /// The table.
    pub table: Table,
    /// 1-based spreadsheet row (header = 1); 0 when the problem concerns the whole file.
    pub row: u32,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl Problem {
    /// Creates a problem.
    pub fn new(table: Table, row: u32, kind: ProblemKind) -> Problem {
        Problem { table, row, kind }
    }

    /// The stable code of the problem kind.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

/// What is wrong. Display is Chinese; [`ProblemKind::code`] is stable.
///
/// Variant fields name what they hold: `column` (CSV column), `name` (field or setting
/// name), `position` (1-based character position in the expression), `first_row` (where a
/// duplicated name was first used).
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file could not be read.
    #[error("无法读取文件 {file}：{message}")]
    Io { file: String, message: String },
    /// The CSV could not be parsed.
    #[error("CSV 格式错误：{message}")]
    Csv { message: String },
    /// A required column is absent from the header.
    #[error("缺少列 `{column}`")]
    MissingColumn { column: String },
    /// settings.csv must have exactly one value row.
    #[error("settings.csv 应当只有一行设置值（现有 {rows} 行）")]
    SettingsRows { rows: usize },
    /// A required setting is blank.
    #[error("缺少设置 `{name}`")]
    MissingSetting { name: String },
    /// Unknown `type`.
    #[error("未知的题型 `{kind}`")]
    UnknownType { kind: String },
    /// A row that needs a name has none.
    #[error("缺少名称（name）")]
    MissingName,
    /// A name does not match `[A-Za-z_][A-Za-z0-9_]*`.
    #[error("名称 `{name}` 不合法：只能用英文字母、数字和下划线，且不能以数字开头")]
    InvalidName { name: String },
    /// The same name is used twice.
    #[error("名称 `{name}` 重复（第 {first_row} 行已使用）")]
    DuplicateName { name: String, first_row: u32 },
    /// The same choice name is used twice in one list.
    #[error("选项列表 `{list}` 中选项 `{name}` 重复（第 {first_row} 行已使用）")]
    DuplicateChoice {
        list: String,
        name: String,
        first_row: u32,
    },
    /// A select question names a list that does not exist.
    #[error("选项列表 `{list}` 不存在")]
    UnknownList { list: String },
    /// A `select_one`/`select_multiple` without a list name.
    #[error("选择题缺少选项列表名")]
    MissingList,
    /// An expression references a field that does not exist.
    #[error("{column} 引用了不存在的字段 `${{{name}}}`")]
    UnknownField { column: String, name: String },
    /// An expression does not parse.
    #[error("{column} 表达式无法解析（第 {position} 个字符）：{message}")]
    Parse {
        column: String,
        position: usize,
        message: String,
    },
    /// An unknown function.
    #[error("{column} 使用了未知函数 `{function}()`（第 {position} 个字符）")]
    UnknownFunction {
        column: String,
        function: String,
        position: usize,
    },
    /// A function called with the wrong number of arguments.
    #[error("{column} 中函数 `{function}()` 的参数个数不对：需要 {expected}，实际 {found}（第 {position} 个字符）")]
    Arity {
        column: String,
        function: String,
        expected: String,
        found: usize,
        position: usize,
    },
    /// An expression misuses a reference (the repeat itself outside `count()` /
    /// `indexed-repeat()`, a group as a value, `position(..)` outside a repeat, …).
    #[error("{column}：{message}（第 {position} 个字符）")]
    BadReference {
        column: String,
        message: String,
        position: usize,
    },
    /// `setting('name')` names a setting that settings.csv does not have.
    #[error("{column} 引用了不存在的设置 `{name}`")]
    UnknownSetting { column: String, name: String },
    /// A `regex()` pattern that does not compile.
    #[error("{column} 中的正则表达式无效：{message}")]
    BadRegex { column: String, message: String },
    /// Relevance or calculations depend on each other in a circle.
    #[error("计算/显示条件循环依赖：{}", names.join(" → "))]
    Cycle { names: Vec<String> },
    /// `end_group`/`end_repeat` without a matching begin.
    #[error("`{kind}` 没有对应的开始行")]
    UnmatchedEnd { kind: String },
    /// A group or repeat that is never closed.
    #[error("`{name}` 没有对应的结束行（{expected}）")]
    Unclosed { name: String, expected: String },
    /// A repeat inside a repeat (not supported; the household survey has one roster).
    #[error("不支持嵌套重复组：`{name}` 位于重复组 `{outer}` 之内")]
    NestedRepeat { name: String, outer: String },
    /// A `calculate` row without a calculation.
    #[error("calculate 行缺少 calculation")]
    MissingCalculation,
    /// A value that must be `yes`/`no`.
    #[error("{column} 只能是 yes 或 no（现为 `{value}`）")]
    NotYesNo { column: String, value: String },
    /// A label or message has Yi text but no Chinese text.
    #[error("{column} 缺少中文")]
    MissingChinese { column: String },
    /// A label or message has Chinese text but no Yi text.
    #[error("{column} 缺少彝文")]
    MissingYi { column: String },
    /// A row with Yi text has no `ii_status`.
    #[error("有彝文但缺少 ii_status（draft / sourced / reviewed）")]
    MissingIiStatus,
    /// `ii_status` is not draft / sourced / reviewed.
    #[error("ii_status `{value}` 无效，应为 draft、sourced 或 reviewed")]
    BadIiStatus { value: String },
    /// `ii_status` is `sourced` but `ii_source` is blank.
    #[error("ii_status 为 sourced 时必须填写 ii_source")]
    MissingIiSource,
    /// Yi text contains a Yi radical (U+A490–A4C6) instead of a syllable.
    #[error("{column} 含有彝文部首 U+{codepoint:04X}（第 {position} 个字符），应使用彝文音节")]
    YiRadical {
        column: String,
        codepoint: u32,
        position: usize,
    },
    /// A function of the ODK XForms specification that the kit does not run (the reason
    /// says why; see docs/survey-format.md).
    #[error(
        "{column} 使用了 ODK 函数 `{function}()`，本工具包不支持：{reason}（第 {position} 个字符）"
    )]
    UnsupportedFunction {
        column: String,
        function: String,
        reason: String,
        position: usize,
    },
    /// A `parameters` name the question's type does not take.
    #[error("parameters 中的 `{name}` 不适用于此题型（可用：{allowed}）")]
    UnknownParameter { name: String, allowed: String },
    /// A `parameters` entry that is not `name=value` or whose value has the wrong shape.
    #[error("parameters 中的 `{text}` 无效：应为 {expected}")]
    BadParameter { text: String, expected: String },
}

impl ProblemKind {
    /// Stable code, e.g. `duplicate_name`.
    pub fn code(&self) -> &'static str {
        use ProblemKind::*;
        match self {
            Io { .. } => "io",
            Csv { .. } => "csv",
            MissingColumn { .. } => "missing_column",
            SettingsRows { .. } => "settings_rows",
            MissingSetting { .. } => "missing_setting",
            UnknownType { .. } => "unknown_type",
            MissingName => "missing_name",
            InvalidName { .. } => "invalid_name",
            DuplicateName { .. } => "duplicate_name",
            DuplicateChoice { .. } => "duplicate_choice",
            UnknownList { .. } => "unknown_list",
            MissingList => "missing_list",
            UnknownField { .. } => "unknown_field",
            Parse { .. } => "parse",
            UnknownFunction { .. } => "unknown_function",
            Arity { .. } => "arity",
            BadReference { .. } => "bad_reference",
            UnknownSetting { .. } => "unknown_setting",
            BadRegex { .. } => "bad_regex",
            Cycle { .. } => "cycle",
            UnmatchedEnd { .. } => "unmatched_end",
            Unclosed { .. } => "unclosed",
            NestedRepeat { .. } => "nested_repeat",
            MissingCalculation => "missing_calculation",
            NotYesNo { .. } => "not_yes_no",
            MissingChinese { .. } => "missing_chinese",
            MissingYi { .. } => "missing_yi",
            MissingIiStatus => "missing_ii_status",
            BadIiStatus { .. } => "bad_ii_status",
            MissingIiSource => "missing_ii_source",
            YiRadical { .. } => "yi_radical",
            UnsupportedFunction { .. } => "unsupported_function",
            UnknownParameter { .. } => "unknown_parameter",
            BadParameter { .. } => "bad_parameter",
        }
    }
}
