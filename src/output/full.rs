//! The `full` format: source snippets with labels, via codespan-reporting.
//!
//! Snippets are rendered from a [`View`] of the lines each diagnostic touches, not from the
//! whole file: control characters in those lines are escaped (a source line, like a file
//! name, must not drive the terminal), and a line longer than [`LONG_LINE_CHARS`] is cut to
//! windows around the labels with `...` between them (one finding on a 300,000-character
//! generated line would otherwise print the whole line). The `path:line:col` of each snippet
//! is the original position, exactly as in the other formats.

use super::escape;
use crate::check::CheckResult;
use crate::source::{ColumnUnit, Span};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{
    self,
    termcolor::{Ansi, NoColor, WriteColor},
};
use rustc_hash::FxHashMap as HashMap;
use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;

/// Lines longer than this (in characters) are shown as windows around their labels.
pub const LONG_LINE_CHARS: usize = 200;
/// Characters shown before a label's start and after its end on a long line.
const CONTEXT_CHARS: usize = 40;
/// On a long line, a label longer than twice this shows only this much of each end.
const LABEL_END_CHARS: usize = 40;
const ELLIPSIS: &str = "...";

pub fn write(
    res: &CheckResult,
    opts: &super::Options,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut texts: HashMap<u32, Arc<str>> = HashMap::default();
    let config = term::Config::default();
    let mut writer: Box<dyn WriteColor + '_> = if color {
        Box::new(Ansi::new(&mut *out))
    } else {
        Box::new(NoColor::new(&mut *out))
    };
    for (i, d) in res.diagnostics.iter().enumerate() {
        let (view, cs) = diagnostic(res, i, opts, &mut texts);
        term::emit_to_write_style(&mut *writer, &config, &view, &cs)
            .map_err(|e| io::Error::other(e.to_string()))?;
        if opts.show_fixes {
            super::fixes::write_fix_diff(res, d, &mut *writer)?;
        }
    }
    Ok(())
}

/// The text of a file of the run. A related location may sit in a file that is indexed but
/// not reported (a serializer for a view): its text was not kept, so it is read again.
fn text_of(res: &CheckResult, id: u32, texts: &mut HashMap<u32, Arc<str>>) -> Arc<str> {
    texts
        .entry(id)
        .or_insert_with(|| {
            let f = res.file(id);
            f.text
                .get()
                .clone()
                .or_else(|| std::fs::read_to_string(&f.path).ok().map(Arc::from))
                .unwrap_or_else(|| Arc::from(""))
        })
        .clone()
}

fn diagnostic(
    res: &CheckResult,
    i: usize,
    opts: &super::Options,
    texts: &mut HashMap<u32, Arc<str>>,
) -> (View, CsDiagnostic<usize>) {
    let d = &res.diagnostics[i];
    let sev = match d.severity {
        crate::diagnostic::Severity::Error => CsSeverity::Error,
        crate::diagnostic::Severity::Warning => CsSeverity::Warning,
        crate::diagnostic::Severity::Info => CsSeverity::Note,
    };
    let mut notes: Vec<String> = crate::measure::note(res, i)
        .map(|n| escape::human(&n).into_owned())
        .into_iter()
        .collect();
    if let Some(h) = &d.help {
        notes.push(format!("help: {}", escape::human(h)));
    }
    let marker = if super::fixable(d, opts) { "[*] " } else { "" };
    let file = res.file(d.file);
    let mut cs = CsDiagnostic::new(sev).with_code(format!("{} {}", d.code, d.name));
    if file.io_error.is_some() {
        // Nothing was read: no snippet, the path leads the message.
        cs = cs.with_message(format!(
            "{marker}{}: {}",
            escape::human(&file.display),
            escape::human(&d.message)
        ));
        return (View::default(), cs.with_notes(notes));
    }
    let mut spans: Vec<(u32, Span, bool, &str)> = vec![(d.file, d.span, true, d.label.as_str())];
    spans.extend(
        d.related
            .iter()
            .map(|r| (r.file, r.span, false, r.message.as_str())),
    );
    let mut view = View::default();
    let mut labels = Vec::new();
    for (fid, span, primary, message) in &spans {
        let vid = view.file_for(res, *fid, &spans, texts);
        let range = view.files[vid].map_span(*span);
        let label = if *primary {
            Label::primary(vid, range)
        } else {
            Label::secondary(vid, range)
        };
        labels.push(label.with_message(escape::human(message).into_owned()));
    }
    cs = cs
        .with_message(format!("{marker}{}", escape::human(&d.message)))
        .with_labels(labels)
        .with_notes(notes);
    (view, cs)
}

