//! Rendering findings: `full` (codespan-reporting), `concise`, `json`, `json-lines`, `sarif`,
//! `github`, `gitlab`, `rdjson`, `rdjsonl`.
//!
//! Column units differ per consumer: characters for people and `json`/`github`/`gitlab`,
//! Unicode code points in SARIF (declared as `columnKind`), UTF-8 bytes for reviewdog.

mod full;
mod github;
mod gitlab;
mod json;
mod rdjson;
mod sarif;

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

pub fn write(
    res: &CheckResult,
    format: Format,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Full => full::write(res, color, out),
        Format::Concise => write_concise(res, out),
        Format::Json => json::write(res, out),
        Format::JsonLines => json::write_lines(res, out),
        Format::Sarif => sarif::write(res, out),
        Format::Github => github::write(res, out),
        Format::Gitlab => gitlab::write(res, out),
        Format::Rdjson => rdjson::write(res, out, false),
        Format::Rdjsonl => rdjson::write(res, out, true),
    }
}

fn write_concise(res: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    for (i, d) in res.diagnostics.iter().enumerate() {
        let l = locate(res, d.file, d.span, ColumnUnit::Chars);
        let note = crate::measure::note(res, i).map_or(String::new(), |n| format!(" ({n})"));
        writeln!(
            out,
            "{}:{}:{}: {} {}{note}",
            l.filename, l.start.row, l.start.column, d.code, d.message
        )?;
    }
    Ok(())
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
