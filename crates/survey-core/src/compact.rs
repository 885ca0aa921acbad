//! The compact stored form of a [`Household`]: what the app keeps in browser storage, so
//! that a village (1,000+ households) fits in the ~5 million UTF-16 characters that
//! Chromium gives `localStorage` per origin.
//!
//! Plain JSON spends most of its length on field names (`"pension_insurance":`), repeated
//! for every member. The compact form replaces them by position in a [`Schema`] — the
//! survey's field names in definition order — which is stored once, content-addressed by
//! its [`Schema::id`]. A stored household names the schema it was written with, so a later
//! app with another survey version still decodes it; an answer to a field the schema does
//! not list (a field of another survey version, an unknown repeat, an explicitly empty
//! value) is kept by name in the envelope. Nothing is dropped:
//! `decode(encode(h)) == h` for every household.
//!
//! Layout (one string):
//!
//! ```text
//! LSK1 <schema id>\n
//! <envelope: the household as JSON, `record.answers` holding only the leftovers>\n
//! <top values by schema position, separated by US>
//!   (GS <member count> (RS <member values separated by US>)*)   for each schema repeat
//! ```
//!
//! US, RS and GS are the ASCII unit, record and group separators (U+001F, U+001E, U+001D);
//! trailing blank values are left out; a separator or ESC (U+001B) inside a value is
//! preceded by ESC. A repeat absent from the answers has an empty count. Every character
//! counts one UTF-16 unit, as in JSON, so Chinese and Yi text costs one unit a character.
use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::answers::{Answers, FieldPath, Values};
use crate::household::Household;
use crate::survey::Survey;

/// First characters of a compact household.
pub const MAGIC: &str = "LSK1";
const ESC: char = '\u{1b}';
const GS: char = '\u{1d}';
const RS: char = '\u{1e}';
const US: char = '\u{1f}';

/// Why a stored text could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactError {
    /// Not a compact household (no `LSK1` header).
    #[error("not a compact household")]
    NotCompact,
    /// The schema text is not a schema.
    #[error("bad schema: {0}")]
    BadSchema(String),
    /// The household names another schema than the one given.
    #[error("written with schema {found}, not {expected}")]
    WrongSchema {
        /// Schema id in the household.
        found: String,
        /// Schema id given.
        expected: String,
    },
    /// The envelope is not a household.
    #[error("bad envelope: {0}")]
    BadEnvelope(String),
    /// The positional answers do not match the schema.
    #[error("bad answers: {0}")]
    BadAnswers(&'static str),
}

/// The fields of one repeat, in definition order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatSchema {
    /// Repeat name (e.g. `members`).
    pub name: String,
    /// Its fields.
    pub fields: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct SchemaData {
    top: Vec<String>,
    #[serde(default)]
    repeats: Vec<RepeatSchema>,
}

/// The dictionary of a compact household: every field that holds a value, top level and
/// per repeat, in definition order. Immutable and identified by a hash of its content.
#[derive(Debug, Clone)]
pub struct Schema {
    top: Vec<String>,
    repeats: Vec<RepeatSchema>,
    top_set: HashSet<String>,
    repeat_sets: Vec<HashSet<String>>,
    id: String,
}

impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        self.top == other.top && self.repeats == other.repeats
    }
}

impl Schema {
    /// A schema from field lists.
    pub fn new(top: Vec<String>, repeats: Vec<RepeatSchema>) -> Schema {
        let top_set = top.iter().cloned().collect();
        let repeat_sets = repeats.iter().map(|r| r.fields.iter().cloned().collect()).collect();
        let mut s = Schema { top, repeats, top_set, repeat_sets, id: String::new() };
        s.id = format!("{:016x}", fnv1a64(s.to_json().as_bytes()));
        s
    }

