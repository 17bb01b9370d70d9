//! `check --fix`, `--unsafe-fixes` and `--diff` on a small project: the exact rewritten
//! text (multi-line chains, quote style, merging into an existing call, two findings on one
//! queryset merged into one call, slices), what is refused, idempotence, and no writes
//! with `--diff`.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn djperf(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("djperf").unwrap();
    c.current_dir(dir).args(["check", "--color", "never"]);
    c
}

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fix_data");

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("manage.py"), "").unwrap();
    fs::create_dir(dir.path().join("shop")).unwrap();
    fs::write(dir.path().join("shop/__init__.py"), "").unwrap();
    for f in ["models.py", "views.py"] {
        fs::copy(Path::new(DATA).join(f), dir.path().join("shop").join(f)).unwrap();
    }
    ignore_djp106(dir.path());
    dir
}

/// These projects test the other rules' fixes; some of their loops leave a lookup unread,
/// which DJP106 (on by default) would report and fix too. Its fixes are judged by Django in
/// the fix-oracle.
fn ignore_djp106(dir: &Path) {
    fs::write(
        dir.join("pyproject.toml"),
        "[tool.djperf]\nignore = [\"DJP106\"]\n",
    )
    .unwrap();
}

fn views(dir: &Path) -> String {
    fs::read_to_string(dir.join("shop/views.py")).unwrap()
}

fn expected(name: &str) -> String {
    fs::read_to_string(Path::new(DATA).join(name)).unwrap()
}

#[test]
fn fix_rewrites_querysets_and_reports_what_remains() {
    let p = project();
    let out = djperf(p.path())
        .arg("--fix")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Fixed 7 problems (3 remaining)"),
        "{stdout}"
    );
    assert_eq!(views(p.path()), expected("views.fixed.py"));
    // Idempotent: nothing left to change, the remaining findings have no safe fix.
    djperf(p.path())
        .args(["--diff"])
        .assert()
        .code(0)
        .stdout("");
    let again = djperf(p.path())
        .arg("--fix")
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&again.stdout).contains("Fixed 0 problems (3 remaining)"));
    assert_eq!(views(p.path()), expected("views.fixed.py"));
}

#[test]
fn unsafe_fixes_also_apply_the_count_prefetch() {
    let p = project();
    djperf(p.path())
        .args(["--fix", "--unsafe-fixes"])
        .assert()
        .code(1);
    assert_eq!(views(p.path()), expected("views.unsafe-fixed.py"));
    // `.only()` makes select_related an error: never rewritten.
    assert!(views(p.path()).contains("Book.objects.only(\"title\"):"));
}

/// As in Ruff: only `--fix` writes; `--unsafe-fixes` widens what `--fix` and `--diff` apply
/// and what the summary counts as fixable.
#[test]
fn unsafe_fixes_alone_writes_nothing() {
    let p = project();
    let before = views(p.path());
    let plain = djperf(p.path()).assert().code(1).get_output().clone();
    let plain = String::from_utf8_lossy(&plain.stdout).into_owned();
    assert!(
        plain.contains("7 fixable with --fix (1 more with --unsafe-fixes)"),
        "{plain}"
    );
    for format in ["full", "sarif", "json"] {
        let out = djperf(p.path())
            .args(["--unsafe-fixes", "--output-format", format])
            .assert()
            .code(1)
            .get_output()
            .clone();
        assert_eq!(
            views(p.path()),
            before,
            "--unsafe-fixes --output-format {format} wrote"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains("Fixed "), "{stdout}");
        if format == "full" {
            assert!(stdout.contains("8 fixable with --fix\n"), "{stdout}");
        }
    }
    // With --diff it shows the unsafe fix too, still writing nothing.
    let out = djperf(p.path())
        .args(["--diff", "--unsafe-fixes"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("prefetch_related(\"book_set\")"));
    assert_eq!(views(p.path()), before);
}

#[test]
fn diff_prints_without_writing() {
    let p = project();
    let before = views(p.path());
    let out = djperf(p.path())
        .arg("--diff")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.starts_with("--- a/shop/views.py\n+++ b/shop/views.py\n"),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+        .select_related(\"author\")\n+        .prefetch_related(\"tags\")\n"
        ),
        "{diff}"
    );
    assert!(
        !diff.contains("prefetch_related(\"book_set\")"),
        "unsafe fix shown without --unsafe-fixes: {diff}"
    );
    assert_eq!(views(p.path()), before);
}

