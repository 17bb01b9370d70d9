//! DJP002 `syntax-error`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "DJP002",
    name: "syntax-error",
    summary: "a syntax error: the statement holding it was not checked",
    default_enabled: true,
    severity: Severity::Error,
    doc: DOC,
    // the file alone, migrations included (no interpretation of its code)
    reads: Reads::MIGRATIONS,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Reports each syntax error of a checked file where it is (at most 20 per file), in every
output format, as Ruff does. The rest of the file is still checked: a file with an error is
parsed again one top-level statement at a time, so a broken statement (an unterminated
f-string, an unclosed call) costs only itself, and the functions after it are analysed.
Indentation deeper than 100 blocks, which CPython rejects too, is reported here as well
(such a file is not analysed at all).

## Why is this a problem?
Code that does not parse cannot be analysed: the N+1 queries in the broken statement are
unknown, and Python will not run it either. A run over a file that is only a syntax error
must not look clean.

## Example
```python
def report(:
    for book in Book.objects.all():
        print(book.author.name)
```

Use instead:
```python
def report():
    for book in Book.objects.all():
        print(book.author.name)
```

## Known problems
The messages come from tree-sitter's error recovery, not from CPython's parser: the position
is where tree-sitter stopped making sense of the code, which is usually, not always, where
CPython would point. Code that only newer Python versions accept (or that tree-sitter-python
does not know yet) may be reported. One such construct is read as Python does: a boolean
operator after a generic type in an annotation (`rows: List[Row] or None = None`), which the
grammar rejects; the operator and its operand are blanked and the file is parsed again.
Always enabled, whatever `select` says; only `ignore` turns it off.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for e in &cx.file.ast.syntax_errors {
        out.push(rule.diagnostic(
            crate::source::Loc::new(cx.file.id, e.span),
            format!("syntax error: {}", e.message),
            e.message.clone(),
        ));
    }
}
