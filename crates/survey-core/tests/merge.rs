//! The merge rule (`survey_core::exchange::relate`): whether a version of a household
//! continues another or the two were edited independently. Every history here is built by
//! the real lifecycle functions (`Household::new`, `finalize`, `reopen`, `mark_exported`)
//! and moved between tablets through real export files (`export_file`, `to_json`,
//! `read_file`, `plan`), on the shipped household survey.

use std::collections::BTreeSet;

use proptest::prelude::*;
use survey_core::exchange::*;
use survey_core::*;

mod common;
use common::shipped;

fn cx() -> Context {
    Context::from_iso("2024-05-01").unwrap()
}

/// The `n`th minute of a working day, as the tablets' clocks write it.
fn t(n: u32) -> String {
    format!("2024-05-01T{:02}:{:02}:00.000Z", 1 + n / 60, n % 60)
}

/// A draft started on `device` at `now`, every required question answered (one member; the
/// answers of the end-to-end exchange test), ready to finalize.
fn started(id: &str, device: &str, now: &str) -> Household {
    let s = shipped();
    let mut h = Household::new(id.into(), s.id(), s.version(), device.into(), now);
    let a = &mut h.record.answers;
    for (k, v) in [
        ("village", "laguo"),
        ("village_group", "laguo_2"),
        ("visit_date", "2024-05-01"),
        ("cadre_name", "吉克阿依"),
        ("cadre_phone", "13800138000"),
        ("head_name", "阿苏拉且"),
        ("household_category", "general"),
        ("support_flags", "dibao"),
        ("food_secure", "yes"),
        ("clothing_secure", "yes"),
        ("education_secured", "yes"),
        ("medical_secured", "yes"),
        ("water_all_year", "yes"),
        ("water_safe", "yes"),
        ("housing_grade", "a"),
        ("pigs", "2"),
        ("konjac_area", "1.5"),
        ("income_wage", "20000"),
        ("income_business", "0"),
        ("income_property", "0"),
        ("income_transfer", "0"),
    ] {
        a.set(&FieldPath::top(k), v);
    }
    for (k, v) in [
        ("member_name", "阿苏拉且"),
        ("id_number", "513429197503120039"),
        ("relation", "head"),
        ("sex", "male"),
        ("birth_date", "1975-03-12"),
        ("medical_insurance", "yes"),
    ] {
        a.set(&FieldPath::member("members", 0, k), v);
    }
    h
}

fn finalize(h: &mut Household, now: &str) {
    let ev = shipped().evaluate_record(&h.record, &cx());
    let problems: Vec<String> =
        ev.errors().chain(ev.unacknowledged_warnings()).map(|i| format!("{} {:?}", i.path, i.message)).collect();
    h.finalize(&ev, now).unwrap_or_else(|e| panic!("{} does not finalize: {e} {problems:?}", h.id));
}

/// An edit of a draft, as the form makes it: the answer and `modified`.
fn edit(h: &mut Household, field: &str, value: &str, now: &str) {
    assert!(h.is_editable());
    h.record.answers.set(&FieldPath::top(field), value);
    h.modified = now.to_string();
}

/// `correct`: reopen with a reason, change one answer, finalize again.
fn correct(h: &mut Household, field: &str, value: &str, reopen: &str, change: &str, fin: &str) {
    h.reopen("更正", reopen).unwrap();
    edit(h, field, value, change);
    finalize(h, fin);
}

/// Exports `hs` from `device` at `now` as the tablet does (marks them exported first) and
/// returns the file's text.
fn export(hs: &mut [Household], device: &str, kind: ExportKind, now: &str) -> String {
    for h in hs.iter_mut() {
        h.mark_exported(now);
    }
    let meta = ExportMeta {
        kind,
        exported_at: now.into(),
        app: AppInfo { name: "liangshan-survey".into(), version: "0.1.0".into() },
        enumerator: None,
        device: device.into(),
    };
    to_json(&export_file(&shipped(), hs, &cx(), meta))
}

/// The file's households as read back, before anything is stored.
fn incoming(text: &str) -> Vec<Household> {
    read_file(text.as_bytes(), &shipped()).unwrap().households
}

/// The file's households as a tablet that did not have them stores them at `now`.
fn brought_in(text: &str, now: &str) -> Vec<Household> {
    let file = read_file(text.as_bytes(), &shipped()).unwrap();
    let p = preview(&file.households, &[]);
    plan(&file, &[], &p, &MergeChoice::default(), now, &mut || unreachable!("no conflict"))
}

fn both_ways(held: &Household, incoming: &Household) -> (Relation, Relation) {
    (relate(held, incoming), relate(incoming, held))
}

