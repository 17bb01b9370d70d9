//! Rendering findings: `full` (codespan-reporting), `concise`, `json`, `json-lines`, `sarif`,
//! `github`, `gitlab`, `rdjson`, `rdjsonl`.
//!
//! Column units differ per consumer: characters for people and `json`/`github`/`gitlab`,
//! Unicode code points in SARIF (declared as `columnKind`), UTF-8 bytes for reviewdog.

pub mod escape;
pub mod fixes;
mod full;
mod github;
mod gitlab;
mod json;
mod rdjson;
mod sarif;
pub mod statistics;

use crate::check::CheckResult;
use crate::diagnostic::Diagnostic;
use crate::source::{ColumnUnit, Position, Span};
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Full,
    Concise,
    Json,
    JsonLines,
    Sarif,
    Github,
    Gitlab,
    Rdjson,
    Rdjsonl,
}

/// Resolved positions of a span in a file of the run.
pub struct Located<'a> {
    pub filename: &'a str,
    pub start: Position,
    pub end: Position,
}

/// 1-based start and end of `span` in file `file`, in `unit` columns.
pub fn locate<'a>(res: &'a CheckResult, file: u32, span: Span, unit: ColumnUnit) -> Located<'a> {
    let f = res.file(file);
    let at = |offset: u32| match f.text.as_deref() {
        Some(text) => f.lines.position(text, offset as usize, unit),
        // Text unknown (the file changed on disk since it was read): the line is still right.
        None => Position {
            row: f.lines.line_of(offset as usize) + 1,
            column: 1,
        },
    };
    Located {
        filename: &f.display,
        start: at(span.start),
        end: at(span.end),
    }
}

/// How findings are shown besides the format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub color: bool,
    /// `--unsafe-fixes`: unsafe fixes count as available (`[*]`).
    pub unsafe_fixes: bool,
    /// `--show-fixes`: the `full` format shows each available fix as a diff.
    pub show_fixes: bool,
}

impl Format {
    /// Formats people read (escaped names, `[*]` markers, a summary line, progress).
    pub fn is_human(self) -> bool {
        matches!(self, Format::Full | Format::Concise)
    }
}

/// The finding has a fix that `--fix` (with `--unsafe-fixes` if given) would apply: `[*]`.
pub fn fixable(d: &Diagnostic, opts: &Options) -> bool {
    d.fix.as_ref().is_some_and(|f| {
        !f.edits.is_empty()
            && (f.applicability == crate::diagnostic::Applicability::Safe || opts.unsafe_fixes)
    })
}

/// The path of file `id` as a CI service maps it to the repository: relative to the
/// directory in `var` (`GITHUB_WORKSPACE`, `CI_PROJECT_DIR`) when it is set and holds the
/// file, so `cd backend && djperf check` still annotates `backend/shop/views.py`; else the
/// path as shown everywhere else (relative to the current directory).
pub fn ci_path(res: &CheckResult, id: u32, var: &str) -> String {
    let f = res.file(id);
    let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
        return f.display.clone();
    };
    let dir = std::path::PathBuf::from(dir);
    let rel = f
        .path
        .strip_prefix(&dir)
        .ok()
        .map(std::path::Path::to_path_buf)
        .or_else(|| {
            let (d, p) = (
                std::fs::canonicalize(&dir).ok()?,
                std::fs::canonicalize(&f.path).ok()?,
            );
            p.strip_prefix(d).ok().map(std::path::Path::to_path_buf)
        });
    match rel {
        Some(r) if f.path.is_absolute() => crate::discover::slashed(&r),
        _ => f.display.clone(),
    }
}

pub fn write(
    res: &CheckResult,
    format: Format,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let opts = Options {
        color,
        ..Options::default()
    };
    write_with(res, format, &opts, out)
}

pub fn write_with(
    res: &CheckResult,
    format: Format,
    opts: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Full => full::write(res, opts, opts.color, out),
        Format::Concise => write_concise(res, opts, out),
        Format::Json => json::write(res, out),
        Format::JsonLines => json::write_lines(res, out),
        Format::Sarif => sarif::write(res, out),
        Format::Github => github::write(res, out),
        Format::Gitlab => gitlab::write(res, out),
        Format::Rdjson => rdjson::write(res, out, false),
        Format::Rdjsonl => rdjson::write(res, out, true),
    }
}

fn write_concise(res: &CheckResult, opts: &Options, out: &mut dyn Write) -> io::Result<()> {
    for (i, d) in res.diagnostics.iter().enumerate() {
        let l = locate(res, d.file, d.span, ColumnUnit::Chars);
        let note = crate::measure::note(res, i).map_or(String::new(), |n| format!(" ({n})"));
        writeln!(
            out,
            "{}:{}:{}: {} {}{}{note}",
            escape::human(l.filename),
            l.start.row,
            l.start.column,
            d.code,
            if fixable(d, opts) { "[*] " } else { "" },
            escape::human(&d.message)
        )?;
    }
    Ok(())
}

/// The lines after the findings in the human formats: the summary, then what `--fix` would
/// fix. `full` gives the time too; `concise` keeps to counts (its output is diffed).
pub fn write_summary(
    res: &CheckResult,
    format: Format,
    opts: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Full => writeln!(out, "{}", summary(res))?,
        Format::Concise => writeln!(out, "{}", counts(res))?,
        _ => return Ok(()),
    }
    if let Some(line) = fixable_line(res, opts) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `[*] N fixable with --fix (M more with --unsafe-fixes)`, when any finding has a fix
/// (`[*]` marks the findings `--fix` fixes).
pub fn fixable_line(res: &CheckResult, opts: &Options) -> Option<String> {
    use crate::diagnostic::Applicability;
    let count = |a| {
        res.diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applicability == a && !f.edits.is_empty())
            })
            .count()
    };
    let (mut safe, mut unsafe_) = (count(Applicability::Safe), count(Applicability::Unsafe));
    if opts.unsafe_fixes {
        (safe, unsafe_) = (safe + unsafe_, 0);
    }
    match (safe, unsafe_) {
        (0, 0) => None,
        (s, 0) => Some(format!("[*] {s} fixable with --fix")),
        (0, u) => Some(format!("{u} fixable with --unsafe-fixes")),
        (s, u) => Some(format!(
            "[*] {s} fixable with --fix ({u} more with --unsafe-fixes)"
        )),
    }
}

/// `Found N problems in M files` / `All checks passed`.
fn counts(res: &CheckResult) -> String {
    let n = res.diagnostics.len();
    if n == 0 {
        return "All checks passed".to_owned();
    }
    let files: std::collections::BTreeSet<u32> = res.diagnostics.iter().map(|d| d.file).collect();
    format!(
        "Found {n} problem{} in {} file{}",
        plural(n),
        files.len(),
        plural(files.len())
    )
}

/// `Found N problems in M files (checked K files in T ms)`.
pub fn summary(res: &CheckResult) -> String {
    let n = res.diagnostics.len();
    let files: std::collections::BTreeSet<u32> = res
        .diagnostics
        .iter()
        .map(|d: &Diagnostic| d.file)
        .collect();
    if n == 0 {
        format!(
            "All checks passed (checked {} file{} in {} ms)",
            res.checked,
            plural(res.checked),
            res.elapsed.as_millis()
        )
    } else {
        format!(
            "Found {n} problem{} in {} file{} (checked {} file{} in {} ms)",
            plural(n),
            files.len(),
            plural(files.len()),
            res.checked,
            plural(res.checked),
            res.elapsed.as_millis()
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
