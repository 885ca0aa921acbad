//! Test fixtures shared by the core's own tests and the app's browser tests (feature
//! `fixtures`, which only `[dev-dependencies]` turn on: the app's build does not carry it).
use crate::checks::EnumeratorProfile;
use crate::survey::FieldType;
use crate::{FieldPath, Household, RawSurvey, Survey};

/// A form as `liangshan-forms publish` lists it in `forms/index.json` (with a dummy
/// SHA-256: the app checks sizes, the service worker hashes) and the text of its file.
pub fn published(raw: &RawSurvey, role: crate::forms::Role) -> (crate::forms::FormEntry, String) {
    let text = raw.to_json();
    let sha256 = "0".repeat(64);
    let entry = crate::forms::FormEntry {
        id: raw.settings.get("form_id").into(),
        version: raw.settings.get("version").into(),
        title: Default::default(),
        role,
        file: crate::forms::file_name(raw.settings.get("form_id"), &sha256),
        sha256,
        size: text.len() as u64,
    };
    (entry, text)
}

/// Fills `h` as a cadre who answered everything would: the enumerator profile, then every
/// input of `survey`, in every repeat for `members` members. Values are of the right type
/// and shape (an 18-character ID number per member, not all with a valid check digit; a
/// mobile number; a date); a choice question takes its last choice, a multiple choice its
/// first two. For sizes and storage, not for a household without errors.
pub fn answer_every_input(survey: &Survey, h: &mut Household, members: usize) {
    h.enumerator =
        Some(EnumeratorProfile { name: "吉克阿依".into(), phone: "13800138000".into(), unit: "凉山州住房和城乡建设局".into() });
    for item in survey.items().iter().filter(|i| i.is_input()) {
        let value = |m: usize| -> String {
            let choices = survey.choices(item);
            match item.field_type() {
                Some(FieldType::Text) if item.name.ends_with("id_number") => format!("51342919780802{m:03}5"),
                Some(FieldType::Text) if item.name.ends_with("phone") => "13800138000".into(),
                Some(FieldType::Text) => "阿苏拉且木呷".into(),
                Some(FieldType::Integer) => "12".into(),
                Some(FieldType::Decimal) => "1.5".into(),
                Some(FieldType::Date) => "1978-08-02".into(),
                Some(FieldType::SelectOne { .. }) => choices.last().map(|c| c.name.clone()).unwrap_or_default(),
                Some(FieldType::SelectMultiple { .. }) => {
                    choices.iter().take(2).map(|c| c.name.as_str()).collect::<Vec<_>>().join(" ")
                }
                // A reference in the right shape (the photo itself is the app's to store).
                Some(FieldType::Image) => crate::media::photo_ref(&[m as u8; 32]),
                Some(FieldType::Geopoint) => "27.8866 102.2643 1520 8.5".into(),
                _ => String::new(),
            }
        };
        match survey.repeat_of(item) {
            None => h.record.answers.set(&FieldPath::top(&item.name), value(0)),
            Some(r) => {
                for m in 0..members {
                    h.record.answers.set(&FieldPath::member(&r.name, m, &item.name), value(m));
                }
            }
        }
    }
}
