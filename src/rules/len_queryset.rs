//! DJP401 `len-queryset`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::rewrite;
use crate::flow::usage::Unused;
use crate::flow::Event;

pub const RULE: Rule = Rule {
    code: "DJP401",
    name: "len-queryset",
    summary: "len() of a queryset whose rows are not used afterwards",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds `len(qs)` on a queryset whose rows are not used afterwards in the same function (not
iterated, indexed, returned or passed on).

## Why is this slow?
`len()` evaluates the queryset: Django fetches every row and builds a model instance for
each, only to count them. `qs.count()` runs `SELECT COUNT(*)` in the database and moves one
number. When the rows are used afterwards, `len()` is fine: it fills the result cache once.

## Example
```python
books = Book.objects.filter(author=author)
total = len(books)
```

Use instead:
```python
total = Book.objects.filter(author=author).count()
```

## Fix safety
`len(qs)` becomes `qs.count()`. Safe on a queryset built inline (`len(Book.objects.filter(...))`):
nothing can read its rows later. Unsafe on a local name: code djperf does not see (a nested
function, a lambda) may still iterate it, and would then run its own query instead of reading
the cache `len()` filled.

## Known problems
A queryset read afterwards only inside a `lambda` or a nested function is not seen as used.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::RowsUnused {
            span,
            model,
            how: Unused::Len,
        } = ev
        else {
            continue;
        };
        let name = &cx.index.model(*model).name;
        out.push(
            rule.diagnostic(
                *span,
                format!("`len()` fetches every `{name}` row only to count them"),
                "loads all rows".to_owned(),
            )
            .with_help("use `.count()` on the queryset: the database counts the rows".to_owned())
            .with_fix(rewrite::len_to_count(cx.file, span.span).map(|e| {
                super::measured_fix("Replace `len()` with `.count()`", cx.file, span.span, e)
            }))
            .with_depends(cx.depends_on(ev)),
        );
    }
}
