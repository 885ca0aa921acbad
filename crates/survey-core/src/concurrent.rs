//! Two versions of one household edited at the same time (two tabs or windows of the app),
//! brought together question by question: a three-way merge from the version both started
//! from.
//!
//! Per answer (top-level field, or field of one roster member), per warning acknowledgement
//! and for the household's lifecycle (status, history, stamps, unknown keys) as one part:
//! a part changed on one side only takes that side's value; a part changed on both sides to
//! the same value takes it; a part changed on both sides to different values is a *clash*:
//! the merged version keeps the stored side's (`theirs`) value and the clash is reported,
//! so that the caller keeps its own version whole elsewhere (the app: a conflict copy that
//! belongs to the tab that wrote it). A roster whose number of members changed is merged
//! per member only when both sides have as many members as the base; otherwise it is one
//! part. So nothing either side typed is lost: it is in the merged version, or (a clash) in
//! the caller's own version.

use crate::answers::{Answers, FieldPath, Values};
use crate::household::Household;
use std::collections::{BTreeMap, BTreeSet};

/// The outcome of [`merge`].
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// `theirs` with every part only `mine` changed taken from `mine`.
    pub household: Household,
    /// Parts both sides changed differently (the merged version holds `theirs`): answer
    /// paths, a roster as a whole (its repeat name), `_acks.<path>` for a warning
    /// acknowledgement, `_lifecycle` for status, history and the other household keys.
    pub clashes: Vec<String>,
}

impl Merged {
    /// Whether both sides' changes are all in the merged version.
    pub fn is_clean(&self) -> bool {
        self.clashes.is_empty()
    }
}

/// Three-way merge of `mine` and `theirs`, both edited from `base` (see the module docs).
/// `modified` is the later of the two.
pub fn merge(base: &Household, mine: &Household, theirs: &Household) -> Merged {
    let mut out = theirs.clone();
    let mut clashes = Vec::new();

    merge_values(
        &base.record.answers.values,
        &mine.record.answers.values,
        &mut out.record.answers.values,
        None,
        &mut clashes,
    );
    merge_repeats(&base.record.answers, &mine.record.answers, &mut out.record.answers, &mut clashes);

    let (b, m) = (&base.record.acks, &mine.record.acks);
    let paths: BTreeSet<FieldPath> = b.keys().chain(m.keys()).chain(theirs.record.acks.keys()).cloned().collect();
    for p in paths {
        let (bv, mv, tv) = (b.get(&p), m.get(&p), theirs.record.acks.get(&p));
        match pick(bv, mv, tv) {
            Pick::Theirs => {}
            Pick::Mine => match mv {
                Some(v) => {
                    out.record.acks.insert(p, v.clone());
                }
                None => {
                    out.record.acks.remove(&p);
                }
            },
            Pick::Clash => clashes.push(format!("_acks.{p}")),
        }
    }

    // The lifecycle and every other key, as one part.
    let life = |h: &Household| {
        (
            h.status,
            h.finalized.clone(),
            h.exported.clone(),
            h.enumerator.clone(),
            h.history.clone(),
            h.extra.clone(),
            h.record.extra.clone(),
            h.survey_version.clone(),
        )
    };
    let (bl, ml, tl) = (life(base), life(mine), life(theirs));
    match pick(Some(&bl), Some(&ml), Some(&tl)) {
        Pick::Theirs => {}
        Pick::Mine => {
            (
                out.status,
                out.finalized,
                out.exported,
                out.enumerator,
                out.history,
                out.extra,
                out.record.extra,
                out.survey_version,
            ) = ml;
        }
        Pick::Clash => clashes.push("_lifecycle".to_string()),
    }
    out.modified = std::cmp::max(&mine.modified, &theirs.modified).clone();
    Merged { household: out, clashes }
}

enum Pick {
    Theirs,
    Mine,
    Clash,
}

fn pick<T: PartialEq>(base: Option<T>, mine: Option<T>, theirs: Option<T>) -> Pick {
    if mine == base || mine == theirs {
        Pick::Theirs
    } else if theirs == base {
        Pick::Mine
    } else {
        Pick::Clash
    }
}

