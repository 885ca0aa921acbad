//! `liangshan-bureau`: the bureau's command-line tool. See `docs/bureau.md`.
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bureau::intake::{self, Options, Outcome};
use bureau::lists::ListOptions;
use bureau::register::Register;
use bureau::surveys::Surveys;
use bureau::tables::{self, Lang, TableOptions};
use bureau::text::t;
use bureau::{exit, report, Error};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use survey_core::dates::{format_date, from_days};
use survey_core::Context;

/// 州住建局的数据汇总工具：把平板导出的文件收进登记库，生成工作簿和进度报告。
/// The bureau's tool: takes the tablets' export files into one register, writes the
/// workbook and the progress report.
#[derive(Parser, Debug)]
#[command(name = "liangshan-bureau", version, max_term_width = 100)]
struct Cli {
    /// 登记库文件（SQLite）/ the register file (SQLite)
    #[arg(long, short = 'r', global = true, env = "LIANGSHAN_REGISTER", default_value = "register.sqlite")]
    register: PathBuf,
    /// 以 JSON 输出结果（供脚本使用）/ print the result as JSON, for scripts
    #[arg(long, global = true)]
    json: bool,
    /// 另一版本的问卷文件夹（可多次）/ another survey version's folder (repeatable)
    #[arg(long = "survey", global = true, value_name = "DIR")]
    surveys: Vec<PathBuf>,
    /// 以此日期为“今天”核查（默认北京时间今天）/ "today" for re-validation (default: today in China)
    #[arg(long, global = true, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    /// 州局私钥文件，用于打开加密文件；口令取自 LIANGSHAN_KEY_PASSPHRASE 或提示输入 /
    /// the bureau's private key file, to open encrypted files; passphrase from
    /// LIANGSHAN_KEY_PASSPHRASE or a prompt
    #[arg(long, global = true, env = "LIANGSHAN_KEY", value_name = "PEM")]
    key: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 收取导出文件、文件夹或 .zip 压缩包 / take in export files, folders or .zip archives
    Intake {
        /// 文件、文件夹或 .zip / files, folders or .zip archives
        #[arg(required = true, value_name = "PATH")]
        inputs: Vec<PathBuf>,
    },
    /// 列出冲突（两台平板分别修改的农户）/ list conflicts (households edited independently)
    Conflicts,
    /// 解决冲突：保留一个版本 / resolve a conflict by keeping one version
    Resolve {
        /// 农户编号或走访记录编号 / household id, or visit id
        household_id: String,
        /// 要保留的版本号（见 conflicts）/ the version to keep (see `conflicts`)
        #[arg(long, value_name = "VERSION")]
        keep: i64,
        /// 说明（记入登记库）/ a note, kept in the register
        #[arg(long)]
        note: Option<String>,
    },
    /// 生成工作簿（.xlsx），也可生成 CSV / write the workbook (.xlsx), and CSV tables
    Workbook {
        /// 输出的 .xlsx 文件 / the .xlsx file to write
        #[arg(long, short = 'o', default_value = "register.xlsx")]
        out: PathBuf,
        /// 同时把各表写成 CSV（UTF-8 带 BOM）到此文件夹 / also write each table as CSV (UTF-8 with BOM) into this folder
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
        /// 表头和选项的语言 / language of headers and choice labels
        #[arg(long, value_enum, default_value = "zh")]
        lang: Lang,
        /// 人均纯收入低于此数（元）列入名单（默认问卷设置 income_monitoring_line）/ income-per-head line (default: the survey's setting)
        #[arg(long, value_name = "YUAN")]
        income_line: Option<f64>,
    },
    /// 生成州局的密钥对（私钥加口令保存，公钥填入问卷设置 public_key）/ make the bureau's key pair
    /// (private key protected by a passphrase; the public key goes into the survey's public_key setting)
    Keygen {
        /// 私钥文件（不会覆盖已有文件）/ the private key file to write (never overwritten)
        #[arg(long, short = 'o', default_value = "bureau-private-key.pem")]
        out: PathBuf,
        /// 公钥文件 / the public key file to write
        #[arg(long, default_value = "bureau-public-key.txt")]
        public: PathBuf,
    },
    /// 生成进度报告（单个 HTML 文件）/ write the progress report (one HTML file)
    Report {
        /// 输出的 .html 文件 / the .html file to write
        #[arg(long, short = 'o', default_value = "report.html")]
        out: PathBuf,
        /// 分派名单（CSV：帮扶责任人 → 农户）/ the assignment list (CSV: cadre → households)
        #[arg(long, value_name = "CSV")]
        assignments: Option<PathBuf>,
        /// 人均纯收入低于此数（元）列入名单 / income-per-head line (yuan)
        #[arg(long, value_name = "YUAN")]
        income_line: Option<f64>,
    },
}