    /// The schema of a survey: its fields with values (not groups, repeats or notes).
    pub fn of(survey: &Survey) -> Schema {
        let mut top = Vec::new();
        let mut repeats: Vec<RepeatSchema> = Vec::new();
        for item in survey.items() {
            if item.is_repeat() && survey.repeat_of(item).is_none() {
                repeats.push(RepeatSchema { name: item.name.clone(), fields: Vec::new() });
            }
            if !item.has_value() {
                continue;
            }
            match survey.repeat_of(item) {
                None => top.push(item.name.clone()),
                Some(r) => match repeats.iter_mut().find(|s| s.name == r.name) {
                    Some(s) => s.fields.push(item.name.clone()),
                    None => repeats.push(RepeatSchema { name: r.name.clone(), fields: vec![item.name.clone()] }),
                },
            }
        }
        Schema::new(top, repeats)
    }

    /// Content hash (16 hex digits), used as the schema's storage key.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Top-level fields.
    pub fn top(&self) -> &[String] {
        &self.top
    }

    /// Repeats and their fields.
    pub fn repeats(&self) -> &[RepeatSchema] {
        &self.repeats
    }

    /// Answers to fields this schema does not list (fields of another survey version, or
    /// of a repeat it does not have), as (path, value) in order. They are kept in storage
    /// and export; the app lists them so the enumerator sees what the survey no longer asks.
    pub fn unknown_fields(&self, answers: &Answers) -> Vec<(FieldPath, String)> {
        let mut out = Vec::new();
        for (k, v) in &answers.values {
            if !self.top_set.contains(k) {
                out.push((FieldPath::top(k), v.clone()));
            }
        }
        for (name, members) in &answers.repeats {
            let known = self.repeats.iter().position(|r| &r.name == name).map(|i| &self.repeat_sets[i]);
            for (i, m) in members.iter().enumerate() {
                for (k, v) in m {
                    if known.is_none_or(|set| !set.contains(k)) {
                        out.push((FieldPath::member(name, i, k), v.clone()));
                    }
                }
            }
        }
        out
    }

    /// The schema as JSON (what is stored).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            top: &'a [String],
            repeats: &'a [RepeatSchema],
        }
        serde_json::to_string(&Out { top: &self.top, repeats: &self.repeats }).expect("strings serialise")
    }

    /// Reads a stored schema.
    pub fn from_json(json: &str) -> Result<Schema, CompactError> {
        let d: SchemaData = serde_json::from_str(json).map_err(|e| CompactError::BadSchema(e.to_string()))?;
        Ok(Schema::new(d.top, d.repeats))
    }
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A fingerprint of a stored household text (FNV-1a 64 of its UTF-8 bytes, 16 hex digits).
/// The app's summary of a household records the fingerprint of the text it was made from:
/// a summary whose fingerprint is not the stored text's tells the list to read the text
/// itself, so an entry damaged after its summary was written is seen as damaged at once.
pub fn fingerprint(text: &str) -> String {
    format!("{:016x}", fnv1a64(text.as_bytes()))
}

/// Whether a summary made from a text with fingerprint `recorded` still describes `text`
/// (an empty `recorded`, from a kit that did not record one, never does).
pub fn describes(recorded: &str, text: &str) -> bool {
    !recorded.is_empty() && recorded == fingerprint(text)
}

/// True when `text` is a compact household.
pub fn is_compact(text: &str) -> bool {
    text.starts_with(MAGIC)
}

/// The schema id a compact household was written with.
pub fn schema_id(text: &str) -> Option<&str> {
    let header = text.split('\n').next()?;
    let id = header.strip_prefix(MAGIC)?.strip_prefix(' ')?;
    (!id.is_empty()).then_some(id)
}

fn push_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        if matches!(c, ESC | GS | RS | US) {
            out.push(ESC);
        }
        out.push(c);
    }
}

/// Values of `fields` in order, separated by US, trailing blanks left out; moves every
/// other entry (unknown field, or an explicitly empty value) into `leftover`.
fn push_values(out: &mut String, fields: &[String], known: &HashSet<String>, values: &Values, leftover: &mut Values) {
    let start = out.len();
    let mut end = start;
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(US);
        }
        if let Some(v) = values.get(f).filter(|v| !v.is_empty()) {
            push_escaped(out, v);
            end = out.len();
        }
    }
    out.truncate(end);
    for (k, v) in values {
        if v.is_empty() || !known.contains(k) {
            leftover.insert(k.clone(), v.clone());
        }
    }
}

