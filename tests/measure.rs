//! `djperf check --queries LOG`: the join of a capture log with the findings, in every output
//! format, DJP190, `--sort cost`, `--show-unconfirmed`, bad logs and `--write-query-tests`.
//! The logs here are written by hand in the capture format (`python/README.md`);
//! scripts/test.d/measure records real ones with the plugin.

mod common;

use common::{djperf, write, MODELS};
use serde_json::{json, Value};
use std::path::Path;

const VIEWS: &str = "from shop.models import Book


def titles():
    out = []
    for book in Book.objects.all():
        out.append(book.author.name)
    return out


def dynamic(rel):
    return [getattr(b, rel).name for b in Book.objects.all()]


def once():
    for book in Book.objects.all():
        print(book.author.name)


def never():
    for book in Book.objects.all():
        print(book.author.name)
";

const TESTS: &str = "from shop.views import dynamic, titles


def test_titles(db):
    titles()


def test_dynamic(db):
    dynamic(\"author\")
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "manage.py", "\"\"\"manage\"\"\"\n");
    write(dir.path(), "shop/__init__.py", "");
    write(dir.path(), "shop/models.py", MODELS);
    write(dir.path(), "shop/views.py", VIEWS);
    write(dir.path(), "shop/tests/__init__.py", "");
    write(dir.path(), "shop/tests/test_views.py", TESTS);
    dir
}

fn frame(file: &str, line: u32, function: &str) -> Value {
    json!({ "file": file, "line": line, "function": function })
}

fn query(test: &str, phase: &str, sql: &str, ms: f64, stack: &[Value]) -> Value {
    json!({ "v": 1, "type": "query", "test": test, "phase": phase, "request": null,
            "request_id": null, "db": "default", "sql": sql, "ms": ms, "many": false,
            "stack": stack })
}

const BOOKS: &str = "SELECT \"shop_book\".\"id\", \"shop_book\".\"title\", \"shop_book\".\"author_id\" FROM \"shop_book\"";
const AUTHOR: &str = "SELECT \"shop_author\".\"id\", \"shop_author\".\"name\" FROM \"shop_author\" WHERE \"shop_author\".\"id\" = ? LIMIT ?";

/// A log as the plugin would write it for `project()`'s two tests, plus `once()` run over
/// one row and a fixture that repeats a query in its setup (which counts for nothing).
fn log(root: &str, titles_authors: usize) -> String {
    let t1 = "shop/tests/test_views.py::test_titles";
    let t2 = "shop/tests/test_views.py::test_dynamic";
    let t3 = "shop/tests/test_views.py::test_once";
    let tf = frame("shop/tests/test_views.py", 5, "test_titles");
    let mut lines = vec![
        json!({ "v": 1, "type": "header", "tool": "djperf-capture", "root": root }),
        json!({ "v": 1, "type": "test", "test": t1, "file": "shop/tests/test_views.py",
                "line": 4, "function": "test_titles", "class": null, "style": "pytest",
                "params": ["db"], "parametrized": false }),
        query(
            t1,
            "call",
            BOOKS,
            0.5,
            &[frame("shop/views.py", 6, "titles"), tf.clone()],
        ),
    ];
    // `book.author` is at bytes 19..30 of line 7
    let mut access = frame("shop/views.py", 7, "titles");
    access["col"] = json!(19);
    access["end_col"] = json!(30);
    for _ in 0..titles_authors {
        lines.push(query(
            t1,
            "call",
            AUTHOR,
            1.0,
            &[access.clone(), tf.clone()],
        ));
    }
    lines.push(
        json!({ "v": 1, "type": "test", "test": t2, "file": "shop/tests/test_views.py",
                       "line": 8, "function": "test_dynamic", "style": "pytest" }),
    );
    let dyn_stack = [
        frame("shop/views.py", 12, "<listcomp>"),
        frame("shop/views.py", 12, "dynamic"),
        frame("shop/tests/test_views.py", 9, "test_dynamic"),
    ];
    for _ in 0..5 {
        lines.push(query(t2, "setup", AUTHOR, 50.0, &dyn_stack));
    }
    for _ in 0..3 {
        lines.push(query(t2, "call", AUTHOR, 10.0, &dyn_stack));
    }
    lines.push(json!({ "v": 1, "type": "test", "test": t3, "style": "pytest" }));
    lines.push(query(
        t3,
        "call",
        BOOKS,
        0.5,
        &[frame("shop/views.py", 16, "once")],
    ));
    lines.push(query(
        t3,
        "call",
        AUTHOR,
        0.5,
        &[frame("shop/views.py", 17, "once")],
    ));
    // a helper in test code that repeats a query: reported only with --include-tests
    for _ in 0..4 {
        lines.push(query(
            t3,
            "call",
            BOOKS,
            0.1,
            &[frame("shop/tests/test_views.py", 1, "<module>")],
        ));
    }
    let mut text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    text.push('\n');
    text
}