#[test]
fn a_re_export_after_a_correction_continues_the_version_held() {
    let mut a = vec![started("h1", "A", &t(0))];
    finalize(&mut a[0], &t(1));
    let first = export(&mut a, "A", ExportKind::Bureau, &t(2));
    // The bureau (or another tablet) holds the first file's version.
    let held = brought_in(&first, &t(3)).remove(0);
    assert_eq!(held.history.last().unwrap().modified.as_deref(), Some(t(1).as_str()), "the import line says which version");

    correct(&mut a[0], "income_wage", "24000", &t(4), &t(5), &t(6));
    let second = export(&mut a, "A", ExportKind::Bureau, &t(7));
    let file = incoming(&second).remove(0);
    assert_eq!(both_ways(&held, &file), (Relation::Continues, Relation::Superseded));
    // Exported twice, imported twice: still one line.
    let again = brought_in(&second, &t(8)).remove(0);
    assert_eq!(both_ways(&held, &again), (Relation::Continues, Relation::Superseded));
    assert_eq!(relate(&again, &file), Relation::Identical);

    // The first file arriving late on A (or again at the bureau) is an older version.
    assert_eq!(relate(&a[0], &incoming(&first)[0]), Relation::Superseded);
    assert_eq!(relate(&again, &incoming(&first)[0]), Relation::Superseded);
}

#[test]
fn the_three_tablet_scenario_is_a_conflict() {
    // A exports three finalized households; C imports them.
    let mut a: Vec<Household> = (1..=3).map(|i| started(&format!("h{i}"), "A", &t(0))).collect();
    for h in &mut a {
        finalize(h, &t(1));
    }
    let first = export(&mut a, "A", ExportKind::Bureau, &t(2));
    let mut c = brought_in(&first, &t(3));

    // C reopens household 3 and changes the phone number; A changes the wage income.
    correct(&mut c[2], "household_phone", "13912345678", &t(4), &t(5), &t(6));
    correct(&mut a[2], "income_wage", "24000", &t(7), &t(8), &t(9));
    let second = export(&mut a, "A", ExportKind::Bureau, &t(10));
    let file = incoming(&second);

    assert_eq!(both_ways(&c[0], &file[0]), (Relation::Identical, Relation::Identical));
    assert_eq!(both_ways(&c[1], &file[1]), (Relation::Identical, Relation::Identical));
    assert_eq!(both_ways(&c[2], &file[2]), (Relation::Independent, Relation::Independent));

    // Also while C's correction is still a draft, and when C's file reaches A.
    let mut c3 = brought_in(&first, &t(3)).remove(2);
    c3.reopen("电话号码变了", &t(4)).unwrap();
    edit(&mut c3, "household_phone", "13912345678", &t(5));
    assert_eq!(both_ways(&c3, &file[2]), (Relation::Independent, Relation::Independent));
    let from_c = incoming(&export(std::slice::from_mut(&mut c[2]), "C", ExportKind::Bureau, &t(11))).remove(0);
    assert_eq!(relate(&a[2], &from_c), Relation::Independent);

    // Had C only looked at it, A's correction would continue C's copy.
    let untouched = brought_in(&first, &t(3)).remove(2);
    assert_eq!(relate(&untouched, &file[2]), Relation::Continues);
}

#[test]
fn equal_modified_times_neither_hide_a_conflict_nor_make_one() {
    // Only an export line (and an import line) between two versions: the same version.
    let mut a = vec![started("h1", "A", &t(0))];
    finalize(&mut a[0], &t(1));
    let before = a[0].clone();
    let text = export(&mut a, "A", ExportKind::Bureau, &t(2));
    let copy = brought_in(&text, &t(3)).remove(0);
    assert_eq!(before.modified, copy.modified);
    assert_eq!(both_ways(&before, &a[0]), (Relation::Identical, Relation::Identical));
    assert_eq!(both_ways(&before, &copy), (Relation::Identical, Relation::Identical));
    // A draft in a backup keeps its status and time: same.
    let mut draft = vec![started("h2", "A", &t(0))];
    let unexported = draft[0].clone();
    let backup = export(&mut draft, "A", ExportKind::Backup, &t(2));
    assert_eq!(draft[0].status, Status::Draft);
    assert_eq!(relate(&unexported, &incoming(&backup)[0]), Relation::Identical);

    // Exported, then corrected within the same minute as the export: still continues.
    let mut b = vec![started("h3", "A", &t(0))];
    finalize(&mut b[0], &t(1));
    let text = export(&mut b, "A", ExportKind::Bureau, &t(1));
    let held = brought_in(&text, &t(1)).remove(0);
    correct(&mut b[0], "income_wage", "21000", &t(1), &t(1), &t(1));
    assert_eq!(b[0].modified, held.modified, "same time, other content");
    assert_eq!(both_ways(&held, &b[0]), (Relation::Continues, Relation::Superseded));

    // Two tablets restore the same backup at the same instant and change it at the same
    // instant: same line, same time, other content — a conflict, both ways.
    let mut d = vec![started("h4", "A", &t(0))];
    edit(&mut d[0], "household_phone", "13800000001", &t(1));
    let backup = export(&mut d, "A", ExportKind::Backup, &t(2));
    let mut on_c = brought_in(&backup, &t(3)).remove(0);
    let mut on_e = brought_in(&backup, &t(3)).remove(0);
    edit(&mut on_c, "household_phone", "13800000002", &t(4));
    edit(&mut on_e, "income_wage", "5000", &t(4));
    assert_eq!(both_ways(&on_c, &on_e), (Relation::Independent, Relation::Independent));
}

