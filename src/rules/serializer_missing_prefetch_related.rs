//! DJP111 `serializer-missing-prefetch-related`.

use super::{quoted_list, Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::fix::queryset::{self, LoadCall};
use crate::frameworks::drf::{maximal, Serializer, View};
use crate::frameworks::{Need, Origin};
use crate::source::{Loc, Span};
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJP111",
    name: "serializer-missing-prefetch-related",
    summary: "A DRF view's queryset does not prefetch a many-valued relation its serializer reads on every object",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a Django REST Framework generic view or viewset whose queryset does not
`prefetch_related()` a many-to-many or reverse foreign key relation that its serializer reads
on every object: a nested serializer or related field with `many=True`, a many-to-many in
`Meta.fields` (rendered as a list of primary keys, which still runs `.all()`), or
`obj.tags.all()` in a `SerializerMethodField` method. A field whose source is a model property
or a method callable without arguments runs that code on every object: what it reads counts,
and a nested serializer serializes what it returns (`tags = TagSerializer(many=True,
source="active_tags")` over a property returning `self.tags.all()` reads `tags`, and whatever
`TagSerializer` reads of each tag). The finding points at the queryset, with the serializer
field as a related location.

## Why is this slow?
A related manager's `.all()` is one query per object unless the queryset prefetched it. A list
of N objects then costs N extra queries, one more set per nesting level.

## Example
```python
class BookSerializer(serializers.ModelSerializer):
    tags = TagSerializer(many=True)

class BookList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookSerializer
```

Use instead:
```python
class BookList(generics.ListAPIView):
    queryset = Book.objects.prefetch_related("tags")
    serializer_class = BookSerializer
```

## Fix safety
`--fix` adds `.prefetch_related(...)` where DJP110 adds `select_related` (the `queryset =`
attribute or the `get_queryset()` return, every branch). Safe: one more query per request
instead of one per object. The lookup goes after the chain's `Prefetch` objects and custom
queryset methods, as for DJP102.

## Known problems
Same as DJP110: only literal querysets and serializer classes are followed.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    report(cx, rule, true, out);
}

/// A relation path a view's serializer reads on every row that its queryset does not load.
struct Missing<'a> {
    view: &'a View,
    serializer: &'a Serializer,
    field: &'a str,
    path: String,
    at: Loc,
    skipped_by_bare_select: bool,
}

/// DJP110 (`many == false`) and DJP111 (`many == true`): one finding per view queryset.
pub(super) fn report(cx: &Context<'_>, rule: &Rule, many: bool, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    let facts = cx.facts;
    let mut groups: BTreeMap<(Span, String), Vec<Missing<'_>>> = BTreeMap::new();
    for o in &facts.observations {
        let Origin::Serializer {
            view: Some(vi),
            serializer,
            field,
            ..
        } = &o.origin
        else {
            continue;
        };
        let view = &facts.views[*vi];
        if view.qs.file != cx.file.id {
            continue;
        }
        let Some(Need::Read {
            path,
            many: m,
            skipped_by_bare_select,
            at,
        }) = o.need(|id| cx.file_by_id(id))
        else {
            continue;
        };
        if m != many {
            continue;
        }
        groups
            .entry((view.qs.span, view.qual.clone()))
            .or_default()
            .push(Missing {
                view,
                serializer: &facts.serializers[*serializer],
                field,
                path: path.join("__"),
                at,
                skipped_by_bare_select,
            });
    }
    let mut done_spans = Vec::new();
    for ((span, _), ms) in groups {
        if done_spans.contains(&span) {
            continue;
        }
        done_spans.push(span);
        let paths: Vec<String> = ms.iter().map(|m| m.path.clone()).collect();
        let paths = maximal(&paths);
        let first = &ms[0];
        let model = &ix.model(first.view.qs.model).name;
        let call = if many {
            "prefetch_related"
        } else {
            "select_related"
        };
        let view_name = first.view.qual.rsplit('.').next().unwrap_or_default();
        let mut related = Vec::new();
        for m in &ms {
            // `author` is implied by `author__publisher` read by the same field
            let implied = ms.iter().any(|o| {
                o.field == m.field
                    && o.path.len() > m.path.len()
                    && o.path.starts_with(&m.path)
                    && o.path[m.path.len()..].starts_with("__")
            });
            if implied
                || related
                    .iter()
                    .any(|r: &Related| r.file == m.at.file && r.span == m.at.span)
            {
                continue;
            }
            related.push(Related {
                file: m.at.file,
                span: m.at.span,
                message: format!(
                    "`{}.{}` reads `{}` for each `{model}`",
                    m.serializer.name, m.field, m.path
                ),
            });
        }
        let nullable = !many && ms.iter().any(|m| m.skipped_by_bare_select);
        let mut help = format!("add .{call}({}) to the queryset", quoted_list(&paths));
        if nullable {
            help.push_str(
                " (select_related() with no arguments skips nullable relations: name it)",
            );
        }
        // Naming fields after a bare `select_related()` would stop it following the other
        // foreign keys: no mechanical fix then.
        let bare_select = !many && first.view.qs.loads.select_all;
        let mut roots = if first.view.qs.fix_at.is_empty() {
            vec![span]
        } else {
            first.view.qs.fix_at.clone()
        };
        // A branch returning `Model.objects.none()` serializes no rows: not where to load.
        let live: Vec<_> = roots
            .iter()
            .copied()
            .filter(|r| !cx.file.ast.is_method_call(*r, &["none"]))
            .collect();
        if !live.is_empty() {
            roots = live;
        }
        let span = if cx.file.ast.is_method_call(span, &["none"]) {
            roots[0]
        } else {
            span
        };
        let fix = queryset::load_fix_at(
            cx.file,
            &roots,
            if many {
                LoadCall::PrefetchRelated
            } else {
                LoadCall::SelectRelated
            },
            &paths,
            None,
        )
        .filter(|_| !bare_select);
        out.push(rule.diagnostic(crate::source::Loc::new(cx.file.id, span), format!(
                "`{view_name}` serializes `{model}` rows with `{}`, which reads `{}` on every row: one query per row",
                first.serializer.name,
                paths.join("`, `")
            ), format!("does not {call} `{}`", paths.join("`, `"))).with_help(help).with_related(related).with_fix(fix).with_depends(
            ms.iter()
                .flat_map(|m| {
                    super::depends::path(ix, cx.files, first.view.qs.model, m.path.split("__"))
                })
                .chain(super::depends::managers(ix, cx.files, first.view.qs.model))
                .collect(),
        ));
    }
}
