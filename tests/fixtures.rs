//! Runs djperf over every fixture project and compares its findings with the inline
//! expectations exactly: `# expect: DJP101` on the line where a finding starts, nothing on
//! other lines; `# todo-expect: DJP101` marks a known miss that must still be missed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

type Finding = (String, usize, String);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    out.push(repo().join("testdata/example"));
    for group in ["testdata/projects", "testdata/rules", "testdata/measure"] {
        let Ok(rd) = std::fs::read_dir(repo().join(group)) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().is_dir() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

fn codes_after<'a>(line: &'a str, marker: &str) -> Option<Vec<&'a str>> {
    let pos = line.find(marker)?;
    let rest = &line[pos + marker.len()..];
    Some(
        rest.split([',', ' '])
            .map(str::trim)
            .take_while(|c| c.is_empty() || c.starts_with("DJP"))
            .filter(|c| !c.is_empty())
            .collect(),
    )
}

fn expectations(dir: &Path) -> (BTreeSet<Finding>, BTreeSet<Finding>) {
    let mut expected = BTreeSet::new();
    let mut todo = BTreeSet::new();
    for e in walk(dir) {
        let text = std::fs::read_to_string(&e).unwrap();
        let rel = e
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (i, line) in text.lines().enumerate() {
            if let Some(codes) = codes_after(line, "# todo-expect:") {
                for c in codes {
                    todo.insert((rel.clone(), i + 1, c.to_owned()));
                }
            } else if let Some(codes) = codes_after(line, "# expect:") {
                for c in codes {
                    expected.insert((rel.clone(), i + 1, c.to_owned()));
                }
            }
        }
    }
    (expected, todo)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "py") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn findings(dir: &Path) -> BTreeSet<Finding> {
    let rel = dir.strip_prefix(repo()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_djperf"))
        .current_dir(repo())
        .args(["check", "--output-format", "json", "--exit-zero"])
        .arg(rel)
        .output()
        .expect("run djperf");
    assert!(
        out.status.success(),
        "djperf failed on {}: {}",
        rel.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["filename"].as_str().unwrap().to_owned(),
                usize::try_from(d["location"]["row"].as_u64().unwrap()).unwrap(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn fixtures_match_inline_expectations() {
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty(), "no fixture projects found");
    let mut failures = Vec::new();
    let mut total = 0;
    for dir in dirs {
        let (expected, todo) = expectations(&dir);
        let actual = findings(&dir);
        total += expected.len();
        for f in expected.difference(&actual) {
            failures.push(format!("missing  {}:{}: {}", f.0, f.1, f.2));
        }
        for f in actual.difference(&expected) {
            let why = if todo.contains(f) {
                "a todo-expect is now found: turn it into `# expect:`"
            } else {
                "unexpected"
            };
            failures.push(format!("{why}  {}:{}: {}", f.0, f.1, f.2));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total > 20, "suspiciously few expectations: {total}");
}

/// Every finding of a fixture project as one line each: location, code, message, label,
/// help, related locations and the fix, so a change of wording or of a related location
/// shows in review (`tests/snapshots/`; `INSTA_UPDATE=always cargo test` rewrites them).
fn rendered(dir: &Path) -> String {
    let rel = dir.strip_prefix(repo()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_djperf"))
        .current_dir(repo())
        .args(["check", "--output-format", "json", "--exit-zero"])
        .arg(rel)
        .output()
        .expect("run djperf");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let pos = |d: &serde_json::Value| {
        format!(
            "{}:{}:{}",
            d["filename"].as_str().unwrap_or(""),
            d["location"]["row"],
            d["location"]["column"]
        )
    };
    let mut s = String::new();
    for d in v.as_array().unwrap() {
        s.push_str(&format!(
            "{} {} {}\n  label: {}\n",
            pos(d),
            d["code"].as_str().unwrap_or(""),
            d["message"].as_str().unwrap_or(""),
            d["label"].as_str().unwrap_or(""),
        ));
        if let Some(h) = d["help"].as_str() {
            s.push_str(&format!("  help: {h}\n"));
        }
        for r in d["related"].as_array().into_iter().flatten() {
            s.push_str(&format!(
                "  related: {} {}\n",
                pos(r),
                r["message"].as_str().unwrap_or("")
            ));
        }
        if let Some(f) = d["fix"].as_object() {
            s.push_str(&format!(
                "  fix ({}): {}\n",
                f["applicability"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            ));
        }
    }
    s
}

#[test]
fn fixture_output_snapshots() {
    for dir in fixture_dirs() {
        let name = dir
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        insta::assert_snapshot!(name, rendered(&dir));
    }
}