#[test]
fn json_marks_fixes_safe_or_unsafe() {
    let p = project();
    let out = djperf(p.path())
        .args(["--output-format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fixes: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.get("fix").filter(|f| !f.is_null()))
        .collect();
    let safe = fixes
        .iter()
        .filter(|f| f["applicability"] == "safe")
        .count();
    let unsafe_ = fixes
        .iter()
        .filter(|f| f["applicability"] == "unsafe")
        .count();
    assert_eq!((safe, unsafe_), (7, 1), "{v:#}");
}

#[test]
fn stdin_fix_prints_the_fixed_text() {
    let p = project();
    let text = views(p.path());
    let out = Command::cargo_bin("djperf")
        .unwrap()
        .current_dir(p.path())
        .args(["check", "--fix", "--stdin-filename", "shop/views.py", "-"])
        .write_stdin(text.clone())
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected("views.fixed.py")
    );
    assert_eq!(views(p.path()), text, "stdin mode must not write the file");
}

/// A project from `tests/fix_data/<dir>/*.py` (the fixed and unfixed copies left out).
fn project_from(dir: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("manage.py"), "").unwrap();
    fs::create_dir(tmp.path().join("shop")).unwrap();
    fs::write(tmp.path().join("shop/__init__.py"), "").unwrap();
    for e in fs::read_dir(Path::new(DATA).join(dir)).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".py") && !name.contains(".fixed") && !name.contains(".unsafe-fixed") {
            fs::copy(&p, tmp.path().join("shop").join(name)).unwrap();
        }
    }
    ignore_djp106(tmp.path());
    tmp
}

/// Turns on DJP201 (off by default) for a project made by `project_from` (DJP106 still
/// ignored, see [`ignore_djp106`]).
fn select_djp201(dir: &Path) {
    fs::write(
        dir.join("pyproject.toml"),
        "[tool.djperf]\nextend-select = [\"DJP201\"]\nignore = [\"DJP106\"]\n",
    )
    .unwrap();
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join("shop").join(name)).unwrap()
}