fn setup() -> tempfile::TempDir {
    let p = project();
    let root = p.path().canonicalize().unwrap();
    write(p.path(), "q.jsonl", &log(&root.to_string_lossy(), 4));
    p
}

fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = djperf(dir)
        .args(["check", "--no-cache"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn findings(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--output-format", "json", "--exit-zero"];
    all.extend_from_slice(args);
    let (code, out, err) = check(dir, &all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Vec<Value>>(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn at(v: &[Value], row: u64) -> Vec<&Value> {
    v.iter().filter(|d| d["location"]["row"] == row).collect()
}

#[test]
fn findings_are_confirmed_hidden_or_unreached_and_runtime_ones_added() {
    let p = setup();
    let v = findings(p.path(), &["--queries", "q.jsonl"]);
    let rows: Vec<(u64, &str)> = v
        .iter()
        .map(|d| {
            (
                d["location"]["row"].as_u64().unwrap(),
                d["code"].as_str().unwrap(),
            )
        })
        .collect();
    // line 17 (one row: not confirmed) is hidden; the test helper's repetition is test code
    assert_eq!(rows, [(7, "DJP101"), (12, "DJP190"), (22, "DJP101")]);
    let m = &at(&v, 7)[0]["measured"];
    assert_eq!(m["status"], "confirmed");
    assert_eq!(m["queries"], 4);
    assert_eq!(m["ms"], 4.0);
    assert_eq!(m["scope"], "shop/tests/test_views.py::test_titles");
    assert_eq!(m["sql"], AUTHOR);
    assert_eq!(
        m["note"],
        "confirmed: 4 identical queries in `shop/tests/test_views.py::test_titles`, 4.0 ms"
    );
    let r = at(&v, 12)[0];
    assert_eq!(r["name"], "runtime-n-plus-one");
    // the call phase only: the 5 queries of the fixture's setup do not count
    assert_eq!(r["measured"]["queries"], 3);
    assert_eq!(r["measured"]["status"], "runtime");
    assert_eq!(
        r["message"],
        "the same query ran 3 times in `shop/tests/test_views.py::test_dynamic` from this line: `SELECT ... FROM \"shop_author\" WHERE \"shop_author\".\"id\" = ? LIMIT ?`"
    );
    // no columns in this log: the code of the line
    assert_eq!(r["location"]["column"], 5);
    assert_eq!(r["related"][0]["filename"], "shop/tests/test_views.py");
    assert_eq!(r["related"][0]["location"]["row"], 9);
    assert_eq!(at(&v, 22)[0]["measured"]["status"], "not-reached");
}

#[test]
fn show_unconfirmed_lists_what_the_tests_ran_without_repeating() {
    let p = setup();
    let v = findings(p.path(), &["--queries", "q.jsonl", "--show-unconfirmed"]);
    let m = &at(&v, 17)[0]["measured"];
    assert_eq!(m["status"], "not-confirmed");
    assert_eq!(m["queries"], 1);
    assert_eq!(
        m["note"],
        "not confirmed: 1 test ran this code, which made at most one query per test (no repeated query)"
    );
}

#[test]
fn without_queries_the_json_shape_is_unchanged() {
    let p = setup();
    let v = findings(p.path(), &[]);
    assert_eq!(v.len(), 3);
    for d in &v {
        assert!(d.get("measured").is_none(), "{d}");
        assert_ne!(d["code"], "DJP190");
    }
}

#[test]
fn every_format_carries_the_figures() {
    let p = setup();
    let q = ["--queries", "q.jsonl", "--exit-zero"];
    let run = |format: &str| {
        let mut args = q.to_vec();
        args.extend(["--output-format", format]);
        check(p.path(), &args)
    };
    let (_, out, err) = run("concise");
    assert!(out.contains("shop/views.py:7:20: DJP101 [*] `Book.author` is a relation read on every row: one query per row (confirmed: 4 identical queries in `shop/tests/test_views.py::test_titles`, 4.0 ms)"), "{out}");
    assert!(
        out.contains("(not measured: no captured test ran this code)"),
        "{out}"
    );
    assert!(err.contains("djperf: Measured with q.jsonl (19 queries, 3 tests): 1 confirmed, 1 not reached by the tests, 1 not confirmed (hidden; --show-unconfirmed lists them), 1 found only at run time (DJP190)"), "{err}");
    let (_, out, _) = run("full");
    assert!(out.contains("= confirmed: 4 identical queries"), "{out}");
    assert!(
        out.contains("\nMeasured with q.jsonl (19 queries, 3 tests)"),
        "{out}"
    );
    let (_, out, _) = run("sarif");
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results[0]["properties"]["measured"]["status"], "confirmed");
    assert!(results[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("\nconfirmed: 4 identical"));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let djp190 = rules.iter().position(|r| r["id"] == "DJP190").unwrap();
    assert_eq!(results[1]["ruleId"], "DJP190");
    assert_eq!(results[1]["ruleIndex"], djp190);
    let (_, out, _) = run("github");
    assert!(out.contains("%0Aconfirmed: 4 identical queries"), "{out}");
    let (_, out, _) = run("gitlab");
    let gl: Value = serde_json::from_str(&out).unwrap();
    assert!(
        gl[0]["description"].as_str().unwrap().ends_with("4.0 ms)"),
        "{gl}"
    );
    let fps: std::collections::BTreeSet<&str> = gl
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 3);
    let (_, out, _) = run("rdjson");
    assert!(out.contains("\\nconfirmed: 4 identical"), "{out}");
}

#[test]
fn sort_cost_puts_the_costliest_first() {
    let p = setup();
    let codes = |args: &[&str]| -> Vec<(u64, String)> {
        findings(p.path(), args)
            .iter()
            .map(|d| {
                (
                    d["location"]["row"].as_u64().unwrap(),
                    d["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    // DJP190 on line 12: 3 x 10 ms; DJP101 on line 7: 4 x 1 ms; line 22 unmeasured
    assert_eq!(
        codes(&["--queries", "q.jsonl", "--sort", "cost"]),
        [
            (12, "DJP190".to_owned()),
            (7, "DJP101".to_owned()),
            (22, "DJP101".to_owned())
        ]
    );
    let (code, _, err) = check(p.path(), &["--sort", "cost"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--sort cost needs the measured costs of --queries FILE"),
        "{err}"
    );
}

#[test]
fn djp190_follows_selection_noqa_and_include_tests() {
    let p = setup();
    let v = findings(p.path(), &["--queries", "q.jsonl", "--ignore", "DJP190"]);
    assert!(v.iter().all(|d| d["code"] != "DJP190"));
    let v = findings(p.path(), &["--queries", "q.jsonl", "--include-tests"]);
    let in_tests: Vec<&Value> = v
        .iter()
        .filter(|d| d["filename"] == "shop/tests/test_views.py")
        .collect();
    assert_eq!(in_tests.len(), 1);
    assert_eq!(in_tests[0]["code"], "DJP190");
    assert_eq!(in_tests[0]["measured"]["queries"], 4);
    let noqa = VIEWS.replace(
        "for b in Book.objects.all()]\n",
        "for b in Book.objects.all()]  # noqa: DJP190\n",
    );
    write(p.path(), "shop/views.py", &noqa);
    let v = findings(p.path(), &["--queries", "q.jsonl"]);
    assert!(v.iter().all(|d| d["code"] != "DJP190"));
    // a finding silenced on purpose does not come back as DJP190
    let noqa = VIEWS.replace(
        "out.append(book.author.name)\n",
        "out.append(book.author.name)  # noqa: DJP101\n",
    );
    write(p.path(), "shop/views.py", &noqa);
    let v = findings(p.path(), &["--queries", "q.jsonl"]);
    assert!(at(&v, 7).is_empty(), "{v:?}");
    // with the static rules off, every repetition is DJP190's
    let v = findings(p.path(), &["--queries", "q.jsonl", "--select", "DJP190"]);
    let rows: Vec<&Value> = v.iter().map(|d| &d["location"]["row"]).collect();
    assert_eq!(rows, [&json!(12)], "{v:?}");
    write(p.path(), "shop/views.py", VIEWS);
    let v = findings(p.path(), &["--queries", "q.jsonl", "--select", "DJP190"]);
    let rows: Vec<&Value> = v.iter().map(|d| &d["location"]["row"]).collect();
    assert_eq!(rows, [&json!(7), &json!(12)], "{v:?}");
}

#[test]
fn a_log_from_another_checkout_resolves_against_the_project_root() {
    let p = project();
    write(p.path(), "q.jsonl", &log("/somewhere/else", 4));
    let v = findings(p.path(), &["--queries", "q.jsonl"]);
    assert_eq!(at(&v, 7)[0]["measured"]["status"], "confirmed");
}

#[test]
fn bad_logs_stop_the_run() {
    let p = setup();
    let mut text = std::fs::read_to_string(p.path().join("q.jsonl")).unwrap();
    text = text.replacen("\"type\":\"test\"", "\"type\":\"tset\"", 1);
    write(p.path(), "bad.jsonl", &text);
    let (code, out, err) = check(p.path(), &["--queries", "bad.jsonl"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "djperf: error: bad.jsonl:2: unknown line type \"tset\"\n"
    );
    write(
        p.path(),
        "bad.jsonl",
        "{\"v\":1,\"type\":\"header\",\"root\":\"/\"}\n{\"v\": 1, \"type\"\n",
    );
    let (code, _, err) = check(p.path(), &["--queries", "bad.jsonl"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "djperf: error: bad.jsonl:2: not a capture line (one JSON object per line): "
        ),
        "{err}"
    );
    let (code, _, err) = check(p.path(), &["--queries", "missing.jsonl"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("djperf: error: missing.jsonl: cannot read the query log: "),
        "{err}"
    );
    let (code, _, err) = check(p.path(), &["--show-unconfirmed"]);
    assert_eq!(code, 2);
    assert!(err.contains("--queries"), "{err}");
}

#[test]
fn write_query_tests_pins_the_fixed_test_then_measures_it() {
    let p = setup();
    let (code, _, err) = check(
        p.path(),
        &[
            "--queries",
            "q.jsonl",
            "--fix",
            "--write-query-tests",
            "--exit-zero",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("djperf: shop/tests/test_views.py: `test_titles_query_count` asserts 1 query (predicted)"), "{err}");
    let text = std::fs::read_to_string(p.path().join("shop/tests/test_views.py")).unwrap();
    let expected = "def test_titles(db):
    titles()


def test_titles_query_count(db, django_assert_max_num_queries):
    \"\"\"Query-count regression test for `test_titles`, written by `djperf check --write-query-tests`.\"\"\"
    # djperf: DJP101 at shop/views.py:7 made 4 identical queries; 5 queries before the fix.
    # djperf: 1 expected after it (predicted from the capture before the fix; run the tests to confirm).
    with django_assert_max_num_queries(1):
        test_titles(db)


def test_dynamic(db):
";
    assert!(text.contains(expected), "{text}");
    let views = std::fs::read_to_string(p.path().join("shop/views.py")).unwrap();
    assert!(
        views.contains("for book in Book.objects.select_related(\"author\"):\n        out.append")
    );
    // the log describes the code before the fix: joined with the fixed code, the queries of
    // the fixed line are explained by nothing now (capture again after a fix)
    let v = findings(p.path(), &["--queries", "q.jsonl"]);
    let runtime: Vec<&Value> = v.iter().filter(|d| d["code"] == "DJP190").collect();
    assert_eq!(runtime.len(), 2, "{v:?}");
    assert_eq!(runtime[0]["location"]["row"], 7);
    // a second capture after the fix: one query for test_titles (say 2, to see it change)
    let root = p.path().canonicalize().unwrap();
    let after = log(&root.to_string_lossy(), 1);
    write(p.path(), "after.jsonl", &after);
    let (code, _, err) = check(
        p.path(),
        &[
            "--queries",
            "after.jsonl",
            "--write-query-tests",
            "--exit-zero",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("`test_titles_query_count` asserts 2 queries (measured)"),
        "{err}"
    );
    let text = std::fs::read_to_string(p.path().join("shop/tests/test_views.py")).unwrap();
    assert!(text.contains("    # djperf: 2 after it (measured in after.jsonl, captured after the fix).\n    with django_assert_max_num_queries(2):\n"), "{text}");
    // the same fix again (the code reverted) does not write the test twice
    write(p.path(), "shop/views.py", VIEWS);
    let (_, _, err) = check(
        p.path(),
        &[
            "--queries",
            "q.jsonl",
            "--fix",
            "--write-query-tests",
            "--exit-zero",
        ],
    );
    assert!(err.contains("no query-count test for `shop/tests/test_views.py::test_titles`: `test_titles_query_count` exists already"), "{err}");
    let again = std::fs::read_to_string(p.path().join("shop/tests/test_views.py")).unwrap();
    assert_eq!(again, text, "{err}");
}
