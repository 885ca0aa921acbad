//! Text of the form: survey labels as [`Bi`] pairs, and every message code (built-in
//! validation codes, ID-number and mobile checks, lifecycle refusals) mapped to its
//! translation key in the `form` namespace.
use survey_core::id_number::ResidentId;
use survey_core::{Issue, Item, Lang, Message, Rule, SectionState, Survey, Text};

use crate::i18n::Bi;
use crate::tr;

/// A survey text (which lives as long as the loaded survey) as a bilingual pair; a blank
/// Yi text falls back to Chinese.
pub fn bi(text: &'static Text) -> Bi {
    Bi {
        zh: &text.zh,
        ii: text.get(Lang::Ii),
    }
}

/// The label of an item, or its name when it has none (hidden calculations).
pub fn label(item: &'static Item) -> Bi {
    match &item.label {
        Some(t) => bi(t),
        None => Bi {
            zh: &item.name,
            ii: &item.name,
        },
    }
}

/// The translation of a message code: every [`survey_core::builtin_codes`] code, every
/// [`survey_core::checks::CODES`] code and every [`survey_core::LifecycleError`] code.
/// `None` for an unknown code.
pub fn code_text(code: &str) -> Option<Bi> {
    Some(match code {
        "required" => tr!(form.code.required),
        "not_integer" => tr!(form.code.not_integer),
        "not_number" => tr!(form.code.not_number),
        "not_date" => tr!(form.code.not_date),
        "not_a_choice" => tr!(form.code.not_a_choice),
        "constraint" => tr!(form.code.constraint),
        "warning" => tr!(form.code.warning),
        "too_many_members" => tr!(form.code.too_many_members),
        "not_photo" => tr!(media.code.not_photo),
        "not_geopoint" => tr!(media.code.not_geopoint),
        "inaccurate_location" => tr!(media.code.inaccurate_location),
        "id_length" => tr!(form.check.id_length),
        "id_characters" => tr!(form.check.id_characters),
        "id_lowercase_x" => tr!(form.check.id_lowercase_x),
        "id_birth_date" => tr!(form.check.id_birth_date),
        "id_checksum" => tr!(form.check.id_checksum),
        "id_birth_future" => tr!(form.check.id_birth_future),
        "mobile" => tr!(form.check.mobile),
        "name_length" => tr!(form.check.name_length),
        "unit_length" => tr!(form.check.unit_length),
        "has_errors" => tr!(form.lifecycle.has_errors),
        "unacknowledged_warnings" => tr!(form.lifecycle.unacknowledged_warnings),
        "wrong_status" => tr!(form.lifecycle.wrong_status),
        "reason_required" => tr!(form.lifecycle.reason_required),
        _ => return None,
    })
}

/// What an issue says: the survey's own message, or the built-in code's translation.
pub fn issue_text(survey: &'static Survey, issue: &Issue) -> Bi {
    let code = match &issue.message {
        Message::Code(code) => code.as_str(),
        Message::Text(_) => {
            // The same text, borrowed from the item (which lives as long as the survey).
            let item = survey.item(issue.item());
            let own = match issue.rule {
                Rule::Required => item.required_message(),
                Rule::Warning => item.warning_message(),
                _ => item.constraint_message(),
            };
            if let Some(t) = own {
                return bi(t);
            }
            match issue.rule {
                Rule::Required => "required",
                Rule::Warning => "warning",
                _ => "constraint",
            }
        }
    };
    code_text(code).unwrap_or(tr!(form.code.constraint))
}

/// A more precise reason for a failed resident-ID constraint (`id-valid(.)`): which part
/// of the number is wrong.
pub fn issue_detail(survey: &'static Survey, issue: &Issue, value: &str) -> Option<Bi> {
    if issue.rule != Rule::Constraint {
        return None;
    }
    let item = survey.item(issue.item());
    if !item.raw.constraint.replace(' ', "").contains("id-valid(.)") {
        return None;
    }
    ResidentId::parse(value, crate::clock::context().today)
        .err()
        .and_then(|e| code_text(e.code()))
}

/// The label of a section state.
pub fn state_text(state: SectionState) -> Bi {
    match state {
        SectionState::NotRelevant => tr!(form.state.not_relevant),
        SectionState::NotStarted => tr!(form.state.not_started),
        SectionState::InProgress => tr!(form.state.in_progress),
        SectionState::Complete => tr!(form.state.complete),
        SectionState::HasErrors => tr!(form.state.has_errors),
    }
}

/// The stable name of a section state (for `data-state` and CSS).
pub fn state_name(state: SectionState) -> &'static str {
    match state {
        SectionState::NotRelevant => "not_relevant",
        SectionState::NotStarted => "not_started",
        SectionState::InProgress => "in_progress",
        SectionState::Complete => "complete",
        SectionState::HasErrors => "has_errors",
    }
}

