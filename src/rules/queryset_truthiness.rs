//! DJP402 `queryset-truthiness`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::rewrite;
use crate::flow::usage::Unused;
use crate::flow::Event;

pub const RULE: Rule = Rule {
    code: "DJP402",
    name: "queryset-truthiness",
    summary: "A queryset tested for truth whose rows are not used afterwards",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds `if qs:`, `bool(qs)`, `not qs`, `if len(qs):` and `len(qs) > 0` on a queryset whose rows
are not used afterwards in the same function.

## Why is this slow?
Testing a queryset's truth evaluates it: every matching row is fetched and turned into a model
instance to answer "is there at least one?". `qs.exists()` asks the database for one row at
most (`SELECT 1 ... LIMIT 1`). When the rows are used afterwards, the truth test is fine: it
fills the result cache once.

## Example
```python
if Book.objects.filter(author=author):
    notify(author)
```

Use instead:
```python
if Book.objects.filter(author=author).exists():
    notify(author)
```

## Fix safety
The tested queryset becomes `qs.exists()` (`bool(qs)`, `len(qs)` in a test and `len(qs) > 0`
too; `len(qs) == 0` becomes `not qs.exists()`). Safe on a queryset built inline, unsafe on a
local name, for the reason given under DJP401.

## Known problems
A queryset read afterwards only inside a `lambda` or a nested function is not seen as used.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::RowsUnused {
            span,
            model,
            how: Unused::Truth,
        } = ev
        else {
            continue;
        };
        let name = &cx.index.model(*model).name;
        out.push(
            rule.diagnostic(
                *span,
                format!("testing a `{name}` queryset for rows fetches every row"),
                "loads all rows".to_owned(),
            )
            .with_help(
                "use `.exists()` on the queryset: the database stops at the first row".to_owned(),
            )
            .with_fix(
                rewrite::truth_to_exists(cx.file, span.span)
                    .map(|e| super::measured_fix("Test with `.exists()`", cx.file, span.span, e)),
            )
            .with_depends(cx.depends_on(ev)),
        );
    }
}
