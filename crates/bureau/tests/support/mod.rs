//! Export files made the way the tablet makes them: households built with the core's
//! lifecycle (created, answered, warnings acknowledged, finalized, exported) and written
//! with the core's export functions. Shared by the integration tests and the benchmark.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use survey_core::checks::EnumeratorProfile;
use survey_core::exchange::{add_visits, export_file, to_json, AppInfo, ExportKind, ExportMeta};
use survey_core::id_number::check_char;
use survey_core::{Context, FieldPath, Household, Survey};

/// The shipped survey (built into the bureau tool).
pub fn survey() -> Survey {
    bureau::surveys::Surveys::builtin().primary().clone()
}

/// Evaluation date of the fixtures.
pub const TODAY: &str = "2026-11-20";

pub fn cx() -> Context {
    Context::from_iso(TODAY).unwrap()
}

/// A valid resident ID number (Butuo, the given birth date, sequence `seq`).
pub fn id_number(birth: &str, seq: u32) -> String {
    let first = format!("513429{}{:03}", birth.replace('-', ""), seq % 1000);
    format!("{first}{}", check_char(&first).unwrap())
}

/// What varies between fixture households.
#[derive(Debug, Clone)]
pub struct Spec {
    pub id: String,
    pub village: &'static str,
    pub group: String,
    pub head: String,
    pub members: usize,
    /// Housing grade (a–d).
    pub housing: &'static str,
    /// Answer to medical insurance of the last member.
    pub last_insured: &'static str,
    pub wage: u32,
    pub pepper: (u32, u32),
    pub college: u32,
    pub special_last: &'static str,
    /// Resident ID number sequence base (distinct households get distinct numbers).
    pub seq: u32,
    pub cadre: String,
}

impl Spec {
    pub fn new(id: &str, head: &str) -> Spec {
        Spec {
            id: id.to_string(),
            village: "laguo",
            group: "laguo_2".into(),
            head: head.to_string(),
            members: 2,
            housing: "a",
            last_insured: "yes",
            wage: 20000,
            pepper: (0, 0),
            college: 0,
            special_last: "none",
            seq: 1,
            cadre: "吉克阿依".into(),
        }
    }
}

fn set(h: &mut Household, k: &str, v: &str) {
    h.record.answers.set(&FieldPath::top(k), v);
}

fn set_m(h: &mut Household, i: usize, k: &str, v: &str) {
    h.record.answers.set(&FieldPath::member("members", i, k), v);
}

/// A household answered from `spec`, finalized at `at` (every warning acknowledged with a
/// reason), as the tablet does it.
pub fn finalized(survey: &Survey, spec: &Spec, device: &str, at: &str) -> Household {
    let mut h = Household::new(spec.id.clone(), survey.id(), survey.version(), device.to_string(), at);
    h.enumerator = Some(EnumeratorProfile { name: spec.cadre.clone(), phone: "13800138000".into(), unit: "州住建局".into() });
    set(&mut h, "village", spec.village);
    set(&mut h, "village_group", &spec.group);
    set(&mut h, "visit_date", "2026-11-15");
    set(&mut h, "cadre_name", &spec.cadre);
    set(&mut h, "cadre_phone", "13800138000");
    set(&mut h, "head_name", &spec.head);
    set(&mut h, "household_category", "general");
    set(&mut h, "support_flags", "dibao");
    // Birth dates and ID sequences vary with `seq`, so that ID numbers differ between
    // households (for seq below 537,600).
    let (day, month, shift) = ((spec.seq / 80) % 28 + 1, (spec.seq / 2240) % 12 + 1, (spec.seq / 26_880) % 20);
    for i in 0..spec.members {
        let (year, relation, sex) = match i {
            0 => (1960 + shift, "head", "male"),
            1 => (1962 + shift, "spouse", "female"),
            _ => (2012, "child", if i % 2 == 0 { "male" } else { "female" }),
        };
        let birth = &format!("{year}-{month:02}-{day:02}");
        // Sequence parity gives the sex (odd = male).
        let base = (spec.seq % 80) * 12 + i as u32 * 2;
        let seq = if sex == "male" { base | 1 } else { base & !1 };
        let name = if i == 0 { spec.head.clone() } else { format!("{}{}", spec.head, i) };
        set_m(&mut h, i, "member_name", &name);
        set_m(&mut h, i, "id_number", &id_number(birth, seq));
        set_m(&mut h, i, "relation", relation);
        set_m(&mut h, i, "sex", sex);
        set_m(&mut h, i, "birth_date", birth);
        let insured = if i + 1 == spec.members { spec.last_insured } else { "yes" };
        set_m(&mut h, i, "medical_insurance", insured);
        if i >= 2 {
            set_m(&mut h, i, "school_status", "primary");
        }
        if i + 1 == spec.members {
            set_m(&mut h, i, "special_group", spec.special_last);
        }
    }
    for f in ["food_secure", "clothing_secure", "education_secured", "medical_secured", "water_all_year", "water_safe"] {
        set(&mut h, f, "yes");
    }
    if spec.last_insured == "no" {
        set(&mut h, "medical_secured", "no");
    }
    set(&mut h, "housing_grade", spec.housing);
    if spec.housing == "d" {
        // Grade D needs the photo of the damage: its reference (the photo is the tablet's).
        set(&mut h, "house_photo_damage", &survey_core::media::photo_ref(&[spec.seq as u8; 32]));
    }
    set(&mut h, "pepper_received", &spec.pepper.0.to_string());
    if spec.pepper.0 > 0 {
        set(&mut h, "pepper_planted", &spec.pepper.1.to_string());
    }
    set(&mut h, "pigs", "2");
    set(&mut h, "income_wage", &spec.wage.to_string());
    for f in ["income_business", "income_property", "income_transfer"] {
        set(&mut h, f, "0");
    }
    set(&mut h, "college_admitted", &spec.college.to_string());
    acknowledge_and_finalize(survey, &mut h, at);
    h
}

