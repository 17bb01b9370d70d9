//! The `full` format: source snippets with labels, via codespan-reporting.

use crate::check::CheckResult;
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{
    self,
    termcolor::{Ansi, NoColor, WriteColor},
};
use rustc_hash::FxHashMap as HashMap;
use std::io::{self, Write};

pub fn write(res: &CheckResult, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<u32, usize> = HashMap::default();
    let mut file_id = |fid: u32, files: &mut SimpleFiles<String, std::sync::Arc<str>>| -> usize {
        *ids.entry(fid).or_insert_with(|| {
            let f = res.file(fid);
            // A related location may sit in a file that is indexed but not reported (a
            // serializer for a view): its text was not kept, so read it again.
            let text = f
                .text
                .clone()
                .or_else(|| {
                    std::fs::read_to_string(&f.path)
                        .ok()
                        .map(std::sync::Arc::from)
                })
                .unwrap_or_else(|| std::sync::Arc::from(""));
            files.add(f.display.clone(), text)
        })
    };
    let config = term::Config::default();
    let mut writer: Box<dyn WriteColor + '_> = if color {
        Box::new(Ansi::new(&mut *out))
    } else {
        Box::new(NoColor::new(&mut *out))
    };
    for (i, d) in res.diagnostics.iter().enumerate() {
        let fid = file_id(d.file, &mut files);
        let mut labels = vec![Label::primary(fid, d.span.range()).with_message(d.label.clone())];
        for r in &d.related {
            let rid = file_id(r.file, &mut files);
            labels.push(Label::secondary(rid, r.span.range()).with_message(r.message.clone()));
        }
        let sev = match d.severity {
            crate::diagnostic::Severity::Error => CsSeverity::Error,
            crate::diagnostic::Severity::Warning => CsSeverity::Warning,
            crate::diagnostic::Severity::Info => CsSeverity::Note,
        };
        let mut notes: Vec<String> = crate::measure::note(res, i).into_iter().collect();
        if let Some(h) = &d.help {
            notes.push(format!("help: {h}"));
        }
        let cs = CsDiagnostic::new(sev)
            .with_code(format!("{} {}", d.code, d.name))
            .with_message(d.message.clone())
            .with_labels(labels)
            .with_notes(notes);
        term::emit_to_write_style(&mut *writer, &config, &files, &cs)
            .map_err(|e| io::Error::other(e.to_string()))?;
    }
    Ok(())
}