/// Merges one map of values into `out` (which holds theirs); `member` names the roster
/// member for clash paths.
fn merge_values(base: &Values, mine: &Values, out: &mut Values, member: Option<(&str, usize)>, clashes: &mut Vec<String>) {
    let theirs = out.clone();
    let names: BTreeSet<&String> = base.keys().chain(mine.keys()).chain(theirs.keys()).collect();
    for name in names {
        let (b, m, t) = (base.get(name), mine.get(name), theirs.get(name));
        match pick(b, m, t) {
            Pick::Theirs => {}
            Pick::Mine => match m {
                Some(v) => {
                    out.insert(name.clone(), v.clone());
                }
                None => {
                    out.remove(name);
                }
            },
            Pick::Clash => clashes.push(match member {
                None => FieldPath::top(name).to_string(),
                Some((r, i)) => FieldPath::member(r, i, name).to_string(),
            }),
        }
    }
}

fn merge_repeats(base: &Answers, mine: &Answers, out: &mut Answers, clashes: &mut Vec<String>) {
    let theirs: BTreeMap<String, Vec<Values>> = out.repeats.clone();
    let names: BTreeSet<&String> = base.repeats.keys().chain(mine.repeats.keys()).chain(theirs.keys()).collect();
    let none: Vec<Values> = Vec::new();
    for name in names {
        let b = base.repeats.get(name);
        let m = mine.repeats.get(name);
        let t = theirs.get(name);
        let (bl, ml, tl) = (b.unwrap_or(&none), m.unwrap_or(&none), t.unwrap_or(&none));
        if bl.len() == ml.len() && bl.len() == tl.len() && !bl.is_empty() {
            let members = out.repeats.get_mut(name).expect("theirs has the roster");
            for (i, member) in members.iter_mut().enumerate() {
                merge_values(&bl[i], &ml[i], member, Some((name, i)), clashes);
            }
            continue;
        }
        match pick(b, m, t) {
            Pick::Theirs => {}
            Pick::Mine => match m {
                Some(v) => {
                    out.repeats.insert(name.clone(), v.clone());
                }
                None => {
                    out.repeats.remove(name);
                }
            },
            Pick::Clash => clashes.push(name.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn household() -> Household {
        Household::new("h".into(), "s".into(), "1".into(), "dev".into(), "2026-11-30T08:00:00.000Z")
    }

    fn with(h: &Household, f: impl FnOnce(&mut Household)) -> Household {
        let mut h = h.clone();
        f(&mut h);
        h
    }

    fn set<'a>(path: &str, v: &'a str) -> impl FnOnce(&mut Household) + 'a {
        let p: FieldPath = path.parse().unwrap();
        move |h| h.record.answers.set(&p, v)
    }

    #[test]
    fn different_questions_both_kept() {
        let base = with(&household(), set("head_name", "阿"));
        let mine = with(&base, set("head_name", "阿苏"));
        let theirs = with(&base, set("village", "laguo"));
        let m = merge(&base, &mine, &theirs);
        assert!(m.is_clean());
        assert_eq!(m.household.record.answers.get(&FieldPath::top("head_name")), "阿苏");
        assert_eq!(m.household.record.answers.get(&FieldPath::top("village")), "laguo");
    }

    #[test]
    fn the_same_question_changed_differently_is_a_clash_holding_theirs() {
        let base = with(&household(), set("head_name", "阿"));
        let mine = with(&base, set("head_name", "阿苏"));
        let theirs = with(&base, set("head_name", "阿呷"));
        let m = merge(&base, &mine, &theirs);
        assert_eq!(m.clashes, vec!["head_name".to_string()]);
        assert_eq!(m.household.record.answers.get(&FieldPath::top("head_name")), "阿呷");
        // The same change on both sides is no clash; a blanked answer is a change too.
        let same = merge(&base, &mine, &mine);
        assert!(same.is_clean());
        let blank = merge(&base, &with(&base, set("head_name", "")), &theirs);
        assert_eq!(blank.clashes, vec!["head_name".to_string()]);
        let only_mine_blank = merge(&base, &with(&base, set("head_name", "")), &base);
        assert_eq!(only_mine_blank.household.record.answers.get(&FieldPath::top("head_name")), "");
    }

    #[test]
    fn rosters_merge_per_member_or_as_a_whole() {
        let base = with(&household(), set("members[0].member_name", "甲"));
        let mine = with(&base, set("members[0].id_number", "513429"));
        let theirs = with(&base, set("members[0].member_name", "甲乙"));
        let m = merge(&base, &mine, &theirs);
        assert!(m.is_clean());
        let a = &m.household.record.answers;
        assert_eq!(a.get(&"members[0].id_number".parse().unwrap()), "513429");
        assert_eq!(a.get(&"members[0].member_name".parse().unwrap()), "甲乙");
        // One side added a member, the other typed at the top level: both kept.
        let added = with(&base, set("members[1].member_name", "丙"));
        let typed = with(&base, set("pigs", "2"));
        let m = merge(&base, &added, &typed);
        assert!(m.is_clean());
        assert_eq!(m.household.record.answers.members("members").len(), 2);
        assert_eq!(m.household.record.answers.get(&FieldPath::top("pigs")), "2");
        // Both changed the roster's size differently: the roster is one clash.
        let removed = with(&base, |h| {
            h.record.answers.remove_member("members", 0);
        });
        let m = merge(&base, &added, &removed);
        assert_eq!(m.clashes, vec!["members".to_string()]);
    }

    #[test]
    fn the_lifecycle_is_one_part_and_modified_is_the_later() {
        let base = household();
        let mut mine = with(&base, set("pigs", "1"));
        mine.modified = "2026-11-30T09:00:00.000Z".into();
        let mut theirs = base.clone();
        theirs.status = crate::Status::Finalized;
        theirs.modified = "2026-11-30T08:30:00.000Z".into();
        let m = merge(&base, &mine, &theirs);
        assert!(m.is_clean());
        assert_eq!(m.household.status, crate::Status::Finalized);
        assert_eq!(m.household.modified, "2026-11-30T09:00:00.000Z");
        let mut other = base.clone();
        other.status = crate::Status::Exported;
        assert_eq!(merge(&base, &theirs, &other).clashes, vec!["_lifecycle".to_string()]);
    }

    fn edits() -> impl Strategy<Value = Vec<(usize, String)>> {
        proptest::collection::vec((0usize..6, "[a-c]{0,3}"), 0..8)
    }

    const FIELDS: [&str; 6] = ["a", "b", "c", "members[0].x", "members[0].y", "members[1].x"];

    fn apply(base: &Household, e: &[(usize, String)]) -> Household {
        let mut h = base.clone();
        for (f, v) in e {
            h.record.answers.set(&FIELDS[*f].parse().unwrap(), v.as_str());
        }
        h
    }

    proptest! {
        /// Nothing either side changed is lost: every part is in the merged version, or it
        /// is reported as a clash (and the merged version holds theirs).
        #[test]
        fn nothing_changed_is_lost(b in edits(), mine in edits(), theirs in edits()) {
            let base = apply(&household(), &b);
            let (m, t) = (apply(&base, &mine), apply(&base, &theirs));
            let merged = merge(&base, &m, &t);
            let a = &merged.household.record.answers;
            for f in FIELDS {
                let p: FieldPath = f.parse().unwrap();
                let (bv, mv, tv) = (base.record.answers.get(&p), m.record.answers.get(&p), t.record.answers.get(&p));
                let roster_whole = p.member.is_some() && merged.clashes.iter().any(|c| c == "members");
                if roster_whole || merged.clashes.iter().any(|c| c == f) {
                    prop_assert_eq!(a.get(&p), tv, "{} clash holds theirs", f);
                } else {
                    if mv != bv { prop_assert_eq!(a.get(&p), mv, "{} mine", f); }
                    if tv != bv { prop_assert_eq!(a.get(&p), tv, "{} theirs", f); }
                }
            }
            // Merging with an unchanged side gives the other side's answers.
            prop_assert_eq!(&merge(&base, &base, &t).household.record.answers, &t.record.answers);
            prop_assert_eq!(&merge(&base, &m, &base).household.record.answers, &m.record.answers);
        }
    }
}