/// The compact form of `h`, written with `schema`.
pub fn encode(h: &Household, schema: &Schema) -> String {
    let answers = &h.record.answers;
    let mut leftover = Answers::default();
    let mut body = String::with_capacity(1024);
    push_values(&mut body, &schema.top, &schema.top_set, &answers.values, &mut leftover.values);
    for (r, known) in schema.repeats.iter().zip(&schema.repeat_sets) {
        body.push(GS);
        let Some(members) = answers.repeats.get(&r.name) else { continue };
        body.push_str(&members.len().to_string());
        let mut left: Vec<Values> = Vec::with_capacity(members.len());
        for m in members {
            body.push(RS);
            let mut l = Values::new();
            push_values(&mut body, &r.fields, known, m, &mut l);
            left.push(l);
        }
        if left.iter().any(|l| !l.is_empty()) {
            while left.last().is_some_and(Values::is_empty) {
                left.pop();
            }
            leftover.repeats.insert(r.name.clone(), left);
        }
    }
    for (name, members) in &answers.repeats {
        if !schema.repeats.iter().any(|r| &r.name == name) {
            leftover.repeats.insert(name.clone(), members.clone());
        }
    }
    let mut envelope = h.clone();
    envelope.record.answers = leftover;
    let json = serde_json::to_string(&envelope).expect("a household serialises");
    let mut out = String::with_capacity(MAGIC.len() + 18 + json.len() + 1 + body.len());
    out.push_str(MAGIC);
    out.push(' ');
    out.push_str(&schema.id);
    out.push('\n');
    out.push_str(&json);
    out.push('\n');
    out.push_str(&body);
    out
}