/// Now (RFC 3339, UTC) and today's date in China (UTC+8, the bureau's clock).
fn clock() -> (String, String) {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let day = |s: i64| from_days((s.div_euclid(86_400)) as i32).map(format_date).unwrap_or_default();
    let rem = secs.rem_euclid(86_400);
    let now = format!("{}T{:02}:{:02}:{:02}Z", day(secs), rem / 3600, rem % 3600 / 60, rem % 60);
    (now, day(secs + 8 * 3600))
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("{} {e}", t("bureau.cli.error").both());
    ExitCode::from(exit::USAGE as u8)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => fail(e),
    }
}

fn surveys(cli: &Cli) -> Result<Surveys, Error> {
    let mut s = Surveys::builtin();
    for dir in &cli.surveys {
        s.add_dir(dir).map_err(Error::Message)?;
    }
    Ok(s)
}

fn income_line(surveys: &Surveys, given: Option<f64>) -> f64 {
    given
        .or_else(|| surveys.primary().setting("income_monitoring_line").and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

fn progress(n: usize, json: bool) -> ProgressBar {
    let bar = ProgressBar::new(n as u64);
    if json || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}

fn print_json(v: &impl serde::Serialize) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// The passphrase: `LIANGSHAN_KEY_PASSPHRASE`, else typed at a prompt (not echoed).
fn passphrase(prompt_key: &str) -> Result<String, Error> {
    if let Ok(p) = std::env::var("LIANGSHAN_KEY_PASSPHRASE") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Message(t("bureau.envelope.no_passphrase").both()));
    }
    rpassword::prompt_password(format!("{}: ", t(prompt_key).both())).map_err(|e| Error::Message(e.to_string()))
}

fn keygen(out: &Path, public: &Path, json: bool) -> Result<i32, Error> {
    if out.exists() {
        return Err(Error::Message(format!("{}: {}", out.display(), t("bureau.envelope.exists").both())));
    }
    let pass = passphrase("bureau.envelope.new_passphrase")?;
    if std::env::var("LIANGSHAN_KEY_PASSPHRASE").is_err() && passphrase("bureau.envelope.again")? != pass {
        return Err(Error::Message(bureau::keys::message("passphrase_mismatch").both()));
    }
    let (pem, public_key) = bureau::keys::generate(&pass).map_err(|e| Error::Message(bureau::keys::message(e.code()).both()))?;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(out).map_err(|e| Error::io(out, e))?;
    std::io::Write::write_all(&mut f, pem.as_bytes()).map_err(|e| Error::io(out, e))?;
    std::fs::write(public, format!("{public_key}\n")).map_err(|e| Error::io(public, e))?;
    if json {
        print_json(&serde_json::json!({ "private_key": out, "public_key": public_key }));
    } else {
        println!("{} {}", t("bureau.cli.written").zh, out.display());
        println!("{} {}", t("bureau.cli.written").zh, public.display());
        println!("{}", t("bureau.envelope.keygen_hint").zh);
        println!("{public_key}");
    }
    Ok(exit::OK)
}

