//! DJP104 `query-in-loop`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::flow::Event;
use crate::source::Loc;

pub const RULE: Rule = Rule {
    code: "DJP104",
    name: "query-in-loop",
    summary: "A query is built and run inside a loop body",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a query that runs on every iteration of a `for` loop or comprehension:
`Model.objects.get(...)`, `.filter(...).first()`, `.count()`, `.exists()`, `.create()`,
iterating a fresh queryset, `x in` a queryset built in the loop, `get_object_or_404()`. A
queryset bound to a variable before the loop and evaluated in it (`if tag in featured:`,
`for t in featured:`, `len(featured)`) is not reported: the first iteration fills its result
cache, which serves the others (one query for the whole loop). A function, method, property or `__str__`
called in the loop counts when it runs such a query on every call (also through the functions
it calls, in any module of the project): `for book in books: price_of(book)` with
`def price_of(book): return Price.objects.get(book=book)`. A model instance the callee builds
and saves (`LogEntry(...).save()`) counts as an insert per call. Methods of a row are looked
up along the model's whole method resolution order: its own class, model parents, abstract
bases and plain mixin classes (`class LoggedModel(models.Model, LoggingMixin)` gets
`obj.log_action()` from the mixin). The finding is at the call, with a related location at
the query.

## Why is this slow?
Each iteration pays a database round trip. Over N items that is N queries where one or two
would do: fetch all needed rows at once with `in_bulk()` or `filter(pk__in=...)`, compute
counts with `annotate()`, create rows with `bulk_create()`, or hoist a query that does not
depend on the loop variable out of the loop.

## Example
```python
for item in order_items:
    product = Product.objects.get(pk=item["product_id"])
```

Use instead:
```python
products = Product.objects.in_bulk([item["product_id"] for item in order_items])
for item in order_items:
    product = products[item["product_id"]]
```

The help fits the call: `in_bulk()` only for lookups by primary key or one unique field
(else one `filter(<field>__in=...)` indexed in a dict), `get_or_create`/`update_or_create`
as upserts (`bulk_create(update_conflicts=True, unique_fields=..., update_fields=...)` when
the lookup fields are unique together, else existing rows fetched once into a dict), and
that `bulk_create()` calls no `save()` and sends no signals.

## Known problems
`while` loops (often deliberate batching) and loops over literal collections are not reported.
A queryset built before the loop and iterated whole inside it (`for t in tags`, `list(tags)`)
is not reported: its first evaluation fills the result cache the later iterations reuse
(`.count()`, `.first()`, `.iterator()` on it still query every time).
A called function counts only when its query runs on every call: a query under an `if` (a
cache check), after an early `return`, in an `except` handler, or in a function decorated as a
cache (`functools.cache`, `lru_cache`, `@cached`...) is not reported, nor one reached through
a call that is itself conditional. A query under a truth test of a parameter
(`def log_action(self, ..., save=True)` with `if save: entry.save()`) counts only at calls
whose literal argument, or the default when they pass none, makes the test hold
(`log_action(..., save=False)` is not reported). Code after a branch that can only `raise`
(an argument check) counts as running. And a called function's
query counts only in a loop over query rows or when a row of the loop is handed to it (not in a
loop over a few providers or request parameters).
"#;

/// The advice for a lookup of one row per iteration (`get()`, `filter(...).first()`): by
/// primary key, `in_bulk(ids)`; by one unique field, `in_bulk(values, field_name=...)`;
/// otherwise one `filter(<field>__in=...)` indexed in a dict (in_bulk() only takes unique
/// fields).
fn fetch_once_help(cx: &Context<'_>, name: &str, model: crate::index::ModelId, at: Loc) -> String {
    let fields = cx
        .files
        .get(at.file as usize)
        .and_then(|f| lookup_fields(f, at.span))
        .unwrap_or_default();
    let ix = cx.index;
    let unique = |f: &str| {
        ix.model(model)
            .fields
            .iter()
            .any(|x| x.name == f && (x.unique || x.primary_key))
    };
    // The key the rows are looked up by: the primary key, else a unique field, else the
    // first lookup (the other lookups stay a filter).
    let key = fields
        .iter()
        .find(|f| *f == "pk" || *f == "id")
        .or_else(|| fields.iter().find(|f| unique(f)))
        .or_else(|| fields.first());
    let rest = if fields.len() > 1 {
        ".filter(<the other lookups>)"
    } else {
        ""
    };
    match key {
        None => format!(
            "fetch the `{name}` rows once before the loop with one `filter(<field>__in=...)` and look them up in a dict (by primary key: `{name}.objects.in_bulk(ids)`)"
        ),
        Some(f) if f == "pk" || f == "id" => format!(
            "fetch the `{name}` rows once before the loop with `{name}.objects{rest}.in_bulk(ids)` and look them up in the dict it returns"
        ),
        Some(f) if unique(f) => format!(
            "fetch the `{name}` rows once before the loop with `{name}.objects{rest}.in_bulk(values, field_name=\"{f}\")` and look them up in the dict it returns"
        ),
        Some(f) => format!(
            "fetch the `{name}` rows once before the loop with `{name}.objects.filter({f}__in=...)` and index them in a dict by `{f}` (in_bulk() only takes the primary key or a unique field)"
        ),
    }
}

/// What to annotate instead of a `count()`/`exists()`/`aggregate()` per row: when the query
/// filters on a foreign key `fk` of `model` (`Review.objects.filter(book=book).count()`), the
/// reverse relation on the target model (`Count("reviews")`, `Exists(...OuterRef("pk"))`).
fn annotate_help(cx: &Context<'_>, model: crate::index::ModelId, method: &str, at: Loc) -> String {
    let ix = cx.index;
    let name = &ix.model(model).name;
    let fields = cx
        .files
        .get(at.file as usize)
        .and_then(|f| lookup_fields(f, at.span))
        .unwrap_or_default();
    let fk = fields.iter().find_map(|f| {
        let base = f.strip_suffix("_id").unwrap_or(f);
        let field = ix.model(model).fields.iter().find(|x| x.name == base)?;
        let target = field.target?;
        let rev = ix
            .model(target)
            .reverse
            .iter()
            .find(|r| r.from_model == model && r.field == base)?;
        Some((base.to_owned(), target, rev.query_name.clone()))
    });
    let Some((fk, target, query_name)) = fk else {
        return "annotate() the value onto the queryset the loop iterates (Count/Exists/Subquery), or hoist the query if it does not depend on the loop".to_owned();
    };
    let target = &ix.model(target).name;
    let others = fields
        .iter()
        .filter(|f| f.strip_suffix("_id").unwrap_or(f) != fk)
        .count();
    match method {
        "count" => {
            let filter = if others > 0 {
                format!(", filter=Q({query_name}__...=...)")
            } else {
                String::new()
            };
            format!(
                "annotate the number onto the `{target}` queryset the loop iterates: `.annotate({query_name}_count=Count(\"{query_name}\"{filter}))`, and read `row.{query_name}_count`"
            )
        }
        "exists" => format!(
            "annotate the test onto the `{target}` queryset the loop iterates: `.annotate(has_{query_name}=Exists({name}.objects.filter({fk}=OuterRef(\"pk\"){more})))`, and read `row.has_{query_name}`",
            more = if others > 0 { ", ..." } else { "" }
        ),
        _ => format!(
            "annotate the value onto the `{target}` queryset the loop iterates with a `Subquery({name}.objects.filter({fk}=OuterRef(\"pk\")).values(...))` or an aggregate over `\"{query_name}\"` (`Sum`, `Max`...)"
        ),
    }
}

/// The keyword lookups of the `get()`/`filter()` calls of the chain at `span`
/// (`Tag.objects.filter(slug=s).first()` gives `["slug"]`), `__exact` dropped.
fn lookup_fields(file: &crate::project::File, span: crate::source::Span) -> Option<Vec<String>> {
    use crate::ast::ExprKind;
    let m = &file.ast;
    let mut cur = m.expr_at(span)?;
    let mut out = Vec::new();
    for _ in 0..64 {
        match m.kind(cur) {
            ExprKind::Call { func, kwargs, .. } => {
                if let ExprKind::Attr { value, attr, .. } = m.kind(*func) {
                    if matches!(&**attr, "get" | "filter") {
                        out.extend(kwargs.iter().filter_map(|k| {
                            k.name
                                .as_deref()
                                .map(|n| n.strip_suffix("__exact").unwrap_or(n).to_owned())
                        }));
                    }
                    cur = *value;
                } else {
                    // `get_object_or_404(Model, slug=...)`
                    out.extend(kwargs.iter().filter_map(|k| {
                        k.name
                            .as_deref()
                            .map(|n| n.strip_suffix("__exact").unwrap_or(n).to_owned())
                    }));
                    break;
                }
            }
            ExprKind::Attr { value, .. } | ExprKind::Subscript { value, .. } => cur = *value,
            _ => break,
        }
    }
    Some(out)
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::QueryInLoop {
            span,
            loop_span,
            model,
            method,
            root,
            via,
        } = ev
        else {
            continue;
        };
        let name = &cx.index.model(*model).name;
        let help = match method.as_str() {
            "get" | "get_object_or_404" | "first" | "last" | "[index]" => {
                fetch_once_help(cx, name, *model, via.as_ref().map_or(*span, |(_, at)| *at))
            }
            "count" | "exists" | "aggregate" => {
                annotate_help(cx, *model, method, via.as_ref().map_or(*span, |(_, at)| *at))
            }
            // only through a callee: a direct save in a loop is DJP105's
            "save" => format!(
                "build the `{name}` objects without saving them in the loop (let the method return them unsaved if it can) and insert them with one `{name}.objects.bulk_create(objs)` after it (bulk_create() calls no save() method and sends no pre/post_save signals)"
            ),
            "create" => format!(
                "build the `{name}` objects in the loop and insert them with one `{name}.objects.bulk_create(objs)` after it (bulk_create() calls no save() method and sends no pre/post_save signals)"
            ),
            "get_or_create" => format!(
                "an upsert per row: fetch the existing `{name}` rows once before the loop into a dict by their lookup fields, and create the missing ones with one `{name}.objects.bulk_create(objs)` after it (`ignore_conflicts=True` if others may insert them; bulk_create() calls no save() and sends no signals)"
            ),
            "update_or_create" => format!(
                "an upsert per row: when the lookup fields are unique together, one `{name}.objects.bulk_create(objs, update_conflicts=True, unique_fields=[...], update_fields=[...])` after the loop; else fetch the existing rows once into a dict, then `bulk_update()` the changed and `bulk_create()` the new ones (neither calls save() nor sends signals)"
            ),
            "update" | "delete" => {
                "express the change as one queryset `.update()`/`.delete()` over all rows, outside the loop".to_owned()
            }
            "in" => format!(
                "build the `{name}` queryset once before the loop (its result cache then serves every `in`), or collect the keys once with `set(....values_list(\"pk\", flat=True))` and test `obj.pk in keys`"
            ),
            _ if !root => "prefetch the relation on the outer queryset, or fetch all rows at once with `filter(<relation>__in=...)`".to_owned(),
            _ => format!(
                "fetch all the `{name}` rows needed with one `filter(<field>__in=...)` before the loop (or prefetch_related on the outer queryset)"
            ),
        };
        let what = match method.as_str() {
            "iterate" => format!("a `{name}` queryset is evaluated"),
            "[index]" => format!("a `{name}` queryset is indexed"),
            "in" => format!("`in` evaluates a `{name}` queryset built"),
            b if b.ends_with("()") => format!("a `{name}` queryset is evaluated by `{b}`"),
            "get_object_or_404" => format!("`get_object_or_404({name}, ...)` runs a query"),
            "save" => format!("a new `{name}` is saved"),
            m if *root => format!("`{name}.objects.{m}()` runs a query"),
            m => format!("`.{m}()` on a related `{name}` manager runs a query"),
        };
        let mut related = vec![Related {
            file: loop_span.file,
            span: super::header_span(cx.file, loop_span.span),
            message: "the loop".to_owned(),
        }];
        let message = match via {
            Some((shown, at)) => {
                related.push(Related {
                    file: at.file,
                    span: at.span,
                    message: format!("{what} here"),
                });
                if method == "save" {
                    format!("`{shown}` inserts a new `{name}` row on every loop iteration")
                } else {
                    format!("`{shown}` runs a query on every loop iteration")
                }
            }
            None => format!("{what} on every loop iteration"),
        };
        out.push(
            rule.diagnostic(*span, message, "one query per iteration".to_owned())
                .with_help(help)
                .with_related(related)
                .with_depends(cx.depends_on(ev)),
        );
    }
}
