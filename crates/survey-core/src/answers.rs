//! Answers and records.
//!
//! Values are ODK-style strings: multi-select answers space-separated, dates `YYYY-MM-DD`,
//! numbers as typed. A blank answer is simply absent. Repeats (the `members` roster) are a
//! list of member answer maps. Unknown keys are kept, never dropped.
//!
//! Answers of fields that are not relevant are **kept** in the record (so an answer comes
//! back if the enumerator changes their mind), but they are not validated, read as blank in
//! expressions, and are left out of [`crate::Evaluation::export_answers`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Answers of one member (or of the top level): field name → value.
pub type Values = BTreeMap<String, String>;

/// All answers of one household: top-level values and repeats (roster members).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// Top-level field values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: Values,
    /// Repeat name → members, each a map of field values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub repeats: BTreeMap<String, Vec<Values>>,
}

impl Answers {
    /// The value at `path` (`""` when blank or absent).
    pub fn get(&self, path: &FieldPath) -> &str {
        let map = match &path.member {
            None => Some(&self.values),
            Some((repeat, i)) => self.repeats.get(&**repeat).and_then(|m| m.get(*i)),
        };
        map.and_then(|m| m.get(&*path.field))
            .map_or("", String::as_str)
    }

    /// Sets the value at `path`; a blank value removes the key. Setting a member field
    /// creates members up to the index when needed.
    pub fn set(&mut self, path: &FieldPath, value: impl Into<String>) {
        let value = value.into();
        let map = match &path.member {
            None => &mut self.values,
            Some((repeat, i)) => {
                let members = self.repeats.entry(repeat.to_string()).or_default();
                if members.len() <= *i {
                    members.resize_with(*i + 1, Values::new);
                }
                &mut members[*i]
            }
        };
        if value.is_empty() {
            map.remove(&*path.field);
        } else {
            map.insert(path.field.to_string(), value);
        }
    }

    /// The members of a repeat.
    pub fn members(&self, repeat: &str) -> &[Values] {
        self.repeats.get(repeat).map_or(&[], Vec::as_slice)
    }

    /// Appends a member and returns its index.
    pub fn add_member(&mut self, repeat: &str, values: Values) -> usize {
        let members = self.repeats.entry(repeat.to_string()).or_default();
        members.push(values);
        members.len() - 1
    }

    /// Removes a member (later members move up by one). Prefer
    /// [`Record::remove_member`], which also moves warning acknowledgements.
    pub fn remove_member(&mut self, repeat: &str, index: usize) -> Option<Values> {
        let members = self.repeats.get_mut(repeat)?;
        (index < members.len()).then(|| members.remove(index))
    }
}

/// Where a value lives: a field name, and for repeat fields the repeat name and the
/// 0-based member index. Written as text `field` or `repeat[index].field`
/// (e.g. `members[0].birth_date`), which is also its serde form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath {
    /// Field name.
    pub field: Arc<str>,
    /// Repeat name and 0-based member index, for fields inside a repeat.
    pub member: Option<(Arc<str>, usize)>,
}

impl FieldPath {
    /// A top-level field (or a group, or a repeat itself).
    pub fn top(field: &str) -> FieldPath {
        FieldPath {
            field: field.into(),
            member: None,
        }
    }

    /// A field of member `index` (0-based) of `repeat`.
    pub fn member(repeat: &str, index: usize, field: &str) -> FieldPath {
        FieldPath {
            field: field.into(),
            member: Some((repeat.into(), index)),
        }
    }

    /// The member index, for repeat fields.
    pub fn index(&self) -> Option<usize> {
        self.member.as_ref().map(|m| m.1)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.member {
            None => f.write_str(&self.field),
            Some((r, i)) => write!(f, "{r}[{i}].{}", self.field),
        }
    }
}

/// A text that is not a field path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无效的字段路径 `{0}`")]
pub struct BadFieldPath(pub String);

impl FromStr for FieldPath {
    type Err = BadFieldPath;

