//! Photos and locations: the values of `image` and `geopoint` questions and XLSForm's
//! `parameters` column (see `docs/export-format.md`, "Photos, locations and visits", and
//! `docs/survey-format.md`).
//!
//! - An `image` answer is the photo's **reference** `<sha256>.jpg` (64 lowercase hex digits
//!   of the SHA-256 of the stored JPEG's bytes); the photo itself is stored elsewhere (the
//!   app's IndexedDB, a `.zip`'s `photos/` folder).
//! - A `geopoint` answer is ODK's text `"<lat> <lon> <alt> <acc>"` (degrees, metres).
//! - `parameters` holds `key=value` pairs separated by spaces (or `,`/`;`, as pyxform
//!   reads them): `max-pixels=1600` for `image`, `capture-accuracy=5` and
//!   `warning-accuracy=20` for `geopoint`.

use crate::answers::Answers;
use std::collections::BTreeSet;

/// The long side of a stored photo when the survey gives no `max-pixels` (ODK Collect
/// keeps the original; the kit shrinks to keep a photo near 150–300 KB).
pub const DEFAULT_MAX_PIXELS: u32 = 1600;

/// The accuracy (metres) at which the app stops waiting for a better position when the
/// survey gives no `capture-accuracy` (ODK Collect's default, 5 m).
pub const DEFAULT_CAPTURE_ACCURACY: f64 = 5.0;

/// The parameters of a question (`parameters` column), parsed and checked.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Parameters {
    /// `image`: the long side of the stored photo, in pixels.
    pub max_pixels: Option<u32>,
    /// `geopoint`: stop waiting for a better position once this accurate (metres).
    pub capture_accuracy: Option<f64>,
    /// `geopoint`: a point less accurate than this (metres) gets a soft warning.
    pub warning_accuracy: Option<f64>,
}

impl Parameters {
    /// `max-pixels`, or [`DEFAULT_MAX_PIXELS`].
    pub fn max_pixels(&self) -> u32 {
        self.max_pixels.unwrap_or(DEFAULT_MAX_PIXELS)
    }

    /// `capture-accuracy`, or [`DEFAULT_CAPTURE_ACCURACY`].
    pub fn capture_accuracy(&self) -> f64 {
        self.capture_accuracy.unwrap_or(DEFAULT_CAPTURE_ACCURACY)
    }
}

/// Which question type the parameters are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterTarget {
    /// `image`.
    Image,
    /// `geopoint`.
    Geopoint,
    /// Any other type: takes no parameters.
    Other,
}

/// Why a `parameters` cell was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterError {
    /// A name this type does not take (the names it takes are listed).
    Unknown {
        /// The name as written.
        name: String,
        /// The names the type takes (blank: none).
        allowed: String,
    },
    /// Not `name=value`.
    NotPair {
        /// The text as written.
        text: String,
    },
    /// A value of the wrong shape (what is expected is said).
    BadValue {
        /// The name.
        name: String,
        /// The value as written.
        value: String,
        /// What is expected, in Chinese.
        expected: &'static str,
    },
}

