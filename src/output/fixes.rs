//! `--show-fixes`: each available fix shown as a diff under its finding (`full` format), and
//! after `--fix` the list of what was fixed, per file and rule.

use super::escape;
use crate::check::CheckResult;
use crate::diagnostic::Diagnostic;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The fix of `d` as a unified diff of each file it edits (one line of context), after a
/// `fix (safe): MESSAGE` line. Nothing when `d` has no fix.
pub fn write_fix_diff(res: &CheckResult, d: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
    let Some(fix) = &d.fix else {
        return Ok(());
    };
    if fix.edits.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "  fix ({}): {}",
        fix.applicability.as_str(),
        escape::human(&fix.message)
    )?;
    let mut by_file: BTreeMap<u32, Vec<&crate::diagnostic::Edit>> = BTreeMap::new();
    for e in &fix.edits {
        by_file.entry(e.file).or_default().push(e);
    }
    for (id, mut edits) in by_file {
        let f = res.file(id);
        let Some(text) = f.text.as_deref() else {
            continue;
        };
        edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
        let mut fixed = text.to_owned();
        for e in edits {
            let r = e.span.range();
            if r.start <= r.end
                && r.end <= fixed.len()
                && fixed.is_char_boundary(r.start)
                && fixed.is_char_boundary(r.end)
            {
                fixed.replace_range(r, &e.content);
            }
        }
        let diff = similar::TextDiff::from_lines(text, &fixed);
        for hunk in diff.unified_diff().context_radius(1).iter_hunks() {
            let name = escape::human(&f.display);
            writeln!(out, "  {name}:")?;
            for change in hunk.iter_changes() {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                let line = change.value().trim_end_matches(['\n', '\r']);
                let n = change
                    .old_index()
                    .or(change.new_index())
                    .map_or(0, |i| i + 1);
                writeln!(out, "  {n:>5} {sign} {}", escape::human(line))?;
            }
        }
    }
    writeln!(out)
}

/// `Fixed N problems:` then, per file, `    2 × DJP101 (fk-access-in-loop)`.
pub fn write_fixed(fixed: &[(String, &'static str)], out: &mut dyn Write) -> io::Result<()> {
    if fixed.is_empty() {
        return Ok(());
    }
    let mut per_file: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for (file, code) in fixed {
        *per_file.entry(file).or_default().entry(code).or_default() += 1;
    }
    writeln!(
        out,
        "Fixed {} problem{}:",
        fixed.len(),
        if fixed.len() == 1 { "" } else { "s" }
    )?;
    for (file, codes) in per_file {
        writeln!(out, "- {}:", escape::human(file))?;
        for (code, n) in codes {
            let name = crate::rules::find(code).map_or("", |r| r.name);
            writeln!(out, "    {n} × {code} ({name})")?;
        }
    }
    Ok(())
}
