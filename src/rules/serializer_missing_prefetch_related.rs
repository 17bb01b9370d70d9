//! DJP111 `serializer-missing-prefetch-related`.

use super::{quoted_list, Context, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::fix::queryset::{self, LoadCall};
use crate::frameworks::drf::{lookup, maximal};
use crate::source::Span;
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJP111",
    name: "serializer-missing-prefetch-related",
    summary: "A DRF view's queryset does not prefetch a many-valued relation its serializer reads on every object",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads_migrations: false,
    check,
};

const DOC: &str = r#"## What it does
Finds a Django REST Framework generic view or viewset whose queryset does not
`prefetch_related()` a many-to-many or reverse foreign key relation that its serializer reads
on every object: a nested serializer or related field with `many=True`, a many-to-many in
`Meta.fields` (rendered as a list of primary keys, which still runs `.all()`), or
`obj.tags.all()` in a `SerializerMethodField` method. The finding points at the queryset, with
the serializer field as a related location.

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
instead of one per object.

## Known problems
Same as DJP110: only literal querysets and serializer classes are followed.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    report(cx, rule, true, out);
}

/// DJP110 (`many == false`) and DJP111 (`many == true`): one finding per view queryset.
pub(super) fn report(cx: &Context<'_>, rule: &Rule, many: bool, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    let missing = cx.facts.missing_reads(ix, cx.file.id);
    let mut groups: BTreeMap<(Span, String), Vec<_>> = BTreeMap::new();
    for m in missing.into_iter().filter(|m| m.many == many) {
        groups
            .entry((m.view.qs.span, m.view.qual.clone()))
            .or_default()
            .push(m);
    }
    let mut done_spans = Vec::new();
    for ((span, _), ms) in groups {
        if done_spans.contains(&span) {
            continue;
        }
        done_spans.push(span);
        let paths: Vec<String> = ms.iter().map(|m| lookup(&m.read.path)).collect();
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
            if related
                .iter()
                .any(|r: &Related| r.file == m.read.file && r.span == m.read.span)
            {
                continue;
            }
            related.push(Related {
                file: m.read.file,
                span: m.read.span,
                message: format!(
                    "`{}.{}` reads `{}` for each `{model}`",
                    m.serializer.name,
                    m.read.field,
                    lookup(&m.read.path)
                ),
            });
        }
        let nullable = !many
            && ms
                .iter()
                .any(|m| m.read.path.iter().any(|s| s.nullable) && first.view.qs.loads.select_all);
        let mut help = format!("add .{call}({}) to the queryset", quoted_list(&paths));
        if nullable {
            help.push_str(
                " (select_related() with no arguments skips nullable relations: name it)",
            );
        }
        // Naming fields after a bare `select_related()` would stop it following the other
        // foreign keys: no mechanical fix then.
        let bare_select = !many && first.view.qs.loads.select_all;
        let roots = if first.view.qs.fix_at.is_empty() {
            vec![span]
        } else {
            first.view.qs.fix_at.clone()
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
            ), format!("does not {call} `{}`", paths.join("`, `"))).with_help(help).with_related(related).with_fix(fix));
    }
}