/// Splits on `sep` where it is not escaped.
fn split_unescaped(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == ESC {
            escaped = true;
        } else if c == sep {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

fn unescape(s: &str) -> Result<String, CompactError> {
    let mut out = String::with_capacity(s.len());
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == ESC {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    if escaped {
        return Err(CompactError::BadAnswers("dangling escape"));
    }
    Ok(out)
}

fn read_values(text: &str, fields: &[String]) -> Result<Values, CompactError> {
    let mut values = Values::new();
    if text.is_empty() {
        return Ok(values);
    }
    let parts = split_unescaped(text, US);
    if parts.len() > fields.len() {
        return Err(CompactError::BadAnswers("more values than fields"));
    }
    for (f, p) in fields.iter().zip(parts) {
        if !p.is_empty() {
            values.insert(f.clone(), unescape(p)?);
        }
    }
    Ok(values)
}

/// Reads a compact household written with `schema`.
pub fn decode(text: &str, schema: &Schema) -> Result<Household, CompactError> {
    let (header, rest) = text.split_once('\n').ok_or(CompactError::NotCompact)?;
    let id = header.strip_prefix(MAGIC).and_then(|s| s.strip_prefix(' ')).ok_or(CompactError::NotCompact)?;
    if id != schema.id {
        return Err(CompactError::WrongSchema { found: id.to_string(), expected: schema.id.clone() });
    }
    let (json, body) = rest.split_once('\n').ok_or(CompactError::BadAnswers("no answers line"))?;
    let mut h: Household = serde_json::from_str(json).map_err(|e| CompactError::BadEnvelope(e.to_string()))?;
    let leftover = std::mem::take(&mut h.record.answers);

    let sections = split_unescaped(body, GS);
    if sections.len() != schema.repeats.len() + 1 {
        return Err(CompactError::BadAnswers("repeat count differs from the schema"));
    }
    let mut answers = Answers { values: read_values(sections[0], &schema.top)?, repeats: BTreeMap::new() };
    for (r, section) in schema.repeats.iter().zip(&sections[1..]) {
        if section.is_empty() {
            continue;
        }
        let parts = split_unescaped(section, RS);
        let count: usize = parts[0].parse().map_err(|_| CompactError::BadAnswers("bad member count"))?;
        if parts.len() != count + 1 {
            return Err(CompactError::BadAnswers("member count differs"));
        }
        let members = parts[1..].iter().map(|m| read_values(m, &r.fields)).collect::<Result<Vec<_>, _>>()?;
        answers.repeats.insert(r.name.clone(), members);
    }
    for (k, v) in leftover.values {
        answers.values.insert(k, v);
    }
    for (name, left) in leftover.repeats {
        match answers.repeats.get_mut(&name) {
            Some(members) if schema.repeats.iter().any(|r| r.name == name) => {
                if left.len() > members.len() {
                    return Err(CompactError::BadAnswers("leftover member beyond the roster"));
                }
                for (m, l) in members.iter_mut().zip(left) {
                    m.extend(l);
                }
            }
            _ => {
                answers.repeats.insert(name, left);
            }
        }
    }
    h.record.answers = answers;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::new(
            vec!["village".into(), "head_name".into(), "notes".into()],
            vec![RepeatSchema { name: "members".into(), fields: vec!["member_name".into(), "sex".into()] }],
        )
    }

    fn household() -> Household {
        Household::new("h1".into(), "s", "1", "dev".into(), "2026-11-29T08:00:00.000Z")
    }

    #[test]
    fn round_trips_known_unknown_and_awkward_values() {
        let s = schema();
        let mut h = household();
        let a = &mut h.record.answers;
        a.set(&FieldPath::top("head_name"), "阿苏拉且 ꆈꌠ 123");
        a.set(&FieldPath::top("notes"), "line\nbreak \u{1f}\u{1e}\u{1d}\u{1b} end\u{1b}");
        a.set(&FieldPath::top("gone_field"), "旧版本");
        a.values.insert("village".into(), String::new());
        a.set(&FieldPath::member("members", 0, "member_name"), "吉克");
        a.set(&FieldPath::member("members", 2, "sex"), "female");
        a.set(&FieldPath::member("members", 1, "old_member_field"), "x");
        a.add_member("plots", Values::from([("area".to_string(), "1.5".to_string())]));
        h.record.acknowledge(FieldPath::member("members", 0, "sex"), "", Some("因为".into()));
        h.extra.insert("from_the_future".into(), serde_json::json!([1, 2]));
        let text = encode(&h, &s);
        assert!(is_compact(&text));
        assert_eq!(schema_id(&text), Some(s.id()));
        assert_eq!(decode(&text, &s).unwrap(), h);
        // Unknown fields stay by name in the envelope.
        assert!(text.contains("\"gone_field\":\"旧版本\""), "{text}");
        assert!(text.contains("old_member_field"));
        let unknown: Vec<String> = s.unknown_fields(&h.record.answers).iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(unknown, ["gone_field", "members[1].old_member_field", "plots[0].area"]);
    }

    #[test]
    fn empty_and_absent_rosters_differ() {
        let s = schema();
        let mut h = household();
        assert_eq!(decode(&encode(&h, &s), &s).unwrap(), h);
        h.record.answers.repeats.insert("members".into(), Vec::new());
        assert_eq!(decode(&encode(&h, &s), &s).unwrap(), h);
        h.record.answers.repeats.insert("members".into(), vec![Values::new(), Values::new()]);
        assert_eq!(decode(&encode(&h, &s), &s).unwrap(), h);
    }

    #[test]
    fn schema_is_content_addressed_and_round_trips() {
        let s = schema();
        assert_eq!(s.id().len(), 16);
        let back = Schema::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.id(), s.id());
        let other = Schema::new(vec!["village".into()], vec![]);
        assert_ne!(other.id(), s.id());
        let h = household();
        let text = encode(&h, &s);
        assert!(matches!(decode(&text, &other), Err(CompactError::WrongSchema { .. })));
    }

    #[test]
    fn a_fingerprint_tells_any_change_of_the_text() {
        let text = encode(&household(), &schema());
        let f = fingerprint(&text);
        assert_eq!(f.len(), 16);
        assert!(describes(&f, &text));
        // Cut short, one character changed, or anything else: not described any more.
        assert!(!describes(&f, &text[..text.len() - 1]));
        assert!(!describes(&f, &text.replacen('1', "2", 1)));
        assert!(!describes("", &text));
        // FNV-1a 64 reference vectors (Fowler, Noll, Vo: "" and "a").
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn damaged_text_is_an_error_not_a_panic() {
        let s = schema();
        let mut h = household();
        h.record.answers.set(&FieldPath::member("members", 0, "member_name"), "吉克");
        let text = encode(&h, &s);
        for cut in 0..text.len() {
            if text.is_char_boundary(cut) && cut < text.len() {
                let _ = decode(&text[..cut], &s);
            }
        }
        assert_eq!(decode("{\"id\":1}", &s), Err(CompactError::NotCompact));
        let extra_values = text.replace("吉克", "吉克\u{1f}a\u{1f}b");
        assert_eq!(decode(&extra_values, &s), Err(CompactError::BadAnswers("more values than fields")));
        let bad_count = text.replace("\u{1d}1\u{1e}", "\u{1d}2\u{1e}");
        assert_eq!(decode(&bad_count, &s), Err(CompactError::BadAnswers("member count differs")));
        assert!(matches!(decode(&text.replace("\"id\"", "\"ix\""), &s), Err(CompactError::BadEnvelope(_))));
    }

    /// A household of the shipped survey with 5 members and every input field answered:
    /// the size budget of a village (1,000 households in 5,242,880 UTF-16 units, keys,
    /// summaries and schema included).
    #[cfg(feature = "csv")]
    #[test]
    fn a_full_household_of_the_shipped_survey_is_small() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../surveys/household");
        let survey = Survey::load_dir(dir).unwrap();
        let s = Schema::of(&survey);
        assert!(s.repeats().iter().any(|r| r.name == "members"));
        let mut h = Household::new(
            "0f8e3c2a-5b7d-4e21-9a6c-3d2b1f0e9c8d".into(),
            survey.id(),
            survey.version(),
            "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f".into(),
            "2026-11-29T08:00:00.000Z",
        );
        h.modified = "2026-11-29T09:12:45.123Z".into();
        crate::fixtures::answer_every_input(&survey, &mut h, 5);
        let text = encode(&h, &s);
        assert_eq!(decode(&text, &s).unwrap(), h);
        let compact = text.encode_utf16().count();
        let json = serde_json::to_string(&h).unwrap().encode_utf16().count();
        let envelope = text.split('\n').nth(1).unwrap().encode_utf16().count();
        println!("5 members, all answered: compact {compact} UTF-16 units (envelope {envelope}), plain JSON {json}");
        assert!(compact < 2_000 && compact * 2 < json, "{compact} vs {json}");
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                "[a-z0-9 ]{1,8}",
                "[\u{1b}\u{1d}\u{1e}\u{1f}\n阿苏ꆈꌠ]{1,6}",
            ]
        }

        fn values(names: &'static [&'static str]) -> impl Strategy<Value = Values> {
            proptest::collection::btree_map(proptest::sample::select(names).prop_map(str::to_string), value(), 0..6)
        }

        const TOP: &[&str] = &["village", "head_name", "notes", "old", "other"];
        const MEMBER: &[&str] = &["member_name", "sex", "old_m"];

        proptest! {
            #[test]
            fn decode_inverts_encode(
                top in values(TOP),
                members in proptest::option::of(proptest::collection::vec(values(MEMBER), 0..4)),
                plots in proptest::option::of(proptest::collection::vec(values(MEMBER), 0..2)),
            ) {
                let s = schema();
                let mut h = household();
                h.record.answers.values = top;
                if let Some(m) = members { h.record.answers.repeats.insert("members".into(), m); }
                if let Some(p) = plots { h.record.answers.repeats.insert("plots".into(), p); }
                let text = encode(&h, &s);
                prop_assert_eq!(decode(&text, &s).unwrap(), h);
            }
        }
    }
}
