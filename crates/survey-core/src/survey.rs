//! The compiled survey: a tree of [`Item`]s (groups, repeats, fields) with parsed
//! expressions, choice lists and settings. Build one with [`Survey::compile`].

use crate::definition::RawRow;
use crate::expr::Expr;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// A text in both languages. Yi falls back to Chinese when blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Text {
    /// Chinese.
    pub zh: String,
    /// Nuosu Yi (`ii`).
    pub ii: String,
}

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Chinese.
    Zh,
    /// Nuosu Yi.
    Ii,
}

impl Text {
    /// The text in `lang`; Yi falls back to Chinese when blank.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::Ii if self.ii.is_empty() => &self.zh,
            Lang::Ii => &self.ii,
        }
    }
}

/// Review status of Yi text (`ii_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IiStatus {
    /// Drafted by the kit team, awaiting the bureau's Yi translators.
    Draft,
    /// Taken from a public source (named in `ii_source`).
    Sourced,
    /// Checked by the bureau's translators.
    Reviewed,
}

impl IiStatus {
    /// Parses `draft` / `sourced` / `reviewed`.
    pub fn parse(s: &str) -> Option<IiStatus> {
        match s.trim() {
            "draft" => Some(IiStatus::Draft),
            "sourced" => Some(IiStatus::Sourced),
            "reviewed" => Some(IiStatus::Reviewed),
            _ => None,
        }
    }

    /// `draft` / `sourced` / `reviewed`.
    pub fn as_str(self) -> &'static str {
        match self {
            IiStatus::Draft => "draft",
            IiStatus::Sourced => "sourced",
            IiStatus::Reviewed => "reviewed",
        }
    }
}

/// Index of an item in its survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(pub(crate) u32);

impl ItemId {
    /// The position of the item in definition order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// Free text.
    Text,
    /// Whole number.
    Integer,
    /// Decimal number.
    Decimal,
    /// `YYYY-MM-DD`.
    Date,
    /// One choice of a list.
    SelectOne {
        /// The choice list.
        list: String,
    },
    /// Several choices, stored space-separated.
    SelectMultiple {
        /// The choice list.
        list: String,
    },
    /// Display only, no value.
    Note,
    /// Hidden computed value.
    Calculate,
    /// A photo: the answer is its reference `<sha256>.jpg` ([`crate::media`]).
    Image,
    /// A location: ODK's `"lat lon alt acc"` ([`crate::media::GeoPoint`]).
    Geopoint,
}

impl FieldType {
    /// The choice list of a select field.
    pub fn list(&self) -> Option<&str> {
        match self {
            FieldType::SelectOne { list } | FieldType::SelectMultiple { list } => Some(list),
            _ => None,
        }
    }
}

/// What an item is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// `begin_group` … `end_group`.
    Group,
    /// `begin_repeat` … `end_repeat` (e.g. the `members` roster).
    Repeat,
    /// A question, note or calculation.
    Field(FieldType),
}

/// Whether an answer is required.
#[derive(Debug, Clone)]
pub(crate) enum Required {
    No,
    Yes,
    If(Expr),
}

