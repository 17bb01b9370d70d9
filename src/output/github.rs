//! GitHub Actions workflow commands: `::warning file=P,line=L,...::MSG`. Paths are relative
//! to `GITHUB_WORKSPACE` when it is set (the checkout GitHub maps annotations to).

use super::locate;
use crate::check::CheckResult;
use crate::diagnostic::Severity;
use crate::source::ColumnUnit;
use std::io::{self, Write};

/// Escape the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(res: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
    for (i, d) in res.diagnostics.iter().enumerate() {
        let l = locate(res, d.file, d.span, ColumnUnit::Chars);
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!(
            "file={},line={},endLine={}",
            escape_property(&super::ci_path(res, d.file, "GITHUB_WORKSPACE")),
            l.start.row,
            l.end.row
        );
        // Columns only mean something when the span is on one line.
        if l.start.row == l.end.row {
            props.push_str(&format!(
                ",col={},endColumn={}",
                l.start.column, l.end.column
            ));
        }
        props.push_str(&format!(
            ",title={}",
            escape_property(&format!("{} ({})", d.code, d.name))
        ));
        let mut msg = format!("{} {}", d.code, d.message);
        if let Some(n) = crate::measure::note(res, i) {
            msg.push('\n');
            msg.push_str(&n);
        }
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        writeln!(out, "::{kind} {props}::{}", escape_data(&msg))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50%\r\nx: a,b"), "50%25%0D%0Ax: a,b");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
