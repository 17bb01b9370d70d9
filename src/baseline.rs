//! Baselines (`--write-baseline`, `--baseline`) and `--diff REV`: keep only new findings.
//!
//! A baseline is a JSON file of fingerprints (see [`crate::fingerprint`]): line numbers are not
//! part of them, so edits above a known finding do not make it new.

use crate::check::CheckResult;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Serialize, Deserialize)]
struct Entry {
    code: String,
    path: String,
    message: String,
}

#[derive(Serialize, Deserialize)]
struct Baseline {
    version: u32,
    /// fingerprint → what it was, for people reading the file.
    findings: BTreeMap<String, Entry>,
}

/// Write every finding of `res` to a baseline file.
pub fn write(res: &CheckResult, path: &Path) -> Result<usize, String> {
    let findings: BTreeMap<String, Entry> = res
        .diagnostics
        .iter()
        .zip(&res.fingerprints)
        .map(|(d, fp)| {
            let f = res.file(d.file);
            (
                fp.clone(),
                Entry {
                    code: d.code.to_owned(),
                    path: crate::discover::slashed(&f.rel),
                    message: d.message.clone(),
                },
            )
        })
        .collect();
    let n = findings.len();
    let text = serde_json::to_string_pretty(&Baseline {
        version: 1,
        findings,
    })
    .map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n")
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    Ok(n)
}

/// Drop the findings listed in a baseline file.
pub fn apply(res: &mut CheckResult, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let b: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a djperf baseline: {e}", path.display()))?;
    if b.version != 1 {
        return Err(format!(
            "{}: unsupported baseline version {}",
            path.display(),
            b.version
        ));
    }
    res.retain(|_, fp, _| !b.findings.contains_key(fp));
    Ok(())
}

/// What changed in one file since a revision, in the lines of its current text (1-based).
#[derive(Debug, Default)]
pub struct FileChanges {
    /// Lines added or changed.
    pub lines: BTreeSet<usize>,
    /// Lines were deleted right after these lines (0: at the top).
    pub deleted_after: BTreeSet<usize>,
}

impl FileChanges {
    /// Whether lines `first..=last` hold a change: an added or changed line, or lines deleted
    /// between two of them (with `tail`, also right after the last one: the end of a
    /// queryset chain, `.select_related(...)` on its own line, was deleted).
    pub fn touches(&self, first: usize, last: usize, tail: bool) -> bool {
        let end = if tail { last + 1 } else { last };
        self.lines.range(first..=last).next().is_some()
            || self.deleted_after.range(first..end).next().is_some()
    }
}

/// Changes since `rev`, per absolute (canonical) path, from `git diff -U0`.
pub fn changed_lines(dir: &Path, rev: &str) -> Result<HashMap<PathBuf, FileChanges>, String> {
    let git = |args: &[&str], cwd: &Path| -> Result<String, String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(cwd)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                err.lines().next().unwrap_or("failed")
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"], dir)?.trim());
    let diff = git(
        &[
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            rev,
            "--",
        ],
        &top,
    )?;
    Ok(parse_diff(&diff, &top))
}

fn parse_diff(diff: &str, top: &Path) -> HashMap<PathBuf, FileChanges> {
    let mut out: HashMap<PathBuf, FileChanges> = HashMap::default();
    let mut current: Option<PathBuf> = None;
    for line in diff.lines() {
        if let Some(p) = line.strip_prefix("+++ ") {
            current = p.strip_prefix("b/").map(|p| {
                let abs = top.join(p);
                std::fs::canonicalize(&abs).unwrap_or(abs)
            });
        } else if let (Some(hunk), Some(cur)) = (line.strip_prefix("@@ "), &current) {
            // @@ -a[,b] +c[,d] @@
            let Some(plus) = hunk.split(' ').find_map(|t| t.strip_prefix('+')) else {
                continue;
            };
            let mut it = plus.splitn(2, ',');
            let start: usize = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: usize = it.next().map_or(Some(1), |s| s.parse().ok()).unwrap_or(0);
            let entry = out.entry(cur.clone()).or_default();
            if count == 0 {
                // `+c,0`: lines deleted after line c of the new text
                entry.deleted_after.insert(start);
            } else {
                entry.lines.extend(start..start + count);
            }
        }
    }
    out
}

/// Keep only findings that belong to the changes since `rev`: one of their locations holds
/// a change (the flagged code, a related location such as the queryset that should load the
/// relation) or a declaration they depend on changed (a model field, a manager, in any
/// file; see [`crate::rules::depends`]). A finding kept for a declaration alone gets it as a
/// related location, so the reader sees why it is reported.
pub fn apply_diff(res: &mut CheckResult, rev: &str) -> Result<(), String> {
    let changed = changed_lines(&res.root, rev)?;
    // canonical path of each file of the run that changed (`None`: unchanged)
    let per_file: Vec<Option<&FileChanges>> = res
        .files
        .iter()
        .map(|f| {
            let path = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
            changed.get(&path)
        })
        .collect();
    let files = &res.files;
    let touched = |file: u32, span: crate::source::Span, tail: bool| {
        let (Some(Some(c)), Some(f)) = (per_file.get(file as usize), files.get(file as usize))
        else {
            return false;
        };
        let first = f.lines.line_of(span.start as usize) + 1;
        let last = f
            .lines
            .line_of(span.end.saturating_sub(1).max(span.start) as usize)
            + 1;
        c.touches(first, last, tail)
    };
    let mut keep: Vec<bool> = Vec::with_capacity(res.diagnostics.len());
    for d in &mut res.diagnostics {
        // Related locations and declarations also lose their tail to a deletion after them;
        // the flagged line itself does not (that is the next statement).
        let own = touched(d.file, d.span, false)
            || d.related.iter().any(|r| touched(r.file, r.span, true));
        let dep = (!own)
            .then(|| {
                d.depends
                    .iter()
                    .find(|l| touched(l.file, l.span, true))
                    .copied()
            })
            .flatten();
        if let Some(l) = dep {
            d.related.push(crate::diagnostic::Related {
                file: l.file,
                span: l.span,
                message: format!("the finding depends on this declaration, changed since `{rev}`"),
            });
        }
        keep.push(own || dep.is_some());
    }
    let mut it = keep.into_iter();
    res.retain(|_, _, _| it.next().unwrap_or(false));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks() {
        let d = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -3 +3 @@\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,2 +22,0 @@\n-e\n-f\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        let m = parse_diff(d, Path::new("/nonexistent"));
        let x = &m[Path::new("/nonexistent/x.py")];
        let lines: Vec<usize> = x.lines.iter().copied().collect();
        assert_eq!(lines, [3, 11, 12]);
        let deleted: Vec<usize> = x.deleted_after.iter().copied().collect();
        assert_eq!(deleted, [22]);
        assert_eq!(m.len(), 1);
        // a span over lines 20-23 holds the deletion after line 22; one over 23-24 does not
        assert!(x.touches(20, 23, false) && x.touches(22, 23, false));
        assert!(!x.touches(23, 24, true) && !x.touches(22, 22, false) && !x.touches(13, 21, true));
        // with its tail, a span ending on line 22 loses what followed it
        assert!(x.touches(21, 22, true));
    }
}
