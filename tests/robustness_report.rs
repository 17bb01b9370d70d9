//! Issue 19, continued: DJP001 `io-error` and DJP002 `syntax-error` in every output format,
//! file names and source lines that must not drive the terminal, file names holding `\`,
//! long lines, configuration files that cannot be read, `--config`, and clap's messages.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

const MODELS: &str = "from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)


def titles():
    for book in Book.objects.all():
        print(book.author.name)
";

fn djperf(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("djperf").unwrap();
    c.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("CI_PROJECT_DIR")
        .timeout(std::time::Duration::from_secs(120));
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = djperf(dir).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

/// A project with one finding (`shop.py`), one file that is only a syntax error
/// (`broken.py`, line 2) and one that cannot be read (`mem.py`: reading /proc/self/mem from
/// offset 0 fails with EIO, even for root).
#[cfg(target_os = "linux")]
fn bad_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("pyproject.toml"), "").unwrap();
    fs::write(p.join("shop.py"), MODELS).unwrap();
    fs::write(p.join("broken.py"), "import os\ndef f(:\n    pass\n").unwrap();
    std::os::unix::fs::symlink("/proc/self/mem", p.join("mem.py")).unwrap();
    dir
}

/// Every format carries both problems beside the finding, and the run exits 1 (not 2: no
/// report is lost, and it never passes for clean).
#[cfg(target_os = "linux")]
#[test]
fn io_and_syntax_errors_in_every_format() {
    let dir = bad_project();
    let p = dir.path();
    let check = |format: &str| {
        let r = run(p, &["check", "--no-cache", "--output-format", format, "."]);
        assert_eq!(r.code, 1, "{format}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.stderr, "", "{format}");
        r.stdout
    };

    let full = check("full");
    assert!(
        full.contains(
            "error[DJP001 io-error]: mem.py: cannot read: Input/output error (os error 5); not checked"
        ),
        "{full}"
    );
    assert!(
        full.contains("error[DJP002 syntax-error]: syntax error: expected `)`\n  ┌─ broken.py:2:7"),
        "{full}"
    );
    assert!(full.contains("Found 3 problems in 3 files"), "{full}");

    assert_eq!(
        check("concise"),
        "broken.py:2:7: DJP002 syntax error: expected `)`\n\
         mem.py:1:1: DJP001 cannot read: Input/output error (os error 5); not checked\n\
         shop.py:14:15: DJP101 [*] `Book.author` is a relation read on every row: one query per row\n\
         Found 3 problems in 3 files\n\
         [*] 1 fixable with --fix\n"
    );

    let v = json(&check("json"));
    let rows: Vec<(&str, &str, &str, u64, u64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["filename"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["severity"].as_str().unwrap(),
                d["location"]["row"].as_u64().unwrap(),
                d["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("broken.py", "DJP002", "error", 2, 7),
            ("mem.py", "DJP001", "error", 1, 1),
            ("shop.py", "DJP101", "warning", 14, 15)
        ]
    );
    assert_eq!(v[0]["name"], "syntax-error");
    assert_eq!(v[1]["name"], "io-error");

    let lines = check("json-lines");
    let codes: Vec<String> = lines
        .lines()
        .map(|l| json(l)["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["DJP002", "DJP001", "DJP101"]);

    let gh = check("github");
    let gh: Vec<&str> = gh.lines().collect();
    assert_eq!(gh.len(), 3, "{gh:?}");
    assert!(
        gh[0].starts_with("::error file=broken.py,line=2,endLine=2,col=7,endColumn=7,title=DJP002 (syntax-error)::DJP002 syntax error: expected `)`"),
        "{}",
        gh[0]
    );
    assert!(
        gh[1].starts_with("::error file=mem.py,line=1,endLine=1,col=1,endColumn=1,title=DJP001 (io-error)::DJP001 cannot read"),
        "{}",
        gh[1]
    );

    let gl = json(&check("gitlab"));
    let gl: Vec<(&str, &str, &str)> = gl
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().unwrap(),
                i["severity"].as_str().unwrap(),
                i["location"]["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        gl,
        [
            ("DJP002", "critical", "broken.py"),
            ("DJP001", "critical", "mem.py"),
            ("DJP101", "major", "shop.py")
        ]
    );

    let rd = json(&check("rdjson"));
    let rd: Vec<(&str, &str, &str)> = rd["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"]["value"].as_str().unwrap(),
                d["severity"].as_str().unwrap(),
                d["location"]["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rd,
        [
            ("DJP002", "ERROR", "broken.py"),
            ("DJP001", "ERROR", "mem.py"),
            ("DJP101", "WARNING", "shop.py")
        ]
    );
    assert_eq!(check("rdjsonl").lines().count(), 3);

    let sarif_text = check("sarif");
    let sarif = json(&sarif_text);
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results: Vec<(&str, &str, &str)> = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
            (
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("DJP002", "error", "broken.py"),
            ("DJP001", "error", "mem.py"),
            ("DJP101", "warning", "shop.py")
        ]
    );
    let out = p.join("bad.sarif");
    fs::write(&out, &sarif_text).unwrap();
    validate_sarif(&out);
}

/// `scripts/validate-sarif` (schema and GitHub's rules); skipped loudly only where its tools
/// cannot be installed, never in CI.
fn validate_sarif(file: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/validate-sarif");
    let status = std::process::Command::new(&script)
        .arg(file)
        .status()
        .unwrap();
    if status.code() == Some(77) {
        assert!(
            std::env::var_os("CI").is_none(),
            "SARIF validation tools could not be installed in CI"
        );
        eprintln!("\n**********\nSKIPPED: SARIF validation (scripts/validate-sarif could not install its tools)\n**********\n");
        return;
    }
    assert!(status.success(), "SARIF output is invalid (see stderr)");
}

/// File names with a newline, a tab, an ANSI escape or a bidi override are escaped in the
/// human formats and on stderr, exact in JSON.
#[cfg(unix)]
#[test]
fn control_characters_in_file_names_are_escaped_for_people() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("pyproject.toml"), "").unwrap();
    let names = [
        ("ansi_\x1b[31mred.py", "ansi_\\x1b[31mred.py"),
        ("new\nline.py", "new\\nline.py"),
        ("tab\tname.py", "tab\\tname.py"),
        ("rtl_\u{202e}yp.py", "rtl_\\u{202e}yp.py"),
    ];
    for (raw, _) in names {
        fs::write(p.join(raw), MODELS).unwrap();
    }
    let concise = run(p, &["check", "--output-format", "concise", "."]);
    assert_eq!(concise.code, 1);
    let full = run(
        p,
        &["check", "--output-format", "full", "--color", "always", "."],
    );
    for (raw, shown) in names {
        assert!(
            concise.stdout.contains(&format!("{shown}:14:15: DJP101")),
            "{}",
            concise.stdout
        );
        assert!(
            full.stdout.contains(&format!("{shown}:14:15")),
            "{}",
            full.stdout
        );
        assert!(!concise.stdout.contains(raw));
        assert!(!full.stdout.contains(raw));
    }
    // Nothing but djperf's own colours reaches the terminal: every ESC starts an SGR colour.
    for (i, _) in full.stdout.match_indices('\x1b') {
        let sgr = &full.stdout[i + 1..];
        assert!(sgr.starts_with('['), "{:?}", &full.stdout[i..i + 10]);
        let end = sgr.find('m').unwrap();
        assert!(
            sgr[1..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
            "{:?}",
            &sgr[..=end]
        );
    }
    assert!(!full.stdout.contains("\x1b[31mred"), "{}", full.stdout);
    // JSON keeps the name exact (its own escaping).
    let v = json(&run(p, &["check", "--output-format", "json", "."]).stdout);
    let mut got: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["filename"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut want: Vec<String> = names.iter().map(|(raw, _)| (*raw).to_owned()).collect();
    want.sort();
    assert_eq!(got, want);
    // Warnings on stderr escape the name too (a file only indexed that cannot be read).
    std::os::unix::fs::symlink("/proc/self/mem", p.join("mem\x1b[2J.py")).unwrap();
    let w = run(p, &["check", "--output-format", "concise", names[0].0]);
    assert!(
        w.stderr
            .contains("djperf: warning: mem\\x1b[2J.py: cannot read"),
        "{}",
        w.stderr
    );
    assert!(!w.stderr.contains("\x1b[2J"), "{}", w.stderr);
}

/// Control characters inside the source line of a snippet are escaped too, and the caret
/// still points at the finding.
#[test]
fn control_characters_in_source_lines_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("pyproject.toml"), "").unwrap();
    let src = MODELS.replace(
        "print(book.author.name)",
        "print(\"\x1b[2J\x07\", book.author.name)",
    );
    fs::write(p.join("shop.py"), src).unwrap();
    let r = run(p, &["check", "--output-format", "full", "."]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        !r.stdout.contains('\x1b') && !r.stdout.contains('\x07'),
        "{:?}",
        r.stdout
    );
    // column 24 in characters, as in every other format
    assert!(r.stdout.contains("shop.py:14:24"), "{}", r.stdout);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("14 │")).unwrap();
    assert_eq!(
        lines[at],
        "14 │         print(\"\\x1b[2J\\x07\", book.author.name)"
    );
    // the caret sits under `book` as shown (after the escapes)
    assert_eq!(
        lines[at + 1]
            .find('^')
            .map(|i| lines[at + 1][..i].chars().count()),
        lines[at]
            .find("book")
            .map(|i| lines[at][..i].chars().count()),
        "{}",
        r.stdout
    );
}

