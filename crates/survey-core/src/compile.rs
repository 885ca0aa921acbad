//! Linting and compiling a [`RawSurvey`] into a [`Survey`].
//!
//! Every problem is collected (not just the first), each with its table and spreadsheet
//! row. Nested repeats are rejected (`nested_repeat`): the household survey has a single
//! roster (`members`), and a flat roster keeps answers, paths and exports simple.

use crate::definition::{RawChoice, RawSurvey};
use crate::expr::{self, parse::parse, Expr, Func, Target};
use crate::media::{self, ParameterError, ParameterTarget};
use crate::problem::{Problem, ProblemKind as P, Table};
use crate::survey::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Yi radicals: for dictionaries, never for running text.
pub(crate) fn yi_radical(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| ('\u{A490}'..='\u{A4C6}').contains(c))
        .map(|(i, c)| (i + 1, c))
}

fn valid_name(n: &str) -> bool {
    let mut cs = n.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

struct Compiler {
    problems: Vec<Problem>,
}

impl Compiler {
    fn push(&mut self, table: Table, row: u32, kind: P) {
        self.problems.push(Problem::new(table, row, kind));
    }

    /// Checks the Yi side of a row: status present and valid when there is Yi text, source
    /// present when sourced, no Yi radicals in any `::ii` column.
    fn yi_meta<'a>(
        &mut self,
        table: Table,
        row: u32,
        cells: impl Iterator<Item = (&'a str, &'a str)>,
        status: &str,
        source: &str,
    ) -> Option<IiStatus> {
        let mut has_yi = false;
        for (col, val) in cells {
            if col.ends_with("::ii") && !val.trim().is_empty() {
                has_yi = true;
                if let Some((position, c)) = yi_radical(val) {
                    self.push(
                        table,
                        row,
                        P::YiRadical {
                            column: col.to_string(),
                            codepoint: c as u32,
                            position,
                        },
                    );
                }
            }
        }
        let status = status.trim();
        if status.is_empty() {
            if has_yi {
                self.push(table, row, P::MissingIiStatus);
            }
            return None;
        }
        match IiStatus::parse(status) {
            Some(s) => {
                if s == IiStatus::Sourced && source.trim().is_empty() {
                    self.push(table, row, P::MissingIiSource);
                }
                Some(s)
            }
            None => {
                self.push(
                    table,
                    row,
                    P::BadIiStatus {
                        value: status.to_string(),
                    },
                );
                None
            }
        }
    }

    /// A bilingual text: both languages must be present when either is (or when `needed`).
    fn text(
        &mut self,
        table: Table,
        row: u32,
        column: &str,
        zh: &str,
        ii: &str,
        needed: bool,
    ) -> Option<Text> {
        let (zh, ii) = (zh.trim(), ii.trim());
        if zh.is_empty() && ii.is_empty() && !needed {
            return None;
        }
        if zh.is_empty() {
            self.push(
                table,
                row,
                P::MissingChinese {
                    column: format!("{column}::zh"),
                },
            );
        }
        if ii.is_empty() {
            self.push(
                table,
                row,
                P::MissingYi {
                    column: format!("{column}::ii"),
                },
            );
        }
        Some(Text {
            zh: zh.to_string(),
            ii: ii.to_string(),
        })
    }

    /// Parses the `parameters` column for an item of `kind`, reporting each bad entry.
    fn parameters(&mut self, row: u32, src: &str, kind: &ItemKind) -> media::Parameters {
        let target = match kind {
            ItemKind::Field(FieldType::Image) => ParameterTarget::Image,
            ItemKind::Field(FieldType::Geopoint) => ParameterTarget::Geopoint,
            _ => ParameterTarget::Other,
        };
        media::parse_parameters(src, target).unwrap_or_else(|errors| {
            for e in errors {
                let kind = match e {
                    ParameterError::Unknown { name, allowed } => P::UnknownParameter {
                        name,
                        allowed: if allowed.is_empty() { "无".into() } else { allowed },
                    },
                    ParameterError::NotPair { text } => P::BadParameter {
                        text,
                        expected: "名称=值（如 max-pixels=1600）".into(),
                    },
                    ParameterError::BadValue { name, value, expected } => P::BadParameter {
                        text: format!("{name}={value}"),
                        expected: expected.into(),
                    },
                };
                self.push(Table::Survey, row, kind);
            }
            media::Parameters::default()
        })
    }

    fn expr(&mut self, row: u32, column: &str, src: &str) -> Option<Expr> {
        if src.trim().is_empty() {
            return None;
        }
        match parse(src) {
            Ok(e) => Some(e),
            Err(e) => {
                self.push(
                    Table::Survey,
                    row,
                    P::Parse {
                        column: column.to_string(),
                        position: e.position,
                        message: e.message,
                    },
                );
                None
            }
        }
    }

    fn yes_no(&mut self, row: u32, column: &str, v: &str) -> bool {
        match v.trim() {
            "" | "no" | "false" | "false()" => false,
            "yes" | "true" | "true()" => true,
            other => {
                self.push(
                    Table::Survey,
                    row,
                    P::NotYesNo {
                        column: column.into(),
                        value: other.into(),
                    },
                );
                false
            }
        }
    }
}

