//! Shared helpers for the CLI tests: a small Django project in a temp directory.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::Path;

pub const MODELS: &str = "from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
";

/// `é` (2 UTF-8 bytes, 1 UTF-16 unit) and an emoji (4 bytes, 2 units) before the finding on
/// line 7: `book.author` starts at character 27, byte 31, UTF-16 unit 28.
pub const VIEWS: &str = "from shop.models import Book


def titles():
    out = []
    for book in Book.objects.all():
        out.append(\"\u{e9}\u{1F600}\" + book.author.name)
    return out
";

pub const VIEWS_FIXED: &str = "from shop.models import Book


def titles():
    out = []
    for book in Book.objects.select_related(\"author\"):
        out.append(\"\u{e9}\u{1F600}\" + book.author.name)
    return out
";

pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A project: `manage.py`, `shop/models.py`, `shop/views.py` (one DJP101 finding).
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "manage.py", "\"\"\"manage\"\"\"\n");
    write(dir.path(), "shop/__init__.py", "");
    write(dir.path(), "shop/models.py", MODELS);
    write(dir.path(), "shop/views.py", VIEWS);
    dir
}

pub fn djperf(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("djperf").unwrap();
    c.current_dir(cwd).env_remove("NO_COLOR");
    c
}

pub fn stdout_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// A finished run: exit code and both outputs as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(cmd: &mut Command) -> Run {
        let out = cmd.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Parse JSON output, showing it when it does not parse.
pub fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}