/// Acknowledges every warning (with a reason) and finalizes; panics on an error (a fixture
/// bug).
pub fn acknowledge_and_finalize(survey: &Survey, h: &mut Household, at: &str) {
    let ev = survey.evaluate_record(&h.record, &cx());
    let errors: Vec<String> = ev.errors().map(|i| format!("{} {:?}", i.path, i.rule)).collect();
    assert!(errors.is_empty(), "fixture has errors: {errors:?}");
    let warned: Vec<FieldPath> = ev.unacknowledged_warnings().map(|i| i.path.clone()).collect();
    for p in warned {
        let v = ev.value(&p).to_string();
        h.record.acknowledge(p, &v, Some("已核实".into()));
    }
    let ev = survey.evaluate_record(&h.record, &cx());
    h.finalize(&ev, at).expect("finalizes");
}

/// Reopens, changes answers and finalizes again (a correction).
pub fn correct(survey: &Survey, h: &mut Household, reason: &str, at: &str, changes: &[(&str, &str)]) {
    h.reopen(reason, at).unwrap();
    for (k, v) in changes {
        let path: FieldPath = k.parse().unwrap();
        h.record.answers.set(&path, *v);
    }
    acknowledge_and_finalize(survey, h, at);
}

/// Marks `hs` exported at `at` and writes the export file, as the tablet does.
pub fn export(survey: &Survey, hs: &mut [Household], kind: ExportKind, device: &str, cadre: &str, at: &str) -> String {
    export_with_visits(survey, hs, &mut [], kind, device, cadre, at)
}

/// [`export`] of households and visits (`vs`, of the shipped visit survey) in one file.
pub fn export_with_visits(
    survey: &Survey,
    hs: &mut [Household],
    vs: &mut [Household],
    kind: ExportKind,
    device: &str,
    cadre: &str,
    at: &str,
) -> String {
    for h in hs.iter_mut().chain(vs.iter_mut()) {
        if kind == ExportKind::Bureau {
            h.mark_exported(at);
        }
    }
    let meta = ExportMeta {
        kind,
        exported_at: at.to_string(),
        app: AppInfo { name: "liangshan-survey".into(), version: "0.1.0".into() },
        enumerator: Some(EnumeratorProfile { name: cadre.into(), phone: "13800138000".into(), unit: "州住建局".into() }),
        device: device.to_string(),
    };
    let mut file = export_file(survey, hs, &cx(), meta);
    add_visits(&mut file, &visit_survey(), vs, &cx());
    to_json(&file)
}

