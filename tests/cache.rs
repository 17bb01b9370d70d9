//! The on-disk cache of lowered files (`.djperf_cache`): it makes a warm run fast, and it must
//! never change a result: not after an edit that keeps the size and the modification time, not
//! when its entries are corrupt, not when it cannot be written.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn djperf() -> Command {
    Command::cargo_bin("djperf").unwrap()
}

const MODELS: &str = "from django.db import models\n\nclass Author(models.Model):\n    name = models.CharField(max_length=10)\n\nclass Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n";
const VIEWS: &str = "from .models import Book\n\ndef names():\n    return [b.author.name for b in Book.objects.all()]\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("manage.py"), "").unwrap();
    fs::create_dir(dir.path().join("shop")).unwrap();
    fs::write(dir.path().join("shop/__init__.py"), "").unwrap();
    fs::write(dir.path().join("shop/models.py"), MODELS).unwrap();
    fs::write(dir.path().join("shop/views.py"), VIEWS).unwrap();
    dir
}

/// `check shop/views.py` in concise format: (exit code, stdout).
fn check(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = djperf()
        .current_dir(dir)
        .env_remove("DJPERF_NO_CACHE")
        .env_remove("DJPERF_CACHE_DIR")
        .args(["check", "shop/views.py", "--output-format", "concise"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn entries(cache: &Path) -> usize {
    fs::read_dir(cache)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|d| fs::read_dir(d.path()).unwrap().count())
        .sum()
}

#[test]
fn an_edit_that_keeps_size_and_mtime_is_still_seen() {
    let p = project();
    let models = p.path().join("shop/models.py");
    let (code, out) = check(p.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("DJP101"), "{out}");
    let cache = p.path().join(".djperf_cache");
    assert_eq!(
        entries(&cache),
        3,
        "manage.py and __init__.py are both empty: one entry"
    );

    // Rename the relation (same length) and put the old modification time back: a cache
    // keyed by size and mtime would still see `author` as a foreign key.
    let mtime = fs::metadata(&models).unwrap().modified().unwrap();
    let renamed = MODELS.replace("    author = ", "    writer = ");
    assert_eq!(renamed.len(), MODELS.len());
    fs::write(&models, &renamed).unwrap();
    fs::File::options()
        .write(true)
        .open(&models)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let (code, out) = check(p.path(), &[]);
    assert_eq!(
        (code, out.as_str()),
        (0, "All checks passed\n"),
        "the relation is gone"
    );

    // Back to the first text: its entry is still there and gives the first answer.
    fs::write(&models, MODELS).unwrap();
    let (code, out) = check(p.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("shop/views.py:4:13: DJP101"), "{out}");
}

#[test]
fn warm_and_cold_runs_agree_and_corrupt_entries_are_misses() {
    let p = project();
    let (_, cold) = check(p.path(), &["--no-cache"]);
    assert!(
        !p.path().join(".djperf_cache").exists(),
        "--no-cache writes nothing"
    );
    let (_, filled) = check(p.path(), &[]);
    let (_, warm) = check(p.path(), &[]);
    assert_eq!(cold, filled);
    assert_eq!(cold, warm);
    // Garbage in every entry: each is read as a miss and parsed again.
    let cache = p.path().join(".djperf_cache");
    for d in fs::read_dir(&cache).unwrap().flatten() {
        if d.file_type().unwrap().is_dir() {
            for e in fs::read_dir(d.path()).unwrap().flatten() {
                fs::write(e.path(), b"\x07not a module").unwrap();
            }
        }
    }
    let (code, corrupt) = check(p.path(), &[]);
    assert_eq!((code, corrupt.as_str()), (1, cold.as_str()));
}

#[test]
fn layout_and_switches() {
    let p = project();
    check(p.path(), &[]);
    let cache = p.path().join(".djperf_cache");
    let ignore = fs::read_to_string(cache.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
    assert!(fs::read_to_string(cache.join("CACHEDIR.TAG"))
        .unwrap()
        .starts_with("Signature: 8a477f597d28d172789f06886806bc55"));

    // DJPERF_NO_CACHE, --cache-dir, DJPERF_CACHE_DIR and the `cache-dir` setting.
    let q = project();
    let out = djperf()
        .current_dir(q.path())
        .env("DJPERF_NO_CACHE", "1")
        .args(["check", "--exit-zero"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!q.path().join(".djperf_cache").exists());
    check(q.path(), &["--cache-dir", "elsewhere"]);
    assert!(q.path().join("elsewhere/CACHEDIR.TAG").is_file());
    assert!(!q.path().join(".djperf_cache").exists());
    let out = djperf()
        .current_dir(q.path())
        .env("DJPERF_CACHE_DIR", q.path().join("from-env"))
        .args(["check", "--exit-zero"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(q.path().join("from-env/CACHEDIR.TAG").is_file());
    fs::write(
        q.path().join("pyproject.toml"),
        "[tool.djperf]\ncache-dir = \"build/djperf\"\n",
    )
    .unwrap();
    check(q.path(), &[]);
    assert!(q.path().join("build/djperf/CACHEDIR.TAG").is_file());
    assert!(!q.path().join(".djperf_cache").exists());
}

#[test]
fn a_cache_that_cannot_be_made_only_costs_time() {
    let p = project();
    // A file where the directory should be: nothing can be created under it.
    fs::write(p.path().join(".djperf_cache"), "not a directory").unwrap();
    let (code, out) = check(p.path(), &[]);
    assert_eq!(code, 1);
    assert!(out.contains("shop/views.py:4:13: DJP101"), "{out}");
    assert_eq!(
        fs::read_to_string(p.path().join(".djperf_cache")).unwrap(),
        "not a directory"
    );
}