#[test]
fn a_backed_up_draft_edited_on_both_tablets_is_a_conflict() {
    let mut a = vec![started("h1", "A", &t(0))];
    edit(&mut a[0], "household_phone", "13800000001", &t(1));
    let backup = export(&mut a, "A", ExportKind::Backup, &t(2));
    let at_backup = a[0].clone();
    // A goes on editing; the backup is restored on C later, and C edits it too.
    edit(&mut a[0], "income_wage", "24000", &t(3));
    let mut c = brought_in(&backup, &t(4)).remove(0);
    let c_untouched = c.clone();
    edit(&mut c, "household_phone", "13912345678", &t(5));
    // Times alone would say C's is newer and extends A's line; it lacks A's edit at t(3).
    assert_eq!(both_ways(&a[0], &c), (Relation::Independent, Relation::Independent));
    // Through files, either way round.
    let from_c = incoming(&export(std::slice::from_mut(&mut c), "C", ExportKind::Backup, &t(6))).remove(0);
    assert_eq!(relate(&a[0], &from_c), Relation::Independent);
    let from_a = incoming(&export(&mut a, "A", ExportKind::Backup, &t(7))).remove(0);
    assert_eq!(relate(&c, &from_a), Relation::Independent);

    // Only one side edited: a continuation.
    assert_eq!(both_ways(&at_backup, &c), (Relation::Continues, Relation::Superseded));
    assert_eq!(both_ways(&c_untouched, &a[0]), (Relation::Continues, Relation::Superseded));
    // And C finalizing its edit still continues A's draft as it was backed up.
    let mut fin = c.clone();
    finalize(&mut fin, &t(8));
    assert_eq!(relate(&at_backup, &fin), Relation::Continues);
}

#[test]
fn older_versions_arriving_late_are_superseded() {
    let mut a = vec![started("h1", "A", &t(0))];
    edit(&mut a[0], "household_phone", "13800000001", &t(1));
    let draft_backup = export(&mut a, "A", ExportKind::Backup, &t(2));
    finalize(&mut a[0], &t(3));
    let finalized_file = export(&mut a, "A", ExportKind::Bureau, &t(4));
    correct(&mut a[0], "income_wage", "24000", &t(5), &t(6), &t(7));
    let corrected_file = export(&mut a, "A", ExportKind::Bureau, &t(8));

    // On A itself, and at a bureau holding the newest version.
    let bureau = brought_in(&corrected_file, &t(9)).remove(0);
    for held in [&a[0], &bureau] {
        assert_eq!(relate(held, &incoming(&draft_backup)[0]), Relation::Superseded);
        assert_eq!(relate(held, &incoming(&finalized_file)[0]), Relation::Superseded);
        assert_eq!(relate(held, &incoming(&corrected_file)[0]), Relation::Identical);
    }
    // A copy that went through a second tablet unchanged is still the old version.
    let via_c = export(&mut brought_in(&finalized_file, &t(10)), "C", ExportKind::Bureau, &t(11));
    assert_eq!(relate(&bureau, &incoming(&via_c)[0]), Relation::Superseded);
}

#[test]
fn import_lines_without_the_version_brought_in_are_judged_safely() {
    // A file from a kit that did not record which version an import brought in.
    let mut a = vec![started("h1", "A", &t(0))];
    edit(&mut a[0], "household_phone", "13800000001", &t(1));
    let backup = export(&mut a, "A", ExportKind::Backup, &t(2));
    let mut c = brought_in(&backup, &t(3)).remove(0);
    c.history.last_mut().unwrap().modified = None;
    // Left alone since the import: still the version it copied.
    assert_eq!(relate(&c, &a[0]), Relation::Identical);
    edit(&mut a[0], "income_wage", "1", &t(4));
    assert_eq!(relate(&c, &a[0]), Relation::Continues);
    // Changed after it: which version it started from cannot be told — a conflict.
    let mut at_backup = incoming(&backup).remove(0);
    edit(&mut c, "household_phone", "13912345678", &t(5));
    assert_eq!(both_ways(&at_backup, &c), (Relation::Independent, Relation::Independent));
    // Unreadable times never make a continuation.
    at_backup.modified = "yesterday".into();
    assert_eq!(relate(&at_backup, &a[0]), Relation::Independent);
}

