//! Scale benchmark of the bureau tool (not a test): generates households with rosters, and
//! [`VISITS_PER_HOUSEHOLD`] visit records of each, as export files through the core's own
//! functions (the tablet's lifecycle and export), then
//! runs the real `liangshan-bureau` binary on them — intake, workbook (with CSV), report —
//! and prints each step's time and peak memory (getrusage of the child) beside its budget.
//!
//! ```sh
//! cargo bench -p bureau --bench scale                 # 100,000 households (and 10,000 first)
//! cargo bench -p bureau --bench scale -- 20000        # other sizes
//! ```
//! Two sizes are run so that the figures show how time and memory grow: time per
//! household should stay flat and peak memory should not grow with the number of
//! households (files are read one at a time; tables are streamed).
#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use support::*;
use survey_core::exchange::ExportKind;

/// Households per file (a cadre's export of a few days' work, or a backup).
const PER_FILE: usize = 200;
/// Visit records per household, in the same file (the visit log: a home visit with a
/// promise, and a phone call).
const VISITS_PER_HOUSEHOLD: usize = 2;

/// Budgets for 100,000 households on a 2-core office PC (scaled linearly for other sizes).
const INTAKE_S_PER_100K: f64 = 600.0;
const WORKBOOK_S_PER_100K: f64 = 180.0;
const REPORT_S_PER_100K: f64 = 60.0;
/// Peak memory of any step, whatever the number of households.
const PEAK_MB: f64 = 300.0;

fn generate(dir: &Path, households: usize) -> u64 {
    let s = survey();
    let villages = [("laguo", "laguo"), ("aermazhi", "aermazhi")];
    let heads = ["阿苏", "吉克", "曲比", "沙马", "俄底", "阿牛", "吉木", "孙子", "海来", "木乃"];
    let mut bytes = 0u64;
    let mut n = 0;
    let mut file_no = 0;
    while n < households {
        let count = PER_FILE.min(households - n);
        let cadre = format!("帮扶干部{:02}", file_no % 30);
        let device = format!("tablet-{:02}", file_no % 30);
        let mut hs = Vec::with_capacity(count);
        let mut vs = Vec::with_capacity(count * VISITS_PER_HOUSEHOLD);
        for k in 0..count {
            let i = n + k;
            let (village, prefix) = villages[i % 2];
            let spec = Spec {
                id: format!("{i:08}-0000-4000-8000-000000000000"),
                village,
                group: format!("{prefix}_{}", i % 6 + 1),
                head: format!("{}{}", heads[i % heads.len()], i),
                members: 2 + i % 5,
                housing: ["a", "a", "b", "a", "c", "a", "a", "d", "a", "b"][i % 10],
                last_insured: if i % 13 == 0 { "no" } else { "yes" },
                wage: (i as u32 * 7919) % 60000,
                pepper: if i % 3 == 0 { (150, 120) } else { (0, 0) },
                college: u32::from(i % 17 == 0),
                special_last: ["none", "none", "left_behind_child", "none", "empty_nest_elderly", "none", "alone"][i % 7],
                seq: i as u32,
                cadre: cadre.clone(),
            };
            for k in 0..VISITS_PER_HOUSEHOLD {
                let mut v = VisitSpec::new(&format!("{i:08}-{k:04}-4000-9000-000000000000"), &spec.id, &format!("2026-{:02}-{:02}", 9 + k, 1 + i % 28), &cadre);
                if k == 0 {
                    v.promise = Some(("协助申请危房改造".into(), format!("2026-11-{:02}", 1 + i % 28)));
                } else {
                    v.mode = "phone";
                }
                vs.push(visit(&v, &device, "2026-11-10T02:00:00.000Z"));
            }
            hs.push(finalized(&s, &spec, &device, "2026-11-10T02:00:00.000Z"));
        }
        let text = export_with_visits(&s, &mut hs, &mut vs, ExportKind::Bureau, &device, &cadre, "2026-11-10T08:00:00.000Z");
        bytes += text.len() as u64;
        std::fs::write(dir.join(format!("export_{file_no:05}.json")), text).unwrap();
        n += count;
        file_no += 1;
    }
    bytes
}

