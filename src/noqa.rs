//! `djperf check --add-noqa`: a `# noqa: CODE` comment on every line where a finding starts
//! (as Ruff's `--add-noqa`), merged into a `# noqa:` comment already there. A line that ends
//! inside a string or with a backslash continuation cannot take a comment: it is left alone
//! with a warning. A file is written only if it parses as well as before.

use crate::check::{self, CheckOptions};
use crate::fix::{self, ChangedFile};
use crate::output::escape;
use crate::suppress;
use std::collections::{BTreeMap, BTreeSet};

/// Rules whose findings get no comment: nothing to put it on (DJP001), a syntax error (noqa
/// does not make code parse), or the noqa report itself.
const NOT_SUPPRESSED: &[&str] = &["DJP001", "DJP002", "DJP003"];

/// Run the check, add the comments and write the files; returns the exit code.
pub fn add_noqa(opts: &CheckOptions, quiet: bool) -> i32 {
    let res = match check::run(opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("djperf: error: {e}");
            return 2;
        }
    };
    let mut by_line: BTreeMap<u32, BTreeMap<usize, BTreeSet<&str>>> = BTreeMap::new();
    for d in &res.diagnostics {
        if NOT_SUPPRESSED.contains(&d.code) {
            continue;
        }
        let f = res.file(d.file);
        let line = f.lines.line_of(d.span.start as usize);
        by_line
            .entry(d.file)
            .or_default()
            .entry(line)
            .or_default()
            .insert(d.code);
    }
    let mut changed = Vec::new();
    let mut counts = Vec::new();
    let warn = |path: &str, msg: String| {
        if !quiet {
            eprintln!("djperf: warning: {}: {msg}", escape::human(path));
        }
    };
    for (id, lines) in by_line {
        let f = res.file(id);
        let Some(text) = f.text.as_deref() else {
            continue;
        };
        let comments = suppress::comments(text);
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for (line, codes) in lines {
            let start = f.lines.line_start(line);
            let line_text = f.lines.line_text(text, line);
            let info = comments.get(line).copied().unwrap_or_default();
            if info.continues {
                warn(
                    &f.display,
                    format!(
                        "line {}: ends inside a string or with a backslash continuation; no `# noqa` added",
                        line + 1
                    ),
                );
                continue;
            }
            let existing = info
                .hash
                .and_then(|h| h.checked_sub(start))
                .and_then(|h| suppress::directive(line_text, h));
            match existing {
                Some(d) if d.bare => {}
                Some(d) => {
                    let new: Vec<&str> = codes.iter().copied().filter(|c| !d.has(c)).collect();
                    if new.is_empty() {
                        continue;
                    }
                    let at = start + d.range.end;
                    edits.push((at, at, format!(", {}", new.join(", "))));
                }
                None => {
                    let end = start + line_text.trim_end().len();
                    let list: Vec<&str> = codes.iter().copied().collect();
                    edits.push((
                        end,
                        start + line_text.len(),
                        format!("  # noqa: {}", list.join(", ")),
                    ));
                }
            }
        }
        if edits.is_empty() {
            continue;
        }
        let mut fixed = text.to_owned();
        for (from, to, content) in edits.iter().rev() {
            fixed.replace_range(*from..*to, content);
        }
        let before = f.ast.syntax_errors.len();
        let after = crate::parse::parse(&fixed).map_or(usize::MAX, |m| m.syntax_errors.len());
        if after > before {
            warn(
                &f.display,
                "the comments would not parse; file left alone".to_owned(),
            );
            continue;
        }
        counts.push(edits.len());
        changed.push(ChangedFile {
            path: f.path.clone(),
            display: f.display.clone(),
            original: text.to_owned(),
            fixed,
        });
    }
    let skipped = fix::write_files(&changed);
    for (file, why) in &skipped {
        eprintln!("djperf: error: {}: {why}", escape::human(file));
    }
    let added: usize = changed
        .iter()
        .zip(&counts)
        .filter(|(c, _)| !skipped.iter().any(|(f, _)| *f == c.display))
        .map(|(_, n)| n)
        .sum();
    let failed = !skipped.is_empty();
    if !quiet {
        eprintln!(
            "djperf: added {added} noqa directive{}",
            if added == 1 { "" } else { "s" }
        );
    }
    if failed {
        2
    } else {
        0
    }
}