// --- Random histories against the truth ---------------------------------------------
//
// A simulation of tablets passing one household around: each version gets a serial number
// and the set of serials it descends from (the truth, kept beside the households). The rule
// must tell exactly that truth from the households alone.

#[derive(Debug, Clone)]
enum Step {
    Edit(usize, u8),
    Finalize(usize),
    Reopen(usize),
    /// A tablet writes a file (a backup: drafts too).
    Export(usize),
    /// A file written earlier (any of them, by number) is brought in on a tablet, replacing
    /// its version.
    Import(usize, usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize, 0..4u8).prop_map(|(d, v)| Step::Edit(d, v)),
        2 => (0..3usize).prop_map(Step::Finalize),
        2 => (0..3usize).prop_map(Step::Reopen),
        2 => (0..3usize).prop_map(Step::Export),
        2 => (0..8usize, 0..3usize).prop_map(|(f, d)| Step::Import(f, d)),
    ]
}

#[derive(Clone)]
struct Version {
    h: Household,
    serial: u32,
    ancestors: BTreeSet<u32>,
}

fn simulate(steps: &[Step]) -> Vec<Version> {
    let mut tablets: Vec<Option<Version>> = vec![None, None, None];
    let mut files: Vec<(String, Version)> = Vec::new();
    let mut serial = 0;
    tablets[0] = Some(Version { h: started("h", "T0", &t(0)), serial: 0, ancestors: BTreeSet::new() });
    let mut seen = vec![tablets[0].clone().unwrap()];
    let values = ["13800000001", "13800000002", "13912345678", "15000000000"];
    for (clock, s) in (1..).zip(steps) {
        let now = t(clock);
        let next = |v: &Version, h: Household, serial: &mut u32| {
            *serial += 1;
            let mut ancestors = v.ancestors.clone();
            ancestors.insert(v.serial);
            Version { h, serial: *serial, ancestors }
        };
        let changed = match s {
            Step::Edit(d, x) => tablets[*d].as_ref().filter(|v| v.h.is_editable()).map(|v| {
                let mut h = v.h.clone();
                edit(&mut h, "household_phone", values[usize::from(*x)], &now);
                (*d, next(v, h, &mut serial))
            }),
            Step::Finalize(d) => tablets[*d].as_ref().and_then(|v| {
                let mut h = v.h.clone();
                let ev = shipped().evaluate_record(&h.record, &cx());
                h.finalize(&ev, &now).ok().map(|()| (*d, next(v, h, &mut serial)))
            }),
            Step::Reopen(d) => tablets[*d].as_ref().and_then(|v| {
                let mut h = v.h.clone();
                h.reopen("更正", &now).ok().map(|()| (*d, next(v, h, &mut serial)))
            }),
            Step::Export(d) => tablets[*d].clone().map(|mut v| {
                let text = export(std::slice::from_mut(&mut v.h), "T", ExportKind::Backup, &now);
                files.push((text, v.clone()));
                (*d, v)
            }),
            Step::Import(f, d) => (!files.is_empty()).then(|| {
                let (text, v) = &files[f % files.len()];
                (*d, Version { h: brought_in(text, &now).remove(0), ..v.clone() })
            }),
        };
        if let Some((d, v)) = changed {
            seen.push(v.clone());
            tablets[d] = Some(v);
        }
    }
    seen
}

fn truth(held: &Version, incoming: &Version) -> Relation {
    if held.serial == incoming.serial {
        Relation::Identical
    } else if incoming.ancestors.contains(&held.serial) {
        Relation::Continues
    } else if held.ancestors.contains(&incoming.serial) {
        Relation::Superseded
    } else {
        Relation::Independent
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn relate_tells_the_true_ancestry_and_is_a_mirror(steps in prop::collection::vec(step(), 1..24)) {
        let versions = simulate(&steps);
        for x in &versions {
            for y in &versions {
                let r = relate(&x.h, &y.h);
                prop_assert_eq!(r, truth(x, y), "held {:?}\nincoming {:?}", x.h.history, y.h.history);
                prop_assert_eq!(relate(&y.h, &x.h), r.mirror());
            }
        }
    }
}