/// Runs the tool and returns (seconds, peak resident memory in MB) of that one child.
fn run(register: &Path, args: &[&str]) -> (f64, f64) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_liangshan-bureau"))
        .arg("--register")
        .arg(register)
        .args(["--today", TODAY])
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // wait4 gives this child's own rusage (ru_maxrss: peak resident set, KiB on Linux).
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert!(pid > 0, "wait4");
    let secs = start.elapsed().as_secs_f64();
    let code = libc::WEXITSTATUS(status);
    assert!(code == 0, "liangshan-bureau {args:?} exited with {code}");
    (secs, usage.ru_maxrss as f64 / 1024.0)
}

fn line(what: &str, secs: f64, budget: f64, mb: f64) {
    let ok = |b: bool| if b { "ok" } else { "OVER" };
    println!(
        "  {what:<10} {secs:>8.1} s  (budget {budget:>6.0} s: {})   peak {mb:>6.1} MB  (budget {PEAK_MB:.0} MB: {})",
        ok(secs <= budget),
        ok(mb <= PEAK_MB)
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect::<Vec<_>>();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    println!("liangshan-bureau scale benchmark ({} households per file)", PER_FILE);
    let mut rates = Vec::new();
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let t = Instant::now();
        let bytes = generate(&inbox, n);
        println!(
            "\n{n} households and {} visits: {} files, {:.0} MB of exports (generated with the core in {:.1} s)",
            n * VISITS_PER_HOUSEHOLD,
            n.div_ceil(PER_FILE),
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
        let scale = n as f64 / 100_000.0;
        let db = dir.path().join("register.sqlite");
        let (s1, m1) = run(&db, &["intake", inbox.to_str().unwrap()]);
        line("intake", s1, INTAKE_S_PER_100K * scale, m1);
        let (s0, m0) = run(&db, &["intake", inbox.to_str().unwrap()]);
        line("again", s0, INTAKE_S_PER_100K * scale, m0);
        let xlsx = dir.path().join("register.xlsx");
        let csv = dir.path().join("csv");
        let (s2, m2) = run(&db, &["workbook", "-o", xlsx.to_str().unwrap(), "--csv", csv.to_str().unwrap()]);
        line("workbook", s2, WORKBOOK_S_PER_100K * scale, m2);
        let html = dir.path().join("report.html");
        let (s3, m3) = run(&db, &["report", "-o", html.to_str().unwrap()]);
        line("report", s3, REPORT_S_PER_100K * scale, m3);
        let size = |p: &Path| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1e6);
        println!(
            "  register {:.0} MB ({:.1} KB per household), workbook {:.0} MB, report {:.1} MB",
            size(&db),
            size(&db) * 1000.0 / n as f64,
            size(&xlsx),
            size(&html)
        );
        if std::env::var_os("BUREAU_BENCH_KEEP").is_some() {
            println!("  kept in {}", dir.keep().display());
        }
        rates.push((n, s1 / n as f64, s2 / n as f64, s3 / n as f64, size(&db) / n as f64, m1.max(m2).max(m3)));
    }
    if let Some(&(n, intake, workbook, report, db, peak)) = rates.last() {
        let m = 1_000_000.0;
        println!("\nA million households, extrapolated linearly from {n}:");
        println!(
            "  intake {:.0} min, workbook {:.0} min, report {:.0} min, register {:.1} GB; peak memory measured {peak:.0} MB at {n}",
            intake * m / 60.0,
            workbook * m / 60.0,
            report * m / 60.0,
            db * m / 1000.0
        );
        if rates.len() > 1 {
            let (n0, i0, ..) = rates[0];
            println!("  intake time per household: {:.2} ms at {n0}, {:.2} ms at {n}", i0 * 1000.0, intake * 1000.0);
        }
    }
}