/// A second run has nothing more to change.
fn assert_fixed_point(dir: &Path, unsafe_fixes: bool) {
    let mut c = djperf(dir);
    c.arg("--diff");
    if unsafe_fixes {
        c.arg("--unsafe-fixes");
    }
    let out = c.output().unwrap();
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn drf_admin_branch_and_efficiency_fixes() {
    let p = project_from("more");
    // DJP201 is off by default; its unsafe fix is part of this test.
    select_djp201(p.path());
    // Rows built on two branches: the finding points at both, the fix edits both.
    let out = djperf(p.path()).assert().code(1).get_output().clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("to the `Book` querysets on lines 8 and 10")
            && stdout.contains("to the `Book` querysets on lines 43, 45 and 47"),
        "{stdout}"
    );
    let out = djperf(p.path())
        .arg("--fix")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Left with only unsafe fixes: the EditionAdmin column (its fix replaces
    // `list_select_related = True`), `len()`/the nullable key/DJP201 in eff.py; and without
    // any fix, the loop whose rows come from an `.only()` queryset on one branch; the join on
    // a `select_for_update()` queryset (it would lock the related rows too) is unsafe, also
    // when the loop reads it through a name.
    assert!(
        stdout.contains("Fixed 22 problems (8 remaining)"),
        "{stdout}"
    );
    for at in [
        "shop/admin.py:43:21",
        "shop/branches.py:38:15",
        "shop/eff.py:10:9",
        "shop/eff.py:39:20",
        "shop/branches.py:54:15",
        "shop/branches.py:60:15",
    ] {
        assert!(stdout.contains(at), "{at}: {stdout}");
    }
    for f in ["views", "admin", "branches", "eff"] {
        assert_eq!(
            read(p.path(), &format!("{f}.py")),
            expected(&format!("more/{f}.fixed.py")),
            "{f}.py"
        );
    }
    assert_fixed_point(p.path(), false);

    let p = project_from("more");
    select_djp201(p.path());
    let out = djperf(p.path())
        .args(["--fix", "--unsafe-fixes"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Fixed 29 problems (1 remaining)"));
    for f in ["admin", "eff", "branches"] {
        assert_eq!(
            read(p.path(), &format!("{f}.py")),
            expected(&format!("more/{f}.unsafe-fixed.py")),
            "{f}.py"
        );
    }
    assert_fixed_point(p.path(), true);
}

/// A `__str__` that follows `parent` recursively: the fix loads the levels djperf names (a
/// repeated relation at most twice) and says the recursion goes on below them; after it the
/// finding is gone, so a second `--fix` changes nothing, and the counts add up
/// (found = fixed + remaining).
#[test]
fn recursive_paths_are_capped_and_fixes_converge() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("manage.py"), "").unwrap();
    fs::create_dir(p.join("shop")).unwrap();
    fs::write(p.join("shop/__init__.py"), "").unwrap();
    fs::write(
        p.join("shop/models.py"),
        r#"from django.db import models


class Folder(models.Model):
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)

    def __str__(self):
        if self.parent_id:
            return f"{self.parent}/{self.name}"
        return self.name


class Document(models.Model):
    title = models.CharField(max_length=100)
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE)
    owner = models.ForeignKey(Folder, related_name="+", on_delete=models.CASCADE)
"#,
    )
    .unwrap();
    fs::write(
        p.join("shop/views.py"),
        r#"from shop.models import Document, Folder


def listing():
    for doc in Document.objects.all():
        print(str(doc.folder), doc.title)


def owners():
    for doc in Document.objects.all():
        print(doc.owner.name)


def folders():
    return [f.parent.name for f in Folder.objects.all()]


def count():
    return len(Folder.objects.filter(name="x"))
"#,
    )
    .unwrap();
    let concise = |extra: &[&str]| {
        let out = djperf(p)
            .args(["--output-format", "concise"])
            .args(extra)
            .output()
            .unwrap();
        // the findings (`path:line:col: CODE ...`), then the summary lines
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let (findings, summary): (Vec<&str>, Vec<&str>) =
            stdout.lines().partition(|l| l.starts_with("shop/"));
        (
            findings
                .iter()
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
            summary.join("\n"),
        )
    };
    let (before, _) = concise(&[]);
    let found = before.lines().count();
    assert_eq!(found, 4, "{before}");
    let full = djperf(p).output().unwrap();
    let full = String::from_utf8_lossy(&full.stdout);
    assert!(
        full.contains("select_related(\"folder__parent__parent\")")
            && full.contains("`parent` is followed recursively"),
        "{full}"
    );
    let (after, summary) = concise(&["--fix"]);
    let views = fs::read_to_string(p.join("shop/views.py")).unwrap();
    assert!(
        views.contains("Document.objects.select_related(\"folder__parent__parent\")"),
        "{views}"
    );
    let remaining = after.lines().count();
    let fixed: usize = summary
        .split_once("Fixed ")
        .and_then(|(_, r)| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(
        summary.contains(&format!("({remaining} remaining)")),
        "{summary}"
    );
    assert_eq!(fixed + remaining, found, "{summary}\n{after}");
    assert!(
        !after.contains("views.py:6:"),
        "recursive finding reported again: {after}"
    );
    // Converged: nothing left to change.
    let (_, again) = concise(&["--fix"]);
    assert!(
        again.contains(&format!("Fixed 0 problems ({remaining} remaining)")),
        "{again}"
    );
    assert_fixed_point(p, false);
}
