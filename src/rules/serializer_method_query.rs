//! DJP112 `serializer-method-query`.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::frameworks::drf::{first_missing, lookup, MethodQuery};
use crate::source::Span;
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJP112",
    name: "serializer-method-query",
    summary: "A SerializerMethodField method runs a query for every serialized object",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads_migrations: false,
    check,
};

const DOC: &str = r#"## What it does
Finds a `SerializerMethodField` method (`get_<name>(self, obj)`, or `method_name=`) that runs a
query for each object: a related manager's `.filter()`, `.exclude()`, `.get()`,
`.aggregate()`... (never served by a prefetch), `.count()`/`.exists()` on a relation that some
view using the serializer does not prefetch, or a `Model.objects` query. A serializer used by
no known view is reported too.

## Why is this slow?
DRF calls the method once per object: a list of N objects runs N queries (or more).
`.count()` and `.exists()` on a prefetched relation are answered from the prefetch cache;
narrowed or aggregated queries are not.

The object is followed into the functions the method hands it to, in any module of the project
(`from .utils import review_total`, a method of the object's model): a query they run, or a
related manager of the object they count, is reported at the call with a related location at
the query.

## Example
```python
class AuthorSerializer(serializers.ModelSerializer):
    published = serializers.SerializerMethodField()

    def get_published(self, obj):
        return obj.book_set.filter(is_published=True).count()
```

Use instead:
```python
class AuthorList(generics.ListAPIView):
    queryset = Author.objects.annotate(
        published=Count("book", filter=Q(book__is_published=True))
    )

class AuthorSerializer(serializers.ModelSerializer):
    published = serializers.IntegerField()
```

## Known problems
A `Model.objects` query in a function the method calls counts only when it runs on every call
(not under an `if`, after an early `return`, or in an `except` handler); in the method itself
and its helpers in the same class or file, every such query counts.
"#;

/// A method query, the view querysets (file, span, lookup) that do not serve it, and whether
/// some view uses it.
type Found<'a> = (&'a MethodQuery, Vec<(u32, Span, String)>, bool);

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    let facts = cx.facts;
    // span → (query, view querysets that do not serve it, used by some view)
    let mut found: BTreeMap<Span, Found<'_>> = BTreeMap::new();
    for v in &facts.views {
        for si in &v.serializers {
            let s = &facts.serializers[*si];
            if s.model != Some(v.qs.model) {
                continue;
            }
            for (prefix, q) in &s.method_queries {
                if q.file != cx.file.id {
                    continue;
                }
                let e = found.entry(q.span).or_insert((q, Vec::new(), false));
                e.2 = true;
                // One object per request: the method runs once unless it sits in a nested list.
                if v.detail_only && !prefix.iter().any(|s| s.many) {
                    continue;
                }
                let served = match &q.rel {
                    Some(rel) if q.served_by_prefetch => {
                        let mut p = prefix.clone();
                        p.extend(rel.iter().cloned());
                        first_missing(ix, v.qs.model, &v.qs.loads, &p).is_none()
                    }
                    _ => false,
                };
                if !served {
                    let mut p = prefix.clone();
                    p.extend(q.rel.iter().flatten().cloned());
                    e.1.push((v.qs.file, v.qs.span, lookup(&p)));
                }
            }
        }
    }
    for s in &facts.serializers {
        for (_, q) in &s.method_queries {
            if q.file == cx.file.id {
                found.entry(q.span).or_insert((q, Vec::new(), false));
            }
        }
    }
    for (span, (q, views, used)) in found {
        if used && views.is_empty() {
            continue;
        }
        let what = match (&q.rel, &q.via) {
            (Some(rel), None) => {
                format!("`obj.{}.{}()`", lookup(rel).replace("__", "."), q.method)
            }
            (Some(rel), Some((shown, ..))) => format!(
                "`.{}()` on `obj.{}` in `{shown}`",
                q.method,
                lookup(rel).replace("__", ".")
            ),
            (None, None) => format!("`.{}()` on a manager", q.method),
            (None, Some((shown, ..))) => format!("a query in `{shown}`"),
        };
        let help = match (&q.rel, q.served_by_prefetch) {
            (Some(_), true) => {
                let paths: Vec<String> = views.iter().map(|(_, _, p)| p.clone()).collect();
                let p = paths.first().cloned().unwrap_or_else(|| q.rel.as_ref().map(|r| lookup(r)).unwrap_or_default());
                format!("add .prefetch_related(\"{p}\") to the view's queryset, or annotate(...) the value there")
            }
            (Some(rel), false) => format!(
                "annotate(...) the value in the view's queryset, or load it with Prefetch(\"{}\", queryset=..., to_attr=...)",
                lookup(rel)
            ),
            (None, _) => "annotate(...) the value in the view's queryset (e.g. with a Subquery)".to_owned(),
        };
        let mut related: Vec<Related> = views
            .iter()
            .map(|(f, sp, _)| Related {
                file: *f,
                span: *sp,
                message: "this view's queryset does not serve it".to_owned(),
            })
            .collect();
        if let Some((_, file, at)) = &q.via {
            related.push(Related {
                file: *file,
                span: *at,
                message: format!("`.{}()` runs the query here", q.method),
            });
        }
        out.push(
            rule.diagnostic(
                crate::source::Loc::new(cx.file.id, span),
                format!(
                    "serializer field `{}` runs {what} for every serialized object",
                    q.field
                ),
                "one query per object".to_owned(),
            )
            .with_help(help)
            .with_related(related),
        );
    }
}
