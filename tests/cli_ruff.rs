//! Issue 21 (items 7, 8, 9, 11): CI paths, `.gitignore`, and the command-line conventions
//! of Ruff: `--statistics`, `--show-fixes` and `[*]`, `--add-noqa`, DJP003 `unused-noqa`,
//! `--watch`, `--show-settings`, `rules --output-format json`, the concise summary line,
//! `explain` without a rule, and the progress line on a terminal.

mod common;

use common::{djperf, project, write, MODELS, VIEWS, VIEWS_FIXED};
use serde_json::Value;
use std::path::Path;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = djperf(dir)
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("CI_PROJECT_DIR")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

/// `cd backend && djperf check`: GitHub and GitLab map paths from the repository root, so
/// with `GITHUB_WORKSPACE` / `CI_PROJECT_DIR` set the paths are relative to it.
#[test]
fn ci_paths_are_relative_to_the_workspace() {
    let repo = tempfile::tempdir().unwrap();
    let backend = repo.path().join("backend");
    write(&backend, "manage.py", "\"\"\"manage\"\"\"\n");
    write(&backend, "shop/__init__.py", "");
    write(&backend, "shop/models.py", MODELS);
    write(&backend, "shop/views.py", VIEWS);
    let gitlab = |env: Option<&Path>| {
        let mut c = djperf(&backend);
        c.env_remove("CI_PROJECT_DIR")
            .env_remove("GITHUB_WORKSPACE");
        if let Some(dir) = env {
            c.env("CI_PROJECT_DIR", dir).env("GITHUB_WORKSPACE", dir);
        }
        let g = c
            .args(["check", "--output-format", "gitlab", "."])
            .output()
            .unwrap();
        let mut c = djperf(&backend);
        c.env_remove("CI_PROJECT_DIR")
            .env_remove("GITHUB_WORKSPACE");
        if let Some(dir) = env {
            c.env("CI_PROJECT_DIR", dir).env("GITHUB_WORKSPACE", dir);
        }
        let h = c
            .args(["check", "--output-format", "github", "."])
            .output()
            .unwrap();
        (
            json(&String::from_utf8_lossy(&g.stdout))[0]["location"]["path"]
                .as_str()
                .unwrap()
                .to_owned(),
            String::from_utf8_lossy(&h.stdout).into_owned(),
        )
    };
    let (path, gh) = gitlab(None);
    assert_eq!(path, "shop/views.py");
    assert!(gh.starts_with("::warning file=shop/views.py,"), "{gh}");
    let (path, gh) = gitlab(Some(repo.path()));
    assert_eq!(path, "backend/shop/views.py");
    assert!(
        gh.starts_with("::warning file=backend/shop/views.py,"),
        "{gh}"
    );
    // a workspace that does not hold the files changes nothing
    let elsewhere = tempfile::tempdir().unwrap();
    let (path, _) = gitlab(Some(elsewhere.path()));
    assert_eq!(path, "shop/views.py");
    // the other formats stay relative to the current directory
    let out = djperf(&backend)
        .env("CI_PROJECT_DIR", repo.path())
        .args(["check", "--output-format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(
        json(&String::from_utf8_lossy(&out.stdout))[0]["filename"],
        "shop/views.py"
    );
}

/// Files `.gitignore` leaves out are not reported (`--no-respect-gitignore` and
/// `respect-gitignore = false` report them); they still feed the model index, and a file
/// named on the command line is checked.
#[test]
fn gitignore_is_respected() {
    let p = project();
    let root = p.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    write(root, ".gitignore", "generated/\n*_gen.py\n");
    write(root, "generated/views.py", VIEWS);
    write(root, "shop/views_gen.py", VIEWS);
    // the models of an ignored file are still known
    write(root, "vendor/.gitignore", "*\n");
    write(
        root,
        "vendor/models.py",
        "from django.db import models\n\n\nclass Tag(models.Model):\n    book = models.ForeignKey(\"shop.Book\", on_delete=models.CASCADE)\n",
    );
    write(
        root,
        "shop/tags.py",
        "from vendor.models import Tag\n\n\ndef f():\n    for t in Tag.objects.all():\n        print(t.book.title)\n",
    );
    let files = |args: &[&str]| {
        let mut a = vec!["check", "--output-format", "json"];
        a.extend_from_slice(args);
        let r = run(root, &a);
        let mut f: Vec<String> = json(&r.stdout)
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["filename"].as_str().unwrap().to_owned())
            .collect();
        f.dedup();
        f
    };
    assert_eq!(files(&["."]), ["shop/tags.py", "shop/views.py"]);
    assert_eq!(
        files(&["--no-respect-gitignore", "."]),
        [
            "generated/views.py",
            "shop/tags.py",
            "shop/views.py",
            "shop/views_gen.py"
        ]
    );
    // named explicitly: checked
    assert_eq!(files(&["generated/views.py"]), ["generated/views.py"]);
    write(root, "djperf.toml", "respect-gitignore = false\n");
    assert_eq!(files(&["."]).len(), 4);
    // outside a git repository .gitignore means nothing (as for git itself)
    std::fs::remove_file(root.join("djperf.toml")).unwrap();
    std::fs::remove_dir(root.join(".git")).unwrap();
    assert_eq!(files(&["."]).len(), 4);
}

