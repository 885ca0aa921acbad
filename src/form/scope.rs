//! What the items of one scope (the top level, or one roster member) show, kept up to date
//! from the evaluation, one signal per item.
//!
//! A keystroke changes the household, hence the evaluation; but it changes what at most a
//! few items show. Rather than having every question of every member subscribe to the
//! evaluation (so every keystroke would wake them all), one effect compares what each item
//! shows with the new evaluation and writes only the items that changed.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use survey_core::{Evaluation, Household, Issue, Item, Survey};

use super::field::Shown;

/// What one item (question, group or roster) shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ItemView {
    /// Its value (answer or calculated).
    pub value: String,
    /// Whether it is shown.
    pub relevant: bool,
    /// Its errors and warnings.
    pub issues: Vec<Shown>,
}

/// What every item of one scope shows: one signal per item, so that a keystroke wakes
/// only what reads the items it changed (the typed question, the calculations and
/// relevance that follow from it), not every question of the member. A `Copy` handle: the
/// signals belong to the form.
#[derive(Clone, Copy)]
pub(crate) struct ScopeView(StoredValue<ScopeItems>);

struct ScopeItems {
    /// Item name → position in `items`.
    names: Arc<HashMap<&'static str, usize>>,
    /// What each item shows, in survey order.
    items: Vec<RwSignal<ItemView>>,
}

impl ScopeView {
    /// The signal of what the item named `name` shows.
    pub fn item(self, name: &str) -> Option<RwSignal<ItemView>> {
        self.0.try_with_value(|s| s.names.get(name).map(|&i| s.items[i])).flatten()
    }

    /// Reads what the item named `name` shows (tracking that item only).
    pub fn with<R>(self, name: &str, f: impl FnOnce(&ItemView) -> R) -> Option<R> {
        self.item(name).and_then(|sig| sig.try_with(f))
    }

    /// The signals of every item of the scope.
    pub fn items(self) -> Vec<RwSignal<ItemView>> {
        self.0.try_with_value(|s| s.items.clone()).unwrap_or_default()
    }
}

/// The items of a scope, made once.
struct Spec {
    items: Vec<&'static Item>,
    names: Arc<HashMap<&'static str, usize>>,
    member: Option<(&'static str, usize)>,
    /// What each item's signal holds, as last written: compared here, a keystroke reads
    /// no signal of the items it did not change (reading ~800 signals of 20 members from
    /// the reactive arena was the largest share of this update).
    shown: Mutex<Vec<ItemView>>,
}

impl Spec {
    fn new(survey: &'static Survey, repeat: Option<&'static Item>, index: usize) -> Spec {
        let items: Vec<&'static Item> = survey
            .items()
            .iter()
            .filter(|it| survey.repeat_of(it).map(|r| r.id) == repeat.map(|r| r.id))
            .collect();
        let names = Arc::new(
            items
                .iter()
                .enumerate()
                .map(|(i, it)| (it.name.as_str(), i))
                .collect(),
        );
        Spec {
            shown: Mutex::new(vec![ItemView::default(); items.len()]),
            items,
            names,
            member: repeat.map(|r| (r.name.as_str(), index)),
        }
    }