/// On Unix `\` is an ordinary character of a file name: `back\slash.py` is reported under its
/// own name in every format, not as `back/slash.py` (a file that does not exist).
#[cfg(unix)]
#[test]
fn backslash_in_file_names_on_unix() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("pyproject.toml"), "").unwrap();
    fs::write(p.join("back\\slash.py"), MODELS).unwrap();
    let r = run(p, &["check", "--output-format", "concise", "."]);
    assert!(
        r.stdout.starts_with("back\\slash.py:14:15: DJP101"),
        "{}",
        r.stdout
    );
    let v = json(&run(p, &["check", "--output-format", "json", "."]).stdout);
    assert_eq!(v[0]["filename"], "back\\slash.py");
    let s = json(&run(p, &["check", "--output-format", "sarif", "."]).stdout);
    assert_eq!(
        s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "back%5Cslash.py"
    );
    let gl = json(&run(p, &["check", "--output-format", "gitlab", "."]).stdout);
    assert_eq!(gl[0]["location"]["path"], "back\\slash.py");
    // the file named explicitly is found under that name
    let r = run(
        p,
        &["check", "--output-format", "concise", "back\\slash.py"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// One finding on a 300,000-character line: the snippet of the human format is cut around
/// the span (a few hundred bytes, not the line), the machine formats keep the span exact.
#[test]
fn long_lines_are_cut_in_snippets_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("pyproject.toml"), "").unwrap();
    let pad = "x".repeat(300_000);
    let src = MODELS.replace(
        "print(book.author.name)",
        &format!("print(\"{pad}\", book.author.name, \"{pad}\")"),
    );
    fs::write(p.join("shop.py"), &src).unwrap();
    let r = run(p, &["check", "--output-format", "full", "."]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.len() < 2_000, "{} bytes of output", r.stdout.len());
    let col = 8 + "print(\"".len() + pad.len() + "\", ".len() + 1;
    assert!(
        r.stdout.contains(&format!("shop.py:14:{col}")),
        "{}",
        r.stdout
    );
    let snippet = r.stdout.lines().find(|l| l.starts_with("14 │")).unwrap();
    assert_eq!(
        snippet,
        format!(
            "14 │ ...{}\", book.author.name, \"{}...",
            "x".repeat(37),
            "x".repeat(32)
        )
    );
    let caret = r.stdout.lines().find(|l| l.contains("^^^")).unwrap();
    assert_eq!(
        caret.find('^').unwrap() - "   │ ".len() + 2,
        snippet.find("book").unwrap() - "14 │ ".len() + 2,
        "{snippet}\n{caret}"
    );
    let v = json(&run(p, &["check", "--output-format", "json", "."]).stdout);
    assert_eq!(v[0]["location"]["column"], col);
    assert_eq!(v[0]["end_location"]["column"], col + "book.author".len());
    let c = run(p, &["check", "--output-format", "concise", "."]).stdout;
    assert!(c.starts_with(&format!("shop.py:14:{col}: DJP101")), "{c}");
}

