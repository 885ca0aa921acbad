//! Evaluating a household's answers against a survey: relevance, calculated values,
//! hard errors, soft warnings and section status, in one pass ([`Survey::evaluate`]).
//!
//! Order of work: relevance and calculations are computed item by item in dependency order
//! (every item after its parent and after what its `relevant`/`calculation` reads), once
//! per member for roster fields; then every relevant field is checked in form order
//! (member by member inside a repeat), so the first issue is the first one on screen.
//!
//! Rules:
//! - a non-relevant group or repeat hides everything in it; non-relevant answers stay in
//!   the record, are not validated, read as blank in expressions and are not exported;
//! - a blank answer (empty or only whitespace) only fails `required`; `required` is not
//!   checked on read-only fields, notes and calculations;
//! - a non-blank answer is checked for its type (`not_integer`, `not_number`, `not_date`,
//!   `not_a_choice` — a choice hidden by `choice_filter` is not a valid choice; `not_photo`,
//!   `not_geopoint`), then its
//!   `constraint` (error) and `warning` (soft, may be acknowledged). Constraints and
//!   warnings on calculate rows are evaluated too (shown by the app in the section); a
//!   `geopoint` less accurate than its `warning-accuracy` gets the soft warning
//!   `inaccurate_location` (rule `accuracy`);
//! - a repeat whose `repeat_count` evaluates to a number n with more than n members gets a
//!   `too_many_members` error on the repeat's path.

use crate::answers::{Acknowledgement, Answers, FieldPath, Record, Values};
use crate::dates::{self, Date};
use crate::expr::eval::{eval, parse_number, Env};
use crate::media;
use crate::survey::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What an evaluation needs from outside: today's date (never read from a clock here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// Today, for `today()`; `None` makes `today()` blank.
    pub today: Option<Date>,
}

impl Context {
    /// A context with today's date.
    pub fn new(today: Date) -> Context {
        Context { today: Some(today) }
    }

    /// A context from a `YYYY-MM-DD` date.
    pub fn from_iso(today: &str) -> Option<Context> {
        dates::parse_date(today).map(Context::new)
    }
}

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed.
    Error,
    /// May be acknowledged.
    Warning,
}

/// Which check produced an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// `required`.
    Required,
    /// The answer does not fit the field type (or is not a valid choice).
    Type,
    /// `constraint`.
    Constraint,
    /// `warning` (kit extension).
    Warning,
    /// `repeat_count`.
    RepeatCount,
    /// A `geopoint`'s accuracy against its `warning-accuracy` parameter.
    Accuracy,
}

impl Rule {
    /// The rule's stable name, as serialized (`required`, `type`, `constraint`, `warning`,
    /// `repeat_count`, `accuracy`): in issue keys and in the bureau's register.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::Type => "type",
            Rule::Constraint => "constraint",
            Rule::Warning => "warning",
            Rule::RepeatCount => "repeat_count",
            Rule::Accuracy => "accuracy",
        }
    }
}

/// Built-in message codes. The app maps each to a translation key (see [`Code::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// A required answer is blank.
    Required,
    /// Not a whole number.
    NotInteger,
    /// Not a number.
    NotNumber,
    /// Not a `YYYY-MM-DD` date.
    NotDate,
    /// Not one of the (visible) choices.
    NotAChoice,
    /// A constraint failed and the survey gives no message.
    Constraint,
    /// A warning fired and the survey gives no message.
    Warning,
    /// More members than `repeat_count` allows.
    TooManyMembers,
    /// An `image` answer that is not a photo reference (`<sha256>.jpg`).
    NotPhoto,
    /// A `geopoint` answer that is not `lat lon alt acc` within range.
    NotGeopoint,
    /// A location less accurate than the question's `warning-accuracy` (soft warning).
    InaccurateLocation,
}

