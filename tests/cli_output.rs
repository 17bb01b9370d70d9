//! Output formats: shapes, column units and fingerprints.

mod common;

use common::{djperf, project, stdout_of, write};
use serde_json::Value;

fn run(dir: &std::path::Path, format: &str) -> (i32, String) {
    stdout_of(djperf(dir).args(["check", "--output-format", format, "shop/views.py"]))
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

#[test]
fn concise_and_json_count_characters() {
    let p = project();
    let (code, out) = run(p.path(), "concise");
    assert_eq!(code, 1);
    assert!(out.starts_with("shop/views.py:7:27: DJP101 "), "{out}");
    let (_, out) = run(p.path(), "json");
    let v = json(&out);
    assert_eq!(v[0]["location"]["column"], 27);
    assert_eq!(v[0]["end_location"]["column"], 38);
}

#[test]
fn json_lines_is_one_object_a_line() {
    let p = project();
    let (code, out) = run(p.path(), "json-lines");
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1);
    let v = json(lines[0]);
    assert_eq!(v["code"], "DJP101");
    assert_eq!(v["location"]["row"], 7);
    assert_eq!(v["location"]["column"], 27);
}

#[test]
fn rdjson_counts_utf8_bytes() {
    let p = project();
    let (code, out) = run(p.path(), "rdjson");
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(v["source"]["name"], "djperf");
    let d = &v["diagnostics"][0];
    assert_eq!(d["location"]["path"], "shop/views.py");
    assert_eq!(d["location"]["range"]["start"]["line"], 7);
    assert_eq!(d["location"]["range"]["start"]["column"], 31);
    assert_eq!(d["location"]["range"]["end"]["column"], 42);
    assert_eq!(d["severity"], "WARNING");
    assert_eq!(d["code"]["value"], "DJP101");
    let url = djperf::rules::find("DJP101").unwrap().url();
    assert_eq!(d["code"]["url"].as_str(), url.as_deref());
    let (_, out) = run(p.path(), "rdjsonl");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(json(lines[0])["location"]["range"]["start"]["column"], 31);
}

#[test]
fn github_annotations() {
    let p = project();
    let (code, out) = run(p.path(), "github");
    assert_eq!(code, 1);
    let line = out.lines().next().unwrap();
    assert!(
        line.starts_with(
            "::warning file=shop/views.py,line=7,endLine=7,col=27,endColumn=38,title=DJP101 (fk-access-in-loop)::DJP101 "
        ),
        "{line}"
    );
    // the help is on a second line of the message: LF escaped
    assert!(
        line.contains("%0Ahelp: add .select_related(\"author\")"),
        "{line}"
    );
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn gitlab_code_quality() {
    let p = project();
    let (code, out) = run(p.path(), "gitlab");
    assert_eq!(code, 1);
    let v = json(&out);
    let issue = &v[0];
    assert_eq!(issue["check_name"], "DJP101");
    assert_eq!(issue["severity"], "major");
    assert_eq!(issue["location"]["path"], "shop/views.py");
    assert_eq!(issue["location"]["lines"]["begin"], 7);
    assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 16);
    assert!(issue["description"]
        .as_str()
        .unwrap()
        .contains("Book.author"));
}

#[test]
fn fingerprints_ignore_line_numbers_but_not_code() {
    let p = project();
    let fp = |dir: &std::path::Path| {
        let (_, out) = run(dir, "gitlab");
        json(&out)[0]["fingerprint"].as_str().unwrap().to_owned()
    };
    let before = fp(p.path());
    write(
        p.path(),
        "shop/views.py",
        &format!("\n\n# a comment\n{}", common::VIEWS),
    );
    assert_eq!(
        fp(p.path()),
        before,
        "blank lines above changed the fingerprint"
    );
    write(
        p.path(),
        "shop/views.py",
        &common::VIEWS.replace("def titles", "def other_titles"),
    );
    assert_ne!(
        fp(p.path()),
        before,
        "the enclosing function is part of the fingerprint"
    );
}

#[test]
fn sarif_shape() {
    let p = project();
    let (code, out) = run(p.path(), "sarif");
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(
        v["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "djperf");
    let rules = driver["rules"].as_array().unwrap();
    let r = rules.iter().find(|r| r["id"] == "DJP101").unwrap();
    assert_eq!(r["id"], "DJP101");
    assert_eq!(r["name"], "fk-access-in-loop");
    assert!(r["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .contains("## Why is this slow?"));
    assert!(r["help"]["text"].as_str().unwrap().contains("Use instead:"));
    assert_eq!(r["defaultConfiguration"]["level"], "warning");
    let res = &run["results"][0];
    assert_eq!(res["ruleId"], "DJP101");
    assert_eq!(
        rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "DJP101"
    );
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "shop/views.py");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 7);
    assert_eq!(loc["region"]["startColumn"], 27);
    assert_eq!(loc["region"]["endColumn"], 38);
    let rel = &res["relatedLocations"][0]["physicalLocation"]["region"];
    assert_eq!(rel["startLine"], 6);
    assert!(res["partialFingerprints"]["djperf/v1"].is_string());
}

/// Validates real output with `scripts/validate-sarif` (schema + GitHub rules). Skipped, loudly,
/// only when the validator cannot be installed (no npm/python3).
#[test]
fn sarif_validates_against_the_schema_and_github_rules() {
    let p = project();
    // a clean file too, and a run with no results
    write(p.path(), "shop/clean.py", common::VIEWS_FIXED);
    let out = p.path().join("out.sarif");
    djperf(p.path())
        .args(["check", "--output-format", "sarif", "--output-file"])
        .arg(&out)
        .args(["shop/views.py", "shop/clean.py"])
        .assert()
        .code(1)
        .stdout("");
    let empty = p.path().join("empty.sarif");
    djperf(p.path())
        .args(["check", "--output-format", "sarif", "--output-file"])
        .arg(&empty)
        .arg("shop/clean.py")
        .assert()
        .code(0);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/validate-sarif");
    let status = std::process::Command::new(&script)
        .arg(&out)
        .arg(&empty)
        .status()
        .unwrap();
    if status.code() == Some(77) {
        // In CI the tools must be installable: a skip there would hide an untested format.
        assert!(
            std::env::var_os("CI").is_none(),
            "SARIF validation tools could not be installed in CI"
        );
        eprintln!("\n**********\nSKIPPED: SARIF validation (scripts/validate-sarif could not install its tools)\n**********\n");
        return;
    }
    assert!(status.success(), "SARIF output is invalid (see stderr)");
    // and the validator does reject a broken document
    let broken = p.path().join("broken.sarif");
    let text = std::fs::read_to_string(&out)
        .unwrap()
        .replace("\"startLine\": 7", "\"startLine\": 0");
    std::fs::write(&broken, text).unwrap();
    let status = std::process::Command::new(&script)
        .arg(&broken)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn output_file_replaces_stdout() {
    let p = project();
    let out = p.path().join("report.txt");
    djperf(p.path())
        .args(["check", "--output-format", "concise", "--output-file"])
        .arg(&out)
        .arg("shop/views.py")
        .assert()
        .code(1)
        .stdout("");
    let text = std::fs::read_to_string(out).unwrap();
    assert!(text.starts_with("shop/views.py:7:27: DJP101"), "{text}");
}