/// Parses a `parameters` cell for a question of type `target`. Every problem is reported.
pub fn parse_parameters(
    src: &str,
    target: ParameterTarget,
) -> Result<Parameters, Vec<ParameterError>> {
    let mut p = Parameters::default();
    let mut errors = Vec::new();
    let allowed = match target {
        ParameterTarget::Image => "max-pixels",
        ParameterTarget::Geopoint => "capture-accuracy warning-accuracy",
        ParameterTarget::Other => "",
    };
    for part in src.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        if part.is_empty() {
            continue;
        }
        let Some((name, value)) = part.split_once('=') else {
            errors.push(ParameterError::NotPair { text: part.to_string() });
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if !allowed.split(' ').any(|a| !a.is_empty() && a == name) {
            errors.push(ParameterError::Unknown { name: name.to_string(), allowed: allowed.to_string() });
            continue;
        }
        let bad = |expected| ParameterError::BadValue { name: name.to_string(), value: value.to_string(), expected };
        match name {
            "max-pixels" => match value.parse::<u32>() {
                Ok(n) if (16..=10_000).contains(&n) => p.max_pixels = Some(n),
                _ => errors.push(bad("16 到 10000 之间的整数（像素）")),
            },
            _ => match value.parse::<f64>() {
                Ok(m) if m.is_finite() && m > 0.0 && m <= 100_000.0 => {
                    if name == "capture-accuracy" {
                        p.capture_accuracy = Some(m);
                    } else {
                        p.warning_accuracy = Some(m);
                    }
                }
                _ => errors.push(bad("大于 0 的米数")),
            },
        }
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}

/// True when `s` is a photo reference: 64 lowercase hex digits and `.jpg`.
pub fn is_photo_ref(s: &str) -> bool {
    s.strip_suffix(".jpg").is_some_and(|h| {
        h.len() == 64 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The reference of a photo whose SHA-256 is `digest`.
pub fn photo_ref(digest: &[u8; 32]) -> String {
    let mut s = String::with_capacity(68);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s.push_str(".jpg");
    s
}

/// Every photo reference among `answers` (top level and every member of every repeat),
/// each once, sorted. Any value that is a reference counts — including answers of fields
/// no longer relevant, or of a survey version that named them otherwise — so that a photo
/// still referenced is never taken for unused.
pub fn photo_refs(answers: &Answers) -> BTreeSet<String> {
    answers
        .values
        .values()
        .chain(answers.repeats.values().flatten().flat_map(|m| m.values()))
        .map(|v| v.trim())
        .filter(|v| is_photo_ref(v))
        .map(str::to_string)
        .collect()
}

/// Every photo reference written anywhere in `text` (a stored household in any of its
/// forms, compact or JSON, even one that no longer parses), each once, sorted: what the
/// app keeps a photo for.
pub fn refs_in_text(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let hex = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
    text.match_indices(".jpg")
        .filter_map(|(at, _)| {
            let start = at.checked_sub(64)?;
            let whole = b[start..at].iter().all(|&c| hex(c)) && (start == 0 || !hex(b[start - 1]));
            whole.then(|| text[start..at + 4].to_string())
        })
        .collect()
}

/// A location: ODK's `geopoint` value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Latitude, degrees (−90…90).
    pub latitude: f64,
    /// Longitude, degrees (−180…180).
    pub longitude: f64,
    /// Altitude, metres (0 when the device gives none).
    pub altitude: f64,
    /// Accuracy radius, metres (≥ 0).
    pub accuracy: f64,
}

impl GeoPoint {
    /// Reads `"lat lon [alt [acc]]"` (ODK reads two to four numbers; the kit writes four).
    /// `None` when not numbers or out of range.
    pub fn parse(s: &str) -> Option<GeoPoint> {
        let mut n = [0.0f64; 4];
        let mut count = 0;
        for part in s.split_whitespace() {
            if count == 4 {
                return None;
            }
            let v: f64 = part.parse().ok()?;
            if !v.is_finite() {
                return None;
            }
            n[count] = v;
            count += 1;
        }
        let g = GeoPoint { latitude: n[0], longitude: n[1], altitude: n[2], accuracy: n[3] };
        let ok = count >= 2
            && (-90.0..=90.0).contains(&g.latitude)
            && (-180.0..=180.0).contains(&g.longitude)
            && g.accuracy >= 0.0;
        ok.then_some(g)
    }

    /// ODK's text: `"lat lon alt acc"`, shortest decimal form of each number.
    pub fn to_odk(&self) -> String {
        format!("{} {} {} {}", self.latitude, self.longitude, self.altitude, self.accuracy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldPath;

    #[test]
    fn parameters_parse_and_lint() {
        let p = parse_parameters("max-pixels=1024", ParameterTarget::Image).unwrap();
        assert_eq!(p.max_pixels(), 1024);
        assert_eq!(Parameters::default().max_pixels(), 1600);
        let g = parse_parameters("capture-accuracy=5, warning-accuracy=20.5", ParameterTarget::Geopoint).unwrap();
        assert_eq!((g.capture_accuracy, g.warning_accuracy), (Some(5.0), Some(20.5)));
        let e = parse_parameters("max-pixels=big warning-accuracy=3 junk", ParameterTarget::Image).unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(matches!(&e[0], ParameterError::BadValue { name, .. } if name == "max-pixels"));
        assert!(matches!(&e[1], ParameterError::Unknown { name, .. } if name == "warning-accuracy"));
        assert!(matches!(&e[2], ParameterError::NotPair { text } if text == "junk"));
        assert!(parse_parameters("capture-accuracy=-1", ParameterTarget::Geopoint).is_err());
        assert!(parse_parameters("max-pixels=5", ParameterTarget::Other).is_err());
        assert_eq!(parse_parameters("  ", ParameterTarget::Other), Ok(Parameters::default()));
    }

    #[test]
    fn references_and_points() {
        let r = photo_ref(&[0xab; 32]);
        assert_eq!(r.len(), 68);
        assert!(is_photo_ref(&r));
        assert!(!is_photo_ref(&r.to_uppercase()));
        assert!(!is_photo_ref(&r.replace(".jpg", ".png")));
        assert!(!is_photo_ref(&r[1..]));
        let mut a = Answers::default();
        a.set(&FieldPath::top("house_front"), r.clone());
        a.set(&FieldPath::member("members", 1, "photo"), r.clone());
        a.set(&FieldPath::top("name"), "阿苏");
        assert_eq!(photo_refs(&a).into_iter().collect::<Vec<_>>(), vec![r.clone()]);
        let stored = format!(r#"{{"a":"{r}","b":"x{r}","c":"{r}","d":"{}.jpg"}}"#, &r[..60]);
        assert_eq!(refs_in_text(&stored).into_iter().collect::<Vec<_>>(), vec![r.clone()]);
        assert!(refs_in_text(".jpg").is_empty());

        let g = GeoPoint::parse("27.8866 102.2643 1520 8.5").unwrap();
        assert_eq!(g.accuracy, 8.5);
        assert_eq!(g.to_odk(), "27.8866 102.2643 1520 8.5");
        assert_eq!(GeoPoint::parse("27.8866 102.2643").unwrap().altitude, 0.0);
        for bad in ["", "27.8", "91 0 0 0", "0 181 0 0", "0 0 0 -1", "a b", "0 0 0 0 0", "NaN 0"] {
            assert!(GeoPoint::parse(bad).is_none(), "{bad}");
        }
    }
}