impl Code {
    /// Every built-in code.
    pub const ALL: [Code; 11] = [
        Code::Required,
        Code::NotInteger,
        Code::NotNumber,
        Code::NotDate,
        Code::NotAChoice,
        Code::Constraint,
        Code::Warning,
        Code::TooManyMembers,
        Code::NotPhoto,
        Code::NotGeopoint,
        Code::InaccurateLocation,
    ];

    /// The stable code string, e.g. `not_integer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::NotInteger => "not_integer",
            Code::NotNumber => "not_number",
            Code::NotDate => "not_date",
            Code::NotAChoice => "not_a_choice",
            Code::Constraint => "constraint",
            Code::Warning => "warning",
            Code::TooManyMembers => "too_many_members",
            Code::NotPhoto => "not_photo",
            Code::NotGeopoint => "not_geopoint",
            Code::InaccurateLocation => "inaccurate_location",
        }
    }
}

/// Every built-in message code as a string (the app needs a translation for each).
pub fn builtin_codes() -> impl Iterator<Item = &'static str> {
    Code::ALL.iter().map(|c| c.as_str())
}

/// An issue's message: a built-in code or the survey's own text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Message {
    /// A built-in code.
    Code(Code),
    /// The survey's message (`constraint_message`, `warning_message`, `required_message`).
    Text(Arc<Text>),
}

/// An error or warning on a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Where.
    pub path: FieldPath,
    /// Error or warning.
    pub severity: Severity,
    /// Which check.
    pub rule: Rule,
    /// What to show.
    pub message: Message,
    /// For warnings: acknowledged by the enumerator (see [`Survey::evaluate_record`]).
    pub acknowledged: bool,
    #[serde(skip)]
    pub(crate) item: ItemId,
}

impl Issue {
    /// A stable identity: the same warning on the same field has the same key on every
    /// evaluation (`members[2].age#warning`).
    pub fn key(&self) -> String {
        format!("{}#{}", self.path, self.rule.name())
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The item the issue is on.
    pub fn item(&self) -> ItemId {
        self.item
    }
}

/// Progress of a section (top-level group or repeat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionState {
    /// The section is hidden by its `relevant`.
    NotRelevant,
    /// Nothing answered yet (or a roster without members).
    NotStarted,
    /// Some answers, some required answers still missing.
    InProgress,
    /// Nothing missing and no errors (warnings may remain).
    Complete,
    /// At least one error other than a missing required answer.
    HasErrors,
}

/// Status and counts of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SectionStatus {
    /// The state.
    pub state: SectionState,
    /// Relevant input fields with an answer.
    pub answered: u32,
    /// Relevant input fields.
    pub fields: u32,
    /// Missing required answers.
    pub missing: u32,
    /// Other errors.
    pub errors: u32,
    /// Warnings not acknowledged.
    pub warnings: u32,
}

impl SectionStatus {
    const EMPTY: SectionStatus = SectionStatus {
        state: SectionState::NotStarted,
        answered: 0,
        fields: 0,
        missing: 0,
        errors: 0,
        warnings: 0,
    };
}

/// Values and relevance of every item instance, flat: scope 0 (top level) first, then
/// each repeat's members one after another.
#[derive(Debug, Clone, PartialEq)]
struct Data {
    arena: String,
    spans: Vec<(u32, u32)>,
    relevant: Vec<bool>,
    /// Per scope: (first index, slots per instance).
    layout: Vec<(u32, u32)>,
    /// Per scope: number of instances (1 for the top level, members for a repeat).
    counts: Vec<u32>,
    today: Option<i32>,
}

impl Data {
    #[inline]
    fn index(&self, scope: u32, member: u32, slot: u32) -> usize {
        let (base, size) = self.layout[scope as usize];
        (base + member * size + slot) as usize
    }

    #[inline]
    fn raw(&self, i: usize) -> &str {
        let (a, b) = self.spans[i];
        &self.arena[a as usize..b as usize]
    }

