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

/// Lines added or changed since `rev`, per absolute (canonical) path, from `git diff -U0`.
pub fn changed_lines(dir: &Path, rev: &str) -> Result<HashMap<PathBuf, BTreeSet<usize>>, String> {
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

fn parse_diff(diff: &str, top: &Path) -> HashMap<PathBuf, BTreeSet<usize>> {
    let mut out: HashMap<PathBuf, BTreeSet<usize>> = HashMap::default();
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
            out.entry(cur.clone())
                .or_default()
                .extend(start..start + count);
        }
    }
    out
}

/// Keep only findings whose first line was added or changed since `rev`.
pub fn apply_diff(res: &mut CheckResult, rev: &str) -> Result<(), String> {
    let changed = changed_lines(&res.root, rev)?;
    res.retain(|d, _, f| {
        let line = f.lines.line_of(d.span.start as usize) + 1;
        let path = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
        changed
            .get(&path)
            .is_some_and(|lines| lines.contains(&line))
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks() {
        let d = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -3 +3 @@\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,2 +22,0 @@\n-e\n-f\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        let m = parse_diff(d, Path::new("/nonexistent"));
        let lines: Vec<usize> = m[Path::new("/nonexistent/x.py")].iter().copied().collect();
        assert_eq!(lines, [3, 11, 12]);
        assert_eq!(m.len(), 1);
    }
}
