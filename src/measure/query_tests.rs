//! `djperf check --queries FILE --fix --write-query-tests`: a query-count regression test
//! next to each test that confirmed an N+1 which `--fix` then fixed.
//!
//! The generated test calls the original test inside `self.assertNumQueries(N)` (unittest)
//! or `django_assert_max_num_queries(N)` (pytest-django), so the N+1 cannot come back
//! unnoticed. djperf does not run the tests: N is a **prediction** from the capture made
//! before the fix: the test's own queries, minus every repeated query the fixed findings
//! made, plus one query per repeated group fixed by a `prefetch_related` (Django loads a
//! prefetched relation with one more query; `select_related` adds none). The test says so in
//! a comment. Capturing again after the fix and running
//! `djperf check --queries AFTER --write-query-tests` (without `--fix`) replaces each
//! prediction by the count measured in that capture.

use super::log::{Log, Style, TestInfo};
use crate::ast::{Module, ParamKind};
use crate::source::LineIndex;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The docstring that marks a generated test (and lets a later run find it).
const MARKER: &str = "written by `djperf check --write-query-tests`";
const SUFFIX: &str = "_query_count";

/// A confirmed finding whose fix was applied.
pub struct FixedFinding {
    /// `DJP101 at shop/reports.py:17`.
    pub describe: String,
    /// The repeating groups that confirmed it (indices into the log's groups).
    pub groups: Vec<u32>,
    /// The fix loads the relation with `prefetch_related` (one query more per group).
    pub prefetch: bool,
}

/// One test to write.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Test id (an index into the log's strings).
    pub test: u32,
    /// Its queries before the fix.
    pub before: u64,
    pub expected: u64,
    pub findings: Vec<String>,
}

/// The tests to write: one per test that confirmed a fixed finding.
pub fn plan(log: &Log, fixed: &[FixedFinding]) -> Vec<Planned> {
    // Per test: the groups removed (each once), whether each came back as one prefetch query.
    let mut per_test: BTreeMap<u32, (BTreeMap<u32, bool>, Vec<String>)> = BTreeMap::new();
    for f in fixed {
        for g in &f.groups {
            let Some(test) = log.groups[*g as usize].test else {
                continue;
            };
            let entry = per_test.entry(test).or_default();
            *entry.0.entry(*g).or_insert(false) |= f.prefetch;
            if !entry.1.contains(&f.describe) {
                entry.1.push(f.describe.clone());
            }
        }
    }
    per_test
        .into_iter()
        .filter_map(|(test, (groups, findings))| {
            let before = *log.test_queries.get(&test)?;
            let removed: u64 = groups
                .keys()
                .map(|g| u64::from(log.groups[*g as usize].count))
                .sum();
            let added = groups.values().filter(|p| **p).count() as u64;
            Some(Planned {
                test,
                before,
                expected: before.saturating_sub(removed) + added,
                findings,
            })
        })
        .collect()
}

/// What happened to one test file.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    /// `(test name written or refreshed, count, note)`.
    pub tests: Vec<(String, u64, &'static str)>,
    /// Tests that could not be written, with why.
    pub skipped: Vec<(String, String)>,
    /// The new text, when anything changed.
    pub text: Option<String>,
}

/// A test's file: under the project djperf checks (which may be a copy of the one captured),
/// else where the capture found it.
fn test_path(log: &Log, project_root: &Path, info: &TestInfo) -> Option<PathBuf> {
    let (root, rel) = &log.files[info.file? as usize];
    let here = project_root.join(rel);
    if here.is_file() {
        return Some(here);
    }
    let at_capture = log.roots[*root].join(rel);
    at_capture.is_file().then_some(at_capture)
}

/// The function of a test in a parsed file: by name, in the right class.
fn find_function<'m>(
    module: &'m Module,
    name: &str,
    class: Option<&str>,
) -> Option<&'m crate::ast::FunctionDef> {
    module.functions.iter().find(|f| {
        &*f.name == name
            && f.parent.is_none()
            && match (f.class, class) {
                (Some(c), Some(want)) => &*module.classes[c as usize].name == want,
                (None, None) => true,
                _ => false,
            }
    })
}