/// A group, repeat or field of a survey.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its id.
    pub id: ItemId,
    /// Field name.
    pub name: String,
    /// Group, repeat or field (with its type).
    pub kind: ItemKind,
    /// Label (absent only on calculate rows).
    pub label: Option<Text>,
    /// Hint.
    pub hint: Option<Text>,
    /// `appearance` (blank when not set).
    pub appearance: String,
    /// `default` initial value (blank when not set): a value, or the source of a dynamic
    /// default's expression (see [`Item::default_is_dynamic`]).
    pub default: String,
    /// `read_only = yes`.
    pub read_only: bool,
    /// The `parameters` column (`max-pixels`, `capture-accuracy`, `warning-accuracy`).
    pub parameters: crate::media::Parameters,
    /// Status of the row's Yi text.
    pub ii_status: Option<IiStatus>,
    /// Enclosing group or repeat.
    pub parent: Option<ItemId>,
    /// Children (groups and repeats only).
    pub children: Vec<ItemId>,
    /// Row number in survey.csv.
    pub row: u32,
    /// The raw row (expression sources, extra columns).
    pub raw: RawRow,
    pub(crate) name_arc: Arc<str>,
    /// Scope of the item's own slot: 0 = top level, k = k-th repeat.
    pub(crate) scope: u32,
    /// Scope of a repeat's children.
    pub(crate) inner_scope: u32,
    pub(crate) slot: u32,
    /// Index into `Inner::sections` of the top-level group/repeat containing the item.
    pub(crate) section: Option<u32>,
    pub(crate) required: Required,
    pub(crate) required_message: Option<Arc<Text>>,
    pub(crate) relevant: Option<Expr>,
    pub(crate) constraint: Option<Expr>,
    pub(crate) constraint_message: Option<Arc<Text>>,
    pub(crate) warning: Option<Expr>,
    pub(crate) warning_message: Option<Arc<Text>>,
    pub(crate) calculation: Option<Expr>,
    /// A dynamic `default` ([`crate::defaults`]), compiled; `None` for a static one.
    pub(crate) default_expr: Option<Expr>,
    pub(crate) choice_filter: Option<Expr>,
    pub(crate) repeat_count: Option<Expr>,
}

impl Item {
    /// The field type, for fields.
    pub fn field_type(&self) -> Option<&FieldType> {
        match &self.kind {
            ItemKind::Field(t) => Some(t),
            _ => None,
        }
    }

    /// True for groups.
    pub fn is_group(&self) -> bool {
        self.kind == ItemKind::Group
    }

    /// True for repeats.
    pub fn is_repeat(&self) -> bool {
        self.kind == ItemKind::Repeat
    }

    /// True for fields the enumerator answers (not notes, calculations or read-only fields).
    pub fn is_input(&self) -> bool {
        match &self.kind {
            ItemKind::Field(FieldType::Note | FieldType::Calculate) => false,
            ItemKind::Field(_) => !self.read_only,
            _ => false,
        }
    }

    /// True when the item holds a value (fields other than notes).
    pub fn has_value(&self) -> bool {
        matches!(&self.kind, ItemKind::Field(t) if *t != FieldType::Note)
    }

    /// True when `required` is `yes` (always required).
    pub fn always_required(&self) -> bool {
        matches!(self.required, Required::Yes)
    }

    /// True when `required` is set (`yes` or an expression).
    pub fn maybe_required(&self) -> bool {
        !matches!(self.required, Required::No)
    }

    /// True when the item's `default` is an expression evaluated when its record (or
    /// member) is created, as pyxform decides ([`crate::defaults::default_is_dynamic`]).
    pub fn default_is_dynamic(&self) -> bool {
        self.default_expr.is_some()
    }

    /// True when the item has a calculation (calculate rows and computed read-only fields).
    pub fn is_calculated(&self) -> bool {
        self.calculation.is_some()
    }

    /// True when the item has a `choice_filter`.
    pub fn has_choice_filter(&self) -> bool {
        self.choice_filter.is_some()
    }

    /// The constraint message, if the survey gives one.
    pub fn constraint_message(&self) -> Option<&Text> {
        self.constraint_message.as_deref()
    }

    /// The warning message, if the survey gives one.
    pub fn warning_message(&self) -> Option<&Text> {
        self.warning_message.as_deref()
    }

    /// The required message, if the survey gives one.
    pub fn required_message(&self) -> Option<&Text> {
        self.required_message.as_deref()
    }
}

/// One choice of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The stored value.
    pub name: String,
    /// Label.
    pub label: Text,
    /// Status of the Yi label.
    pub ii_status: Option<IiStatus>,
    /// Filter columns (e.g. `village`).
    pub extra: BTreeMap<String, String>,
    /// Row number in choices.csv.
    pub row: u32,
}

