//! JSON that keeps the order of object keys (the locale files are ordered by screen, and a
//! correction must change one value, not reorder the file), written back the way the
//! locale files are written: two-space indent, a final newline.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep their key order.
#[derive(Debug, Clone, PartialEq)]
pub enum Ordered {
    /// An object, in file order.
    Object(Vec<(String, Ordered)>),
    /// Anything else.
    Other(Value),
}

impl Ordered {
    /// Sets the value at a dotted key: an existing flat key with dots at any level is
    /// used as is; otherwise the path is followed (objects created as needed, new keys
    /// added at the end).
    pub fn set_path(&mut self, key: &str, value: Value) {
        let Ordered::Object(map) = self else {
            *self = Ordered::Object(Vec::new());
            return self.set_path(key, value);
        };
        if let Some((_, v)) = map.iter_mut().find(|(k, _)| k == key) {
            *v = Ordered::Other(value);
            return;
        }
        if let Some((head, rest)) = key.split_once('.') {
            if let Some((_, v)) = map.iter_mut().find(|(k, _)| k == head) {
                if matches!(v, Ordered::Object(_)) {
                    return v.set_path(rest, value);
                }
            }
            let mut child = Ordered::Object(Vec::new());
            child.set_path(rest, value);
            map.push((head.to_string(), child));
            return;
        }
        map.push((key.to_string(), Ordered::Other(value)));
    }

    /// Sets a top-level key (flat maps such as the status files), added at the end when new.
    pub fn set_flat(&mut self, key: &str, value: Value) {
        if let Ordered::Object(map) = self {
            match map.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = Ordered::Other(value),
                None => map.push((key.to_string(), Ordered::Other(value))),
            }
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_pretty(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("JSON values serialise");
        s.push('\n');
        s
    }
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Ordered::Other(v) => v.serialize(s),
            Ordered::Object(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ordered, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Ordered>()? {
                    entries.push((k, v));
                }
                Ok(Ordered::Object(entries))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<Ordered, A::Error> {
                Value::deserialize(serde::de::value::SeqAccessDeserializer::new(a))
                    .map(Ordered::Other)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Ordered, E> {
                Ok(Ordered::Other(Value::String(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Ordered, E> {
                Ok(Ordered::Other(Value::String(v)))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Other(Value::Bool(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Other(v.into()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Other(v.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Ordered, E> {
                Ok(Ordered::Other(
                    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
                ))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Ordered, E> {
                Ok(Ordered::Other(Value::Null))
            }
        }
        d.deserialize_any(V)
    }
}