fn run(cli: Cli) -> Result<i32, Error> {
    if let Command::Keygen { out, public } = &cli.command {
        return keygen(out, public, cli.json);
    }
    let (now, china_today) = clock();
    let today_text = cli.today.clone().unwrap_or(china_today);
    let today = Context::from_iso(&today_text)
        .ok_or_else(|| Error::Message(format!("--today {today_text}: {}", t("bureau.cli.bad_date").both())))?;
    // The key (only intake needs it) is opened before anything else: a wrong passphrase
    // changes nothing.
    let key = match cli.key.as_ref().filter(|_| matches!(cli.command, Command::Intake { .. })) {
        Some(path) => Some(bureau::keys::BureauKey::load(path, &passphrase("bureau.envelope.passphrase")?).map_err(|e| match e {
            bureau::keys::KeyError::Io(e) => Error::io(path, e),
            bureau::keys::KeyError::Envelope(e) => Error::Message(format!("{}: {}", path.display(), bureau::keys::message(e.code()).both())),
        })?),
        None => None,
    };
    let opts = Options { today, now: now.clone(), key, photos_dir: bureau::photos::photos_dir(&cli.register) };
    let known = surveys(&cli)?;
    let mut reg = Register::open(&cli.register)?;
    let surveys = reg.surveys(known)?;
    match &cli.command {
        Command::Intake { inputs } => {
            let locations = intake::locate(inputs)
                .map_err(|p| Error::Message(format!("{p}: {}", t("bureau.cli.no_such_input").both())))?;
            let bar = progress(locations.len(), cli.json);
            let reports = intake::intake(&mut reg, &surveys, &locations, &opts, |r| {
                bar.inc(1);
                bar.set_message(r.name.clone());
            })?;
            bar.finish_and_clear();
            let conflicts = intake::conflicts(&reg.conn)?;
            let orphans = intake::visits_without_household(&reg.conn)?;
            if cli.json {
                print_json(&serde_json::json!({
                    "files": reports,
                    "open_conflicts": conflicts.len(),
                    "visits_without_household": orphans
                }));
            } else {
                print_intake(&reports, conflicts.len(), orphans);
            }
            Ok(if reports.iter().any(|r| r.outcome == Outcome::Refused) {
                exit::REFUSED
            } else if !conflicts.is_empty() {
                exit::CONFLICTS
            } else {
                exit::OK
            })
        }
        Command::Conflicts => {
            let conflicts = intake::conflicts(&reg.conn)?;
            if cli.json {
                print_json(&conflicts);
            } else if conflicts.is_empty() {
                println!("{}", t("bureau.cli.no_conflicts").zh);
            } else {
                println!("{}", t("bureau.cli.conflicts_head").zh);
                for c in &conflicts {
                    match &c.visit_id {
                        Some(v) => println!("{} {v}  ({} {})", t("bureau.visit.conflict").zh, c.household_id, c.head_name.as_deref().unwrap_or("")),
                        None => println!("{}  {}", c.household_id, c.head_name.as_deref().unwrap_or("")),
                    }
                    for v in &c.versions {
                        println!(
                            "  {} {:>6}  {}  {}  {}{}",
                            t("bureau.problem.version").zh,
                            v.version_id,
                            v.modified,
                            v.enumerator.as_deref().unwrap_or(""),
                            v.file,
                            if v.current { format!("  ({})", t("bureau.problem.current").zh) } else { String::new() }
                        );
                    }
                }
                println!("{}", t("bureau.cli.resolve_hint").zh);
            }
            Ok(if conflicts.is_empty() { exit::OK } else { exit::CONFLICTS })
        }
        Command::Resolve { household_id, keep, note } => {
            match intake::resolve(&mut reg, &surveys, household_id, *keep, note.as_deref(), &opts)? {
                Ok(()) => {
                    if cli.json {
                        print_json(&serde_json::json!({ "household_id": household_id, "kept": keep }));
                    } else {
                        println!("{} {household_id} → {keep}", t("bureau.cli.resolved").zh);
                    }
                    Ok(exit::OK)
                }
                Err(e) => {
                    let key = match e {
                        intake::ResolveError::NotInConflict => "bureau.cli.not_in_conflict",
                        intake::ResolveError::NotAHead => "bureau.cli.not_a_head",
                    };
                    eprintln!("{}", t(key).both());
                    Ok(exit::USAGE)
                }
            }
        }
        Command::Workbook { out, csv, lang, income_line: line } => {
            let topts = TableOptions { lang: *lang, lists: ListOptions { income_line: income_line(&surveys, *line) } };
            let counts = tables::write_workbook(&reg.conn, out, topts)?;
            let csv_files = match csv {
                Some(dir) => tables::write_csv(&reg.conn, dir, topts)?.1,
                None => Vec::new(),
            };
            if cli.json {
                print_json(&serde_json::json!({ "workbook": out, "rows": counts, "csv": csv_files }));
            } else {
                println!("{} {}", t("bureau.cli.written").zh, out.display());
                for (k, n, secs) in &counts {
                    println!("  {k}: {n} ({secs:.1} s)");
                }
                for f in &csv_files {
                    println!("{} {}", t("bureau.cli.written").zh, f.display());
                }
            }
            Ok(exit::OK)
        }
        Command::Report { out, assignments, income_line: line } => {
            let labels = tables::Labels::load(&reg.conn)?;
            let list = match assignments {
                Some(p) => Some(bureau::assignments::load(p, &reg.conn, &labels)?),
                None => None,
            };
            let ropts = report::ReportOptions {
                lists: ListOptions { income_line: income_line(&surveys, *line) },
                now,
                today: today_text.clone(),
                register_name: file_name(&cli.register),
            };
            let summary = report::write(&reg.conn, out, list.as_deref(), &ropts)?;
            if cli.json {
                print_json(&serde_json::json!({ "report": out, "summary": summary }));
            } else {
                println!("{} {}", t("bureau.cli.written").zh, out.display());
                println!(
                    "  {} {} · {} {} · {} {}",
                    t("bureau.report.households").zh,
                    summary.households,
                    t("bureau.report.done").zh,
                    summary.done,
                    t("bureau.report.conflicts").zh,
                    summary.conflicts
                );
                println!(
                    "  {} {} · {} {}",
                    t("bureau.visit.report_visits").zh,
                    summary.visits,
                    t("bureau.visit.report_past_due").zh,
                    summary.promises_past_due
                );
            }
            Ok(exit::OK)
        }
        Command::Keygen { .. } => unreachable!("handled first"),
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().to_string())
}

