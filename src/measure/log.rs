//! Reading a capture log (`python/README.md` documents the format, version 1).
//!
//! The log is read line by line and folded into groups as it goes: one group per scope (a
//! test, or a request outside tests), request, SQL fingerprint and stack, with a count and
//! the summed time. Memory grows with the number of distinct groups, not with the number of
//! queries.

use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use std::borrow::Cow;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// The line format this djperf reads.
pub const FORMAT_VERSION: u64 = 1;

/// A project frame of a query's stack. `file` indexes [`Log::files`], `function`
/// [`Log::strings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame {
    pub file: u32,
    pub line: u32,
    /// 0-based UTF-8 byte columns on `line` of the expression that ran, when known.
    pub cols: Option<(u32, u32)>,
    pub function: u32,
}

/// How a test is written (what kind of regression test fits next to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Pytest,
    Unittest,
}

/// A `"type": "test"` line.
#[derive(Debug, Clone)]
pub struct TestInfo {
    pub id: String,
    /// The test's file (an index into [`Log::files`]).
    pub file: Option<u32>,
    pub line: Option<u32>,
    pub function: Option<String>,
    pub class: Option<String>,
    pub style: Style,
    pub params: Option<Vec<String>>,
    pub parametrized: bool,
}

/// Queries with the same scope, request, fingerprint and stack.
#[derive(Debug, Clone)]
pub struct Group {
    /// The test (an index into [`Log::strings`]), `None` outside tests.
    pub test: Option<u32>,
    /// The request (`"GET /books/"` in [`Log::strings`]) and its unique id.
    pub request: Option<(u32, u32)>,
    pub sql: u32,
    pub stack: u32,
    /// In a test's body (`phase` "call"), or in a request outside tests: the queries that
    /// count as the code's own. Fixture setup and teardown only show which code ran.
    pub counted: bool,
    pub count: u32,
    pub ms: f64,
}

/// What makes queries one group: test, request id, SQL, stack, counted.
type GroupKey = (Option<u32>, Option<u32>, u32, u32, bool);

#[derive(Debug, Default, Clone)]
pub struct Log {
    /// Interned test ids, request paths, SQL fingerprints and function names.
    pub strings: Vec<String>,
    /// Frame files: (index of the header root in [`Log::roots`], path relative to it).
    pub files: Vec<(usize, String)>,
    /// Each header's project root, in order.
    pub roots: Vec<PathBuf>,
    pub stacks: Vec<Vec<Frame>>,
    pub groups: Vec<Group>,
    /// By test id (index into [`Log::strings`]).
    pub tests: HashMap<u32, TestInfo>,
    /// Counted queries (in the test's body) per test id.
    pub test_queries: HashMap<u32, u64>,
    /// Every query line read.
    pub queries: u64,
    string_ids: HashMap<String, u32>,
    file_ids: HashMap<(usize, String), u32>,
    stack_ids: HashMap<Vec<Frame>, u32>,
    group_ids: HashMap<GroupKey, u32>,
}

#[derive(Deserialize)]
struct RawFrame<'a> {
    #[serde(borrow)]
    file: Cow<'a, str>,
    line: u32,
    #[serde(default, borrow)]
    function: Option<Cow<'a, str>>,
    #[serde(default)]
    col: Option<u32>,
    #[serde(default)]
    end_col: Option<u32>,
}

#[derive(Deserialize)]
struct RawLine<'a> {
    #[serde(default)]
    v: Option<u64>,
    #[serde(rename = "type", default, borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    root: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    test: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    phase: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    request: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    request_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    sql: Option<Cow<'a, str>>,
    #[serde(default)]
    ms: Option<f64>,
    #[serde(default, borrow)]
    stack: Option<Vec<RawFrame<'a>>>,
    #[serde(default, borrow)]
    file: Option<Cow<'a, str>>,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default, borrow)]
    function: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    class: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    style: Option<Cow<'a, str>>,
    #[serde(default)]
    params: Option<Vec<String>>,
    #[serde(default)]
    parametrized: Option<bool>,
}

