//! DJP112 `serializer-method-query`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::frameworks::{Need, Origin};
use crate::source::{Loc, Span};
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJP112",
    name: "serializer-method-query",
    summary: "A SerializerMethodField method runs a query for every serialized object",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a `SerializerMethodField` method (`get_<name>(self, obj)`, or `method_name=`) that runs a
query for each object: a related manager's `.filter()`, `.exclude()`, `.get()`,
`.aggregate()`... (never served by a prefetch), `.count()`/`.exists()` on a relation that some
view using the serializer does not prefetch, or a `Model.objects` query. A serializer used by
no known view is reported too.

A serializer field whose source is a model property, a `cached_property` or a method callable
without arguments runs its code for each object too: a query there (`self.plurals.filter(
source=...)[0]`, a property returning a filtered related manager or a queryset of its own that a
nested serializer with `many=True` iterates) is reported at the field, with the query as a
related location. So is a related field with `many=True` over a queryset a property returns
(`PrimaryKeyRelatedField(source="active_tags", many=True)`): DRF calls `.all()` on it, which
clones it into a fresh query that no prefetch serves (a property returning the related manager
itself, `self.tags`, is served by a prefetch: DJP111).

## Why is this slow?
DRF calls the method once per object: a list of N objects runs N queries (or more).
`.count()` and `.exists()` on a prefetched relation are answered from the prefetch cache;
narrowed or aggregated queries are not.

The object is followed into the functions the method hands it to, in any module of the project
(`from .utils import review_total`, a method of the object's model): a query they run, or a
related manager of the object they count, is reported at the call with a related location at
the query.

A method that serializes a queryset it builds (`ReviewSerializer(Review.objects.filter(
book__author=obj), many=True).data`, or a narrowed `obj.reviews.filter(...)`) runs that query
for each object, reported here; what the nested serializer reads of those rows is never charged
to the view's queryset (its model may not have those relations): it is reported at that call
(DJP101/DJP102), with the load on the queryset built there.

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

/// A query per serialized object: the field, the related manager (relative to the object the
/// field serializes), the method, whether a prefetch serves it, the helper it runs in, and the
/// view querysets (file, span, lookup from their rows) that do not serve it.
struct Found {
    field: String,
    rel: Option<Vec<String>>,
    method: String,
    /// The query as shown: `` `.count()` ``, or `` a `Tag` query `` for rows fetched.
    shown: String,
    served_by_prefetch: bool,
    via: Option<(String, Loc)>,
    views: Vec<(u32, Span, String)>,
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let facts = cx.facts;
    let mut found: BTreeMap<Span, Found> = BTreeMap::new();
    for o in &facts.observations {
        let Origin::Serializer {
            view,
            field,
            object,
            ..
        } = &o.origin
        else {
            continue;
        };
        let Some(Need::Query {
            rel,
            method,
            model,
            served_by_prefetch,
            at,
            via,
        }) = o.need(|id| cx.file_by_id(id))
        else {
            continue;
        };
        if at.file != cx.file.id {
            continue;
        }
        let full = rel.as_ref().map(|r| r.join("__")).unwrap_or_default();
        let e = found.entry(at.span).or_insert_with(|| Found {
            // the method field's own name, also inside a nested serializer
            field: field.rsplit('.').next().unwrap_or(field).to_owned(),
            rel: rel
                .as_ref()
                .map(|r| r.get(object.len()..).unwrap_or(r).to_vec()),
            shown: if method == "iterate" {
                format!("a `{}` query", cx.index.model(model).name)
            } else {
                format!("`.{method}()`")
            },
            method,
            served_by_prefetch,
            via,
            views: Vec::new(),
        });
        if let Some(vi) = view {
            let v = &facts.views[*vi];
            if !e
                .views
                .iter()
                .any(|(f, s, _)| *f == v.qs.file && *s == v.qs.span)
            {
                e.views.push((v.qs.file, v.qs.span, full));
            }
        }
    }
    for (span, q) in found {
        let dotted = |r: &[String]| r.join(".");
        let what = match (&q.rel, &q.via) {
            (Some(rel), None) => format!("`obj.{}.{}()`", dotted(rel), q.method),
            (Some(rel), Some((shown, _))) => {
                format!("{} on `obj.{}` in `{shown}`", q.shown, dotted(rel))
            }
            (None, None) if q.method == "iterate" => q.shown.clone(),
            (None, None) => format!("{} on a manager", q.shown),
            (None, Some((shown, _))) => format!("a query in `{shown}`"),
        };
        let help = match (&q.rel, q.served_by_prefetch) {
            (Some(rel), true) => {
                let p = q
                    .views
                    .first()
                    .map(|(_, _, p)| p.clone())
                    .unwrap_or_else(|| rel.join("__"));
                format!("add .prefetch_related(\"{p}\") to the view's queryset, or annotate(...) the value there")
            }
            (Some(rel), false) => format!(
                "annotate(...) the value in the view's queryset, or load it with Prefetch(\"{}\", queryset=..., to_attr=...)",
                rel.join("__")
            ),
            // rows fetched per object (a queryset the method builds and serializes): no
            // annotation carries a list of rows
            (None, _) if q.method == "iterate" && q.via.is_none() => "fetch these rows for every object at once: when they are related to the object, a `Prefetch(\"<relation>\", queryset=..., to_attr=...)` on the view's queryset, read back from the `to_attr` list in the method".to_owned(),
            (None, _) => "annotate(...) the value in the view's queryset (e.g. with a Subquery)".to_owned(),
        };
        let mut related: Vec<Related> = q
            .views
            .iter()
            .map(|(f, sp, _)| Related {
                file: *f,
                span: *sp,
                message: "this view's queryset does not serve it".to_owned(),
            })
            .collect();
        if let Some((_, at)) = &q.via {
            related.push(Related {
                file: at.file,
                span: at.span,
                message: format!("{} runs the query here", q.shown),
            });
        }
        out.push(
            rule.diagnostic(
                Loc::new(cx.file.id, span),
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
