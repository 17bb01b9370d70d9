//! SARIF 2.1.0 (GitHub code scanning and other review tools).
//!
//! Columns are Unicode code points (`columnKind: unicodeCodePoints`), 1-based, end exclusive.
//! Every rule of the table is listed with its full documentation, so `ruleIndex` is the rule's
//! position in [`rules::RULES`].

use super::locate;
use crate::check::CheckResult;
use crate::diagnostic::Severity;
use crate::rules;
use crate::source::{ColumnUnit, Span};
use serde_json::{json, Value};
use std::io::{self, Write};
use std::path::Path;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative path as a URI reference: `/` separators, reserved characters percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_owned()
    };
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A file's location: relative to `%SRCROOT%` (the current directory, where CI runs) when
/// the shown path is relative, else an absolute `file://` URI.
fn artifact(filename: &str) -> Value {
    if Path::new(filename).is_absolute() {
        json!({ "uri": format!("file://{}", uri(filename)) })
    } else {
        json!({ "uri": uri(filename), "uriBaseId": "%SRCROOT%" })
    }
}

fn physical(res: &CheckResult, file: u32, span: Span) -> Value {
    let l = locate(res, file, span, ColumnUnit::Chars);
    json!({
        "artifactLocation": artifact(l.filename),
        "region": {
            "startLine": l.start.row,
            "startColumn": l.start.column,
            "endLine": l.end.row,
            "endColumn": l.end.column,
        }
    })
}

fn rule_descriptor(r: &rules::Rule) -> Value {
    let full = format!("{}\n\n{}", r.summary, r.doc.trim_end());
    let mut rule = json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": full, "markdown": full },
        "help": { "text": full, "markdown": full },
        "defaultConfiguration": {
            "level": level(r.severity),
            "enabled": r.default_enabled,
        },
        "properties": { "tags": ["performance", "django"] },
    });
    if let Some(url) = r.url() {
        rule["helpUri"] = json!(url);
    }
    rule
}

pub fn document(res: &CheckResult) -> Value {
    let fps = &res.fingerprints;
    let results: Vec<Value> = res
        .diagnostics
        .iter()
        .zip(fps)
        .enumerate()
        .map(|(i, (d, fp))| {
            let index = rules::RULES.iter().position(|r| r.code == d.code);
            let mut text = d.message.clone();
            if let Some(n) = crate::measure::note(res, i) {
                text.push('\n');
                text.push_str(&n);
            }
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    json!({
                        "id": i + 1,
                        "physicalLocation": physical(res, r.file, r.span),
                        "message": { "text": r.message },
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": physical(res, d.file, d.span),
                    "message": { "text": d.label },
                }],
                "partialFingerprints": { "djperf/v1": fp },
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            if let Some(m) = crate::measure::json(res, i) {
                result["properties"] = json!({ "measured": m });
            }
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            if let Some(fix) = &d.fix {
                let changes: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        let p = physical(res, e.file, e.span);
                        json!({
                            "artifactLocation": p["artifactLocation"],
                            "replacements": [{
                                "deletedRegion": p["region"],
                                "insertedContent": { "text": e.content },
                            }],
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": fix.message },
                    "artifactChanges": changes,
                }]);
            }
            result
        })
        .collect();
    let mut driver = json!({
        "name": "djperf",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules::RULES.iter().map(rule_descriptor).collect::<Vec<_>>(),
    });
    if let Some(url) = crate::docs::information_url() {
        driver["informationUri"] = json!(url);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": src_root(),
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn src_root() -> Value {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut u = format!("file://{}", uri(&cwd.to_string_lossy()));
    if !u.ends_with('/') {
        u.push('/');
    }
    json!({ "%SRCROOT%": { "uri": u } })
}

pub fn write(res: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(res)).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_escaped() {
        assert_eq!(super::uri("a b/c\u{e9}.py"), "a%20b/c%C3%A9.py");
        assert_eq!(
            super::uri("back\\slash.py"),
            if cfg!(windows) {
                "back/slash.py"
            } else {
                "back%5Cslash.py"
            }
        );
    }
}