    /// The value as expressions see it: blank when not relevant.
    #[inline]
    fn get(&self, scope: u32, member: u32, slot: u32) -> &str {
        if member >= self.counts[scope as usize] {
            return "";
        }
        let i = self.index(scope, member, slot);
        if self.relevant[i] {
            self.raw(i)
        } else {
            ""
        }
    }

    fn set(&mut self, i: usize, value: &str) {
        let start = self.arena.len() as u32;
        self.arena.push_str(value);
        self.spans[i] = (start, self.arena.len() as u32);
    }
}

struct Cx<'a> {
    s: &'a Inner,
    d: &'a Data,
    scope: u32,
    member: u32,
    current: &'a str,
    choice: Option<&'a Choice>,
}

impl<'a> Env<'a> for Cx<'a> {
    fn field(&self, item: u32) -> &'a str {
        let it = &self.s.items[item as usize];
        let m = if it.scope == 0 {
            0
        } else if it.scope == self.scope {
            self.member
        } else {
            return "";
        };
        self.d.get(it.scope, m, it.slot)
    }

    fn each_member(&self, item: u32, f: &mut dyn FnMut(&'a str)) {
        let it = &self.s.items[item as usize];
        for m in 0..self.d.counts[it.scope as usize] {
            f(self.d.get(it.scope, m, it.slot));
        }
    }

    fn member_count(&self, item: u32) -> usize {
        let it = &self.s.items[item as usize];
        let k = if it.is_repeat() {
            it.inner_scope
        } else {
            it.scope
        };
        self.d.counts[k as usize] as usize
    }

    fn current(&self) -> &'a str {
        self.current
    }

    fn position(&self) -> Option<usize> {
        (self.scope != 0).then_some(self.member as usize + 1)
    }

    fn choice_column(&self, name: &str) -> &'a str {
        match self.choice {
            Some(c) if name == "name" => &c.name,
            Some(c) => c.extra.get(name).map_or("", String::as_str),
            None => "",
        }
    }

    fn today(&self) -> Option<i32> {
        self.d.today
    }

    fn setting(&self, name: &str) -> &'a str {
        self.s.settings.get(name).map_or("", String::as_str)
    }
}

/// The result of evaluating one household: relevance, values (answers and calculated),
/// issues and section status. Owns its data (no borrow of the answers), so the app can
/// keep it in a memo.
#[derive(Debug, Clone)]
pub struct Evaluation {
    survey: Survey,
    data: Data,
    issues: Vec<Issue>,
    sections: Vec<SectionStatus>,
}

impl PartialEq for Evaluation {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.survey.inner, &other.survey.inner)
            && self.issues == other.issues
            && self.sections == other.sections
            && self.data.relevant == other.data.relevant
            && self.data.counts == other.data.counts
            && (0..self.data.spans.len()).all(|i| self.data.raw(i) == other.data.raw(i))
    }
}

/// The type rule: the code of a non-blank `value` that is not an answer of type `t`;
/// `choice(list, name)` says whether that choice may be given.
pub(crate) fn type_error(
    t: &FieldType,
    value: &str,
    choice: impl Fn(&str, &str) -> bool,
) -> Option<Code> {
    match t {
        FieldType::Integer if !is_integer(value) => Some(Code::NotInteger),
        FieldType::Decimal if !parse_number(value).is_finite() => Some(Code::NotNumber),
        FieldType::Date if dates::parse_date(value).is_none() => Some(Code::NotDate),
        FieldType::Image if !media::is_photo_ref(value) => Some(Code::NotPhoto),
        FieldType::Geopoint if media::GeoPoint::parse(value).is_none() => Some(Code::NotGeopoint),
        FieldType::SelectOne { list } => (!choice(list, value)).then_some(Code::NotAChoice),
        FieldType::SelectMultiple { list } => {
            let ok = value.split_whitespace().all(|v| choice(list, v));
            (!ok).then_some(Code::NotAChoice)
        }
        _ => None,
    }
}