/// A `pyproject.toml` that exists but cannot be read (a symlink loop, a directory) stops the
/// run naming it, as a broken one does; it is never silently ignored.
#[cfg(unix)]
#[test]
fn unreadable_pyproject_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("shop.py"), MODELS).unwrap();
    std::os::unix::fs::symlink("pyproject.toml", p.join("pyproject.toml")).unwrap();
    let r = run(p, &["check", "."]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with("djperf: error: ")
            && r.stderr.contains("pyproject.toml: cannot read: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("symbolic links"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1);
    fs::remove_file(p.join("pyproject.toml")).unwrap();
    fs::create_dir(p.join("pyproject.toml")).unwrap();
    let r = run(p, &["check", "."]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("pyproject.toml: cannot read: not a regular file"),
        "{}",
        r.stderr
    );
}

/// Configuration errors give the file, line and column, and the key.
#[test]
fn configuration_errors_name_line_column_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("shop.py"), MODELS).unwrap();
    let cases = [
        (
            "[project]\nname = \"x\"\n\n[tool.djperf]\nselct = [\"DJP1\"]\n",
            "pyproject.toml:5:1: unknown key `tool.djperf.selct` (did you mean `select`?)",
        ),
        (
            "[tool.djperf]\nignore = [\"DJP105\", \"E501\"]\n",
            "pyproject.toml:2:21: `tool.djperf.ignore`: unknown rule code `E501`",
        ),
        (
            "[tool.djperf]\nexclude = \"legacy\"\n",
            "pyproject.toml:2:11: `tool.djperf.exclude`: invalid type: string \"legacy\", expected a sequence",
        ),
        (
            "[tool.djperf]\ndatabase = \"postgres\"\n",
            "pyproject.toml:2:12: `tool.djperf.database`: `postgres` is not one of postgresql, sqlite, mysql, oracle",
        ),
        (
            "[tool.djperf]\nper-file-ignores = { \"a/**\" = [\"DJP9\"] }\n",
            "pyproject.toml:2:32: `tool.djperf.per-file-ignores.\"a/**\"`: unknown rule code `DJP9`",
        ),
        ("[tool.djperf\n", "pyproject.toml:1:13: unclosed table, expected `]`"),
    ];
    for (text, want) in cases {
        fs::write(p.join("pyproject.toml"), text).unwrap();
        let r = run(p, &["check", "."]);
        assert_eq!(r.code, 2, "{text}");
        let got = r.stderr.trim_end();
        assert!(
            got.starts_with("djperf: error: ") && got.ends_with(want) && got.lines().count() == 1,
            "{text}:\n{got}\nwanted ...{want}"
        );
    }
}