fn row_no(row: u32, index: usize) -> u32 {
    if row > 0 {
        row
    } else {
        index as u32 + 2
    }
}

/// What a reference may see while resolving one expression.
struct ResolveCx<'a> {
    names: &'a HashMap<String, ItemId>,
    items: &'a [ItemMeta],
    scope: u32,
    column: &'a str,
    src: &'a str,
    row: u32,
    settings: &'a BTreeMap<String, String>,
    /// Columns of the filtered list (choice_filter only).
    choice_columns: Option<&'a std::collections::BTreeSet<String>>,
}

/// What resolution needs to know about every item.
#[derive(Clone)]
struct ItemMeta {
    kind: ItemKind,
    scope: u32,
    /// For a repeat: the scope of its members' fields.
    inner_scope: u32,
    name: String,
}

/// `indexed-repeat(${field}, ${repeat}, n)`: the field must belong to that repeat.
fn indexed_repeat_mismatch(args: &[Expr], cx: &ResolveCx) -> Option<String> {
    let item = |e: &Expr| match e {
        Expr::Ref(r) => cx.names.get(&*r.name).map(|id| &cx.items[id.index()]),
        _ => None,
    };
    let (field, repeat) = (item(&args[0])?, item(&args[1]));
    match repeat {
        Some(rep) if matches!(rep.kind, ItemKind::Repeat) => (rep.inner_scope != field.scope)
            .then(|| format!("`${{{}}}` 不在重复组 `${{{}}}` 中", field.name, rep.name)),
        _ => Some("indexed-repeat() 的第二个参数必须是重复组 ${…}".to_string()),
    }
}

/// Where an expression sits within its parent call: the function and the argument's index.
type Arg = Option<(Func, usize)>;

