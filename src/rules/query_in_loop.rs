//! DJP104 `query-in-loop`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::flow::Event;

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
`def price_of(book): return Price.objects.get(book=book)`. The finding is at the call, with a
related location at the query.

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

## Known problems
`while` loops (often deliberate batching) and loops over literal collections are not reported.
A called function counts only when its query runs on every call: a query under an `if` (a
cache check, a parameter that is `None`), after an early `return`, in an `except` handler, or
in a function decorated as a cache (`functools.cache`, `lru_cache`, `@cached`...) is not
reported, nor one reached through a call that is itself conditional. And a called function's
query counts only in a loop over query rows or when a row of the loop is handed to it (not in a
loop over a few providers or request parameters).
"#;

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
            "get" | "get_object_or_404" | "first" | "last" | "[index]" => format!(
                "fetch the `{name}` rows once before the loop with `{name}.objects.in_bulk(ids)` or `filter(pk__in=ids)` and look them up in a dict"
            ),
            "count" | "exists" | "aggregate" => {
                "annotate() the value onto the queryset the loop iterates (Count/Exists/Subquery), or hoist the query if it does not depend on the loop".to_owned()
            }
            "create" | "get_or_create" | "update_or_create" => format!(
                "build the `{name}` objects in the loop and save them with one `{name}.objects.bulk_create(objs)` after it"
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
                format!("`{shown}` runs a query on every loop iteration")
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
