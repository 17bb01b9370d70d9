//! DJP190 `runtime-n-plus-one`: found in a capture of the test suite, not in the code.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "DJP190",
    name: "runtime-n-plus-one",
    summary: "The same query ran again and again from one line during the tests (--queries only)",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::QUERIES,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Active only with `djperf check --queries FILE`, where FILE is a capture of the test suite
(`pytest -p djperf_capture --djperf-queries=FILE`, or `manage.py test` with
`djperf_capture.runner.CaptureRunner`; see the README). It reports a query that ran at least
3 times with the same SQL (literals stripped) and the same stack of project frames within one
test's body (or one request of a dev server), when no finding of the run explains it: no
finding's per-row line is on that stack (a `# noqa` for an N+1 rule on the line counts as
one; with `--select DJP190` alone, every such repetition is reported). The finding sits at the innermost project frame (a
template line becomes a related location of the view that renders it), and names the SQL, the
count and the test.

These are the N+1s djperf cannot see in the code: a relation read through `getattr(obj,
name)` with a name known only at run time, generic helpers, third-party code called per row
with the project's objects, signals.

## Why is this slow?
Each row of a loop runs one more query: a page of 50 rows is 51 round trips to the database,
and it grows with the data.

## Example
```python
def related_names(relation):
    return [getattr(book, relation).name for book in Book.objects.all()]
```
Called with `"author"` by a test over 5 books, this runs `SELECT ... FROM "shop_author"
WHERE "shop_author"."id" = ? LIMIT ?` 5 times from the same line.

Use instead:
```python
def related_names(relation):
    return [getattr(book, relation).name for book in Book.objects.select_related(relation)]
```

## Known problems
Only what the tests ran is seen, with the tests' data: a loop over one row repeats nothing.
A loop in the test itself that calls the same code 3 times with the same SQL from one line
counts as a repetition too (each request of the test client is a scope of its own, so a
loop of requests does not). Queries run in other threads (a live server, some async code)
are not captured. The fix is not generated: the loop is somewhere up the stack (the related
locations show the callers).
"#;

/// Nothing to find in the code: the findings come from the capture log
/// ([`crate::measure::join`]).
fn check(_cx: &Context<'_>, _rule: &Rule, _out: &mut Vec<Diagnostic>) {}