fn resolve(e: &mut Expr, cx: &ResolveCx, parent: Arg, out: &mut Vec<Problem>) {
    let pos = |byte: u32| expr::char_position(cx.src, byte as usize);
    let bad = |out: &mut Vec<Problem>, message: String, byte: u32| {
        out.push(Problem::new(
            Table::Survey,
            cx.row,
            P::BadReference {
                column: cx.column.to_string(),
                message,
                position: pos(byte),
            },
        ))
    };
    let parent_call = parent.map(|p| p.0);
    match e {
        Expr::Ref(r) => {
            let Some(&id) = cx.names.get(&*r.name) else {
                out.push(Problem::new(
                    Table::Survey,
                    cx.row,
                    P::UnknownField {
                        column: cx.column.to_string(),
                        name: r.name.to_string(),
                    },
                ));
                return;
            };
            let t = &cx.items[id.index()];
            let indexed = parent == Some((Func::IndexedRepeat, 0));
            r.target = match &t.kind {
                ItemKind::Group => {
                    bad(
                        out,
                        format!("`${{{}}}` 是一个组，不能作为值引用", t.name),
                        r.pos,
                    );
                    Target::Unresolved
                }
                ItemKind::Repeat if parent.is_some_and(|(f, i)| f.takes_repeat(i)) => {
                    Target::Repeat(id.0)
                }
                ItemKind::Repeat => {
                    bad(
                        out,
                        format!(
                            "重复组 `${{{}}}` 只能用在 count() 或 indexed-repeat() 的第二个参数中",
                            t.name
                        ),
                        r.pos,
                    );
                    Target::Unresolved
                }
                // Reported by the call (`indexed_repeat_mismatch`).
                ItemKind::Field(_) if indexed && t.scope == 0 => Target::Unresolved,
                // The same member's field, or a top-level one.
                ItemKind::Field(_) if !indexed && (t.scope == 0 || t.scope == cx.scope) => {
                    Target::Field(id.0)
                }
                // A roster field read from outside the roster (or indexed): every member's
                // value, as an XPath node-set.
                ItemKind::Field(_) => Target::Members(id.0),
            };
        }
        Expr::Name(n, p) => match cx.choice_columns {
            Some(cols) if n.as_ref() == "name" || cols.contains(n.as_ref()) => {}
            Some(_) => bad(out, format!("选项列表没有列 `{n}`"), *p),
            None => bad(
                out,
                format!("未知的名称 `{n}`（引用字段请写成 ${{{n}}}）"),
                *p,
            ),
        },
        Expr::Parent(p) => {
            if parent_call != Some(Func::Position) {
                bad(out, "`..` 只能用在 position(..) 中".to_string(), *p);
            }
        }
        Expr::Neg(x) => resolve(x, cx, None, out),
        Expr::Bin(_, a, b) => {
            resolve(a, cx, None, out);
            resolve(b, cx, None, out);
        }
        Expr::Call(c) => {
            let Some((func, min, max)) = Func::lookup(&c.name) else {
                let unsupported = expr::UNSUPPORTED.iter().find(|u| u.0 == &*c.name);
                out.push(Problem::new(
                    Table::Survey,
                    cx.row,
                    match unsupported {
                        Some((_, reason)) => P::UnsupportedFunction {
                            column: cx.column.to_string(),
                            function: c.name.to_string(),
                            reason: reason.to_string(),
                            position: pos(c.pos),
                        },
                        None => P::UnknownFunction {
                            column: cx.column.to_string(),
                            function: c.name.to_string(),
                            position: pos(c.pos),
                        },
                    },
                ));
                // Problems inside the arguments are reported too.
                for a in &mut c.args {
                    resolve(a, cx, None, out);
                }
                return;
            };
            let n = c.args.len();
            // weighted-checklist(min, max, value, weight, …) takes values in pairs.
            let unpaired = func == Func::WeightedChecklist && n % 2 != 0;
            if n < min || n > max || unpaired {
                let expected = match (min, max) {
                    _ if unpaired => "最小值、最大值，然后成对的值与权重".to_string(),
                    (a, b) if a == b => a.to_string(),
                    (a, usize::MAX) => format!("至少 {a} 个"),
                    (a, b) => format!("{a} 到 {b} 个"),
                };
                out.push(Problem::new(
                    Table::Survey,
                    cx.row,
                    P::Arity {
                        column: cx.column.to_string(),
                        function: c.name.to_string(),
                        expected,
                        found: n,
                        position: pos(c.pos),
                    },
                ));
                c.func = None;
                return;
            }
            match func {
                Func::Position => {
                    if !matches!(c.args[0], Expr::Parent(_)) {
                        bad(out, "position() 只支持 position(..)".to_string(), c.pos);
                    } else if cx.scope == 0 {
                        bad(out, "position(..) 只能在重复组内使用".to_string(), c.pos);
                    }
                }
                Func::Setting => match &c.args[0] {
                    Expr::Str(name) => {
                        if !cx.settings.contains_key(name.as_ref()) {
                            out.push(Problem::new(
                                Table::Survey,
                                cx.row,
                                P::UnknownSetting {
                                    column: cx.column.to_string(),
                                    name: name.to_string(),
                                },
                            ));
                        }
                    }
                    _ => bad(
                        out,
                        "setting() 的参数必须是带引号的设置名".to_string(),
                        c.pos,
                    ),
                },
                Func::Regex => {
                    if let Expr::Str(p) = &c.args[1] {
                        match expr::text::regex(p) {
                            Ok(re) => c.regex = Some(Box::new(re)),
                            Err(err) => out.push(Problem::new(
                                Table::Survey,
                                cx.row,
                                P::BadRegex {
                                    column: cx.column.to_string(),
                                    message: err.to_string(),
                                },
                            )),
                        }
                    }
                }
                _ => {}
            }
            if matches!(
                func,
                Func::Count | Func::CountNonEmpty | Func::IndexedRepeat
            ) && !matches!(c.args[0], Expr::Ref(_))
            {
                bad(
                    out,
                    format!("{}() 的第一个参数必须是字段引用 ${{…}}", c.name),
                    c.pos,
                );
            }
            if func == Func::IndexedRepeat {
                if let Some(message) = indexed_repeat_mismatch(&c.args, cx) {
                    bad(out, message, c.pos);
                }
            }
            c.func = Some(func);
            for (i, a) in c.args.iter_mut().enumerate() {
                resolve(a, cx, Some((func, i)), out);
            }
        }
        Expr::Num(_) | Expr::Str(_) | Expr::Current => {}
    }
}

