//! Reading and parsing one file: decode, guard, parse with tree-sitter, lower, drop the tree.

use crate::ast::{self, Module};
use std::cell::RefCell;
use std::time::{Duration, Instant};
use tree_sitter::{ParseOptions, ParseState, Parser};

/// Longest a small file may take to parse before it is given up on (a hang guard, not a
/// performance target: the budget grows with the file, see [`parse_budget`]).
pub const PARSE_TIMEOUT: Duration = Duration::from_secs(10);

/// Slowest parse rate tolerated for big files (bytes per second); tree-sitter-python does
/// about 12 MB/s per core, 3 MB/s in a debug build, so only a hang reaches this.
pub const MIN_PARSE_BYTES_PER_SEC: u64 = 200_000;

/// Parse-time budget for a text of `len` bytes.
pub fn parse_budget(len: usize) -> Duration {
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    PARSE_TIMEOUT.max(Duration::from_millis(
        len.saturating_mul(1000) / MIN_PARSE_BYTES_PER_SEC,
    ))
}

/// Deepest indentation accepted before parsing. CPython refuses more than 100 nested blocks;
/// tree-sitter-python can abort the process (a C assertion) on far deeper indentation.
pub const MAX_INDENT_LEVELS: usize = 100;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Why a file could not be analysed (it is reported as a warning, never a panic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseProblem {
    TooDeep,
    /// Gave up after this many seconds.
    Timeout(u64),
    Failed,
}

impl std::fmt::Display for ParseProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseProblem::TooDeep => write!(
                f,
                "nesting deeper than {MAX_INDENT_LEVELS} levels (Python itself rejects it); file skipped"
            ),
            ParseProblem::Timeout(secs) => {
                write!(f, "parsing took longer than {secs}s; file skipped")
            }
            ParseProblem::Failed => write!(f, "the parser failed; file skipped"),
        }
    }
}

/// Decode bytes as Python source: UTF-8 (BOM stripped), or the PEP 263 coding line's
/// encoding for Latin-1-like codecs, else lossy UTF-8. Returns the text and a warning.
pub fn decode(bytes: &[u8]) -> (String, Option<String>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), None),
        Err(_) => {
            if let Some(enc) = coding_declaration(bytes) {
                let e = enc.to_ascii_lowercase().replace('_', "-");
                if matches!(
                    e.as_str(),
                    "latin-1"
                        | "latin1"
                        | "iso-8859-1"
                        | "iso8859-1"
                        | "l1"
                        | "cp1252"
                        | "windows-1252"
                        | "iso-8859-15"
                ) {
                    // Latin-1 maps every byte to the code point of the same value.
                    return (bytes.iter().map(|b| char::from(*b)).collect(), None);
                }
            }
            (
                String::from_utf8_lossy(bytes).into_owned(),
                Some("not valid UTF-8; undecodable bytes were replaced".to_owned()),
            )
        }
    }
}

/// The encoding named by a PEP 263 comment on line 1 or 2.
fn coding_declaration(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|b| *b == b'\n').take(2) {
        let line = String::from_utf8_lossy(line);
        let t = line.trim_start();
        if !t.starts_with('#') {
            continue;
        }
        if let Some(pos) = t.find("coding") {
            let rest = &t[pos + 6..];
            let rest = rest.strip_prefix([':', '=']).unwrap_or("");
            let enc: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
                .collect();
            if !enc.is_empty() {
                return Some(enc);
            }
        }
    }
    None
}

/// A cheap pre-parse guard: the deepest run of indentation, in blocks of the smallest
/// indent seen. Files past [`MAX_INDENT_LEVELS`] are not handed to tree-sitter.
fn too_deep(text: &str) -> bool {
    let mut unit = usize::MAX;
    let mut deepest = 0usize;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if indent == 0 || line.trim().is_empty() {
            continue;
        }
        unit = unit.min(indent);
        deepest = deepest.max(indent);
    }
    if unit == usize::MAX || unit == 0 {
        return false;
    }
    deepest / unit > MAX_INDENT_LEVELS
}

/// Make `text` safe for tree-sitter without moving any byte: NUL bytes become spaces and a
/// lone CR (an old Mac line ending, which Python accepts) becomes LF. Offsets and line
/// numbers are unchanged ([`crate::source::LineIndex`] already counts a lone CR as a line end).
pub fn normalize(text: String) -> String {
    if memchr::memchr2(0, b'\r', text.as_bytes()).is_none() {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            0 => bytes[i] = b' ',
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => bytes[i] = b'\n',
            _ => {}
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes: still valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Parse `text` with this thread's parser (guarded, time-bounded) and hand the tree to `f`.
fn with_tree<T>(text: &str, f: impl FnOnce(&tree_sitter::Tree) -> T) -> Result<T, ParseProblem> {
    if too_deep(text) {
        return Err(ParseProblem::TooDeep);
    }
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into())
                .map_err(|_| ParseProblem::Failed)?;
            *slot = Some(p);
        }
        let parser = slot.as_mut().ok_or(ParseProblem::Failed)?;
        let start = Instant::now();
        let budget = parse_budget(text.len());
        let mut timed_out = false;
        let mut progress = |_: &ParseState| {
            if start.elapsed() > budget {
                timed_out = true;
                true
            } else {
                false
            }
        };
        let bytes = text.as_bytes();
        let len = bytes.len();
        let tree = parser.parse_with_options(
            &mut |i, _| if i < len { &bytes[i..] } else { &[] },
            None,
            Some(ParseOptions::new().progress_callback(&mut progress)),
        );
        match tree {
            Some(tree) => Ok(f(&tree)),
            None => {
                parser.reset();
                Err(if timed_out {
                    ParseProblem::Timeout(budget.as_secs())
                } else {
                    ParseProblem::Failed
                })
            }
        }
    })
}

/// Parse and lower `text`. The tree is dropped before returning.
pub fn parse(text: &str) -> Result<Module, ParseProblem> {
    with_tree(text, |tree| ast::lower(tree.root_node(), text.as_bytes()))
}

/// Parse `text` with the same guards as [`parse`] and drop the tree: the floor that
/// `djperf debug parse-only` measures. Returns whether the tree has syntax errors.
pub fn parse_only(text: &str) -> Result<bool, ParseProblem> {
    with_tree(text, |tree| tree.root_node().has_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_latin1_and_garbage() {
        assert_eq!(decode(b"\xEF\xBB\xBFx = 1\n").0, "x = 1\n");
        let (t, w) = decode(b"# -*- coding: latin-1 -*-\ns = '\xe9'\n");
        assert!(t.contains('\u{e9}') && w.is_none());
        let (_, w) = decode(b"s = '\xff\xfe'\n");
        assert!(w.is_some());
    }

    #[test]
    fn deep_indentation_is_refused_before_parsing() {
        let mut src = String::new();
        for i in 0..150 {
            src.push_str(&" ".repeat(i));
            src.push_str("if x:\n");
        }
        src.push_str(&" ".repeat(150));
        src.push_str("pass\n");
        assert_eq!(parse(&src).unwrap_err(), ParseProblem::TooDeep);
        assert!(parse("def f():\n    return 1\n").is_ok());
    }

    #[test]
    fn normalize_keeps_offsets() {
        let t = normalize("a = 1\rb = 2\r\nc = '\0'\n".to_owned());
        assert_eq!(t, "a = 1\nb = 2\r\nc = ' '\n");
        assert_eq!(parse_only(&t), Ok(false));
        // Without the normalisation tree-sitter reads a lone CR as no line end at all.
        assert_eq!(parse_only("a = 1\rb = 2\n"), Ok(true));
    }
}
