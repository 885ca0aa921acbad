//! Messages in Chinese and Yi, taken from the locale files the app uses (`locales/zh`,
//! `locales/ii`, and `locales/ii-status` for which Yi texts are drafts), and escaping for
//! the outputs: HTML and spreadsheets.
//!
//! Import refusals use the app's own `exchange` messages (`exchange.error.<code>`,
//! `exchange.problem.<code>`), so a clerk reads what a cadre reads on the tablet; the
//! bureau's own texts are in the `bureau` area.
use std::sync::OnceLock;

use serde_json::Value;

/// A text in both languages. `ii` falls back to Chinese where no Yi text exists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Bi {
    /// Chinese.
    pub zh: String,
    /// Nuosu Yi (or the Chinese, when there is no Yi text).
    pub ii: String,
    /// True when the Yi text is a draft awaiting the bureau's translators.
    pub ii_draft: bool,
}

impl Bi {
    /// `zh（ii）`, or the Chinese alone when there is no Yi text.
    pub fn both(&self) -> String {
        if self.ii.is_empty() || self.ii == self.zh {
            self.zh.clone()
        } else {
            format!("{} / {}", self.zh, self.ii)
        }
    }
}

struct Locales {
    zh: Value,
    ii: Value,
    status: Value,
}

fn parse(area: &str, zh: &str, ii: &str, status: &str) -> (String, Value, Value, Value) {
    let read = |s: &str| serde_json::from_str::<Value>(s).unwrap_or_else(|e| panic!("locales/*/{area}.json: {e}"));
    (area.to_string(), read(zh), read(ii), read(status))
}

fn locales() -> &'static Vec<(String, Locales)> {
    static L: OnceLock<Vec<(String, Locales)>> = OnceLock::new();
    L.get_or_init(|| {
        [
            parse(
                "exchange",
                include_str!("../../../locales/zh/exchange.json"),
                include_str!("../../../locales/ii/exchange.json"),
                include_str!("../../../locales/ii-status/exchange.json"),
            ),
            parse(
                "form",
                include_str!("../../../locales/zh/form.json"),
                include_str!("../../../locales/ii/form.json"),
                include_str!("../../../locales/ii-status/form.json"),
            ),
            parse(
                "drafts",
                include_str!("../../../locales/zh/drafts.json"),
                include_str!("../../../locales/ii/drafts.json"),
                include_str!("../../../locales/ii-status/drafts.json"),
            ),
            parse(
                "bureau",
                include_str!("../../../locales/zh/bureau.json"),
                include_str!("../../../locales/ii/bureau.json"),
                include_str!("../../../locales/ii-status/bureau.json"),
            ),
        ]
        .into_iter()
        .map(|(area, zh, ii, status)| (area, Locales { zh, ii, status }))
        .collect()
    })
}

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// The text of `key` (`area.path`, e.g. `exchange.error.not_json`, `bureau.report.title`).
/// A missing key gives the key itself (a test checks that every key used exists).
pub fn t(key: &str) -> Bi {
    let (area, path) = key.split_once('.').unwrap_or((key, ""));
    let Some((_, l)) = locales().iter().find(|(a, _)| a == area) else {
        return Bi { zh: key.to_string(), ii: key.to_string(), ii_draft: false };
    };
    let zh = lookup(&l.zh, path).and_then(Value::as_str).unwrap_or(key).to_string();
    let ii = lookup(&l.ii, path).and_then(Value::as_str).map_or_else(|| zh.clone(), str::to_string);
    let ii_draft = l.status.get(path).and_then(Value::as_str) == Some("draft");
    Bi { zh, ii, ii_draft }
}

/// True when `key` exists in the Chinese locale file.
pub fn has(key: &str) -> bool {
    let (area, path) = key.split_once('.').unwrap_or((key, ""));
    locales()
        .iter()
        .find(|(a, _)| a == area)
        .is_some_and(|(_, l)| lookup(&l.zh, path).and_then(Value::as_str).is_some())
}

/// Escapes text for HTML element content and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
