//! reviewdog Diagnostic Format: `rdjson` (one document) and `rdjsonl` (one diagnostic a line).
//!
//! reviewdog counts columns in UTF-8 bytes (1-based).

use super::locate;
use crate::check::CheckResult;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules;
use crate::source::{ColumnUnit, Span};
use serde_json::{json, Value};
use std::io::{self, Write};

fn range(res: &CheckResult, file: u32, span: Span) -> (String, Value) {
    let l = locate(res, file, span, ColumnUnit::Utf8Bytes);
    (
        l.filename.to_owned(),
        json!({
            "start": { "line": l.start.row, "column": l.start.column },
            "end": { "line": l.end.row, "column": l.end.column },
        }),
    )
}

fn diagnostic(res: &CheckResult, index: usize, d: &Diagnostic) -> Value {
    let (path, r) = range(res, d.file, d.span);
    let severity = match d.severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    };
    let mut message = d.message.clone();
    if let Some(n) = crate::measure::note(res, index) {
        message.push('\n');
        message.push_str(&n);
    }
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let mut v = json!({
        "message": message,
        "location": { "path": path, "range": r },
        "severity": severity,
        "source": { "name": "djperf" },
        "code": {
            "value": d.code,
        },
    });
    if let Some(url) = rules::find(d.code).and_then(rules::Rule::url) {
        v["code"]["url"] = json!(url);
    }
    if let Some(fix) = &d.fix {
        // reviewdog suggestions apply to the diagnostic's own file only.
        let suggestions: Vec<Value> = fix
            .edits
            .iter()
            .filter(|e| e.file == d.file)
            .map(|e| json!({ "range": range(res, e.file, e.span).1, "text": e.content }))
            .collect();
        v["suggestions"] = Value::Array(suggestions);
    }
    let related: Vec<Value> = d
        .related
        .iter()
        .map(|r| {
            let (p, rr) = range(res, r.file, r.span);
            json!({ "message": r.message, "location": { "path": p, "range": rr } })
        })
        .collect();
    if !related.is_empty() {
        v["related_locations"] = Value::Array(related);
    }
    v
}

pub fn write(res: &CheckResult, out: &mut dyn Write, lines: bool) -> io::Result<()> {
    if lines {
        for (i, d) in res.diagnostics.iter().enumerate() {
            serde_json::to_writer(&mut *out, &diagnostic(res, i, d)).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    let mut source = json!({ "name": "djperf" });
    if let Some(url) = crate::docs::repository_url() {
        source["url"] = json!(url);
    }
    let doc = json!({
        "source": source,
        "diagnostics": res.diagnostics.iter().enumerate().map(|(i, d)| diagnostic(res, i, d)).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