    /// Brings the item signals of `view` up to date with `e`, given the issues of this
    /// scope (in the evaluation's order): only items whose view changed are written (and
    /// so notify their readers).
    fn update(
        &self,
        survey: &'static Survey,
        household: RwSignal<Household>,
        e: &Evaluation,
        issues: &[&Issue],
        view: ScopeView,
    ) {
        let Some(signals) = view.0.try_with_value(|s| s.items.clone()) else {
            return;
        };
        let member = self.member.map_or(0, |(_, i)| i);
        let mut fresh: Vec<(usize, Shown)> = Vec::with_capacity(issues.len());
        for issue in issues {
            if let Some(&n) = self.names.get(&*issue.path.field) {
                let it = self.items[n];
                let value = if it.has_value() { e.value_of(it, member) } else { "" };
                fresh.push((n, Shown::new(survey, household, issue, value)));
            }
        }
        survey_core::sort::sort_by_key(&mut fresh, |(n, _)| *n);
        let mut rest = fresh.as_slice();
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let mut changed = Vec::new();
        for (n, ((it, sig), was)) in self
            .items
            .iter()
            .zip(signals)
            .zip(shown.iter_mut())
            .enumerate()
        {
            let k = rest.iter().take_while(|(m, _)| *m == n).count();
            let (mine, after) = rest.split_at(k);
            rest = after;
            let value = if it.has_value() { e.value_of(it, member) } else { "" };
            let relevant = e.is_relevant_of(it, member);
            let same = was.value == value
                && was.relevant == relevant
                && was.issues.len() == mine.len()
                && was.issues.iter().zip(mine).all(|(a, (_, b))| a == b);
            if !same {
                *was = ItemView {
                    value: value.to_string(),
                    relevant,
                    issues: mine.iter().map(|(_, s)| s.clone()).collect(),
                };
                changed.push((sig, was.clone()));
            }
        }
        // Written once the lock is released (a write could wake something that asks again).
        drop(shown);
        for (sig, v) in changed {
            let _ = sig.try_set(v);
        }
    }
}

/// One scope: what it is and what it shows.
struct Slot {
    spec: Spec,
    view: ScopeView,
}

/// A scope: `None` for the top level, or a repeat's name, and the member index.
type ScopeKey = (Option<&'static str>, usize);

/// The scope an issue belongs to.
fn scope_of(issue: &Issue) -> (Option<&str>, usize) {
    match &issue.path.member {
        None => (None, 0),
        Some((r, i)) => (Some(&**r), *i),
    }
}

/// The views of every scope the form has shown, kept up to date by one effect on the
/// evaluation.
#[derive(Clone, Copy)]
pub(crate) struct Scopes {
    survey: &'static Survey,
    household: RwSignal<Household>,
    ev: Memo<Evaluation>,
    slots: StoredValue<HashMap<ScopeKey, Arc<Slot>>>,
    /// The form's owner: a scope's signals live as long as the form, whichever part of it
    /// first asked for them.
    owner: StoredValue<Owner>,
}

impl Scopes {
    /// The registry, with its effect (owned by the current owner: the form).
    pub fn new(
        survey: &'static Survey,
        household: RwSignal<Household>,
        ev: Memo<Evaluation>,
    ) -> Scopes {
        let scopes = Scopes {
            survey,
            household,
            ev,
            slots: StoredValue::new(HashMap::new()),
            owner: StoredValue::new(Owner::current().expect("scopes are made inside the form")),
        };
        Effect::new(move |_| {
            ev.with(|e| {
                let slots: Vec<Arc<Slot>> = scopes
                    .slots
                    .try_with_value(|m| m.values().cloned().collect())
                    .unwrap_or_default();
                // The issues of each scope, sorted out once.
                let mut issues: HashMap<(Option<&str>, usize), Vec<&Issue>> = HashMap::new();
                for issue in e.issues() {
                    issues.entry(scope_of(issue)).or_default().push(issue);
                }
                for slot in slots {
                    // Members removed since: nothing shows them.
                    if let Some((r, i)) = slot.spec.member {
                        if i >= e.member_count(r) {
                            continue;
                        }
                    }
                    let key = (
                        slot.spec.member.map(|(r, _)| r),
                        slot.spec.member.map_or(0, |(_, i)| i),
                    );
                    let mine = issues.get(&key).map_or(&[][..], Vec::as_slice);
                    slot.spec.update(survey, household, e, mine, slot.view);
                }
            })
        });
        scopes
    }

    /// The view of the top level (`repeat` = `None`) or of member `index` of `repeat`,
    /// up to date now.
    pub fn get(&self, repeat: Option<&'static Item>, index: usize) -> ScopeView {
        let key = (repeat.map(|r| r.name.as_str()), index);
        let survey = self.survey;
        let existing = self.slots.try_with_value(|m| m.get(&key).cloned()).flatten();
        let slot = match existing {
            Some(slot) => slot,
            None => {
                let spec = Spec::new(survey, repeat, index);
                let view = self.owner.get_value().with(|| {
                    ScopeView(StoredValue::new(ScopeItems {
                        names: spec.names.clone(),
                        items: spec.items.iter().map(|_| RwSignal::new(ItemView::default())).collect(),
                    }))
                });
                let slot = Arc::new(Slot { spec, view });
                self.slots.update_value(|m| {
                    m.insert(key, slot.clone());
                });
                slot
            }
        };
        self.ev.with_untracked(|e| {
            let mine: Vec<&Issue> = e
                .issues()
                .iter()
                .filter(|i| scope_of(i) == (key.0, key.1))
                .collect();
            slot.spec.update(survey, self.household, e, &mine, slot.view);
        });
        slot.view
    }
}
