//! Applying fixes (`djperf check --fix`, `--unsafe-fixes`, `--diff`).
//!
//! Fixes are applied in passes, as Ruff does: check the project, take every applicable fix
//! whose edits overlap no fix already taken in this pass, apply them in memory, re-parse
//! each changed file (a file that no longer parses keeps its previous text and its fixes
//! are dropped), then check again with the new texts. A fix skipped for overlapping another
//! is usually regenerated against the new text in the next pass: two findings on one
//! queryset become one `select_related("a", "b")` call, because the second pass merges into
//! the call the first pass added. Passes stop when nothing more applies (or after
//! [`MAX_PASSES`]). Nothing touches the disk here: [`write_files`] does, and `--diff` does
//! not call it.

pub mod class;
pub mod queryset;
pub mod rewrite;

use crate::check::{self, CheckError, CheckOptions, CheckResult};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::parse;
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Upper bound on check-and-apply passes.
pub const MAX_PASSES: usize = 10;

/// One file whose text the fixes changed.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    pub path: PathBuf,
    pub display: String,
    pub original: String,
    pub fixed: String,
}

/// What a fix run did.
pub struct FixOutcome {
    /// The check of the fixed texts: the findings that remain.
    pub result: CheckResult,
    pub changed: Vec<ChangedFile>,
    /// Findings whose fix was applied and that are gone afterwards.
    pub fixed: usize,
    /// The file and rule of each of them (`--show-fixes`).
    pub fixed_codes: Vec<(String, &'static str)>,
    /// Fixes dropped because the file would not parse after them: (file, fix message).
    pub rolled_back: Vec<(String, String)>,
    pub passes: usize,
}

/// Check the project and apply fixes in memory until none applies.
pub fn run(opts: &CheckOptions, unsafe_fixes: bool) -> Result<FixOutcome, CheckError> {
    let mut opts = opts.clone();
    let mut originals: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    let mut fixed = 0usize;
    let mut fixed_codes = Vec::new();
    let mut rolled_back = Vec::new();
    let mut passes = 0usize;
    let mut refused_files: HashSet<PathBuf> = HashSet::default();
    // The findings whose fixes the last pass applied, where they start in the new texts.
    let mut applied: Vec<Applied> = Vec::new();
    let result = loop {
        let res = check::run(&opts)?;
        passes += 1;
        // A finding counts as fixed when it is gone after its fix; one whose fix left it
        // (a path the fix could not cover) is still there and counts as remaining.
        let now: HashSet<(&Path, &str, u32)> = res
            .diagnostics
            .iter()
            .map(|d| (res.file(d.file).path.as_path(), d.code, d.span.start))
            .collect();
        for a in applied
            .iter()
            .filter(|a| !now.contains(&(a.path.as_path(), a.code, a.at)))
        {
            fixed += 1;
            fixed_codes.push((a.display.clone(), a.code));
        }
        if passes > MAX_PASSES {
            break res;
        }
        let pass = plan_pass(&res, unsafe_fixes, &refused_files);
        if pass.texts.is_empty() {
            rolled_back.extend(pass.rolled_back);
            break res;
        }
        applied = pass.applied;
        rolled_back.extend(pass.rolled_back);
        refused_files.extend(pass.refused_files);
        for (id, text) in pass.texts {
            let f = res.file(id);
            originals.entry(f.path.clone()).or_insert_with(|| {
                (
                    f.display.clone(),
                    f.text.as_deref().unwrap_or("").to_owned(),
                )
            });
            opts.overrides.insert(f.path.clone(), text);
        }
    };
    let changed = originals
        .into_iter()
        .filter_map(|(path, (display, original))| {
            let fixed = opts.overrides.get(&path)?.clone();
            (fixed != original).then_some(ChangedFile {
                path,
                display,
                original,
                fixed,
            })
        })
        .collect();
    Ok(FixOutcome {
        result,
        changed,
        fixed,
        fixed_codes,
        rolled_back,
        passes,
    })
}

struct Pass {
    /// New texts by file id.
    texts: Vec<(u32, String)>,
    applied: Vec<Applied>,
    rolled_back: Vec<(String, String)>,
    refused_files: Vec<PathBuf>,
}

/// A finding whose fix a pass applied: its rule, file and where it starts in the fixed text.
struct Applied {
    path: PathBuf,
    /// The file's name as shown (`--show-fixes`).
    display: String,
    code: &'static str,
    at: u32,
}

/// Where `offset` lands once `edits` (one file's, not overlapping) are applied: shifted by
/// the edits before it, or at the start of the edit that replaced it.
fn map_offset(offset: u32, edits: &[&Edit]) -> u32 {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut delta: i64 = 0;
    for e in sorted {
        let (start, end) = (i64::from(e.span.start), i64::from(e.span.end));
        if e.span.end <= offset {
            delta += i64::try_from(e.content.len()).unwrap_or(0) - (end - start);
        } else if e.span.start < offset {
            return u32::try_from(start + delta).unwrap_or(u32::MAX);
        } else {
            break;
        }
    }
    u32::try_from(i64::from(offset) + delta).unwrap_or(u32::MAX)
}

/// Whether two edits touch or overlap (insertions at one point conflict too: their order
/// would be arbitrary).
fn conflicts(a: &Edit, b: &Edit) -> bool {
    a.file == b.file && a.span.start.max(b.span.start) <= a.span.end.min(b.span.end)
}

fn same(a: &Edit, b: &Edit) -> bool {
    a.file == b.file && a.span == b.span && a.content == b.content
}

/// The fixes one pass applies, and the texts they give.
fn plan_pass(res: &CheckResult, unsafe_fixes: bool, refused: &HashSet<PathBuf>) -> Pass {
    let usable = |d: &&Diagnostic| {
        d.fix.as_ref().is_some_and(|f| {
            !f.edits.is_empty()
                && (unsafe_fixes || f.applicability == Applicability::Safe)
                && f.edits.iter().all(|e| {
                    let file = res.file(e.file);
                    file.report
                        && file.text.is_some()
                        && !refused.contains(&file.path)
                        && e.span.start <= e.span.end
                        && (e.span.end as usize) <= file.text.as_deref().map_or(0, str::len)
                })
        })
    };
    let mut candidates: Vec<&Diagnostic> = res.diagnostics.iter().filter(usable).collect();
    // Safe fixes first, then in file order.
    candidates.sort_by_key(|d| {
        let f = d.fix.as_ref().map(|f| f.applicability);
        let e = d.fix.as_ref().and_then(|f| f.edits.first());
        (f, e.map(|e| (e.file, e.span.start, e.span.end)))
    });
    let mut rolled_back = Vec::new();
    let mut refused_files = Vec::new();
    loop {
        let mut taken: Vec<&Edit> = Vec::new();
        let mut picked: Vec<&Diagnostic> = Vec::new();
        for d in &candidates {
            let edits = &d.fix.as_ref().map_or(&[][..], |f| &f.edits[..]);
            let clash = edits
                .iter()
                .any(|e| taken.iter().any(|t| conflicts(e, t) && !same(e, t)));
            if clash {
                continue;
            }
            for e in edits.iter() {
                if !taken.iter().any(|t| same(e, t)) {
                    taken.push(e);
                }
            }
            picked.push(d);
        }
        // Apply per file and re-parse.
        let mut per_file: BTreeMap<u32, Vec<&Edit>> = BTreeMap::new();
        for e in &taken {
            per_file.entry(e.file).or_default().push(e);
        }
        let mut texts = Vec::new();
        let mut broken: Vec<u32> = Vec::new();
        for (id, mut edits) in per_file {
            let file = res.file(id);
            let Some(text) = file.text.as_deref() else {
                continue;
            };
            edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
            let mut out = text.to_owned();
            for e in edits {
                out.replace_range(e.span.range(), &e.content);
            }
            if parses(&out) {
                texts.push((id, out));
            } else {
                broken.push(id);
            }
        }
        if broken.is_empty() {
            let applied = picked
                .iter()
                .map(|d| {
                    let edits: Vec<&Edit> =
                        taken.iter().copied().filter(|e| e.file == d.file).collect();
                    Applied {
                        path: res.file(d.file).path.clone(),
                        display: res.file(d.file).display.clone(),
                        code: d.code,
                        at: map_offset(d.span.start, &edits),
                    }
                })
                .collect();
            return Pass {
                applied,
                texts,
                rolled_back,
                refused_files,
            };
        }
        // Drop every fix touching a file that would not parse, and try again without them.
        candidates.retain(|d| {
            let touches = d
                .fix
                .as_ref()
                .is_some_and(|f| f.edits.iter().any(|e| broken.contains(&e.file)));
            if touches {
                let f = res.file(d.fix.as_ref().map_or(d.file, |f| f.edits[0].file));
                rolled_back.push((
                    f.display.clone(),
                    d.fix
                        .as_ref()
                        .map(|f| f.message.clone())
                        .unwrap_or_default(),
                ));
            }
            !touches
        });
        for id in broken {
            refused_files.push(res.file(id).path.clone());
        }
    }
}

/// The text parses without syntax errors.
pub fn parses(text: &str) -> bool {
    parse::parse(text).is_ok_and(|m| !m.has_errors)
}

/// Write the fixed texts back, keeping a UTF-8 byte-order mark. Files that were not UTF-8
/// on disk (decoded from Latin-1) are not written: the fixed text would change their
/// encoding. Returns the files left alone with the reason.
pub fn write_files(changed: &[ChangedFile]) -> Vec<(String, String)> {
    let mut skipped = Vec::new();
    for c in changed {
        let bytes = match std::fs::read(&c.path) {
            Ok(b) => b,
            Err(e) => {
                skipped.push((c.display.clone(), format!("cannot read: {e}")));
                continue;
            }
        };
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        let body = if bom { &bytes[3..] } else { &bytes[..] };
        if std::str::from_utf8(body) != Ok(c.original.as_str()) {
            skipped.push((
                c.display.clone(),
                "changed on disk or not UTF-8; not written".to_owned(),
            ));
            continue;
        }
        let mut out = Vec::with_capacity(c.fixed.len() + 3);
        if bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        out.extend_from_slice(c.fixed.as_bytes());
        if let Err(e) = std::fs::write(&c.path, out) {
            skipped.push((c.display.clone(), format!("cannot write: {e}")));
        }
    }
    skipped
}

/// The changes as a unified diff (`--- a/path`, `+++ b/path`, three lines of context).
pub fn write_diff(changed: &[ChangedFile], out: &mut dyn Write) -> io::Result<()> {
    for c in changed {
        let diff = similar::TextDiff::from_lines(&c.original, &c.fixed);
        let sep = if c.display.starts_with('/') { "" } else { "/" };
        write!(
            out,
            "{}",
            diff.unified_diff().context_radius(3).header(
                &format!("a{sep}{}", c.display),
                &format!("b{sep}{}", c.display)
            )
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn offsets_follow_the_edits() {
        let edit = |start: usize, end: usize, content: &str| Edit {
            file: 0,
            span: Span::new(start, end),
            content: content.to_owned(),
        };
        // "for b in Book.objects.all():\n    len(qs)" with `.all()` replaced and an
        // insertion right where the finding starts.
        let a = edit(21, 27, ".select_related(\"a\")");
        let b = edit(40, 40, "x");
        let c = edit(50, 57, "qs.count()");
        let edits = [&a, &b, &c];
        assert_eq!(map_offset(10, &edits), 10, "before every edit");
        assert_eq!(map_offset(30, &edits), 30 + 20 - 6, "after a replacement");
        assert_eq!(
            map_offset(40, &edits),
            40 + 14 + 1,
            "an insertion at the start shifts it"
        );
        assert_eq!(
            map_offset(52, &edits),
            50 + 15,
            "inside a rewritten span: its start"
        );
        assert_eq!(map_offset(60, &edits), 60 + 15 + 3, "after everything");
    }
}