/// `[*]` marks the findings `--fix` fixes; concise ends with a summary line and the count of
/// fixable findings, as Ruff's does.
#[test]
fn concise_marks_fixable_findings_and_ends_with_a_summary() {
    let p = project();
    let r = run(p.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "shop/views.py:7:27: DJP101 [*] `Book.author` is a relation read on every row: one query per row\n\
         Found 1 problem in 1 file\n\
         [*] 1 fixable with --fix\n"
    );
    let r = run(p.path(), &["check", "--output-format", "full", "."]);
    assert!(
        r.stdout.starts_with(
            "warning[DJP101 fk-access-in-loop]: [*] `Book.author` is a relation read on every row"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.ends_with("[*] 1 fixable with --fix\n"),
        "{}",
        r.stdout
    );
    // machine formats carry no summary
    let r = run(p.path(), &["check", "--output-format", "json-lines", "."]);
    assert_eq!(r.stdout.lines().count(), 1);
    // quiet: the findings only
    let r = run(
        p.path(),
        &["check", "--output-format", "concise", "-q", "."],
    );
    assert_eq!(r.stdout.lines().count(), 1);
    write(p.path(), "shop/views.py", VIEWS_FIXED);
    let r = run(p.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "All checks passed\n"));
}

#[test]
fn statistics() {
    let p = project();
    write(
        p.path(),
        "shop/more.py",
        "from shop.models import Book\n\n\ndef f():\n    for b in Book.objects.all():\n        b.save()\n        print(b.author.name)\n",
    );
    let r = run(p.path(), &["check", "--statistics", "."]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout.lines().take(2).collect::<Vec<_>>(),
        [
            "2  DJP101  [*] fk-access-in-loop",
            "1  DJP105      save-in-loop"
        ]
    );
    let r = run(
        p.path(),
        &["check", "--statistics", "--output-format", "json", "."],
    );
    let v = json(&r.stdout);
    assert_eq!(v[0]["code"], "DJP101");
    assert_eq!(v[0]["count"], 2);
    assert_eq!(v[0]["fixable"], 2);
    assert_eq!(v[1]["code"], "DJP105");
    assert_eq!(v[1]["fixable"], 0);
    assert_eq!(v.as_array().unwrap().len(), 2);
}