/// A named list of choices.
#[derive(Debug, Clone, Default)]
pub struct ChoiceList {
    /// `list_name`.
    pub name: String,
    /// Choices in file order.
    pub choices: Vec<Choice>,
    pub(crate) index: HashMap<String, usize>,
    /// Filter columns used by any choice of the list.
    pub(crate) columns: BTreeSet<String>,
}

impl ChoiceList {
    /// The choice named `name`.
    pub fn get(&self, name: &str) -> Option<&Choice> {
        if self.choices.len() <= 16 {
            return self.choices.iter().find(|c| c.name == name);
        }
        self.index.get(name).map(|&i| &self.choices[i])
    }
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub id: String,
    pub version: String,
    pub title: Text,
    pub title_ii_status: Option<IiStatus>,
    pub settings: BTreeMap<String, String>,
    pub items: Vec<Item>,
    pub top: Vec<ItemId>,
    pub names: HashMap<String, ItemId>,
    pub lists: BTreeMap<String, ChoiceList>,
    /// Items in dependency order for relevance and calculations.
    pub order: Vec<u32>,
    /// Slots per scope (scope 0 = top level).
    pub scope_sizes: Vec<u32>,
    /// The repeat item of each scope (scope 0: none).
    pub scope_repeat: Vec<Option<u32>>,
    /// Per scope: (field name, slot) of every item holding a value, sorted by name.
    pub scope_fields: Vec<Vec<(String, u32)>>,
    /// Top-level groups and repeats.
    pub sections: Vec<ItemId>,
}

/// A compiled survey definition. Cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct Survey {
    pub(crate) inner: Arc<Inner>,
}

impl Survey {
    /// `form_id` from settings.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// `version` from settings.
    pub fn version(&self) -> &str {
        &self.inner.version
    }

    /// The survey title.
    pub fn title(&self) -> &Text {
        &self.inner.title
    }

    /// Status of the title's Yi text.
    pub fn title_ii_status(&self) -> Option<IiStatus> {
        self.inner.title_ii_status
    }

    /// A setting (known or kit column) from settings.csv; `None` when blank.
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.inner.settings.get(name).map(String::as_str)
    }

    /// Every item in definition order.
    pub fn items(&self) -> &[Item] {
        &self.inner.items
    }

    /// Top-level items (usually the sections), in order.
    pub fn top_level(&self) -> impl Iterator<Item = &Item> + '_ {
        self.inner.top.iter().map(|id| self.item(*id))
    }

    /// Top-level groups and repeats: the sections of the form.
    pub fn sections(&self) -> impl Iterator<Item = &Item> + '_ {
        self.inner.sections.iter().map(|id| self.item(*id))
    }

    /// Children of a group or repeat.
    pub fn children<'a>(&'a self, item: &'a Item) -> impl Iterator<Item = &'a Item> + 'a {
        item.children.iter().map(move |id| self.item(*id))
    }

    /// The item with this id.
    pub fn item(&self, id: ItemId) -> &Item {
        &self.inner.items[id.index()]
    }

    /// The item named `name`.
    pub fn find(&self, name: &str) -> Option<&Item> {
        self.inner.names.get(name).map(|id| self.item(*id))
    }

    /// The repeat holding `item` (directly or through groups), if any.
    pub fn repeat_of(&self, item: &Item) -> Option<&Item> {
        self.inner.scope_repeat[item.scope as usize].map(|r| &self.inner.items[r as usize])
    }

    /// The choice list named `name`.
    pub fn list(&self, name: &str) -> Option<&ChoiceList> {
        self.inner.lists.get(name)
    }

    /// Every choice list.
    pub fn lists(&self) -> impl Iterator<Item = &ChoiceList> + '_ {
        self.inner.lists.values()
    }

    /// The choices of a select field (all of them, before any `choice_filter`).
    pub fn choices(&self, item: &Item) -> &[Choice] {
        item.field_type()
            .and_then(FieldType::list)
            .and_then(|l| self.inner.lists.get(l))
            .map_or(&[], |l| &l.choices)
    }
}
