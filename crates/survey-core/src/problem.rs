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
    /// The XLSForm sheet name, e.g. `survey` (the workbook's sheet; the CSV file's stem).
    pub fn sheet_name(self) -> &'static str {
        match self {
            Table::Survey => "survey",
            Table::Choices => "choices",
            Table::Settings => "settings",
        }
    }

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
    /// The column's letter (`A`, `B`, …, `AA`) when the survey was read from a workbook and
    /// the column exists there; set by the loader ([`crate::loader::Loaded::locate`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letter: Option<String>,
}

impl Problem {
    /// Creates a problem.
    pub fn new(table: Table, row: u32, kind: ProblemKind) -> Problem {
        Problem {
            table,
            row,
            kind,
            letter: None,
        }
    }

    /// The header's name of the column the problem is in (`name`, `label::ii`,
    /// `relevant`, …), `None` when it concerns a whole row or file.
    pub fn column(&self) -> Option<&str> {
        self.kind.column()
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
    /// A survey folder holds more than one source (a workbook and CSV files, or two
    /// workbooks): one source of truth per survey.
    #[error("问卷文件夹中有多个来源：{}；每份问卷只能有一个来源", files.join("、"))]
    TwoSources { files: Vec<String> },
    /// The workbook could not be opened or read.
    #[error("无法读取工作簿：{message}")]
    Workbook { message: String },
    /// The workbook has no sheet of this name.
    #[error("工作簿缺少工作表 `{sheet}`")]
    MissingSheet { sheet: String },
    /// A cell shows a spreadsheet error (`#DIV/0!`, `#REF!`, …) instead of a value.
    #[error("{column} 单元格显示错误 `{value}`，不是一个值")]
    CellError { column: String, value: String },
    /// A `parameters` name the question's type does not take.
    #[error("parameters 中的 `{name}` 不适用于此题型（可用：{allowed}）")]
    UnknownParameter { name: String, allowed: String },
    /// A `parameters` entry that is not `name=value` or whose value has the wrong shape.
    #[error("parameters 中的 `{text}` 无效：应为 {expected}")]
    BadParameter { text: String, expected: String },
    /// A static `default` that is not a valid value of its question's type.
    #[error("default 的值 `{value}` 不是 {kind} 题的有效答案")]
    BadDefault { value: String, kind: String },
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
            TwoSources { .. } => "two_sources",
            Workbook { .. } => "workbook",
            MissingSheet { .. } => "missing_sheet",
            CellError { .. } => "cell_error",
            UnknownParameter { .. } => "unknown_parameter",
            BadParameter { .. } => "bad_parameter",
            BadDefault { .. } => "bad_default",
        }
    }

    /// The header's name of the column the problem is in, `None` when it concerns a whole
    /// row (a cycle) or the file.
    pub fn column(&self) -> Option<&str> {
        use ProblemKind::*;
        match self {
            Io { .. }
            | Csv { .. }
            | SettingsRows { .. }
            | Cycle { .. }
            | TwoSources { .. }
            | Workbook { .. }
            | MissingSheet { .. } => None,
            MissingColumn { column }
            | UnknownField { column, .. }
            | Parse { column, .. }
            | UnknownFunction { column, .. }
            | Arity { column, .. }
            | BadReference { column, .. }
            | UnknownSetting { column, .. }
            | BadRegex { column, .. }
            | NotYesNo { column, .. }
            | MissingChinese { column }
            | MissingYi { column }
            | YiRadical { column, .. }
            | UnsupportedFunction { column, .. }
            | CellError { column, .. } => Some(column),
            MissingSetting { name } => Some(name),
            UnknownType { .. }
            | UnknownList { .. }
            | MissingList
            | UnmatchedEnd { .. }
            | Unclosed { .. }
            | NestedRepeat { .. } => Some("type"),
            MissingName | InvalidName { .. } | DuplicateName { .. } | DuplicateChoice { .. } => {
                Some("name")
            }
            MissingCalculation => Some("calculation"),
            MissingIiStatus | BadIiStatus { .. } => Some("ii_status"),
            MissingIiSource => Some("ii_source"),
            UnknownParameter { .. } | BadParameter { .. } => Some("parameters"),
            BadDefault { .. } => Some("default"),
        }
    }

    /// What is wrong, in English (the `Display` is Chinese).
    pub fn english(&self) -> String {
        use ProblemKind::*;
        match self {
            Io { file, message } => format!("cannot read the file {file}: {message}"),
            Csv { message } => format!("the CSV is malformed: {message}"),
            MissingColumn { column } => format!("the column `{column}` is missing"),
            SettingsRows { rows } => {
                format!("the settings must have exactly one value row (it has {rows})")
            }
            MissingSetting { name } => format!("the setting `{name}` is blank"),
            UnknownType { kind } => format!("unknown question type `{kind}`"),
            MissingName => "the name is missing".into(),
            InvalidName { name } => format!(
                "the name `{name}` is not valid: only English letters, digits and underscores, not starting with a digit"
            ),
            DuplicateName { name, first_row } => {
                format!("the name `{name}` is used twice (first in row {first_row})")
            }
            DuplicateChoice {
                list,
                name,
                first_row,
            } => format!(
                "the choice `{name}` appears twice in the list `{list}` (first in row {first_row})"
            ),
            UnknownList { list } => format!("the choice list `{list}` does not exist"),
            MissingList => "the select question has no choice list name".into(),
            UnknownField { column, name } => {
                format!("{column} refers to a field that does not exist: `${{{name}}}`")
            }
            Parse {
                column,
                position,
                message,
            } => format!("{column}: the expression cannot be read (character {position}): {message}"),
            UnknownFunction {
                column,
                function,
                position,
            } => format!("{column} uses an unknown function `{function}()` (character {position})"),
            Arity {
                column,
                function,
                expected,
                found,
                position,
            } => format!(
                "{column}: `{function}()` takes {} argument(s), not {found} (character {position})",
                english_expected(expected)
            ),
            BadReference {
                column,
                message,
                position,
            } => format!("{column}: a reference is used where it cannot be (character {position}): {message}"),
            UnknownSetting { column, name } => {
                format!("{column} refers to a setting that the settings sheet does not have: `{name}`")
            }
            BadRegex { column, message } => {
                format!("{column}: the regular expression is not valid: {message}")
            }
            Cycle { names } => format!(
                "calculations or relevance depend on each other in a circle: {}",
                names.join(" → ")
            ),
            UnmatchedEnd { kind } => format!("`{kind}` has no matching begin row"),
            Unclosed { name, expected } => format!("`{name}` is never closed ({expected})"),
            NestedRepeat { name, outer } => {
                format!("repeats inside repeats are not supported: `{name}` is inside `{outer}`")
            }
            MissingCalculation => "a calculate row without a calculation".into(),
            NotYesNo { column, value } => {
                format!("{column} can only be yes or no (it is `{value}`)")
            }
            MissingChinese { column } => format!("{column}: the Chinese text is missing"),
            MissingYi { column } => format!("{column}: the Yi text is missing"),
            MissingIiStatus => "the row has Yi text but no ii_status (draft / sourced / reviewed)".into(),
            BadIiStatus { value } => {
                format!("ii_status `{value}` is not valid: draft, sourced or reviewed")
            }
            MissingIiSource => "ii_status is sourced but ii_source is blank".into(),
            YiRadical {
                column,
                codepoint,
                position,
            } => format!(
                "{column} contains the Yi radical U+{codepoint:04X} (character {position}) instead of a Yi syllable"
            ),
            UnsupportedFunction {
                column,
                function,
                position,
                ..
            } => format!(
                "{column} uses the ODK function `{function}()`, which this kit does not run (character {position})"
            ),
            TwoSources { files } => format!(
                "the survey folder has more than one source: {}; a survey has exactly one",
                files.join(", ")
            ),
            Workbook { message } => format!("cannot read the workbook: {message}"),
            MissingSheet { sheet } => format!("the workbook has no sheet `{sheet}`"),
            CellError { column, value } => {
                format!("{column}: the cell shows the error `{value}`, not a value")
            }
            UnknownParameter { name, allowed } => {
                format!("the parameter `{name}` does not apply to this question type (it takes: {allowed})")
            }
            BadParameter { text, .. } => format!("the parameter `{text}` is not valid"),
            BadDefault { value, kind } => {
                format!("the default `{value}` is not a valid answer to a {kind} question")
            }
        }
    }

    /// How to fix it: (Chinese, English).
    pub fn fix(&self) -> (&'static str, &'static str) {
        use ProblemKind::*;
        match self {
            Io { .. } => ("检查文件是否存在、是否已在别的程序中打开，编码是否为 UTF-8。", "Check that the file exists, is not open in another program, and is UTF-8."),
            Csv { .. } => ("用 WPS/Excel 打开后另存为“CSV UTF-8”；每行的列数必须与表头相同。", "Open it in WPS/Excel and save as \"CSV UTF-8\"; every row needs as many cells as the header."),
            MissingColumn { .. } => ("在第 1 行（表头）加上这一列。", "Add this column to row 1 (the header)."),
            SettingsRows { .. } => ("settings 表只保留表头和一行设置值。", "Keep only the header and one value row in the settings sheet."),
            MissingSetting { .. } => ("在 settings 表第 2 行填写这一设置。", "Fill in this setting in row 2 of the settings sheet."),
            UnknownType { .. } => ("改为 text、integer、decimal、date、select_one 列表名、select_multiple 列表名、image、geopoint、note、calculate、begin_group/end_group 或 begin_repeat/end_repeat（见 docs/survey-format.md）。", "Use text, integer, decimal, date, select_one LIST, select_multiple LIST, image, geopoint, note, calculate, begin_group/end_group or begin_repeat/end_repeat (see docs/survey-format.md)."),
            MissingName => ("填写一个英文名称，如 head_name。", "Give the row an English name such as head_name."),
            InvalidName { .. } => ("改名：只用英文字母、数字和下划线，以字母开头，如 head_name。", "Rename it with English letters, digits and underscores, starting with a letter, e.g. head_name."),
            DuplicateName { .. } => ("给其中一行改一个不重复的名称。", "Give one of the rows another, unique name."),
            DuplicateChoice { .. } => ("同一列表中每个选项名称只能出现一次：删除或改名。", "Each choice name appears once per list: delete or rename one."),
            UnknownList { .. } => ("在 choices 表中添加这个 list_name 的选项，或改正 type 中的列表名。", "Add choices with this list_name to the choices sheet, or correct the list name in type."),
            MissingList => ("在 type 中题型后空一格写列表名，如 select_one yes_no。", "Write the list name after the type, e.g. select_one yes_no."),
            UnknownField { .. } => ("改正 ${…} 中的名称，使其与 survey 表某一行的 name 相同。", "Correct the name in ${…} to the name of a row of the survey sheet."),
            Parse { .. } => ("检查该位置附近的括号、引号和运算符。", "Check the brackets, quotes and operators near that character."),
            UnknownFunction { .. } => ("检查函数名的拼写（见 docs/survey-format.md 的函数列表）。", "Check the function's spelling (see the list in docs/survey-format.md)."),
            Arity { .. } => ("按函数说明给出正确个数的参数。", "Give the function the number of arguments it takes."),
            BadReference { .. } => ("按提示改写引用（见 docs/survey-format.md 的“重复组”）。", "Rewrite the reference as the message says (see \"Repeats\" in docs/survey-format.md)."),
            UnknownSetting { .. } => ("在 settings 表中加上这一列，或改正设置名。", "Add this column to the settings sheet, or correct the setting's name."),
            BadRegex { .. } => ("改正正则表达式（不支持后行/先行断言、反向引用和 Unicode 属性类）。", "Correct the regular expression (look-around, back-references and Unicode property classes are not supported)."),
            Cycle { .. } => ("去掉其中一个依赖，使计算不再互相引用。", "Remove one of the dependencies so that no calculation refers back to itself."),
            UnmatchedEnd { .. } => ("删除这一行，或在前面加上对应的 begin_group / begin_repeat。", "Delete this row, or add the matching begin_group / begin_repeat above it."),
            Unclosed { .. } => ("在组的最后一题之后加上对应的 end_group / end_repeat 行。", "Add the matching end_group / end_repeat row after the group's last question."),
            NestedRepeat { .. } => ("把内层重复组移到外层重复组之外，或改为普通组。", "Move the inner repeat out of the outer one, or make it a plain group."),
            MissingCalculation => ("在 calculation 列填写计算表达式。", "Write the expression in the calculation column."),
            NotYesNo { .. } => ("填写 yes 或 no，或留空。", "Write yes or no, or leave it blank."),
            MissingChinese { .. } => ("补上中文（::zh 列）。", "Add the Chinese text (the ::zh column)."),
            MissingYi { .. } => ("补上彝文（::ii 列），并把 ii_status 设为 draft 等待审校。", "Add the Yi text (the ::ii column) and set ii_status to draft for review."),
            MissingIiStatus => ("在 ii_status 列填写 draft、sourced 或 reviewed。", "Write draft, sourced or reviewed in the ii_status column."),
            BadIiStatus { .. } => ("改为 draft、sourced 或 reviewed。", "Change it to draft, sourced or reviewed."),
            MissingIiSource => ("在 ii_source 列写明彝文的来源，如 CLDR ii。", "Name the Yi text's source in ii_source, e.g. CLDR ii."),
            YiRadical { .. } => ("把部首换成读音相同的彝文音节（用应用中的彝文拼音输入）。", "Replace the radical with the Yi syllable (use the app's Yi Pinyin input)."),
            UnsupportedFunction { .. } => ("改用本工具包支持的函数（docs/survey-format.md 列出了不支持的函数及原因）。", "Use a function the kit runs (docs/survey-format.md lists the unsupported ones and why)."),
            TwoSources { .. } => ("只保留一个来源：工作簿（.xlsx）或三个 CSV 文件，把其余的移出文件夹。", "Keep one source, the workbook (.xlsx) or the three CSV files, and move the others out of the folder."),
            Workbook { .. } => ("用 Excel/WPS 打开并另存为 .xlsx 工作簿。", "Open it in Excel/WPS and save it as an .xlsx workbook."),
            MissingSheet { .. } => ("添加这个名称的工作表（survey、choices、settings）。", "Add a sheet of this name (survey, choices, settings)."),
            CellError { .. } => ("改正单元格中的公式，或直接填写值。", "Correct the cell's formula, or type the value."),
            UnknownParameter { .. } => ("删除这一参数：image 只用 max-pixels，geopoint 只用 capture-accuracy 和 warning-accuracy。", "Remove the parameter: image takes only max-pixels, geopoint only capture-accuracy and warning-accuracy."),
            BadDefault { .. } => ("改为此题型的有效值（整数、数字、YYYY-MM-DD 日期、选项列表中的名称等），或写成表达式（如 today()）。", "Write a valid value of the type (an integer, a number, a YYYY-MM-DD date, a choice name of the list, …), or an expression such as today()."),
            BadParameter { .. } => ("写成 名称=值，如 max-pixels=1600 或 warning-accuracy=20（米）。", "Write name=value, e.g. max-pixels=1600 or warning-accuracy=20 (metres)."),
        }
    }
}

/// The Chinese `expected` of an arity problem, in English.
fn english_expected(expected: &str) -> String {
    if let Some(n) = expected
        .strip_prefix("至少 ")
        .and_then(|r| r.strip_suffix(" 个"))
    {
        return format!("at least {n}");
    }
    if let Some((a, b)) = expected.split_once(" 到 ") {
        return format!("{a} to {}", b.trim_end_matches(" 个"));
    }
    if expected.starts_with("最小值") {
        return "a minimum, a maximum, then values and weights in pairs".into();
    }
    expected.to_string()
}