/// `--show-fixes`: each fix as a diff under its finding; with `--fix`, what was fixed.
#[test]
fn show_fixes() {
    let p = project();
    let r = run(p.path(), &["check", "--show-fixes", "."]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("  fix (safe): Add \"author\" to `.select_related()`\n  shop/views.py:\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("      6 -     for book in Book.objects.all():\n      6 +     for book in Book.objects.select_related(\"author\"):\n"),
        "{}",
        r.stdout
    );
    let r = run(p.path(), &["check", "--fix", "--show-fixes", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.ends_with(
            "Fixed 1 problem (0 remaining)\nFixed 1 problem:\n- shop/views.py:\n    1 × DJP101 (fk-access-in-loop)\n"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(p.path().join("shop/views.py")).unwrap(),
        VIEWS_FIXED
    );
}

/// `--add-noqa`: a comment on each line with a finding, merged into a `# noqa:` already
/// there; a line ending inside a string is left alone; the next run is clean.
#[test]
fn add_noqa() {
    let p = project();
    let views = "from shop.models import Book


def titles():
    for book in Book.objects.all():
        print(book.author.name)   
    for book in Book.objects.all():
        print(book.author.name)  # noqa: E501
    for book in Book.objects.all():
        s = f\"\"\"{book.author.name}
        \"\"\"
    if Book.objects.count() > 0:  # keep
        pass
";
    write(p.path(), "shop/views.py", views);
    let r = run(p.path(), &["check", "--add-noqa", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "djperf: warning: shop/views.py: line 10: ends inside a string or with a backslash continuation; no `# noqa` added\n\
         djperf: added 3 noqa directives\n"
    );
    let text = std::fs::read_to_string(p.path().join("shop/views.py")).unwrap();
    assert_eq!(
        text,
        views
            .replace(
                "print(book.author.name)   \n",
                "print(book.author.name)  # noqa: DJP101\n"
            )
            .replace("# noqa: E501", "# noqa: E501, DJP101")
            .replace("> 0:  # keep", "> 0:  # keep  # noqa: DJP403")
    );
    let r = run(p.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);
    assert!(
        r.stdout.starts_with("shop/views.py:10:18: DJP101"),
        "{}",
        r.stdout
    );
    // nothing left to add
    let r = run(p.path(), &["check", "--add-noqa", "."]);
    assert_eq!(
        r.stderr.lines().last(),
        Some("djperf: added 0 noqa directives")
    );
}

/// DJP003 `unused-noqa`: off by default (as Ruff's RUF100); on, it reports unused,
/// non-enabled and unknown djperf codes, never other tools' codes or a bare `# noqa`, and its
/// fix removes them.
#[test]
fn unused_noqa() {
    let p = project();
    let views = "from shop.models import Book


def titles():
    for book in Book.objects.all():
        print(book.author.name)  # noqa: DJP101
        print(book.title)  # noqa: DJP101, E501
        print(book.title)  # noqa
        print(book.title)  # noqa: DJP301, DJP999
        print(book.title)  # noqa: DJP003, DJP101
    doc = \"\"\"
    x = 1  # noqa: DJP101
    \"\"\"
    return doc  # noqa: DJP105 kept for the export
";
    write(p.path(), "shop/views.py", views);
    let r = run(p.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "All checks passed\n"));
    let r = run(
        p.path(),
        &[
            "check",
            "--extend-select",
            "DJP003",
            "--output-format",
            "concise",
            ".",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "shop/views.py:7:28: DJP003 [*] unused `noqa` directive (unused: `DJP101`)\n\
         shop/views.py:9:28: DJP003 [*] unused `noqa` directive (non-enabled: `DJP301`; unknown: `DJP999`)\n\
         shop/views.py:14:17: DJP003 [*] unused `noqa` directive (unused: `DJP105`)\n\
         Found 3 problems in 1 file\n\
         [*] 3 fixable with --fix\n"
    );
    let r = run(
        p.path(),
        &["check", "--extend-select", "DJP003", "--fix", "."],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(p.path().join("shop/views.py")).unwrap();
    assert_eq!(
        text,
        views
            .replace(
                "print(book.title)  # noqa: DJP101, E501",
                "print(book.title)  # noqa: E501"
            )
            .replace(
                "print(book.title)  # noqa: DJP301, DJP999",
                "print(book.title)"
            )
            .replace("# noqa: DJP105 kept", "# kept")
    );
}

#[test]
fn show_settings() {
    let p = project();
    write(
        p.path(),
        "pyproject.toml",
        "[tool.djperf]\nextend-select = [\"DJP3\"]\nexclude = [\"legacy\"]\n",
    );
    let r = run(
        p.path(),
        &[
            "check",
            "--show-settings",
            "--config",
            "max-indexes = 9",
            ".",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = p.path().canonicalize().unwrap();
    for want in [
        format!(
            "root                        = {:?}",
            root.display().to_string()
        ),
        format!(
            "config-file                 = {:?}",
            root.join("pyproject.toml").display().to_string()
        ),
        "exclude                     = [\"legacy\"]".to_owned(),
        "max-indexes                 = 9".to_owned(),
        "respect-gitignore           = true".to_owned(),
        "max-file-size               = none".to_owned(),
        "# 4 files reported, 4 indexed:".to_owned(),
        "shop/views.py".to_owned(),
    ] {
        assert!(r.stdout.lines().any(|l| l == want), "{want}\n{}", r.stdout);
    }
    let rules = r.stdout.lines().find(|l| l.starts_with("rules ")).unwrap();
    assert!(
        rules.contains("\"DJP001\", \"DJP002\", \"DJP101\""),
        "{rules}"
    );
    assert!(
        rules.contains("\"DJP301\", \"DJP302\", \"DJP303\""),
        "{rules}"
    );
    assert!(!rules.contains("DJP003"), "{rules}");
}

#[test]
fn rules_as_json_and_explain_without_a_rule() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["rules", "--output-format", "json"]);
    assert_eq!(r.code, 0);
    let v = json(&r.stdout);
    let rules = v.as_array().unwrap();
    assert_eq!(rules.len(), djperf::rules::RULES.len());
    let r101 = rules.iter().find(|r| r["code"] == "DJP101").unwrap();
    assert_eq!(r101["name"], "fk-access-in-loop");
    assert_eq!(r101["default"], true);
    assert_eq!(r101["severity"], "warning");
    assert!(r101["explanation"]
        .as_str()
        .unwrap()
        .contains("## Why is this slow?"));
    let r003 = rules.iter().find(|r| r["code"] == "DJP003").unwrap();
    assert_eq!(r003["default"], false);
    let table = run(dir.path(), &["rules"]).stdout;
    assert_eq!(run(dir.path(), &["explain"]).stdout, table);
    assert!(table
        .lines()
        .any(|l| l.starts_with("DJP001   io-error") && l.contains(" always ")));
}

/// `--watch` checks again when a file changes (and goes on until stopped).
#[test]
fn watch_checks_again_on_change() {
    use std::io::{BufRead, BufReader};
    let p = project();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("djperf"))
        .current_dir(p.path())
        .args(["check", "--watch", "--output-format", "concise", "."])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait = |what: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) if l == what => return,
                Ok(_) => {}
                Err(_) => panic!("no `{what}` from --watch"),
            }
        }
    };
    wait("Found 1 problem in 1 file");
    // give the watcher time to be set up before the change
    std::thread::sleep(std::time::Duration::from_millis(500));
    write(p.path(), "shop/views.py", VIEWS_FIXED);
    wait("All checks passed");
    write(p.path(), "shop/views.py", VIEWS);
    wait("Found 1 problem in 1 file");
    child.kill().unwrap();
    let _ = child.wait();
}

