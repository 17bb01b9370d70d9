//! DJP001 `io-error`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Loc, Span};

pub const RULE: Rule = Rule {
    code: "DJP001",
    name: "io-error",
    summary: "a file to be checked could not be read, so it was not checked",
    default_enabled: true,
    severity: Severity::Error,
    doc: DOC,
    // the file alone, migrations included (no interpretation of its code)
    reads: Reads::MIGRATIONS,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r"## What it does
Reports a file (or directory) that was to be checked but could not be read: permission
denied, an I/O error, a FIFO, device or socket named on the command line (never opened, so
djperf cannot block on it), a symlink loop, or a file the parser gave up on (over its time
budget). It is reported at line 1 of the path, in every output format, like Ruff's `E902`.

## Why is this a problem?
A file that could not be read was not checked: its N+1 queries are unknown. Reported as a
finding, it makes the run exit 1 and shows in the JSON, SARIF or GitLab report beside every
other finding, so a review bot never reads a partial run as a clean one.

A file that vanished between the walk and the read (an editor's atomic save, a `git
checkout` under a running pre-commit) is not reported: it no longer exists, so nothing is
lost; a warning on stderr says so. A file that is only indexed (not under the paths checked)
and cannot be read is a warning on stderr too.

## Example
```console
$ chmod 000 shop/views.py && djperf check --output-format concise shop
shop/views.py:1:1: DJP001 cannot read: Permission denied (os error 13); not checked
```

Use instead:
```console
$ chmod 644 shop/views.py && djperf check shop
```
or exclude the path (`exclude = [...]`), or `--ignore DJP001` to have such files only warned
about on stderr.

## Known problems
Always enabled, whatever `select` says (a `select` of performance rules must not hide that a
file went unchecked); only `ignore` turns it off.
";

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    if let Some(why) = &cx.file.io_error {
        out.push(rule.diagnostic(
            Loc::new(cx.file.id, Span::new(0, 0)),
            why.clone(),
            "not checked".to_owned(),
        ));
    }
}