impl Survey {
    /// Lints and compiles a raw definition. Returns every problem found (sorted by table
    /// and row), or the compiled survey when there are none.
    pub fn compile(raw: RawSurvey) -> Result<Survey, Vec<Problem>> {
        compile(raw)
    }

    /// Loads `surveys/<id>/` CSV files and compiles them (feature `csv`).
    #[cfg(feature = "csv")]
    pub fn load_dir(path: impl AsRef<std::path::Path>) -> Result<Survey, Vec<Problem>> {
        Survey::compile(crate::loader::load_survey_dir(path)?)
    }
}

fn compile(raw: RawSurvey) -> Result<Survey, Vec<Problem>> {
    let mut c = Compiler {
        problems: Vec::new(),
    };

    // settings.csv
    let st = &raw.settings;
    let srow = row_no(st.row, 0);
    for name in ["form_id", "version"] {
        if st.get(name).trim().is_empty() {
            c.push(
                Table::Settings,
                srow,
                P::MissingSetting { name: name.into() },
            );
        }
    }
    let title = c
        .text(
            Table::Settings,
            srow,
            "form_title",
            &st.form_title_zh,
            &st.form_title_ii,
            true,
        )
        .unwrap_or_default();
    let title_ii_status = c.yi_meta(
        Table::Settings,
        srow,
        st.cells(),
        &st.ii_status,
        &st.ii_source,
    );
    let settings: BTreeMap<String, String> = st
        .cells()
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect();

    // choices.csv
    let mut lists: BTreeMap<String, ChoiceList> = BTreeMap::new();
    let mut choice_rows: HashMap<(String, String), u32> = HashMap::new();
    for (i, ch) in raw.choices.iter().enumerate() {
        let row = row_no(ch.row, i);
        if ch.cells().next().is_none() {
            continue;
        }
        compile_choice(&mut c, ch, row, &mut lists, &mut choice_rows);
    }

    // survey.csv: structure, names, texts, expressions.
    let mut items: Vec<Item> = Vec::new();
    let mut names: HashMap<String, ItemId> = HashMap::new();
    let mut top: Vec<ItemId> = Vec::new();
    let mut stack: Vec<u32> = Vec::new();
    let mut scope_sizes: Vec<u32> = vec![0];
    let mut scope_repeat: Vec<Option<u32>> = vec![None];
    let mut sections: Vec<ItemId> = Vec::new();

    for (i, r) in raw.survey.iter().enumerate() {
        let row = row_no(r.row, i);
        if r.cells().next().is_none() {
            continue;
        }
        let ty = r
            .kind
            .trim()
            .replace("begin group", "begin_group")
            .replace("end group", "end_group");
        let ty = ty
            .replace("begin repeat", "begin_repeat")
            .replace("end repeat", "end_repeat");
        let mut words = ty.split_whitespace();
        let head = words.next().unwrap_or("");
        let list = words.next().map(str::to_string);
        if head == "end_group" || head == "end_repeat" {
            let want_repeat = head == "end_repeat";
            match stack.last() {
                Some(&open) if items[open as usize].is_repeat() == want_repeat => {
                    stack.pop();
                }
                _ => c.push(
                    Table::Survey,
                    row,
                    P::UnmatchedEnd {
                        kind: head.to_string(),
                    },
                ),
            }
            continue;
        }
        let kind = match head {
            "begin_group" => ItemKind::Group,
            "begin_repeat" => ItemKind::Repeat,
            "text" => ItemKind::Field(FieldType::Text),
            "integer" => ItemKind::Field(FieldType::Integer),
            "decimal" => ItemKind::Field(FieldType::Decimal),
            "date" => ItemKind::Field(FieldType::Date),
            "note" => ItemKind::Field(FieldType::Note),
            "calculate" => ItemKind::Field(FieldType::Calculate),
            "image" => ItemKind::Field(FieldType::Image),
            "geopoint" => ItemKind::Field(FieldType::Geopoint),
            "select_one" | "select_multiple" => {
                let list = match list {
                    None => {
                        c.push(Table::Survey, row, P::MissingList);
                        String::new()
                    }
                    Some(l) => {
                        if !lists.contains_key(&l) {
                            c.push(Table::Survey, row, P::UnknownList { list: l.clone() });
                        }
                        l
                    }
                };
                ItemKind::Field(if head == "select_one" {
                    FieldType::SelectOne { list }
                } else {
                    FieldType::SelectMultiple { list }
                })
            }
            _ => {
                c.push(
                    Table::Survey,
                    row,
                    P::UnknownType {
                        kind: r.kind.trim().to_string(),
                    },
                );
                continue;
            }
        };

        // Name.
        let name = r.name.trim().to_string();
        if name.is_empty() {
            c.push(Table::Survey, row, P::MissingName);
        } else if !valid_name(&name) {
            c.push(Table::Survey, row, P::InvalidName { name: name.clone() });
        }
        let id = ItemId(items.len() as u32);
        if !name.is_empty() {
            if let Some(prev) = names.get(&name) {
                let first_row = items[prev.index()].row;
                c.push(
                    Table::Survey,
                    row,
                    P::DuplicateName {
                        name: name.clone(),
                        first_row,
                    },
                );
            } else {
                names.insert(name.clone(), id);
            }
        }

        // Place in the tree.
        let parent = stack.last().copied();
        let enclosing_repeat = stack
            .iter()
            .rev()
            .copied()
            .find(|&s| items[s as usize].is_repeat());
        let scope = enclosing_repeat.map_or(0, |r| items[r as usize].inner_scope);
        let mut inner_scope = 0;
        if kind == ItemKind::Repeat {
            if let Some(outer) = enclosing_repeat {
                c.push(
                    Table::Survey,
                    row,
                    P::NestedRepeat {
                        name: name.clone(),
                        outer: items[outer as usize].name.clone(),
                    },
                );
            }
            inner_scope = scope_sizes.len() as u32;
            scope_sizes.push(0);
            scope_repeat.push(Some(id.0));
        }
        let slot = scope_sizes[scope as usize];
        scope_sizes[scope as usize] += 1;
        let section = match parent {
            None if matches!(kind, ItemKind::Group | ItemKind::Repeat) => {
                sections.push(id);
                Some(sections.len() as u32 - 1)
            }
            None => None,
            Some(p) => items[p as usize].section,
        };

        // Texts.
        let is_calc = kind == ItemKind::Field(FieldType::Calculate);
        let label = c.text(
            Table::Survey,
            row,
            "label",
            &r.label_zh,
            &r.label_ii,
            !is_calc,
        );
        let hint = c.text(Table::Survey, row, "hint", &r.hint_zh, &r.hint_ii, false);
        let required_message = c.text(
            Table::Survey,
            row,
            "required_message",
            &r.required_message_zh,
            &r.required_message_ii,
            false,
        );
        let constraint_message = c.text(
            Table::Survey,
            row,
            "constraint_message",
            &r.constraint_message_zh,
            &r.constraint_message_ii,
            false,
        );
        let warning_message = c.text(
            Table::Survey,
            row,
            "warning_message",
            &r.warning_message_zh,
            &r.warning_message_ii,
            false,
        );
        let ii_status = c.yi_meta(Table::Survey, row, r.cells(), &r.ii_status, &r.ii_source);

        // Expressions.
        let required = match r.required.trim() {
            "" | "no" | "false()" => Required::No,
            "yes" | "true()" => Required::Yes,
            src => c
                .expr(row, "required", src)
                .map_or(Required::No, Required::If),
        };
        let read_only = c.yes_no(row, "read_only", &r.read_only);
        let calculation = c.expr(row, "calculation", &r.calculation);
        if is_calc && r.calculation.trim().is_empty() {
            c.push(Table::Survey, row, P::MissingCalculation);
        }

        let parameters = c.parameters(row, r.get("parameters"), &kind);
        let default = r.default.trim();
        let default_expr = if crate::defaults::default_is_dynamic(default, head) {
            c.expr(row, "default", default)
        } else {
            if let ItemKind::Field(t) = &kind {
                let choice =
                    |list: &str, name: &str| lists.get(list).is_none_or(|l| l.get(name).is_some());
                if !default.is_empty() && crate::validate::type_error(t, default, choice).is_some()
                {
                    c.push(
                        Table::Survey,
                        row,
                        P::BadDefault {
                            value: default.to_string(),
                            kind: r.kind.trim().to_string(),
                        },
                    );
                }
            }
            None
        };
        items.push(Item {
            id,
            name: name.clone(),
            kind,
            label,
            hint,
            appearance: r.appearance.trim().to_string(),
            default: default.to_string(),
            default_expr,
            read_only,
            parameters,
            ii_status,
            parent: parent.map(ItemId),
            children: Vec::new(),
            row,
            raw: r.clone(),
            name_arc: Arc::from(name.as_str()),
            scope,
            inner_scope,
            slot,
            section,
            required,
            required_message: required_message.map(Arc::new),
            relevant: c.expr(row, "relevant", &r.relevant),
            constraint: c.expr(row, "constraint", &r.constraint),
            constraint_message: constraint_message.map(Arc::new),
            warning: c.expr(row, "warning", &r.warning),
            warning_message: warning_message.map(Arc::new),
            calculation,
            choice_filter: c.expr(row, "choice_filter", &r.choice_filter),
            repeat_count: c.expr(row, "repeat_count", &r.repeat_count),
        });
        match parent {
            Some(p) => items[p as usize].children.push(id),
            None => top.push(id),
        }
        if matches!(items[id.index()].kind, ItemKind::Group | ItemKind::Repeat) {
            stack.push(id.0);
        }
    }
    for open in stack {
        let it = &items[open as usize];
        let expected = if it.is_repeat() {
            "end_repeat"
        } else {
            "end_group"
        };
        c.push(
            Table::Survey,
            it.row,
            P::Unclosed {
                name: it.name.clone(),
                expected: expected.into(),
            },
        );
    }

    // Resolve references in every expression.
    let meta: Vec<ItemMeta> = items
        .iter()
        .map(|it| ItemMeta {
            kind: it.kind.clone(),
            scope: it.scope,
            inner_scope: it.inner_scope,
            name: it.name.clone(),
        })
        .collect();
    for it in &mut items {
        let row = it.row;
        let scope = it.scope;
        let raw_row = it.raw.clone();
        let list_columns = it
            .field_type()
            .and_then(FieldType::list)
            .and_then(|l| lists.get(l))
            .map(|l| &l.columns);
        let empty = Default::default();
        let Item {
            required,
            relevant,
            constraint,
            warning,
            calculation,
            choice_filter,
            repeat_count,
            default_expr,
            ..
        } = it;
        let required = match required {
            Required::If(e) => Some(e),
            _ => None,
        };
        let exprs: [(&str, Option<&mut Expr>); 8] = [
            ("required", required),
            ("relevant", relevant.as_mut()),
            ("constraint", constraint.as_mut()),
            ("warning", warning.as_mut()),
            ("calculation", calculation.as_mut()),
            ("choice_filter", choice_filter.as_mut()),
            ("repeat_count", repeat_count.as_mut()),
            ("default", default_expr.as_mut()),
        ];
        for (column, e) in exprs {
            let Some(e) = e else { continue };
            let cx = ResolveCx {
                names: &names,
                items: &meta,
                scope,
                column,
                src: raw_row.get(column),
                row,
                settings: &settings,
                choice_columns: if column == "choice_filter" {
                    Some(list_columns.unwrap_or(&empty))
                } else {
                    None
                },
            };
            resolve(e, &cx, None, &mut c.problems);
        }
    }

    // Dependency order for relevance and calculations; cycles are problems.
    let order = dependency_order(&items, &mut c.problems);

    if !c.problems.is_empty() {
        let mut problems = c.problems;
        crate::sort::sort_by_key(&mut problems, |p| (p.table, p.row));
        return Err(problems);
    }
    let mut scope_fields: Vec<Vec<(String, u32)>> = vec![Vec::new(); scope_sizes.len()];
    for it in items.iter().filter(|it| it.has_value()) {
        scope_fields[it.scope as usize].push((it.name.clone(), it.slot));
    }
    scope_fields.iter_mut().for_each(crate::sort::sort);
    Ok(Survey {
        inner: Arc::new(Inner {
            id: settings.get("form_id").cloned().unwrap_or_default(),
            version: settings.get("version").cloned().unwrap_or_default(),
            title,
            title_ii_status,
            settings,
            items,
            top,
            names,
            lists,
            order,
            scope_sizes,
            scope_repeat,
            scope_fields,
            sections,
        }),
    })
}

