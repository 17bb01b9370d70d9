//! DJP202 `deferred-field-in-loop`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::flow::Event;
use std::collections::BTreeSet;

pub const RULE: Rule = Rule {
    code: "DJP202",
    name: "deferred-field-in-loop",
    summary: "A field left out by .only()/.defer() is read on every row",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a field that a queryset left out with `.only(...)` or `.defer(...)` (or the queryset of a
`Prefetch` did) and that is then read on each row in a loop.

## Why is this slow?
A deferred field is not in the row Django fetched. Reading it on an instance runs one query
for that instance (`refresh_from_db(fields=[...])`), so a loop over N rows runs N extra
queries — more than loading the field with the rows would have cost.

## Example
```python
for book in Book.objects.only("title"):
    print(book.title, book.summary)
```

Use instead:
```python
for book in Book.objects.only("title", "summary"):
    print(book.title, book.summary)
```

## Known problems
Only fields of the rows' own model are followed (`.only("author__name")` restricts the joined
author, which is not checked), and only names given as string literals. A method that reads
the field only where `hasattr(self, "n")` fails (`if not hasattr(self, "n"):`, the `else`
of `if hasattr(...)`, `x if hasattr(...) else self.field`) is silent on rows whose queryset
annotates `n`.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    for ev in cx.events {
        let Event::DeferredFieldRead {
            span,
            root_span,
            model,
            field,
        } = ev
        else {
            continue;
        };
        if !seen.insert((*root_span, field.clone())) {
            continue;
        }
        let name = &cx.index.model(*model).name;
        let root_line = cx.file.lines.line_of(root_span.span.start as usize) + 1;
        out.push(rule.diagnostic(*span, format!("`{name}.{field}` was left out of the rows and is read on every row: one query per row"), format!("loads `{field}` for each row")).with_help(format!(
                "load `{field}` with the rows: add \"{field}\" to .only(...) (or drop it from .defer(...)) on line {root_line}"
            )).with_related(vec![Related {
                file: root_span.file,
                span: root_span.span,
                message: format!("these `{name}` rows leave out `{field}`"),
            }]).with_depends(cx.depends_on(ev)));
    }
}