/// On a terminal, a progress line on stderr (erased at the end); never when stderr is piped,
/// never in a machine format. (`DJPERF_PROGRESS_DELAY_MS=0` shows it at once, so the test
/// does not need a run of over a second.)
#[test]
fn progress_only_on_a_terminal_for_people() {
    const PY: &str = "import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=s)
os.close(s)
data = b''
while True:
    try:
        d = os.read(m, 65536)
    except OSError:
        break
    if not d:
        break
    data += d
sys.stdout.buffer.write(data)
";
    let p = project();
    // enough to parse for the reporter to show the line (it looks every 100 ms)
    write(p.path(), "shop/data.py", &"x = [1, 2, 3]\n".repeat(40_000));
    let bin = assert_cmd::cargo::cargo_bin("djperf");
    let on_tty = |format: &str| {
        let out = std::process::Command::new("python3")
            .current_dir(p.path())
            .env("DJPERF_PROGRESS_DELAY_MS", "0")
            .args(["-c", PY])
            .arg(&bin)
            .args(["check", "--no-cache", "--output-format", format, "."])
            .output()
            .expect("python3 runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tty = on_tty("concise");
    assert!(tty.contains("djperf: parsing "), "{tty:?}");
    assert!(
        tty.ends_with("\r\x1b[2K"),
        "the line is not erased: {tty:?}"
    );
    assert_eq!(on_tty("json"), "");
    assert_eq!(on_tty("sarif"), "");
    let piped = djperf(p.path())
        .env("DJPERF_PROGRESS_DELAY_MS", "0")
        .args(["check", "--no-cache", "--output-format", "concise", "."])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&piped.stderr), "");
}
