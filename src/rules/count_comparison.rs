//! DJP403 `count-comparison`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::fix::rewrite;
use crate::flow::Event;

pub const RULE: Rule = Rule {
    code: "DJP403",
    name: "count-comparison",
    summary: "qs.count() compared with 0 or 1 to test whether rows exist",
    default_enabled: true,
    severity: Severity::Info,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds `qs.count() > 0`, `>= 1`, `!= 0`, `== 0`, `< 1`, `if qs.count():` and `not qs.count()`:
an existence test written as a count.

## Why is this slow?
`COUNT(*)` visits every matching row (or index entry); `exists()` runs `SELECT 1 ... LIMIT 1`
and stops at the first match. On a large table the difference is the whole scan.

## Example
```python
if Book.objects.filter(author=author).count() > 0:
    ...
```

Use instead:
```python
if Book.objects.filter(author=author).exists():
    ...
```

## Fix safety
`qs.count() > 0` (and the other forms) becomes `qs.exists()`, `qs.count() == 0` becomes
`not qs.exists()`, and `if qs.count():` becomes `if qs.exists():`. Safe: the expression was
only a yes/no test.

## Known problems
When the count is also needed elsewhere, one `count()` may be cheaper than `exists()` plus
`count()`; the rule only looks at the comparison.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::CountCompare {
            span,
            model,
            form,
            negated,
        } = ev
        else {
            continue;
        };
        let name = &cx.index.model(*model).name;
        let fix = if *negated {
            "not qs.exists()"
        } else {
            "qs.exists()"
        };
        out.push(
            rule.diagnostic(
                *span,
                format!("`count()` of `{name}` rows used as an existence test (`{form}`)"),
                "counts every matching row".to_owned(),
            )
            .with_help(format!("use `{fix}`: the database stops at the first row"))
            .with_fix(rewrite::count_to_exists(cx.file, span.span).map(|e| Fix {
                message: format!("Use `{fix}`"),
                applicability: Applicability::Safe,
                edits: vec![e],
            }))
            .with_depends(cx.depends_on(ev)),
        );
    }
}
