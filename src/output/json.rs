//! The JSON array format (the shape other tools read: keep the keys).

use super::locate;
use crate::check::CheckResult;
use crate::rules;
use crate::source::{ColumnUnit, Position};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Loc {
    row: usize,
    column: usize,
}

impl From<Position> for Loc {
    fn from(p: Position) -> Self {
        Loc {
            row: p.row,
            column: p.column,
        }
    }
}

#[derive(Serialize)]
struct JsonEdit {
    content: String,
    location: Loc,
    end_location: Loc,
}

#[derive(Serialize)]
struct JsonFix {
    message: String,
    applicability: &'static str,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    filename: &'a str,
    location: Loc,
    end_location: Loc,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    filename: &'a str,
    location: Loc,
    end_location: Loc,
    help: Option<&'a str>,
    fix: Option<JsonFix>,
    related: Vec<JsonRelated<'a>>,
    url: Option<String>,
    /// With `--queries` (see [`crate::measure::json`]); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    measured: Option<serde_json::Value>,
}

fn items(res: &CheckResult) -> Vec<JsonDiagnostic<'_>> {
    res.diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let l = locate(res, d.file, d.span, ColumnUnit::Chars);
            JsonDiagnostic {
                code: d.code,
                name: d.name,
                severity: d.severity.as_str(),
                message: &d.message,
                filename: l.filename,
                location: l.start.into(),
                end_location: l.end.into(),
                help: d.help.as_deref(),
                fix: d.fix.as_ref().map(|f| JsonFix {
                    message: f.message.clone(),
                    applicability: f.applicability.as_str(),
                    edits: f
                        .edits
                        .iter()
                        .map(|e| {
                            let el = locate(res, e.file, e.span, ColumnUnit::Chars);
                            JsonEdit {
                                content: e.content.clone(),
                                location: el.start.into(),
                                end_location: el.end.into(),
                            }
                        })
                        .collect(),
                }),
                related: d
                    .related
                    .iter()
                    .map(|r| {
                        let rl = locate(res, r.file, r.span, ColumnUnit::Chars);
                        JsonRelated {
                            message: &r.message,
                            filename: rl.filename,
                            location: rl.start.into(),
                            end_location: rl.end.into(),
                        }
                    })
                    .collect(),
                url: rules::find(d.code).and_then(rules::Rule::url),
                measured: crate::measure::json(res, i),
            }
        })
        .collect()
}

pub fn write(res: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &items(res)).map_err(io::Error::other)?;
    writeln!(out)
}

/// One JSON object per line (the `json` items, compact).
pub fn write_lines(res: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    for item in items(res) {
        serde_json::to_writer(&mut *out, &item).map_err(io::Error::other)?;
        writeln!(out)?;
    }
    Ok(())
}
