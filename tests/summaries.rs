//! Function summaries: rows followed into helpers across modules, through call cycles and
//! self-referential paths, and the switch that turns them off.

use assert_cmd::Command;
use std::fs;

const MODELS: &str = "from django.db import models\n\n\
class Author(models.Model):\n    name = models.CharField(max_length=10)\n    mentor = models.ForeignKey('self', null=True, on_delete=models.SET_NULL)\n\n\
class Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("manage.py"), "").unwrap();
    fs::create_dir(dir.path().join("shop")).unwrap();
    fs::write(dir.path().join("shop/__init__.py"), "").unwrap();
    fs::write(dir.path().join("shop/models.py"), MODELS).unwrap();
    for (name, text) in files {
        fs::write(dir.path().join("shop").join(name), text).unwrap();
    }
    dir
}

fn findings(dir: &tempfile::TempDir, summaries: bool) -> Vec<serde_json::Value> {
    let mut cmd = Command::cargo_bin("djperf").unwrap();
    cmd.current_dir(dir.path())
        .args(["check", "--output-format", "json", "--exit-zero"]);
    if summaries {
        cmd.env_remove("DJPERF_NO_SUMMARIES");
    } else {
        cmd.env("DJPERF_NO_SUMMARIES", "1");
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
}

fn rows(f: &[serde_json::Value]) -> Vec<(String, u64)> {
    f.iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["location"]["row"].as_u64().unwrap(),
            )
        })
        .collect()
}

const CYCLE: &str = "def a(book, n):\n    return b(book, n - 1) if n else book.pk\n\n\
def b(book, n):\n    return c(book, n - 1) if n else book.pk\n\n\
def c(book, n):\n    if n:\n        return a(book, n - 1)\n    return book.author.name\n";

const LOOP: &str = "from shop.models import Book\nfrom shop.helpers import a\n\n\
def run():\n    for book in Book.objects.all():\n        print(a(book, 3))\n";

#[test]
fn three_function_cycle_across_modules() {
    let dir = project(&[("helpers.py", CYCLE), ("views.py", LOOP)]);
    let on = findings(&dir, true);
    assert_eq!(rows(&on), vec![("DJP101".to_owned(), 6)]);
    let related = on[0]["related"].as_array().unwrap();
    let read = related
        .iter()
        .find(|r| r["message"] == "reads `author` here")
        .expect("a related label at the read");
    assert!(read["filename"].as_str().unwrap().ends_with("helpers.py"));
    assert_eq!(read["location"]["row"], 10);
    assert!(on[0]["help"]
        .as_str()
        .unwrap()
        .contains("select_related(\"author\")"));
    // Without summaries the helper is opaque.
    assert!(findings(&dir, false).is_empty());
}

const SELF_WALK: &str = "def chain(author):\n    return [author.name] + chain(author.mentor)\n";

const WALK_LOOP: &str = "from shop.models import Author\nfrom shop.walk import chain\n\n\
def run():\n    for author in Author.objects.all():\n        print(chain(author))\n\n\
def run_loaded():\n    for author in Author.objects.select_related('mentor__mentor__mentor__mentor__mentor__mentor__mentor__mentor'):\n        print(chain(author))\n";

#[test]
fn self_recursion_on_a_self_referential_fk_is_bounded() {
    let dir = project(&[("walk.py", SELF_WALK), ("views.py", WALK_LOOP)]);
    let on = findings(&dir, true);
    assert_eq!(rows(&on), vec![("DJP101".to_owned(), 6)]);
    assert!(on[0]["help"].as_str().unwrap().contains("mentor__mentor"));
}

const ONLY_ID: &str = "def key(book):\n    return (book.author_id, book.pk)\n";

const ID_LOOP: &str = "from shop.models import Book\nfrom shop import keys\n\n\
def run():\n    for book in Book.objects.all():\n        print(keys.key(book))\n";

#[test]
fn helper_reading_only_the_id_is_clean() {
    let dir = project(&[("keys.py", ONLY_ID), ("views.py", ID_LOOP)]);
    assert!(findings(&dir, true).is_empty());
}
