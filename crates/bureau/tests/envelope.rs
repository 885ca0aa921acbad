//! Encrypted files at the bureau: a key pair made by `keygen`, files sealed with the core's
//! envelope functions (as the tablet will seal them), opened on intake with the private
//! key; a wrong key, a changed file, a missing key or a wrong passphrase is refused with a
//! clear message and changes nothing.
mod support;

use std::path::Path;
use std::process::Command;

use rusqlite::Connection;
use support::*;
use survey_core::envelope;
use survey_core::exchange::ExportKind;

const PASS: &str = "州局的口令 ꆈꌠ 2026";

fn bureau(register: &Path, pass: Option<&str>, args: &[&str]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_liangshan-bureau"));
    c.arg("--register").arg(register).args(["--today", TODAY]).args(args);
    c.env_remove("LIANGSHAN_KEY_PASSPHRASE").env_remove("LIANGSHAN_KEY");
    if let Some(p) = pass {
        c.env("LIANGSHAN_KEY_PASSPHRASE", p);
    }
    let out = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn households(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    Connection::open(db).unwrap().query_row("SELECT count(*) FROM households", [], |r| r.get(0)).unwrap_or(0)
}

#[test]
fn encrypted_files_are_opened_with_the_bureaus_key_and_refused_otherwise() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    let pem = dir.path().join("bureau-private-key.pem");
    let public = dir.path().join("bureau-public-key.txt");

    // keygen: a short passphrase is refused; a good one writes both halves.
    let (code, _, err) = bureau(&db, Some("short"), &["keygen", "-o", pem.to_str().unwrap(), "--public", public.to_str().unwrap()]);
    assert_eq!(code, bureau::exit::USAGE);
    assert!(err.contains(&bureau::keys::message("passphrase_short").zh), "{err}");
    assert!(!pem.exists());
    let (code, out, err) = bureau(&db, Some(PASS), &["keygen", "-o", pem.to_str().unwrap(), "--public", public.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let public_key = std::fs::read_to_string(&public).unwrap().trim().to_string();
    assert!(out.contains(&public_key));
    assert!(std::fs::read_to_string(&pem).unwrap().contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    // Never overwritten.
    let (code, _, _) = bureau(&db, Some(PASS), &["keygen", "-o", pem.to_str().unwrap(), "--public", public.to_str().unwrap()]);
    assert_eq!(code, bureau::exit::USAGE);

    let mut hs = vec![finalized(&s, &Spec::new("hh-1", "阿苏拉且"), "t", "2026-11-10T02:00:00.000Z")];
    // With a visit (the visit log travels in the same file, encrypted with it).
    let mut vs = vec![visit(&VisitSpec::new("v-1", "hh-1", "2026-11-09", "吉克阿依"), "t", "2026-11-10T03:00:00.000Z")];
    let plain = export_with_visits(&s, &mut hs, &mut vs, ExportKind::Bureau, "t", "吉克阿依", "2026-11-10T08:00:00.000Z");
    let sealed = envelope::seal_bureau(plain.as_bytes(), &public_key).unwrap();
    let good = dir.path().join("sealed.json");
    std::fs::write(&good, &sealed).unwrap();
    // For another key (the repository's TEST key).
    let other_key = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../survey-core/tests/fixtures/envelope/test-public-key.b64")).unwrap();
    let other = dir.path().join("other-key.json");
    std::fs::write(&other, envelope::seal_bureau(plain.as_bytes(), other_key.trim()).unwrap()).unwrap();
    // Changed after sealing: one character of the ciphertext.
    let mut v: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
    let mut ct = v["ciphertext"].as_str().unwrap().to_string();
    let flip = if ct.as_bytes()[10] == b'A' { "B" } else { "A" };
    ct.replace_range(10..11, flip);
    v["ciphertext"] = ct.into();
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, v.to_string()).unwrap();
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &sealed[..sealed.len() / 2]).unwrap();

    // A wrong passphrase: nothing read, no register made.
    let (code, _, err) = bureau(&db, Some("not the passphrase"), &["--key", pem.to_str().unwrap(), "intake", good.to_str().unwrap()]);
    assert_eq!(code, bureau::exit::USAGE);
    assert!(err.contains(&bureau::keys::message("bad_private_key").zh), "{err}");
    assert!(!db.exists());

    // Without a key: refused, with the way to open it.
    let (code, out, _) = bureau(&db, None, &["--json", "intake", good.to_str().unwrap()]);
    assert_eq!(code, bureau::exit::REFUSED);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["files"][0]["code"], "no_key");
    assert_eq!(households(&db), 0);

    // With the key: the good file taken; the others refused, each saying why.
    let args = ["--json", "--key", pem.to_str().unwrap(), "intake", good.to_str().unwrap(), other.to_str().unwrap(), tampered.to_str().unwrap(), cut.to_str().unwrap()];
    let (code, out, err) = bureau(&db, Some(PASS), &args);
    assert_eq!(code, bureau::exit::REFUSED, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<_> = r["files"].as_array().unwrap().iter().map(|f| (f["outcome"].as_str().unwrap(), f["code"].as_str().unwrap_or(""))).collect();
    assert_eq!(codes, [("taken", ""), ("refused", "wrong_key"), ("refused", "tampered"), ("refused", "truncated")]);
    assert_eq!(r["files"][1]["message"]["zh"], bureau::keys::message("wrong_key").zh);
    assert_eq!(households(&db), 1);
    assert_eq!(r["files"][0]["visits"]["new"], 1, "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM visits WHERE _household_id = 'hh-1'"), 1);
    // The same encrypted file again: already taken (recognised by its hash, no key needed).
    let (_, out, _) = bureau(&db, None, &["--json", "intake", good.to_str().unwrap()]);
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["files"][0]["outcome"], "already_taken");
}