fn compile_choice(
    c: &mut Compiler,
    ch: &RawChoice,
    row: u32,
    lists: &mut BTreeMap<String, ChoiceList>,
    seen: &mut HashMap<(String, String), u32>,
) {
    let list_name = ch.list_name.trim();
    let name = ch.name.trim();
    if list_name.is_empty() {
        c.push(
            Table::Choices,
            row,
            P::MissingColumn {
                column: "list_name".into(),
            },
        );
        return;
    }
    if name.is_empty() {
        c.push(Table::Choices, row, P::MissingName);
    }
    if let Some(first_row) = seen.get(&(list_name.to_string(), name.to_string())) {
        c.push(
            Table::Choices,
            row,
            P::DuplicateChoice {
                list: list_name.into(),
                name: name.into(),
                first_row: *first_row,
            },
        );
        return;
    }
    seen.insert((list_name.to_string(), name.to_string()), row);
    let label = c
        .text(
            Table::Choices,
            row,
            "label",
            &ch.label_zh,
            &ch.label_ii,
            true,
        )
        .unwrap_or_default();
    let ii_status = c.yi_meta(
        Table::Choices,
        row,
        ch.cells(),
        &ch.ii_status,
        &ch.ii_source,
    );
    let list = lists
        .entry(list_name.to_string())
        .or_insert_with(|| ChoiceList {
            name: list_name.to_string(),
            ..Default::default()
        });
    let extra: BTreeMap<String, String> = ch
        .extra
        .iter()
        .filter(|(k, _)| !k.ends_with("::ii") && !k.ends_with("::zh"))
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    list.columns.extend(extra.keys().cloned());
    list.index.insert(name.to_string(), list.choices.len());
    list.choices.push(Choice {
        name: name.to_string(),
        label,
        ii_status,
        extra,
        row,
    });
}

