//! Reading and parsing one file: decode, guard, parse with tree-sitter, lower, drop the tree.

use crate::ast::{self, Module};
use std::cell::RefCell;
use std::time::{Duration, Instant};
use tree_sitter::{ParseOptions, ParseState, Parser, Point, Range};

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
    /// Indentation deeper than [`MAX_INDENT_LEVELS`]: the byte offset of the first such line.
    TooDeep(usize),
    /// Gave up after this many seconds.
    Timeout(u64),
    Failed,
}

impl std::fmt::Display for ParseProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseProblem::TooDeep(_) => write!(
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
/// indent seen. Files past [`MAX_INDENT_LEVELS`] are not handed to tree-sitter; returns the
/// offset of the first line past it.
fn too_deep(text: &str) -> Option<usize> {
    let indents = || {
        text.lines().filter_map(|line| {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            (indent > 0 && !line.trim().is_empty()).then_some((line, indent))
        })
    };
    let (mut unit, mut deepest) = (usize::MAX, 0usize);
    for (_, indent) in indents() {
        unit = unit.min(indent);
        deepest = deepest.max(indent);
    }
    if unit == usize::MAX || unit == 0 || deepest / unit <= MAX_INDENT_LEVELS {
        return None;
    }
    let base = text.as_ptr() as usize;
    indents()
        .find(|(_, indent)| indent / unit > MAX_INDENT_LEVELS)
        .map(|(line, _)| line.as_ptr() as usize - base)
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

/// Files longer than this are parsed one run of top-level statements at a time, each run
/// about this long: tree-sitter's tree takes some 50 to 75 bytes per source byte, so parsing a
/// 20 MB generated file whole would hold over a gigabyte at once. Each run's tree is lowered
/// and dropped before the next is parsed. Shorter files are parsed whole.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Where `text` may be cut into runs of at least `chunk` bytes: offsets of line starts that
/// begin a top-level statement. A cut is only made where a light scan of the tokens is sure:
/// outside brackets, strings and backslash continuations, at a line whose first character is
/// in column 0 and starts a statement (not `else`/`elif`/`except`/`finally`, not a comment),
/// and not right after a decorator. A text with no such place (one giant literal) stays whole.
///
/// With `recover` (re-parsing a text with syntax errors), a `def`, `async def` or `class` in
/// column 0 is a cut even inside brackets: those keywords cannot continue an expression, so
/// the bracket was never closed, and the definition after it is parsed on its own.
fn cut_points(text: &str, chunk: usize, recover: bool) -> Vec<usize> {
    let b = text.as_bytes();
    let mut cuts = Vec::new();
    if b.len() <= chunk {
        return cuts;
    }
    let (mut depth, mut last_cut, mut after_decorator) = (0usize, 0usize, false);
    // (quote byte, triple-quoted) while inside a string
    let mut quote: Option<(u8, bool)> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some((q, triple)) = quote {
            match c {
                b'\\' => i += 1,
                b'\n' if !triple => quote = None, // unterminated: the tokenizer ends it here
                _ if c == q && !triple => quote = None,
                _ if c == q && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) => {
                    quote = None;
                    i += 2;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' => {
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                quote = Some((c, triple));
                i += if triple { 3 } else { 1 };
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\\' => {
                // a continuation joins the next line to this one
                i += if b.get(i + 1) == Some(&b'\r') { 3 } else { 2 };
                continue;
            }
            b'\n'
                if depth > 0
                    && recover
                    && ["def ", "async def ", "class "]
                        .iter()
                        .any(|k| b[i + 1..].starts_with(k.as_bytes())) =>
            {
                depth = 0;
                continue;
            }
            b'\n' if depth == 0 => {
                let start = i + 1;
                let Some(&first) = b.get(start) else { break };
                if first.is_ascii_whitespace() || first == b'#' {
                    // a blank, comment or indented line: still inside the last statement
                } else if ["else", "elif", "except", "finally"].iter().any(|k| {
                    b[start..].starts_with(k.as_bytes())
                        && b.get(start + k.len()).is_none_or(|n| !is_ident_byte(*n))
                }) {
                    after_decorator = false;
                } else {
                    if start - last_cut >= chunk && !after_decorator {
                        cuts.push(start);
                        last_cut = start;
                    }
                    after_decorator = first == b'@';
                }
            }
            _ => {}
        }
        i += 1;
    }
    cuts
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The tree-sitter position of byte `at`, counting rows from byte `from` (on row `row`).
fn point_at(text: &[u8], from: usize, row: usize, at: usize) -> Point {
    let rows = text[from..at].iter().filter(|b| **b == b'\n').count();
    let column = text[..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(at, |p| at - p - 1);
    Point::new(row + rows, column)
}

/// Parse `text` with this thread's parser (guarded, time-bounded) and hand each tree to `f`,
/// in order: one tree for the whole text, or one per run of top-level statements for a text
/// longer than [`CHUNK_BYTES`] (spans stay offsets into the whole text). Each tree is dropped
/// before the next run is parsed.
fn with_trees(
    text: &str,
    chunk: usize,
    recover: bool,
    mut f: impl FnMut(&tree_sitter::Tree),
) -> Result<(), ParseProblem> {
    if let Some(at) = too_deep(text) {
        return Err(ParseProblem::TooDeep(at));
    }
    let bytes = text.as_bytes();
    let len = bytes.len();
    let cuts = cut_points(text, chunk, recover);
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
        let budget = parse_budget(len);
        let mut timed_out = false;
        let mut progress = |_: &ParseState| {
            if start.elapsed() > budget {
                timed_out = true;
                true
            } else {
                false
            }
        };
        let mut from = (0usize, Point::new(0, 0));
        for end in cuts.iter().copied().chain([len]) {
            let ranges = if cuts.is_empty() {
                Vec::new() // the whole text
            } else {
                let end_point = point_at(bytes, from.0, from.1.row, end);
                let r = Range {
                    start_byte: from.0,
                    end_byte: end,
                    start_point: from.1,
                    end_point,
                };
                from = (end, end_point);
                vec![r]
            };
            let tree = parser.set_included_ranges(&ranges).ok().and_then(|()| {
                parser.parse_with_options(
                    &mut |i, _| if i < len { &bytes[i..] } else { &[] },
                    None,
                    Some(ParseOptions::new().progress_callback(&mut progress)),
                )
            });
            match tree {
                Some(tree) => f(&tree),
                None => {
                    parser.reset();
                    let _ = parser.set_included_ranges(&[]);
                    return Err(if timed_out {
                        ParseProblem::Timeout(budget.as_secs())
                    } else {
                        ParseProblem::Failed
                    });
                }
            }
        }
        if !cuts.is_empty() {
            let _ = parser.set_included_ranges(&[]);
        }
        Ok(())
    })
}

/// Parse and lower `text`. The trees are dropped before returning.
///
/// A text with syntax errors is parsed again one top-level statement at a time (runs of
/// [`RECOVERY_CHUNK_BYTES`] for big files), so an error stays inside its statement: a function
/// after an unterminated f-string or an unclosed call is still lowered and checked.
pub fn parse(text: &str) -> Result<Module, ParseProblem> {
    let m = parse_in_chunks(text, CHUNK_BYTES)?;
    if !m.has_errors {
        return Ok(m);
    }
    // Valid Python that tree-sitter-python rejects: a boolean operator after a generic type
    // in an annotation (`x: List[int] or None = None`). The operator and its operand are
    // blanked (same length, so every span stays right) and the copy is used if it parses
    // cleanly.
    if let Some(blanked) = blank_annotation_operators(text) {
        if let Ok(b) = parse_in_chunks(&blanked, CHUNK_BYTES) {
            if !b.has_errors {
                return Ok(b);
            }
        }
    }
    let chunk = if text.len() > CHUNK_BYTES {
        RECOVERY_CHUNK_BYTES
    } else {
        1
    };
    if cut_points(text, chunk, true).is_empty() {
        return Ok(m);
    }
    let mut lowering = ast::Lowering::new(text.as_bytes());
    match with_trees(text, chunk, true, |tree| lowering.add(tree.root_node())) {
        Ok(()) => Ok(lowering.finish()),
        Err(_) => Ok(m),
    }
}

/// `text` with the boolean operators of annotations blanked, when they are its only syntax
/// errors: tree-sitter-python reads `List[int]` in an annotation as a generic type, which no
/// operator may follow, while Python accepts any expression there (`x: List[int] or None`).
/// Each such error is an `ERROR` node right after a `type` that starts with `or`/`and` and
/// holds the operand (`or None`), or, with no value after the annotation, one right before
/// the `type` that holds the first operand and ends with the operator (`List[int] or`).
/// Bytes become spaces (line ends kept). `None` when any other error is there.
fn blank_annotation_operators(text: &str) -> Option<String> {
    let src = text.as_bytes();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut other = false;
    // error recovery may read the keyword as an identifier
    let is_op = |n: Option<tree_sitter::Node<'_>>| {
        n.is_some_and(|n| {
            matches!(n.kind(), "or" | "and" | "identifier")
                && matches!(&src[n.start_byte()..n.end_byte()], b"or" | b"and")
        })
    };
    with_trees(text, CHUNK_BYTES, false, |tree| {
        let mut cursor = tree.root_node().walk();
        loop {
            let node = cursor.node();
            let mut descend = node.has_error() && !node.is_error() && !node.is_missing();
            if node.is_error() || node.is_missing() {
                let clean_inside = (0..node.child_count())
                    .filter_map(|i| node.child(i))
                    .all(|c| !c.has_error());
                // `or <operand>`: the operator, then operands that are whole expressions
                let after_type = node.prev_sibling().is_some_and(|p| p.kind() == "type")
                    && is_op(node.child(0))
                    && node.child_count() == 2
                    && node
                        .child(1)
                        .is_some_and(|c| c.is_named() && !is_op(Some(c)));
                let before_type = node.next_sibling().is_some_and(|n| n.kind() == "type")
                    && node.child(0).is_some_and(|c| c.kind() == "type")
                    && node.child_count() > 1
                    && is_op(node.child(node.child_count() - 1));
                if node.is_error() && clean_inside && (after_type || before_type) {
                    ranges.push((node.start_byte(), node.end_byte()));
                } else {
                    other = true;
                }
                descend = false;
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    })
    .ok()?;
    if other || ranges.is_empty() {
        return None;
    }
    let mut bytes = src.to_vec();
    for (start, end) in ranges {
        for b in &mut bytes[start..end] {
            if !matches!(*b, b'\n' | b'\r') {
                *b = b' ';
            }
        }
    }
    // Only whole tokens were replaced, by ASCII spaces: a multi-byte character is replaced
    // whole (each of its bytes), so the text stays valid UTF-8.
    String::from_utf8(bytes).ok()
}

/// Runs re-parsed on their own after a syntax error in a file over [`CHUNK_BYTES`] (smaller
/// files are re-parsed one statement at a time).
pub const RECOVERY_CHUNK_BYTES: usize = 16 << 10;

/// [`parse`] with runs of at least `chunk` bytes instead of [`CHUNK_BYTES`]: the fuzz target
/// drives the chunked path with small inputs through it.
pub fn parse_in_chunks(text: &str, chunk: usize) -> Result<Module, ParseProblem> {
    let mut lowering = ast::Lowering::new(text.as_bytes());
    with_trees(text, chunk, false, |tree| lowering.add(tree.root_node()))?;
    Ok(lowering.finish())
}

/// Parse `text` with the same guards as [`parse`] and drop the tree: the floor that
/// `djperf debug parse-only` measures. Returns whether the tree has syntax errors.
pub fn parse_only(text: &str) -> Result<bool, ParseProblem> {
    let mut errors = false;
    with_trees(text, CHUNK_BYTES, false, |tree| {
        errors |= tree.root_node().has_error();
    })?;
    Ok(errors)
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
        let at = src.find(&format!("{}if x:", " ".repeat(101))).unwrap();
        assert_eq!(parse(&src).unwrap_err(), ParseProblem::TooDeep(at));
        assert!(parse("def f():\n    return 1\n").is_ok());
    }

    /// Every Python file of the fixtures, parsed in runs of top-level statements as small as
    /// the cuts allow, lowers to exactly the module parsed whole (same spans, same errors).
    #[test]
    fn chunked_parse_lowers_like_a_whole_parse() {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata"
        ))];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "py") {
                    files.push(p);
                }
            }
        }
        files.sort();
        assert!(files.len() > 50, "{}", files.len());
        let (mut cut_files, mut runs) = (0, 0);
        for p in &files {
            let text = normalize(std::fs::read_to_string(p).unwrap());
            let whole = parse_in_chunks(&text, usize::MAX).unwrap();
            if whole.has_errors {
                // a fixture of syntax errors: cut elsewhere, the errors differ (on purpose)
                continue;
            }
            let whole = format!("{whole:?}");
            for chunk in [1, 200] {
                let cuts = cut_points(&text, chunk, false);
                if chunk == 1 && !cuts.is_empty() {
                    cut_files += 1;
                    runs += cuts.len() + 1;
                }
                let chunked = format!("{:?}", parse_in_chunks(&text, chunk).unwrap());
                assert!(whole == chunked, "{} cut at {cuts:?}", p.display());
            }
        }
        assert!(
            cut_files > 40 && runs > 400,
            "{cut_files} files, {runs} runs"
        );
    }

    #[test]
    fn cuts_only_between_top_level_statements() {
        let src = r##"import a

@dec(
1)
def f():
    x = (
1)

# c
class C:
    s = '''
not = 1
'''

try:
    pass
except E:
    pass
else:
    pass
finally:
    pass
t = "#" \
if x else 2
d = {
'a': 1,
}
end = 1
"##;
        let cuts = cut_points(src, 1, false);
        let starts: Vec<&str> = cuts
            .iter()
            .map(|c| src[*c..].lines().next().unwrap())
            .collect();
        assert_eq!(
            starts,
            [
                "@dec(",
                "class C:",
                "try:",
                r##"t = "#" \"##,
                "d = {",
                "end = 1"
            ]
        );
        assert!(cut_points(src, src.len(), false).is_empty());
        let m = parse_in_chunks(src, 1).unwrap();
        assert!(!m.has_errors);
        assert_eq!(m.body.len(), 7);
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

#[cfg(test)]
mod annotation_tests {
    use super::*;

    fn errors_of(src: &str) -> bool {
        parse(src).unwrap().has_errors
    }

    /// Python accepts any expression as an annotation; tree-sitter-python rejects a boolean
    /// operator after a generic type. Such files parse, with every span where it was.
    #[test]
    fn boolean_operators_in_annotations_parse() {
        for src in [
            "self.s: List[S] or None = None\n",
            "x: List[int] or None\n",
            "x: Dict[str, int] and int = 1\n",
            "x: List[int] or Optional[Dict[str, int]] = None\n",
            "x: List[int] or \"Row\" = None\n",
            "x: List[int] or a.b = None\n",
            "def f(a: List[int] or None = None, b: Dict[str, int] or None = None) -> List[int] or None:\n    return a\n",
            "class C:\n    def __init__(self):\n        self.rows: List[Row] or None = None\n        self.n: int = 0\n",
        ] {
            assert!(!errors_of(src), "{src}");
        }
        let src = "def f():\n    self.s: List[S] or None = None\n    return book.author\n";
        let m = parse(src).unwrap();
        let at = src.find("book.author").unwrap();
        assert!(
            m.exprs
                .iter()
                .any(|e| e.span.start as usize == at && e.span.end as usize == at + 11),
            "spans moved"
        );
    }

    /// Real syntax errors stay errors: an operator without its operand, other errors in the
    /// same file, an operator outside an annotation.
    #[test]
    fn other_errors_are_kept() {
        for src in [
            "x: List[int] or = 1\n",
            "x: List[int] or None = None\ndef f(:\n    pass\n",
            "x = List[int] or or None\n",
            "x: List[int] or None None = 1\n",
        ] {
            assert!(errors_of(src), "{src}");
        }
    }
}