fn is_integer(s: &str) -> bool {
    let t = s.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

impl Survey {
    /// The answers a new record starts with: the top-level `default`s in form order, a
    /// static one as written, a dynamic one ([`crate::defaults`]) evaluated on `cx` against
    /// the answers so far (ODK's `odk-instance-first-load`). A blank result is left out.
    pub fn new_answers(&self, cx: &Context) -> Answers {
        let mut a = Answers::default();
        for it in self.items().iter().filter(|it| it.scope == 0) {
            if let Some(v) = self.default_value(it, &a, 0, 0, cx) {
                a.values.insert(it.name.clone(), v);
            }
        }
        a
    }

    /// The values a new member of `repeat` starts with, when added to `answers`: its fields'
    /// `default`s in form order, a dynamic one evaluated against the record plus that member
    /// so far (ODK's `odk-new-repeat`).
    pub fn new_member(&self, answers: &Answers, repeat: &str, cx: &Context) -> Values {
        let Some(r) = self.find(repeat).filter(|r| r.is_repeat()) else {
            return Values::new();
        };
        let mut with = answers.clone();
        let members = with.repeats.entry(repeat.to_string()).or_default();
        members.push(Values::new());
        let m = members.len() - 1;
        for it in self.items().iter().filter(|it| it.scope == r.inner_scope) {
            if let Some(v) = self.default_value(it, &with, r.inner_scope, m as u32, cx) {
                with.repeats.get_mut(repeat).expect("added")[m].insert(it.name.clone(), v);
            }
        }
        with.repeats
            .remove(repeat)
            .and_then(|mut ms| ms.pop())
            .unwrap_or_default()
    }

    /// The `default` of a field, evaluated when dynamic; `None` when there is none or it is
    /// blank.
    fn default_value(
        &self,
        it: &Item,
        answers: &Answers,
        scope: u32,
        member: u32,
        cx: &Context,
    ) -> Option<String> {
        if !it.has_value() || it.default.is_empty() {
            return None;
        }
        let v = match &it.default_expr {
            None => it.default.clone(),
            Some(e) => self.evaluate(answers, cx).eval_at(e, scope, member),
        };
        (!v.is_empty()).then_some(v)
    }

    /// Evaluates a record: [`Survey::evaluate`] on its answers, then marks the warnings the
    /// enumerator acknowledged (while the field keeps the acknowledged value).
    pub fn evaluate_record(&self, record: &Record, cx: &Context) -> Evaluation {
        let mut ev = self.evaluate(&record.answers, cx);
        ev.apply_acknowledgements(&record.acks);
        ev
    }

    /// Evaluates one household's answers: relevance, calculated values, errors, warnings
    /// and section status. Cheap enough to run on every keystroke.
    pub fn evaluate(&self, answers: &Answers, cx: &Context) -> Evaluation {
        let s = &*self.inner;
        let nscopes = s.scope_sizes.len();
        let mut member_maps: Vec<&[Values]> = vec![&[]; nscopes];
        let mut counts = vec![1u32; nscopes];
        for k in 1..nscopes {
            if let Some(r) = s.scope_repeat[k] {
                member_maps[k] = answers.members(&s.items[r as usize].name);
                counts[k] = member_maps[k].len() as u32;
            }
        }
        let mut layout = Vec::with_capacity(nscopes);
        let mut total = 0u32;
        for (size, count) in s.scope_sizes.iter().zip(&counts) {
            layout.push((total, *size));
            total += size * count;
        }
        let mut d = Data {
            arena: String::with_capacity(total as usize * 8),
            spans: vec![(0, 0); total as usize],
            relevant: vec![false; total as usize],
            layout,
            counts,
            today: cx.today.map(dates::to_days),
        };

        // Answers: a merge of each answer map (sorted by name) with the scope's fields
        // (sorted by name at compile time).
        for (k, fields) in s.scope_fields.iter().enumerate() {
            let maps: &[Values] = if k == 0 {
                std::slice::from_ref(&answers.values)
            } else {
                member_maps[k]
            };
            for (m, map) in maps.iter().enumerate() {
                let mut f = fields.iter().peekable();
                for (name, value) in map {
                    while f.next_if(|(n, _)| n.as_str() < name.as_str()).is_some() {}
                    if let Some((_, slot)) = f.next_if(|(n, _)| n == name) {
                        let i = d.index(k as u32, m as u32, *slot);
                        d.set(i, value);
                    }
                }
            }
        }

        // Relevance and calculations, in dependency order.
        let mut scratch = String::new();
        for &n in &s.order {
            let it = &s.items[n as usize];
            let k = it.scope;
            for m in 0..d.counts[k as usize] {
                let i = d.index(k, m, it.slot);
                let mut rel = match it.parent {
                    None => true,
                    Some(p) => {
                        let p = &s.items[p.index()];
                        let pm = if p.scope == k { m } else { 0 };
                        d.relevant[d.index(p.scope, pm, p.slot)]
                    }
                };
                if rel {
                    if let Some(e) = &it.relevant {
                        let cx = Cx {
                            s,
                            d: &d,
                            scope: k,
                            member: m,
                            current: d.raw(i),
                            choice: None,
                        };
                        rel = eval(e, &cx).to_bool();
                    }
                }
                d.relevant[i] = rel;
                if let Some(e) = &it.calculation {
                    scratch.clear();
                    if rel {
                        let cx = Cx {
                            s,
                            d: &d,
                            scope: k,
                            member: m,
                            current: d.raw(i),
                            choice: None,
                        };
                        eval(e, &cx).write_to(&mut scratch);
                    }
                    d.set(i, &scratch);
                }
            }
        }

        let mut ev = Evaluation {
            survey: self.clone(),
            data: d,
            issues: Vec::new(),
            sections: vec![SectionStatus::EMPTY; s.sections.len()],
        };
        ev.check(&s.top, 0, 0);
        ev.finish_sections();
        ev
    }

    /// The choices of the select field at `path` that its `choice_filter` lets through for
    /// that member (all choices when there is no filter).
    pub fn visible_choices<'s>(&'s self, path: &FieldPath, ev: &Evaluation) -> Vec<&'s Choice> {
        let Some((it, m)) = ev.locate(path) else {
            return Vec::new();
        };
        let choices = self.choices(it);
        match &it.choice_filter {
            None => choices.iter().collect(),
            Some(_) => choices
                .iter()
                .filter(|c| ev.choice_visible(it, m, c))
                .collect(),
        }
    }
}

