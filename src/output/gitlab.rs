//! GitLab Code Quality report: a JSON array of issues with unique fingerprints. Paths are
//! relative to `CI_PROJECT_DIR` when it is set (GitLab maps them to the repository).

use super::locate;
use crate::check::CheckResult;
use crate::diagnostic::Severity;
use crate::source::ColumnUnit;
use serde_json::{json, Value};
use std::io::{self, Write};

pub fn write(res: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    let fps = &res.fingerprints;
    let items: Vec<Value> = res
        .diagnostics
        .iter()
        .zip(fps)
        .enumerate()
        .map(|(i, (d, fp))| {
            let l = locate(res, d.file, d.span, ColumnUnit::Chars);
            let severity = match d.severity {
                Severity::Error => "critical",
                Severity::Warning => "major",
                Severity::Info => "minor",
            };
            json!({
                "description": match crate::measure::note(res, i) {
                    Some(n) => format!("{} {} ({n})", d.code, d.message),
                    None => format!("{} {}", d.code, d.message),
                },
                "check_name": d.code,
                "fingerprint": fp,
                "severity": severity,
                "categories": ["Performance"],
                "location": {
                    "path": super::ci_path(res, d.file, "CI_PROJECT_DIR"),
                    "lines": { "begin": l.start.row, "end": l.end.row },
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &items).map_err(io::Error::other)?;
    writeln!(out)
}