    fn from_str(s: &str) -> Result<FieldPath, BadFieldPath> {
        let bad = || BadFieldPath(s.to_string());
        match s.split_once('[') {
            None if !s.is_empty() && !s.contains(['.', ']']) => Ok(FieldPath::top(s)),
            None => Err(bad()),
            Some((repeat, rest)) => {
                let (index, field) = rest.split_once("].").ok_or_else(bad)?;
                let index = index.parse().map_err(|_| bad())?;
                if repeat.is_empty() || field.is_empty() || field.contains(['.', '[', ']']) {
                    return Err(bad());
                }
                Ok(FieldPath::member(repeat, index, field))
            }
        }
    }
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FieldPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FieldPath, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The enumerator's acknowledgement of a soft warning. It holds while the field keeps the
/// value it had when acknowledged; a changed value brings the warning back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// The field's value when the warning was acknowledged.
    #[serde(default)]
    pub value: String,
    /// Optional reason given by the enumerator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One household's stored record: its answers and warning acknowledgements. Unknown
/// top-level keys (added by the app: ids, timestamps, survey version…) are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The answers.
    #[serde(default)]
    pub answers: Answers,
    /// Acknowledged warnings, by the field path the warning is on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub acks: BTreeMap<FieldPath, Acknowledgement>,
    /// Other keys, kept as they are.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Record {
    /// Acknowledges the warning on `path`, remembering the field's current value.
    pub fn acknowledge(&mut self, path: FieldPath, current_value: &str, reason: Option<String>) {
        self.acks.insert(
            path,
            Acknowledgement {
                value: current_value.to_string(),
                reason,
            },
        );
    }

    /// Removes a member and moves the acknowledgements of later members up with them.
    pub fn remove_member(&mut self, repeat: &str, index: usize) -> Option<Values> {
        let removed = self.answers.remove_member(repeat, index)?;
        let acks = std::mem::take(&mut self.acks);
        for (mut path, ack) in acks {
            match &mut path.member {
                Some((r, i)) if &**r == repeat => {
                    if *i == index {
                        continue;
                    }
                    if *i > index {
                        *i -= 1;
                    }
                }
                _ => {}
            }
            self.acks.insert(path, ack);
        }
        Some(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_round_trip_as_text() {
        for s in ["head_name", "members[0].birth_date", "members[12].x"] {
            let p: FieldPath = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
        assert_eq!(
            "members[3].age".parse::<FieldPath>().unwrap(),
            FieldPath::member("members", 3, "age")
        );
        for bad in [
            "", "a.b", "m[x].a", "m[1]a", "m[1].", "[1].a", "a]", "m[1].a.b",
        ] {
            assert!(bad.parse::<FieldPath>().is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_set_get_and_serialise_compactly() {
        let mut a = Answers::default();
        a.set(&FieldPath::top("village"), "lague");
        a.set(&FieldPath::member("members", 1, "name"), "阿呷");
        assert_eq!(a.members("members").len(), 2);
        assert_eq!(a.get(&FieldPath::member("members", 1, "name")), "阿呷");
        assert_eq!(a.get(&FieldPath::member("members", 5, "name")), "");
        a.set(&FieldPath::top("village"), "");
        assert_eq!(a.get(&FieldPath::top("village")), "");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"repeats":{"members":[{},{"name":"阿呷"}]}}"#);
        assert_eq!(serde_json::from_str::<Answers>(&json).unwrap(), a);
        assert_eq!(
            serde_json::from_str::<Answers>("{}").unwrap(),
            Answers::default()
        );
    }

    #[test]
    fn removing_a_member_moves_acknowledgements() {
        let mut r = Record::default();
        for n in ["a", "b", "c"] {
            let mut v = Values::new();
            v.insert("name".into(), n.into());
            r.answers.add_member("members", v);
        }
        r.acknowledge(FieldPath::member("members", 0, "age"), "90", None);
        r.acknowledge(
            FieldPath::member("members", 1, "age"),
            "91",
            Some("card".into()),
        );
        r.acknowledge(FieldPath::member("members", 2, "age"), "92", None);
        r.acknowledge(FieldPath::top("income"), "1", None);
        r.extra.insert("id".into(), serde_json::json!("h-1"));
        assert!(r.remove_member("members", 1).is_some());
        assert!(r.remove_member("members", 9).is_none());
        let mut keys: Vec<String> = r.acks.keys().map(ToString::to_string).collect();
        keys.sort();
        assert_eq!(keys, ["income", "members[0].age", "members[1].age"]);
        assert_eq!(r.acks[&FieldPath::member("members", 1, "age")].value, "92");
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""id":"h-1""#), "{json}");
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }
}