fn indentation(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// The generated test for `plan`, as lines to insert after the original test.
fn render(
    info: &TestInfo,
    func: &crate::ast::FunctionDef,
    def_indent: &str,
    unit: &str,
    p: &Planned,
) -> Result<String, String> {
    let name = info.function.as_deref().unwrap_or("");
    let body = format!("{def_indent}{unit}");
    let in_class = func.class.is_some();
    let doc = format!("{body}\"\"\"Query-count regression test for `{name}`, {MARKER}.\"\"\"\n");
    let provenance = format!(
        "{body}# djperf: {}; {} quer{} before the fix.\n",
        p.findings.join("; "),
        p.before,
        if p.before == 1 { "y" } else { "ies" }
    );
    let expect = format!(
        "{body}# djperf: {} expected after it (predicted from the capture before the fix; run the tests to confirm).\n",
        p.expected
    );
    let lead = if in_class { "\n" } else { "\n\n" };
    match info.style {
        Style::Unittest => {
            if !in_class {
                return Err("a unittest test outside a class".to_owned());
            }
            Ok(format!(
                "{lead}{def_indent}def {name}{SUFFIX}(self):\n{doc}{provenance}{expect}{body}with self.assertNumQueries({}):\n{body}{unit}self.{name}()\n",
                p.expected
            ))
        }
        Style::Pytest => {
            let mut params = Vec::new();
            for prm in &func.params {
                if prm.kind != ParamKind::Normal || prm.default.is_some() {
                    return Err(format!("parameter `{}` is not a plain fixture", prm.name));
                }
                params.push(prm.name.to_string());
            }
            let (own, call) = if in_class {
                match params.first().map(String::as_str) {
                    Some("self") => {}
                    _ => return Err("a method without `self`".to_owned()),
                }
                (
                    params.clone(),
                    format!("self.{name}({})", params[1..].join(", ")),
                )
            } else {
                (params.clone(), format!("{name}({})", params.join(", ")))
            };
            let mut own = own;
            if !own.iter().any(|p| p == "django_assert_max_num_queries") {
                own.push("django_assert_max_num_queries".to_owned());
            }
            Ok(format!(
                "{lead}{def_indent}def {name}{SUFFIX}({}):\n{doc}{provenance}{expect}{body}with django_assert_max_num_queries({}):\n{body}{unit}{call}\n",
                own.join(", "),
                p.expected
            ))
        }
    }
}

/// Insert the planned tests into their test files (returned, not yet written).
pub fn write(log: &Log, project_root: &Path, planned: &[Planned]) -> Vec<Written> {
    let mut by_file: BTreeMap<PathBuf, Vec<&Planned>> = BTreeMap::new();
    let mut out = Vec::new();
    let mut lost = Written {
        path: PathBuf::new(),
        tests: Vec::new(),
        skipped: Vec::new(),
        text: None,
    };
    for p in planned {
        let Some(info) = log.tests.get(&p.test) else {
            continue;
        };
        match test_path(log, project_root, info) {
            Some(path) => by_file.entry(path).or_default().push(p),
            None => lost
                .skipped
                .push((info.id.clone(), "its file was not found".to_owned())),
        }
    }
    if !lost.skipped.is_empty() {
        out.push(lost);
    }
    for (path, plans) in by_file {
        let mut w = Written {
            path: path.clone(),
            tests: Vec::new(),
            skipped: Vec::new(),
            text: None,
        };
        let text = match std::fs::read_to_string(&path) {
            // a last line without its newline gets one, so code can follow it
            Ok(t) if !t.is_empty() && !t.ends_with('\n') => t + "\n",
            Ok(t) => t,
            Err(e) => {
                for p in plans {
                    w.skipped
                        .push((log.str(p.test).to_owned(), format!("cannot read: {e}")));
                }
                out.push(w);
                continue;
            }
        };
        let module = match crate::parse::parse(&text) {
            Ok(m) => m,
            Err(e) => {
                for p in plans {
                    w.skipped
                        .push((log.str(p.test).to_owned(), format!("cannot parse: {e}")));
                }
                out.push(w);
                continue;
            }
        };
        let lines = LineIndex::new(&text);
        let mut inserts: Vec<(usize, String)> = Vec::new();
        for p in plans {
            let info = &log.tests[&p.test];
            let name = info.function.as_deref().unwrap_or("");
            let skip = |why: &str| (info.id.clone(), why.to_owned());
            if info.parametrized {
                w.skipped.push(skip("a parametrized test"));
                continue;
            }
            let Some(func) = find_function(&module, name, info.class.as_deref()) else {
                w.skipped
                    .push(skip("its function was not found in the file"));
                continue;
            };
            let wrapper = format!("{name}{SUFFIX}");
            if find_function(&module, &wrapper, info.class.as_deref()).is_some() {
                w.skipped.push(skip(&format!("`{wrapper}` exists already")));
                continue;
            }
            let def_line = lines.line_of(func.name_span.start as usize);
            let def_text = lines.line_text(&text, def_line);
            let def_indent = indentation(def_text);
            let unit = (def_line + 1..lines.line_count())
                .map(|l| lines.line_text(&text, l))
                .find(|l| !l.trim().is_empty())
                .map(indentation)
                .and_then(|i| i.strip_prefix(def_indent))
                .filter(|u| !u.is_empty())
                .unwrap_or("    ");
            match render(info, func, def_indent, unit, p) {
                Ok(code) => {
                    let last = lines.line_of((func.span.end as usize).saturating_sub(1));
                    let at = if last + 1 < lines.line_count() {
                        lines.line_start(last + 1)
                    } else {
                        text.len()
                    };
                    inserts.push((at, code));
                    w.tests.push((wrapper, p.expected, "predicted"));
                }
                Err(why) => w.skipped.push(skip(&why)),
            }
        }
        if !inserts.is_empty() {
            let mut new = text.clone();
            inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
            for (at, code) in inserts {
                // `at` starts the line after the original test; the code opens with the
                // blank lines that separate it from the original
                new.insert_str(at.min(new.len()), &code);
            }
            w.text = Some(new);
        }
        out.push(w);
    }
    out
}

/// Without `--fix`: set the count of every generated test in the captured test files to the
/// count measured for the test it wraps in this log.
pub fn refresh(log: &Log, project_root: &Path, log_name: &str) -> Vec<Written> {
    // (file, class, function) -> counted queries
    let mut counts: HashMap<(PathBuf, Option<String>, String), u64> = HashMap::default();
    let mut files: BTreeMap<PathBuf, ()> = BTreeMap::new();
    for (id, info) in &log.tests {
        let Some(path) = test_path(log, project_root, info) else {
            continue;
        };
        files.insert(path.clone(), ());
        let n = log.test_queries.get(id).copied().unwrap_or(0);
        counts.insert(
            (
                path,
                info.class.clone(),
                info.function.clone().unwrap_or_default(),
            ),
            n,
        );
    }
    let mut out = Vec::new();
    for path in files.into_keys() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !text.contains(MARKER) {
            continue;
        }
        let Ok(module) = crate::parse::parse(&text) else {
            continue;
        };
        let mut w = Written {
            path: path.clone(),
            tests: Vec::new(),
            skipped: Vec::new(),
            text: None,
        };
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for func in &module.functions {
            let Some(original) = func.name.strip_suffix(SUFFIX) else {
                continue;
            };
            let body = &text[func.span.range()];
            if !body.contains(MARKER) {
                continue;
            }
            let class = func
                .class
                .map(|c| module.classes[c as usize].name.to_string());
            let Some(&n) = counts.get(&(path.clone(), class, original.to_owned())) else {
                w.skipped.push((
                    func.name.to_string(),
                    format!("`{original}` did not run in {log_name}"),
                ));
                continue;
            };
            let Some(new_body) = rewrite_count(body, n, log_name) else {
                w.skipped
                    .push((func.name.to_string(), "no count to update".to_owned()));
                continue;
            };
            if new_body != body {
                edits.push((func.span.start as usize, func.span.end as usize, new_body));
            }
            w.tests.push((func.name.to_string(), n, "measured"));
        }
        if !edits.is_empty() {
            let mut new = text.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.0));
            for (a, b, s) in edits {
                new.replace_range(a..b, &s);
            }
            w.text = Some(new);
        }
        if !w.tests.is_empty() || !w.skipped.is_empty() {
            out.push(w);
        }
    }
    out
}