/// The shipped visit survey (the visit log, built into the bureau tool).
pub fn visit_survey() -> Survey {
    bureau::surveys::Surveys::builtin().visit().expect("the visit survey is built in").clone()
}

/// What varies between fixture visits.
#[derive(Debug, Clone)]
pub struct VisitSpec {
    pub id: String,
    /// The household visited.
    pub household: String,
    pub date: String,
    /// `home` or `phone`.
    pub mode: &'static str,
    pub met: String,
    /// What was promised and by when.
    pub promise: Option<(String, String)>,
    /// How far the promises of earlier visits got (`done`, `in_progress`, `not_done`, `none`).
    pub previous_promise: Option<&'static str>,
    pub cadre: String,
    /// A photo reference.
    pub photo: Option<String>,
}

impl VisitSpec {
    pub fn new(id: &str, household: &str, date: &str, cadre: &str) -> VisitSpec {
        VisitSpec {
            id: id.into(),
            household: household.into(),
            date: date.into(),
            mode: "home",
            met: "户主本人".into(),
            promise: None,
            previous_promise: None,
            cadre: cadre.into(),
            photo: None,
        }
    }
}

/// A visit recorded from `spec` on the tablet `device` and finalized at `at`.
pub fn visit(spec: &VisitSpec, device: &str, at: &str) -> Household {
    let s = visit_survey();
    let mut h = Household::new(spec.id.clone(), s.id(), s.version(), device.to_string(), at);
    h.household_id = Some(spec.household.clone());
    h.enumerator = Some(EnumeratorProfile { name: spec.cadre.clone(), phone: "13800138000".into(), unit: "州住建局".into() });
    set(&mut h, "visit_date", &spec.date);
    set(&mut h, "visit_mode", spec.mode);
    set(&mut h, "met_whom", &spec.met);
    set(&mut h, "changes", "health");
    set(&mut h, "change_health", "老人住院");
    set(&mut h, "problems", "屋顶漏雨");
    set(&mut h, "help_given", "联系了医保");
    if let Some(state) = spec.previous_promise {
        set(&mut h, "previous_promise", state);
    }
    if let Some((what, due)) = &spec.promise {
        set(&mut h, "promise", what);
        set(&mut h, "promise_due", due);
    }
    if let Some(p) = &spec.photo {
        set(&mut h, "visit_photo", p);
    }
    set(&mut h, "cadre_name", &spec.cadre);
    acknowledge_and_finalize(&s, &mut h, at);
    h
}

/// The passphrase of the TEST-ONLY bureau key (`crates/survey-core/tests/fixtures/envelope/`).
pub const TEST_PASS: &str = "test-only-not-a-secret";

/// Runs the real binary on `register` with `--today TODAY --json` (key passphrase: the
/// TEST-ONLY one; no key from the environment): exit code, parsed stdout, stdout + stderr.
pub fn bureau_json(register: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liangshan-bureau"))
        .arg("--register")
        .arg(register)
        .args(["--today", TODAY, "--json"])
        .args(args)
        .env("LIANGSHAN_KEY_PASSPHRASE", TEST_PASS)
        .env_remove("LIANGSHAN_KEY")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), v, format!("{stdout}{stderr}"))
}

/// One number from the register.
pub fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every row of `tables`, as text (to prove an intake changed nothing).
pub fn snapshot_of(db: &Path, tables: &[&str]) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut out = String::new();
    for table in tables {
        let mut st = c.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2")).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap())).collect::<Vec<_>>().join("|")))
            .unwrap();
        for row in rows {
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    out
}

/// A real JPEG (the image crate's encoder), `w`×`h`, a gradient seeded by `seed`.
pub fn jpeg(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, seed]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img).unwrap();
    out
}

/// A photo's reference: its SHA-256, `.jpg`.
pub fn reference(bytes: &[u8]) -> String {
    format!("{}.jpg", bureau::intake::sha256(bytes))
}

/// The export zip: `<name>.json` and `photos/…`, entries stored (as the contract says).
pub fn zip_file(path: &Path, json_name: &str, json: &[u8], photos: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file(json_name, o).unwrap();
    z.write_all(json).unwrap();
    for (name, bytes) in photos {
        z.start_file(format!("photos/{name}"), o).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}
