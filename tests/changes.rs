//! A finding belongs to a change when any of its locations changed — the access, the
//! queryset that should load the relation, or a declaration it depends on (the relation
//! field, the model's manager) — in `--changed-since REV` runs and in pre-commit runs, where
//! the passed files are the changed files.

mod common;

use common::{djperf, stdout_of, write};
use std::path::Path;
use std::process::Command;

const MODELS: &str = r#"from django.db import models

from shop.managers import DocumentManager


class Author(models.Model):
    name = models.CharField(max_length=100)


class Folder(models.Model):
    name = models.CharField(max_length=100)


class Document(models.Model):
    title = models.CharField(max_length=100)
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE)
    author = models.CharField(max_length=100)

    objects = DocumentManager()
    plain = models.Manager()
"#;

const MANAGERS: &str = r#"from django.db import models


class DocumentManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("folder")
"#;

/// Clean: `folder` is joined by the queryset (`listing`) and by the manager (`by_manager`).
const VIEWS: &str = r#"from shop.models import Document


def listing():
    docs = Document.plain.select_related("folder")
    for doc in docs:
        print(doc.folder.name, doc.title)


def chained():
    docs = (
        Document.plain.filter(title="x")
        .select_related("folder")
    )
    return [d.folder.name for d in docs]


def by_manager():
    return [d.folder.name for d in Document.objects.all()]
"#;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "manage.py", "");
    write(p, "shop/__init__.py", "");
    write(p, "shop/models.py", MODELS);
    write(p, "shop/managers.py", MANAGERS);
    write(p, "shop/views.py", VIEWS);
    git(p, &["init", "-q"]);
    git(
        p,
        &[
            "-c",
            "user.email=t@t.invalid",
            "-c",
            "user.name=t",
            "add",
            "-A",
        ],
    );
    git(
        p,
        &[
            "-c",
            "user.email=t@t.invalid",
            "-c",
            "user.name=t",
            "commit",
            "-qm",
            "init",
        ],
    );
    dir
}

fn concise(dir: &Path, args: &[&str]) -> (i32, String) {
    stdout_of(
        djperf(dir)
            .args([
                "check",
                "--no-cache",
                "--quiet",
                "--output-format",
                "concise",
            ])
            .args(args),
    )
}

fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(p, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_changed_queryset_line_reports_the_access_below_it() {
    let p = repo();
    assert_eq!(concise(p.path(), &["."]), (0, String::new()));
    edit(
        p.path(),
        "shop/views.py",
        "docs = Document.plain.select_related(\"folder\")",
        "docs = Document.plain.all()",
    );
    // The access on line 7 did not change; the queryset on line 5 did.
    let (code, out) = concise(p.path(), &["--changed-since", "HEAD", "."]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("shop/views.py:7:15: DJP101 "), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn a_deleted_line_inside_the_queryset_counts() {
    let p = repo();
    // the chain's `.select_related("folder")` line is deleted: a pure deletion right after
    // the queryset's last line
    edit(
        p.path(),
        "shop/views.py",
        "        .select_related(\"folder\")\n",
        "",
    );
    let (code, out) = concise(p.path(), &["--changed-since", "HEAD", "."]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("shop/views.py:14:13: DJP101 "), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn a_changed_manager_reports_the_findings_that_relied_on_it() {
    let p = repo();
    edit(
        p.path(),
        "shop/managers.py",
        "super().get_queryset().select_related(\"folder\")",
        "super().get_queryset()",
    );
    // --changed-since: only managers.py changed; the finding is in views.py.
    let (code, out) = concise(p.path(), &["--changed-since", "HEAD", "."]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("shop/views.py:19:13: DJP101 "), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    // the declaration is shown as the reason
    let (_, json) = stdout_of(djperf(p.path()).args([
        "check",
        "--no-cache",
        "--output-format",
        "json",
        "--changed-since",
        "HEAD",
        ".",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v[0]["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["filename"] == "shop/managers.py"
                && r["message"]
                    .as_str()
                    .unwrap()
                    .contains("depends on this declaration")),
        "{json}"
    );
    // pre-commit: the passed file is the changed managers module.
    let (code, out) = concise(p.path(), &["--force-exclude", "shop/managers.py"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("shop/views.py:19:13: DJP101 "), "{out}");
    // a passed file that declares nothing the finding relies on reports nothing new
    write(p.path(), "shop/utils.py", "def f():\n    return 1\n");
    assert_eq!(concise(p.path(), &["shop/utils.py"]), (0, String::new()));
}

#[test]
fn a_changed_field_in_models_reports_the_findings_elsewhere() {
    let p = repo();
    // `author` becomes a foreign key: views.py reads it per row now.
    edit(
        p.path(),
        "shop/views.py",
        "print(doc.folder.name, doc.title)",
        "print(doc.folder.name, doc.author.name)",
    );
    git(
        p.path(),
        &[
            "-c",
            "user.email=t@t.invalid",
            "-c",
            "user.name=t",
            "commit",
            "-qam",
            "views",
        ],
    );
    assert_eq!(concise(p.path(), &["."]), (0, String::new()));
    edit(
        p.path(),
        "shop/models.py",
        "author = models.CharField(max_length=100)",
        "author = models.ForeignKey(Author, on_delete=models.CASCADE)",
    );
    let (code, out) = concise(p.path(), &["--changed-since", "HEAD", "."]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("shop/views.py:7:32: DJP101 "), "{out}");
    let (code, out) = concise(p.path(), &["--force-exclude", "shop/models.py"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("shop/views.py:7:32: DJP101 "), "{out}");
    // A change elsewhere in models.py that the finding does not rely on is not its change.
    git(
        p.path(),
        &[
            "-c",
            "user.email=t@t.invalid",
            "-c",
            "user.name=t",
            "commit",
            "-qam",
            "fk",
        ],
    );
    edit(
        p.path(),
        "shop/models.py",
        "name = models.CharField(max_length=100)\n\n\nclass Folder",
        "name = models.CharField(max_length=200)\n\n\nclass Folder",
    );
    assert_eq!(
        concise(p.path(), &["--changed-since", "HEAD", "."]),
        (0, String::new())
    );
}