impl Log {
    /// Read a capture log. Errors name the file and, for a bad line, its number.
    pub fn read(path: &Path) -> Result<Log, String> {
        let file = std::fs::File::open(path)
            .map_err(|e| format!("{}: cannot read the query log: {e}", path.display()))?;
        Log::from_reader(std::io::BufReader::new(file), &path.display().to_string())
    }

    /// Read a capture log from `reader`; `name` is how errors call it.
    pub fn from_reader(mut reader: impl BufRead, name: &str) -> Result<Log, String> {
        let mut log = Log::default();
        let mut buf = String::new();
        let mut number = 0usize;
        loop {
            buf.clear();
            let n = reader
                .read_line(&mut buf)
                .map_err(|e| format!("{name}: cannot read the query log: {e}"))?;
            if n == 0 {
                break;
            }
            number += 1;
            let text = buf.trim();
            if text.is_empty() {
                continue;
            }
            log.line(text)
                .map_err(|e| format!("{name}:{number}: {e}"))?;
        }
        if log.roots.is_empty() {
            return Err(format!(
                "{name}: not a djperf capture log (no header line; record one with `pytest -p djperf_capture --djperf-queries={name}`)"
            ));
        }
        Ok(log)
    }

    fn line(&mut self, text: &str) -> Result<(), String> {
        let raw: RawLine<'_> = serde_json::from_str(text)
            .map_err(|e| format!("not a capture line (one JSON object per line): {e}"))?;
        match raw.v {
            Some(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "capture format version {v} is not supported (this djperf reads version {FORMAT_VERSION})"
                ))
            }
            None => return Err("not a capture line: no format version (\"v\")".to_owned()),
        }
        let kind = raw.kind.as_deref().unwrap_or("");
        if kind != "header" && self.roots.is_empty() {
            return Err(format!(
                "a \"{kind}\" line before the header line (\"type\": \"header\")"
            ));
        }
        match kind {
            "header" => {
                let root = raw
                    .root
                    .ok_or("the header line has no \"root\"")?
                    .into_owned();
                self.roots.push(PathBuf::from(root));
            }
            "test" => {
                let id = raw.test.ok_or("a test line without \"test\" (its id)")?;
                let id = self.intern(&id);
                let root = self.roots.len() - 1;
                let file = raw.file.map(|f| self.file(root, &f));
                let style = match raw.style.as_deref() {
                    Some("unittest") => Style::Unittest,
                    Some("pytest") | None => Style::Pytest,
                    Some(other) => return Err(format!("unknown test style \"{other}\"")),
                };
                self.tests.insert(
                    id,
                    TestInfo {
                        id: self.strings[id as usize].clone(),
                        file,
                        line: raw.line,
                        function: raw.function.map(Cow::into_owned),
                        class: raw.class.map(Cow::into_owned),
                        style,
                        params: raw.params,
                        parametrized: raw.parametrized.unwrap_or(false),
                    },
                );
            }
            "query" => self.query(raw)?,
            other => return Err(format!("unknown line type \"{other}\"")),
        }
        Ok(())
    }

    fn query(&mut self, raw: RawLine<'_>) -> Result<(), String> {
        let sql = raw.sql.ok_or("a query line without \"sql\"")?;
        let ms = raw.ms.ok_or("a query line without \"ms\"")?;
        if !ms.is_finite() || ms < 0.0 {
            return Err(format!("a query line with a bad duration \"ms\": {ms}"));
        }
        let raw_stack = raw.stack.ok_or("a query line without \"stack\"")?;
        let root = self.roots.len() - 1;
        let mut stack = Vec::with_capacity(raw_stack.len());
        for f in &raw_stack {
            let file = self.file(root, &f.file);
            let function = self.intern(f.function.as_deref().unwrap_or(""));
            stack.push(Frame {
                file,
                line: f.line,
                cols: match (f.col, f.end_col) {
                    (Some(a), Some(b)) if a <= b => Some((a, b)),
                    _ => None,
                },
                function,
            });
        }
        let test = raw.test.as_deref().map(|t| self.intern(t));
        let request = match (raw.request.as_deref(), raw.request_id.as_deref()) {
            (Some(path), Some(id)) => Some((self.intern(path), self.intern(id))),
            _ => None,
        };
        let counted = match test {
            Some(_) => raw.phase.as_deref() == Some("call"),
            None => request.is_some(),
        };
        let sql = self.intern(&sql);
        let stack_id = match self.stack_ids.get(&stack) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(self.stacks.len()).map_err(|_| "too many stacks")?;
                self.stacks.push(stack.clone());
                self.stack_ids.insert(stack, id);
                id
            }
        };
        let key = (test, request.map(|r| r.1), sql, stack_id, counted);
        let g = match self.group_ids.get(&key) {
            Some(g) => *g as usize,
            None => {
                let id = u32::try_from(self.groups.len()).map_err(|_| "too many groups")?;
                self.groups.push(Group {
                    test,
                    request,
                    sql,
                    stack: stack_id,
                    counted,
                    count: 0,
                    ms: 0.0,
                });
                self.group_ids.insert(key, id);
                id as usize
            }
        };
        self.groups[g].count = self.groups[g].count.saturating_add(1);
        self.groups[g].ms += ms;
        if let (Some(t), true) = (test, counted) {
            *self.test_queries.entry(t).or_insert(0) += 1;
        }
        self.queries += 1;
        Ok(())
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(id) = self.string_ids.get(s) {
            return *id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.to_owned());
        self.string_ids.insert(s.to_owned(), id);
        id
    }

    fn file(&mut self, root: usize, rel: &str) -> u32 {
        let key = (root, rel.to_owned());
        if let Some(id) = self.file_ids.get(&key) {
            return *id;
        }
        let id = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
        self.files.push(key.clone());
        self.file_ids.insert(key, id);
        id
    }

    pub fn str(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }

    /// How a group's scope is named in messages: the test id, else the request.
    pub fn scope_name(&self, g: &Group) -> &str {
        match (g.test, g.request) {
            (Some(t), _) => self.str(t),
            (None, Some((path, _))) => self.str(path),
            (None, None) => "(outside tests)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Log, String> {
        Log::from_reader(std::io::Cursor::new(text), "q.jsonl")
    }

    const HEADER: &str = r#"{"v":1,"type":"header","root":"/p"}"#;

    #[test]
    fn groups_identical_queries() {
        let q = r#"{"v":1,"type":"query","test":"t","phase":"call","sql":"SELECT ?","ms":1.5,"stack":[{"file":"a.py","line":3,"function":"f"}]}"#;
        let log = read(&format!("{HEADER}\n{q}\n{q}\n\n{q}\n")).unwrap();
        assert_eq!(log.groups.len(), 1);
        assert_eq!(log.groups[0].count, 3);
        assert!((log.groups[0].ms - 4.5).abs() < 1e-9);
        assert!(log.groups[0].counted);
        assert_eq!(log.queries, 3);
        assert_eq!(log.test_queries.values().copied().collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn bad_lines_name_their_number() {
        let e = read(&format!("{HEADER}\nnot json\n")).unwrap_err();
        assert!(e.starts_with("q.jsonl:2: not a capture line"), "{e}");
        let e = read(r#"{"v":2,"type":"header","root":"/p"}"#).unwrap_err();
        assert!(e.contains("q.jsonl:1: capture format version 2"), "{e}");
        let e = read(r#"{"v":1,"type":"query","sql":"x","ms":1,"stack":[]}"#).unwrap_err();
        assert!(
            e.contains("q.jsonl:1: a \"query\" line before the header"),
            "{e}"
        );
        let e = read(&format!(
            "{HEADER}\n{{\"v\":1,\"type\":\"query\",\"ms\":1,\"stack\":[]}}"
        ))
        .unwrap_err();
        assert!(e.contains("q.jsonl:2: a query line without \"sql\""), "{e}");
        let e = read("").unwrap_err();
        assert!(e.contains("no header line"), "{e}");
    }
}
