//! Source text helpers: byte offsets to 1-based line/column positions.
//!
//! tree-sitter reports byte offsets. Human-facing formats want 1-based character columns,
//! reviewdog wants UTF-8 byte columns and LSP wants UTF-16 code units, so a [`LineIndex`]
//! converts on demand from the text it was built for.

use serde::{Deserialize, Serialize};

/// A byte range in one file.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A file of the run, by its index in the run's file list (templates included).
pub type FileId = u32;

/// A place in one file of the run: the file and a byte range in it. Every location the
/// analysis records carries its file, so code followed across files (a serializer method, a
/// template, a helper in another module) is located where it is.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

impl Loc {
    pub fn new(file: FileId, span: Span) -> Self {
        Loc { file, span }
    }
}

/// A 1-based position as shown to users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub row: usize,
    pub column: usize,
}

/// Which unit a column counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    Chars,
    Utf8Bytes,
    Utf16,
}

/// Start offsets of every line of a text.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0u32);
        let bytes = text.as_bytes();
        let mut skip_lf_at = usize::MAX;
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if i == skip_lf_at {
                continue;
            }
            // CRLF counts once; a lone CR ends a line too (as Python does).
            let end = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                skip_lf_at = i + 1;
                i + 1
            } else {
                i
            };
            starts.push(u32::try_from(end + 1).unwrap_or(u32::MAX));
        }
        LineIndex { starts }
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let off = u32::try_from(offset).unwrap_or(u32::MAX);
        match self.starts.binary_search(&off) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).map_or(0, |s| *s as usize)
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based row and column (in `unit`) of a byte offset in `text`.
    pub fn position(&self, text: &str, offset: usize, unit: ColumnUnit) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let prefix = text.get(start..offset).unwrap_or_else(|| {
            // Not on a char boundary (should not happen with tree-sitter offsets); degrade.
            let mut o = offset;
            while o > start && !text.is_char_boundary(o) {
                o -= 1;
            }
            &text[start..o]
        });
        let column = match unit {
            ColumnUnit::Chars => prefix.chars().count(),
            ColumnUnit::Utf8Bytes => prefix.len(),
            ColumnUnit::Utf16 => prefix.encode_utf16().count(),
        };
        Position {
            row: line + 1,
            column: column + 1,
        }
    }

    /// The text of a 0-based line, without its line ending.
    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let start = self.line_start(line).min(text.len());
        let end = if line + 1 < self.starts.len() {
            self.line_start(line + 1).min(text.len())
        } else {
            text.len()
        };
        text.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_with_every_line_ending() {
        let text = "a\r\nb\rc\n\r\n\r\rd\r";
        let idx = LineIndex::new(text);
        let starts: Vec<usize> = (0..idx.line_count()).map(|l| idx.line_start(l)).collect();
        assert_eq!(starts, vec![0, 3, 5, 7, 9, 10, 11, 13]);
    }

    #[test]
    fn columns_in_every_unit() {
        let text = "x = 1\n\u{e9}\u{1F600} = b.author\r\nz\rw";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        let off = text.find("b.author").unwrap();
        assert_eq!(
            idx.position(text, off, ColumnUnit::Chars),
            Position { row: 2, column: 6 }
        );
        assert_eq!(
            idx.position(text, off, ColumnUnit::Utf8Bytes),
            Position { row: 2, column: 10 }
        );
        assert_eq!(
            idx.position(text, off, ColumnUnit::Utf16),
            Position { row: 2, column: 7 }
        );
        assert_eq!(idx.line_text(text, 1), "\u{e9}\u{1F600} = b.author");
        let w = text.find('w').unwrap();
        assert_eq!(idx.position(text, w, ColumnUnit::Chars).row, 4);
    }
}