/// The lines one diagnostic shows, per file, made safe and short (see the module doc).
#[derive(Default)]
struct View {
    files: Vec<ViewFile>,
    by_id: Vec<u32>,
}

struct ViewFile {
    name: String,
    /// The shown lines, joined by `\n`.
    text: String,
    lines: Vec<ViewLine>,
    /// The original text, to map shown offsets back to original columns.
    original: Arc<str>,
    index: crate::source::LineIndex,
}

struct ViewLine {
    /// 0-based line number in the original file.
    real: usize,
    /// Where the line sits in [`ViewFile::text`].
    range: Range<usize>,
    /// Byte offset of the line's start in the original text.
    orig_start: usize,
    segments: Vec<Segment>,
}

/// A piece of a shown line: copied verbatim from the original, or replacing some original
/// bytes (an escaped character, an elision).
struct Segment {
    shown: usize,
    orig: usize,
    shown_len: usize,
    orig_len: usize,
    verbatim: bool,
}

impl View {
    /// The view file for run file `fid`, built with every line the diagnostic's spans in that
    /// file touch.
    fn file_for(
        &mut self,
        res: &CheckResult,
        fid: u32,
        spans: &[(u32, Span, bool, &str)],
        texts: &mut HashMap<u32, Arc<str>>,
    ) -> usize {
        if let Some(i) = self.by_id.iter().position(|id| *id == fid) {
            return i;
        }
        let f = res.file(fid);
        let text = text_of(res, fid, texts);
        let index = if f.text.is_some() {
            f.lines.clone()
        } else {
            crate::source::LineIndex::new(&text)
        };
        let mine: Vec<Span> = spans
            .iter()
            .filter(|s| s.0 == fid)
            .map(|s| clamp(s.1, &text))
            .collect();
        let mut wanted: Vec<usize> = Vec::new();
        for s in &mine {
            let (a, b) = (
                index.line_of(s.start as usize),
                index.line_of(s.end as usize),
            );
            wanted.extend(a..=b);
        }
        wanted.sort_unstable();
        wanted.dedup();
        // codespan shows the one line between two shown lines instead of a break.
        let gaps: Vec<usize> = wanted
            .windows(2)
            .filter(|w| w[1] - w[0] == 2)
            .map(|w| w[0] + 1)
            .collect();
        wanted.extend(gaps);
        wanted.sort_unstable();
        let mut vf = ViewFile {
            name: escape::human(&f.display).into_owned(),
            text: String::new(),
            lines: Vec::with_capacity(wanted.len()),
            original: text.clone(),
            index,
        };
        for line in wanted {
            let start = vf.index.line_start(line).min(text.len());
            let line_text = vf.index.line_text(&text, line);
            // points on this line that labels start or end at (offsets in the line)
            let len = line_text.len();
            let points: Vec<(usize, usize)> = mine
                .iter()
                .filter_map(|s| {
                    let (a, b) = (s.start as usize, s.end as usize);
                    let end = start + len;
                    (a <= end && b >= start)
                        .then(|| (a.max(start) - start, b.clamp(start, end) - start))
                })
                .collect();
            if !vf.text.is_empty() || !vf.lines.is_empty() {
                vf.text.push('\n');
            }
            let shown_start = vf.text.len();
            let segments = shown_line(line_text, &points, &mut vf.text);
            vf.lines.push(ViewLine {
                real: line,
                range: shown_start..vf.text.len(),
                orig_start: start,
                segments,
            });
        }
        self.files.push(vf);
        self.by_id.push(fid);
        self.files.len() - 1
    }
}