/// `--config FILE` replaces discovery; `--config 'KEY = VALUE'` overrides one setting; a
/// missing or broken file named there stops the run naming it.
#[test]
fn config_option() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(
        p.join("pyproject.toml"),
        "[tool.djperf]\nignore = [\"DJP101\"]\n",
    )
    .unwrap();
    fs::write(p.join("shop.py"), MODELS).unwrap();
    fs::create_dir(p.join("ci")).unwrap();
    fs::write(p.join("ci/strict.toml"), "select = [\"DJP1\"]\n").unwrap();
    let concise = |args: &[&str]| {
        let mut a = vec!["check", "--output-format", "concise"];
        a.extend_from_slice(args);
        a.push(".");
        run(p, &a)
    };
    // discovered: DJP101 ignored
    assert_eq!(concise(&[]).code, 0);
    // named: the discovered pyproject.toml is not read
    let r = concise(&["--config", "ci/strict.toml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("shop.py:14:15: DJP101"),
        "{}",
        r.stdout
    );
    // a setting over the discovered file
    let r = concise(&["--config", "ignore = []"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // a setting over the named file
    let r = concise(&[
        "--config",
        "ci/strict.toml",
        "--config",
        "ignore = [\"DJP1\"]",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // settings are checked like the file's
    let r = concise(&["--config", "ignore = [\"X1\"]"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "djperf: error: --config `ignore = [\"X1\"]` (column 11): `ignore`: unknown rule code `X1`\n"
    );
    let r = concise(&["--config", "selekt = []"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("unknown key `selekt` (did you mean `select`?)"),
        "{}",
        r.stderr
    );
    // a missing file, a broken file, something that is neither
    let r = concise(&["--config", "ci/missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("ci/missing.toml: cannot read: "),
        "{}",
        r.stderr
    );
    fs::write(p.join("ci/broken.toml"), "select = [\n").unwrap();
    let r = concise(&["--config", "ci/broken.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("ci/broken.toml:1:11: unclosed array, expected `]`"),
        "{}",
        r.stderr
    );
    let r = concise(&["--config", "nonsense"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("neither a configuration file that exists nor a TOML `KEY = VALUE` setting"),
        "{}",
        r.stderr
    );
    let r = concise(&["--config", "ci/strict.toml", "--config", "pyproject.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("two configuration files"), "{}", r.stderr);
    // a named pyproject.toml is read from its [tool.djperf] table
    let r = concise(&["--config", "pyproject.toml"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// A bad value lists the accepted ones, and clap's "a similar ... exists" tips are kept, all
/// on the one line.
#[test]
fn clap_errors_list_values_and_keep_tips() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "--output-format", "xml"],
            "djperf: error: invalid value 'xml' for '--output-format <OUTPUT_FORMAT>' [possible values: full, concise, json, json-lines, sarif, github, gitlab, rdjson, rdjsonl] (see `djperf --help`)\n",
        ),
        (
            &["check", "--output-format", "concis"],
            "djperf: error: invalid value 'concis' for '--output-format <OUTPUT_FORMAT>' [possible values: full, concise, json, json-lines, sarif, github, gitlab, rdjson, rdjsonl]; a similar value exists: 'concise' (see `djperf --help`)\n",
        ),
        (
            &["chek"],
            "djperf: error: unrecognized subcommand 'chek'; a similar subcommand exists: 'check' (see `djperf --help`)\n",
        ),
        (
            &["check", "--statistic"],
            "djperf: error: unexpected argument '--statistic' found; a similar argument exists: '--statistics' (see `djperf --help`)\n",
        ),
    ];
    for (args, want) in cases {
        let r = run(dir.path(), args);
        assert_eq!(r.code, 2, "{args:?}");
        assert_eq!(r.stderr, *want, "{args:?}");
    }
}
