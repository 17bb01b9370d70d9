//! `--statistics`: how many findings each rule has, most first (as Ruff prints them).

use crate::check::CheckResult;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Row {
    code: &'static str,
    name: &'static str,
    count: usize,
    /// How many of them `--fix` fixes (with `--unsafe-fixes`: also the unsafe fixes).
    fixable: usize,
}

fn rows(res: &CheckResult, opts: &super::Options) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for d in &res.diagnostics {
        let fixable = usize::from(super::fixable(d, opts));
        match rows.iter_mut().find(|r| r.code == d.code) {
            Some(r) => {
                r.count += 1;
                r.fixable += fixable;
            }
            None => rows.push(Row {
                code: d.code,
                name: d.name,
                count: 1,
                fixable,
            }),
        }
    }
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

/// One line a rule (`   12  DJP101  [*] fk-access-in-loop`), or a JSON array with `json`.
pub fn write(
    res: &CheckResult,
    json: bool,
    opts: &super::Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rows = rows(res, opts);
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    for r in &rows {
        let marker = if r.fixable > 0 { "[*]" } else { "   " };
        writeln!(out, "{:>width$}  {}  {marker} {}", r.count, r.code, r.name)?;
    }
    Ok(())
}