/// A span inside `text`, on character boundaries.
fn clamp(span: Span, text: &str) -> Span {
    let fix = |o: usize| {
        let mut o = o.min(text.len());
        while o > 0 && !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    };
    let start = fix(span.start as usize);
    Span::new(start, fix(span.end as usize).max(start))
}

/// Write `line` as shown into `out`: control characters escaped, and a long line cut to
/// windows around `points` (label `(start, end)` offsets in the line). Returns the segments
/// that map shown offsets to original ones (relative to the line's start in each).
fn shown_line(line: &str, points: &[(usize, usize)], out: &mut String) -> Vec<Segment> {
    let base = out.len();
    let mut segments = Vec::new();
    let chars = line.chars().count();
    let keep: Vec<Range<usize>> = if chars <= LONG_LINE_CHARS {
        std::iter::once(0..line.len()).collect()
    } else {
        windows(line, points)
    };
    let mut at = 0; // original offset reached
    for k in &keep {
        if k.start > at {
            segments.push(Segment {
                shown: out.len() - base,
                orig: at,
                shown_len: ELLIPSIS.len(),
                orig_len: k.start - at,
                verbatim: false,
            });
            out.push_str(ELLIPSIS);
        }
        copy_escaped(line, k.clone(), base, out, &mut segments);
        at = k.end;
    }
    if at < line.len() {
        segments.push(Segment {
            shown: out.len() - base,
            orig: at,
            shown_len: ELLIPSIS.len(),
            orig_len: line.len() - at,
            verbatim: false,
        });
        out.push_str(ELLIPSIS);
    }
    segments
}

/// Copy `line[range]` to `out`, escaping unsafe characters (tabs stay: codespan expands them).
fn copy_escaped(
    line: &str,
    range: Range<usize>,
    base: usize,
    out: &mut String,
    segments: &mut Vec<Segment>,
) {
    let mut run = range.start;
    let flush = |from: usize, to: usize, out: &mut String, segments: &mut Vec<Segment>| {
        if to > from {
            segments.push(Segment {
                shown: out.len() - base,
                orig: from,
                shown_len: to - from,
                orig_len: to - from,
                verbatim: true,
            });
            out.push_str(&line[from..to]);
        }
    };
    for (i, c) in line[range.clone()].char_indices() {
        let i = range.start + i;
        if c != '\t' && escape::is_unsafe(c) {
            flush(run, i, out, segments);
            let shown = out.len() - base;
            escape::escaped(c, out);
            segments.push(Segment {
                shown,
                orig: i,
                shown_len: out.len() - base - shown,
                orig_len: c.len_utf8(),
                verbatim: false,
            });
            run = i + c.len_utf8();
        }
    }
    flush(run, range.end, out, segments);
}

