//! One section of the form: its groups, roster and questions, each shown only while
//! relevant.
use leptos::prelude::*;
use survey_core::{FieldType, Item, ItemKind};

use super::roster::Roster;
use super::text::label;
use super::{field, FormCtx, ScopeView};
use crate::i18n::T;

/// The section at `index` of the survey's sections, with the questions outside every
/// group that go with it ([`FormCtx::loose_in`]).
pub(crate) fn section_view(form: FormCtx, index: usize) -> AnyView {
    let (before, after) = form.loose_in(index);
    let loose = |items: Vec<&'static Item>| {
        items.into_iter().map(|i| render_item(form, i, None, form.scopes.get(None, 0))).collect::<Vec<_>>()
    };
    let section = form.survey.sections().nth(index).map(|item| {
        let body = if item.is_repeat() {
            view! { <Roster form=form item=item /> }.into_any()
        } else {
            render_children(form, item, None, form.scopes.get(None, 0)).into_any()
        };
        view! {
            <section class="form-section" data-testid=format!("section-view-{}", item.name)>
                <h2 class="section-title">
                    <span class="section-title-no">{index + 1}</span>
                    <T text=label(item) />
                </h2>
                {body}
            </section>
        }
    });
    view! { {loose(before)} {section} {loose(after)} }.into_any()
}

/// The children of a group or repeat, for member `member` inside a repeat; `scope` is the
/// view of the top level or of that member.
pub(crate) fn render_children(
    form: FormCtx,
    parent: &'static Item,
    member: Option<usize>,
    scope: ScopeView,
) -> Vec<AnyView> {
    form.survey
        .children(parent)
        .map(|c| render_item(form, c, member, scope))
        .collect()
}

/// One item, rendered only while it is relevant (a relevance change mounts or unmounts
/// just this item).
fn render_item(
    form: FormCtx,
    item: &'static Item,
    member: Option<usize>,
    scope: ScopeView,
) -> AnyView {
    if matches!(item.kind, ItemKind::Field(FieldType::Calculate)) && item.label.is_none() {
        // Hidden calculations (counters used by other expressions) are not shown.
        return ().into_any();
    }
    let path = form.path(item, member);
    let name: &'static str = &item.name;
    let relevant = Memo::new(move |_| scope.with(name, |v| v.relevant).unwrap_or(false));
    (move || {
        relevant.get().then(|| match &item.kind {
            ItemKind::Group => view! {
                <fieldset class="group" data-testid=format!("group-{}", path)>
                    {item.label.as_ref().map(|_| view! { <legend><T text=label(item) /></legend> })}
                    {render_children(form, item, member, scope)}
                </fieldset>
            }
            .into_any(),
            ItemKind::Repeat => view! { <Roster form=form item=item /> }.into_any(),
            ItemKind::Field(_) => field::field_view(form, item, path.clone(), scope),
        })
    })
    .into_any()
}