/// The generated test's body with its count set to `n`, measured in `log_name`.
fn rewrite_count(body: &str, n: u64, log_name: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut found = false;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let ending = &line[line.trim_end_matches(['\n', '\r']).len()..];
        if trimmed.starts_with("# djperf: ") && trimmed.contains(" after it ") {
            out.push_str(&format!(
                "{indent}# djperf: {n} after it (measured in {log_name}, captured after the fix).{ending}"
            ));
            continue;
        }
        let call = ["self.assertNumQueries(", "django_assert_max_num_queries("]
            .iter()
            .find_map(|c| trimmed.find(c).map(|at| at + c.len()));
        if let (Some(at), false) = (call, trimmed.starts_with("def ")) {
            let digits = trimmed[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            if digits > 0 {
                out.push_str(indent);
                out.push_str(&trimmed[..at]);
                out.push_str(&n.to_string());
                out.push_str(&trimmed[at + digits..]);
                found = true;
                continue;
            }
        }
        out.push_str(line);
    }
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::rewrite_count;

    #[test]
    fn refresh_sets_the_measured_count() {
        let body = "def test_a_query_count(books, django_assert_max_num_queries):\n    \"\"\"x\"\"\"\n    # djperf: DJP101 at a.py:3; 6 queries before the fix.\n    # djperf: 1 expected after it (predicted from the capture before the fix; run the tests to confirm).\n    with django_assert_max_num_queries(1):\n        test_a(books)\n";
        let new = rewrite_count(body, 2, "after.jsonl").unwrap();
        assert!(
            new.contains("with django_assert_max_num_queries(2):\n"),
            "{new}"
        );
        assert!(
            new.contains("# djperf: 2 after it (measured in after.jsonl"),
            "{new}"
        );
        assert!(new.contains("# djperf: DJP101 at a.py:3; 6 queries before the fix.\n"));
        assert_eq!(rewrite_count("def f():\n    pass\n", 1, "x"), None);
    }
}