/// The byte ranges of a long line to show: around each label's start and end, merged.
fn windows(line: &str, points: &[(usize, usize)]) -> Vec<Range<usize>> {
    // char index <-> byte offset
    let offsets: Vec<usize> = line
        .char_indices()
        .map(|(i, _)| i)
        .chain([line.len()])
        .collect();
    let char_of = |byte: usize| offsets.partition_point(|o| *o < byte);
    let byte_of = |ch: usize| offsets[ch.min(offsets.len() - 1)];
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let points = if points.is_empty() {
        &[(0, 0)][..]
    } else {
        points
    };
    for &(s, e) in points {
        let (s, e) = (char_of(s), char_of(e));
        if e - s <= 2 * LABEL_END_CHARS + ELLIPSIS.len() {
            ranges.push((s.saturating_sub(CONTEXT_CHARS), e + CONTEXT_CHARS));
        } else {
            ranges.push((s.saturating_sub(CONTEXT_CHARS), s + LABEL_END_CHARS));
            ranges.push((e - LABEL_END_CHARS, e + CONTEXT_CHARS));
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 + ELLIPSIS.len() => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
        .into_iter()
        .map(|(s, e)| byte_of(s)..byte_of(e))
        .collect()
}

impl ViewFile {
    fn line(&self, real: usize) -> Option<&ViewLine> {
        self.lines
            .binary_search_by_key(&real, |l| l.real)
            .ok()
            .map(|i| &self.lines[i])
    }

    /// The shown range of an original span.
    fn map_span(&self, span: Span) -> Range<usize> {
        let span = clamp(span, &self.original);
        let start = self.to_shown(span.start as usize, false);
        let end = self.to_shown(span.end as usize, true);
        start..end.max(start)
    }

    fn to_shown(&self, orig: usize, is_end: bool) -> usize {
        let real = self.index.line_of(orig);
        let Some(line) = self.line(real) else {
            return 0;
        };
        let o = orig.saturating_sub(line.orig_start);
        for seg in &line.segments {
            if o >= seg.orig && o < seg.orig + seg.orig_len {
                let within = if seg.verbatim {
                    o - seg.orig
                } else if o == seg.orig && !is_end {
                    0
                } else {
                    seg.shown_len
                };
                return line.range.start + seg.shown + within;
            }
        }
        line.range.end
    }

    /// The 1-based original column (in characters) of a shown offset.
    fn column(&self, line: &ViewLine, shown: usize) -> usize {
        let v = shown.saturating_sub(line.range.start);
        let orig = line
            .segments
            .iter()
            .find(|s| v >= s.shown && v < s.shown + s.shown_len)
            .map_or_else(
                || line.segments.last().map_or(0, |s| s.orig + s.orig_len),
                |s| {
                    if s.verbatim {
                        s.orig + (v - s.shown)
                    } else {
                        s.orig
                    }
                },
            );
        self.index
            .position(&self.original, line.orig_start + orig, ColumnUnit::Chars)
            .column
    }
}

impl<'a> Files<'a> for View {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.files
            .get(id)
            .map(|f| f.name.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.files
            .get(id)
            .map(|f| f.text.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        let f = self.files.get(id).ok_or(FilesError::FileMissing)?;
        let i = f
            .lines
            .partition_point(|l| l.range.start <= byte_index)
            .saturating_sub(1);
        f.lines
            .get(i)
            .map(|l| l.real)
            .ok_or(FilesError::IndexTooLarge {
                given: byte_index,
                max: f.text.len(),
            })
    }

    fn line_number(&'a self, _id: usize, line_index: usize) -> Result<usize, FilesError> {
        Ok(line_index + 1)
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let f = self.files.get(id).ok_or(FilesError::FileMissing)?;
        let line = f.line(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: f.lines.last().map_or(0, |l| l.real),
        })?;
        Ok(f.column(line, byte_index))
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        let f = self.files.get(id).ok_or(FilesError::FileMissing)?;
        f.line(line_index)
            .map(|l| l.range.clone())
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: f.lines.last().map_or(0, |l| l.real),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(line: &str, points: &[(usize, usize)]) -> String {
        let mut out = String::new();
        shown_line(line, points, &mut out);
        out
    }

    #[test]
    fn short_lines_are_kept_with_controls_escaped() {
        assert_eq!(shown("x = b.author", &[(4, 12)]), "x = b.author");
        assert_eq!(
            shown("x = '\x1b[2J'\t# y", &[(0, 1)]),
            "x = '\\x1b[2J'\t# y"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_labels() {
        let line = format!("{}b.author{}", "a".repeat(1000), "z".repeat(1000));
        let s = shown(&line, &[(1000, 1008)]);
        assert_eq!(
            s,
            format!("...{}b.author{}...", "a".repeat(40), "z".repeat(40))
        );
        // a label longer than the window keeps both of its ends
        let s = shown(&line, &[(10, 1990)]);
        assert!(s.starts_with(&"a".repeat(50)), "{s}");
        assert!(s.ends_with(&"z".repeat(40)), "{s}");
        assert_eq!(s.matches("...").count(), 1, "{s}");
        assert!(s.len() < 300, "{}", s.len());
    }
}
