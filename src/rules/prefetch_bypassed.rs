//! DJP103 `prefetch-bypassed`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::flow::Event;

pub const RULE: Rule = Rule {
    code: "DJP103",
    name: "prefetch-bypassed",
    summary: "A prefetched relation is re-queried on every row by a method the prefetch cache cannot serve",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a relation that the queryset prefetched, but that is then read per row with a method
Django always sends to the database: `.filter()`, `.exclude()`, `.order_by()`, `.get()`,
`.values()`, `.values_list()`, `.annotate()`, `.aggregate()`, `.last()`, `.iterator()`,
`.first()` on a model without `Meta.ordering`, and any other chained call.

## Why is this slow?
`prefetch_related("tags")` fills a cache that only the manager's own queryset uses: `.all()`,
iteration, `len()`, `bool()`, indexing, `.count()` and `.exists()` read it. Every chained
method clones the queryset, and a clone has no cache, so it runs one query per row — and the
prefetch query was wasted too.

## Example
```python
books = Book.objects.prefetch_related("tags")
for book in books:
    featured = book.tags.filter(featured=True)
```

Use instead:
```python
books = Book.objects.prefetch_related(
    Prefetch("tags", queryset=Tag.objects.filter(featured=True), to_attr="featured_tags")
)
for book in books:
    featured = book.featured_tags
```
or filter in Python over `book.tags.all()`.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::PrefetchBypass {
            span,
            root_span,
            root_model,
            path,
            model,
            rel,
            method,
        } = ev
        else {
            continue;
        };
        let ix = cx.index;
        let model_name = &ix.model(*model).name;
        let root_name = &ix.model(*root_model).name;
        let root_line = cx.file.lines.line_of(root_span.span.start as usize) + 1;
        let lookup = path.join("__");
        out.push(rule.diagnostic(*span, format!(
                "`.{method}()` re-queries the prefetched `{model_name}.{rel}` on every row"
            ), format!("`.{method}()` does not use the prefetch cache")).with_help(format!(
                "prefetch exactly these rows with Prefetch(\"{lookup}\", queryset=..., to_attr=\"...\") on the `{root_name}` queryset on line {root_line} and read the list, or work on `.all()` in Python"
            )).with_related(vec![Related {
                file: root_span.file,
                span: root_span.span,
                message: format!("`{lookup}` is prefetched here, but the cache is bypassed"),
            }]).with_depends(cx.depends_on(ev)));
    }
}
