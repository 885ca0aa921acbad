//! What the items of one scope (the top level, or one roster member) show, kept up to date
//! from the evaluation and notified per scope.
//!
//! A keystroke changes the household, hence the evaluation; but it changes what at most a
//! few scopes show. Rather than having every question of every member subscribe to the
//! evaluation (so every keystroke would wake them all), one effect compares each scope's
//! view with the new evaluation in place and notifies only the scopes that changed.
use std::collections::HashMap;
use std::sync::Arc;

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

/// What every item of one scope shows.
#[derive(Clone, Debug, Default)]
pub(crate) struct ScopeView {
    /// Item name → position in `items` (shared by every update of the scope).
    names: Arc<HashMap<&'static str, usize>>,
    /// What each item shows, in survey order.
    items: Vec<ItemView>,
}

impl PartialEq for ScopeView {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl ScopeView {
    /// What the item named `name` shows.
    pub fn get(&self, name: &str) -> Option<&ItemView> {
        self.names.get(name).map(|&i| &self.items[i])
    }

    /// What every item shows.
    pub fn items(&self) -> impl Iterator<Item = &ItemView> {
        self.items.iter()
    }
}

/// The items of a scope, made once.
struct Spec {
    items: Vec<&'static Item>,
    names: Arc<HashMap<&'static str, usize>>,
    member: Option<(&'static str, usize)>,
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
            items,
            names,
            member: repeat.map(|r| (r.name.as_str(), index)),
        }
    }

    /// Brings `view` up to date with `e`, in place, given the issues of this scope (in the
    /// evaluation's order); true when anything changed.
    fn update(
        &self,
        survey: &'static Survey,
        household: RwSignal<Household>,
        e: &Evaluation,
        issues: &[&Issue],
        view: &mut ScopeView,
    ) -> bool {
        let mut changed = false;
        if view.items.len() != self.items.len() {
            *view = ScopeView {
                names: self.names.clone(),
                items: vec![ItemView::default(); self.items.len()],
            };
            changed = true;
        }
        let member = self.member.map_or(0, |(_, i)| i);
        for (it, v) in self.items.iter().zip(view.items.iter_mut()) {
            let value = if it.has_value() {
                e.value_of(it, member)
            } else {
                ""
            };
            if v.value != value {
                v.value.clear();
                v.value.push_str(value);
                changed = true;
            }
            let relevant = e.is_relevant_of(it, member);
            if v.relevant != relevant {
                v.relevant = relevant;
                changed = true;
            }
        }
        let mut fresh: Vec<(usize, Shown)> = Vec::with_capacity(issues.len());
        for issue in issues {
            if let Some(&n) = self.names.get(&*issue.path.field) {
                fresh.push((
                    n,
                    Shown::new(survey, household, issue, &view.items[n].value),
                ));
            }
        }
        fresh.sort_by_key(|(n, _)| *n);
        let mut rest = fresh.as_slice();
        for (n, v) in view.items.iter_mut().enumerate() {
            let k = rest.iter().take_while(|(m, _)| *m == n).count();
            let (mine, after) = rest.split_at(k);
            rest = after;
            if v.issues.len() != mine.len() || v.issues.iter().zip(mine).any(|(a, (_, b))| a != b) {
                v.issues = mine.iter().map(|(_, s)| s.clone()).collect();
                changed = true;
            }
        }
        changed
    }
}

/// One scope: what it is and what it shows.
struct Slot {
    spec: Spec,
    view: ArcRwSignal<ScopeView>,
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
                    slot.view
                        .maybe_update(|v| slot.spec.update(survey, household, e, mine, v));
                }
            })
        });
        scopes
    }

    /// The view of the top level (`repeat` = `None`) or of member `index` of `repeat`,
    /// up to date now.
    pub fn get(&self, repeat: Option<&'static Item>, index: usize) -> Signal<ScopeView> {
        let key = (repeat.map(|r| r.name.as_str()), index);
        let survey = self.survey;
        let slot = self
            .slots
            .try_update_value(|m| {
                m.entry(key)
                    .or_insert_with(|| {
                        Arc::new(Slot {
                            spec: Spec::new(survey, repeat, index),
                            view: ArcRwSignal::new(ScopeView::default()),
                        })
                    })
                    .clone()
            })
            .expect("the form's scopes live as long as the form");
        self.ev.with_untracked(|e| {
            let mine: Vec<&Issue> = e
                .issues()
                .iter()
                .filter(|i| scope_of(i) == (key.0, key.1))
                .collect();
            slot.view
                .maybe_update(|v| slot.spec.update(survey, self.household, e, &mine, v))
        });
        Signal::from(slot.view.clone())
    }
}
