//! DJP003 `unused-noqa`.

use super::{Context, Fixable, Reads, Rule, RULES};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::project::File;
use crate::source::Span;
use crate::suppress;

pub const RULE: Rule = Rule {
    code: "DJP003",
    name: "unused-noqa",
    summary: "a `# noqa: DJP...` code that suppresses nothing",
    default_enabled: false,
    severity: Severity::Info,
    doc: DOC,
    // the file alone, migrations included (no interpretation of its code)
    reads: Reads::MIGRATIONS,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Reports the djperf codes of a `# noqa:` comment that suppress nothing on their line: no
finding of that rule starts there (`unused`), the rule is not enabled in this run
(`non-enabled`), or there is no such rule (`unknown`). Like Ruff's `RUF100`, and off by
default as `RUF100` is: enable it with `--extend-select DJP003` or `extend-select =
["DJP003"]`.

Only `DJP` codes are looked at: the other codes of the comment (`E501`, `F401`) belong to
other tools, and a bare `# noqa` may be for any of them, so neither is reported. A comment
that names `DJP003` itself is left alone.

## Why is this a problem?
A stale `noqa` hides the next real finding on that line: after the N+1 query was fixed, a
new one added there later would be suppressed without anyone deciding so.

## Example
```python
for book in Book.objects.select_related("author"):
    print(book.author.name)  # noqa: DJP101
```

Use instead:
```python
for book in Book.objects.select_related("author"):
    print(book.author.name)
```

## Fix safety
The fix removes the unused codes from the comment, or the whole `# noqa` comment when it
names nothing else. Safe: it changes only a comment.

## Known problems
Comments are found by a light tokenizer (strings, triple-quoted strings, continuations), not
by the parser: a `#` inside a Python 3.12 f-string replacement field that nests the same
quotes may be misread.
"#;

/// Run from the rule pipeline after the other rules (see [`unused_noqa`]): it needs their
/// findings before suppression.
fn check(_: &Context<'_>, _: &Rule, _: &mut Vec<Diagnostic>) {}

/// DJP003 findings of `file`, given every finding of the enabled rules on it before `# noqa`
/// was applied.
pub fn unused_noqa(
    file: &File,
    found: &[Diagnostic],
    enabled: &[&'static Rule],
) -> Vec<Diagnostic> {
    let Some(text) = file.text.as_deref() else {
        return Vec::new();
    };
    if memchr::memmem::find(text.as_bytes(), b"noqa").is_none()
        && memchr::memmem::find(text.as_bytes(), b"NOQA").is_none()
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (line, c) in suppress::comments(text).iter().enumerate() {
        let Some(hash) = c.hash else { continue };
        let start = file.lines.line_start(line);
        let line_text = file.lines.line_text(text, line);
        let Some(d) = hash
            .checked_sub(start)
            .and_then(|h| suppress::directive(line_text, h))
        else {
            continue;
        };
        if d.bare || d.codes.is_empty() || d.has(RULE.code) {
            continue;
        }
        let on_line = |code: &str| {
            found.iter().any(|f| {
                f.file == file.id
                    && f.code.eq_ignore_ascii_case(code)
                    && file.lines.line_of(f.span.start as usize) == line
            })
        };
        let (mut unused, mut disabled, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
        for (code, _) in &d.codes {
            if !code.to_ascii_uppercase().starts_with("DJP") {
                continue;
            }
            if !RULES.iter().any(|r| r.code.eq_ignore_ascii_case(code)) {
                unknown.push(code.as_str());
            } else if !enabled.iter().any(|r| r.code.eq_ignore_ascii_case(code)) {
                disabled.push(code.as_str());
            } else if !on_line(code) {
                unused.push(code.as_str());
            }
        }
        if unused.is_empty() && disabled.is_empty() && unknown.is_empty() {
            continue;
        }
        let parts: Vec<String> = [
            ("unused", &unused),
            ("non-enabled", &disabled),
            ("unknown", &unknown),
        ]
        .iter()
        .filter(|(_, codes)| !codes.is_empty())
        .map(|(what, codes)| {
            let list: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
            format!("{what}: {}", list.join(", "))
        })
        .collect();
        let span = Span::new(start + d.range.start, start + d.range.end);
        let drop: Vec<&str> = unused
            .iter()
            .chain(&disabled)
            .chain(&unknown)
            .copied()
            .collect();
        let fix = removal(file.id, start, line_text, &d, &drop);
        out.push(
            RULE.diagnostic(
                crate::source::Loc::new(file.id, span),
                format!("unused `noqa` directive ({})", parts.join("; ")),
                "suppresses nothing here".to_owned(),
            )
            .with_help(if drop.len() == d.codes.len() {
                "remove the `# noqa` comment".to_owned()
            } else {
                format!(
                    "remove {} from the comment",
                    drop.iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .with_fix(Some(fix)),
        );
    }
    out
}

/// The edit that drops `drop` from the directive: the whole comment (and the blanks before
/// it) when nothing is left, else the code list rewritten.
fn removal(file: u32, start: usize, line: &str, d: &suppress::Directive, drop: &[&str]) -> Fix {
    let kept: Vec<&str> = d
        .codes
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| !drop.iter().any(|x| x.eq_ignore_ascii_case(c)))
        .collect();
    let edit = if kept.is_empty() && line[d.range.end..].trim().is_empty() {
        // the comment (and the blanks before it) goes
        let from = line[..d.range.start].trim_end().len();
        Edit {
            file,
            span: Span::new(start + from, start + line.len()),
            content: String::new(),
        }
    } else if kept.is_empty() && line[d.range.end..].trim_start().starts_with('#') {
        // another comment follows (`# noqa: DJP101  # keep`): it stays, one blank less
        let from = line[..d.range.start].trim_end().len();
        let to = d.range.end + (line[d.range.end..].len() - line[d.range.end..].trim_start().len());
        Edit {
            file,
            span: Span::new(start + from, start + to),
            content: "  ".to_owned(),
        }
    } else if kept.is_empty() {
        // a reason follows (`# noqa: DJP101 kept for the export`): it stays a comment
        Edit {
            file,
            span: Span::new(start + d.range.start, start + d.range.end),
            content: "#".to_owned(),
        }
    } else {
        let (first, last) = (&d.codes[0].1, &d.codes[d.codes.len() - 1].1);
        Edit {
            file,
            span: Span::new(start + first.start, start + last.end),
            content: kept.join(", "),
        }
    };
    Fix {
        message: if kept.is_empty() {
            "remove the unused `noqa` directive".to_owned()
        } else {
            "remove the unused codes".to_owned()
        },
        applicability: Applicability::Safe,
        edits: vec![edit],
    }
}