/// Orders items so that every item comes after its parent and after every item its
/// `relevant` or `calculation` reads. Reports each cycle once.
fn dependency_order(items: &[Item], problems: &mut Vec<Problem>) -> Vec<u32> {
    let deps: Vec<Vec<u32>> = items
        .iter()
        .map(|it| {
            let mut d = Vec::new();
            if let Some(p) = it.parent {
                d.push(p.0);
            }
            if let Some(e) = &it.relevant {
                e.deps(&mut d);
            }
            if let Some(e) = &it.calculation {
                e.deps(&mut d);
            }
            d
        })
        .collect();
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; items.len()];
    let mut order = Vec::with_capacity(items.len());
    let mut path: Vec<u32> = Vec::new();
    fn visit(
        n: u32,
        deps: &[Vec<u32>],
        items: &[Item],
        state: &mut [u8],
        path: &mut Vec<u32>,
        order: &mut Vec<u32>,
        problems: &mut Vec<Problem>,
    ) {
        match state[n as usize] {
            2 => return,
            1 => {
                let start = path.iter().position(|&p| p == n).unwrap_or(0);
                let mut names: Vec<String> = path[start..]
                    .iter()
                    .map(|&i| items[i as usize].name.clone())
                    .collect();
                names.push(items[n as usize].name.clone());
                problems.push(Problem::new(
                    Table::Survey,
                    items[n as usize].row,
                    P::Cycle { names },
                ));
                return;
            }
            _ => {}
        }
        state[n as usize] = 1;
        path.push(n);
        for &d in &deps[n as usize] {
            visit(d, deps, items, state, path, order, problems);
        }
        path.pop();
        state[n as usize] = 2;
        order.push(n);
    }
    for n in 0..items.len() as u32 {
        visit(n, &deps, items, &mut state, &mut path, &mut order, problems);
    }
    order
}

/// Parses and resolves an ad-hoc expression against a compiled survey.
pub(crate) fn compile_expression(s: &Inner, src: &str, scope: u32) -> Result<Expr, Vec<Problem>> {
    let column = "expression";
    let mut e = parse(src).map_err(|e| {
        vec![Problem::new(
            Table::Survey,
            0,
            P::Parse {
                column: column.into(),
                position: e.position,
                message: e.message,
            },
        )]
    })?;
    let meta: Vec<ItemMeta> = s
        .items
        .iter()
        .map(|it| ItemMeta {
            kind: it.kind.clone(),
            scope: it.scope,
            inner_scope: it.inner_scope,
            name: it.name.clone(),
        })
        .collect();
    let cx = ResolveCx {
        names: &s.names,
        items: &meta,
        scope,
        column,
        src,
        row: 0,
        settings: &s.settings,
        choice_columns: None,
    };
    let mut problems = Vec::new();
    resolve(&mut e, &cx, None, &mut problems);
    if problems.is_empty() {
        Ok(e)
    } else {
        Err(problems)
    }
}