fn print_intake(reports: &[intake::FileReport], open_conflicts: usize, orphans: i64) {
    let head = |k: &str| t(&format!("bureau.intake.{k}")).zh;
    println!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        head("outcome"),
        head("households"),
        head("new"),
        head("updated"),
        head("identical"),
        head("superseded"),
        head("conflict"),
        t("bureau.visit.intake_visits").zh,
        head("file")
    );
    let (mut taken, mut seen, mut refused) = (0, 0, 0);
    for r in reports {
        let outcome = match r.outcome {
            Outcome::Taken => {
                taken += 1;
                head("taken")
            }
            Outcome::AlreadyTaken => {
                seen += 1;
                head("already_taken")
            }
            Outcome::Refused => {
                refused += 1;
                head("refused")
            }
        };
        let n = &r.tally;
        println!(
            "{outcome}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.households,
            n.new,
            n.updated,
            n.identical,
            n.superseded,
            n.conflict,
            r.visits.map_or(0, |v| v.count),
            r.name
        );
        if let Some(v) = r.visits {
            let m = &v.tally;
            println!(
                "\t{}: {} {} · {} {} · {} {} · {} {} · {} {}",
                t("bureau.visit.intake_visits").zh,
                head("new"),
                m.new,
                head("updated"),
                m.updated,
                head("identical"),
                m.identical,
                head("superseded"),
                m.superseded,
                head("conflict"),
                m.conflict
            );
        }
        if let Some(m) = &r.message {
            println!("\t{}", m.zh);
            if m.ii != m.zh {
                println!("\t{}", m.ii);
            }
        }
    }
    println!(
        "{}: {taken} · {}: {seen} · {}: {refused} · {}: {open_conflicts}",
        head("taken"),
        head("already_taken"),
        head("refused"),
        head("open_conflicts")
    );
    if orphans > 0 {
        let m = t("bureau.visit.without_household");
        println!("{}: {orphans}", m.zh);
        if m.ii != m.zh {
            println!("{}: {orphans}", m.ii);
        }
    }
}
