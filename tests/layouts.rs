//! Same project, same findings, from any directory: a repository-root run, a run in the
//! directory of `manage.py` and a run deeper inside an app give the same findings on a
//! `src/` layout (testdata/projects/srclayout) and on a nested `backend/manage.py`
//! (testdata/projects/monorepo).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

type Finding = (PathBuf, u64, u64, String, String);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The findings of `djperf check .` run in `cwd`, with absolute paths.
fn findings_from(cwd: &Path) -> BTreeSet<Finding> {
    let out = Command::new(env!("CARGO_BIN_EXE_djperf"))
        .current_dir(cwd)
        .args([
            "check",
            "--no-cache",
            "--output-format",
            "json",
            "--exit-zero",
            ".",
        ])
        .output()
        .expect("run djperf");
    assert!(
        out.status.success(),
        "djperf failed in {}: {}",
        cwd.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                cwd.join(d["filename"].as_str().unwrap()),
                d["location"]["row"].as_u64().unwrap(),
                d["location"]["column"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn below(all: &BTreeSet<Finding>, dir: &Path) -> BTreeSet<Finding> {
    all.iter()
        .filter(|f| f.0.starts_with(dir))
        .cloned()
        .collect()
}

fn codes(f: &BTreeSet<Finding>) -> Vec<&str> {
    f.iter().map(|x| x.3.as_str()).collect()
}

#[test]
fn src_layout_same_findings_from_root_and_from_inside() {
    let root = repo().join("testdata/projects/srclayout");
    let app = root.join("src/catalog");
    let at_root = findings_from(&root);
    let at_src = findings_from(&root.join("src"));
    let in_app = findings_from(&app);
    assert!(
        at_root.len() >= 8,
        "the fixture's findings: {:?}",
        codes(&at_root)
    );
    // The view is linked to its serializer through the star imports (DJP110 on its queryset).
    assert!(at_root.iter().any(|f| f.3 == "DJP110"), "{at_root:?}");
    assert_eq!(at_root, at_src);
    assert_eq!(below(&at_root, &app), in_app);
}

#[test]
fn nested_manage_py_same_findings_from_repository_and_from_backend() {
    let repo_dir = repo().join("testdata/projects/monorepo");
    let backend = repo_dir.join("backend");
    let at_repo = findings_from(&repo_dir);
    let at_backend = findings_from(&backend);
    let in_app = findings_from(&backend.join("shop"));
    assert!(
        at_repo.len() >= 5,
        "the fixture's findings: {:?}",
        codes(&at_repo)
    );
    assert_eq!(at_repo, at_backend);
    assert_eq!(at_repo, in_app);
}

/// pulpcore's layout: `manage.py` inside the package it belongs to, naming its settings by
/// the package's full path; the project's imports use that path too.
#[test]
fn manage_py_inside_a_package_same_findings_from_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("pkg/__init__.py", "");
    write("pkg/app/__init__.py", "");
    write(
        "pkg/app/manage.py",
        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"pkg.app.settings\")\n",
    );
    write("pkg/app/settings.py", "");
    write(
        "pkg/app/models.py",
        "from django.db import models\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=10)\n\n\nclass Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n",
    );
    // The helper is found by its qualified name only (no fallback by name).
    write(
        "pkg/app/helpers.py",
        "def describe(book):\n    return book.author.name\n",
    );
    write(
        "pkg/app/views.py",
        "from pkg.app.helpers import describe\nfrom pkg.app.models import Book\n\n\ndef names():\n    return [describe(b) for b in Book.objects.all()]\n",
    );
    let outside = findings_from(&root);
    let inside = findings_from(&root.join("pkg/app"));
    assert_eq!(codes(&outside), ["DJP101"]);
    assert_eq!(outside, inside);
}