impl Evaluation {
    fn locate(&self, path: &FieldPath) -> Option<(&Item, u32)> {
        let it = self.survey.find(&path.field)?;
        let m = match (&path.member, it.scope) {
            (None, 0) => 0,
            (Some((r, i)), k) if k != 0 => {
                let repeat = self.survey.repeat_of(it)?;
                if repeat.name != **r || *i >= self.data.counts[k as usize] as usize {
                    return None;
                }
                *i as u32
            }
            _ => return None,
        };
        Some((it, m))
    }

    fn cx<'a>(&'a self, it: &Item, m: u32, current: &'a str, choice: Option<&'a Choice>) -> Cx<'a> {
        Cx {
            s: &self.survey.inner,
            d: &self.data,
            scope: it.scope,
            member: m,
            current,
            choice,
        }
    }

    fn choice_visible(&self, it: &Item, m: u32, choice: &Choice) -> bool {
        match &it.choice_filter {
            None => true,
            Some(e) => {
                let i = self.data.index(it.scope, m, it.slot);
                eval(e, &self.cx(it, m, self.data.raw(i), Some(choice))).to_bool()
            }
        }
    }

    fn path(&self, it: &Item, m: u32) -> FieldPath {
        let member = self
            .survey
            .repeat_of(it)
            .map(|r| (r.name_arc.clone(), m as usize));
        FieldPath {
            field: it.name_arc.clone(),
            member,
        }
    }

    fn push(&mut self, it: &Item, m: u32, severity: Severity, rule: Rule, message: Message) {
        if let Some(sec) = it.section {
            let st = &mut self.sections[sec as usize];
            match (severity, rule) {
                (Severity::Error, Rule::Required) => st.missing += 1,
                (Severity::Error, _) => st.errors += 1,
                (Severity::Warning, _) => st.warnings += 1,
            }
        }
        let path = self.path(it, m);
        self.issues.push(Issue {
            path,
            severity,
            rule,
            message,
            acknowledged: false,
            item: it.id,
        });
    }

    fn check(&mut self, ids: &[ItemId], scope: u32, m: u32) {
        let survey = self.survey.clone();
        for &id in ids {
            let it = survey.item(id);
            let im = if it.scope == scope { m } else { 0 };
            let i = self.data.index(it.scope, im, it.slot);
            if !self.data.relevant[i] {
                continue;
            }
            match &it.kind {
                ItemKind::Group => self.check(&it.children, scope, m),
                ItemKind::Repeat => {
                    if let Some(e) = &it.repeat_count {
                        let n = eval(e, &self.cx(it, im, "", None)).to_number();
                        if n.is_finite() && f64::from(self.data.counts[it.inner_scope as usize]) > n
                        {
                            self.push(
                                it,
                                im,
                                Severity::Error,
                                Rule::RepeatCount,
                                Message::Code(Code::TooManyMembers),
                            );
                        }
                    }
                    for mm in 0..self.data.counts[it.inner_scope as usize] {
                        self.check(&it.children, it.inner_scope, mm);
                    }
                }
                ItemKind::Field(t) => self.check_field(it, t, im, i),
            }
        }
    }

    fn check_field(&mut self, it: &Item, t: &FieldType, m: u32, i: usize) {
        if *t == FieldType::Note {
            return;
        }
        let input = it.is_input();
        if input {
            if let Some(sec) = it.section {
                self.sections[sec as usize].fields += 1;
            }
        }
        let value = self.data.raw(i).trim();
        if value.is_empty() {
            let required = input
                && match &it.required {
                    Required::No => false,
                    Required::Yes => true,
                    Required::If(e) => eval(e, &self.cx(it, m, "", None)).to_bool(),
                };
            if required {
                let msg = it
                    .required_message
                    .clone()
                    .map_or(Message::Code(Code::Required), Message::Text);
                self.push(it, m, Severity::Error, Rule::Required, msg);
            }
            return;
        }
        if input {
            if let Some(sec) = it.section {
                self.sections[sec as usize].answered += 1;
            }
        }
        let choice = |list: &str, name: &str| {
            self.survey
                .list(list)
                .and_then(|l| l.get(name))
                .is_some_and(|c| self.choice_visible(it, m, c))
        };
        let type_error = type_error(t, value, choice);
        if let Some(code) = type_error {
            self.push(it, m, Severity::Error, Rule::Type, Message::Code(code));
            return;
        }
        let fails = |e: &Option<crate::expr::Expr>| {
            e.as_ref()
                .is_some_and(|e| !eval(e, &self.cx(it, m, value, None)).to_bool())
        };
        let (constraint_failed, warning_failed) = (fails(&it.constraint), fails(&it.warning));
        let inaccurate = *t == FieldType::Geopoint
            && it.parameters.warning_accuracy.is_some_and(|limit| {
                media::GeoPoint::parse(value).is_some_and(|g| g.accuracy > limit)
            });
        if constraint_failed {
            let msg = it
                .constraint_message
                .clone()
                .map_or(Message::Code(Code::Constraint), Message::Text);
            self.push(it, m, Severity::Error, Rule::Constraint, msg);
        }
        if warning_failed {
            let msg = it
                .warning_message
                .clone()
                .map_or(Message::Code(Code::Warning), Message::Text);
            self.push(it, m, Severity::Warning, Rule::Warning, msg);
        }
        if inaccurate {
            let msg = Message::Code(Code::InaccurateLocation);
            self.push(it, m, Severity::Warning, Rule::Accuracy, msg);
        }
    }

    fn finish_sections(&mut self) {
        let survey = self.survey.clone();
        for (n, &id) in survey.inner.sections.iter().enumerate() {
            let it = survey.item(id);
            let st = &mut self.sections[n];
            let relevant = self.data.relevant[self.data.index(it.scope, 0, it.slot)];
            // A roster without members has not been started, whatever else is answered.
            let empty_roster = survey.inner.scope_repeat.iter().flatten().any(|&r| {
                let r = &survey.inner.items[r as usize];
                r.section == Some(n as u32)
                    && self.data.counts[r.inner_scope as usize] == 0
                    && self.data.relevant[self.data.index(r.scope, 0, r.slot)]
            });
            st.state = if !relevant {
                SectionState::NotRelevant
            } else if st.errors > 0 {
                SectionState::HasErrors
            } else if empty_roster || (st.answered == 0 && st.fields > 0) {
                SectionState::NotStarted
            } else if st.missing > 0 {
                SectionState::InProgress
            } else {
                SectionState::Complete
            };
        }
    }

    /// Marks warnings acknowledged in `acks` (while the field keeps the acknowledged value)
    /// and updates the sections' warning counts.
    pub fn apply_acknowledgements(&mut self, acks: &BTreeMap<FieldPath, Acknowledgement>) {
        let survey = self.survey.clone();
        for n in 0..self.issues.len() {
            if self.issues[n].severity != Severity::Warning {
                continue;
            }
            let acked = acks
                .get(&self.issues[n].path)
                .is_some_and(|a| a.value == self.value(&self.issues[n].path));
            if acked != self.issues[n].acknowledged {
                self.issues[n].acknowledged = acked;
                if let Some(sec) = survey.item(self.issues[n].item).section {
                    let w = &mut self.sections[sec as usize].warnings;
                    *w = if acked { *w - 1 } else { *w + 1 };
                }
            }
        }
    }

    /// The survey this evaluation belongs to.
    pub fn survey(&self) -> &Survey {
        &self.survey
    }

    /// True when the item at `path` is shown (its own `relevant` and every enclosing
    /// group's are true). Groups and repeats use [`FieldPath::top`]. Unknown paths: false.
    pub fn is_relevant(&self, path: &FieldPath) -> bool {
        self.locate(path)
            .is_some_and(|(it, m)| self.data.relevant[self.data.index(it.scope, m, it.slot)])
    }

    /// The value at `path`: the answer, or the calculated value for calculated fields
    /// (blank when the calculated field is not relevant). Answers of non-relevant fields
    /// are returned as stored.
    pub fn value(&self, path: &FieldPath) -> &str {
        self.locate(path).map_or("", |(it, m)| {
            self.data.raw(self.data.index(it.scope, m, it.slot))
        })
    }

    /// Where `item` (an item of this evaluation's survey) is for member `member` of its
    /// repeat (`member` is ignored at the top level), without looking anything up by name.
    fn slot_of(&self, item: &Item, member: usize) -> Option<usize> {
        let it = if std::ptr::eq(self.survey.item(item.id), item) {
            item
        } else {
            self.survey.find(&item.name)?
        };
        let k = it.scope as usize;
        let m = if k == 0 { 0 } else { member };
        if m >= *self.data.counts.get(k)? as usize {
            return None;
        }
        Some(self.data.index(it.scope, m as u32, it.slot))
    }

    /// [`Evaluation::value`] of `item` for member `member` of its repeat (ignored at the
    /// top level): the same, without building a path or looking the item up by name.
    pub fn value_of(&self, item: &Item, member: usize) -> &str {
        self.slot_of(item, member).map_or("", |i| self.data.raw(i))
    }

    /// [`Evaluation::is_relevant`] of `item` for member `member` of its repeat (ignored at
    /// the top level), without building a path or looking the item up by name.
    pub fn is_relevant_of(&self, item: &Item, member: usize) -> bool {
        self.slot_of(item, member)
            .is_some_and(|i| self.data.relevant[i])
    }

    /// Number of members of a repeat.
    pub fn member_count(&self, repeat: &str) -> usize {
        self.survey
            .find(repeat)
            .filter(|r| r.is_repeat())
            .map_or(0, |r| self.data.counts[r.inner_scope as usize] as usize)
    }

    /// Every issue, in form order (member by member inside a repeat).
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> + '_ {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }

    /// Warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Issue> + '_ {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Warning)
    }

    /// Warnings not (or no longer) acknowledged.
    pub fn unacknowledged_warnings(&self) -> impl Iterator<Item = &Issue> + '_ {
        self.warnings().filter(|i| !i.acknowledged)
    }

    /// Issues on one path.
    pub fn issues_at(&self, path: &FieldPath) -> impl Iterator<Item = &Issue> + '_ {
        let path = path.clone();
        self.issues.iter().filter(move |i| i.path == path)
    }

    /// True when there is no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }

    /// Status of a section (a top-level group or repeat, by name).
    pub fn section_status(&self, section: &str) -> Option<SectionStatus> {
        let id = self.survey.find(section)?.id;
        let n = self.survey.inner.sections.iter().position(|s| *s == id)?;
        Some(self.sections[n])
    }

    /// Every section with its status, in form order.
    pub fn sections(&self) -> impl Iterator<Item = (&Item, SectionStatus)> + '_ {
        self.survey
            .inner
            .sections
            .iter()
            .zip(&self.sections)
            .map(|(id, st)| (self.survey.item(*id), *st))
    }

    /// The answers to export: relevant fields only, calculated values included, notes
    /// left out; members of a relevant repeat are kept in order.
    pub fn export_answers(&self) -> Answers {
        let s = &*self.survey.inner;
        let mut out = Answers::default();
        for k in 1..s.scope_sizes.len() {
            if let Some(r) = s.scope_repeat[k] {
                let r = &s.items[r as usize];
                if self.data.relevant[self.data.index(r.scope, 0, r.slot)] {
                    out.repeats.insert(
                        r.name.clone(),
                        vec![Values::new(); self.data.counts[k] as usize],
                    );
                }
            }
        }
        for it in &s.items {
            if !it.has_value() {
                continue;
            }
            for m in 0..self.data.counts[it.scope as usize] {
                let i = self.data.index(it.scope, m, it.slot);
                let v = self.data.raw(i);
                if !self.data.relevant[i] || v.is_empty() {
                    continue;
                }
                if it.scope == 0 {
                    out.values.insert(it.name.clone(), v.to_string());
                } else if let Some(r) = self.survey.repeat_of(it) {
                    if let Some(members) = out.repeats.get_mut(&r.name) {
                        members[m as usize].insert(it.name.clone(), v.to_string());
                    }
                }
            }
        }
        out
    }

    /// Evaluates an ad-hoc expression against this household (for tools and tests), at
    /// the top level or for one member (`Some(("members", 0))`).
    pub fn evaluate_expression(
        &self,
        src: &str,
        member: Option<(&str, usize)>,
    ) -> Result<String, Vec<crate::Problem>> {
        let s = &*self.survey.inner;
        let (scope, m) = match member {
            None => (0, 0),
            Some((repeat, i)) => match self.survey.find(repeat).filter(|r| r.is_repeat()) {
                Some(r) => (r.inner_scope, i as u32),
                None => (0, 0),
            },
        };
        let e = crate::compile::compile_expression(s, src, scope)?;
        Ok(self.eval_at(&e, scope, m))
    }

    /// Evaluates a compiled expression at the top level (scope 0) or for one member.
    fn eval_at(&self, e: &crate::expr::Expr, scope: u32, member: u32) -> String {
        let cx = Cx {
            s: &self.survey.inner,
            d: &self.data,
            scope,
            member,
            current: "",
            choice: None,
        };
        let mut out = String::new();
        eval(e, &cx).write_to(&mut out);
        out
    }
}
